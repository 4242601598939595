package org.svdd.diffusion.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FastaTest {
    private static final String TEXT = ">a chr1:1-12 first\nTTTTacgt\r\nACGT\n\n>b\nNNNN ACGT\n>empty\n>c\nacg\n";

    @TempDir
    Path dir;

    @Test
    void parsesPlainAndGzippedFiles() throws IOException {
        Path plain = Files.writeString(dir.resolve("p.fa"), TEXT);
        Path gz = dir.resolve("p.fa.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(TEXT.getBytes(StandardCharsets.US_ASCII));
        }
        for (Path f : List.of(plain, gz)) {
            List<Fasta.Record> rs = Fasta.read(f);
            assertEquals(List.of(new Fasta.Record("a", "TTTTacgtACGT"), new Fasta.Record("b", "NNNNACGT"),
                    new Fasta.Record("empty", ""), new Fasta.Record("c", "acg")), rs);
        }
    }

    @Test
    void errorsNameFileAndLine() throws IOException {
        Path noHeader = Files.writeString(dir.resolve("bad.fa"), "\nACGT\n>x\nAC\n");
        String m = assertThrows(IOException.class, () -> Fasta.read(noHeader)).getMessage();
        assertTrue(m.contains("bad.fa:2") && m.contains("before the first"), m);
        Path emptyHeader = Files.writeString(dir.resolve("bad2.fa"), ">x\nAC\n>  \nAC\n");
        m = assertThrows(IOException.class, () -> Fasta.read(emptyHeader)).getMessage();
        assertTrue(m.contains("bad2.fa:3") && m.contains("empty"), m);
    }

    @Test
    void appendWritesSixtyLettersALineAndReadsBack() throws IOException {
        String seq = "ACGT".repeat(40);
        StringWriter w = new StringWriter();
        Fasta.append(w, "s0", seq);
        Fasta.append(w, "s1", "GG");
        assertEquals(">s0\n" + seq.substring(0, 60) + "\n" + seq.substring(60, 120) + "\n" + seq.substring(120) + "\n>s1\nGG\n", w.toString());
        Path f = Files.writeString(dir.resolve("w.fa"), w.toString());
        assertEquals(List.of(new Fasta.Record("s0", seq), new Fasta.Record("s1", "GG")), Fasta.read(f));
    }
}

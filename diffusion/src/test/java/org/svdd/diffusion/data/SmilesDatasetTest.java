package org.svdd.diffusion.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SmilesDatasetTest {
    @TempDir
    Path dir;

    @Test
    void readsQuotedCsvAndBuildsASortedAlphabet() throws IOException {
        Path csv = Files.writeString(dir.resolve("m.csv"), "\"c1ccccc1O\",\"M-1\"\n\"CC(=O)N\",\"M-2\"\n\nCCCCCCCCCCCC,M-3\n\"Cl\",\"M,4\"\n");
        SmilesDataset d = SmilesDataset.read(csv, 10);
        assertEquals(3, d.count(), "the 12-character SMILES is longer than 10");
        assertEquals(List.of("c1ccccc1O", "CC(=O)N", "Cl"), d.smiles());
        assertEquals(List.of("M-1", "M-2", "M,4"), d.ids());
        assertEquals("()1=CNOcl", d.alphabet());
        assertEquals(10, d.vocabSize());
        assertEquals(10, d.length());
        int[] cl = new int[10];
        cl[0] = 1 + d.alphabet().indexOf('C');
        cl[1] = 1 + d.alphabet().indexOf('l');
        assertArrayEquals(cl, java.util.Arrays.copyOfRange(d.tokens(), 20, 30));
        for (int i = 0; i < d.count(); i++) assertEquals(d.smiles().get(i), d.decode(d.tokens(), i * d.length()));
        assertArrayEquals(java.util.Arrays.copyOfRange(d.tokens(), 10, 20), d.encode("CC(=O)N"));
        assertThrows(IllegalArgumentException.class, () -> d.encode("CBr"));
        assertThrows(IllegalArgumentException.class, () -> d.encode("C".repeat(11)));
    }

    @Test
    void malformedLinesNameFileAndLine() throws IOException {
        Path csv = Files.writeString(dir.resolve("bad.csv"), "\"CC\",\"a\"\n\"CC\"\n");
        String m = assertThrows(IOException.class, () -> SmilesDataset.read(csv, 10)).getMessage();
        assertTrue(m.contains("bad.csv:2") && m.contains("two fields"), m);
    }
}

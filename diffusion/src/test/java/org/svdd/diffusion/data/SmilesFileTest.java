package org.svdd.diffusion.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SmilesFileTest {
    @TempDir
    Path dir;

    @Test
    void readsQuotedAndPlainFields() throws IOException {
        Path csv = Files.writeString(dir.resolve("m.csv"), "\"c1ccccc1O\",\"M-1\"\n\"CC(=O)N\",\"M-2\"\n\nCCCCCCCCCCCC,M-3\n\"Cl\",\"M,4\"\n\"C\"\"\",x\n");
        SmilesFile d = SmilesFile.read(csv);
        assertEquals(5, d.count());
        assertEquals(List.of("c1ccccc1O", "CC(=O)N", "CCCCCCCCCCCC", "Cl", "C\""), d.smiles());
        assertEquals(List.of("M-1", "M-2", "M-3", "M,4", "x"), d.ids());
    }

    @Test
    void malformedLinesNameFileAndLine() throws IOException {
        Path csv = Files.writeString(dir.resolve("bad.csv"), "\"CC\",\"a\"\n\"CC\"\n");
        String m = assertThrows(IOException.class, () -> SmilesFile.read(csv)).getMessage();
        assertTrue(m.contains("bad.csv:2") && m.contains("two fields"), m);
    }
}

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

class MotifFileTest {
    /** Two motifs as in PWMEnrich's pfm_vertebrates.txt: bare tab-separated rows. */
    private static final String BARE = """
            >MA0004.1 Arnt
            4\t19\t0
            16\t0\t20
            0\t1\t0
            0\t0\t0
            >MA0489.1 JUN (var.2)
            1\t2
            3\t4
            5\t6
            7\t8
            """;
    /** The same two motifs as in jaspar-insecta.jaspar: base letter and brackets. */
    private static final String BRACKETED = """
            >MA0004.1 Arnt
            A  [ 4 19  0 ]
            C  [16  0 20 ]
            G  [ 0  1  0 ]
            T  [ 0  0  0 ]

            >MA0489.1 JUN (var.2)
            A  [1 2 ]
            C  [3 4 ]
            G  [5 6 ]
            T  [7 8 ]
            """;

    @TempDir
    Path dir;

    @Test
    void bothLayoutsParseToTheSameMatrices() throws IOException {
        List<MotifFile.Motif> bare = MotifFile.read(Files.writeString(dir.resolve("m.txt"), BARE));
        List<MotifFile.Motif> bracketed = MotifFile.read(Files.writeString(dir.resolve("m.jaspar"), BRACKETED));
        for (List<MotifFile.Motif> ms : List.of(bare, bracketed)) {
            assertEquals(2, ms.size());
            assertEquals("MA0004.1", ms.get(0).id());
            assertEquals("Arnt", ms.get(0).name());
            assertEquals(3, ms.get(0).length());
            assertArrayEquals(new double[]{4, 16, 0, 0}, ms.get(0).counts()[0]);
            assertArrayEquals(new double[]{0, 20, 0, 0}, ms.get(0).counts()[2]);
            assertEquals("JUN (var.2)", ms.get(1).name());
            assertArrayEquals(new double[]{2, 4, 6, 8}, ms.get(1).counts()[1]);
        }
        assertEquals("MA0489.1", MotifFile.byName(bare, "JUN (var.2)").orElseThrow().id());
        assertTrue(MotifFile.byName(bare, "jun (var.2)").isEmpty());
    }

    @Test
    void logOddsUsesPseudocountsAndUniformBackground() throws IOException {
        MotifFile.Motif arnt = MotifFile.read(Files.writeString(dir.resolve("m.txt"), BARE)).getFirst();
        double[][] w = arnt.logOdds(1);
        // position 0: counts A4 C16 G0 T0, total 20 -> p = (c + 1) / 24
        assertEquals(Math.log(5.0 / 24 / 0.25) / Math.log(2), w[0][0], 1e-12);
        assertEquals(Math.log(17.0 / 24 / 0.25) / Math.log(2), w[0][1], 1e-12);
        assertEquals(Math.log(1.0 / 24 / 0.25) / Math.log(2), w[0][3], 1e-12);
        for (double[] column : w) {
            double sum = 0;
            for (double x : column) sum += 0.25 * Math.pow(2, x);
            assertEquals(1, sum, 1e-12, "weights are log2 of probabilities over 0.25");
        }
        assertThrows(IllegalArgumentException.class, () -> arnt.logOdds(0));
    }

    @Test
    void malformedFilesAreReportedWithFileAndLine() throws IOException {
        Path wrongBase = Files.writeString(dir.resolve("wrong.jaspar"), ">X x\nA [1]\nG [1]\nC [1]\nT [1]\n");
        String m = assertThrows(IOException.class, () -> MotifFile.read(wrongBase)).getMessage();
        assertTrue(m.contains("wrong.jaspar:3") && m.contains("row of C"), m);
        Path ragged = Files.writeString(dir.resolve("ragged.txt"), ">X x\n1 2\n1 2\n1\n1 2\n");
        m = assertThrows(IOException.class, () -> MotifFile.read(ragged)).getMessage();
        assertTrue(m.contains("ragged.txt") && m.contains("row G"), m);
        Path threeRows = Files.writeString(dir.resolve("three.txt"), ">X x\n1\n1\n1\n>Y y\n1\n1\n1\n1\n");
        m = assertThrows(IOException.class, () -> MotifFile.read(threeRows)).getMessage();
        assertTrue(m.contains("three.txt") && m.contains("motif X has 3 rows"), m);
        Path text = Files.writeString(dir.resolve("text.txt"), ">X x\n1 a\n");
        m = assertThrows(IOException.class, () -> MotifFile.read(text)).getMessage();
        assertTrue(m.contains("text.txt:2") && m.contains("'a'"), m);
    }
}

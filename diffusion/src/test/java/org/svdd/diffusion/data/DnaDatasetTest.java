package org.svdd.diffusion.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DnaDatasetTest {
    @Test
    void windowsAreTheLastBasesUpperCasedWithoutN() {
        List<Fasta.Record> rs = List.of(
                new Fasta.Record("a", "NNNNttacgg"),      // N only outside the window: kept
                new Fasta.Record("b", "ACGTACGTAN"),      // N inside: dropped
                new Fasta.Record("short", "ACGTA"),       // shorter than the window: dropped
                new Fasta.Record("c", "GGGGGGCCCCAT"),
                new Fasta.Record("iupac", "AAAAAAARYA"));  // other ambiguity letters: dropped
        DnaDataset.Split s = DnaDataset.windows(rs, 6, 0, 7);
        DnaDataset d = s.train();
        assertEquals(0, s.validation().count());
        assertEquals(2, d.count());
        assertEquals(6, d.length());
        assertEquals(List.of("a", "c"), d.ids());
        assertEquals("TTACGG", DnaDataset.decode(d.tokens(), 0, 6));
        assertArrayEquals(new int[]{3, 3, 0, 1, 2, 2, 1, 1, 1, 1, 0, 3}, d.tokens());
    }

    @Test
    void encodeAndDecode() {
        assertArrayEquals(new int[]{0, 1, 2, 3, 0}, DnaDataset.encode("acgtA"));
        assertNull(DnaDataset.encode("ACNT"));
        assertEquals("GATC", DnaDataset.decode(new int[]{9, 2, 0, 3, 1}, 1, 4));
        assertEquals("CGTA", DnaDataset.window("aaCGta", 4));
        assertNull(DnaDataset.window("ACG", 4));
    }

    @Test
    void splitIsSeededDeterministicAndKeepsDuplicatesTogether() {
        List<Fasta.Record> rs = new ArrayList<>();
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 2000; i++) {
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < 20; j++) b.append("ACGT".charAt(r.nextInt(4)));
            rs.add(new Fasta.Record("p" + i, b.toString()));
            rs.add(new Fasta.Record("p" + i + "-alt", "TTTT" + b));    // another transcript, same window
        }
        DnaDataset.Split a = DnaDataset.windows(rs, 20, 0.2, 42), again = DnaDataset.windows(rs, 20, 0.2, 42), other = DnaDataset.windows(rs, 20, 0.2, 43);
        assertEquals(a.validation().ids(), again.validation().ids());
        assertNotEquals(a.validation().ids(), other.validation().ids());
        assertEquals(4000, a.train().count() + a.validation().count());
        assertTrue(Math.abs(a.validation().count() - 800) < 120, "about a fifth held out: " + a.validation().count());
        for (String id : a.validation().ids()) {
            String twin = id.endsWith("-alt") ? id.substring(0, id.length() - 4) : id + "-alt";
            assertTrue(a.validation().ids().contains(twin), id + " and " + twin + " share a window, so they share a side");
        }
        assertEquals(0, DnaDataset.windows(rs, 20, 1, 1).train().count());
        assertThrows(IllegalArgumentException.class, () -> DnaDataset.windows(rs, 20, 1.5, 1));
    }
}

package org.svdd.diffusion.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TrnaDatasetTest {
    @TempDir
    Path dir;

    @Test
    void interleavedBlocksAreJoinedUngappedAndPadded() throws IOException {
        Path sto = Files.writeString(dir.resolve("a.sto"), """
                # STOCKHOLM 1.0
                #=GF AU    test

                s1   ..GC.a-u
                s2   NNGC.A-U
                #=GC SS_cons ..<<..>>

                s1   Tg~
                s2   UG.
                //
                """);
        TrnaDataset.Split all = TrnaDataset.read(sto, 8, 0, 0);
        assertEquals(1, all.skipped(), "s2 holds N");
        assertEquals(List.of("s1"), all.train().ids());
        assertArrayEquals(new int[]{2, 1, 0, 3, 3, 2, TrnaDataset.PAD, TrnaDataset.PAD}, all.train().tokens(), "GCAUUG then padding");
        assertEquals("GCAUUG", TrnaDataset.VOCABULARY.text(all.train().longTokens(), 0, 8), "the padding is left out of the text");
        assertEquals(0, TrnaDataset.read(sto, 8, 1, 0).train().count(), "a validation fraction of 1 holds every sequence out");
        assertNull(TrnaDataset.encode("GCAUUGA", 6), "longer than the row");
        IOException e = assertThrows(IOException.class, () -> TrnaDataset.read(Files.writeString(dir.resolve("b.sto"), ">fasta\nACGU\n"), 8, 0, 0));
        assertTrue(e.getMessage().contains("not a Stockholm alignment"), e.getMessage());
    }

    @Test
    void infernalsTrnas() throws IOException {
        Path sto = TrnaDataset.locate();
        assumeTrue(sto != null, "the tRNA alignment is not installed (Debian infernal): run scripts/fetch-data.sh");
        TrnaDataset.Split s = TrnaDataset.read(sto, TrnaDataset.LENGTH, 0.1, 0);
        assertEquals(1_415, s.train().count() + s.validation().count() + s.skipped());
        assertEquals(10, s.skipped(), "10 tRNAs hold an N");
        assertTrue(s.validation().count() > 100 && s.validation().count() < 180, "about a tenth held out: " + s.validation().count());
        int shortest = Integer.MAX_VALUE, longest = 0;
        for (int r = 0; r < s.train().count(); r++) {
            int len = TrnaDataset.VOCABULARY.text(s.train().longTokens(), r * TrnaDataset.LENGTH, TrnaDataset.LENGTH).length();
            shortest = Math.min(shortest, len);
            longest = Math.max(longest, len);
        }
        assertTrue(shortest >= 60 && longest <= 122, shortest + " .. " + longest + " nt");
    }
}

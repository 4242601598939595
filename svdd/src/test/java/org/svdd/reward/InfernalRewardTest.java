package org.svdd.reward;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.diffusion.data.TrnaDataset;
import org.svdd.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Infernal reward against the tRNA model: real tRNAs score high, shuffled ones near 0, nothing scores the floor. */
class InfernalRewardTest {
    private static Path cm;
    private static List<String> trnas;

    @BeforeAll
    static void infernal() throws IOException {
        cm = TrnaDataset.locateCm();
        Path sto = TrnaDataset.locate();
        assumeTrue(cm != null && sto != null, "Infernal's tRNA files are not installed: run scripts/fetch-data.sh");
        try {
            InfernalReward.available();
        } catch (IllegalStateException e) {
            assumeTrue(false, e.getMessage());
        }
        TrnaDataset d = TrnaDataset.read(sto, TrnaDataset.LENGTH, 0, 0).train();
        trnas = new ArrayList<>();
        for (int r = 0; r < 12; r++) trnas.add(TrnaDataset.VOCABULARY.text(d.longTokens(), r * d.length(), d.length()));
    }

    @Test
    void realTrnasScoreHighShuffledNearZeroAndEmptyTheFloor() {
        List<String> batch = new ArrayList<>(trnas);
        Random rnd = new Random(1);
        for (String t : trnas) {
            List<Character> c = new ArrayList<>();
            for (char ch : t.toCharArray()) c.add(ch);
            Collections.shuffle(c, rnd);
            StringBuilder b = new StringBuilder();
            c.forEach(b::append);
            batch.add(b.toString());
        }
        batch.add("");
        InfernalReward r = new InfernalReward(cm, x -> batch, 60_000);
        double[] s = r.score(Tensor.zeros(batch.size(), 1));                  // the samples' texts come from the function
        double real = 0, shuffled = 0;
        for (int i = 0; i < trnas.size(); i++) {
            real += s[i] / trnas.size();
            shuffled += s[trnas.size() + i] / trnas.size();
        }
        assertTrue(real > 40, "real tRNAs: mean " + real + " bits");
        assertTrue(shuffled < 15, "shuffled: mean " + shuffled + " bits");
        assertEquals(InfernalReward.NO_HIT, s[s.length - 1], 0, "an empty sequence has no hit");
        List<InfernalReward.Hit> hits = r.hits(trnas.subList(0, 2));
        assertTrue(hits.get(0).evalue() < 1e-3, "a real tRNA is called by its E-value: " + hits.get(0));
        List<String> a = r.align(trnas.getFirst());
        assertEquals(a.get(0).length(), a.get(1).length(), "one structure character per alignment column: " + a);
        assertEquals(trnas.getFirst(), a.get(0).replaceAll("[-.~_]", "").toUpperCase(java.util.Locale.ROOT), "the aligned row is the sequence");
        long open = a.get(1).chars().filter(ch -> "(<[{".indexOf(ch) >= 0).count(), close = a.get(1).chars().filter(ch -> ")>]}".indexOf(ch) >= 0).count();
        assertTrue(open >= 15 && open == close, "the cloverleaf's stems pair up: " + a.get(1));
    }

    @Test
    void problemsAreNamed(@TempDir Path dir) throws IOException {
        assertThrows(IllegalArgumentException.class, () -> new InfernalReward(dir.resolve("missing.cm"), x -> List.of(), 1000));
        Path bad = Files.writeString(dir.resolve("bad.cm"), "not a covariance model\n");
        InfernalReward r = new InfernalReward(bad, x -> List.of("ACGU"), 60_000);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.score(Tensor.zeros(1, 1)));
        assertTrue(e.getMessage().contains("exited with status"), e.getMessage());
    }
}

package org.svdd.eval;

import org.junit.jupiter.api.Test;
import org.svdd.tensor.Rng;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MarkovChainTest {
    /** Rows of the periodic sequence ACGTACGT...: an order-1 chain predicts every letter after the first. */
    private static int[] periodic(int rows, int l) {
        int[] t = new int[rows * l];
        for (int r = 0; r < rows; r++) for (int p = 0; p < l; p++) t[r * l + p] = p % 4;
        return t;
    }

    @Test
    void orderZeroLogLossIsTheLetterEntropy() {
        int[] t = periodic(50, 8);
        MarkovChain m0 = MarkovChain.fit(t, 50, 8, 0, 4);
        assertEquals(Math.log(4), m0.nll(t, 50, 8), 1e-12);            // four letters, equally often
    }

    @Test
    void higherOrderLearnsTheCycleAndSamplesIt() {
        int rows = 400, l = 8;
        int[] t = periodic(rows, l);
        MarkovChain m1 = MarkovChain.fit(t, rows, l, 1, 4);
        // per row of ACGTACGT: the first letter and T->A seen 400 times each (p = 400.5 / 402), A->C, C->G, G->T
        // 800 times each (p = 800.5 / 802); add-1/2 smoothing over four letters
        double rare = -Math.log(400.5 / 402), common = -Math.log(800.5 / 802);
        assertEquals((2 * rare + 6 * common) / l, m1.nll(t, rows, l), 1e-12);
        int[] s = m1.sample(200, l, new Rng(3));
        int matches = 0;
        for (int i = 0; i < s.length; i++) if (s[i] == t[i]) matches++;
        assertTrue(matches > 0.95 * s.length, "samples follow the cycle: " + matches + " of " + s.length);
        assertEquals(1.0, KmerStats.pearson(KmerStats.frequencies(s, 200, l, 3), KmerStats.frequencies(t, rows, l, 3)), 0.02);
    }

    @Test
    void rejectsAnImpossibleOrder() {
        assertThrows(IllegalArgumentException.class, () -> MarkovChain.fit(new int[4], 1, 4, -1, 4));
    }

    @Test
    void neighbourContextPredictsAHiddenLetterFromBothSides() {
        int rows = 100, l = 8;
        int[] t = periodic(rows, l);
        // in ACGTACGT the letter between two neighbours is determined; of the 6 inner positions of a row, 4 have
        // contexts seen 200 times (p = 200.5 / 202) and 2 contexts seen 100 times (p = 100.5 / 102)
        NeighbourContext c1 = NeighbourContext.fit(t, rows, l, 1);
        assertEquals((-4 * Math.log(200.5 / 202) - 2 * Math.log(100.5 / 102)) / 6, c1.nll(t, rows, l), 1e-12);
        // random letters: nothing to learn from the neighbours, about log 4 on fresh rows
        Rng rng = new Rng(5);
        int[] noise = new int[2000 * l], fresh = new int[2000 * l];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = rng.nextInt(4);
            fresh[i] = rng.nextInt(4);
        }
        assertEquals(Math.log(4), NeighbourContext.fit(noise, 2000, l, 1).nll(fresh, 2000, l), 0.02);
        assertThrows(IllegalArgumentException.class, () -> NeighbourContext.fit(t, rows, l, 0));
    }
}

package org.svdd.core;

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
        MarkovChain m0 = MarkovChain.fit(t, 50, 8, 0);
        assertEquals(Math.log(4), m0.nll(t, 50, 8), 1e-12);            // four letters, equally often
    }

    @Test
    void higherOrderLearnsTheCycleAndSamplesIt() {
        int rows = 400, l = 8;
        int[] t = periodic(rows, l);
        MarkovChain m1 = MarkovChain.fit(t, rows, l, 1);
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
        assertThrows(IllegalArgumentException.class, () -> MarkovChain.fit(new int[4], 1, 4, -1));
    }
}

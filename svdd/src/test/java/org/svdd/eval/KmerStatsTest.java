package org.svdd.eval;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

class KmerStatsTest {
    @Test
    void frequenciesCountEveryWindowOfEveryRow() {
        int[] t = {0, 1, 2, 3, 0, 1, 2, 3};                 // two rows: ACGT, ACGT
        double[] f = KmerStats.frequencies(t, 2, 4, 2);
        assertEquals(1.0, Arrays.stream(f).sum(), 1e-12);
        assertEquals(2.0 / 6, f[0b0001], 1e-12);            // AC: once per row, 3 windows per row
        assertEquals(0.0, f[0b1100], 1e-12);                // TA never (rows do not wrap)
    }

    @Test
    void pearsonIsOneForProportionalAndMinusOneForReversed() {
        assertEquals(1.0, KmerStats.pearson(new double[]{1, 2, 3}, new double[]{2, 4, 6}), 1e-12);
        assertEquals(-1.0, KmerStats.pearson(new double[]{1, 2, 3}, new double[]{3, 2, 1}), 1e-12);
    }
}

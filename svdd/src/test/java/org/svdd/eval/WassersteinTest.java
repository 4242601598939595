package org.svdd.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WassersteinTest {
    @Test
    void knownValues() {
        assertEquals(0, Wasserstein.distance(new double[]{3, 1, 2}, new double[]{1, 2, 3}), 0);
        assertEquals(5, Wasserstein.distance(new double[]{0, 1, 2}, new double[]{5, 6, 7}), 1e-12, "a shift moves every unit of mass by 5");
        // by hand: |F_a - F_b| is |1/2 - 2/3| on [0, 1) and |1 - 2/3| on [1, 3): 1/6 * 1 + 1/3 * 2 = 5/6
        assertEquals(5.0 / 6, Wasserstein.distance(new double[]{0, 1}, new double[]{0, 0, 3}), 1e-12);
        assertTrue(Double.isNaN(Wasserstein.distance(new double[0], new double[]{1})));
    }

    @Test
    void isTheMeanAbsoluteDifferenceOfSortedSamplesOfEqualSize() {
        java.util.Random r = new java.util.Random(3);
        double[] a = new double[200], b = new double[200];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextGaussian();
            b[i] = 0.5 + 2 * r.nextGaussian();
        }
        double[] x = a.clone(), y = b.clone();
        java.util.Arrays.sort(x);
        java.util.Arrays.sort(y);
        double m = 0;
        for (int i = 0; i < x.length; i++) m += Math.abs(x[i] - y[i]) / x.length;
        assertEquals(m, Wasserstein.distance(a, b), 1e-12);
        assertEquals(Wasserstein.distance(a, b), Wasserstein.distance(b, a), 1e-12);
    }
}

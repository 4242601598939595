package org.svdd.eval;

import java.util.Arrays;

/** The 1-Wasserstein (earth mover's) distance between two samples of a real number. */
public final class Wasserstein {
    private Wasserstein() {
    }

    /**
     * W1 between the empirical distributions of a and b: the integral of |F_a(x) - F_b(x)| over x, as
     * scipy.stats.wasserstein_distance computes it. NaN when either sample is empty.
     */
    public static double distance(double[] a, double[] b) {
        if (a.length == 0 || b.length == 0) return Double.NaN;
        double[] x = a.clone(), y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        // walk the merged sorted values; between neighbours u < v both CDFs are constant
        int i = 0, j = 0;
        double w = 0, prev = Math.min(x[0], y[0]);
        while (i < x.length || j < y.length) {
            double v = j >= y.length || (i < x.length && x[i] <= y[j]) ? x[i] : y[j];
            w += Math.abs((double) i / x.length - (double) j / y.length) * (v - prev);
            prev = v;
            while (i < x.length && x[i] == v) i++;
            while (j < y.length && y[j] == v) j++;
        }
        return w;
    }
}

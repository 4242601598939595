package org.svdd.tensor;

import java.util.Arrays;

/**
 * The one tolerance rule of the test suites: |actual - expected| <= atol + rtol * |expected|, per dtype; integer
 * tensors (I32, I64) always compare exactly, as longs. Failure messages show the shape, the first failing index, both
 * values and the largest difference.
 */
public final class Tolerance {
    /** Fast float32 kernels against the reference (different summation order). */
    public static final Tolerance F32 = new Tolerance(1e-4, 1e-4);
    /** Gradient checks in double: analytic vs central differences. */
    public static final Tolerance GRADCHECK = new Tolerance(1e-6, 1e-4);
    /** Results that only move or compare elements (where, indexSelect, comparisons): bit for bit. */
    public static final Tolerance EXACT = new Tolerance(0, 0);

    public final double atol;
    public final double rtol;

    public Tolerance(double atol, double rtol) {
        this.atol = atol;
        this.rtol = rtol;
    }

    /** Looser copy for long reductions (e.g. atol scaled by sqrt of the reduced length). */
    public Tolerance scaled(double factor) {
        return new Tolerance(atol * factor, rtol * factor);
    }

    public void assertClose(String what, Tensor expected, Tensor actual) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            throw new AssertionError(what + ": shape " + Shape.str(actual.shape()) + ", expected " + Shape.str(expected.shape()));
        }
        if (!expected.dtype().isFloating() && !actual.dtype().isFloating()) {
            assertEqualLongs(what, expected.shape(), expected.toLongArray(), actual.toLongArray());
            return;
        }
        assertClose(what, expected.shape(), expected.toDoubleArray(), actual.toDoubleArray());
    }

    private static void assertEqualLongs(String what, int[] shape, long[] expected, long[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                throw new AssertionError(String.format("%s: shape %s, index %d: expected %d, got %d (integers compare exactly)",
                        what, Shape.str(shape), i, expected[i], actual[i]));
            }
        }
    }

    public void assertClose(String what, int[] shape, double[] expected, double[] actual) {
        int firstBad = -1;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (Double.isNaN(e) && Double.isNaN(a)) continue;
            if (e == a) continue;
            double diff = Math.abs(a - e);
            if (Double.isNaN(diff)) diff = Double.POSITIVE_INFINITY;
            worst = Math.max(worst, diff);
            if (!(diff <= atol + rtol * Math.abs(e)) && firstBad < 0) firstBad = i;
        }
        if (firstBad >= 0) {
            throw new AssertionError(String.format("%s: shape %s, index %d: expected %.9g, got %.9g (largest |diff| %.3g, atol %.1g, rtol %.1g)",
                    what, Shape.str(shape), firstBad, expected[firstBad], actual[firstBad], worst, atol, rtol));
        }
    }
}

package org.svdd.kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.svdd.kernels.ElementwiseKernelsTest.assertClose;
import static org.svdd.kernels.ElementwiseKernelsTest.close;
import static org.svdd.kernels.ElementwiseKernelsTest.output;
import static org.svdd.kernels.ElementwiseKernelsTest.random;

/**
 * Softmax, log-softmax, row normalisation and its backward against the double-precision twins, with row lengths
 * that hit the vector tails and the blocked accumulation (n = 0, 1, 15, 16, 17, 33, ..., 65536), at nonzero
 * offsets; tolerance {@link ElementwiseKernelsTest#ATOL} + {@link ElementwiseKernelsTest#RTOL} * |want|.
 */
class RowKernelsTest {
    private static final int[][] SHAPES = {{0, 5}, {3, 0}, {1, 1}, {4, 1}, {2, 15}, {3, 16}, {5, 17}, {2, 31},
            {3, 33}, {7, 64}, {2, 65}, {6, 200}, {3, 1024}, {2, 1041}, {2, 3000}, {64, 513}, {1, 65536}};

    private static String shape(int rows, int n) {
        return " (rows=" + rows + ", n=" + n + ")";
    }

    @Test
    void softmaxMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(101);
        for (boolean log : new boolean[]{false, true}) {
            for (int[] sh : SHAPES) {
                int rows = sh[0], n = sh[1], xo = 3, yo = 1;
                float[] x = random(rnd, xo, rows * n, -8, 8);
                if (n > 4) {
                    x[xo + 2] = Float.NEGATIVE_INFINITY;   // a masked entry
                    x[xo + n + 1] = 40f;                    // a dominant one in row 1
                }
                float[] got = output(yo, rows * n), want = output(yo, rows * n);
                RowKernels.softmax(rows, n, x, xo, got, yo, log);
                RowKernels.softmaxReference(rows, n, x, xo, want, yo, log);
                assertClose((log ? "logSoftmax" : "softmax") + shape(rows, n), got, want, yo, rows * n);
            }
        }
    }

    @Test
    void softmaxInPlaceAndAllMaskedRow() {
        SplittableRandom rnd = new SplittableRandom(102);
        int rows = 3, n = 21;
        for (boolean log : new boolean[]{false, true}) {
            float[] x = random(rnd, 0, rows * n, -3, 3);
            for (int j = 0; j < n; j++) x[n + j] = Float.NEGATIVE_INFINITY;   // row 1 fully masked
            float[] want = output(0, rows * n);
            RowKernels.softmaxReference(rows, n, x, 0, want, 0, log);
            RowKernels.softmax(rows, n, x, 0, x, 0, log);
            for (int i = 0; i < rows * n; i++) {
                if (!close(x[i], want[i])) {
                    fail("in-place " + (log ? "logSoftmax" : "softmax") + shape(rows, n) + ": index " + i
                            + ": got " + x[i] + ", want " + want[i]);
                }
            }
            for (int j = 0; j < n; j++) assertTrue(Float.isNaN(x[n + j]), "all -inf row gives NaN, as PyTorch");
        }
    }

    @Test
    void softmaxRowsSumToOne() {
        SplittableRandom rnd = new SplittableRandom(103);
        int rows = 5, n = 777;
        float[] x = random(rnd, 0, rows * n, -20, 20), y = new float[rows * n];
        RowKernels.softmax(rows, n, x, 0, y, 0, false);
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int j = 0; j < n; j++) s += y[r * n + j];
            if (Math.abs(s - 1) > 1e-5) fail("row " + r + shape(rows, n) + " sums to " + s);
        }
    }

    @Test
    void normalizeMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(111);
        for (float eps : new float[]{1e-5f, 1e-2f}) {
            for (int[] sh : SHAPES) {
                int rows = sh[0], n = sh[1], xo = 2, yo = 3, ro = 1;
                float[] x = random(rnd, xo, rows * n, -3, 5);
                float[] got = output(yo, rows * n), want = output(yo, rows * n);
                float[] rGot = output(ro, rows), rWant = output(ro, rows);
                RowKernels.normalize(rows, n, x, xo, eps, got, yo, rGot, ro);
                RowKernels.normalizeReference(rows, n, x, xo, eps, want, yo, rWant, ro);
                assertClose("normalize y" + shape(rows, n) + " eps=" + eps, got, want, yo, rows * n);
                assertClose("normalize rstd" + shape(rows, n) + " eps=" + eps, rGot, rWant, ro, rows);
            }
        }
    }

    /** Long rows far from zero mean: statistics to 1e-5 relative (a one-pass float sum would lose them). */
    @Test
    void normalizeIsAccurateForLongOffsetRows() {
        SplittableRandom rnd = new SplittableRandom(112);
        for (int n : new int[]{65536, 65537}) {
            for (double mean : new double[]{0, 100, -1000}) {
                int rows = 2;
                float[] x = new float[rows * n];
                for (int i = 0; i < x.length; i++) x[i] = (float) (mean + 0.5 * rnd.nextGaussian());
                float[] got = new float[rows * n], want = new float[rows * n];
                float[] rGot = new float[rows], rWant = new float[rows];
                RowKernels.normalize(rows, n, x, 0, 1e-5f, got, 0, rGot, 0);
                RowKernels.normalizeReference(rows, n, x, 0, 1e-5f, want, 0, rWant, 0);
                for (int r = 0; r < rows; r++) {
                    double rel = Math.abs(rGot[r] - rWant[r]) / rWant[r];
                    if (rel > 1e-5) fail("rstd of row " + r + shape(rows, n) + " mean " + mean + ": got " + rGot[r]
                            + ", want " + rWant[r] + ", relative error " + rel);
                }
                // y = (x - mean) * rstd: 1e-5 relative to the row's scale (|y| ~ 1)
                for (int i = 0; i < x.length; i++) {
                    if (Math.abs(got[i] - want[i]) > 1e-5 * (1 + Math.abs(want[i]))) {
                        fail("normalize y" + shape(rows, n) + " mean " + mean + ": index " + i + ": got " + got[i]
                                + ", want " + want[i]);
                    }
                }
            }
        }
    }

    @Test
    void normalizeInPlace() {
        SplittableRandom rnd = new SplittableRandom(113);
        int rows = 4, n = 50;
        float[] x = random(rnd, 0, rows * n, -1, 3), want = output(0, rows * n);
        float[] rGot = new float[rows], rWant = new float[rows];
        RowKernels.normalizeReference(rows, n, x, 0, 1e-5f, want, 0, rWant, 0);
        RowKernels.normalize(rows, n, x, 0, 1e-5f, x, 0, rGot, 0);
        assertClose("normalize in place" + shape(rows, n), x, want, 0, rows * n);
    }

    @Test
    void normalizeBackwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(121);
        for (int[] sh : SHAPES) {
            int rows = sh[0], n = sh[1], go = 1, yo = 2, ro = 3, gxo = 4;
            float[] x = random(rnd, 0, rows * n, -2, 2);
            float[] y = output(yo, rows * n), rstd = output(ro, rows);
            RowKernels.normalizeReference(rows, n, x, 0, 1e-5f, y, yo, rstd, ro);
            float[] gy = random(rnd, go, rows * n, -1, 1);
            float[] got = output(gxo, rows * n), want = output(gxo, rows * n);
            RowKernels.normalizeBackward(rows, n, gy, go, y, yo, rstd, ro, got, gxo);
            RowKernels.normalizeBackwardReference(rows, n, gy, go, y, yo, rstd, ro, want, gxo);
            assertClose("normalizeBackward" + shape(rows, n), got, want, gxo, rows * n);
        }
    }
}

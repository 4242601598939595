package org.svdd.kernels;

import org.junit.jupiter.api.Test;
import org.svdd.kernels.ElementwiseKernels.Binary;
import org.svdd.tensor.BinaryOp;
import org.svdd.tensor.UnaryOp;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The vector elementwise kernels against their scalar double twins, on seeded random data, with sizes that hit
 * the vector tails (0, 1, 15, 16, 17, 33, ...) and the parallel split, at nonzero offsets. Also holds the shared
 * tolerance and comparison helpers of the kernel tests.
 */
class ElementwiseKernelsTest {
    /** The kernel tests' tolerance: |got - want| <= ATOL + RTOL * |want| (ATOL = 1e-5, RTOL = 1e-4). */
    static final double ATOL = 1e-5, RTOL = 1e-4;
    /** Fill value of output padding, checked to be untouched. */
    static final float SENTINEL = -12345.5f;

    static final int[] SIZES = {0, 1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000, 4099};
    /** Large enough for the parallel split (more than 2 * GRAIN), with an odd tail. */
    static final int BIG = 2 * ElementwiseKernels.GRAIN + 37;

    /** Random values in [lo, hi) at [off, off + n) of an array with sentinels before (off slots) and after (7). */
    static float[] random(SplittableRandom rnd, int off, int n, double lo, double hi) {
        float[] x = new float[off + n + 7];
        Arrays.fill(x, SENTINEL);
        for (int i = 0; i < n; i++) x[off + i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        return x;
    }

    /** An output array for [off, off + n) with sentinel padding on both sides. */
    static float[] output(int off, int n) {
        float[] y = new float[off + n + 7];
        Arrays.fill(y, SENTINEL);
        return y;
    }

    static boolean close(double got, double want) {
        if (Double.isNaN(want) || Double.isNaN(got)) return Double.isNaN(want) && Double.isNaN(got);
        if (Double.isInfinite(want) || Double.isInfinite(got)) return got == want;
        return Math.abs(got - want) <= ATOL + RTOL * Math.abs(want);
    }

    /** got[off + i] close to want[off + i] for i in [0, n), and both arrays' padding equal (untouched). */
    static void assertClose(String what, float[] got, float[] want, int off, int n) {
        for (int i = 0; i < n; i++) {
            float g = got[off + i], w = want[off + i];
            if (!close(g, w)) {
                fail(what + ": index " + i + " (of " + n + "): got " + g + ", want " + w + ", |diff| "
                        + Math.abs((double) g - w) + " > " + (ATOL + RTOL * Math.abs(w)));
            }
        }
        for (int i = 0; i < got.length; i++) {
            if (i >= off && i < off + n) continue;
            if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want[i])) {
                fail(what + ": element " + i + " outside the output range [" + off + ", " + (off + n)
                        + ") changed: got " + got[i] + ", want " + want[i]);
            }
        }
    }

    /** Inputs suited to op: positive for LOG and SQRT, else [-6, 6) (wide enough to saturate tanh and sigmoid). */
    private static float[] inputFor(UnaryOp op, SplittableRandom rnd, int off, int n) {
        return switch (op) {
            case LOG, SQRT -> random(rnd, off, n, 0.01, 20);
            case EXP -> random(rnd, off, n, -30, 30);
            default -> random(rnd, off, n, -6, 6);
        };
    }

    @Test
    void unaryMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : sizes()) {
                int off = n % 5 + 1;
                float[] x = inputFor(op, rnd, off, n);
                if (n > 3) x[off + 1] = 0f;     // exact zero: RELU/ABS kinks, GELU/SILU/TANH at 0
                if (op == UnaryOp.LOG || op == UnaryOp.SQRT) x[off] = n > 3 ? 1f : x[off];
                float[] got = output(off, n), want = output(off, n);
                ElementwiseKernels.unary(op, x, off, got, off, n);
                ElementwiseKernels.unaryReference(op, x, off, want, off, n);
                assertClose(op + " n=" + n, got, want, off, n);
            }
        }
    }

    @Test
    void unaryInPlace() {
        SplittableRandom rnd = new SplittableRandom(12);
        for (UnaryOp op : UnaryOp.values()) {
            int n = 37;
            float[] x = inputFor(op, rnd, 2, n), want = output(2, n);
            ElementwiseKernels.unaryReference(op, x, 2, want, 2, n);
            ElementwiseKernels.unary(op, x, 2, x, 2, n);
            for (int i = 0; i < n; i++) {
                if (!close(x[2 + i], want[2 + i])) fail(op + " in place n=" + n + ": index " + i + ": got " + x[2 + i] + ", want " + want[2 + i]);
            }
        }
    }

    @Test
    void unaryBackwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(13);
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : sizes()) {
                int off = n % 3;
                float[] x = inputFor(op, rnd, off, n);
                float[] g = random(rnd, off, n, -2, 2);
                if (n > 3) x[off + 2] = 0f;
                if (op == UnaryOp.LOG || op == UnaryOp.SQRT) x[off + Math.min(2, Math.max(n - 1, 0))] = 0.5f;
                float[] got = output(off, n), want = output(off, n);
                ElementwiseKernels.unaryBackward(op, x, off, g, off, got, off, n);
                ElementwiseKernels.unaryBackwardReference(op, x, off, g, off, want, off, n);
                assertClose(op + "' n=" + n, got, want, off, n);
            }
        }
    }

    @Test
    void specialValues() {
        float[] x = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -100f, 100f, 0f, -0f, 1e-30f, -1e-30f,
                88f, -88f, 20f, -20f, 1e-4f, -1e-4f, 9.5f, -9.5f, 0.5f};
        for (UnaryOp op : new UnaryOp[]{UnaryOp.EXP, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.RELU, UnaryOp.SILU, UnaryOp.GELU, UnaryOp.ABS, UnaryOp.NEG}) {
            float[] got = new float[x.length], want = new float[x.length];
            ElementwiseKernels.unary(op, x, 0, got, 0, x.length);
            ElementwiseKernels.unaryReference(op, x, 0, want, 0, x.length);
            for (int i = 0; i < x.length; i++) {
                // SILU/GELU at -inf: -inf * 0 is NaN in both the vector and the scalar form
                if (!close(got[i], want[i])) fail(op + "(" + x[i] + "): got " + got[i] + ", want " + want[i]);
            }
        }
    }

    private static int[] sizes() {
        int[] s = Arrays.copyOf(SIZES, SIZES.length + 1);
        s[SIZES.length] = BIG;
        return s;
    }

    @Test
    void binaryMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(21);
        for (Binary op : Binary.values()) {
            for (int n : sizes()) {
                int ao = 1, bo = n % 4, yo = 3;
                float[] a = random(rnd, ao, n, -4, 4);
                float[] b = op == Binary.DIV ? random(rnd, bo, n, 0.25, 4) : random(rnd, bo, n, -4, 4);
                if (n > 2) b[bo + 1] = a[ao + 1];     // ties for MAX/MIN
                float[] got = output(yo, n), want = output(yo, n);
                ElementwiseKernels.binary(op, a, ao, b, bo, got, yo, n);
                ElementwiseKernels.binaryReference(op, a, ao, b, bo, want, yo, n);
                assertClose(op + " array-array n=" + n, got, want, yo, n);

                float s = op == Binary.DIV ? 1.75f : -0.5f;
                got = output(yo, n);
                want = output(yo, n);
                ElementwiseKernels.binary(op, a, ao, s, got, yo, n);
                ElementwiseKernels.binaryReference(op, a, ao, s, want, yo, n);
                assertClose(op + " array-scalar n=" + n, got, want, yo, n);

                got = output(yo, n);
                want = output(yo, n);
                ElementwiseKernels.binary(op, s, b, bo, got, yo, n);
                ElementwiseKernels.binaryReference(op, s, b, bo, want, yo, n);
                assertClose(op + " scalar-array n=" + n, got, want, yo, n);
            }
        }
    }

    @Test
    void sumAndMaxMatchPlainLoops() {
        // sum and max of a run of floats (VectorBackend reduces each row of a last-axis reduction with them)
        SplittableRandom rnd = new SplittableRandom(31);
        for (int n : new int[]{0, 1, 15, 16, 17, 33, 1000, 5000, 70000}) {
            int xo = 3;
            float[] x = random(rnd, xo, n, -2, 2);
            double sum = 0;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                sum += x[xo + i];
                max = Math.max(max, x[xo + i]);
            }
            float[] got = {ElementwiseKernels.sum(x, xo, n), ElementwiseKernels.max(x, xo, n)};
            float[] want = {(float) sum, max};
            assertClose("sum and max (n=" + n + ")", got, want, 0, 2);
        }
    }

    @Test
    void sumIsAccurateForLongRows() {
        // 1e6 values near 1: a plain float running sum would be off by ~1e-2 relative.
        int n = 1_000_003;
        float[] x = new float[n];
        SplittableRandom rnd = new SplittableRandom(32);
        double want = 0;
        for (int i = 0; i < n; i++) {
            x[i] = (float) (1 + 0.1 * rnd.nextDouble());
            want += x[i];
        }
        float got = ElementwiseKernels.sum(x, 0, n);
        assertEquals(want, got, 1e-6 * want, "sum of " + n + " values");
    }

    @Test
    void tensorBinaryOpAdaptersAgree() {
        SplittableRandom rnd = new SplittableRandom(41);
        int n = 45;
        for (BinaryOp op : BinaryOp.values()) {
            float[] a = random(rnd, 0, n, 0.5, 3), b = random(rnd, 0, n, 0.5, 3);
            b[3] = a[3];
            float[] got = output(0, n), want = output(0, n);
            ElementwiseKernels.binary(op, a, 0, b, 0, got, 0, n);
            for (int i = 0; i < n; i++) want[i] = (float) op.apply(a[i], b[i]);
            assertClose("tensor " + op, got, want, 0, n);
            got = output(0, n);
            want = output(0, n);
            ElementwiseKernels.binary(op, a, 0, 1.5f, got, 0, n);
            for (int i = 0; i < n; i++) want[i] = (float) op.apply(a[i], 1.5f);
            assertClose("tensor " + op + " scalar", got, want, 0, n);
            got = output(0, n);
            want = output(0, n);
            ElementwiseKernels.binary(op, 1.5f, b, 0, got, 0, n);
            for (int i = 0; i < n; i++) want[i] = (float) op.apply(1.5f, b[i]);
            assertClose("tensor scalar " + op, got, want, 0, n);
        }
    }
}

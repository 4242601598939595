package org.svdd.kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sgemm against its triple-loop oracle on tail sizes, strided and transposed operands, with and without accumulate. */
class SgemmTest {
    private static final int[] SIZES = {0, 1, 7, 16, 17, 33, 100, 129, 300};

    @Test
    void matchesReferenceOnTailShapes() {
        SplittableRandom r = new SplittableRandom(42);
        for (int m : SIZES)
            for (int n : SIZES)
                for (int k : new int[]{0, 1, 5, 64, 257, 300}) {
                    if ((long) m * n * k > 3_000_000) continue;
                    boolean transA = r.nextBoolean(), transB = r.nextBoolean(), acc = r.nextBoolean();
                    check(r, m, n, k, transA, transB, acc);
                }
    }

    @Test
    void largeMultiThreadedShape() {
        SplittableRandom r = new SplittableRandom(7);
        check(r, 517, 300, 600, false, false, false);
        check(r, 64, 1030, 300, true, false, true);
        check(r, 9, 4200, 70, false, true, false);
    }

    private static void check(SplittableRandom r, int m, int n, int k, boolean transA, boolean transB, boolean acc) {
        float[] a = rand(r, m * k + 3), b = rand(r, k * n + 5);
        int ldc = n + 2;
        float[] c = rand(r, m * ldc + 1), expected = c.clone();
        int aRs = transA ? 1 : k, aCs = transA ? m : 1, bRs = transB ? 1 : n, bCs = transB ? k : 1;
        Sgemm.sgemm(m, n, k, a, 3, aRs, aCs, b, 5, bRs, bCs, c, 1, ldc, acc);
        Sgemm.sgemmReference(m, n, k, a, 3, aRs, aCs, b, 5, bRs, bCs, expected, 1, ldc, acc);
        double atol = 1e-5 * Math.sqrt(Math.max(k, 1)), rtol = 1e-4;
        for (int i = 0; i < c.length; i++) {
            double diff = Math.abs(c[i] - expected[i]);
            int idx = i;
            assertTrue(diff <= atol + rtol * Math.abs(expected[i]), () -> String.format(
                    "sgemm m=%d n=%d k=%d transA=%b transB=%b acc=%b: c[%d] = %g, expected %g", m, n, k, transA, transB, acc, idx, c[idx], expected[idx]));
        }
    }

    private static float[] rand(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }
}

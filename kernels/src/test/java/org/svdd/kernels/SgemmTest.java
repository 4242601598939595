package org.svdd.kernels;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Sgemm against its double-accumulating triple-loop oracle: every combination of tail sizes, row-major, transposed,
 * doubly strided and broadcast (stride 0) operands, with and without accumulate, on one and two threads.
 * Tolerance {@code |c - ref| <= atol + rtol·|ref|} with atol = 1e-4·sqrt(k), rtol = 1e-4.
 */
class SgemmTest {
    private static final int[] SIZES = {0, 1, 7, 15, 16, 17, 33, 65, 100, 255};
    private final int savedThreads = Parallel.threads();

    /** How an operand of shape rows x cols is laid out in its array. */
    private enum Layout { ROW_MAJOR, TRANSPOSED, STRIDED, BROADCAST }

    /** An operand: element (r, c) at data[off + r*rs + c*cs]. */
    private record Operand(float[] data, int off, int rs, int cs) {
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    @Test
    void allTailShapesRowMajor() {
        SplittableRandom r = new SplittableRandom(42);
        for (int m : SIZES)
            for (int n : SIZES)
                for (int k : SIZES) check(r, m, n, k, Layout.ROW_MAJOR, Layout.ROW_MAJOR, r.nextBoolean());
    }

    @Test
    void allTailShapesRandomLayouts() {
        SplittableRandom r = new SplittableRandom(43);
        Layout[] layouts = Layout.values();
        for (int m : SIZES)
            for (int n : SIZES)
                for (int k : SIZES) {
                    Layout la = layouts[r.nextInt(layouts.length)], lb = layouts[r.nextInt(layouts.length)];
                    check(r, m, n, k, la, lb, r.nextBoolean());
                }
    }

    @Test
    void everyLayoutPairWithAndWithoutAccumulate() {
        SplittableRandom r = new SplittableRandom(44);
        int[][] shapes = {{1, 1, 1}, {1, 300, 70}, {300, 1, 70}, {4, 100, 80}, {100, 4, 80}, {9, 40, 300},
                {100, 65, 257}, {40, 3, 600}};
        for (int[] s : shapes)
            for (Layout la : Layout.values())
                for (Layout lb : Layout.values())
                    for (boolean acc : new boolean[]{false, true}) check(r, s[0], s[1], s[2], la, lb, acc);
    }

    @Test
    void largeShapesOnOneAndTwoThreads() {
        SplittableRandom r = new SplittableRandom(7);
        for (int t : new int[]{1, 2}) {
            Parallel.setThreads(t);
            check(r, 517, 300, 600, Layout.ROW_MAJOR, Layout.ROW_MAJOR, false);
            check(r, 64, 1030, 300, Layout.TRANSPOSED, Layout.ROW_MAJOR, true);
            check(r, 1030, 40, 300, Layout.ROW_MAJOR, Layout.TRANSPOSED, false);
            check(r, 9, 4200, 70, Layout.ROW_MAJOR, Layout.TRANSPOSED, false);
            check(r, 700, 5, 900, Layout.STRIDED, Layout.ROW_MAJOR, true);
            for (Layout l : Layout.values()) {
                check(r, 1, 5000, 1100, Layout.ROW_MAJOR, l, false);
                check(r, 5000, 1, 1100, l, Layout.ROW_MAJOR, true);
                check(r, 3, 2000, 900, l, Layout.TRANSPOSED, false);
                check(r, 2000, 4, 900, Layout.ROW_MAJOR, l, true);
            }
        }
    }

    @Test
    void nestedInsideParallelRegionAndConcurrentCallers() throws Exception {
        Parallel.setThreads(2);
        SplittableRandom r = new SplittableRandom(8);
        int m = 200, n = 150, k = 120, batches = 6;
        float[] a = rand(r, batches * m * k), b = rand(r, k * n);
        float[] expected = new float[batches * m * n];
        for (int i = 0; i < batches; i++)
            Sgemm.sgemmReference(m, n, k, a, i * m * k, k, 1, b, 0, n, 1, expected, i * m * n, n, false);
        float[] nested = new float[batches * m * n];
        Parallel.forRange(batches, (b0, b1) -> {
            for (int i = b0; i < b1; i++)
                Sgemm.sgemm(m, n, k, a, i * m * k, k, 1, b, 0, n, 1, nested, i * m * n, n, false);
        });
        assertClose(m * batches, n, k, nested, expected, "nested");
        try (ExecutorService callers = Executors.newFixedThreadPool(3)) {
            float[][] outs = new float[batches][m * n];
            Future<?>[] done = new Future<?>[batches];
            for (int i = 0; i < batches; i++) {
                int batch = i;
                done[i] = callers.submit(
                        () -> Sgemm.sgemm(m, n, k, a, batch * m * k, k, 1, b, 0, n, 1, outs[batch], 0, n, false));
            }
            for (int i = 0; i < batches; i++) {
                done[i].get();
                float[] want = new float[m * n];
                System.arraycopy(expected, i * m * n, want, 0, m * n);
                assertClose(m, n, k, outs[i], want, "concurrent caller " + i);
            }
        }
    }

    @Test
    void parallelRangeCoversEachIndexOnceAndRethrows() {
        Parallel.setThreads(2);
        int[] hits = new int[1001];
        Parallel.forRange(hits.length, (s, e) -> {
            for (int i = s; i < e; i++) hits[i]++;
        });
        int[] ones = new int[hits.length];
        Arrays.fill(ones, 1);
        assertArrayEquals(ones, hits);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(10, (s, t) -> {
            if (s > 0) throw new IllegalStateException("chunk " + s);
        }));
        assertEquals("chunk 5", e.getMessage());
    }

    /**
     * Both forms of the micro-kernel, whichever this CPU's {@code sgemm} uses: the one-pass tile (32 vector registers)
     * and the two four-row passes (16), each on packed slivers (A: k columns of MR values, B: k rows of NR values)
     * into a strided C tile, with and without accumulate, against the oracle.
     */
    @Test
    void bothMicroKernelFormsMatchTheOracle() {
        SplittableRandom r = new SplittableRandom(45);
        int mr = Sgemm.MR, nr = Sgemm.NR;
        for (int kc : new int[]{1, 2, 7, 64, Sgemm.KC})
            for (boolean acc : new boolean[]{false, true}) {
                int ao = 3, bo = 5, ldc = nr + 3, co = 2;
                float[] pa = rand(r, ao + kc * mr), pb = rand(r, bo + kc * nr), c = rand(r, co + mr * ldc + 1);
                float[] expected = c.clone(), halves = c.clone(), inPlace = c.clone();
                // packed A: a(i, p) at ao + p*MR + i; packed B: b(p, j) at bo + p*NR + j
                Sgemm.sgemmReference(mr, nr, kc, pa, ao, 1, mr, pb, bo, nr, 1, expected, co, ldc, acc);
                Sgemm.kernel8(kc, pa, ao, pb, bo, c, co, ldc, acc);
                Sgemm.kernelHalves(kc, pa, ao, pb, bo, halves, co, ldc, acc);
                // the same A read in place, rows of stride kc + 2: a(i, p) at 1 + i*(kc + 2) + p
                int rs = kc + 2;
                float[] rows = new float[1 + mr * rs];
                for (int i = 0; i < mr; i++)
                    for (int p = 0; p < kc; p++) rows[1 + i * rs + p] = pa[ao + p * mr + i];
                Sgemm.tile(kc, rows, 1, rs, true, 0, pb, bo, inPlace, co, ldc, acc);
                assertClose(mr, nr, kc, c, expected, "one-pass micro-kernel, accumulate " + acc);
                assertClose(mr, nr, kc, halves, expected, "two-pass micro-kernel, accumulate " + acc);
                assertClose(mr, nr, kc, inPlace, expected, "two-pass micro-kernel, A in place, accumulate " + acc);
            }
    }

    @Test
    void registerTransposeOfRowsIsACopy() {
        // packA's 8 x 8 register transpose does not run on AVX2, so it is checked here directly on any CPU
        SplittableRandom r = new SplittableRandom(46);
        for (int kc : new int[]{7, 8, 13, 64, Sgemm.KC}) {
            int mr = Sgemm.MR, off = 3, rs = kc + 5, base = 2;
            float[] a = rand(r, off + mr * rs), pa = new float[base + kc * mr + 4];
            Arrays.fill(pa, -7f);
            int done = Sgemm.transpose8(kc, a, off, rs, pa, base);
            assertEquals(kc / 8 * 8, done, "columns done for kc = " + kc);
            for (int i = 0; i < pa.length; i++) {
                int p = (i - base) / mr, ii = (i - base) % mr;
                float want = i >= base && p < done ? a[off + ii * rs + p] : -7f;
                assertEquals(want, pa[i], "kc = " + kc + ", pa[" + i + "]");
            }
        }
    }

    private static void check(SplittableRandom r, int m, int n, int k, Layout la, Layout lb, boolean acc) {
        Operand a = operand(r, m, k, la), b = operand(r, k, n, lb);
        int ldc = n + 3, cOff = 2;
        float[] c = rand(r, cOff + m * ldc + 1), expected = c.clone();
        Sgemm.sgemm(m, n, k, a.data, a.off, a.rs, a.cs, b.data, b.off, b.rs, b.cs, c, cOff, ldc, acc);
        Sgemm.sgemmReference(m, n, k, a.data, a.off, a.rs, a.cs, b.data, b.off, b.rs, b.cs, expected, cOff, ldc, acc);
        assertClose(m, n, k, c, expected, "A " + la + ", B " + lb + ", accumulate " + acc);
    }

    /** Compares all of c (padding included, which must be left as it was) with the oracle's result. */
    private static void assertClose(int m, int n, int k, float[] c, float[] expected, String what) {
        double atol = 1e-4 * Math.sqrt(k), rtol = 1e-4;
        for (int i = 0; i < c.length; i++)
            if (!(Math.abs(c[i] - expected[i]) <= atol + rtol * Math.abs(expected[i])))
                fail(String.format("sgemm m=%d n=%d k=%d (%s): c[%d] = %.7g, expected %.7g",
                        m, n, k, what, i, c[i], expected[i]));
    }

    private static Operand operand(SplittableRandom r, int rows, int cols, Layout layout) {
        int off = 1 + r.nextInt(5);
        return switch (layout) {
            case ROW_MAJOR -> new Operand(rand(r, off + rows * (cols + 1)), off, cols + 1, 1);
            case TRANSPOSED -> new Operand(rand(r, off + cols * (rows + 2)), off, 1, rows + 2);
            case STRIDED -> new Operand(rand(r, off + 2 * rows * (2 * cols + 1)), off, 2 * (2 * cols + 1), 2);
            case BROADCAST -> new Operand(rand(r, off + cols), off, 0, 1);
        };
    }

    private static float[] rand(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }
}

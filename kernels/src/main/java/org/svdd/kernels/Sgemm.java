package org.svdd.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix multiply, C = A·B (or C += A·B), in the GotoBLAS structure:
 * <pre>
 *   for each KC-deep slice of k:            pack B(kc x n) into NR-wide slivers      (shared by all threads)
 *     in parallel over (row block, column range):
 *       for each MC-tall block of rows:     pack A(mc x kc) into MR-tall slivers      (per thread)
 *         for each NR sliver x MR sliver:   micro-kernel: MR x NR register tile, kc rank-1 updates (FMA)
 * </pre>
 * A is m x k with element (i, p) at {@code a[aOff + i*aRs + p*aCs]}, B is k x n with (p, j) at
 * {@code b[bOff + p*bRs + j*bCs]} (a transposed operand is a swap of strides; 0 broadcasts), C is row-major with
 * leading dimension ldc. Packing reads through the strides, so every layout reaches the same micro-kernel.
 */
public final class Sgemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Micro-tile: MR rows by NR = 2 vectors of columns (8 x 32 floats, 16 accumulators on AVX-512). */
    private static final int MR = 8;
    private static final int NR = 2 * L;
    private static final int KC = 256;
    private static final int MC = 128;
    private static final int NC = 4096;
    /** Below this many multiply-adds the plain loop wins over packing. */
    private static final long SMALL = 16 * 16 * 16;

    private static final ThreadLocal<float[]> PACK_A = ThreadLocal.withInitial(() -> new float[MC * KC]);
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MR * NR]);
    private static final ThreadLocal<float[]> PACK_B = ThreadLocal.withInitial(() -> new float[0]);

    private Sgemm() {
    }

    public static void sgemm(int m, int n, int k, float[] a, int aOff, int aRs, int aCs,
                             float[] b, int bOff, int bRs, int bCs, float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        if ((long) m * n * k <= SMALL) {
            sgemmReference(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate);
            return;
        }
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int slivers = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean acc = accumulate || pc > 0;
                float[] pb = packB(kc, nc, slivers, b, bOff + pc * bRs + jc * bCs, bRs, bCs);
                int rowBlocks = (m + MC - 1) / MC;
                int pcF = pc, jcF = jc;
                long work = (long) m * nc * kc;
                int threads = work < 64L * 64 * 64 ? 1 : Parallel.threads();
                if (rowBlocks >= threads) {
                    Parallel.forRange(threads == 1 ? 1 : rowBlocks, (r0, r1) -> {
                        int i0 = threads == 1 ? 0 : r0 * MC, i1 = threads == 1 ? m : Math.min(m, r1 * MC);
                        block(i0, i1, 0, slivers, nc, kc, pb, a, aOff + pcF * aCs, aRs, aCs, c, cOff + jcF, ldc, acc);
                    });
                } else {
                    Parallel.forRange(slivers, (s0, s1) ->
                            block(0, m, s0, s1, nc, kc, pb, a, aOff + pcF * aCs, aRs, aCs, c, cOff + jcF, ldc, acc));
                }
            }
        }
    }

    /** Rows [i0, i1) times B slivers [s0, s1) of the packed panel, accumulating into C. */
    private static void block(int i0, int i1, int s0, int s1, int nc, int kc, float[] pb,
                              float[] a, int aOff, int aRs, int aCs, float[] c, int cOff, int ldc, boolean acc) {
        float[] pa = PACK_A.get();
        float[] tile = TILE.get();
        for (int ic = i0; ic < i1; ic += MC) {
            int mc = Math.min(MC, i1 - ic);
            packA(mc, kc, pa, a, aOff + ic * aRs, aRs, aCs);
            for (int s = s0; s < s1; s++) {
                int j = s * NR, nr = Math.min(NR, nc - j);
                for (int ir = 0; ir < mc; ir += MR) {
                    int mr = Math.min(MR, mc - ir);
                    int co = cOff + (ic + ir) * ldc + j;
                    if (mr == MR && nr == NR) {
                        kernel(kc, pa, ir * kc, pb, s * kc * NR, c, co, ldc, acc);
                    } else {
                        kernel(kc, pa, ir * kc, pb, s * kc * NR, tile, 0, NR, false);
                        for (int ii = 0; ii < mr; ii++)
                            for (int jj = 0; jj < nr; jj++) {
                                float v = tile[ii * NR + jj];
                                c[co + ii * ldc + jj] = acc ? c[co + ii * ldc + jj] + v : v;
                            }
                    }
                }
            }
        }
    }

    /** B(kc x nc) into slivers of NR columns: sliver s holds rows p = 0..kc-1, each NR contiguous values, zero-padded. */
    private static float[] packB(int kc, int nc, int slivers, float[] b, int off, int rs, int cs) {
        int size = slivers * kc * NR;
        float[] pb = PACK_B.get();
        if (pb.length < size) {
            pb = new float[size];
            PACK_B.set(pb);
        }
        float[] dst = pb;
        Parallel.forRange(slivers, 4, (s0, s1) -> {
            for (int s = s0; s < s1; s++) {
                int j0 = s * NR, nr = Math.min(NR, nc - j0);
                int base = s * kc * NR;
                for (int p = 0; p < kc; p++) {
                    int src = off + p * rs + j0 * cs, d = base + p * NR;
                    if (cs == 1) {
                        System.arraycopy(b, src, dst, d, nr);
                    } else {
                        for (int jj = 0; jj < nr; jj++) dst[d + jj] = b[src + jj * cs];
                    }
                    for (int jj = nr; jj < NR; jj++) dst[d + jj] = 0f;
                }
            }
        });
        return pb;
    }

    /** A(mc x kc) into slivers of MR rows: sliver r holds, for each p, MR consecutive row values, zero-padded. */
    private static void packA(int mc, int kc, float[] pa, float[] a, int off, int rs, int cs) {
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int base = ir * kc;
            for (int ii = 0; ii < MR; ii++) {
                if (ii < mr) {
                    int src = off + (ir + ii) * rs;
                    for (int p = 0; p < kc; p++) pa[base + p * MR + ii] = a[src + p * cs];
                } else {
                    for (int p = 0; p < kc; p++) pa[base + p * MR + ii] = 0f;
                }
            }
        }
    }

    /**
     * The micro-kernel: an MR x NR tile of C (+)= packed A sliver (kc x MR) times packed B sliver (kc x NR).
     * One flat method with the accumulators in locals, so the JIT keeps all sixteen in vector registers.
     */
    private static void kernel(int kc, float[] pa, int ao, float[] pb, int bo, float[] c, int co, int ldc, boolean acc) {
        int r1 = co + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc, r6 = r5 + ldc, r7 = r6 + ldc;
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (acc) {
            c00 = FloatVector.fromArray(S, c, co); c01 = FloatVector.fromArray(S, c, co + L);
            c10 = FloatVector.fromArray(S, c, r1); c11 = FloatVector.fromArray(S, c, r1 + L);
            c20 = FloatVector.fromArray(S, c, r2); c21 = FloatVector.fromArray(S, c, r2 + L);
            c30 = FloatVector.fromArray(S, c, r3); c31 = FloatVector.fromArray(S, c, r3 + L);
            c40 = FloatVector.fromArray(S, c, r4); c41 = FloatVector.fromArray(S, c, r4 + L);
            c50 = FloatVector.fromArray(S, c, r5); c51 = FloatVector.fromArray(S, c, r5 + L);
            c60 = FloatVector.fromArray(S, c, r6); c61 = FloatVector.fromArray(S, c, r6 + L);
            c70 = FloatVector.fromArray(S, c, r7); c71 = FloatVector.fromArray(S, c, r7 + L);
        } else {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(S);
            c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bo + p * NR);
            FloatVector b1 = FloatVector.fromArray(S, pb, bo + p * NR + L);
            int ap = ao + p * MR;
            FloatVector a = FloatVector.broadcast(S, pa[ap]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, pa[ap + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, pa[ap + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, pa[ap + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, pa[ap + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, pa[ap + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, pa[ap + 6]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, pa[ap + 7]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
        }
        c00.intoArray(c, co); c01.intoArray(c, co + L);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4); c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5); c51.intoArray(c, r5 + L);
        c60.intoArray(c, r6); c61.intoArray(c, r6 + L);
        c70.intoArray(c, r7); c71.intoArray(c, r7 + L);
    }

    /** The oracle: the plain triple loop, accumulating in double. Same contract as {@link #sgemm}. */
    public static void sgemmReference(int m, int n, int k, float[] a, int aOff, int aRs, int aCs,
                                      float[] b, int bOff, int bRs, int bCs, float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double acc = accumulate ? c[cOff + i * ldc + j] : 0;
                for (int p = 0; p < k; p++) acc += (double) a[aOff + i * aRs + p * aCs] * b[bOff + p * bRs + j * bCs];
                c[cOff + i * ldc + j] = (float) acc;
            }
    }
}

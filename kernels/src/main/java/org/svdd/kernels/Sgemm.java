package org.svdd.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Single-precision matrix multiply, C = A·B or C += A·B, that is c(i,j) (+)= Σ_p a(i,p)·b(p,j), in the GotoBLAS
 * structure:
 * <pre>
 *   for each NC-wide block of columns:
 *     for each KC-deep slice of k:          pack B(kc x nc) into NR-wide slivers (L3, shared by the threads)
 *       for each MC-tall block of rows:     pack A(mc x kc) into MR-tall slivers (L2, per thread; blocks are claimed)
 *         for each B sliver (L1):
 *           for each A sliver:              micro-kernel: MR x NR tile of C, kc rank-1 updates with FMA
 * </pre>
 * A is m x k with element (i, p) at {@code a[aOff + i*aRs + p*aCs]}, B is k x n with (p, j) at
 * {@code b[bOff + p*bRs + j*bCs]} (a transposed operand is a swap of strides, a stride of 0 broadcasts), C is
 * row-major, (i, j) at {@code c[cOff + i*ldc + j]}. Packing reads through the strides, so every layout reaches the same
 * micro-kernel; packed panels are zero-padded to whole slivers and edge tiles go through a small buffer.
 *
 * <p>On CPUs with 16 vector registers (x86 below AVX-512) whole slivers of an A with contiguous rows (every linear
 * layer's input) are not packed: the micro-kernel broadcasts from the rows where they are, since packing them is a
 * transpose, which there costs more than it saves (bench/RESULTS.md, "AVX2, continued").
 *
 * <p>Large products run on {@link Parallel} threads: B panels are packed cooperatively, then the threads claim
 * blocks of rows (or, for short C, of rows and column ranges) one at a time, each packing its own A block, so a thread
 * slowed by other load simply claims fewer blocks.
 *
 * <p>A single row or column of C with the big operand contiguous along C's long side (row vector times matrix) skips
 * packing: it runs as axpys of rows, bound by reading that operand once. Up to eight columns (or rows) of C with the big
 * operand contiguous along k run on slivers of it against broadcast columns ({@link #narrow}).
 *
 * <p><b>Every path computes c(i,j) as the same chain</b> s = fma(a(i,p), b(p,j), s) for p = 0, 1, ..., k-1, from 0 (or
 * from c(i,j) when accumulating): the micro-kernel across KC slices and edge tiles, the axpys, the small triple loop.
 * So an element's bits do not depend on m, n, the blocking or the threads: a row of a linear layer's output, or an
 * image of a convolution's, is the same in any batch, which is what makes samples independent of their batch.
 * (Dot products along k, with their several accumulators, would break this.)
 */
public final class Sgemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Micro-tile: MR rows by NR = 2 vectors of columns (8 x 32 floats, 16 accumulators on AVX-512). */
    static final int MR = 8;
    /** MR floats, the A sliver's column; used only where the CPU has vectors that wide (else the loop below). */
    private static final VectorSpecies<Float> A_SLIVER = FloatVector.SPECIES_256;
    private static final boolean A_SLIVER_NATIVE = S.vectorBitSize() >= A_SLIVER.vectorBitSize();
    static final int NR = 2 * L;
    /**
     * Whether the CPU has 16 vector registers (x86 below AVX-512: SSE, AVX2) rather than 32 (AVX-512, ARM NEON and
     * SVE); the micro-kernel then runs its tile in two halves (as do {@link AttentionKernel}'s tiles), and whole
     * slivers of a row-contiguous A are read in place.
     */
    static final boolean SIXTEEN_REGISTERS =
            S.vectorBitSize() < 512 && !System.getProperty("os.arch", "").equals("aarch64");
    /**
     * Whether row-contiguous A slivers are packed by {@link #transpose8}: where the CPU has 8-lane vectors, but not on
     * x86 below AVX-512, where a two-vector shuffle is two permutes and a blend. There the 8 x 8 blocks packed a
     * 12800 x 256 A at 1.52 ns a float against 0.58 for the row-by-row copy (2-core Zen EPYC), while AVX-512, with
     * its one-instruction two-vector permute, had measured 2.7x the other way.
     */
    private static final boolean TRANSPOSE_A = A_SLIVER_NATIVE && !SIXTEEN_REGISTERS;
    /** Packed A block MC x KC (128 KiB, L2); one B sliver KC x NR (32 KiB on AVX-512, L1). */
    static final int KC = 256;
    private static final int MC = 128;
    /** Packed B panel KC x NC (4 MiB, L3). */
    private static final int NC = 4096;
    /** At most this many multiply-adds run the plain triple loop: packing would cost more than it saves. */
    private static final long SMALL = 16 * 16 * 16;
    /** Multiply-adds per thread below which another thread costs more than it saves. */
    private static final long GRAIN = 1L << 21;
    /** Up to this many columns (or rows) of C, with the big operand contiguous along k, C is done by {@link #narrow}. */
    private static final int NARROW = 8;
    /** Columns of y updated per pass of the row-vector product: 8 KiB, so y stays in L1. */
    private static final int AXPY_BLOCK = 2048;
    /** Blocks of work per thread, for balance when a thread runs slower than the others. */
    private static final int TASKS_PER_THREAD = 4;
    /** Floats of packed B panel that stay in L2 (512 KiB); beyond it row blocks keep at least MB_L3 rows. */
    private static final long L2_PANEL = 1 << 17;
    private static final int MB_L3 = 64;

    /** Per-thread buffers: the packed A block, an edge tile, and the packed B panel (grown on demand). */
    private static final class Buffers {
        final float[] packA = new float[MC * KC];
        final float[] tile = new float[MR * NR];
        float[] packB = new float[0];
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private Sgemm() {
    }

    /**
     * C(m x n) = A(m x k)·B(k x n), or C += A·B when accumulate; see the class comment for the layouts. With k = 0
     * the product is zero (C is cleared, or left as it is when accumulating).
     */
    public static void sgemm(int m, int n, int k, float[] a, int aOff, int aRs, int aCs,
                             float[] b, int bOff, int bRs, int bCs, float[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0) {
            if (!accumulate) for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        if ((long) m * n * k <= SMALL) {
            small(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate);
        } else if (m == 1 && bCs == 1) {
            // Row vector times matrix: c(0, :) (+)= Σ_p a(0, p)·b(p, :).
            Parallel.forRange(n, chunk(k),
                    (j0, j1) -> axpyRows(j0, j1, k, a, aOff, aCs, b, bOff, bRs, c, cOff, accumulate));
        } else if (n == 1 && aRs == 1 && ldc == 1) {
            // Matrix times column vector, as its transpose: c(:, 0) (+)= Σ_p b(p, 0)·a(:, p).
            Parallel.forRange(m, chunk(k),
                    (i0, i1) -> axpyRows(i0, i1, k, b, bOff, bRs, a, aOff, aCs, c, cOff, accumulate));
        } else if (n <= NARROW && aCs == 1 && A_SLIVER_NATIVE) {
            // Few columns, A's rows contiguous: slivers of A's rows against n broadcast columns of B.
            narrow(m, n, k, a, aOff, aRs, b, bOff, bRs, bCs, c, cOff, ldc, 1, accumulate);
        } else if (m <= NARROW && bRs == 1 && A_SLIVER_NATIVE) {
            // Few rows, B's columns contiguous: the same for C^T = B^T·A^T.
            narrow(n, m, k, b, bOff, bCs, a, aOff, aCs, aRs, c, cOff, 1, ldc, accumulate);
        } else if (padded(n, m) < padded(m, n)) {
            // Narrow C: C^T(n x m) = B^T·A^T pads n to MR rows instead of to NR columns.
            gemm(n, m, k, b, bOff, bCs, bRs, a, aOff, aCs, aRs, c, cOff, 1, ldc, accumulate);
        } else {
            gemm(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, 1, accumulate);
        }
    }

    /** The least chunk of a parallel loop whose steps cost k multiply-adds each: GRAIN of them, one vector at least. */
    private static int chunk(int k) {
        return (int) Math.max(L, GRAIN / k);
    }

    /** y[j0, j1) (+)= Σ_p x(p·xs)·b[bOff + p*bRs + j], in column blocks that stay in L1 while the rows stream by. */
    private static void axpyRows(int j0, int j1, int k, float[] x, int xOff, int xs, float[] b, int bOff, int bRs,
                                 float[] y, int yOff, boolean accumulate) {
        if (!accumulate) Arrays.fill(y, yOff + j0, yOff + j1, 0f);
        for (int jb = j0; jb < j1; jb += AXPY_BLOCK) {
            int je = Math.min(j1, jb + AXPY_BLOCK), vecEnd = jb + S.loopBound(je - jb);
            int p = 0;
            for (; p + 4 <= k; p += 4) {
                float x0 = x[xOff + p * xs], x1 = x[xOff + (p + 1) * xs];
                float x2 = x[xOff + (p + 2) * xs], x3 = x[xOff + (p + 3) * xs];
                FloatVector v0 = FloatVector.broadcast(S, x0), v1 = FloatVector.broadcast(S, x1);
                FloatVector v2 = FloatVector.broadcast(S, x2), v3 = FloatVector.broadcast(S, x3);
                int r0 = bOff + p * bRs, r1 = r0 + bRs, r2 = r1 + bRs, r3 = r2 + bRs;
                int j = jb;
                for (; j < vecEnd; j += L) {
                    FloatVector acc = FloatVector.fromArray(S, y, yOff + j);
                    acc = FloatVector.fromArray(S, b, r0 + j).fma(v0, acc);
                    acc = FloatVector.fromArray(S, b, r1 + j).fma(v1, acc);
                    acc = FloatVector.fromArray(S, b, r2 + j).fma(v2, acc);
                    acc = FloatVector.fromArray(S, b, r3 + j).fma(v3, acc);
                    acc.intoArray(y, yOff + j);
                }
                for (; j < je; j++)
                    y[yOff + j] = Math.fma(x3, b[r3 + j], Math.fma(x2, b[r2 + j], Math.fma(x1, b[r1 + j], Math.fma(x0, b[r0 + j], y[yOff + j]))));
            }
            for (; p < k; p++) {
                float xp = x[xOff + p * xs];
                int r = bOff + p * bRs;
                for (int j = jb; j < je; j++) y[yOff + j] = Math.fma(xp, b[r + j], y[yOff + j]);
            }
        }
    }

    /**
     * C (+)= U·V with a narrow V: c[cOff + t*cT + s*cS] (+)= Σ_p u(t, p)·v(p, s) for t &lt; big, s &lt; small &lt;= NARROW,
     * where row t of U is contiguous at uOff + t*uRs and v(p, s) is at v[vOff + p*vRs + s*vCs]. Each block of MR rows
     * of U is packed into a sliver ({@link #packA}: a column of MR lanes per p), and every lane runs its elements'
     * chains s = fma(u(t, p), v(p, s), s) over p, four columns at a time: the order of every other path, reading U once.
     */
    private static void narrow(int big, int small, int k, float[] u, int uOff, int uRs, float[] v, int vOff, int vRs, int vCs,
                               float[] c, int cOff, int cT, int cS, boolean accumulate) {
        float[] w = new float[k * NARROW];                           // w[p*NARROW + s] = v(p, s), zero past small
        for (int p = 0; p < k; p++)
            for (int s = 0; s < small; s++) w[p * NARROW + s] = v[vOff + p * vRs + s * vCs];
        Parallel.forRange(ceil(big, MR), chunk(k * NARROW * MR), (b0, b1) -> {
            Buffers buf = BUFFERS.get();
            float[] pa = MR * k <= buf.packA.length ? buf.packA : new float[MR * k], lanes = buf.tile;
            for (int blk = b0; blk < b1; blk++) {
                int t0 = blk * MR, mr = Math.min(MR, big - t0);
                packA(mr, k, u, uOff + t0 * uRs, uRs, 1, pa, 0);
                for (int s0 = 0; s0 < small; s0 += 4) {                 // four columns at a time
                    int at = cOff + t0 * cT + s0 * cS, left = small - s0;
                    FloatVector c0 = lanes(accumulate, c, at, cT, mr, lanes), c1 = lanes(accumulate && left > 1, c, at + cS, cT, mr, lanes);
                    FloatVector c2 = lanes(accumulate && left > 2, c, at + 2 * cS, cT, mr, lanes), c3 = lanes(accumulate && left > 3, c, at + 3 * cS, cT, mr, lanes);
                    for (int p = 0; p < k; p++) {
                        FloatVector ap = FloatVector.fromArray(A_SLIVER, pa, p * MR);
                        int wp = p * NARROW + s0;
                        c0 = ap.fma(FloatVector.broadcast(A_SLIVER, w[wp]), c0);
                        c1 = ap.fma(FloatVector.broadcast(A_SLIVER, w[wp + 1]), c1);
                        c2 = ap.fma(FloatVector.broadcast(A_SLIVER, w[wp + 2]), c2);
                        c3 = ap.fma(FloatVector.broadcast(A_SLIVER, w[wp + 3]), c3);
                    }
                    store(c0, true, c, at, cT, mr, lanes);
                    store(c1, left > 1, c, at + cS, cT, mr, lanes);
                    store(c2, left > 2, c, at + 2 * cS, cT, mr, lanes);
                    store(c3, left > 3, c, at + 3 * cS, cT, mr, lanes);
                }
            }
        });
    }

    /** The MR values c[at + r*cT] (r &lt; mr, zero past it) as one vector, or zero when not loading. */
    private static FloatVector lanes(boolean load, float[] c, int at, int cT, int mr, float[] lanes) {
        if (!load) return FloatVector.zero(A_SLIVER);
        for (int r = 0; r < MR; r++) lanes[r] = r < mr ? c[at + r * cT] : 0f;
        return FloatVector.fromArray(A_SLIVER, lanes, 0);
    }

    /** The first mr lanes of v into c[at + r*cT], when kept. */
    private static void store(FloatVector v, boolean keep, float[] c, int at, int cT, int mr, float[] lanes) {
        if (!keep) return;
        v.intoArray(lanes, 0);
        for (int r = 0; r < mr; r++) c[at + r * cT] = lanes[r];
    }

    /** The plain triple loop, each element one fused multiply-add chain over p (the order every path keeps). */
    private static void small(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs,
                              int bCs, float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                float sum = accumulate ? c[cOff + i * ldc + j] : 0f;
                for (int p = 0; p < k; p++) sum = Math.fma(a[aOff + i * aRs + p * aCs], b[bOff + p * bRs + j * bCs], sum);
                c[cOff + i * ldc + j] = sum;
            }
    }

    /** Size of an m x n C once rounded up to whole MR x NR tiles: the work the micro-kernel does. */
    private static long padded(int m, int n) {
        return (long) ceil(m, MR) * MR * ceil(n, NR) * NR;
    }

    /** The GotoBLAS loops; C element (i, j) at cOff + i*cRs + j*cCs. */
    private static void gemm(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff,
                             int bRs, int bCs, float[] c, int cOff, int cRs, int cCs, boolean accumulate) {
        int threads = (long) m * n * k >= 2 * GRAIN && !Parallel.inside() ? Parallel.threads() : 1;
        int wanted = threads == 1 ? 1 : TASKS_PER_THREAD * threads;
        Buffers mine = BUFFERS.get();
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc), slivers = ceil(nc, NR);
            // Blocks of mb rows, fewer than MC when that gives each thread several tasks; but a B panel beyond L2 is
            // streamed once per block, so there blocks keep MB_L3 rows and the columns are split into groups instead
            // (each group packs the block's A again: cheap next to MB_L3 rows of work).
            int least = (long) Math.min(KC, k) * nc <= L2_PANEL ? MR : MB_L3;
            int mb = Math.clamp(ceil(ceil(m, wanted), MR) * MR, least, MC);
            int rowBlocks = ceil(m, mb), groups = Math.min(slivers, ceil(wanted, rowBlocks));
            int tasks = rowBlocks * groups;
            int size = slivers * NR * Math.min(KC, k);
            if (mine.packB.length < size) mine.packB = new float[size];
            float[] pb = mine.packB;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc), bPanel = bOff + pc * bRs + jc * bCs, aPanel = aOff + pc * aCs;
                int cPanel = cOff + jc * cCs;
                boolean acc = accumulate || pc > 0;
                forRange(threads, slivers, (s0, s1) -> packB(kc, s0, s1, nc, b, bPanel, bRs, bCs, pb));
                AtomicInteger next = new AtomicInteger();
                forRange(threads, threads, (t0, t1) -> {
                    Buffers buf = BUFFERS.get();
                    for (int t; (t = next.getAndIncrement()) < tasks; ) {
                        int i0 = t / groups * mb, mc = Math.min(mb, m - i0), g = t % groups;
                        int s0 = slivers * g / groups, s1 = slivers * (g + 1) / groups;
                        int ai = aPanel + i0 * aRs, ci = cPanel + i0 * cRs;
                        // with 16 registers whole slivers of row-contiguous A are read in place, the rest packed
                        int inPlace = aCs == 1 && SIXTEEN_REGISTERS ? mc / MR * MR : 0;
                        if (inPlace > 0)
                            block(inPlace, s0, s1, nc, kc, a, ai, aRs, true, pb, buf.tile, c, ci, cRs, cCs, acc);
                        if (inPlace < mc) {
                            packA(mc - inPlace, kc, a, ai + inPlace * aRs, aRs, aCs, buf.packA, 0);
                            block(mc - inPlace, s0, s1, nc, kc, buf.packA, 0, 0, false, pb, buf.tile, c,
                                    ci + inPlace * cRs, cRs, cCs, acc);
                        }
                    }
                });
            }
        }
    }

    /** body over [0, n): inline on one thread, else through {@link Parallel#forRange}. */
    private static void forRange(int threads, int n, Parallel.RangeBody body) {
        if (threads == 1) body.run(0, n);
        else Parallel.forRange(n, body);
    }

    private static int ceil(int x, int y) {
        return (x + y - 1) / y;
    }

    /**
     * C(mc x columns of B slivers [s0, s1)) (+)= A(mc x kc)·packed B(kc x nc), one micro-tile at a time; the B sliver
     * stays in L1 while the A slivers stream from L2. A is packed (sliver i at a[ao + i*kc]) or, when inPlace (whole
     * slivers on 16-register CPUs), read where it is: a(i, p) at a[ao + i*rs + p].
     */
    private static void block(int mc, int s0, int s1, int nc, int kc, float[] a, int ao, int rs, boolean inPlace,
                              float[] pb, float[] tile, float[] c, int cOff, int cRs, int cCs, boolean acc) {
        for (int j = s0 * NR; j < Math.min(nc, s1 * NR); j += NR) {
            int nr = Math.min(NR, nc - j), bo = j * kc;
            for (int i = 0; i < mc; i += MR) {
                int mr = Math.min(MR, mc - i), co = cOff + i * cRs + j * cCs;
                if (mr == MR && nr == NR && cCs == 1) {
                    tile(kc, a, ao, rs, inPlace, i, pb, bo, c, co, cRs, acc);
                } else {
                    // an edge tile: the chains continue from C, as in a whole tile
                    if (acc)
                        for (int ii = 0; ii < mr; ii++)
                            for (int jj = 0; jj < nr; jj++) tile[ii * NR + jj] = c[co + ii * cRs + jj * cCs];
                    tile(kc, a, ao, rs, inPlace, i, pb, bo, tile, 0, NR, acc);
                    for (int ii = 0; ii < mr; ii++)
                        for (int jj = 0; jj < nr; jj++) c[co + ii * cRs + jj * cCs] = tile[ii * NR + jj];
                }
            }
        }
    }

    /**
     * Slivers [s0, s1) of B(kc x nc), each NR columns wide: sliver s starts at s*kc*NR and holds, for p = 0..kc-1, the
     * NR values b(p, s*NR + jj) contiguously, zero past column nc.
     */
    private static void packB(int kc, int s0, int s1, int nc, float[] b, int off, int rs, int cs, float[] pb) {
        for (int j0 = s0 * NR; j0 < Math.min(nc, s1 * NR); j0 += NR) {
            int nr = Math.min(NR, nc - j0), base = j0 * kc;
            for (int p = 0; p < kc; p++) {
                int src = off + p * rs + j0 * cs, d = base + p * NR;
                if (cs == 1 && nr == NR) {
                    FloatVector.fromArray(S, b, src).intoArray(pb, d);
                    FloatVector.fromArray(S, b, src + L).intoArray(pb, d + L);
                } else {
                    for (int jj = 0; jj < nr; jj++) pb[d + jj] = b[src + jj * cs];
                    for (int jj = nr; jj < NR; jj++) pb[d + jj] = 0f;
                }
            }
        }
    }

    /**
     * A(mc x kc) into slivers of MR rows: sliver r starts at r*MR*kc and holds, for p = 0..kc-1, the MR values
     * a(r*MR + ii, p) contiguously, zero past row mc; the slivers start at paOff. Reads go along whichever of the two
     * strides is shorter.
     */
    static void packA(int mc, int kc, float[] a, int off, int rs, int cs, float[] pa, int paOff) {
        for (int i0 = 0; i0 < mc; i0 += MR) {
            int mr = Math.min(MR, mc - i0), base = paOff + i0 * kc;
            if (cs == 1) {
                // rows contiguous: whole 8 x 8 blocks transposed in registers where TRANSPOSE_A; the rest (all of it
                // elsewhere, and short slivers) row by row in order (unit stride, so the JIT drops the bounds checks)
                int p0 = mr == MR && TRANSPOSE_A ? transpose8(kc, a, off + i0 * rs, rs, pa, base) : 0;
                for (int ii = 0; ii < mr; ii++) {
                    int src = off + (i0 + ii) * rs;
                    for (int p = p0; p < kc; p++) pa[base + p * MR + ii] = a[src + p];
                }
            } else if (rs == 1 && mr == MR && A_SLIVER_NATIVE) {
                // columns contiguous: a(i0 .. i0+MR-1, p) is one MR-lane vector
                for (int p = 0; p < kc; p++) FloatVector.fromArray(A_SLIVER, a, off + i0 + p * cs).intoArray(pa, base + p * MR);
            } else if (Math.abs(cs) <= Math.abs(rs)) {
                for (int ii = 0; ii < mr; ii++) {
                    int src = off + (i0 + ii) * rs;
                    for (int p = 0; p < kc; p++) pa[base + p * MR + ii] = a[src + p * cs];
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = off + i0 * rs + p * cs;
                    for (int ii = 0; ii < mr; ii++) pa[base + p * MR + ii] = a[src + ii * rs];
                }
            }
            for (int ii = mr; ii < MR; ii++)
                for (int p = 0; p < kc; p++) pa[base + p * MR + ii] = 0f;
        }
    }

    // Two-source lane selections for the 8 x 8 transpose (indexes 8..15 name the second vector's lanes): interleave
    // single floats, then pairs, then the 128-bit halves of two vectors.
    private static final VectorShuffle<Float> LO32 = VectorShuffle.fromValues(A_SLIVER, 0, 8, 1, 9, 2, 10, 3, 11);
    private static final VectorShuffle<Float> HI32 = VectorShuffle.fromValues(A_SLIVER, 4, 12, 5, 13, 6, 14, 7, 15);
    private static final VectorShuffle<Float> LO64 = VectorShuffle.fromValues(A_SLIVER, 0, 1, 8, 9, 2, 3, 10, 11);
    private static final VectorShuffle<Float> HI64 = VectorShuffle.fromValues(A_SLIVER, 4, 5, 12, 13, 6, 7, 14, 15);
    private static final VectorShuffle<Float> LO128 = VectorShuffle.fromValues(A_SLIVER, 0, 1, 2, 3, 8, 9, 10, 11);
    private static final VectorShuffle<Float> HI128 = VectorShuffle.fromValues(A_SLIVER, 4, 5, 6, 7, 12, 13, 14, 15);

    /**
     * The MR = 8 rows at a[src + ii*rs] (contiguous along p) into the sliver at pa[base], in 8 x 8 blocks: eight row
     * loads, three rounds of eight two-vector shuffles, eight column stores, where the scalar copy does 64 loads and
     * 64 strided stores. Returns the number of columns done, kc rounded down to a multiple of 8.
     */
    static int transpose8(int kc, float[] a, int src, int rs, float[] pa, int base) {
        int p = 0;
        for (; p + 8 <= kc; p += 8) {
            int s = src + p;
            FloatVector r0 = FloatVector.fromArray(A_SLIVER, a, s), r1 = FloatVector.fromArray(A_SLIVER, a, s + rs);
            FloatVector r2 = FloatVector.fromArray(A_SLIVER, a, s + 2 * rs), r3 = FloatVector.fromArray(A_SLIVER, a, s + 3 * rs);
            FloatVector r4 = FloatVector.fromArray(A_SLIVER, a, s + 4 * rs), r5 = FloatVector.fromArray(A_SLIVER, a, s + 5 * rs);
            FloatVector r6 = FloatVector.fromArray(A_SLIVER, a, s + 6 * rs), r7 = FloatVector.fromArray(A_SLIVER, a, s + 7 * rs);
            FloatVector t0 = r0.rearrange(LO32, r1), t1 = r0.rearrange(HI32, r1), t2 = r2.rearrange(LO32, r3), t3 = r2.rearrange(HI32, r3);
            FloatVector t4 = r4.rearrange(LO32, r5), t5 = r4.rearrange(HI32, r5), t6 = r6.rearrange(LO32, r7), t7 = r6.rearrange(HI32, r7);
            FloatVector u0 = t0.rearrange(LO64, t2), u1 = t0.rearrange(HI64, t2), u2 = t1.rearrange(LO64, t3), u3 = t1.rearrange(HI64, t3);
            FloatVector u4 = t4.rearrange(LO64, t6), u5 = t4.rearrange(HI64, t6), u6 = t5.rearrange(LO64, t7), u7 = t5.rearrange(HI64, t7);
            int d = base + p * MR;                                     // column p + j is u.rearrange(...) number j
            u0.rearrange(LO128, u4).intoArray(pa, d);
            u0.rearrange(HI128, u4).intoArray(pa, d + 8);
            u1.rearrange(LO128, u5).intoArray(pa, d + 16);
            u1.rearrange(HI128, u5).intoArray(pa, d + 24);
            u2.rearrange(LO128, u6).intoArray(pa, d + 32);
            u2.rearrange(HI128, u6).intoArray(pa, d + 40);
            u3.rearrange(LO128, u7).intoArray(pa, d + 48);
            u3.rearrange(HI128, u7).intoArray(pa, d + 56);
        }
        return p;
    }

    /** The micro-tile of A's rows i .. i + MR - 1, packed or in place (see {@link #block}). */
    static void tile(int kc, float[] a, int ao, int rs, boolean inPlace, int i, float[] pb, int bo, float[] c, int co,
                     int ldc, boolean acc) {
        if (inPlace) {
            kernel4InPlace(kc, a, ao + i * rs, rs, pb, bo, c, co, ldc, acc);
            kernel4InPlace(kc, a, ao + (i + 4) * rs, rs, pb, bo, c, co + 4 * ldc, ldc, acc);
        } else {
            kernel(kc, a, ao + i * kc, pb, bo, c, co, ldc, acc);
        }
    }

    /**
     * The micro-kernel: C(MR x NR) (+)= Σ_p a_p ⊗ b_p over the kc rank-1 updates of a packed A sliver (a_p: MR
     * values at ao + p*MR) and a packed B sliver (b_p: NR values at bo + p*NR). With 32 vector registers the whole
     * tile is one pass ({@link #kernel8}); with 16 it is two passes of four rows ({@link #kernel4}), since sixteen
     * accumulators plus the two B vectors and the broadcast would not fit and the JIT would spill on every update.
     */
    static void kernel(int kc, float[] pa, int ao, float[] pb, int bo, float[] c, int co, int ldc, boolean acc) {
        if (SIXTEEN_REGISTERS) kernelHalves(kc, pa, ao, pb, bo, c, co, ldc, acc);
        else kernel8(kc, pa, ao, pb, bo, c, co, ldc, acc);
    }

    /** The micro-tile as two passes of four rows (the upper and lower half of the A sliver). */
    static void kernelHalves(int kc, float[] pa, int ao, float[] pb, int bo, float[] c, int co, int ldc, boolean acc) {
        kernel4(kc, pa, ao, pb, bo, c, co, ldc, acc);
        kernel4(kc, pa, ao + 4, pb, bo, c, co + 4 * ldc, ldc, acc);
    }

    /**
     * Four rows of the micro-tile: C(4 x NR) (+)= Σ_p a_p ⊗ b_p with a_p the four values at ao + p*MR (a sliver's
     * upper or lower half). Eight accumulators, two B vectors and a broadcast: eleven vector registers.
     */
    private static void kernel4(int kc, float[] pa, int ao, float[] pb, int bo, float[] c, int co, int ldc,
                                boolean acc) {
        int r1 = co + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
        if (acc) {
            c00 = FloatVector.fromArray(S, c, co); c01 = FloatVector.fromArray(S, c, co + L);
            c10 = FloatVector.fromArray(S, c, r1); c11 = FloatVector.fromArray(S, c, r1 + L);
            c20 = FloatVector.fromArray(S, c, r2); c21 = FloatVector.fromArray(S, c, r2 + L);
            c30 = FloatVector.fromArray(S, c, r3); c31 = FloatVector.fromArray(S, c, r3 + L);
        } else {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * NR, ap = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, pb, bp);
            FloatVector b1 = FloatVector.fromArray(S, pb, bp + L);
            FloatVector x = FloatVector.broadcast(S, pa[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, pa[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, pa[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, pa[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        c00.intoArray(c, co); c01.intoArray(c, co + L);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + L);
    }

    /**
     * {@link #kernel4} for four rows of A read in place: a(ii, p) at a[ao + ii*rs + p]. Four broadcast loads per rank-1
     * update, as from a packed sliver, so packing row-contiguous A (a transpose, without AVX-512's two-vector
     * permute) is skipped.
     */
    private static void kernel4InPlace(int kc, float[] a, int ao, int rs, float[] pb, int bo, float[] c, int co,
                                       int ldc, boolean acc) {
        int r1 = co + ldc, r2 = r1 + ldc, r3 = r2 + ldc, a1 = ao + rs, a2 = a1 + rs, a3 = a2 + rs;
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
        if (acc) {
            c00 = FloatVector.fromArray(S, c, co); c01 = FloatVector.fromArray(S, c, co + L);
            c10 = FloatVector.fromArray(S, c, r1); c11 = FloatVector.fromArray(S, c, r1 + L);
            c20 = FloatVector.fromArray(S, c, r2); c21 = FloatVector.fromArray(S, c, r2 + L);
            c30 = FloatVector.fromArray(S, c, r3); c31 = FloatVector.fromArray(S, c, r3 + L);
        } else {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(S);
        }
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, pb, bp);
            FloatVector b1 = FloatVector.fromArray(S, pb, bp + L);
            FloatVector x = FloatVector.broadcast(S, a[ao + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        c00.intoArray(c, co); c01.intoArray(c, co + L);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + L);
    }

    /** The whole micro-tile in one pass: sixteen accumulators, for CPUs with 32 vector registers. */
    static void kernel8(int kc, float[] pa, int ao, float[] pb, int bo, float[] c, int co, int ldc,
                        boolean acc) {
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
            int bp = bo + p * NR, ap = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, pb, bp);
            FloatVector b1 = FloatVector.fromArray(S, pb, bp + L);
            FloatVector x = FloatVector.broadcast(S, pa[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, pa[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, pa[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, pa[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, pa[ap + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, pa[ap + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, pa[ap + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, pa[ap + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
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

    /**
     * The test oracle: the plain triple loop c(i,j) (+)= Σ_p a(i,p)·b(p,j) accumulated in double, rounded once.
     * Same contract as {@link #sgemm}.
     */
    public static void sgemmReference(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff,
                                      int bRs, int bCs, float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double sum = accumulate ? c[cOff + i * ldc + j] : 0;
                for (int p = 0; p < k; p++) sum += (double) a[aOff + i * aRs + p * aCs] * b[bOff + p * bRs + j * bCs];
                c[cOff + i * ldc + j] = (float) sum;
            }
    }
}

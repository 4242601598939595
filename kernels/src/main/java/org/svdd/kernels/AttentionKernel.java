package org.svdd.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Fused scaled dot-product attention, {@code out = softmax(q k^T * scale + mask) v}, flash-attention style.
 *
 * <p>Shapes (all contiguous, row-major, from the given offsets): q is (bh, s, d), k is (bh, t, d), v is (bh, t, e),
 * out is (bh, s, e). The work is split into tasks of up to 32 query rows of one batch-head, run in parallel over
 * {@link Parallel}. For its batch-head a thread first packs k transposed into slivers of {@code W = 4 * lanes} keys
 * ({@code kt[sliver][p][key]}, zero padded to whole vectors; 16 x 16 blocks go through registers with two-source
 * permutes on AVX-512), so the score micro-kernel is a register tile of 4 query rows by 4 vectors of keys updated
 * by one broadcast and four FMAs per row and feature, with no horizontal reductions (on x86 below AVX-512, with 16
 * vector registers, the tile runs as two passes of 4 rows by 2 vectors, as {@link Sgemm}'s micro-kernel does). Key
 * blocks of 8 vectors (128 keys on AVX-512) are visited once per row block:
 * <ol>
 *   <li>scores (rows x block) = (q_rows . kt_block * scale + mask) * log2(e), in a per-thread scratch tile;</li>
 *   <li>online softmax per row in base 2: running max m and sum l, p = 2^(score - m_new) by an inlined polynomial
 *       (no stub call, the same bits in interpreted and compiled code), the output accumulator row is rescaled by
 *       2^(m_old - m_new) when the max moves;</li>
 *   <li>acc (rows x e) += p . v_block, again a 4 x 4-vector register tile, broadcasting p.</li>
 * </ol>
 * Finally out = acc / l. Memory per thread is the packed k of one batch-head (t x d), a 32 x 128 score tile and a
 * 32 x e accumulator; no s x t matrix exists. Rows whose keys are all masked (-inf) produce 0, not NaN.
 * {@link #forwardReference} is the naive double-precision oracle with the same contract.
 */
public final class AttentionKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Keys per packed sliver: the width of the 4 x 4-vector micro-tile. */
    static final int W = 4 * L;
    /** Vectors of keys per online-softmax block. */
    private static final int BC_VECTORS = 8;
    /** Keys per online-softmax block, a multiple of W. */
    static final int BC = BC_VECTORS * L;
    /** Query rows per task (a multiple of 4). */
    private static final int BR = 32;
    /** Below this many multiply-adds (s*t*(d+e) summed over bh) the call runs on the calling thread. */
    private static final long PARALLEL_MIN_MACS = 1L << 18;

    /** Additive mask element (b, i, j) at {@code data[off + b*strideB + i*strideS + j*strideT]}; strides may be 0. */
    public record MaskView(float[] data, int off, int strideB, int strideS, int strideT) {
        /** The mask element for batch-head b, query row i, key j. */
        public float at(int b, int i, int j) {
            return data[off + b * strideB + i * strideS + j * strideT];
        }
    }

    /** Attention sizes: bh batch-heads, s queries, t keys (and values), d query and key features, e value features. */
    public record Dims(int bh, int s, int t, int d, int e) {
        public Dims {
            if (bh < 0 || s < 0 || t < 0 || d < 0 || e < 0) {
                throw new IllegalArgumentException("negative attention shape: bh=" + bh + " s=" + s + " t=" + t + " d=" + d + " e=" + e);
            }
        }
    }

    /** Per-thread working memory, grown on demand and kept. */
    private static final class Scratch {
        float[] kt = new float[0];
        float[] sc = new float[BR * BC];
        float[] acc = new float[0];
        final float[] m = new float[BR];
        /** Per row, the running softmax denominator as lane partial sums (L floats per row). */
        final float[] l = new float[BR * L];

        void ensure(int t, int d, int e) {
            int slivers = (t + W - 1) / W;
            long ktSize = (long) slivers * W * d;
            if (ktSize > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("k too large: t=" + t + " d=" + d);
            if (kt.length < ktSize) kt = new float[(int) ktSize];
            int accSize = BR * roundUp(e, L);
            if (acc.length < accSize) acc = new float[accSize];
        }
    }

    /** Two-source permutation indexes of the four butterfly stages of the 16 x 16 transpose (null unless 16 lanes). */
    private static final FloatVector TLO0 = transposeIndex(8, false), THI0 = transposeIndex(8, true);
    private static final FloatVector TLO1 = transposeIndex(4, false), THI1 = transposeIndex(4, true);
    private static final FloatVector TLO2 = transposeIndex(2, false), THI2 = transposeIndex(2, true);
    private static final FloatVector TLO3 = transposeIndex(1, false), THI3 = transposeIndex(1, true);

    /**
     * Stage h of the transpose pairs rows a = r and b = r + h: lane l, in a block of 2h lanes at position pos, takes
     * for the low row a[blk*2h + pos] (pos < h) or b[blk*2h + pos - h], for the high row a[blk*2h + h + pos] or
     * b[blk*2h + pos]. Indexes 16..31 select from b.
     */
    private static FloatVector transposeIndex(int h, boolean high) {
        if (L != 16) return null;
        float[] idx = new float[16];
        for (int l = 0; l < 16; l++) {
            int blk = l / (2 * h), pos = l % (2 * h);
            if (!high) idx[l] = pos < h ? blk * 2 * h + pos : 16 + blk * 2 * h + pos - h;
            else idx[l] = pos < h ? blk * 2 * h + h + pos : 16 + blk * 2 * h + pos;
        }
        return FloatVector.fromArray(S, idx, 0);
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private AttentionKernel() {
    }

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    /**
     * out = softmax(q k^T * scale + mask) v per batch-head, fused (see the class comment): q (bh, s, d), k (bh, t, d),
     * v (bh, t, e) and out (bh, s, e, overwritten), each contiguous from its offset; mask null, or the additive mask
     * (bh, s, t) through its strides.
     */
    public static void forward(Dims dims, Floats q, Floats k, Floats v, MaskView mask, float scale, Floats out) {
        int bh = dims.bh(), s = dims.s(), t = dims.t(), d = dims.d(), e = dims.e();
        float[] qd = q.data(), kd = k.data(), vd = v.data(), od = out.data();
        int qOff = q.off(), kOff = k.off(), vOff = v.off(), outOff = out.off();
        if (bh == 0 || s == 0 || e == 0) return;
        if (t == 0) {
            for (int r = 0; r < bh * s; r++) Arrays.fill(od, outOff + r * e, outOff + (r + 1) * e, 0f);
            return;
        }
        int rowBlocks = (s + BR - 1) / BR;
        int tasks = bh * rowBlocks;
        Parallel.RangeBody body = (t0, t1) -> {
            Scratch w = SCRATCH.get();
            w.ensure(t, d, e);
            int packed = -1;
            for (int task = t0; task < t1; task++) {
                int b = task / rowBlocks, r0 = (task % rowBlocks) * BR, br = Math.min(BR, s - r0);
                if (b != packed) {
                    packKt(t, d, kd, kOff + b * t * d, w.kt);
                    packed = b;
                }
                rowBlock(b, r0, br, t, d, e, qd, qOff + (b * s + r0) * d, w.kt, vd, vOff + b * t * e, mask, scale,
                        od, outOff + (b * s + r0) * e, w);
            }
        };
        long macs = (long) bh * s * t * (d + e);
        if (macs < PARALLEL_MIN_MACS || Parallel.threads() <= 1 || tasks == 1) body.run(0, tasks);
        else Parallel.forRange(tasks, body);
    }

    /** Per-thread s x t tiles of the backward pass: the probabilities and their gradient. */
    private static final class BackwardScratch {
        float[] p = new float[0], gp = new float[0];

        void ensure(int size) {
            if (p.length < size) {
                p = new float[size];
                gp = new float[size];
            }
        }
    }

    private static final ThreadLocal<BackwardScratch> BACKWARD_SCRATCH = ThreadLocal.withInitial(BackwardScratch::new);

    /**
     * Backward of {@link #forward} for the output gradient g (bh, s, e, contiguous from its offset): writes
     * gq (bh, s, d), gk (bh, t, d) and gv (bh, t, e), each from index 0. Per batch-head, in two s x t tiles of
     * per-thread scratch (the model's 128 x 128 tiles stay in cache; nothing of size bh x s x t is allocated):
     * <pre>
     *   P  = softmax(q k^T * scale + mask)               recomputed; a row whose keys are all masked is 0
     *   gv = P^T g
     *   gP = g v^T;  gS = P (gP - rowsum(P gP)) scale     the softmax backward, in place
     *   gq = gS k;   gk = gS^T q
     * </pre>
     * The products are {@link Sgemm} calls. Batch-heads are split over {@link Parallel}, each written by one thread
     * only, so the result does not depend on the thread count. ReferenceBackend.attentionBackward is the oracle.
     */
    public static void backward(Dims dims, Floats q, Floats k, Floats v, MaskView mask, float scale, Floats g,
                                float[] gq, float[] gk, float[] gv) {
        int bh = dims.bh(), s = dims.s(), t = dims.t(), d = dims.d(), e = dims.e();
        float[] qd = q.data(), kd = k.data(), vd = v.data(), gd = g.data();
        int qOff = q.off(), kOff = k.off(), vOff = v.off(), gOff = g.off();
        Parallel.RangeBody body = (b0, b1) -> {
            BackwardScratch w = BACKWARD_SCRATCH.get();
            w.ensure(s * t);
            float[] p = w.p, gp = w.gp;
            for (int b = b0; b < b1; b++) {
                int qb = qOff + b * s * d, kb = kOff + b * t * d, vb = vOff + b * t * e, gb = gOff + b * s * e;
                Sgemm.sgemm(s, t, d, qd, qb, d, 1, kd, kb, 1, d, p, 0, t, false);                  // q k^T (s, t)
                probabilities(b, s, t, p, mask, scale);
                Sgemm.sgemm(t, e, s, p, 0, 1, t, gd, gb, e, 1, gv, b * t * e, e, false);           // P^T g (t, e)
                Sgemm.sgemm(s, t, e, gd, gb, e, 1, vd, vb, 1, e, gp, 0, t, false);                 // g v^T (s, t)
                for (int i = 0; i < s; i++) softmaxBackwardRow(t, p, i * t, gp, scale);
                Sgemm.sgemm(s, d, t, gp, 0, t, 1, kd, kb, d, 1, gq, b * s * d, d, false);           // gS k (s, d)
                Sgemm.sgemm(t, d, s, gp, 0, 1, t, qd, qb, d, 1, gk, b * t * d, d, false);           // gS^T q (t, d)
            }
        };
        long macs = (long) bh * s * t * (2 * d + 3 * e);
        if (macs < PARALLEL_MIN_MACS || Parallel.threads() <= 1 || bh == 1) body.run(0, bh);
        else Parallel.forRange(bh, body);
    }

    /** Scores (s, t) of batch-head b in place -> softmax(scores * scale + mask) per row; all-masked rows become 0. */
    private static void probabilities(int b, int s, int t, float[] p, MaskView mask, float scale) {
        ElementwiseKernels.binary(ElementwiseKernels.Binary.MUL, p, 0, scale, p, 0, s * t);
        for (int i = 0; i < s; i++) {
            int r = i * t;
            if (mask != null) for (int j = 0; j < t; j++) p[r + j] += mask.at(b, i, j);
            if (t > 0 && ElementwiseKernels.max(p, r, t) == Float.NEGATIVE_INFINITY) Arrays.fill(p, r, r + t, 0f);
            else RowKernels.softmax(1, t, p, r, p, r, false);
        }
    }

    /** gp[r ..] = p (gp - sum(p gp)) scale over one row of n (the row starts at r in both tiles). */
    private static void softmaxBackwardRow(int n, float[] p, int r, float[] gp, float scale) {
        int bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < bound; j += L) acc = FloatVector.fromArray(S, p, r + j).fma(FloatVector.fromArray(S, gp, r + j), acc);
        float dot = VectorMath.sumLanes(acc);
        for (int j = bound; j < n; j++) dot += p[r + j] * gp[r + j];
        FloatVector vdot = FloatVector.broadcast(S, dot);
        for (int j = 0; j < bound; j += L) {
            FloatVector pj = FloatVector.fromArray(S, p, r + j);
            pj.mul(FloatVector.fromArray(S, gp, r + j).sub(vdot)).mul(scale).intoArray(gp, r + j);
        }
        for (int j = bound; j < n; j++) gp[r + j] = p[r + j] * (gp[r + j] - dot) * scale;
    }

    /**
     * k (t, d) of one batch-head into slivers of W keys: sliver sv (keys sv*W ..) starts at sv*W*d and holds, for
     * each feature p, ws consecutive key values, ws = min(W, t - sv*W rounded up to lanes); padding is zero.
     */
    private static void packKt(int t, int d, float[] k, int ko, float[] kt) {
        for (int j0 = 0; j0 < t; j0 += W) {
            int n = Math.min(W, t - j0), ws = Math.min(W, roundUp(n, L));
            int base = j0 * d;
            int c = 0;
            if (L == 16) {
                // whole 16 x 16 blocks (16 keys by 16 features) through registers
                for (; c + 16 <= n; c += 16) {
                    int src = ko + (j0 + c) * d, p = 0;
                    for (; p + 16 <= d; p += 16) transpose16(k, src + p, d, kt, base + p * ws + c, ws);
                    for (; p < d; p++) {
                        for (int jj = 0; jj < 16; jj++) kt[base + p * ws + c + jj] = k[src + jj * d + p];
                    }
                }
            }
            for (int jj = c; jj < n; jj++) {
                int src = ko + (j0 + jj) * d;
                for (int p = 0; p < d; p++) kt[base + p * ws + jj] = k[src + p];
            }
            if (n < ws) {
                for (int p = 0; p < d; p++) Arrays.fill(kt, base + p * ws + n, base + p * ws + ws, 0f);
            }
        }
    }

    /** k rows (src + i*d, 16 consecutive features) to kt rows (dst + p*ws, 16 consecutive keys): a 16 x 16 transpose. */
    private static void transpose16(float[] k, int src, int d, float[] kt, int dst, int ws) {
        FloatVector r0 = FloatVector.fromArray(S, k, src);
        FloatVector r1 = FloatVector.fromArray(S, k, src + 1 * d);
        FloatVector r2 = FloatVector.fromArray(S, k, src + 2 * d);
        FloatVector r3 = FloatVector.fromArray(S, k, src + 3 * d);
        FloatVector r4 = FloatVector.fromArray(S, k, src + 4 * d);
        FloatVector r5 = FloatVector.fromArray(S, k, src + 5 * d);
        FloatVector r6 = FloatVector.fromArray(S, k, src + 6 * d);
        FloatVector r7 = FloatVector.fromArray(S, k, src + 7 * d);
        FloatVector r8 = FloatVector.fromArray(S, k, src + 8 * d);
        FloatVector r9 = FloatVector.fromArray(S, k, src + 9 * d);
        FloatVector r10 = FloatVector.fromArray(S, k, src + 10 * d);
        FloatVector r11 = FloatVector.fromArray(S, k, src + 11 * d);
        FloatVector r12 = FloatVector.fromArray(S, k, src + 12 * d);
        FloatVector r13 = FloatVector.fromArray(S, k, src + 13 * d);
        FloatVector r14 = FloatVector.fromArray(S, k, src + 14 * d);
        FloatVector r15 = FloatVector.fromArray(S, k, src + 15 * d);
        FloatVector a0 = TLO0.selectFrom(r0, r8), a8 = THI0.selectFrom(r0, r8);
        FloatVector a1 = TLO0.selectFrom(r1, r9), a9 = THI0.selectFrom(r1, r9);
        FloatVector a2 = TLO0.selectFrom(r2, r10), a10 = THI0.selectFrom(r2, r10);
        FloatVector a3 = TLO0.selectFrom(r3, r11), a11 = THI0.selectFrom(r3, r11);
        FloatVector a4 = TLO0.selectFrom(r4, r12), a12 = THI0.selectFrom(r4, r12);
        FloatVector a5 = TLO0.selectFrom(r5, r13), a13 = THI0.selectFrom(r5, r13);
        FloatVector a6 = TLO0.selectFrom(r6, r14), a14 = THI0.selectFrom(r6, r14);
        FloatVector a7 = TLO0.selectFrom(r7, r15), a15 = THI0.selectFrom(r7, r15);
        FloatVector b0 = TLO1.selectFrom(a0, a4), b4 = THI1.selectFrom(a0, a4);
        FloatVector b1 = TLO1.selectFrom(a1, a5), b5 = THI1.selectFrom(a1, a5);
        FloatVector b2 = TLO1.selectFrom(a2, a6), b6 = THI1.selectFrom(a2, a6);
        FloatVector b3 = TLO1.selectFrom(a3, a7), b7 = THI1.selectFrom(a3, a7);
        FloatVector b8 = TLO1.selectFrom(a8, a12), b12 = THI1.selectFrom(a8, a12);
        FloatVector b9 = TLO1.selectFrom(a9, a13), b13 = THI1.selectFrom(a9, a13);
        FloatVector b10 = TLO1.selectFrom(a10, a14), b14 = THI1.selectFrom(a10, a14);
        FloatVector b11 = TLO1.selectFrom(a11, a15), b15 = THI1.selectFrom(a11, a15);
        FloatVector c0 = TLO2.selectFrom(b0, b2), c2 = THI2.selectFrom(b0, b2);
        FloatVector c1 = TLO2.selectFrom(b1, b3), c3 = THI2.selectFrom(b1, b3);
        FloatVector c4 = TLO2.selectFrom(b4, b6), c6 = THI2.selectFrom(b4, b6);
        FloatVector c5 = TLO2.selectFrom(b5, b7), c7 = THI2.selectFrom(b5, b7);
        FloatVector c8 = TLO2.selectFrom(b8, b10), c10 = THI2.selectFrom(b8, b10);
        FloatVector c9 = TLO2.selectFrom(b9, b11), c11 = THI2.selectFrom(b9, b11);
        FloatVector c12 = TLO2.selectFrom(b12, b14), c14 = THI2.selectFrom(b12, b14);
        FloatVector c13 = TLO2.selectFrom(b13, b15), c15 = THI2.selectFrom(b13, b15);
        FloatVector d0 = TLO3.selectFrom(c0, c1), d1 = THI3.selectFrom(c0, c1);
        FloatVector d2 = TLO3.selectFrom(c2, c3), d3 = THI3.selectFrom(c2, c3);
        FloatVector d4 = TLO3.selectFrom(c4, c5), d5 = THI3.selectFrom(c4, c5);
        FloatVector d6 = TLO3.selectFrom(c6, c7), d7 = THI3.selectFrom(c6, c7);
        FloatVector d8 = TLO3.selectFrom(c8, c9), d9 = THI3.selectFrom(c8, c9);
        FloatVector d10 = TLO3.selectFrom(c10, c11), d11 = THI3.selectFrom(c10, c11);
        FloatVector d12 = TLO3.selectFrom(c12, c13), d13 = THI3.selectFrom(c12, c13);
        FloatVector d14 = TLO3.selectFrom(c14, c15), d15 = THI3.selectFrom(c14, c15);
        d0.intoArray(kt, dst);
        d1.intoArray(kt, dst + 1 * ws);
        d2.intoArray(kt, dst + 2 * ws);
        d3.intoArray(kt, dst + 3 * ws);
        d4.intoArray(kt, dst + 4 * ws);
        d5.intoArray(kt, dst + 5 * ws);
        d6.intoArray(kt, dst + 6 * ws);
        d7.intoArray(kt, dst + 7 * ws);
        d8.intoArray(kt, dst + 8 * ws);
        d9.intoArray(kt, dst + 9 * ws);
        d10.intoArray(kt, dst + 10 * ws);
        d11.intoArray(kt, dst + 11 * ws);
        d12.intoArray(kt, dst + 12 * ws);
        d13.intoArray(kt, dst + 13 * ws);
        d14.intoArray(kt, dst + 14 * ws);
        d15.intoArray(kt, dst + 15 * ws);
    }


    /**
     * Rows [r0, r0 + br) of batch-head b: all key blocks with online softmax, then out = acc / l. Scores are kept
     * in base 2, z = (q.k * scale + mask) * log2(e), so that p = 2^(z - m) needs no multiply by log2(e).
     */
    private static void rowBlock(int b, int r0, int br, int t, int d, int e, float[] q, int qo, float[] kt,
                                 float[] v, int vo, MaskView mask, float scale, float[] out, int oo, Scratch w) {
        float[] sc = w.sc, acc = w.acc, m = w.m, l = w.l;
        int ldA = roundUp(e, L);
        float scale2 = (float) (scale * LOG2E);
        Arrays.fill(acc, 0, br * ldA, 0f);
        Arrays.fill(m, 0, br, Float.NEGATIVE_INFINITY);
        Arrays.fill(l, 0, br * L, 0f);
        for (int kb = 0; kb < t; kb += BC) {
            int bc = Math.min(BC, t - kb), bcPad = roundUp(bc, L);
            scores(br, d, q, qo, kt, kb, t, bc, scale2, sc);
            for (int i = 0; i < br; i++) {
                int so = i * BC;
                if (mask != null) addMask(mask, b, r0 + i, kb, bc, sc, so);
                if (bc < bcPad) Arrays.fill(sc, so + bc, so + bcPad, Float.NEGATIVE_INFINITY);
                float mx = rowMax(sc, so, bcPad);
                float mOld = m[i], mNew = Math.max(mOld, mx);
                if (mNew == Float.NEGATIVE_INFINITY) {
                    // Every key so far is masked: contribute nothing (p = 0), keep m = -inf, l = 0.
                    Arrays.fill(sc, so, so + bcPad, 0f);
                    continue;
                }
                // l = l * 2^(mOld - mNew) + sum p, lane-wise; acc rescaled likewise when the max moved
                float alpha = mOld == Float.NEGATIVE_INFINITY ? 0f
                        : mNew == mOld ? 1f : exp2NonPositive(FloatVector.broadcast(S, mOld - mNew)).lane(0);
                exp2Row(sc, so, bcPad, mNew, l, i * L, alpha);
                if (alpha != 1f && mOld != Float.NEGATIVE_INFINITY) scaleRow(acc, i * ldA, ldA, alpha);
                m[i] = mNew;
            }
            pv(br, bc, e, sc, v, vo + kb * e, acc, ldA);
        }
        for (int i = 0; i < br; i++) {
            float sum = 0;
            for (int j = 0; j < L; j++) sum += l[i * L + j];      // fixed order: the same bits in every mode
            float inv = sum == 0f ? 0f : 1f / sum;
            storeRow(acc, i * ldA, inv, out, oo + i * e, e);
        }
    }

    // ---- step 1: scores ----

    /** sc[i][j - kb] = scale * q_i . k_j (scale here includes log2(e)) for rows [0, br) and keys [kb, kb + bc), padded to whole vectors. */
    private static void scores(int br, int d, float[] q, int qo, float[] kt, int kb, int t, int bc, float scale,
                               float[] sc) {
        for (int j0 = kb; j0 < kb + bc; j0 += W) {
            int n = Math.min(W, t - j0), ws = Math.min(W, roundUp(n, L));
            int ko = j0 * d, so = j0 - kb;
            int i = 0;
            for (; i + 4 <= br; i += 4) {
                int qi = qo + i * d, si = so + i * BC;
                if (ws == W) {
                    scoreTile(d, q, qi, kt, ko, sc, si, scale);
                } else {
                    for (int c = 0; c < ws; c += L) score4x1(d, q, qi, kt, ko + c, ws, sc, si + c, scale);
                }
            }
            for (; i < br; i++) {
                int qi = qo + i * d, si = so + i * BC;
                if (ws == W) {
                    score1x4(d, q, qi, kt, ko, sc, si, scale);
                } else {
                    for (int c = 0; c < ws; c += L) score1x1(d, q, qi, kt, ko + c, ws, sc, si + c, scale);
                }
            }
        }
    }

    /**
     * 4 query rows by W keys. With 32 vector registers the tile is one pass ({@link #score4x4}); with 16 it is two
     * passes of two vectors of keys ({@link #scoreHalves}), since 16 accumulators, four key vectors and a broadcast
     * would not fit and the JIT would spill on every update (as in {@link Sgemm#kernel}).
     */
    private static void scoreTile(int d, float[] q, int q0, float[] kt, int ko, float[] sc, int so, float scale) {
        if (Sgemm.SIXTEEN_REGISTERS) scoreHalves(d, q, q0, kt, ko, sc, so, scale);
        else score4x4(d, q, q0, kt, ko, sc, so, scale);
    }

    /** The 4 x W score tile as two passes over the left and right halves of the sliver's keys. */
    static void scoreHalves(int d, float[] q, int q0, float[] kt, int ko, float[] sc, int so, float scale) {
        score4x2(d, q, q0, kt, ko, sc, so, scale);
        score4x2(d, q, q0, kt, ko + 2 * L, sc, so + 2 * L, scale);
    }

    /** 4 query rows (stride d) by W keys (kt rows of stride W): 16 accumulators, d rank-1 updates. */
    static void score4x4(int d, float[] q, int q0, float[] kt, int ko, float[] sc, int so, float scale) {
        int q1 = q0 + d, q2 = q1 + d, q3 = q2 + d;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int p = 0; p < d; p++) {
            int kp = ko + p * W;
            FloatVector k0 = FloatVector.fromArray(S, kt, kp);
            FloatVector k1 = FloatVector.fromArray(S, kt, kp + L);
            FloatVector k2 = FloatVector.fromArray(S, kt, kp + 2 * L);
            FloatVector k3 = FloatVector.fromArray(S, kt, kp + 3 * L);
            FloatVector a = FloatVector.broadcast(S, q[q0 + p]);
            c00 = a.fma(k0, c00);
            c01 = a.fma(k1, c01);
            c02 = a.fma(k2, c02);
            c03 = a.fma(k3, c03);
            a = FloatVector.broadcast(S, q[q1 + p]);
            c10 = a.fma(k0, c10);
            c11 = a.fma(k1, c11);
            c12 = a.fma(k2, c12);
            c13 = a.fma(k3, c13);
            a = FloatVector.broadcast(S, q[q2 + p]);
            c20 = a.fma(k0, c20);
            c21 = a.fma(k1, c21);
            c22 = a.fma(k2, c22);
            c23 = a.fma(k3, c23);
            a = FloatVector.broadcast(S, q[q3 + p]);
            c30 = a.fma(k0, c30);
            c31 = a.fma(k1, c31);
            c32 = a.fma(k2, c32);
            c33 = a.fma(k3, c33);
        }
        int s1 = so + BC, s2 = s1 + BC, s3 = s2 + BC;
        c00.mul(scale).intoArray(sc, so);
        c01.mul(scale).intoArray(sc, so + L);
        c02.mul(scale).intoArray(sc, so + 2 * L);
        c03.mul(scale).intoArray(sc, so + 3 * L);
        c10.mul(scale).intoArray(sc, s1);
        c11.mul(scale).intoArray(sc, s1 + L);
        c12.mul(scale).intoArray(sc, s1 + 2 * L);
        c13.mul(scale).intoArray(sc, s1 + 3 * L);
        c20.mul(scale).intoArray(sc, s2);
        c21.mul(scale).intoArray(sc, s2 + L);
        c22.mul(scale).intoArray(sc, s2 + 2 * L);
        c23.mul(scale).intoArray(sc, s2 + 3 * L);
        c30.mul(scale).intoArray(sc, s3);
        c31.mul(scale).intoArray(sc, s3 + L);
        c32.mul(scale).intoArray(sc, s3 + 2 * L);
        c33.mul(scale).intoArray(sc, s3 + 3 * L);
    }

    /**
     * 4 query rows by 2 vectors of keys (kt rows of stride W, from ko): eight accumulators, two key vectors and a
     * broadcast, eleven vector registers.
     */
    private static void score4x2(int d, float[] q, int q0, float[] kt, int ko, float[] sc, int so, float scale) {
        int q1 = q0 + d, q2 = q1 + d, q3 = q2 + d;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int p = 0; p < d; p++) {
            int kp = ko + p * W;
            FloatVector k0 = FloatVector.fromArray(S, kt, kp);
            FloatVector k1 = FloatVector.fromArray(S, kt, kp + L);
            FloatVector a = FloatVector.broadcast(S, q[q0 + p]);
            c00 = a.fma(k0, c00);
            c01 = a.fma(k1, c01);
            a = FloatVector.broadcast(S, q[q1 + p]);
            c10 = a.fma(k0, c10);
            c11 = a.fma(k1, c11);
            a = FloatVector.broadcast(S, q[q2 + p]);
            c20 = a.fma(k0, c20);
            c21 = a.fma(k1, c21);
            a = FloatVector.broadcast(S, q[q3 + p]);
            c30 = a.fma(k0, c30);
            c31 = a.fma(k1, c31);
        }
        int s1 = so + BC, s2 = s1 + BC, s3 = s2 + BC;
        c00.mul(scale).intoArray(sc, so);
        c01.mul(scale).intoArray(sc, so + L);
        c10.mul(scale).intoArray(sc, s1);
        c11.mul(scale).intoArray(sc, s1 + L);
        c20.mul(scale).intoArray(sc, s2);
        c21.mul(scale).intoArray(sc, s2 + L);
        c30.mul(scale).intoArray(sc, s3);
        c31.mul(scale).intoArray(sc, s3 + L);
    }

    /** 4 query rows by one vector of keys (kt rows of stride ws); even and odd features in separate accumulators. */
    private static void score4x1(int d, float[] q, int q0, float[] kt, int ko, int ws, float[] sc, int so,
                                 float scale) {
        int q1 = q0 + d, q2 = q1 + d, q3 = q2 + d;
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, e0 = c0, e1 = c0, e2 = c0, e3 = c0;
        int p = 0;
        for (; p + 2 <= d; p += 2) {
            FloatVector k0 = FloatVector.fromArray(S, kt, ko + p * ws);
            FloatVector k1 = FloatVector.fromArray(S, kt, ko + (p + 1) * ws);
            c0 = FloatVector.broadcast(S, q[q0 + p]).fma(k0, c0);
            c1 = FloatVector.broadcast(S, q[q1 + p]).fma(k0, c1);
            c2 = FloatVector.broadcast(S, q[q2 + p]).fma(k0, c2);
            c3 = FloatVector.broadcast(S, q[q3 + p]).fma(k0, c3);
            e0 = FloatVector.broadcast(S, q[q0 + p + 1]).fma(k1, e0);
            e1 = FloatVector.broadcast(S, q[q1 + p + 1]).fma(k1, e1);
            e2 = FloatVector.broadcast(S, q[q2 + p + 1]).fma(k1, e2);
            e3 = FloatVector.broadcast(S, q[q3 + p + 1]).fma(k1, e3);
        }
        if (p < d) {
            FloatVector k0 = FloatVector.fromArray(S, kt, ko + p * ws);
            c0 = FloatVector.broadcast(S, q[q0 + p]).fma(k0, c0);
            c1 = FloatVector.broadcast(S, q[q1 + p]).fma(k0, c1);
            c2 = FloatVector.broadcast(S, q[q2 + p]).fma(k0, c2);
            c3 = FloatVector.broadcast(S, q[q3 + p]).fma(k0, c3);
        }
        c0.add(e0).mul(scale).intoArray(sc, so);
        c1.add(e1).mul(scale).intoArray(sc, so + BC);
        c2.add(e2).mul(scale).intoArray(sc, so + 2 * BC);
        c3.add(e3).mul(scale).intoArray(sc, so + 3 * BC);
    }

    /** One query row by W keys. */
    private static void score1x4(int d, float[] q, int q0, float[] kt, int ko, float[] sc, int so, float scale) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        for (int p = 0; p < d; p++) {
            int kp = ko + p * W;
            FloatVector a = FloatVector.broadcast(S, q[q0 + p]);
            c0 = a.fma(FloatVector.fromArray(S, kt, kp), c0);
            c1 = a.fma(FloatVector.fromArray(S, kt, kp + L), c1);
            c2 = a.fma(FloatVector.fromArray(S, kt, kp + 2 * L), c2);
            c3 = a.fma(FloatVector.fromArray(S, kt, kp + 3 * L), c3);
        }
        c0.mul(scale).intoArray(sc, so);
        c1.mul(scale).intoArray(sc, so + L);
        c2.mul(scale).intoArray(sc, so + 2 * L);
        c3.mul(scale).intoArray(sc, so + 3 * L);
    }

    /** One query row by one vector of keys. */
    private static void score1x1(int d, float[] q, int q0, float[] kt, int ko, int ws, float[] sc, int so,
                                 float scale) {
        FloatVector c0 = FloatVector.zero(S);
        for (int p = 0; p < d; p++) {
            c0 = FloatVector.broadcast(S, q[q0 + p]).fma(FloatVector.fromArray(S, kt, ko + p * ws), c0);
        }
        c0.mul(scale).intoArray(sc, so);
    }

    /** sc[so + j] += mask(b, i, kb + j) * log2(e) for j in [0, bc) (scores are in base 2). */
    private static void addMask(MaskView mask, int b, int i, int kb, int bc, float[] sc, int so) {
        float[] md = mask.data();
        int st = mask.strideT();
        int mo = mask.off() + b * mask.strideB() + i * mask.strideS() + kb * st;
        float log2e = (float) LOG2E;
        if (st == 1) {
            FloatVector vl = FloatVector.broadcast(S, log2e);
            int j = 0;
            for (int bound = S.loopBound(bc); j < bound; j += L) {
                FloatVector.fromArray(S, md, mo + j).fma(vl, FloatVector.fromArray(S, sc, so + j)).intoArray(sc, so + j);
            }
            for (; j < bc; j++) sc[so + j] = Math.fma(md[mo + j], log2e, sc[so + j]);
        } else if (st == 0) {
            float mv = md[mo];
            if (mv != 0f) for (int j = 0; j < bc; j++) sc[so + j] = Math.fma(mv, log2e, sc[so + j]);
        } else {
            for (int j = 0; j < bc; j++) sc[so + j] = Math.fma(md[mo + j * st], log2e, sc[so + j]);
        }
    }

    // ---- step 2: online softmax ----

    /**
     * Max of x[o .. o+n), n a multiple of the lanes. A compare-and-blend max over two accumulators: Java's
     * FloatVector.max (NaN and -0 aware) is a long dependent sequence on x86. NaN scores are skipped here.
     */
    private static float rowMax(float[] x, int o, int n) {
        FloatVector m0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), m1 = m0;
        int j = 0;
        for (; j + 2 * L <= n; j += 2 * L) {
            FloatVector a = FloatVector.fromArray(S, x, o + j), b = FloatVector.fromArray(S, x, o + j + L);
            m0 = m0.blend(a, a.compare(VectorOperators.GT, m0));
            m1 = m1.blend(b, b.compare(VectorOperators.GT, m1));
        }
        if (j < n) {
            FloatVector a = FloatVector.fromArray(S, x, o + j);
            m0 = m0.blend(a, a.compare(VectorOperators.GT, m0));
        }
        return m0.blend(m1, m1.compare(VectorOperators.GT, m0)).reduceLanes(VectorOperators.MAX);
    }

    /**
     * x = 2^(x - max) over [o, o+n), n a multiple of the lanes; the lane sums of the new x are added into
     * l[lo .. lo+L) after scaling those by alpha.
     */
    private static void exp2Row(float[] x, int o, int n, float max, float[] l, int lo, float alpha) {
        FloatVector vm = FloatVector.broadcast(S, max), sum = FloatVector.zero(S);
        for (int j = 0; j < n; j += L) {
            FloatVector p = exp2NonPositive(FloatVector.fromArray(S, x, o + j).sub(vm));
            sum = sum.add(p);
            p.intoArray(x, o + j);
        }
        FloatVector.fromArray(S, l, lo).fma(FloatVector.broadcast(S, alpha), sum).intoArray(l, lo);
    }

    private static final double LOG2E = 1.4426950408889634;
    /** 1.5 * 2^23: adding it to |v| < 2^22 rounds v to an integer, held in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    /** Below this 2^x is under the smallest normal float; the result is flushed to 0. */
    private static final float EXP2_MIN = -126f;
    /** ln(2)^i / i!, the Taylor coefficients of 2^r. */
    private static final float C1 = 0.6931471805599453f, C2 = 0.2402265069591007f, C3 = 0.05550410866482158f,
            C4 = 0.009618129107628477f, C5 = 0.0013333558146428443f, C6 = 1.5403530393381609e-4f;

    /**
     * 2^x for x <= 0 (and -inf): x = k + r with k = round(x) and |r| <= 1/2 exact, 2^r by its degree-6 Taylor
     * polynomial (relative error below 2e-7), 2^k put in the exponent bits; 0 below -126. Only adds, multiplies,
     * FMAs and bit operations: inlined in the loop (the Vector API's EXP is a stub call), and the same bits in
     * interpreted and compiled code.
     */
    private static FloatVector exp2NonPositive(FloatVector x) {
        VectorMask<Float> under = x.compare(VectorOperators.LT, EXP2_MIN);
        FloatVector xc = x.blend(EXP2_MIN, under);
        FloatVector t = xc.add(ROUND);
        FloatVector r = xc.sub(t.sub(ROUND));
        FloatVector p = FloatVector.broadcast(S, C6);
        p = p.fma(r, FloatVector.broadcast(S, C5));
        p = p.fma(r, FloatVector.broadcast(S, C4));
        p = p.fma(r, FloatVector.broadcast(S, C3));
        p = p.fma(r, FloatVector.broadcast(S, C2));
        p = p.fma(r, FloatVector.broadcast(S, C1));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        FloatVector scale = t.reinterpretAsInts().add(127 - 0x4B400000).lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        return p.mul(scale).blend(0f, under);
    }

    /** x[o .. o+n) *= a, n a multiple of the lanes. */
    private static void scaleRow(float[] x, int o, int n, float a) {
        for (int j = 0; j < n; j += L) FloatVector.fromArray(S, x, o + j).mul(a).intoArray(x, o + j);
    }

    // ---- step 3: acc += p . v ----

    /** acc (br x e, leading dim ldA) += sc (br x bc, leading dim BC) . v (bc x e, leading dim e). */
    private static void pv(int br, int bc, int e, float[] sc, float[] v, int vo, float[] acc, int ldA) {
        int c = 0;
        for (; c + W <= e; c += W) {
            int i = 0;
            for (; i + 4 <= br; i += 4) pvTile(bc, e, sc, i * BC, v, vo + c, acc, i * ldA + c, ldA);
            for (; i < br; i++) pv1x4(bc, e, sc, i * BC, v, vo + c, acc, i * ldA + c);
        }
        for (; c < e; c += L) {
            VectorMask<Float> vm = S.indexInRange(c, e);
            int i = 0;
            for (; i + 4 <= br; i += 4) pv4x1(bc, e, sc, i * BC, v, vo + c, vm, acc, i * ldA + c, ldA);
            for (; i < br; i++) pv1x1(bc, e, sc, i * BC, v, vo + c, vm, acc, i * ldA + c);
        }
    }

    /** 4 rows of p by W columns of v: one pass with 32 vector registers, two passes of two vectors with 16. */
    private static void pvTile(int bc, int e, float[] sc, int so, float[] v, int vo, float[] acc, int ao, int ldA) {
        if (Sgemm.SIXTEEN_REGISTERS) pvHalves(bc, e, sc, so, v, vo, acc, ao, ldA);
        else pv4x4(bc, e, sc, so, v, vo, acc, ao, ldA);
    }

    /** The 4 x W PV tile as two passes over the left and right halves of the columns. */
    static void pvHalves(int bc, int e, float[] sc, int so, float[] v, int vo, float[] acc, int ao, int ldA) {
        pv4x2(bc, e, sc, so, v, vo, acc, ao, ldA);
        pv4x2(bc, e, sc, so, v, vo + 2 * L, acc, ao + 2 * L, ldA);
    }

    /** 4 rows of p by W columns of v: 16 accumulators, bc rank-1 updates. */
    static void pv4x4(int bc, int e, float[] sc, int so, float[] v, int vo, float[] acc, int ao, int ldA) {
        int a1 = ao + ldA, a2 = a1 + ldA, a3 = a2 + ldA;
        int s1 = so + BC, s2 = s1 + BC, s3 = s2 + BC;
        FloatVector c00 = FloatVector.fromArray(S, acc, ao), c01 = FloatVector.fromArray(S, acc, ao + L);
        FloatVector c02 = FloatVector.fromArray(S, acc, ao + 2 * L), c03 = FloatVector.fromArray(S, acc, ao + 3 * L);
        FloatVector c10 = FloatVector.fromArray(S, acc, a1), c11 = FloatVector.fromArray(S, acc, a1 + L);
        FloatVector c12 = FloatVector.fromArray(S, acc, a1 + 2 * L), c13 = FloatVector.fromArray(S, acc, a1 + 3 * L);
        FloatVector c20 = FloatVector.fromArray(S, acc, a2), c21 = FloatVector.fromArray(S, acc, a2 + L);
        FloatVector c22 = FloatVector.fromArray(S, acc, a2 + 2 * L), c23 = FloatVector.fromArray(S, acc, a2 + 3 * L);
        FloatVector c30 = FloatVector.fromArray(S, acc, a3), c31 = FloatVector.fromArray(S, acc, a3 + L);
        FloatVector c32 = FloatVector.fromArray(S, acc, a3 + 2 * L), c33 = FloatVector.fromArray(S, acc, a3 + 3 * L);
        for (int j = 0; j < bc; j++) {
            int vj = vo + j * e;
            FloatVector v0 = FloatVector.fromArray(S, v, vj);
            FloatVector v1 = FloatVector.fromArray(S, v, vj + L);
            FloatVector v2 = FloatVector.fromArray(S, v, vj + 2 * L);
            FloatVector v3 = FloatVector.fromArray(S, v, vj + 3 * L);
            FloatVector p = FloatVector.broadcast(S, sc[so + j]);
            c00 = p.fma(v0, c00);
            c01 = p.fma(v1, c01);
            c02 = p.fma(v2, c02);
            c03 = p.fma(v3, c03);
            p = FloatVector.broadcast(S, sc[s1 + j]);
            c10 = p.fma(v0, c10);
            c11 = p.fma(v1, c11);
            c12 = p.fma(v2, c12);
            c13 = p.fma(v3, c13);
            p = FloatVector.broadcast(S, sc[s2 + j]);
            c20 = p.fma(v0, c20);
            c21 = p.fma(v1, c21);
            c22 = p.fma(v2, c22);
            c23 = p.fma(v3, c23);
            p = FloatVector.broadcast(S, sc[s3 + j]);
            c30 = p.fma(v0, c30);
            c31 = p.fma(v1, c31);
            c32 = p.fma(v2, c32);
            c33 = p.fma(v3, c33);
        }
        c00.intoArray(acc, ao);
        c01.intoArray(acc, ao + L);
        c02.intoArray(acc, ao + 2 * L);
        c03.intoArray(acc, ao + 3 * L);
        c10.intoArray(acc, a1);
        c11.intoArray(acc, a1 + L);
        c12.intoArray(acc, a1 + 2 * L);
        c13.intoArray(acc, a1 + 3 * L);
        c20.intoArray(acc, a2);
        c21.intoArray(acc, a2 + L);
        c22.intoArray(acc, a2 + 2 * L);
        c23.intoArray(acc, a2 + 3 * L);
        c30.intoArray(acc, a3);
        c31.intoArray(acc, a3 + L);
        c32.intoArray(acc, a3 + 2 * L);
        c33.intoArray(acc, a3 + 3 * L);
    }

    /** 4 rows of p by 2 vectors of columns of v: eight accumulators, two v vectors and a broadcast. */
    private static void pv4x2(int bc, int e, float[] sc, int so, float[] v, int vo, float[] acc, int ao, int ldA) {
        int a1 = ao + ldA, a2 = a1 + ldA, a3 = a2 + ldA;
        int s1 = so + BC, s2 = s1 + BC, s3 = s2 + BC;
        FloatVector c00 = FloatVector.fromArray(S, acc, ao), c01 = FloatVector.fromArray(S, acc, ao + L);
        FloatVector c10 = FloatVector.fromArray(S, acc, a1), c11 = FloatVector.fromArray(S, acc, a1 + L);
        FloatVector c20 = FloatVector.fromArray(S, acc, a2), c21 = FloatVector.fromArray(S, acc, a2 + L);
        FloatVector c30 = FloatVector.fromArray(S, acc, a3), c31 = FloatVector.fromArray(S, acc, a3 + L);
        for (int j = 0; j < bc; j++) {
            int vj = vo + j * e;
            FloatVector v0 = FloatVector.fromArray(S, v, vj);
            FloatVector v1 = FloatVector.fromArray(S, v, vj + L);
            FloatVector p = FloatVector.broadcast(S, sc[so + j]);
            c00 = p.fma(v0, c00);
            c01 = p.fma(v1, c01);
            p = FloatVector.broadcast(S, sc[s1 + j]);
            c10 = p.fma(v0, c10);
            c11 = p.fma(v1, c11);
            p = FloatVector.broadcast(S, sc[s2 + j]);
            c20 = p.fma(v0, c20);
            c21 = p.fma(v1, c21);
            p = FloatVector.broadcast(S, sc[s3 + j]);
            c30 = p.fma(v0, c30);
            c31 = p.fma(v1, c31);
        }
        c00.intoArray(acc, ao);
        c01.intoArray(acc, ao + L);
        c10.intoArray(acc, a1);
        c11.intoArray(acc, a1 + L);
        c20.intoArray(acc, a2);
        c21.intoArray(acc, a2 + L);
        c30.intoArray(acc, a3);
        c31.intoArray(acc, a3 + L);
    }

    /** One row of p by W columns of v. */
    private static void pv1x4(int bc, int e, float[] sc, int so, float[] v, int vo, float[] acc, int ao) {
        FloatVector c0 = FloatVector.fromArray(S, acc, ao), c1 = FloatVector.fromArray(S, acc, ao + L);
        FloatVector c2 = FloatVector.fromArray(S, acc, ao + 2 * L), c3 = FloatVector.fromArray(S, acc, ao + 3 * L);
        for (int j = 0; j < bc; j++) {
            int vj = vo + j * e;
            FloatVector p = FloatVector.broadcast(S, sc[so + j]);
            c0 = p.fma(FloatVector.fromArray(S, v, vj), c0);
            c1 = p.fma(FloatVector.fromArray(S, v, vj + L), c1);
            c2 = p.fma(FloatVector.fromArray(S, v, vj + 2 * L), c2);
            c3 = p.fma(FloatVector.fromArray(S, v, vj + 3 * L), c3);
        }
        c0.intoArray(acc, ao);
        c1.intoArray(acc, ao + L);
        c2.intoArray(acc, ao + 2 * L);
        c3.intoArray(acc, ao + 3 * L);
    }

    /** 4 rows of p by one (possibly partial, per vm) vector of v columns. */
    private static void pv4x1(int bc, int e, float[] sc, int so, float[] v, int vo, VectorMask<Float> vm,
                              float[] acc, int ao, int ldA) {
        int a1 = ao + ldA, a2 = a1 + ldA, a3 = a2 + ldA;
        int s1 = so + BC, s2 = s1 + BC, s3 = s2 + BC;
        FloatVector c0 = FloatVector.fromArray(S, acc, ao), c1 = FloatVector.fromArray(S, acc, a1);
        FloatVector c2 = FloatVector.fromArray(S, acc, a2), c3 = FloatVector.fromArray(S, acc, a3);
        for (int j = 0; j < bc; j++) {
            FloatVector v0 = FloatVector.fromArray(S, v, vo + j * e, vm);
            c0 = FloatVector.broadcast(S, sc[so + j]).fma(v0, c0);
            c1 = FloatVector.broadcast(S, sc[s1 + j]).fma(v0, c1);
            c2 = FloatVector.broadcast(S, sc[s2 + j]).fma(v0, c2);
            c3 = FloatVector.broadcast(S, sc[s3 + j]).fma(v0, c3);
        }
        c0.intoArray(acc, ao);
        c1.intoArray(acc, a1);
        c2.intoArray(acc, a2);
        c3.intoArray(acc, a3);
    }

    /** One row of p by one (possibly partial) vector of v columns. */
    private static void pv1x1(int bc, int e, float[] sc, int so, float[] v, int vo, VectorMask<Float> vm,
                              float[] acc, int ao) {
        FloatVector c0 = FloatVector.fromArray(S, acc, ao);
        for (int j = 0; j < bc; j++) {
            c0 = FloatVector.broadcast(S, sc[so + j]).fma(FloatVector.fromArray(S, v, vo + j * e, vm), c0);
        }
        c0.intoArray(acc, ao);
    }

    /** out[oo .. oo+e) = acc[ao ..] * inv. */
    private static void storeRow(float[] acc, int ao, float inv, float[] out, int oo, int e) {
        int c = 0;
        for (int bound = S.loopBound(e); c < bound; c += L) {
            FloatVector.fromArray(S, acc, ao + c).mul(inv).intoArray(out, oo + c);
        }
        for (; c < e; c++) out[oo + c] = acc[ao + c] * inv;
    }

    // ---- reference ----

    /**
     * The oracle: the same contract as {@link #forward}, computed naively row by row in double (one t-long score row
     * at a time).
     */
    public static void forwardReference(Dims dims, Floats q, Floats k, Floats v, MaskView mask, float scale,
                                        Floats out) {
        int bh = dims.bh(), s = dims.s(), t = dims.t(), d = dims.d(), e = dims.e();
        float[] qd = q.data(), kd = k.data(), vd = v.data(), od = out.data();
        int qOff = q.off(), kOff = k.off(), vOff = v.off(), outOff = out.off();
        double[] sc = new double[t];
        for (int b = 0; b < bh; b++) {
            for (int i = 0; i < s; i++) {
                int qi = qOff + (b * s + i) * d;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < t; j++) {
                    int kj = kOff + (b * t + j) * d;
                    double dot = 0;
                    for (int p = 0; p < d; p++) dot += (double) qd[qi + p] * kd[kj + p];
                    double z = dot * scale;
                    if (mask != null) z += mask.at(b, i, j);
                    sc[j] = z;
                    max = Math.max(max, z);
                }
                int oi = outOff + (b * s + i) * e;
                if (max == Double.NEGATIVE_INFINITY) {
                    Arrays.fill(od, oi, oi + e, 0f);
                    continue;
                }
                double sum = 0;
                for (int j = 0; j < t; j++) {
                    sc[j] = Math.exp(sc[j] - max);
                    sum += sc[j];
                }
                for (int c = 0; c < e; c++) {
                    double o = 0;
                    for (int j = 0; j < t; j++) o += sc[j] * vd[vOff + (b * t + j) * e + c];
                    od[oi + c] = (float) (o / sum);
                }
            }
        }
    }
}

package org.svdd.kernels;

import org.junit.jupiter.api.Test;
import org.svdd.kernels.AttentionKernel.MaskView;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.svdd.kernels.ElementwiseKernelsTest.assertClose;
import static org.svdd.kernels.ElementwiseKernelsTest.output;
import static org.svdd.kernels.ElementwiseKernelsTest.random;

/**
 * The fused attention kernel against the naive double-precision twin: shapes that hit the row tails (s not a
 * multiple of 4 or of the row block), the key tails (t not a multiple of the lanes, of the sliver or of the softmax
 * block), d = 1, odd e; nonzero offsets; masks full, broadcast (stride 0) and strided, with fully masked rows and
 * fully masked key blocks. Tolerance {@link ElementwiseKernelsTest#ATOL} + {@link ElementwiseKernelsTest#RTOL} * |want|.
 */
class AttentionKernelTest {
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    /** bh, s, t, d, e. */
    private static final int[][] SHAPES = {
            {1, 1, 1, 1, 1}, {1, 1, 1, 1, 17}, {2, 1, 5, 3, 17}, {1, 5, 1, 8, 4}, {2, 3, 17, 1, 16},
            {1, 4, 16, 16, 16}, {3, 7, 33, 5, 33}, {2, 37, 129, 33, 17}, {1, 33, 64, 64, 64}, {2, 64, 200, 64, 64},
            {1, 9, 65, 7, 80}, {2, 50, 300, 20, 100}, {1, 3, 257, 2, 1}, {4, 100, 100, 64, 64}};

    private record Case(int bh, int s, int t, int d, int e, float[] q, float[] k, float[] v, int qo, int ko, int vo,
                        int oo, float scale) {
        String shape() {
            return "(bh=" + bh + ", s=" + s + ", t=" + t + ", d=" + d + ", e=" + e + ")";
        }

        AttentionKernel.Dims dims() {
            return new AttentionKernel.Dims(bh, s, t, d, e);
        }

        Floats qf() {
            return new Floats(q, qo);
        }

        Floats kf() {
            return new Floats(k, ko);
        }

        Floats vf() {
            return new Floats(v, vo);
        }
    }

    private static Case randomCase(SplittableRandom rnd, int[] sh, double amplitude) {
        int bh = sh[0], s = sh[1], t = sh[2], d = sh[3], e = sh[4];
        int qo = 1 + rnd.nextInt(5), ko = rnd.nextInt(5), vo = 2, oo = 3;
        float[] q = random(rnd, qo, bh * s * d, -amplitude, amplitude);
        float[] k = random(rnd, ko, bh * t * d, -amplitude, amplitude);
        float[] v = random(rnd, vo, bh * t * e, -1, 1);
        return new Case(bh, s, t, d, e, q, k, v, qo, ko, vo, oo, (float) (1 / Math.sqrt(Math.max(d, 1))));
    }

    private static void check(String what, Case c, MaskView mask) {
        int n = c.bh * c.s * c.e;
        float[] got = output(c.oo, n), want = output(c.oo, n);
        AttentionKernel.forward(c.dims(), c.qf(), c.kf(), c.vf(), mask, c.scale, new Floats(got, c.oo));
        AttentionKernel.forwardReference(c.dims(), c.qf(), c.kf(), c.vf(), mask, c.scale, new Floats(want, c.oo));
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(got[c.oo + i])) fail(what + " " + c.shape() + ": NaN at output index " + i);
        }
        assertClose(what + " " + c.shape(), got, want, c.oo, n);
    }

    @Test
    void unmaskedMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(201);
        for (int[] sh : SHAPES) check("no mask", randomCase(rnd, sh, 1), null);
    }

    @Test
    void largeScoresStayStable() {
        // scores of several hundred: the online max must keep exp in range
        SplittableRandom rnd = new SplittableRandom(202);
        for (int[] sh : new int[][]{{2, 13, 300, 16, 24}, {1, 40, 129, 64, 64}}) {
            check("large scores", randomCase(rnd, sh, 12), null);
        }
    }

    @Test
    void fullMaskWithMaskedRowsAndBlocks() {
        SplittableRandom rnd = new SplittableRandom(203);
        for (int[] sh : SHAPES) {
            Case c = randomCase(rnd, sh, 1);
            int bh = c.bh, s = c.s, t = c.t, mo = 4;
            float[] m = random(rnd, mo, bh * s * t, -2, 1);
            for (int b = 0; b < bh; b++)
                for (int i = 0; i < s; i++) {
                    int row = mo + (b * s + i) * t;
                    if (i % 3 == 1) Arrays.fill(m, row, row + t, NEG_INF);                 // fully masked row
                    else if (i % 3 == 2) Arrays.fill(m, row, row + Math.min(t - 1, 130), NEG_INF); // leading keys masked
                    else for (int j = 0; j < t; j += 2) m[row + j] = NEG_INF;              // every other key
                }
            check("full mask", c, new MaskView(m, mo, s * t, t, 1));
        }
    }

    @Test
    void broadcastMasks() {
        SplittableRandom rnd = new SplittableRandom(204);
        for (int[] sh : SHAPES) {
            Case c = randomCase(rnd, sh, 1);
            int bh = c.bh, s = c.s, t = c.t;
            // causal (s, t) shared by all batch-heads: strideB = 0
            float[] causal = new float[s * t];
            for (int i = 0; i < s; i++)
                for (int j = 0; j < t; j++) causal[i * t + j] = j > i + (t - s) ? NEG_INF : 0f;
            check("causal mask, strideB 0", c, new MaskView(causal, 0, 0, t, 1));
            // key padding (bh, t) shared by all rows: strideS = 0; batch-head 0 has every key masked
            float[] pad = random(rnd, 1, bh * t, -1, 1);
            for (int b = 0; b < bh; b++)
                for (int j = 0; j < t; j++) if (b == 0 || j % 4 == 3) pad[1 + b * t + j] = NEG_INF;
            check("key padding mask, strideS 0", c, new MaskView(pad, 1, t, 0, 1));
            // per-row bias (bh, s) constant over keys: strideT = 0, some rows -inf
            float[] rowBias = random(rnd, 0, bh * s, -1, 1);
            for (int r = 0; r < bh * s; r += 2) rowBias[r] = NEG_INF;
            check("row mask, strideT 0", c, new MaskView(rowBias, 0, s, 1, 0));
            // one scalar for everything: all strides 0
            check("scalar mask", c, new MaskView(new float[]{0.75f}, 0, 0, 0, 0));
            check("scalar -inf mask", c, new MaskView(new float[]{NEG_INF}, 0, 0, 0, 0));
            // strided: a (t, s) array read transposed, strideT = s
            float[] tr = random(rnd, 0, bh * t * s, -2, 2);
            for (int x = 0; x < tr.length; x += 5) tr[x] = NEG_INF;
            check("transposed mask, strideT s", c, new MaskView(tr, 0, t * s, 1, s));
        }
    }

    @Test
    void fullyMaskedGivesZero() {
        SplittableRandom rnd = new SplittableRandom(205);
        Case c = randomCase(rnd, new int[]{2, 9, 70, 8, 17}, 1);
        float[] out = new float[c.bh * c.s * c.e];
        Arrays.fill(out, 5f);
        AttentionKernel.forward(c.dims(), c.qf(), c.kf(), c.vf(), new MaskView(new float[]{NEG_INF}, 0, 0, 0, 0), c.scale,
                Floats.of(out));
        for (int i = 0; i < out.length; i++) assertEquals(0f, out[i], "output " + i + " of a fully masked call");
    }

    @Test
    void emptyShapes() {
        // t = 0: no keys, every row is "fully masked" and gives 0; s = 0 or bh = 0 or e = 0: nothing to write
        float[] q = {1, 2, 3, 4}, v = new float[0], k = new float[0];
        float[] out = new float[2 * 3];
        Arrays.fill(out, 7f);
        AttentionKernel.forward(new AttentionKernel.Dims(1, 2, 0, 2, 3), Floats.of(q), Floats.of(k), Floats.of(v), null, 1f, Floats.of(out));
        for (float o : out) assertEquals(0f, o);
        float[] ref = new float[2 * 3];
        AttentionKernel.forwardReference(new AttentionKernel.Dims(1, 2, 0, 2, 3), Floats.of(q), Floats.of(k), Floats.of(v), null, 1f,
                Floats.of(ref));
        for (float o : ref) assertEquals(0f, o);
        float[] untouched = {9f};
        AttentionKernel.forward(new AttentionKernel.Dims(0, 2, 3, 2, 3), Floats.of(q), Floats.of(k), Floats.of(v), null, 1f, Floats.of(untouched));
        AttentionKernel.forward(new AttentionKernel.Dims(1, 0, 3, 2, 3), Floats.of(q), Floats.of(k), Floats.of(v), null, 1f, Floats.of(untouched));
        AttentionKernel.forward(new AttentionKernel.Dims(1, 1, 1, 2, 0), Floats.of(q), Floats.of(new float[2]), Floats.of(v), null, 1f,
                Floats.of(untouched));
        assertEquals(9f, untouched[0]);
        // d = 0: every score is 0 (+ mask), so the output is the mean of v
        SplittableRandom rnd = new SplittableRandom(206);
        Case c = randomCase(rnd, new int[]{2, 5, 19, 0, 18}, 1);
        check("d = 0", c, null);
    }

    @Test
    void benchmarkShapeMatchesReference() {
        // the benchmarked shape: batch 32 x 4 heads (here 8 batch-heads to keep the oracle quick), seq 200, head dim 64
        SplittableRandom rnd = new SplittableRandom(208);
        check("benchmark shape", randomCase(rnd, new int[]{8, 200, 200, 64, 64}, 2), null);
    }

    @Test
    void bothTileFormsMatchPlainLoops() {
        // The score and PV register tiles (4 rows by W = 4 vectors) in their one-pass form and in the two-pass form
        // that CPUs with 16 vector registers run, against double loops; only one form is live on a given CPU.
        SplittableRandom rnd = new SplittableRandom(209);
        int w = AttentionKernel.W, bcStride = AttentionKernel.BC;
        float scale = 0.37f;
        for (int d : new int[]{1, 3, 16, 37}) {
            // scores: sc[i][j] = scale * q_i . k_j, q rows of stride d, kt[p][j] rows of stride W, sc rows of stride BC
            int qo = 2, ko = 5, so = 3, n = 3 * bcStride + w;
            float[] q = random(rnd, qo, 4 * d, -0.5, 0.5), kt = random(rnd, ko, d * w, -0.5, 0.5);
            float[] want = output(so, n), one = output(so, n), halves = output(so, n);
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < w; j++) {
                    double dot = 0;
                    for (int p = 0; p < d; p++) dot += (double) q[qo + i * d + p] * kt[ko + p * w + j];
                    want[so + i * bcStride + j] = (float) (scale * dot);
                }
            AttentionKernel.score4x4(d, q, qo, kt, ko, one, so, scale);
            AttentionKernel.scoreHalves(d, q, qo, kt, ko, halves, so, scale);
            assertClose("one-pass score tile, d = " + d, one, want, so, n);
            assertClose("two-pass score tile, d = " + d, halves, want, so, n);
        }
        for (int bc : new int[]{1, 2, 9, bcStride}) {
            // acc[i][c] += sum_j p[i][j] v[j][c], p rows of stride BC, v rows of stride e, acc rows of stride ldA
            int e = w + 5, ldA = w + 3, so = 1, vo = 4, ao = 2, n = 3 * ldA + w;
            float[] p = random(rnd, so, 3 * bcStride + bc, 0, 1), v = random(rnd, vo, bc * e, -1, 1);
            float[] acc = random(rnd, ao, n, -1, 1), want = acc.clone(), one = acc.clone(), halves = acc.clone();
            for (int i = 0; i < 4; i++)
                for (int c = 0; c < w; c++) {
                    double sum = acc[ao + i * ldA + c];
                    for (int j = 0; j < bc; j++) sum += (double) p[so + i * bcStride + j] * v[vo + j * e + c];
                    want[ao + i * ldA + c] = (float) sum;
                }
            AttentionKernel.pv4x4(bc, e, p, so, v, vo, one, ao, ldA);
            AttentionKernel.pvHalves(bc, e, p, so, v, vo, halves, ao, ldA);
            assertClose("one-pass PV tile, bc = " + bc, one, want, ao, n);
            assertClose("two-pass PV tile, bc = " + bc, halves, want, ao, n);
        }
    }
}

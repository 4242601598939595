package org.svdd.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused scaled dot-product attention, out = softmax(q k^T * scale + mask) v, flash-attention style: for a block of
 * BR query rows, key blocks of BC are visited once; scores for the block come from {@link Sgemm}, a running max m and
 * sum l per row rescale the output accumulator (online softmax), and P·V is accumulated with Sgemm. Memory per thread
 * is BR x BC scores plus BR x e outputs; no s x t matrix exists.
 */
public final class AttentionKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int BR = 64;
    private static final int BC = 256;

    /** Additive mask element (b, i, j) at {@code data[off + b*strideB + i*strideS + j*strideT]}; strides may be 0. */
    public record MaskView(float[] data, int off, int strideB, int strideS, int strideT) {
    }

    private static final class Scratch {
        float[] scores = new float[0];
        float[] acc = new float[0];
        final float[] m = new float[BR];
        final float[] l = new float[BR];

        void ensure(int e) {
            if (scores.length < BR * BC) scores = new float[BR * BC];
            if (acc.length < BR * e) acc = new float[BR * e];
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private AttentionKernel() {
    }

    /** q (b, s, d), k (b, t, d), v (b, t, e) from their offsets; out (b, s, e) from 0. Fully masked rows give 0. */
    public static void forward(float[] q, int qo, float[] k, int ko, float[] v, int vo, MaskView mask,
                               float[] out, int b, int s, int t, int d, int e, float scale) {
        int rowBlocks = (s + BR - 1) / BR;
        Parallel.forRange(b * rowBlocks, (t0, t1) -> {
            Scratch w = SCRATCH.get();
            w.ensure(e);
            for (int task = t0; task < t1; task++) {
                int bi = task / rowBlocks, r0 = (task % rowBlocks) * BR, br = Math.min(BR, s - r0);
                rowBlock(q, qo + (bi * s + r0) * d, k, ko + bi * t * d, v, vo + bi * t * e, mask, bi, r0,
                        out, (bi * s + r0) * e, br, t, d, e, scale, w);
            }
        });
    }

    private static void rowBlock(float[] q, int qo, float[] k, int ko, float[] v, int vo, MaskView mask, int bi, int r0,
                                 float[] out, int oo, int br, int t, int d, int e, float scale, Scratch w) {
        float[] sc = w.scores, acc = w.acc, m = w.m, l = w.l;
        java.util.Arrays.fill(acc, 0, br * e, 0f);
        java.util.Arrays.fill(m, 0, br, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(l, 0, br, 0f);
        for (int kb = 0; kb < t; kb += BC) {
            int bc = Math.min(BC, t - kb);
            // scores (br, bc) = q_block (br, d) · k_block^T (d, bc)
            Sgemm.sgemm(br, bc, d, q, qo, d, 1, k, ko + kb * d, 1, d, sc, 0, bc, false);
            for (int i = 0; i < br; i++) {
                int row = i * bc;
                if (mask == null) {
                    ElementwiseKernels.binary(org.svdd.tensor.BinaryOp.MUL, sc, row, scale, sc, row, bc);
                } else {
                    int mo = mask.off() + bi * mask.strideB() + (r0 + i) * mask.strideS() + kb * mask.strideT();
                    for (int j = 0; j < bc; j++) sc[row + j] = sc[row + j] * scale + mask.data()[mo + j * mask.strideT()];
                }
                float blockMax = ElementwiseKernels.max(sc, row, bc);
                float mNew = Math.max(m[i], blockMax);
                if (mNew == Float.NEGATIVE_INFINITY) {
                    java.util.Arrays.fill(sc, row, row + bc, 0f);
                    continue;
                }
                float alpha = m[i] == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(m[i] - mNew);
                l[i] = l[i] * alpha + expInPlace(sc, row, bc, mNew);
                m[i] = mNew;
                if (alpha != 1f) ElementwiseKernels.binary(org.svdd.tensor.BinaryOp.MUL, acc, i * e, alpha, acc, i * e, e);
            }
            // acc (br, e) += p (br, bc) · v_block (bc, e)
            Sgemm.sgemm(br, e, bc, sc, 0, bc, 1, v, vo + kb * e, e, 1, acc, 0, e, true);
        }
        for (int i = 0; i < br; i++) {
            float inv = l[i] == 0f ? 0f : 1f / l[i];
            ElementwiseKernels.binary(org.svdd.tensor.BinaryOp.MUL, acc, i * e, inv, out, oo + i * e, e);
        }
    }

    /** x[o + j] = exp(x[o + j] - max); returns the sum. */
    private static float expInPlace(float[] x, int o, int n, float max) {
        FloatVector vm = FloatVector.broadcast(S, max), sum = FloatVector.zero(S);
        int j = 0;
        for (int bound = S.loopBound(n); j < bound; j += S.length()) {
            FloatVector p = VectorMath.exp(FloatVector.fromArray(S, x, o + j).sub(vm));
            sum = sum.add(p);
            p.intoArray(x, o + j);
        }
        float s = VectorMath.sumLanes(sum);
        for (; j < n; j++) {
            float p = (float) Math.exp(x[o + j] - max);
            x[o + j] = p;
            s += p;
        }
        return s;
    }
}

package org.svdd.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Transcendentals and lane sums built from +, *, fma and bit operations only. The Vector API's own EXP/TANH and
 * float reduceLanes(ADD) may round differently in interpreted and JIT-compiled code, which would make the same seed
 * give different samples depending on warm-up; these give the same bits in every execution mode.
 */
public final class VectorMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f;            // 1.5 * 2^23: adding it rounds to an integer
    private static final float MAX_X = 88.3762626647949f;
    private static final float MIN_X = -87.3365447504019f;

    private VectorMath() {
    }

    /**
     * e^x: k = round(x / ln 2), r = x - k ln 2 (Cody-Waite, two parts), e^r by its degree-6 Taylor polynomial,
     * times 2^k built in the exponent bits. Relative error about 2e-7; 0 below -87.3, +inf above 88.4.
     */
    public static FloatVector exp(FloatVector x) {
        VectorMask<Float> under = x.compare(VectorOperators.LT, MIN_X), over = x.compare(VectorOperators.GT, MAX_X);
        FloatVector xc = x.max(MIN_X).min(MAX_X);
        FloatVector t = xc.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, ROUND));
        FloatVector k = t.sub(ROUND);
        FloatVector r = k.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = k.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, 1f / 720);
        p = p.fma(r, FloatVector.broadcast(S, 1f / 120));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 24));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 6));
        p = p.fma(r, FloatVector.broadcast(S, 0.5f));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        IntVector ki = t.reinterpretAsInts().sub(0x4B400000);                               // the integer k
        FloatVector scale = ki.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector y = p.mul(scale);
        y = y.blend(0f, under);
        y = y.blend(Float.POSITIVE_INFINITY, over);
        return y.blend(x, x.test(VectorOperators.IS_NAN));
    }

    /** tanh(x) = 1 - 2 / (e^{2x} + 1), with |x| > 9 saturating to +-1. */
    public static FloatVector tanh(FloatVector x) {
        FloatVector e = exp(x.mul(2f).max(-18f).min(18f));
        return FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(e.add(1f)));
    }

    /** The lanes of v summed left to right in float. */
    public static float sumLanes(FloatVector v) {
        float[] a = new float[S.length()];
        v.intoArray(a, 0);
        float s = 0;
        for (float f : a) s += f;
        return s;
    }
}

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

    private static final float SQRT_HALF = 0.707106781186547524f;
    private static final float[] LOG_P = {7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f, -1.2420140846E-1f,
            1.4249322787E-1f, -1.6668057665E-1f, 2.0000714765E-1f, -2.4999993993E-1f, 3.3333331174E-1f};

    /**
     * ln x (Cephes logf): x = m 2^e with m in [sqrt(1/2), sqrt(2)), ln x = e ln 2 + ln m, ln(1 + f) by a degree-9
     * polynomial. About 1 ulp for normal x; ln 0 = -inf, ln of a negative number is NaN, ln inf = inf.
     */
    public static FloatVector log(FloatVector x) {
        IntVector bits = x.reinterpretAsInts();
        FloatVector e = bits.lanewise(VectorOperators.LSHR, 23).and(0xff).sub(126).convert(VectorOperators.I2F, 0).reinterpretAsFloats();
        FloatVector m = bits.and(0x807fffff).or(0x3f000000).reinterpretAsFloats();             // [0.5, 1)
        VectorMask<Float> small = m.compare(VectorOperators.LT, SQRT_HALF);
        e = e.sub(FloatVector.zero(S).blend(1f, small));
        m = m.add(m.blend(0f, small.not())).sub(1f);                                            // m - 1, or 2m - 1
        FloatVector z = m.mul(m);
        FloatVector p = FloatVector.broadcast(S, LOG_P[0]);
        for (int i = 1; i < LOG_P.length; i++) p = p.fma(m, FloatVector.broadcast(S, LOG_P[i]));
        FloatVector y = p.mul(m).mul(z);
        y = e.fma(FloatVector.broadcast(S, -2.12194440e-4f), y);
        y = z.fma(FloatVector.broadcast(S, -0.5f), y);
        FloatVector r = m.add(y);
        r = e.fma(FloatVector.broadcast(S, 0.693359375f), r);
        r = r.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
        r = r.blend(Float.NaN, x.compare(VectorOperators.LT, 0f));
        r = r.blend(x, x.test(VectorOperators.IS_NAN).or(x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY)));
        return r;
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

package org.svdd.kernels;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The deterministic vector exp and tanh against Math in double, over their whole range and the special values. */
class VectorMathTest {
    private static final int L = FloatVector.SPECIES_PREFERRED.length();

    private static float[] apply(boolean tanh, float[] x) {
        return apply(tanh ? VectorMath::tanh : VectorMath::exp, x);
    }

    private static float[] apply(java.util.function.UnaryOperator<FloatVector> f, float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += L) f.apply(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, i)).intoArray(y, i);
        return y;
    }

    @Test
    void logIsAccurateEverywhere() {
        float[] x = new float[L * 4000];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.exp(-80 + 160.0 * i / x.length);
        float[] y = apply(VectorMath::log, x);
        for (int i = 0; i < x.length; i++) assertEquals(Math.log(x[i]), y[i], 2e-7 * Math.max(1, Math.abs(Math.log(x[i]))), "log(" + x[i] + ")");
        float[] special = new float[L];
        special[0] = 0f;
        special[1] = -1f;
        special[2] = Float.POSITIVE_INFINITY;
        special[3] = Float.NaN;
        special[4] = 1f;
        float[] s = apply(VectorMath::log, special);
        assertEquals(Float.NEGATIVE_INFINITY, s[0]);
        assertTrue(Float.isNaN(s[1]));
        assertEquals(Float.POSITIVE_INFINITY, s[2]);
        assertTrue(Float.isNaN(s[3]));
        assertEquals(0f, s[4]);
    }

    @Test
    void expIsAccurateEverywhere() {
        float[] x = new float[L * 4000];
        for (int i = 0; i < x.length; i++) x[i] = -87f + 175f * i / x.length;
        float[] y = apply(false, x);
        for (int i = 0; i < x.length; i++) {
            double want = Math.exp(x[i]);
            assertEquals(want, y[i], 4e-7 * want, "exp(" + x[i] + ")");
        }
        float[] special = new float[L];
        special[0] = Float.NEGATIVE_INFINITY;
        special[1] = Float.POSITIVE_INFINITY;
        special[2] = Float.NaN;
        special[3] = -100f;
        special[4] = 0f;
        float[] s = apply(false, special);
        assertEquals(0f, s[0]);
        assertEquals(Float.POSITIVE_INFINITY, s[1]);
        assertTrue(Float.isNaN(s[2]));
        assertEquals(0f, s[3]);
        assertEquals(1f, s[4]);
    }

    @Test
    void tanhIsAccurateEverywhere() {
        float[] x = new float[L * 2000];
        for (int i = 0; i < x.length; i++) x[i] = -12f + 24f * i / x.length;
        float[] y = apply(true, x);
        for (int i = 0; i < x.length; i++) assertEquals(Math.tanh(x[i]), y[i], 3e-7, "tanh(" + x[i] + ")");
    }

    @Test
    void sumLanesIsLeftToRight() {
        float[] a = new float[L];
        a[0] = 1e8f;
        for (int i = 1; i < L; i++) a[i] = 1f;
        float expected = 0;
        for (float f : a) expected += f;
        assertEquals(expected, VectorMath.sumLanes(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, a, 0)));
    }
}

package org.svdd.kernels;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The deterministic vector exp and tanh against Math in double, over their whole range and the special values. */
class VectorMathTest {
    private static final int L = FloatVector.SPECIES_PREFERRED.length();

    private static float[] apply(boolean tanh, float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += L) {
            FloatVector v = FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, i);
            (tanh ? VectorMath.tanh(v) : VectorMath.exp(v)).intoArray(y, i);
        }
        return y;
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

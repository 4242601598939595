package org.svdd.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.svdd.tensor.BinaryOp;
import org.svdd.tensor.UnaryOp;

/**
 * Vector API loops over contiguous float runs: unary ops and their backward, binary ops (vector-vector,
 * vector-scalar, scalar-vector), sums and maxima. Each loop runs {@code SPECIES.loopBound} lanes at a time and
 * finishes the tail with the op's scalar definition in {@link UnaryOp}/{@link BinaryOp}, the reference.
 * Transcendentals come from {@link VectorMath}, so results do not depend on JIT state; LOG runs scalar.
 */
public final class ElementwiseKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float GELU_C = (float) Math.sqrt(2.0 / Math.PI);

    private ElementwiseKernels() {
    }

    /** y[i] = op(x[i]) for i in [0, n). */
    public static void unary(UnaryOp op, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = op == UnaryOp.LOG ? 0 : S.loopBound(n); i < bound; i += S.length()) {
            apply(op, FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = (float) op.apply(x[xo + i]);
    }

    private static FloatVector apply(UnaryOp op, FloatVector v) {
        return switch (op) {
            case NEG -> v.neg();
            case EXP -> VectorMath.exp(v);
            case LOG -> throw new IllegalStateException("LOG runs on the scalar path");
            case SQRT -> v.sqrt();
            case TANH -> VectorMath.tanh(v);
            case SIGMOID -> sigmoid(v);
            case RELU -> v.max(0f);
            case SILU -> v.mul(sigmoid(v));
            case GELU -> {
                FloatVector u = v.mul(v).mul(0.044715f).add(1f).mul(v).mul(GELU_C);
                yield VectorMath.tanh(u).add(1f).mul(v).mul(0.5f);
            }
            case ABS -> v.abs();
        };
    }

    private static FloatVector sigmoid(FloatVector v) {
        return FloatVector.broadcast(S, 1f).div(VectorMath.exp(v.neg()).add(1f));
    }

    /** y[i] = g[i] * op'(x[i]). */
    public static void unaryBackward(UnaryOp op, float[] x, int xo, float[] g, int go, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            derivative(op, v).mul(FloatVector.fromArray(S, g, go + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = (float) (g[go + i] * op.derivative(x[xo + i]));
    }

    private static FloatVector derivative(UnaryOp op, FloatVector v) {
        return switch (op) {
            case NEG -> FloatVector.broadcast(S, -1f);
            case EXP -> VectorMath.exp(v);
            case LOG -> FloatVector.broadcast(S, 1f).div(v);
            case SQRT -> FloatVector.broadcast(S, 0.5f).div(v.sqrt());
            case TANH -> {
                FloatVector t = VectorMath.tanh(v);
                yield t.mul(t).neg().add(1f);
            }
            case SIGMOID -> {
                FloatVector s = sigmoid(v);
                yield s.mul(s.neg().add(1f));
            }
            case RELU -> FloatVector.zero(S).blend(1f, v.compare(VectorOperators.GT, 0f));
            case SILU -> {
                FloatVector s = sigmoid(v);
                yield s.mul(v.mul(s.neg().add(1f)).add(1f));
            }
            case GELU -> {
                FloatVector x2 = v.mul(v);
                FloatVector t = VectorMath.tanh(x2.mul(0.044715f).add(1f).mul(v).mul(GELU_C));
                FloatVector du = x2.mul(3 * 0.044715f).add(1f).mul(GELU_C);
                yield t.add(1f).mul(0.5f).add(t.mul(t).neg().add(1f).mul(du).mul(v).mul(0.5f));
            }
            case ABS -> FloatVector.zero(S).blend(1f, v.compare(VectorOperators.GT, 0f)).blend(-1f, v.compare(VectorOperators.LT, 0f));
        };
    }

    private static boolean vectorized(BinaryOp op) {
        return switch (op) {
            case ADD, SUB, MUL, DIV, MAX, MIN -> true;
            default -> false;
        };
    }

    private static FloatVector apply(BinaryOp op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case MAX -> a.max(b);
            case MIN -> a.min(b);
            default -> throw new IllegalArgumentException(op + " has no vector form");
        };
    }

    /** y[i] = a[i] op b[i]. */
    public static void binary(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        int i = 0;
        if (vectorized(op)) {
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                apply(op, FloatVector.fromArray(S, a, ao + i), FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) y[yo + i] = (float) op.apply(a[ao + i], b[bo + i]);
    }

    /** y[i] = a[i] op b. */
    public static void binary(BinaryOp op, float[] a, int ao, float b, float[] y, int yo, int n) {
        int i = 0;
        if (vectorized(op)) {
            FloatVector vb = FloatVector.broadcast(S, b);
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                apply(op, FloatVector.fromArray(S, a, ao + i), vb).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) y[yo + i] = (float) op.apply(a[ao + i], b);
    }

    /** y[i] = a op b[i]. */
    public static void binary(BinaryOp op, float a, float[] b, int bo, float[] y, int yo, int n) {
        int i = 0;
        if (vectorized(op)) {
            FloatVector va = FloatVector.broadcast(S, a);
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                apply(op, va, FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) y[yo + i] = (float) op.apply(a, b[bo + i]);
    }

    /** Sum of x[o .. o+n), accumulated in vector lanes. */
    public static float sum(float[] x, int o, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) acc = acc.add(FloatVector.fromArray(S, x, o + i));
        float s = VectorMath.sumLanes(acc);
        for (; i < n; i++) s += x[o + i];
        return s;
    }

    /** Max of x[o .. o+n) (-inf when n = 0). */
    public static float max(float[] x, int o, int n) {
        FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) acc = acc.max(FloatVector.fromArray(S, x, o + i));
        float m = acc.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) m = Math.max(m, x[o + i]);
        return m;
    }

    /** y[yo + i] += x[xo + i]. */
    public static void addInPlace(float[] y, int yo, float[] x, int xo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, y, yo + i).add(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += x[xo + i];
    }

    /** y[yo + i] = max(y[yo + i], x[xo + i]). */
    public static void maxInPlace(float[] y, int yo, float[] x, int xo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, y, yo + i).max(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = Math.max(y[yo + i], x[xo + i]);
    }

    /** y[yo + i] = y[yo + i] * s + x[xo + i] * t (axpby), used by attention's rescaling. */
    public static void scaleAdd(float[] y, int yo, float s, float[] x, int xo, float t, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).mul(t).add(FloatVector.fromArray(S, y, yo + i).mul(s)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = y[yo + i] * s + x[xo + i] * t;
    }
}

package org.svdd.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.svdd.tensor.BinaryOp;
import org.svdd.tensor.UnaryOp;

/**
 * Vector API loops over contiguous float arrays: unary ops and their backward, binary ops (array-array,
 * array-scalar, scalar-array, and in place), and the sum and max of a run of floats.
 *
 * <p>Every loop runs {@code SPECIES.loopBound(n)} elements a vector at a time and finishes the tail with the
 * scalar form of the same op. Each elementwise kernel has a scalar twin, {@code ...Reference}, computing in double:
 * the test oracle. Large elementwise calls are split over {@link Parallel} in chunks of at least {@link #GRAIN}
 * elements; calls made from inside a parallel region run inline.
 *
 * <p>Transcendentals come from {@link VectorMath} (about 1e-7 relative to the double reference), not the Vector
 * API's EXP/LOG/TANH, whose results differ between interpreted and compiled code: the same seed gives the same bits.
 */
public final class ElementwiseKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Elementwise calls with fewer elements than this (per thread) run on the calling thread. */
    static final int GRAIN = 1 << 15;
    private static final float GELU_C = (float) Math.sqrt(2.0 / Math.PI);
    private static final double GELU_CD = Math.sqrt(2.0 / Math.PI);
    private static final float GELU_A = 0.044715f;

    /** Binary elementwise ops; MAX and MIN follow {@link Math#max(float, float)} (NaN wins, -0 < +0). */
    public enum Binary { ADD, SUB, MUL, DIV, MAX, MIN }

    private ElementwiseKernels() {
    }

    // =====================================================================================================
    // Scalar definitions (double): the reference twins and the vector loops' tails use these.
    // =====================================================================================================

    /** a op b in float (the exact float result for every op here). */
    public static float binaryScalar(Binary op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
        };
    }

    private static float unaryTail(UnaryOp op, float x) {
        return (float) op.apply(x);
    }

    private static float unaryBackwardTail(UnaryOp op, float x, float g) {
        return (float) (g * op.derivative(x));
    }

    // =====================================================================================================
    // One loop method per op, the op's vector body written inside it: the ...Range methods switch on the op once and
    // call that op's loop. Each loop is compiled on its own, so a newly used op never deoptimises the loops of the
    // others, and no vector value crosses a switch or a call (either would box it). Only the small helpers below and
    // VectorMath's functions are called from the loops: a helper that contains an exp compiles to more machine code
    // than C2 inlines once it has been compiled on its own (InlineSmallCode), and a call that is not inlined runs
    // the Vector API's Java fallback, several times slower (bench/RESULTS.md, SiLU / GELU backward). Bodies stay
    // short for the same reason: every Vector API call inlines a dozen methods, and past C2's node budget
    // (NodeCountInliningCutoff) the rest of the loop stops inlining; check with -XX:+PrintInlining after a change.
    // =====================================================================================================

    /** 2u = 2 sqrt(2/pi) (x + 0.044715 x^3). */
    private static FloatVector gelu2u(FloatVector x) {
        return x.mul(x).fma(FloatVector.broadcast(S, GELU_A), FloatVector.broadcast(S, 1f)).mul(x).mul(2 * GELU_C);
    }

    private static FloatVector binAdd(FloatVector a, FloatVector b) {
        return a.add(b);
    }

    private static FloatVector binSub(FloatVector a, FloatVector b) {
        return a.sub(b);
    }

    private static FloatVector binMul(FloatVector a, FloatVector b) {
        return a.mul(b);
    }

    private static FloatVector binDiv(FloatVector a, FloatVector b) {
        return a.div(b);
    }

    private static FloatVector binMax(FloatVector a, FloatVector b) {
        return a.max(b);
    }

    private static FloatVector binMin(FloatVector a, FloatVector b) {
        return a.min(b);
    }

    // =====================================================================================================
    // Parallel driver: [0, n) in vector-aligned chunks of at least GRAIN elements.
    // =====================================================================================================

    @FunctionalInterface
    private interface Chunk {
        void run(int from, int to);
    }

    private static void split(int n, Chunk body) {
        int threads = Parallel.threads();
        if (threads <= 1 || n < 2 * GRAIN) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(threads, n / GRAIN);
        int per = (n / chunks + L - 1) / L * L;
        Parallel.forRange(chunks, (c0, c1) -> {
            int from = Math.min(n, c0 * per), to = c1 == chunks ? n : Math.min(n, c1 * per);
            if (from < to) body.run(from, to);
        });
    }

    // =====================================================================================================
    // Unary
    // =====================================================================================================

    /** y[yOff + i] = op(x[xOff + i]) for i in [0, n). y may be x (same offset). */
    public static void unary(UnaryOp op, float[] x, int xOff, float[] y, int yOff, int n) {
        split(n, (from, to) -> unaryRange(op, x, xOff + from, y, yOff + from, to - from));
    }

    /** {@link #unary} on the calling thread. */
    static void unaryRange(UnaryOp op, float[] x, int xo, float[] y, int yo, int n) {
        int bound = S.loopBound(n);
        switch (op) {
            case NEG -> unaryNeg(x, xo, y, yo, bound);
            case EXP -> unaryExp(x, xo, y, yo, bound);
            case LOG -> unaryLog(x, xo, y, yo, bound);
            case SQRT -> unarySqrt(x, xo, y, yo, bound);
            case TANH -> unaryTanh(x, xo, y, yo, bound);
            case SIGMOID -> unarySigmoid(x, xo, y, yo, bound);
            case RELU -> unaryRelu(x, xo, y, yo, bound);
            case SILU -> unarySilu(x, xo, y, yo, bound);
            case GELU -> unaryGelu(x, xo, y, yo, bound);
            case ABS -> unaryAbs(x, xo, y, yo, bound);
        }
        for (int i = bound; i < n; i++) y[yo + i] = unaryTail(op, x[xo + i]);
    }

    private static void unaryNeg(float[] xs, int xo, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i);
            x.neg().intoArray(y, yo + i);
        }
    }

    private static void unaryExp(float[] xs, int xo, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i);
            VectorMath.exp(x).intoArray(y, yo + i);
        }
    }

    private static void unaryLog(float[] xs, int xo, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i);
            VectorMath.log(x).intoArray(y, yo + i);
        }
    }

    private static void unarySqrt(float[] xs, int xo, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i);
            x.sqrt().intoArray(y, yo + i);
        }
    }

    private static void unaryTanh(float[] xs, int xo, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i);
            VectorMath.tanh(x).intoArray(y, yo + i);
        }
    }

    private static void unarySigmoid(float[] xs, int xo, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i);
            FloatVector.broadcast(S, 1f).div(VectorMath.exp(x.neg()).add(1f)).intoArray(y, yo + i);
        }
    }

    private static void unaryRelu(float[] xs, int xo, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i);
            FloatVector.zero(S).blend(x, x.compare(VectorOperators.GT, 0f)).intoArray(y, yo + i);
        }
    }

    private static void unarySilu(float[] xs, int xo, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i);
            x.div(VectorMath.exp(x.neg()).add(1f)).intoArray(y, yo + i);
        }
    }

    /** gelu(x) = 0.5 x (1 + tanh u) = x sigmoid(2u) = x / (1 + e^{-2u}): no cancellation for negative x. */
    private static void unaryGelu(float[] xs, int xo, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i);
            x.div(VectorMath.exp(gelu2u(x).neg()).add(1f)).intoArray(y, yo + i);
        }
    }

    private static void unaryAbs(float[] xs, int xo, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i);
            x.abs().intoArray(y, yo + i);
        }
    }

    /** Reference twin of {@link #unary}: each element in double. */
    public static void unaryReference(UnaryOp op, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = (float) op.apply(x[xOff + i]);
    }

    /** gx[gxOff + i] = g[gOff + i] * op'(x[xOff + i]), the backward of {@link #unary}. */
    public static void unaryBackward(UnaryOp op, float[] x, int xOff, float[] g, int gOff, float[] gx, int gxOff, int n) {
        split(n, (from, to) -> unaryBackwardRange(op, x, xOff + from, g, gOff + from, gx, gxOff + from, to - from));
    }

    /** {@link #unaryBackward} on the calling thread; gx may be x or g (same offset). */
    static void unaryBackwardRange(UnaryOp op, float[] x, int xo, float[] g, int go, float[] y, int yo, int n) {
        int bound = S.loopBound(n);
        switch (op) {
            case NEG -> backwardNeg(x, xo, g, go, y, yo, bound);
            case EXP -> backwardExp(x, xo, g, go, y, yo, bound);
            case LOG -> backwardLog(x, xo, g, go, y, yo, bound);
            case SQRT -> backwardSqrt(x, xo, g, go, y, yo, bound);
            case TANH -> backwardTanh(x, xo, g, go, y, yo, bound);
            case SIGMOID -> backwardSigmoid(x, xo, g, go, y, yo, bound);
            case RELU -> backwardRelu(x, xo, g, go, y, yo, bound);
            case SILU -> backwardSilu(x, xo, g, go, y, yo, bound);
            case GELU -> backwardGelu(x, xo, g, go, y, yo, bound);
            case ABS -> backwardAbs(x, xo, g, go, y, yo, bound);
        }
        for (int i = bound; i < n; i++) y[yo + i] = unaryBackwardTail(op, x[xo + i], g[go + i]);
    }

    private static void backwardNeg(float[] xs, int xo, float[] gs, int go, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i), g = FloatVector.fromArray(S, gs, go + i);
            g.neg().intoArray(y, yo + i);
        }
    }

    private static void backwardExp(float[] xs, int xo, float[] gs, int go, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i), g = FloatVector.fromArray(S, gs, go + i);
            g.mul(VectorMath.exp(x)).intoArray(y, yo + i);
        }
    }

    private static void backwardLog(float[] xs, int xo, float[] gs, int go, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i), g = FloatVector.fromArray(S, gs, go + i);
            g.div(x).intoArray(y, yo + i);
        }
    }

    private static void backwardSqrt(float[] xs, int xo, float[] gs, int go, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i), g = FloatVector.fromArray(S, gs, go + i);
            g.mul(0.5f).div(x.sqrt()).intoArray(y, yo + i);
        }
    }

    /** tanh' = sech^2 x = 4e / (1 + e)^2 with e = e^{-2|x|}: accurate also where tanh rounds to +-1. */
    private static void backwardTanh(float[] xs, int xo, float[] gs, int go, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i), g = FloatVector.fromArray(S, gs, go + i);
            FloatVector e = VectorMath.exp(x.abs().mul(-2f));
            FloatVector d = e.add(1f);
            g.mul(e.mul(4f).div(d.mul(d))).intoArray(y, yo + i);
        }
    }

    /** sigmoid' = sigmoid(x) (1 - sigmoid(x)) = e r^2 with e = e^{-|x|}, r = 1 / (1 + e). */
    private static void backwardSigmoid(float[] xs, int xo, float[] gs, int go, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i), g = FloatVector.fromArray(S, gs, go + i);
            FloatVector e = VectorMath.exp(x.abs().neg());
            FloatVector r = FloatVector.broadcast(S, 1f).div(e.add(1f));
            g.mul(e.mul(r).mul(r)).intoArray(y, yo + i);
        }
    }

    private static void backwardRelu(float[] xs, int xo, float[] gs, int go, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i), g = FloatVector.fromArray(S, gs, go + i);
            FloatVector.zero(S).blend(g, x.compare(VectorOperators.GT, 0f)).intoArray(y, yo + i);
        }
    }

    /** silu' = s + x s (1 - s), s = sigmoid(x); s (1 - s) = e r^2 and s = r or e r (x &lt; 0), e = e^{-|x|}, r = 1 / (1 + e). */
    private static void backwardSilu(float[] xs, int xo, float[] gs, int go, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i), g = FloatVector.fromArray(S, gs, go + i);
            FloatVector e = VectorMath.exp(x.abs().neg());
            FloatVector r = FloatVector.broadcast(S, 1f).div(e.add(1f)), er = e.mul(r);
            FloatVector sg = r.blend(er, x.compare(VectorOperators.LT, 0f));
            g.mul(x.mul(er).fma(r, sg)).intoArray(y, yo + i);
        }
    }

    /** gelu = x s(z), z = 2u, so gelu' = s + x s (1 - s) z' with z' = 2 sqrt(2/pi) (1 + 3 * 0.044715 x^2); s (1 - s) as in SiLU. */
    private static void backwardGelu(float[] xs, int xo, float[] gs, int go, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i), g = FloatVector.fromArray(S, gs, go + i);
            FloatVector z = gelu2u(x);
            FloatVector e = VectorMath.exp(z.abs().neg());
            FloatVector r = FloatVector.broadcast(S, 1f).div(e.add(1f)), er = e.mul(r);
            FloatVector sg = r.blend(er, z.compare(VectorOperators.LT, 0f));
            FloatVector dz = x.mul(x).fma(FloatVector.broadcast(S, 3 * GELU_A), FloatVector.broadcast(S, 1f)).mul(2 * GELU_C);
            g.mul(x.mul(er).mul(r).fma(dz, sg)).intoArray(y, yo + i);
        }
    }

    /** signum(x) g (NaN for NaN, 0 for +-0). */
    private static void backwardAbs(float[] xs, int xo, float[] gs, int go, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, xs, xo + i), g = FloatVector.fromArray(S, gs, go + i);
            FloatVector sign = FloatVector.zero(S).blend(1f, x.compare(VectorOperators.GT, 0f))
                    .blend(-1f, x.compare(VectorOperators.LT, 0f));
            g.mul(sign.blend(x, x.test(VectorOperators.IS_NAN))).intoArray(y, yo + i);
        }
    }

    /** Reference twin of {@link #unaryBackward}, in double. */
    public static void unaryBackwardReference(UnaryOp op, float[] x, int xOff, float[] g, int gOff, float[] gx, int gxOff,
                                              int n) {
        for (int i = 0; i < n; i++) gx[gxOff + i] = (float) (g[gOff + i] * op.derivative(x[xOff + i]));
    }

    // =====================================================================================================
    // Binary
    // =====================================================================================================

    /** y[i] = a[i] op b[i] for i in [0, n) (offsets applied). */
    public static void binary(Binary op, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        split(n, (from, to) -> binaryRange(op, a, aOff + from, b, bOff + from, y, yOff + from, to - from));
    }

    private static void binaryRange(Binary op, float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        int bound = S.loopBound(n);
        switch (op) {
            case ADD -> vvAdd(a, ao, b, bo, y, yo, bound);
            case SUB -> vvSub(a, ao, b, bo, y, yo, bound);
            case MUL -> vvMul(a, ao, b, bo, y, yo, bound);
            case DIV -> vvDiv(a, ao, b, bo, y, yo, bound);
            case MAX -> vvMax(a, ao, b, bo, y, yo, bound);
            case MIN -> vvMin(a, ao, b, bo, y, yo, bound);
        }
        for (int i = bound; i < n; i++) y[yo + i] = binaryScalar(op, a[ao + i], b[bo + i]);
    }

    private static void vvAdd(float[] a, int ao, float[] b, int bo, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) binAdd(FloatVector.fromArray(S, a, ao + i), FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
    }

    private static void vvSub(float[] a, int ao, float[] b, int bo, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) binSub(FloatVector.fromArray(S, a, ao + i), FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
    }

    private static void vvMul(float[] a, int ao, float[] b, int bo, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) binMul(FloatVector.fromArray(S, a, ao + i), FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
    }

    private static void vvDiv(float[] a, int ao, float[] b, int bo, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) binDiv(FloatVector.fromArray(S, a, ao + i), FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
    }

    private static void vvMax(float[] a, int ao, float[] b, int bo, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) binMax(FloatVector.fromArray(S, a, ao + i), FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
    }

    private static void vvMin(float[] a, int ao, float[] b, int bo, float[] y, int yo, int bound) {
        for (int i = 0; i < bound; i += L) binMin(FloatVector.fromArray(S, a, ao + i), FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
    }

    /** y[i] = a[i] op b (array op scalar). */
    public static void binary(Binary op, float[] a, int aOff, float b, float[] y, int yOff, int n) {
        split(n, (from, to) -> binaryScalarRange(op, a, aOff + from, b, y, yOff + from, to - from));
    }

    private static void binaryScalarRange(Binary op, float[] a, int ao, float b, float[] y, int yo, int n) {
        int bound = S.loopBound(n);
        switch (op) {
            case ADD -> vsAdd(a, ao, b, y, yo, bound);
            case SUB -> vsSub(a, ao, b, y, yo, bound);
            case MUL -> vsMul(a, ao, b, y, yo, bound);
            case DIV -> vsDiv(a, ao, b, y, yo, bound);
            case MAX -> vsMax(a, ao, b, y, yo, bound);
            case MIN -> vsMin(a, ao, b, y, yo, bound);
        }
        for (int i = bound; i < n; i++) y[yo + i] = binaryScalar(op, a[ao + i], b);
    }

    private static void vsAdd(float[] a, int ao, float b, float[] y, int yo, int bound) {
        FloatVector vb = FloatVector.broadcast(S, b);
        for (int i = 0; i < bound; i += L) binAdd(FloatVector.fromArray(S, a, ao + i), vb).intoArray(y, yo + i);
    }

    private static void vsSub(float[] a, int ao, float b, float[] y, int yo, int bound) {
        FloatVector vb = FloatVector.broadcast(S, b);
        for (int i = 0; i < bound; i += L) binSub(FloatVector.fromArray(S, a, ao + i), vb).intoArray(y, yo + i);
    }

    private static void vsMul(float[] a, int ao, float b, float[] y, int yo, int bound) {
        FloatVector vb = FloatVector.broadcast(S, b);
        for (int i = 0; i < bound; i += L) binMul(FloatVector.fromArray(S, a, ao + i), vb).intoArray(y, yo + i);
    }

    private static void vsDiv(float[] a, int ao, float b, float[] y, int yo, int bound) {
        FloatVector vb = FloatVector.broadcast(S, b);
        for (int i = 0; i < bound; i += L) binDiv(FloatVector.fromArray(S, a, ao + i), vb).intoArray(y, yo + i);
    }

    private static void vsMax(float[] a, int ao, float b, float[] y, int yo, int bound) {
        FloatVector vb = FloatVector.broadcast(S, b);
        for (int i = 0; i < bound; i += L) binMax(FloatVector.fromArray(S, a, ao + i), vb).intoArray(y, yo + i);
    }

    private static void vsMin(float[] a, int ao, float b, float[] y, int yo, int bound) {
        FloatVector vb = FloatVector.broadcast(S, b);
        for (int i = 0; i < bound; i += L) binMin(FloatVector.fromArray(S, a, ao + i), vb).intoArray(y, yo + i);
    }

    /** y[i] = a op b[i] (scalar op array). */
    public static void binary(Binary op, float a, float[] b, int bOff, float[] y, int yOff, int n) {
        split(n, (from, to) -> scalarBinaryRange(op, a, b, bOff + from, y, yOff + from, to - from));
    }

    private static void scalarBinaryRange(Binary op, float a, float[] b, int bo, float[] y, int yo, int n) {
        int bound = S.loopBound(n);
        switch (op) {
            case ADD -> svAdd(a, b, bo, y, yo, bound);
            case SUB -> svSub(a, b, bo, y, yo, bound);
            case MUL -> svMul(a, b, bo, y, yo, bound);
            case DIV -> svDiv(a, b, bo, y, yo, bound);
            case MAX -> svMax(a, b, bo, y, yo, bound);
            case MIN -> svMin(a, b, bo, y, yo, bound);
        }
        for (int i = bound; i < n; i++) y[yo + i] = binaryScalar(op, a, b[bo + i]);
    }

    private static void svAdd(float a, float[] b, int bo, float[] y, int yo, int bound) {
        FloatVector va = FloatVector.broadcast(S, a);
        for (int i = 0; i < bound; i += L) binAdd(va, FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
    }

    private static void svSub(float a, float[] b, int bo, float[] y, int yo, int bound) {
        FloatVector va = FloatVector.broadcast(S, a);
        for (int i = 0; i < bound; i += L) binSub(va, FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
    }

    private static void svMul(float a, float[] b, int bo, float[] y, int yo, int bound) {
        FloatVector va = FloatVector.broadcast(S, a);
        for (int i = 0; i < bound; i += L) binMul(va, FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
    }

    private static void svDiv(float a, float[] b, int bo, float[] y, int yo, int bound) {
        FloatVector va = FloatVector.broadcast(S, a);
        for (int i = 0; i < bound; i += L) binDiv(va, FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
    }

    private static void svMax(float a, float[] b, int bo, float[] y, int yo, int bound) {
        FloatVector va = FloatVector.broadcast(S, a);
        for (int i = 0; i < bound; i += L) binMax(va, FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
    }

    private static void svMin(float a, float[] b, int bo, float[] y, int yo, int bound) {
        FloatVector va = FloatVector.broadcast(S, a);
        for (int i = 0; i < bound; i += L) binMin(va, FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
    }

    /** Reference twin of the array-array {@link #binary}. */
    public static void binaryReference(Binary op, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = binaryScalar(op, a[aOff + i], b[bOff + i]);
    }

    /** Reference twin of the array-scalar {@link #binary}. */
    public static void binaryReference(Binary op, float[] a, int aOff, float b, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = binaryScalar(op, a[aOff + i], b);
    }

    /** Reference twin of the scalar-array {@link #binary}. */
    public static void binaryReference(Binary op, float a, float[] b, int bOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = binaryScalar(op, a, b[bOff + i]);
    }

    // =====================================================================================================
    // Reductions
    // =====================================================================================================

    /**
     * Sum of x[o .. o+n): 4 vector accumulators over blocks of {@code 64 * lanes} elements, each block's lanes
     * summed by {@link #sumLanes} into a double, so the result is accurate (relative error ~1e-7 for any n) and
     * the same in interpreted and compiled code.
     */
    public static float sum(float[] x, int o, int n) {
        return (float) sumDouble(x, o, n);
    }

    /** As {@link #sum}, returning the double total of the float blocks. */
    static double sumDouble(float[] x, int o, int n) {
        final int block = 64 * L;
        double total = 0;
        int i = 0;
        for (int bound = n - n % block; i < bound; i += block) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int j = i; j < i + block; j += 4 * L) {
                a0 = a0.add(FloatVector.fromArray(S, x, o + j));
                a1 = a1.add(FloatVector.fromArray(S, x, o + j + L));
                a2 = a2.add(FloatVector.fromArray(S, x, o + j + 2 * L));
                a3 = a3.add(FloatVector.fromArray(S, x, o + j + 3 * L));
            }
            total += sumLanes(a0.add(a1).add(a2.add(a3)));
        }
        FloatVector a = FloatVector.zero(S);
        for (int bound = i + S.loopBound(n - i); i < bound; i += L) a = a.add(FloatVector.fromArray(S, x, o + i));
        total += sumLanes(a);
        for (; i < n; i++) total += x[o + i];
        return total;
    }

    /** Shuffles pairing lane i with lane i ^ w, for w = L/2, L/4, .., 1. */
    private static final VectorShuffle<Float>[] PAIRS = pairShuffles();

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static VectorShuffle<Float>[] pairShuffles() {
        int steps = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] sh = new VectorShuffle[steps];
        for (int j = 0; j < steps; j++) {
            int w = L >> (j + 1);
            sh[j] = VectorShuffle.fromOp(S, i -> i ^ w);
        }
        return sh;
    }

    /**
     * The lanes of v summed by a fixed pairwise tree (lane i + lane i ^ w for w = L/2 .. 1). Every step is a plain
     * lane-wise add, so the result has the same bits interpreted and compiled, unlike reduceLanes(ADD), whose order
     * the JIT may choose.
     */
    static float sumLanes(FloatVector v) {
        for (VectorShuffle<Float> sh : PAIRS) v = v.add(v.rearrange(sh));
        return v.lane(0);
    }

    /** Max of x[o .. o+n) (-inf when n = 0; NaN if any element is NaN, as Math.max). */
    public static float max(float[] x, int o, int n) {
        FloatVector a0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), a1 = a0;
        int i = 0;
        for (int bound = n - n % (2 * L); i < bound; i += 2 * L) {
            a0 = a0.max(FloatVector.fromArray(S, x, o + i));
            a1 = a1.max(FloatVector.fromArray(S, x, o + i + L));
        }
        float m = a0.max(a1).reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) m = Math.max(m, x[o + i]);
        return m;
    }

    /** y[yo + i] += x[xo + i] for i in [0, n). */
    public static void addInPlace(float[] y, int yo, float[] x, int xo, int n) {
        binaryRange(Binary.ADD, y, yo, x, xo, y, yo, n);
    }

    /** y[yo + i] = max(y[yo + i], x[xo + i]). */
    public static void maxInPlace(float[] y, int yo, float[] x, int xo, int n) {
        binaryRange(Binary.MAX, y, yo, x, xo, y, yo, n);
    }

    // =====================================================================================================
    // Adapters from the tensor module's op enums (used by VectorBackend). These run on the calling thread:
    // VectorBackend already splits its work over Parallel.
    // =====================================================================================================

    /** The kernel op with the same name as the tensor op, or null for ops without a vector kernel (POW, comparisons). */
    public static Binary of(BinaryOp op) {
        return switch (op) {
            case ADD -> Binary.ADD;
            case SUB -> Binary.SUB;
            case MUL -> Binary.MUL;
            case DIV -> Binary.DIV;
            case MAX -> Binary.MAX;
            case MIN -> Binary.MIN;
            default -> null;
        };
    }

    /** y[i] = a[i] op b[i] for a tensor op (ops without a vector kernel run op.apply in double). */
    public static void binary(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        Binary k = of(op);
        if (k != null) binaryRange(k, a, ao, b, bo, y, yo, n);
        else for (int i = 0; i < n; i++) y[yo + i] = (float) op.apply(a[ao + i], b[bo + i]);
    }

    /** y[i] = a[i] op b for a tensor op. */
    public static void binary(BinaryOp op, float[] a, int ao, float b, float[] y, int yo, int n) {
        Binary k = of(op);
        if (k != null) binaryScalarRange(k, a, ao, b, y, yo, n);
        else for (int i = 0; i < n; i++) y[yo + i] = (float) op.apply(a[ao + i], b);
    }

    /** y[i] = a op b[i] for a tensor op. */
    public static void binary(BinaryOp op, float a, float[] b, int bo, float[] y, int yo, int n) {
        Binary k = of(op);
        if (k != null) scalarBinaryRange(k, a, b, bo, y, yo, n);
        else for (int i = 0; i < n; i++) y[yo + i] = (float) op.apply(a, b[bo + i]);
    }
}

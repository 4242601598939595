package org.svdd.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.svdd.tensor.BinaryOp;
import org.svdd.tensor.UnaryOp;

/**
 * Vector API loops over contiguous float arrays: unary ops and their backward, binary ops (array-array,
 * array-scalar, scalar-array, row broadcast, column broadcast), and sum / max reductions over the last axis of a
 * (rows, n) array and over the middle axis of an (outer, n, inner) array.
 *
 * <p>Every loop runs {@code SPECIES.loopBound(n)} elements a vector at a time and finishes the tail with the
 * scalar form of the same op. Each kernel has a scalar twin, {@code ...Reference}, computing in double: the test
 * oracle. Large calls are split over {@link Parallel} (elementwise in chunks of at least {@link #GRAIN}
 * elements; reductions over rows, or over outer x inner tiles); calls made from inside a parallel region run inline.
 *
 * <p>Transcendentals use the Vector API's lanewise EXP, LOG and TANH (SVML intrinsics on x86; within a few ulp,
 * about 1e-7 relative, of the double reference).
 */
public final class ElementwiseKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Elementwise calls with fewer elements than this (per thread) run on the calling thread. */
    static final int GRAIN = 1 << 15;
    /** Columns of inner handled together by the middle-axis reductions (4 vectors: registers). */
    private static final int TILE = 4 * L;
    private static final float GELU_C = (float) Math.sqrt(2.0 / Math.PI);
    private static final double GELU_CD = Math.sqrt(2.0 / Math.PI);
    private static final float GELU_A = 0.044715f;

    /** Unary elementwise ops. GELU is the tanh approximation 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))). */
    public enum Unary { NEG, EXP, LOG, SQRT, TANH, SIGMOID, RELU, SILU, GELU, ABS }

    /** Binary elementwise ops; MAX and MIN follow {@link Math#max(float, float)} (NaN wins, -0 < +0). */
    public enum Binary { ADD, SUB, MUL, DIV, MAX, MIN }

    private ElementwiseKernels() {
    }

    // =====================================================================================================
    // Scalar definitions (double): the reference twins and the vector loops' tails use these.
    // =====================================================================================================

    /** op(x) in double. */
    public static double unaryScalar(Unary op, double x) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case RELU -> x > 0 ? x : 0.0;
            case SILU -> x / (1.0 + Math.exp(-x));
            case GELU -> 0.5 * x * (1.0 + Math.tanh(GELU_CD * (x + 0.044715 * x * x * x)));
            case ABS -> Math.abs(x);
        };
    }

    /** d op(x) / dx in double (RELU' = 1 for x > 0 else 0; ABS' = signum). */
    public static double unaryDerivativeScalar(Unary op, double x) {
        return switch (op) {
            case NEG -> -1.0;
            case EXP -> Math.exp(x);
            case LOG -> 1.0 / x;
            case SQRT -> 0.5 / Math.sqrt(x);
            case TANH -> {
                double t = Math.tanh(x);
                yield 1.0 - t * t;
            }
            case SIGMOID -> {
                double s = 1.0 / (1.0 + Math.exp(-x));
                yield s * (1.0 - s);
            }
            case RELU -> x > 0 ? 1.0 : 0.0;
            case SILU -> {
                double s = 1.0 / (1.0 + Math.exp(-x));
                yield s * (1.0 + x * (1.0 - s));
            }
            case GELU -> {
                double u = GELU_CD * (x + 0.044715 * x * x * x);
                double t = Math.tanh(u);
                double du = GELU_CD * (1.0 + 3 * 0.044715 * x * x);
                yield 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du;
            }
            case ABS -> Math.signum(x);
        };
    }

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

    private static float unaryTail(Unary op, float x) {
        return (float) unaryScalar(op, x);
    }

    private static float unaryBackwardTail(Unary op, float x, float g) {
        return (float) (g * unaryDerivativeScalar(op, x));
    }

    // =====================================================================================================
    // Vector forms
    // =====================================================================================================

    private static FloatVector apply(Unary op, FloatVector v) {
        return switch (op) {
            case NEG -> v.neg();
            case EXP -> v.lanewise(VectorOperators.EXP);
            case LOG -> v.lanewise(VectorOperators.LOG);
            case SQRT -> v.sqrt();
            case TANH -> v.lanewise(VectorOperators.TANH);
            case SIGMOID -> sigmoid(v);
            case RELU -> v.blend(0f, v.compare(VectorOperators.GT, 0f).not());
            case SILU -> v.div(v.neg().lanewise(VectorOperators.EXP).add(1f));
            case GELU -> v.mul(0.5f).mul(geluTanh(v).add(1f));
            case ABS -> v.abs();
        };
    }

    private static FloatVector sigmoid(FloatVector v) {
        return FloatVector.broadcast(S, 1f).div(v.neg().lanewise(VectorOperators.EXP).add(1f));
    }

    /** tanh(sqrt(2/pi) (x + 0.044715 x^3)). */
    private static FloatVector geluTanh(FloatVector v) {
        FloatVector u = v.mul(v).fma(FloatVector.broadcast(S, GELU_A), FloatVector.broadcast(S, 1f)).mul(v).mul(GELU_C);
        return u.lanewise(VectorOperators.TANH);
    }

    /** g * op'(x). */
    private static FloatVector backward(Unary op, FloatVector x, FloatVector g) {
        return switch (op) {
            case NEG -> g.neg();
            case EXP -> g.mul(x.lanewise(VectorOperators.EXP));
            case LOG -> g.div(x);
            case SQRT -> g.mul(0.5f).div(x.sqrt());
            case TANH -> {
                FloatVector t = x.lanewise(VectorOperators.TANH);
                yield g.mul(t.neg().fma(t, FloatVector.broadcast(S, 1f)));
            }
            case SIGMOID -> {
                FloatVector s = sigmoid(x);
                yield g.mul(s.mul(s.neg().add(1f)));
            }
            case RELU -> g.blend(0f, x.compare(VectorOperators.GT, 0f).not());
            case SILU -> {
                FloatVector s = sigmoid(x);
                // s * (1 + x (1 - s))
                yield g.mul(s.mul(x.mul(s.neg().add(1f)).add(1f)));
            }
            case GELU -> {
                FloatVector x2 = x.mul(x);
                FloatVector t = geluTanh(x);
                FloatVector du = x2.fma(FloatVector.broadcast(S, 3 * GELU_A), FloatVector.broadcast(S, 1f)).mul(GELU_C);
                FloatVector dt = t.neg().fma(t, FloatVector.broadcast(S, 1f));            // 1 - t^2
                FloatVector d = t.add(1f).add(x.mul(dt).mul(du)).mul(0.5f);
                yield g.mul(d);
            }
            case ABS -> {
                FloatVector sign = FloatVector.zero(S).blend(1f, x.compare(VectorOperators.GT, 0f))
                        .blend(-1f, x.compare(VectorOperators.LT, 0f));
                // NaN x: signum(NaN) = NaN
                yield g.mul(sign.blend(x, x.test(VectorOperators.IS_NAN)));
            }
        };
    }

    private static FloatVector apply(Binary op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case MAX -> a.max(b);
            case MIN -> a.min(b);
        };
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
    public static void unary(Unary op, float[] x, int xOff, float[] y, int yOff, int n) {
        split(n, (from, to) -> unaryRange(op, x, xOff + from, y, yOff + from, to - from));
    }

    private static void unaryRange(Unary op, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            apply(op, FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = unaryTail(op, x[xo + i]);
    }

    /** Reference twin of {@link #unary}: each element in double. */
    public static void unaryReference(Unary op, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = (float) unaryScalar(op, x[xOff + i]);
    }

    /** gx[gxOff + i] = g[gOff + i] * op'(x[xOff + i]), the backward of {@link #unary}. */
    public static void unaryBackward(Unary op, float[] x, int xOff, float[] g, int gOff, float[] gx, int gxOff, int n) {
        split(n, (from, to) -> unaryBackwardRange(op, x, xOff + from, g, gOff + from, gx, gxOff + from, to - from));
    }

    private static void unaryBackwardRange(Unary op, float[] x, int xo, float[] g, int go, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            backward(op, FloatVector.fromArray(S, x, xo + i), FloatVector.fromArray(S, g, go + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = unaryBackwardTail(op, x[xo + i], g[go + i]);
    }

    /** Reference twin of {@link #unaryBackward}, in double. */
    public static void unaryBackwardReference(Unary op, float[] x, int xOff, float[] g, int gOff, float[] gx, int gxOff,
                                              int n) {
        for (int i = 0; i < n; i++) gx[gxOff + i] = (float) (g[gOff + i] * unaryDerivativeScalar(op, x[xOff + i]));
    }

    // =====================================================================================================
    // Binary
    // =====================================================================================================

    /** y[i] = a[i] op b[i] for i in [0, n) (offsets applied). */
    public static void binary(Binary op, float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        split(n, (from, to) -> binaryRange(op, a, aOff + from, b, bOff + from, y, yOff + from, to - from));
    }

    private static void binaryRange(Binary op, float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            apply(op, FloatVector.fromArray(S, a, ao + i), FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = binaryScalar(op, a[ao + i], b[bo + i]);
    }

    /** y[i] = a[i] op b (array op scalar). */
    public static void binary(Binary op, float[] a, int aOff, float b, float[] y, int yOff, int n) {
        split(n, (from, to) -> binaryScalarRange(op, a, aOff + from, b, y, yOff + from, to - from));
    }

    private static void binaryScalarRange(Binary op, float[] a, int ao, float b, float[] y, int yo, int n) {
        FloatVector vb = FloatVector.broadcast(S, b);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            apply(op, FloatVector.fromArray(S, a, ao + i), vb).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = binaryScalar(op, a[ao + i], b);
    }

    /** y[i] = a op b[i] (scalar op array). */
    public static void binary(Binary op, float a, float[] b, int bOff, float[] y, int yOff, int n) {
        split(n, (from, to) -> scalarBinaryRange(op, a, b, bOff + from, y, yOff + from, to - from));
    }

    private static void scalarBinaryRange(Binary op, float a, float[] b, int bo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            apply(op, va, FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = binaryScalar(op, a, b[bo + i]);
    }

    /** Row broadcast: y[r, j] = a[r, j] op b[j] for a, y (rows, n) and b (n). */
    public static void binaryRowBroadcast(Binary op, int rows, int n, float[] a, int aOff, float[] b, int bOff,
                                          float[] y, int yOff) {
        forRows(rows, n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) binaryRange(op, a, aOff + r * n, b, bOff, y, yOff + r * n, n);
        });
    }

    /** Column broadcast: y[r, j] = a[r, j] op b[r] for a, y (rows, n) and b (rows). */
    public static void binaryColumnBroadcast(Binary op, int rows, int n, float[] a, int aOff, float[] b, int bOff,
                                             float[] y, int yOff) {
        forRows(rows, n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) binaryScalarRange(op, a, aOff + r * n, b[bOff + r], y, yOff + r * n, n);
        });
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

    /** Reference twin of {@link #binaryRowBroadcast}. */
    public static void binaryRowBroadcastReference(Binary op, int rows, int n, float[] a, int aOff, float[] b, int bOff,
                                                   float[] y, int yOff) {
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < n; j++) y[yOff + r * n + j] = binaryScalar(op, a[aOff + r * n + j], b[bOff + j]);
    }

    /** Reference twin of {@link #binaryColumnBroadcast}. */
    public static void binaryColumnBroadcastReference(Binary op, int rows, int n, float[] a, int aOff, float[] b,
                                                      int bOff, float[] y, int yOff) {
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < n; j++) y[yOff + r * n + j] = binaryScalar(op, a[aOff + r * n + j], b[bOff + r]);
    }

    // =====================================================================================================
    // Reductions
    // =====================================================================================================

    private static void forRows(int rows, int n, Parallel.RangeBody body) {
        long work = (long) rows * Math.max(n, 1);
        if (Parallel.threads() <= 1 || rows < 2 || work < 2L * GRAIN) body.run(0, rows);
        else Parallel.forRange(rows, body);
    }

    /** y[yOff + r] = sum of row r of x (rows, n); 0 for n = 0. */
    public static void sumRows(int rows, int n, float[] x, int xOff, float[] y, int yOff) {
        forRows(rows, n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) y[yOff + r] = sum(x, xOff + r * n, n);
        });
    }

    /** y[yOff + r] = max of row r of x (rows, n); -inf for n = 0, NaN if the row has a NaN. */
    public static void maxRows(int rows, int n, float[] x, int xOff, float[] y, int yOff) {
        forRows(rows, n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) y[yOff + r] = max(x, xOff + r * n, n);
        });
    }

    /** Reference twin of {@link #sumRows}: double accumulation. */
    public static void sumRowsReference(int rows, int n, float[] x, int xOff, float[] y, int yOff) {
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int j = 0; j < n; j++) s += x[xOff + r * n + j];
            y[yOff + r] = (float) s;
        }
    }

    /** Reference twin of {@link #maxRows}. */
    public static void maxRowsReference(int rows, int n, float[] x, int xOff, float[] y, int yOff) {
        for (int r = 0; r < rows; r++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) m = Math.max(m, x[xOff + r * n + j]);
            y[yOff + r] = m;
        }
    }

    /**
     * Middle-axis sum: x is (outer, n, inner) with inner contiguous, y[o, c] = sum over j of x[o, j, c] (y is
     * (outer, inner)). Vectorised across inner, tiles of 4 vectors kept in registers while j runs.
     */
    public static void sumMiddle(int outer, int n, int inner, float[] x, int xOff, float[] y, int yOff) {
        middle(true, outer, n, inner, x, xOff, y, yOff);
    }

    /** Middle-axis max, as {@link #sumMiddle}; -inf for n = 0. */
    public static void maxMiddle(int outer, int n, int inner, float[] x, int xOff, float[] y, int yOff) {
        middle(false, outer, n, inner, x, xOff, y, yOff);
    }

    private static void middle(boolean sum, int outer, int n, int inner, float[] x, int xOff, float[] y, int yOff) {
        if (inner == 1) {
            if (sum) sumRows(outer, n, x, xOff, y, yOff);
            else maxRows(outer, n, x, xOff, y, yOff);
            return;
        }
        int tiles = (inner + TILE - 1) / TILE;
        long work = (long) outer * n * inner;
        Parallel.RangeBody body = (t0, t1) -> {
            for (int task = t0; task < t1; task++) {
                int o = task / tiles, c0 = (task % tiles) * TILE, w = Math.min(TILE, inner - c0);
                int src = xOff + o * n * inner + c0, dst = yOff + o * inner + c0;
                if (w == TILE) middleTile(sum, n, inner, x, src, y, dst);
                else middleNarrow(sum, n, inner, w, x, src, y, dst);
            }
        };
        int tasks = outer * tiles;
        if (Parallel.threads() <= 1 || tasks < 2 || work < 2L * GRAIN) body.run(0, tasks);
        else Parallel.forRange(tasks, body);
    }

    /** TILE columns: 4 vector accumulators over the n rows. */
    private static void middleTile(boolean sum, int n, int inner, float[] x, int src, float[] y, int dst) {
        float init = sum ? 0f : Float.NEGATIVE_INFINITY;
        FloatVector a0 = FloatVector.broadcast(S, init), a1 = a0, a2 = a0, a3 = a0;
        if (sum) {
            for (int j = 0; j < n; j++) {
                int p = src + j * inner;
                a0 = a0.add(FloatVector.fromArray(S, x, p));
                a1 = a1.add(FloatVector.fromArray(S, x, p + L));
                a2 = a2.add(FloatVector.fromArray(S, x, p + 2 * L));
                a3 = a3.add(FloatVector.fromArray(S, x, p + 3 * L));
            }
        } else {
            for (int j = 0; j < n; j++) {
                int p = src + j * inner;
                a0 = a0.max(FloatVector.fromArray(S, x, p));
                a1 = a1.max(FloatVector.fromArray(S, x, p + L));
                a2 = a2.max(FloatVector.fromArray(S, x, p + 2 * L));
                a3 = a3.max(FloatVector.fromArray(S, x, p + 3 * L));
            }
        }
        a0.intoArray(y, dst);
        a1.intoArray(y, dst + L);
        a2.intoArray(y, dst + 2 * L);
        a3.intoArray(y, dst + 3 * L);
    }

    /** Fewer than TILE columns: one (masked, at the end) vector at a time. */
    private static void middleNarrow(boolean sum, int n, int inner, int w, float[] x, int src, float[] y, int dst) {
        for (int c = 0; c < w; c += L) {
            VectorMask<Float> m = S.indexInRange(c, w);
            FloatVector a = FloatVector.broadcast(S, sum ? 0f : Float.NEGATIVE_INFINITY);
            if (sum) {
                for (int j = 0; j < n; j++) a = a.add(FloatVector.fromArray(S, x, src + j * inner + c, m));
            } else {
                for (int j = 0; j < n; j++) a = a.max(FloatVector.fromArray(S, x, src + j * inner + c, m));
            }
            a.intoArray(y, dst + c, m);
        }
    }

    /** Reference twin of {@link #sumMiddle}: double accumulation. */
    public static void sumMiddleReference(int outer, int n, int inner, float[] x, int xOff, float[] y, int yOff) {
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < inner; c++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += x[xOff + (o * n + j) * inner + c];
                y[yOff + o * inner + c] = (float) s;
            }
    }

    /** Reference twin of {@link #maxMiddle}. */
    public static void maxMiddleReference(int outer, int n, int inner, float[] x, int xOff, float[] y, int yOff) {
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < inner; c++) {
                float m = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) m = Math.max(m, x[xOff + (o * n + j) * inner + c]);
                y[yOff + o * inner + c] = m;
            }
    }

    /**
     * Sum of x[o .. o+n): 4 vector accumulators over blocks of {@code 64 * lanes} elements, each block's lanes
     * added in a fixed order into a double, so the result is accurate (relative error ~1e-7 for any n) and the
     * same in interpreted and compiled code.
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
            total += lanesToDouble(a0.add(a1).add(a2.add(a3)));
        }
        FloatVector a = FloatVector.zero(S);
        for (int bound = i + S.loopBound(n - i); i < bound; i += L) a = a.add(FloatVector.fromArray(S, x, o + i));
        total += lanesToDouble(a);
        for (; i < n; i++) total += x[o + i];
        return total;
    }

    /** The lanes of v added in lane order, in double (deterministic, unlike reduceLanes(ADD)). */
    static double lanesToDouble(FloatVector v) {
        double s = 0;
        for (int l = 0; l < L; l++) s += v.lane(l);
        return s;
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

    /** y[yo + i] = y[yo + i] * s + x[xo + i] * t (axpby). */
    public static void scaleAdd(float[] y, int yo, float s, float[] x, int xo, float t, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).mul(t).add(FloatVector.fromArray(S, y, yo + i).mul(s)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = y[yo + i] * s + x[xo + i] * t;
    }

    // =====================================================================================================
    // Adapters from the tensor module's op enums (used by VectorBackend). These run on the calling thread:
    // VectorBackend already splits its work over Parallel.
    // =====================================================================================================

    /** The kernel op with the same name as the tensor op. */
    public static Unary of(UnaryOp op) {
        return switch (op) {
            case NEG -> Unary.NEG;
            case EXP -> Unary.EXP;
            case LOG -> Unary.LOG;
            case SQRT -> Unary.SQRT;
            case TANH -> Unary.TANH;
            case SIGMOID -> Unary.SIGMOID;
            case RELU -> Unary.RELU;
            case SILU -> Unary.SILU;
            case GELU -> Unary.GELU;
            case ABS -> Unary.ABS;
        };
    }

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

    /** y[i] = op(x[i]) for a tensor op. */
    public static void unary(UnaryOp op, float[] x, int xo, float[] y, int yo, int n) {
        unaryRange(of(op), x, xo, y, yo, n);
    }

    /** y[i] = g[i] * op'(x[i]) for a tensor op. */
    public static void unaryBackward(UnaryOp op, float[] x, int xo, float[] g, int go, float[] y, int yo, int n) {
        unaryBackwardRange(of(op), x, xo, g, go, y, yo, n);
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

package org.svdd.kernels;

import java.util.Arrays;
import org.svdd.tensor.BinaryOp;
import org.svdd.tensor.Conv2dParams;
import org.svdd.tensor.DType;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.ReduceOp;
import org.svdd.tensor.ReferenceBackend;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.UnaryOp;

/**
 * The CPU backend {@code cpu}: the hot primitives on F32 tensors with the Vector API ({@link ElementwiseKernels},
 * {@link RowKernels}, {@link AttentionKernel}), {@link Sgemm} and {@link Conv2dKernel}, on the {@link Parallel}
 * pool, and what samplers do to I64 token ids every step (comparisons, where, indexSelect) on the long arrays.
 * Everything else (F64 gradient checks, other integer ops, ARGMAX) is the inherited {@link ReferenceBackend}, which is
 * also the oracle this class is tested against ({@code BackendConformance}).
 *
 * <p>Strided operands are walked with {@link Strided}: views are coalesced, and each run along the innermost axis
 * goes to a vector kernel, directly when its stride is 1, as a scalar when its stride is 0 (broadcast), and through
 * a gathered copy otherwise.
 */
public final class VectorBackend extends ReferenceBackend {
    /** Below this many elements an elementwise op runs on the calling thread. */
    private static final int GRAIN = 1 << 15;
    /** Columns per task of a middle-axis reduction. */
    private static final int REDUCE_TILE = 4096;
    /** Per-thread scratch for gathered operand runs, one slot per operand. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][]{new float[0], new float[0]});

    @Override
    public String name() {
        return "cpu";
    }

    // ---- helpers ----

    private static boolean allF32(Tensor... ts) {
        for (Tensor t : ts) if (t != null && t.dtype() != DType.F32) return false;
        return true;
    }

    private static float[] floats(Tensor t) {
        return host(t).floats();
    }

    private Tensor wrap(float[] data, int... shape) {
        return Tensor.wrap(this, HostStorage.of(data), shape);
    }

    /**
     * A new F32 result whose every element the kernel writing it sets: its memory comes from the pool inside a
     * {@link org.svdd.tensor.Memory} scope, contents undefined until written.
     */
    private Tensor result(int... shape) {
        return Tensor.wrap(this, HostStorage.uninitialized(DType.F32, Shape.numel(shape)), shape);
    }

    /** A new F32 result of zeros, for kernels that add into their output. */
    private Tensor zeroResult(int... shape) {
        return Tensor.wrap(this, HostStorage.zeros(DType.F32, Shape.numel(shape)), shape);
    }

    /** Runs body over [0, tasks) on the pool, or on this thread when the whole job is under {@link #GRAIN} elements (or multiply-adds). */
    private static void parallelFor(int tasks, long elements, Parallel.RangeBody body) {
        if (elements < GRAIN || Parallel.threads() == 1) body.run(0, tasks);
        else Parallel.forRange(tasks, body);
    }

    /** t itself when contiguous, else a contiguous copy in its dtype (both read from t.offset()). */
    private Tensor contiguous(Tensor t) {
        return t.isContiguous() ? t : copy(t, t.dtype());
    }

    /** The backing array of a host storage, whatever its dtype (for {@link System#arraycopy}). */
    private static Object array(HostStorage h) {
        return switch (h.dtype()) {
            case F32 -> h.floats();
            case F64 -> h.doubles();
            case I32 -> h.ints();
            case I64 -> h.longs();
        };
    }

    /** A contiguous F32 tensor's floats from its offset, or null for a null tensor. */
    private static Floats operand(Tensor t) {
        return t == null ? null : new Floats(floats(t), t.offset());
    }

    /** One operand's run of len floats with unit stride: the view itself when its stride is 1, else gathered into scratch slot. */
    private static Floats run(float[] src, int off, int stride, int len, int slot) {
        if (stride == 1) return new Floats(src, off);
        float[][] scratch = SCRATCH.get();
        if (scratch[slot].length < len) scratch[slot] = new float[Math.max(len, 2 * scratch[slot].length)];
        float[] buf = scratch[slot];
        for (int i = 0; i < len; i++) buf[i] = src[off + i * stride];
        return new Floats(buf, 0);
    }

    // ---- memory ----

    @Override
    public Tensor upload(HostStorage data, int... shape) {
        HostStorage copy = switch (data.dtype()) {
            case F32 -> {
                HostStorage h = HostStorage.uninitialized(DType.F32, data.size());
                System.arraycopy(data.floats(), 0, h.floats(), 0, data.size());
                yield h;
            }
            case F64 -> HostStorage.of(data.doubles().clone());
            case I32 -> HostStorage.of(data.ints().clone());
            case I64 -> HostStorage.of(data.longs().clone());
        };
        return Tensor.wrap(this, copy, shape);
    }

    @Override
    public HostStorage download(Tensor x) {
        if (x.dtype() != DType.F32) return super.download(x);
        if (x.isContiguous()) return HostStorage.of(Arrays.copyOfRange(floats(x), x.offset(), x.offset() + x.numel()));
        return host(copy(x, DType.F32));
    }

    @Override
    public Tensor copy(Tensor x, DType dtype) {
        if (x.dtype() != DType.F32 || dtype != DType.F32) return super.copy(x, dtype);
        Tensor y = result(x.shape());
        float[] out = floats(y);
        if (x.isContiguous()) System.arraycopy(floats(x), x.offset(), out, 0, out.length);
        else copyInto(y, x);
        return y;
    }

    @Override
    public void assign(Tensor dst, Tensor src) {
        if (!allF32(dst, src)) {
            super.assign(dst, src);
            return;
        }
        copyInto(dst, src);
    }

    /** dst[i] = src[i] for two F32 views of one shape, runs along the coalesced inner axis. */
    private static void copyInto(Tensor dst, Tensor src) {
        Strided it = Strided.of(dst.shape(), dst, src);
        float[] d = floats(dst), s = floats(src);
        int ds = it.innerStride(0), ss = it.innerStride(1);
        it.forAll(GRAIN, (offs, len) -> {
            int o = offs[0], i = offs[1];
            if (ds == 1 && ss == 1) System.arraycopy(s, i, d, o, len);
            else if (ds == 1 && ss == 0) Arrays.fill(d, o, o + len, s[i]);
            else for (int j = 0; j < len; j++) d[o + j * ds] = s[i + j * ss];
        });
    }

    // ---- elementwise ----

    @Override
    public Tensor unary(UnaryOp op, Tensor x) {
        if (!allF32(x)) return super.unary(op, x);
        Tensor y = result(x.shape());
        float[] out = floats(y);
        Strided it = Strided.of(x.shape(), y, x);
        float[] xa = floats(x);
        int sx = it.innerStride(1);
        it.forAll(GRAIN, (offs, len) -> {
            Floats xr = run(xa, offs[1], sx, len, 0);
            ElementwiseKernels.unary(op, xr.data(), xr.off(), out, offs[0], len);
        });
        return y;
    }

    @Override
    public Tensor unaryBackward(UnaryOp op, Tensor x, Tensor gradOut) {
        if (!allF32(x, gradOut)) return super.unaryBackward(op, x, gradOut);
        Tensor y = result(x.shape());
        float[] out = floats(y);
        Strided it = Strided.of(x.shape(), y, x, gradOut);
        float[] xa = floats(x), ga = floats(gradOut);
        int sx = it.innerStride(1), sg = it.innerStride(2);
        it.forAll(GRAIN, (offs, len) -> {
            Floats xr = run(xa, offs[1], sx, len, 0), gr = run(ga, offs[2], sg, len, 1);
            ElementwiseKernels.unaryBackward(op, xr.data(), xr.off(), gr.data(), gr.off(), out, offs[0], len);
        });
        return y;
    }

    /**
     * Runs of a and b go to the vector-vector kernel, or to a vector-scalar kernel when one side is broadcast along
     * the run (stride 0): a same-shape op is one run, a row broadcast is vector-vector per row, a column or scalar
     * broadcast is vector-scalar.
     */
    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        if (op.isComparison() && a.dtype() == DType.I64 && b.dtype() == DType.I64) return compareLongs(op, a, b);
        if (!allF32(a, b)) return super.binary(op, a, b);
        Tensor y = result(a.shape());
        float[] out = floats(y);
        Strided it = Strided.of(a.shape(), y, a, b);
        float[] aa = floats(a), ba = floats(b);
        int sa = it.innerStride(1), sb = it.innerStride(2);
        it.forAll(GRAIN, (offs, len) -> {
            int o = offs[0];
            if (sa == 0 && sb == 0) {
                Arrays.fill(out, o, o + len, (float) op.apply(aa[offs[1]], ba[offs[2]]));
            } else if (sb == 0) {
                Floats ar = run(aa, offs[1], sa, len, 0);
                ElementwiseKernels.binary(op, ar.data(), ar.off(), ba[offs[2]], out, o, len);
            } else if (sa == 0) {
                Floats br = run(ba, offs[2], sb, len, 0);
                ElementwiseKernels.binary(op, aa[offs[1]], br.data(), br.off(), out, o, len);
            } else {
                Floats ar = run(aa, offs[1], sa, len, 0), br = run(ba, offs[2], sb, len, 1);
                ElementwiseKernels.binary(op, ar.data(), ar.off(), br.data(), br.off(), out, o, len);
            }
        });
        return y;
    }

    /** A comparison of I64 operands (token ids) made on the longs: 1 or 0 as I64. */
    private Tensor compareLongs(BinaryOp op, Tensor a, Tensor b) {
        long[] out = new long[a.numel()];
        Tensor y = Tensor.wrap(this, HostStorage.of(out), a.shape());
        Strided it = Strided.of(a.shape(), y, a, b);
        long[] aa = host(a).longs(), ba = host(b).longs();
        int sa = it.innerStride(1), sb = it.innerStride(2);
        it.forAll(GRAIN, (offs, len) -> {
            int o = offs[0], i = offs[1], j = offs[2];
            for (int e = 0; e < len; e++) out[o + e] = holds(op, aa[i + e * sa], ba[j + e * sb]) ? 1 : 0;
        });
        return y;
    }

    private static boolean holds(BinaryOp op, long a, long b) {
        return switch (op) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
            default -> throw new IllegalArgumentException(op + " is not a comparison");
        };
    }

    /** F32 values as floats, I64 values (token ids) as longs under an F32 or I64 cond, anything else in the reference. */
    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b) {
        boolean idCond = cond.dtype() == DType.F32 || cond.dtype() == DType.I64;
        if (idCond && a.dtype() == DType.I64 && b.dtype() == DType.I64) return whereLongs(cond, a, b);
        if (!allF32(cond, a, b)) return super.where(cond, a, b);
        Tensor y = result(a.shape());
        float[] out = floats(y);
        Strided it = Strided.of(a.shape(), y, cond, a, b);
        float[] ca = floats(cond), aa = floats(a), ba = floats(b);
        int sc = it.innerStride(1), sa = it.innerStride(2), sb = it.innerStride(3);
        it.forAll(GRAIN, (offs, len) -> {
            int o = offs[0], c = offs[1], i = offs[2], j = offs[3];
            for (int e = 0; e < len; e++) out[o + e] = ca[c + e * sc] != 0 ? aa[i + e * sa] : ba[j + e * sb];
        });
        return y;
    }

    /** ARGMAX over the last axis: per row the first index of its largest value (a NaN is never larger), as I64. */
    private Tensor argmaxRows(Tensor x) {
        int[] shape = x.shape(), outShape = shape.clone();
        int n = shape[shape.length - 1];
        outShape[shape.length - 1] = 1;
        Tensor xc = contiguous(x);
        float[] xa = floats(xc);
        int base = xc.offset(), rows = x.numel() / n;
        long[] out = new long[rows];
        parallelFor(rows, x.numel(), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int row = base + r * n, arg = 0;
                float best = xa[row];
                for (int j = 1; j < n; j++) {
                    if (xa[row + j] > best) {
                        best = xa[row + j];
                        arg = j;
                    }
                }
                out[r] = arg;
            }
        });
        return Tensor.wrap(this, HostStorage.of(out), outShape);
    }

    private Tensor whereLongs(Tensor cond, Tensor a, Tensor b) {
        long[] out = new long[a.numel()];
        Tensor y = Tensor.wrap(this, HostStorage.of(out), a.shape());
        Strided it = Strided.of(a.shape(), y, cond, a, b);
        long[] aa = host(a).longs(), ba = host(b).longs();
        long[] cl = cond.dtype() == DType.I64 ? host(cond).longs() : null;
        float[] cf = cl == null ? floats(cond) : null;
        int sc = it.innerStride(1), sa = it.innerStride(2), sb = it.innerStride(3);
        it.forAll(GRAIN, (offs, len) -> {
            int o = offs[0], c = offs[1], i = offs[2], j = offs[3];
            if (cl != null) for (int e = 0; e < len; e++) out[o + e] = cl[c + e * sc] != 0 ? aa[i + e * sa] : ba[j + e * sb];
            else for (int e = 0; e < len; e++) out[o + e] = cf[c + e * sc] != 0 ? aa[i + e * sa] : ba[j + e * sb];
        });
        return y;
    }

    // ---- reductions ----

    /**
     * SUM and MAX in F32. Over the last axis each row is one vector reduction; over a middle axis, x seen as
     * (outer, n, inner), the inner vectors are accumulated row by row, in tiles of {@link #REDUCE_TILE} columns. A
     * strided x is made contiguous first. ARGMAX over the last axis (a sampler's token choice) is a scan per row.
     */
    @Override
    public Tensor reduce(ReduceOp op, Tensor x, int axis) {
        int[] shape = x.shape();
        int n = shape[axis];
        if (op == ReduceOp.ARGMAX && allF32(x) && axis == shape.length - 1 && n > 0 && x.numel() > 0) return argmaxRows(x);
        if (op == ReduceOp.ARGMAX || !allF32(x) || n == 0 || x.numel() == 0) return super.reduce(op, x, axis);
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) inner *= shape[d];
        int outer = x.numel() / (n * inner);
        Tensor xc = contiguous(x);
        int[] outShape = shape.clone();
        outShape[axis] = 1;
        Tensor y = result(outShape);
        float[] xa = floats(xc), out = floats(y);
        int base = xc.offset();
        boolean sum = op == ReduceOp.SUM;
        if (inner == 1) {
            parallelFor(outer, x.numel(), (s, e) -> {
                for (int p = s; p < e; p++) {
                    out[p] = sum ? ElementwiseKernels.sum(xa, base + p * n, n) : ElementwiseKernels.max(xa, base + p * n, n);
                }
            });
        } else {
            int in = inner, tiles = (inner + REDUCE_TILE - 1) / REDUCE_TILE;
            parallelFor(outer * tiles, x.numel(), (s, e) -> {
                for (int task = s; task < e; task++) {
                    int p = task / tiles, q0 = (task % tiles) * REDUCE_TILE, len = Math.min(REDUCE_TILE, in - q0);
                    int dst = p * in + q0, src = base + p * n * in + q0;
                    System.arraycopy(xa, src, out, dst, len);
                    for (int j = 1; j < n; j++) {
                        if (sum) ElementwiseKernels.addInPlace(out, dst, xa, src + j * in, len);
                        else ElementwiseKernels.maxInPlace(out, dst, xa, src + j * in, len);
                    }
                }
            });
        }
        return y;
    }

    // ---- linear algebra ----

    /**
     * Batched SGEMM straight on the operands' strides. When b is shared by every batch (stride 0) and a's batches
     * stack into rows, the batch folds into one (B*M, K) x (K, N) product; otherwise one GEMM per batch, the batches
     * split across the pool when there are at least as many as threads (each GEMM then runs inline), else one after
     * another with each GEMM parallel inside.
     */
    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        if (!allF32(a, b)) return super.matmul(a, b);
        int nb = a.dim(0), m = a.dim(1), k = a.dim(2), n = b.dim(2);
        if (nb * m * n == 0 || k == 0) return zeroResult(nb, m, n);
        Tensor y = result(nb, m, n);
        float[] out = floats(y);
        int[] sa = a.strides(), sb = b.strides();
        float[] aa = floats(a), ba = floats(b);
        boolean fold = nb == 1 || (sb[0] == 0 && sa[0] == m * sa[1]);
        if (fold) {
            Sgemm.sgemm(nb * m, n, k, aa, a.offset(), sa[1], sa[2], ba, b.offset(), sb[1], sb[2], out, 0, n, false);
        } else {
            Parallel.RangeBody batches = (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    Sgemm.sgemm(m, n, k, aa, a.offset() + p * sa[0], sa[1], sa[2], ba, b.offset() + p * sb[0], sb[1], sb[2], out, p * m * n, n, false);
                }
            };
            if (nb >= Parallel.threads()) parallelFor(nb, (long) nb * m * n * k, batches);
            else batches.run(0, nb);
        }
        return y;
    }

    private static Conv2dKernel.Geometry geometry(int[] xs, int[] ws, Conv2dParams p) {
        return new Conv2dKernel.Geometry(xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], p);
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor w, Conv2dParams p) {
        if (!allF32(x, w)) return super.conv2d(x, w, p);
        Conv2dKernel.Geometry g = geometry(x.shape(), w.shape(), p);
        Tensor xc = contiguous(x), wc = contiguous(w);
        Tensor y = result(g.n(), g.o(), g.oh(), g.ow());
        Conv2dKernel.forward(floats(xc), xc.offset(), floats(wc), wc.offset(), floats(y), g);
        return y;
    }

    /**
     * One pass per row of each (sample, group) for the statistics, then one per channel plane for the normalised,
     * affine and activated output ({@link RowKernels#groupNorm}).
     */
    @Override
    public Tensor[] groupNorm(Tensor x, int groups, Tensor gamma, Tensor beta, double eps, UnaryOp act) {
        if (!allF32(x, gamma, beta) || !x.isContiguous()) return super.groupNorm(x, groups, gamma, beta, eps, act);
        int n = x.dim(0), c = x.dim(1), plane = n * c == 0 ? 0 : x.numel() / (n * c);
        Tensor y = result(x.shape()), mean = result(n * groups, 1), rstd = result(n * groups, 1);
        RowKernels.groupNorm(new RowKernels.GroupDims(n, c, groups, plane), operand(x), operand(gamma), operand(beta), (float) eps, act,
                floats(y), floats(mean), floats(rstd));
        return new Tensor[]{y, mean, rstd};
    }

    /**
     * The normalised x recomputed per plane from mean and rstd, gx written once ({@link RowKernels#groupNormBackward});
     * the per-plane sums for gamma and beta are added over n in order, so the result does not depend on the thread
     * count.
     */
    @Override
    public Tensor[] groupNormBackward(Tensor g, Tensor x, Tensor mean, Tensor rstd, int groups, Tensor gamma, Tensor beta, UnaryOp act) {
        if (!allF32(g, x, mean, rstd, gamma, beta) || !x.isContiguous() || !g.isContiguous()) {
            return super.groupNormBackward(g, x, mean, rstd, groups, gamma, beta, act);
        }
        int n = x.dim(0), c = x.dim(1), plane = n * c == 0 ? 0 : x.numel() / (n * c);
        Tensor mc = contiguous(mean), rc = contiguous(rstd);
        Tensor gxt = result(x.shape());
        float[] gx = floats(gxt);
        double[] sumGu = new double[n * c], sumGuXhat = new double[n * c];
        RowKernels.groupNormBackward(new RowKernels.GroupDims(n, c, groups, plane), operand(g), operand(x), operand(mc), operand(rc),
                operand(gamma), operand(beta), act, gx, sumGu, sumGuXhat);
        float[] gGamma = new float[c], gBeta = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double sg = 0, sb = 0;
            for (int r = ch; r < n * c; r += c) {
                sg += sumGuXhat[r];
                sb += sumGu[r];
            }
            gGamma[ch] = (float) sg;
            gBeta[ch] = (float) sb;
        }
        return new Tensor[]{gxt, gamma == null ? null : wrap(gGamma, c), beta == null ? null : wrap(gBeta, c)};
    }

    /** Each input row written once as its s-fold widened row, which is then copied s - 1 times below itself. */
    @Override
    public Tensor upsampleNearest2d(Tensor x, int s) {
        if (!allF32(x)) return super.upsampleNearest2d(x, s);
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3), wide = w * s;
        Tensor xc = contiguous(x);
        Tensor y = result(n, c, h * s, wide);
        float[] xa = floats(xc), out = floats(y);
        int base = xc.offset();
        parallelFor(n * c * h, out.length, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int src = base + r * w, dst = r * s * wide;
                for (int ix = 0; ix < w; ix++) Arrays.fill(out, dst + ix * s, dst + ix * s + s, xa[src + ix]);
                for (int j = 1; j < s; j++) System.arraycopy(out, dst, out, dst + j * wide, wide);
            }
        });
        return y;
    }

    /** The bias is added in place to every row of the product just written. */
    @Override
    public Tensor matmul(Tensor a, Tensor b, Tensor bias) {
        if (!allF32(a, b, bias)) return super.matmul(a, b, bias);
        Tensor y = matmul(a, b), bc = contiguous(bias);
        float[] ya = floats(y), ba = floats(bc);
        int n = y.dim(2), rows = n == 0 ? 0 : ya.length / n, bOff = bc.offset();
        parallelFor(rows, ya.length, (r0, r1) -> {
            for (int r = r0; r < r1; r++) ElementwiseKernels.binary(BinaryOp.ADD, ya, r * n, ba, bOff, ya, r * n, n);
        });
        return y;
    }

    /** The bias is added in place, one output plane at a time, to the output the convolution has just written. */
    @Override
    public Tensor conv2d(Tensor x, Tensor w, Tensor b, Conv2dParams p) {
        if (b == null || !allF32(x, w, b)) return super.conv2d(x, w, b, p);
        Tensor y = conv2d(x, w, p), bc = contiguous(b);
        float[] ya = floats(y), ba = floats(bc);
        int c = y.dim(1), planes = y.dim(0) * c, plane = planes == 0 ? 0 : ya.length / planes, bOff = bc.offset();
        boolean perImage = bc.rank() == 2;                 // b (N, O): one value per output plane
        parallelFor(planes, ya.length, (r0, r1) -> {
            for (int r = r0; r < r1; r++) ElementwiseKernels.binary(BinaryOp.ADD, ya, r * plane, ba[bOff + (perImage ? r : r % c)], ya, r * plane, plane);
        });
        return y;
    }

    @Override
    public Tensor conv2dBackwardInput(Tensor gy, Tensor w, int[] xShape, Conv2dParams p) {
        if (!allF32(gy, w)) return super.conv2dBackwardInput(gy, w, xShape, p);
        Conv2dKernel.Geometry g = geometry(xShape, w.shape(), p);
        Tensor gc = contiguous(gy), wc = contiguous(w);
        Tensor gx = zeroResult(xShape);                   // the kernel adds each tap's contribution into it
        Conv2dKernel.backwardInput(floats(gc), gc.offset(), floats(wc), wc.offset(), floats(gx), g);
        return gx;
    }

    @Override
    public Tensor conv2dBackwardWeight(Tensor x, Tensor gy, int[] wShape, Conv2dParams p) {
        if (!allF32(x, gy)) return super.conv2dBackwardWeight(x, gy, wShape, p);
        Conv2dKernel.Geometry g = geometry(x.shape(), wShape, p);
        Tensor xc = contiguous(x), gc = contiguous(gy);
        Tensor gw = result(wShape);
        Conv2dKernel.backwardWeight(floats(xc), xc.offset(), floats(gc), gc.offset(), floats(gw), g);
        return gw;
    }

    // ---- fused rows ----

    @Override
    public Tensor softmax(Tensor x, boolean log) {
        if (!allF32(x)) return super.softmax(x, log);
        int n = x.dim(-1), rows = n == 0 ? 0 : x.numel() / n;
        Tensor xc = contiguous(x);
        Tensor y = result(x.shape());
        RowKernels.softmax(rows, n, floats(xc), xc.offset(), floats(y), 0, log);
        return y;
    }

    @Override
    public Tensor[] normalizeRows(Tensor x, double eps) {
        if (!allF32(x)) return super.normalizeRows(x, eps);
        int rows = x.dim(0), n = x.dim(1);
        Tensor xc = contiguous(x);
        Tensor y = result(rows, n), rstd = result(rows, 1);
        RowKernels.normalize(rows, n, floats(xc), xc.offset(), (float) eps, floats(y), 0, floats(rstd), 0);
        return new Tensor[]{y, rstd};
    }

    @Override
    public Tensor normalizeRowsBackward(Tensor gy, Tensor y, Tensor rstd) {
        if (!allF32(gy, y, rstd)) return super.normalizeRowsBackward(gy, y, rstd);
        int rows = y.dim(0), n = y.dim(1);
        Tensor gc = contiguous(gy), yc = contiguous(y), rc = contiguous(rstd);
        Tensor gx = result(rows, n);
        RowKernels.normalizeBackward(rows, n, floats(gc), gc.offset(), floats(yc), yc.offset(), floats(rc), rc.offset(), floats(gx), 0);
        return gx;
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, Tensor mask, double scale) {
        if (!allF32(q, k, v, mask)) return super.attention(q, k, v, mask, scale);
        int b = q.dim(0), s = q.dim(1), d = q.dim(2), t = k.dim(1), e = v.dim(2);
        Tensor qc = contiguous(q), kc = contiguous(k), vc = contiguous(v);
        Tensor y = result(b, s, e);
        AttentionKernel.forward(new AttentionKernel.Dims(b, s, t, d, e), operand(qc), operand(kc), operand(vc), maskView(mask), (float) scale,
                Floats.of(floats(y)));
        return y;
    }

    @Override
    public Tensor[] attentionBackward(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, Tensor g) {
        if (!allF32(q, k, v, mask, g)) return super.attentionBackward(q, k, v, mask, scale, g);
        int b = q.dim(0), s = q.dim(1), d = q.dim(2), t = k.dim(1), e = v.dim(2);
        Tensor qc = contiguous(q), kc = contiguous(k), vc = contiguous(v), gc = contiguous(g);
        Tensor gq = result(b, s, d), gk = result(b, t, d), gv = result(b, t, e);
        AttentionKernel.backward(new AttentionKernel.Dims(b, s, t, d, e), operand(qc), operand(kc), operand(vc), maskView(mask), (float) scale,
                operand(gc), floats(gq), floats(gk), floats(gv));
        return new Tensor[]{gq, gk, gv};
    }

    private static AttentionKernel.MaskView maskView(Tensor mask) {
        return mask == null ? null
                : new AttentionKernel.MaskView(floats(mask), mask.offset(), mask.strides()[0], mask.strides()[1], mask.strides()[2]);
    }

    // ---- indexing ----

    /** The integer indices of idx in row-major order, each checked against [0, bound) like the reference. */
    private static int[] indices(Tensor idx, int bound, String op) {
        int n = idx.numel();
        int[] out = new int[n];
        HostStorage h = host(idx);
        boolean flat = idx.isContiguous();
        for (int i = 0; i < n; i++) {
            int at = flat ? idx.offset() + i : offsetOf(idx, i);
            long v = switch (idx.dtype()) {
                case I64 -> h.longs()[at];
                case I32 -> h.ints()[at];
                default -> (long) h.get(at);
            };
            if (v < 0 || v >= bound) throw new IndexOutOfBoundsException(op + ": index " + v + " out of range [0, " + bound + ")");
            out[i] = (int) v;
        }
        return out;
    }

    @Override
    public Tensor gather(Tensor x, Tensor idx) {
        if (!allF32(x)) return super.gather(x, idx);
        int rows = x.dim(0), n = x.dim(1), j = idx.dim(1);
        int[] ix = indices(idx, n, "gather");
        Tensor xc = contiguous(x);
        Tensor y = result(rows, j);
        float[] xa = floats(xc), out = floats(y);
        int base = xc.offset();
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < j; c++) out[r * j + c] = xa[base + r * n + ix[r * j + c]];
        return y;
    }

    @Override
    public Tensor scatterAdd(Tensor idx, Tensor src, int n) {
        if (!allF32(src)) return super.scatterAdd(idx, src, n);
        int rows = src.dim(0), j = src.dim(1);
        int[] ix = indices(idx, n, "scatterAdd");
        Tensor sc = contiguous(src);
        Tensor y = zeroResult(rows, n);
        float[] sa = floats(sc), out = floats(y);
        int base = sc.offset();
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < j; c++) out[r * n + ix[r * j + c]] += sa[base + r * j + c];
        return y;
    }

    /** Rows copied whole, in the table's dtype (any). */
    @Override
    public Tensor indexSelect(Tensor table, Tensor idx) {
        int v = table.dim(0), d = table.dim(1);
        int[] ix = indices(idx, v, "indexSelect");
        Tensor tc = contiguous(table);
        HostStorage out = HostStorage.uninitialized(table.dtype(), ix.length * d);
        Object ta = array(host(tc)), oa = array(out);
        for (int i = 0; i < ix.length; i++) System.arraycopy(ta, tc.offset() + ix[i] * d, oa, i * d, d);
        return Tensor.wrap(this, out, ix.length, d);
    }

    @Override
    public Tensor indexAdd(Tensor idx, Tensor src, int v) {
        if (!allF32(src)) return super.indexAdd(idx, src, v);
        int l = src.dim(0), d = src.dim(1);
        int[] ix = indices(idx, v, "indexAdd");
        Tensor sc = contiguous(src);
        Tensor y = zeroResult(v, d);
        float[] sa = floats(sc), out = floats(y);
        for (int i = 0; i < l; i++) ElementwiseKernels.addInPlace(out, ix[i] * d, sa, sc.offset() + i * d, d);
        return y;
    }
}

package org.svdd.kernels.cuda;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.JCudaDriver;
import org.svdd.tensor.Backend;
import org.svdd.tensor.BinaryOp;
import org.svdd.tensor.Conv2dParams;
import org.svdd.tensor.DType;
import org.svdd.tensor.F;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.ReduceOp;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.UnaryOp;

/**
 * The GPU backend: every {@link Backend} primitive runs as one of the hand-written kernels of
 * {@code kernels/src/main/cuda} (their README gives each signature and launch configuration). Tensors live in device
 * memory ({@link CudaStorage}); data crosses to the host only in {@link #upload} and {@link #download}, and only
 * {@link #download} (and the index-range check of the indexing ops) waits for the device.
 *
 * <p>Values are F32; I32 and I64 are supported where an op moves, compares or consumes indices (memory ops, copy/assign
 * between F32/I32/I64, the comparisons EQ .. GE, where and indexSelect on token ids, the index operands of
 * gather/scatterAdd/indexSelect/indexAdd, ARGMAX results), each in its own type, never through a float. F64 is
 * storage only: F64 tensors are created, uploaded, downloaded, copied, assigned, selected by where and indexSelect
 * (moved as 8-byte words) and compared on the device, and converted to or from F64 through the host; every other
 * computing op throws {@link UnsupportedOperationException} naming the op and the dtype (use the reference backend
 * for gradient checks).
 */
public final class CudaBackend implements Backend {
    private static final int BLOCK = 256;
    private static final int MAX_GRID_X = 1 << 20;
    private static final int MAX_GRID_YZ = 65535;
    /** The largest im2col buffer of one chunk of images, in floats (1 GiB). */
    private static final long MAX_COL_ELEMENTS = 1L << 28;
    /** The attention kernel's limit on the value width. */
    private static final int MAX_ATTENTION_E = 256;

    private final CudaContext context;
    private final CudaAllocator allocator = new CudaAllocator();
    private final CUdeviceptr nullPointer = new CUdeviceptr();
    private final Set<String> sharedRaised = new HashSet<>();

    /** A backend on device 0. */
    public CudaBackend() {
        this(new CudaContext(0));
    }

    public CudaBackend(CudaContext context) {
        this.context = context;
    }

    @Override
    public String name() {
        return "cuda";
    }

    public CudaContext context() {
        return context;
    }

    /** Waits for every queued kernel (benchmarks and tests; ops never need it). */
    public void synchronize() {
        context.makeCurrent();
        context.synchronize();
    }

    // ---- helpers ----

    private Tensor alloc(DType dtype, int... shape) {
        return Tensor.wrap(this, new CudaStorage(allocator, dtype, Shape.numel(shape)), shape);
    }

    private CudaStorage storageOf(Tensor t) {
        if (!(t.storage() instanceof CudaStorage s)) {
            throw new IllegalArgumentException("tensor " + Shape.str(t.shape()) + " lives on backend '" + t.backend().name() + "', not on cuda: move it with Tensor.to");
        }
        return s;
    }

    /** The device address of a view's first element. */
    private CUdeviceptr ptr(Tensor t) {
        return ptr(t, 0);
    }

    /** The device address of element (view offset + extra) of t's storage. */
    private CUdeviceptr ptr(Tensor t, long extraElements) {
        long elements = t.offset() + extraElements;
        CUdeviceptr base = storageOf(t).pointer();
        return elements == 0 ? base : base.withByteOffset(elements * t.dtype().bytes());
    }

    /** The device address of a cuda tensor's first element, for interop (benchmarks against cuBLAS). */
    public static CUdeviceptr devicePointer(Tensor t) {
        if (!(t.backend() instanceof CudaBackend b)) throw new IllegalArgumentException("tensor is on backend '" + t.backend().name() + "', not cuda");
        return b.ptr(t);
    }

    private static UnsupportedOperationException unsupported(String op, DType dtype) {
        return new UnsupportedOperationException("cuda backend: " + op + " is not supported for " + dtype
                + " (the CUDA kernels compute in F32; use the reference backend for " + dtype + ")");
    }

    private static void requireF32(String op, Tensor... ts) {
        for (Tensor t : ts) if (t != null && t.dtype() != DType.F32) throw unsupported(op, t.dtype());
    }

    /** The kernels' name of a dtype that they convert (F32, I32, I64). */
    private static String code(DType dtype) {
        return switch (dtype) {
            case F32 -> "f32";
            case I32 -> "i32";
            case I64 -> "i64";
            case F64 -> throw new IllegalStateException("no kernel converts F64");
        };
    }

    /** As {@link #code}, for kernels that only move elements: an F64 moves bit-exactly as an I64 of the same width. */
    private static String moveCode(DType dtype) {
        return dtype == DType.F64 ? "i64" : code(dtype);
    }

    /** The kernels' name of a dtype that they compare (with each other, or with 0 for a where condition): any dtype. */
    private static String compareCode(DType dtype) {
        return dtype == DType.F64 ? "f64" : code(dtype);
    }

    private static String indexCode(String op, Tensor idx) {
        if (idx.dtype() != DType.I64 && idx.dtype() != DType.I32) {
            throw new IllegalArgumentException(op + ": indices must be I32 or I64, got " + idx.dtype());
        }
        return code(idx.dtype());
    }

    /** t itself when it is contiguous, else a contiguous device copy. */
    private Tensor contiguous(Tensor t) {
        return t.isContiguous() ? t : copy(t, t.dtype());
    }

    private static int[] grid1(long n) {
        return new int[]{(int) Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, MAX_GRID_X))};
    }

    private static int[] block1() {
        return new int[]{BLOCK};
    }

    private void launch1(String family, String kernel, long n, Object... args) {
        context.launch(context.function(family, kernel), grid1(n), block1(), 0, args);
    }

    /**
     * The shape and per-operand strides of an elementwise op, right-aligned to the kernels' {@code Dims6}: size-1 dims
     * are dropped and adjacent dims that every operand walks contiguously are merged, so views of any rank whose
     * layout needs at most six dims work.
     */
    static int[][] dims6(String op, int[] shape, int[]... strides) {
        List<Integer> sizes = new ArrayList<>();
        List<int[]> strideCols = new ArrayList<>();
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) continue;
            int last = sizes.size() - 1;
            boolean merge = last >= 0;
            for (int a = 0; merge && a < strides.length; a++) {
                merge = strides[a][d] == (long) strideCols.get(last)[a] * sizes.get(last);
            }
            if (merge) {
                sizes.set(last, sizes.get(last) * shape[d]);
            } else {
                sizes.add(shape[d]);
                int[] col = new int[strides.length];
                for (int a = 0; a < strides.length; a++) col[a] = strides[a][d];
                strideCols.add(col);
            }
        }
        if (sizes.size() > 6) {
            throw new UnsupportedOperationException("cuda backend: " + op + " on a view of shape " + Shape.str(shape)
                    + " needs " + sizes.size() + " strided dims; the kernels take at most 6 (make it contiguous first)");
        }
        int[][] out = new int[1 + strides.length][6];
        for (int i = 0; i < 6; i++) out[0][i] = 1;
        for (int k = 0; k < sizes.size(); k++) {
            out[0][5 - k] = sizes.get(k);
            for (int a = 0; a < strides.length; a++) out[1 + a][5 - k] = strideCols.get(k)[a];
        }
        return out;
    }

    // ---- memory ----

    @Override
    public Tensor zeros(DType dtype, int... shape) {
        context.makeCurrent();
        Tensor out = alloc(dtype, shape);
        int n = out.numel();
        if (n > 0) JCudaDriver.cuMemsetD32(ptr(out), 0, (long) n * dtype.bytes() / 4);
        return out;
    }

    private static Pointer hostPointer(HostStorage h) {
        return switch (h.dtype()) {
            case F32 -> Pointer.to(h.floats());
            case F64 -> Pointer.to(h.doubles());
            case I32 -> Pointer.to(h.ints());
            case I64 -> Pointer.to(h.longs());
        };
    }

    @Override
    public Tensor upload(HostStorage data, int... shape) {
        context.makeCurrent();
        int n = Shape.numel(shape);
        if (data.size() != n) throw new IllegalArgumentException("upload: " + data.size() + " values do not fill shape " + Shape.str(shape));
        Tensor out = alloc(data.dtype(), shape);
        if (n > 0) JCudaDriver.cuMemcpyHtoD(ptr(out), hostPointer(data), (long) n * data.dtype().bytes());
        return out;
    }

    @Override
    public HostStorage download(Tensor x) {
        context.makeCurrent();
        HostStorage out = HostStorage.allocate(x.dtype(), x.numel());
        if (x.numel() == 0) return out;
        Tensor c = x.isContiguous() ? x : copy(x, x.dtype());
        JCudaDriver.cuMemcpyDtoH(hostPointer(out), ptr(c), (long) x.numel() * x.dtype().bytes());
        return out;
    }

    @Override
    public Tensor copy(Tensor x, DType dtype) {
        context.makeCurrent();
        if (x.dtype() != dtype && (x.dtype() == DType.F64 || dtype == DType.F64)) return convertOnHost(x, dtype);
        Tensor out = alloc(dtype, x.shape());
        int n = x.numel();
        if (n == 0) return out;
        if (x.isContiguous() && x.dtype() == dtype) {
            JCudaDriver.cuMemcpyDtoD(ptr(out), ptr(x), (long) n * dtype.bytes());
        } else if (x.isContiguous()) {
            launch1("elementwise", "cast_" + code(x.dtype()) + "_" + code(dtype), n, ptr(x), ptr(out), n);
        } else {
            int[][] g = dims6("copy", x.shape(), x.strides(), out.strides());
            launch1("elementwise", "copy_strided_" + moveCode(x.dtype()) + "_" + moveCode(dtype), n, ptr(x), ptr(out), n, g[0], g[1], g[2]);
        }
        return out;
    }

    /**
     * No kernel converts to or from F64, so such a copy (only gradient checks and {@link Tensor#toDoubleArray} ask for
     * one) goes through the host: a contiguous device copy, download, convert, upload.
     */
    private Tensor convertOnHost(Tensor x, DType dtype) {
        HostStorage from = download(x), to = HostStorage.allocate(dtype, from.size());
        for (int i = 0; i < from.size(); i++) to.set(i, from.get(i));
        return upload(to, x.shape());
    }

    @Override
    public void assign(Tensor dst, Tensor src) {
        context.makeCurrent();
        int n = dst.numel();
        if (n == 0) return;
        // the kernel writes in parallel, so a source that shares the destination's memory is read from a copy
        Tensor from = src.dtype() != dst.dtype() && (src.dtype() == DType.F64 || dst.dtype() == DType.F64) ? convertOnHost(src, dst.dtype())
                : storageOf(src) == storageOf(dst) ? copy(src, src.dtype()) : src;
        int[][] g = dims6("assign", dst.shape(), from.strides(), dst.strides());
        launch1("elementwise", "copy_strided_" + moveCode(from.dtype()) + "_" + moveCode(dst.dtype()), n, ptr(from), ptr(dst), n, g[0], g[1], g[2]);
    }

    // ---- elementwise ----

    @Override
    public Tensor unary(UnaryOp op, Tensor x) {
        context.makeCurrent();
        requireF32("unary " + op, x);
        Tensor out = alloc(DType.F32, x.shape());
        int n = x.numel();
        if (n == 0) return out;
        if (x.isContiguous()) {
            launch1("elementwise", "unary_f32", n, ptr(x), ptr(out), n, op.ordinal());
        } else {
            int[][] g = dims6("unary " + op, x.shape(), x.strides());
            launch1("elementwise", "unary_strided_f32", n, ptr(x), ptr(out), n, op.ordinal(), g[0], g[1]);
        }
        return out;
    }

    @Override
    public Tensor unaryBackward(UnaryOp op, Tensor x, Tensor gradOut) {
        context.makeCurrent();
        requireF32("unaryBackward " + op, x, gradOut);
        Tensor out = alloc(DType.F32, x.shape());
        int n = x.numel();
        if (n == 0) return out;
        if (x.isContiguous() && gradOut.isContiguous()) {
            launch1("elementwise", "unary_backward_f32", n, ptr(x), ptr(gradOut), ptr(out), n, op.ordinal());
        } else {
            int[][] g = dims6("unaryBackward " + op, x.shape(), x.strides(), gradOut.strides());
            launch1("elementwise", "unary_backward_strided_f32", n, ptr(x), ptr(gradOut), ptr(out), n, op.ordinal(), g[0], g[1], g[2]);
        }
        return out;
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        context.makeCurrent();
        if (op.isComparison() && a.dtype() != DType.F32 && a.dtype() == b.dtype()) return compare(op, a, b);
        requireF32("binary " + op, a, b);
        Tensor out = alloc(DType.F32, a.shape());
        int n = a.numel();
        if (n == 0) return out;
        if (a.isContiguous() && b.isContiguous()) {
            launch1("elementwise", "binary_f32", n, ptr(a), ptr(b), ptr(out), n, op.ordinal());
        } else {
            int[][] g = dims6("binary " + op, a.shape(), a.strides(), b.strides());
            launch1("elementwise", "binary_strided_f32", n, ptr(a), ptr(b), ptr(out), n, op.ordinal(), g[0], g[1], g[2]);
        }
        return out;
    }

    /** A comparison of I32, I64 or F64 operands, made in their type: 1 or 0 in it. */
    private Tensor compare(BinaryOp op, Tensor a, Tensor b) {
        Tensor out = alloc(a.dtype(), a.shape());
        int n = a.numel();
        if (n == 0) return out;
        int[][] g = dims6("binary " + op, a.shape(), a.strides(), b.strides());
        launch1("elementwise", "compare_strided_" + compareCode(a.dtype()), n, ptr(a), ptr(b), ptr(out), n, op.ordinal(), g[0], g[1], g[2]);
        return out;
    }

    /** cond of any dtype; a and b of any one dtype, moved as they are (F64 as 8-byte words). */
    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b) {
        context.makeCurrent();
        Tensor out = alloc(a.dtype(), a.shape());
        int n = a.numel();
        if (n == 0) return out;
        if (cond.dtype() == DType.F32 && a.dtype() == DType.F32 && cond.isContiguous() && a.isContiguous() && b.isContiguous()) {
            launch1("elementwise", "where_f32", n, ptr(cond), ptr(a), ptr(b), ptr(out), n);
        } else {
            boolean f32 = cond.dtype() == DType.F32 && a.dtype() == DType.F32;
            String kernel = f32 ? "where_strided_f32" : "where_strided_" + compareCode(cond.dtype()) + "_" + moveCode(a.dtype());
            int[][] g = dims6("where", a.shape(), cond.strides(), a.strides(), b.strides());
            launch1("elementwise", kernel, n, ptr(cond), ptr(a), ptr(b), ptr(out), n, g[0], g[1], g[2], g[3]);
        }
        return out;
    }

    // ---- reductions ----

    @Override
    public Tensor reduce(ReduceOp op, Tensor x, int axis) {
        context.makeCurrent();
        requireF32("reduce " + op, x);
        int[] shape = x.shape();
        int n = shape[axis];
        int[] outShape = shape.clone();
        outShape[axis] = 1;
        Tensor out = alloc(op == ReduceOp.ARGMAX ? DType.I64 : DType.F32, outShape);
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) inner *= shape[d];
        int outer = inner == 0 ? 0 : Shape.numel(outShape) / inner;
        if (out.numel() == 0) return out;
        if (n == 0 && op != ReduceOp.SUM) throw new IllegalArgumentException(op + " over an empty axis " + axis + " of " + Shape.str(shape));
        Tensor c = n == 0 ? x : contiguous(x);
        String kernel = switch (op) {
            case SUM -> "reduce_sum_f32";
            case MAX -> "reduce_max_f32";
            case ARGMAX -> "reduce_argmax_f32";
        };
        CUdeviceptr in = n == 0 ? nullPointer : ptr(c);
        context.launch(context.function("reduce", kernel), new int[]{(inner + 31) / 32, Math.min(outer, MAX_GRID_YZ)}, new int[]{32, 8}, 0,
                in, ptr(out), outer, n, inner);
        return out;
    }

    // ---- linear algebra ----

    /** C (batch, M, N) at c with strides (sCb, sCm, 1) = alpha A B + beta C, any strides for A and B. */
    private void sgemm(CUdeviceptr a, CUdeviceptr b, CUdeviceptr c, int batch, int m, int n, int k,
                       int sAb, int sAm, int sAk, int sBb, int sBk, int sBn, int sCb, int sCm, float alpha, float beta) {
        CUfunction f = context.function("gemm", "sgemm_tiled");
        context.launch(f, new int[]{(n + 127) / 128, (m + 127) / 128, Math.min(batch, MAX_GRID_YZ)}, new int[]{256}, 0,
                a, b, c, batch, m, n, k, sAb, sAm, sAk, sBb, sBk, sBn, sCb, sCm, alpha, beta);
    }

    /** The simplest rung of the GEMM ladder, same contract as the tiled kernel; kept testable for comparisons. */
    Tensor matmulNaive(Tensor a, Tensor b) {
        context.makeCurrent();
        requireF32("matmul", a, b);
        int nb = a.dim(0), m = a.dim(1), k = a.dim(2), n = b.dim(2);
        Tensor out = zeros(DType.F32, nb, m, n);
        if (out.numel() == 0 || k == 0) return out;
        int[] sa = a.strides(), sb = b.strides();
        context.launch(context.function("gemm", "sgemm_naive"), new int[]{(n + 15) / 16, (m + 15) / 16, Math.min(nb, MAX_GRID_YZ)}, new int[]{16, 16}, 0,
                ptr(a), ptr(b), ptr(out), nb, m, n, k, sa[0], sa[1], sa[2], sb[0], sb[1], sb[2], m * n, n, 1f, 0f);
        return out;
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        context.makeCurrent();
        requireF32("matmul", a, b);
        int nb = a.dim(0), m = a.dim(1), k = a.dim(2), n = b.dim(2);
        if (k == 0) return zeros(DType.F32, nb, m, n);
        Tensor out = alloc(DType.F32, nb, m, n);
        if (out.numel() == 0) return out;
        int[] sa = a.strides(), sb = b.strides();
        sgemm(ptr(a), ptr(b), ptr(out), nb, m, n, k, sa[0], sa[1], sa[2], sb[0], sb[1], sb[2], m * n, n, 1f, 0f);
        return out;
    }

    /** Geometry of one conv2d call, in the names of the kernels' README. */
    private record ConvGeometry(int nImages, int c, int h, int w, int o, int kh, int kw, int oh, int ow, Conv2dParams p) {
        static ConvGeometry of(int[] xs, int[] ws, Conv2dParams p) {
            return new ConvGeometry(xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], p.outH(xs[2], ws[2]), p.outW(xs[3], ws[3]), p);
        }

        int groups() {
            return p.groups();
        }

        int cg() {
            return c / p.groups();
        }

        int og() {
            return o / p.groups();
        }

        int kk() {
            return kh * kw;
        }

        int l() {
            return oh * ow;
        }

        /** A 1x1 kernel with unit stride and no padding reads x itself as its column matrix. */
        boolean colIsInput() {
            return kh == 1 && kw == 1 && p.strideH() == 1 && p.strideW() == 1 && p.padH() == 0 && p.padW() == 0;
        }

        long colPerImage() {
            return (long) c * kk() * l();
        }

        /** Images per chunk: the im2col buffer stays under MAX_COL_ELEMENTS and every kernel's element count under 2^31. */
        int chunk() {
            long per = Math.max(1, Math.max(colPerImage(), (long) c * h * w));
            long byMemory = Math.max(1, MAX_COL_ELEMENTS / per), byIndex = Math.max(1, (Integer.MAX_VALUE - 1) / per);
            return (int) Math.max(1, Math.min(nImages, Math.min(byMemory, byIndex)));
        }

        Object[] args(int nb) {
            return new Object[]{nb, c, h, w, kh, kw, oh, ow, p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilH(), p.dilW()};
        }
    }

    private void im2col(ConvGeometry g, CUdeviceptr x, CUdeviceptr col, int nb) {
        long total = (long) nb * g.colPerImage();
        Object[] geo = g.args(nb);
        Object[] args = new Object[2 + geo.length];
        args[0] = x;
        args[1] = col;
        System.arraycopy(geo, 0, args, 2, geo.length);
        launch1("conv", "im2col_f32", total, args);
    }

    private void col2im(ConvGeometry g, CUdeviceptr col, CUdeviceptr x, int nb) {
        long total = (long) nb * g.c() * g.h() * g.w();
        Object[] geo = g.args(nb);
        Object[] args = new Object[2 + geo.length];
        args[0] = col;
        args[1] = x;
        System.arraycopy(geo, 0, args, 2, geo.length);
        launch1("conv", "col2im_f32", total, args);
    }

    /** p advanced by a number of floats. */
    private static CUdeviceptr at(CUdeviceptr p, long floats) {
        return floats == 0 ? p : p.withByteOffset(floats * 4);
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor w, Conv2dParams p) {
        context.makeCurrent();
        requireF32("conv2d", x, w);
        ConvGeometry g = ConvGeometry.of(x.shape(), w.shape(), p);
        if (w.dim(1) * p.groups() != g.c()) {
            throw new IllegalArgumentException("conv2d channels " + g.c() + " != " + w.dim(1) + " x groups " + p.groups());
        }
        Tensor out = alloc(DType.F32, g.nImages(), g.o(), g.oh(), g.ow());
        if (out.numel() == 0) return out;
        int cgkk = g.cg() * g.kk();
        if (cgkk == 0) return zeros(DType.F32, out.shape());
        Tensor xc = contiguous(x), wc = contiguous(w);
        int chunk = g.chunk();
        Tensor col = g.colIsInput() ? null : alloc(DType.F32, (int) (chunk * g.colPerImage()));
        int l = g.l();
        for (int n0 = 0; n0 < g.nImages(); n0 += chunk) {
            int nb = Math.min(chunk, g.nImages() - n0);
            CUdeviceptr xs = at(ptr(xc), (long) n0 * g.c() * g.h() * g.w());
            CUdeviceptr cols = xs;
            if (col != null) {
                im2col(g, xs, ptr(col), nb);
                cols = ptr(col);
            }
            CUdeviceptr ys = at(ptr(out), (long) n0 * g.o() * l);
            for (int gi = 0; gi < g.groups(); gi++) {
                sgemm(at(ptr(wc), (long) gi * g.og() * cgkk), at(cols, (long) gi * cgkk * l), at(ys, (long) gi * g.og() * l),
                        nb, g.og(), l, cgkk,
                        0, cgkk, 1,
                        g.c() * g.kk() * l, l, 1,
                        g.o() * l, l, 1f, 0f);
            }
        }
        return out;
    }

    @Override
    public Tensor upsampleNearest2d(Tensor x, int s) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        Tensor blocks = contiguous(x).reshape(n, c, h, 1, w, 1).expand(n, c, h, s, w, s); // a strided copy makes it whole
        return copy(blocks, x.dtype()).reshape(n, c, h * s, w * s);
    }

    @Override
    public Tensor conv2dBackwardInput(Tensor gy, Tensor w, int[] xShape, Conv2dParams p) {
        context.makeCurrent();
        requireF32("conv2dBackwardInput", gy, w);
        ConvGeometry g = ConvGeometry.of(xShape, w.shape(), p);
        Tensor gx = alloc(DType.F32, xShape);
        if (gx.numel() == 0) return gx;
        int cgkk = g.cg() * g.kk(), l = g.l();
        if (l == 0 || g.og() == 0) return zeros(DType.F32, xShape);
        Tensor gyc = contiguous(gy), wc = contiguous(w);
        int chunk = g.chunk();
        Tensor dcol = g.colIsInput() ? null : alloc(DType.F32, (int) (chunk * g.colPerImage()));
        for (int n0 = 0; n0 < g.nImages(); n0 += chunk) {
            int nb = Math.min(chunk, g.nImages() - n0);
            CUdeviceptr gxs = at(ptr(gx), (long) n0 * g.c() * g.h() * g.w());
            CUdeviceptr cols = dcol == null ? gxs : ptr(dcol);
            CUdeviceptr gys = at(ptr(gyc), (long) n0 * g.o() * l);
            for (int gi = 0; gi < g.groups(); gi++) {
                sgemm(at(ptr(wc), (long) gi * g.og() * cgkk), at(gys, (long) gi * g.og() * l), at(cols, (long) gi * cgkk * l),
                        nb, cgkk, l, g.og(),
                        0, 1, cgkk,
                        g.o() * l, l, 1,
                        g.c() * g.kk() * l, l, 1f, 0f);
            }
            if (dcol != null) col2im(g, cols, gxs, nb);
        }
        return gx;
    }

    @Override
    public Tensor conv2dBackwardWeight(Tensor x, Tensor gy, int[] wShape, Conv2dParams p) {
        context.makeCurrent();
        requireF32("conv2dBackwardWeight", x, gy);
        ConvGeometry g = ConvGeometry.of(x.shape(), wShape, p);
        int cgkk = g.cg() * g.kk(), l = g.l();
        if (Shape.numel(wShape) == 0) return alloc(DType.F32, wShape);
        if (g.nImages() == 0 || l == 0) return zeros(DType.F32, wShape);
        Tensor gw = alloc(DType.F32, wShape);
        Tensor xc = contiguous(x), gyc = contiguous(gy);
        int chunk = g.chunk();
        Tensor col = g.colIsInput() ? null : alloc(DType.F32, (int) (chunk * g.colPerImage()));
        for (int n0 = 0; n0 < g.nImages(); n0 += chunk) {
            int nb = Math.min(chunk, g.nImages() - n0);
            CUdeviceptr xs = at(ptr(xc), (long) n0 * g.c() * g.h() * g.w());
            CUdeviceptr cols = xs;
            if (col != null) {
                im2col(g, xs, ptr(col), nb);
                cols = ptr(col);
            }
            for (int i = 0; i < nb; i++) {
                float beta = n0 + i == 0 ? 0f : 1f;
                sgemm(at(ptr(gyc), (long) (n0 + i) * g.o() * l), at(cols, (long) i * g.colPerImage()), ptr(gw),
                        g.groups(), g.og(), cgkk, l,
                        g.og() * l, l, 1,
                        cgkk * l, 1, l,
                        g.og() * cgkk, cgkk, 1f, beta);
            }
        }
        return gw;
    }

    // ---- fused rows ----

    /** block (bx, by) for the row kernels: one warp per row for short rows, a whole block per long row. */
    private static int[] rowBlock(int n) {
        if (n <= 1024) return new int[]{32, 8};
        return new int[]{n >= 16384 ? 1024 : 256, 1};
    }

    private void launchRows(String kernel, int rows, int n, Object... args) {
        int[] block = rowBlock(n);
        int grid = (int) Math.min((rows + (long) block[1] - 1) / block[1], Integer.MAX_VALUE);
        context.launch(context.function("softmax", kernel), new int[]{grid}, block, 0, args);
    }

    @Override
    public Tensor softmax(Tensor x, boolean log) {
        context.makeCurrent();
        requireF32(log ? "logSoftmax" : "softmax", x);
        Tensor out = alloc(DType.F32, x.shape());
        if (out.numel() == 0) return out;
        int n = x.dim(-1), rows = x.numel() / n;
        launchRows("softmax_f32", rows, n, ptr(contiguous(x)), ptr(out), rows, n, log ? 1 : 0);
        return out;
    }

    @Override
    public Tensor[] normalizeRows(Tensor x, double eps) {
        context.makeCurrent();
        requireF32("normalizeRows", x);
        int rows = x.dim(0), n = x.dim(1);
        Tensor y = alloc(DType.F32, rows, n), rstd = alloc(DType.F32, rows, 1);
        if (rows == 0) return new Tensor[]{y, rstd};
        launchRows("normalize_rows_f32", rows, n, ptr(contiguous(x)), ptr(y), ptr(rstd), rows, n, (float) eps);
        return new Tensor[]{y, rstd};
    }

    @Override
    public Tensor normalizeRowsBackward(Tensor gy, Tensor y, Tensor rstd) {
        context.makeCurrent();
        requireF32("normalizeRowsBackward", gy, y, rstd);
        int rows = y.dim(0), n = y.dim(1);
        Tensor gx = alloc(DType.F32, rows, n);
        if (gx.numel() == 0) return gx;
        launchRows("normalize_rows_backward_f32", rows, n, ptr(contiguous(gy)), ptr(contiguous(y)), ptr(contiguous(rstd)), ptr(gx), rows, n);
        return gx;
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, Tensor mask, double scale) {
        context.makeCurrent();
        requireF32("attention", q, k, v, mask);
        int b = q.dim(0), s = q.dim(1), d = q.dim(2), t = k.dim(1), e = v.dim(2);
        if (e > MAX_ATTENTION_E) {
            throw new UnsupportedOperationException("cuda backend: attention with value width E = " + e + " > " + MAX_ATTENTION_E + " (the kernel's limit)");
        }
        if (b * s * e == 0 || t == 0) return zeros(DType.F32, b, s, e);
        Tensor out = alloc(DType.F32, b, s, e);
        int dq = (d + 3) & ~3;
        int smem = 4 * (16 * dq + 32 * (dq + 1) + 32 * e + 512);
        CUfunction f = context.function("attention", "attention_f32");
        if (smem > 48 * 1024) {
            synchronized (sharedRaised) {
                String key = "attention_f32:" + smem;
                if (sharedRaised.add(key)) context.allowDynamicShared(f, smem);
            }
        }
        int[] ms = mask == null ? new int[3] : mask.strides();
        context.launch(f, new int[]{(s + 15) / 16, Math.min(b, MAX_GRID_YZ)}, new int[]{128}, smem,
                ptr(contiguous(q)), ptr(contiguous(k)), ptr(contiguous(v)), mask == null ? nullPointer : ptr(mask), ptr(out),
                b, s, t, d, e, (float) scale, ms[0], ms[1], ms[2]);
        return out;
    }

    /** Composed of this backend's matmul, softmax and elementwise kernels ({@link F#attentionBackwardComposed}). */
    @Override
    public Tensor[] attentionBackward(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, Tensor g) {
        requireF32("attentionBackward", q, k, v, mask, g);
        return F.attentionBackwardComposed(q, k, v, mask, scale, g);
    }

    // ---- indexing ----

    /** A zeroed device int that an indexing kernel sets to 1 on an out-of-range index. */
    private Tensor errorFlag() {
        return zeros(DType.I32, 1);
    }

    /** Reads the flag back (this waits for the kernel) and throws like the reference when it is set. */
    private void checkRange(Tensor flag, String op, int bound) {
        int[] h = new int[1];
        JCudaDriver.cuMemcpyDtoH(Pointer.to(h), ptr(flag), 4);
        if (h[0] != 0) throw new IndexOutOfBoundsException(op + ": an index is out of range [0, " + bound + ")");
    }

    @Override
    public Tensor gather(Tensor x, Tensor idx) {
        context.makeCurrent();
        requireF32("gather", x);
        String ic = indexCode("gather", idx);
        int rows = x.dim(0), n = x.dim(1), j = idx.dim(1);
        Tensor out = alloc(DType.F32, rows, j);
        if (out.numel() == 0) return out;
        Tensor flag = errorFlag();
        launch1("index", "gather_f32_" + ic, (long) rows * j, ptr(contiguous(x)), ptr(contiguous(idx)), ptr(out), rows, n, j, ptr(flag));
        checkRange(flag, "gather", n);
        return out;
    }

    @Override
    public Tensor scatterAdd(Tensor idx, Tensor src, int n) {
        context.makeCurrent();
        requireF32("scatterAdd", src);
        String ic = indexCode("scatterAdd", idx);
        int rows = src.dim(0), j = src.dim(1);
        Tensor out = zeros(DType.F32, rows, n);
        if (rows * j == 0) return out;
        Tensor flag = errorFlag();
        launch1("index", "scatter_add_f32_" + ic, (long) rows * j, ptr(contiguous(idx)), ptr(contiguous(src)), ptr(out), rows, n, j, ptr(flag));
        checkRange(flag, "scatterAdd", n);
        return out;
    }

    /** Rows of any dtype, moved as they are (F64 as 8-byte words). */
    @Override
    public Tensor indexSelect(Tensor table, Tensor idx) {
        context.makeCurrent();
        String ic = indexCode("indexSelect", idx);
        int v = table.dim(0), d = table.dim(1), l = idx.numel();
        Tensor out = alloc(table.dtype(), l, d);
        if (out.numel() == 0) return out;
        Tensor flag = errorFlag();
        launch1("index", "index_select_" + moveCode(table.dtype()) + "_" + ic, (long) l * d, ptr(contiguous(table)), ptr(contiguous(idx)), ptr(out),
                v, d, l, ptr(flag));
        checkRange(flag, "indexSelect", v);
        return out;
    }

    @Override
    public Tensor indexAdd(Tensor idx, Tensor src, int v) {
        context.makeCurrent();
        requireF32("indexAdd", src);
        String ic = indexCode("indexAdd", idx);
        int l = src.dim(0), d = src.dim(1);
        Tensor out = zeros(DType.F32, v, d);
        if (l * d == 0) return out;
        Tensor flag = errorFlag();
        launch1("index", "index_add_f32_" + ic, (long) l * d, ptr(contiguous(idx)), ptr(contiguous(src)), ptr(out), v, d, l, ptr(flag));
        checkRange(flag, "indexAdd", v);
        return out;
    }
}

package org.svdd.tensor;

/**
 * The scalar reference backend: the executable specification of every {@link Backend} primitive and the oracle
 * that the fast backends are tested against. Written for clarity, not speed: every element goes through
 * {@link HostStorage#get}/{@link HostStorage#set} in double, so it serves F32 and F64 (gradient checks) alike, and
 * integers exactly up to 2^53 in magnitude.
 */
public class ReferenceBackend implements Backend {
    /** Registered first so {@code -Dsvdd.backend=reference} always works. */
    public static final class ReferenceProvider implements Backends.Provider {
        @Override
        public String name() {
            return "reference";
        }

        @Override
        public int priority() {
            return 0;
        }

        @Override
        public String unavailableReason() {
            return null;
        }

        @Override
        public Backend create() {
            return new ReferenceBackend();
        }
    }

    @Override
    public String name() {
        return "reference";
    }

    // ---- helpers ----

    protected static HostStorage host(Tensor t) {
        return (HostStorage) t.storage();
    }

    /** Storage offset of the element with row-major flat index i of t's logical shape. */
    protected static int offsetOf(Tensor t, int i) {
        int[] shape = t.shape(), strides = t.strides();
        int off = t.offset();
        for (int d = shape.length - 1; d >= 0; d--) {
            int n = shape[d];
            if (n == 0) return off;
            off += (i % n) * strides[d];
            i /= n;
        }
        return off;
    }

    protected static double at(Tensor t, int i) {
        return host(t).get(offsetOf(t, i));
    }

    protected Tensor newTensor(DType dtype, int... shape) {
        return Tensor.wrap(this, HostStorage.zeros(dtype, Shape.numel(shape)), shape);
    }

    // ---- memory ----

    @Override
    public Tensor zeros(DType dtype, int... shape) {
        return newTensor(dtype, shape);
    }

    @Override
    public Tensor upload(HostStorage data, int... shape) {
        HostStorage copy = HostStorage.allocate(data.dtype(), data.size());
        for (int i = 0; i < data.size(); i++) copy.set(i, data.get(i));
        return Tensor.wrap(this, copy, shape);
    }

    @Override
    public HostStorage download(Tensor x) {
        HostStorage out = HostStorage.allocate(x.dtype(), x.numel());
        for (int i = 0; i < x.numel(); i++) out.set(i, at(x, i));
        return out;
    }

    @Override
    public Tensor copy(Tensor x, DType dtype) {
        Tensor out = newTensor(dtype, x.shape());
        HostStorage o = host(out);
        for (int i = 0; i < x.numel(); i++) o.set(i, at(x, i));
        return out;
    }

    @Override
    public void assign(Tensor dst, Tensor src) {
        HostStorage d = host(dst);
        for (int i = 0; i < dst.numel(); i++) d.set(offsetOf(dst, i), at(src, i));
    }

    // ---- elementwise ----

    @Override
    public Tensor unary(UnaryOp op, Tensor x) {
        Tensor out = newTensor(x.dtype(), x.shape());
        HostStorage o = host(out);
        for (int i = 0; i < x.numel(); i++) o.set(i, op.apply(at(x, i)));
        return out;
    }

    @Override
    public Tensor unaryBackward(UnaryOp op, Tensor x, Tensor gradOut) {
        Tensor out = newTensor(x.dtype(), x.shape());
        HostStorage o = host(out);
        for (int i = 0; i < x.numel(); i++) o.set(i, at(gradOut, i) * op.derivative(at(x, i)));
        return out;
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        Tensor out = newTensor(a.dtype(), a.shape());
        HostStorage o = host(out);
        for (int i = 0; i < a.numel(); i++) o.set(i, op.apply(at(a, i), at(b, i)));
        return out;
    }

    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b) {
        Tensor out = newTensor(a.dtype(), a.shape());
        HostStorage o = host(out);
        for (int i = 0; i < a.numel(); i++) o.set(i, at(cond, i) != 0 ? at(a, i) : at(b, i));
        return out;
    }

    // ---- reductions ----

    @Override
    public Tensor reduce(ReduceOp op, Tensor x, int axis) {
        int[] shape = x.shape();
        int n = shape[axis];
        int[] outShape = shape.clone();
        outShape[axis] = 1;
        Tensor out = newTensor(op == ReduceOp.ARGMAX ? DType.I64 : x.dtype(), outShape);
        HostStorage o = host(out);
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) inner *= shape[d];
        int outer = Shape.numel(outShape) / Math.max(inner, 1);
        if (inner == 0) return out;
        if (n == 0 && op != ReduceOp.SUM) throw new IllegalArgumentException(op + " over an empty axis " + axis + " of " + Shape.str(shape));
        for (int p = 0; p < outer; p++) {
            for (int q = 0; q < inner; q++) {
                double acc = op == ReduceOp.SUM ? 0 : Double.NEGATIVE_INFINITY;
                int arg = 0;
                for (int j = 0; j < n; j++) {
                    double v = at(x, (p * n + j) * inner + q);
                    switch (op) {
                        case SUM -> acc += v;
                        case MAX -> acc = Math.max(acc, v);
                        case ARGMAX -> {
                            if (j == 0 || v > acc) {
                                acc = v;
                                arg = j;
                            }
                        }
                    }
                }
                o.set(p * inner + q, op == ReduceOp.ARGMAX ? arg : acc);
            }
        }
        return out;
    }

    // ---- linear algebra ----

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        int nb = a.dim(0), m = a.dim(1), k = a.dim(2), n = b.dim(2);
        Tensor out = newTensor(a.dtype(), nb, m, n);
        HostStorage o = host(out), ha = host(a), hb = host(b);
        int[] sa = a.strides(), sb = b.strides();
        for (int p = 0; p < nb; p++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int q = 0; q < k; q++) {
                        acc += ha.get(a.offset() + p * sa[0] + i * sa[1] + q * sa[2]) * hb.get(b.offset() + p * sb[0] + q * sb[1] + j * sb[2]);
                    }
                    o.set((p * m + i) * n + j, acc);
                }
        return out;
    }

    /** Calls body(n, g, o, oy, ox, c, ky, kx, iy, ix) for every valid (output, weight, input) triple of a conv2d. */
    private interface ConvVisitor {
        void visit(int n, int o, int oy, int ox, int c, int ky, int kx, int iy, int ix);
    }

    private static void forEachConvTap(int[] xs, int[] ws, Conv2dParams p, ConvVisitor v) {
        int nN = xs[0], cIn = xs[1], h = xs[2], w = xs[3];
        int cOut = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        int oh = p.outH(h, kh), ow = p.outW(w, kw);
        int og = cOut / p.groups();
        if (cIn != cg * p.groups()) throw new IllegalArgumentException("conv2d channels " + cIn + " != " + cg + " x groups " + p.groups());
        for (int n = 0; n < nN; n++)
            for (int o = 0; o < cOut; o++) {
                int g = o / og;
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                        for (int c = 0; c < cg; c++)
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = oy * p.strideH() - p.padH() + ky * p.dilH();
                                if (iy < 0 || iy >= h) continue;
                                for (int kx = 0; kx < kw; kx++) {
                                    int ix = ox * p.strideW() - p.padW() + kx * p.dilW();
                                    if (ix < 0 || ix >= w) continue;
                                    v.visit(n, o, oy, ox, g * cg + c, ky, kx, iy, ix);
                                }
                            }
            }
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor w, Conv2dParams p) {
        int[] xs = x.shape(), ws = w.shape();
        int oh = p.outH(xs[2], ws[2]), ow = p.outW(xs[3], ws[3]);
        Tensor out = newTensor(x.dtype(), xs[0], ws[0], oh, ow);
        HostStorage o = host(out);
        int cg = ws[1];
        forEachConvTap(xs, ws, p, (n, oc, oy, ox, c, ky, kx, iy, ix) -> {
            int oi = ((n * ws[0] + oc) * oh + oy) * ow + ox;
            int wi = ((oc * cg + c % cg) * ws[2] + ky) * ws[3] + kx;
            int xi = ((n * xs[1] + c) * xs[2] + iy) * xs[3] + ix;
            o.set(oi, o.get(oi) + at(x, xi) * at(w, wi));
        });
        return out;
    }

    @Override
    public Tensor upsampleNearest2d(Tensor x, int s) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        Tensor out = newTensor(x.dtype(), n, c, h * s, w * s);
        HostStorage o = host(out);
        for (int i = 0; i < out.numel(); i++) {
            int ox = i % (w * s), oy = i / (w * s) % (h * s), plane = i / (w * s * h * s);
            o.set(i, at(x, (plane * h + oy / s) * w + ox / s));
        }
        return out;
    }

    @Override
    public Tensor conv2dBackwardInput(Tensor gy, Tensor w, int[] xShape, Conv2dParams p) {
        int[] ws = w.shape();
        int oh = gy.dim(2), ow = gy.dim(3);
        Tensor gx = newTensor(gy.dtype(), xShape);
        HostStorage g = host(gx);
        int cg = ws[1];
        forEachConvTap(xShape, ws, p, (n, oc, oy, ox, c, ky, kx, iy, ix) -> {
            int oi = ((n * ws[0] + oc) * oh + oy) * ow + ox;
            int wi = ((oc * cg + c % cg) * ws[2] + ky) * ws[3] + kx;
            int xi = ((n * xShape[1] + c) * xShape[2] + iy) * xShape[3] + ix;
            g.set(xi, g.get(xi) + at(gy, oi) * at(w, wi));
        });
        return gx;
    }

    @Override
    public Tensor conv2dBackwardWeight(Tensor x, Tensor gy, int[] wShape, Conv2dParams p) {
        int[] xs = x.shape();
        int oh = gy.dim(2), ow = gy.dim(3);
        Tensor gw = newTensor(gy.dtype(), wShape);
        HostStorage g = host(gw);
        int cg = wShape[1];
        forEachConvTap(xs, wShape, p, (n, oc, oy, ox, c, ky, kx, iy, ix) -> {
            int oi = ((n * wShape[0] + oc) * oh + oy) * ow + ox;
            int wi = ((oc * cg + c % cg) * wShape[2] + ky) * wShape[3] + kx;
            int xi = ((n * xs[1] + c) * xs[2] + iy) * xs[3] + ix;
            g.set(wi, g.get(wi) + at(gy, oi) * at(x, xi));
        });
        return gw;
    }

    // ---- fused rows ----

    @Override
    public Tensor softmax(Tensor x, boolean log) {
        int n = x.dim(-1);
        int rows = n == 0 ? 0 : x.numel() / n;
        Tensor out = newTensor(x.dtype(), x.shape());
        HostStorage o = host(out);
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) max = Math.max(max, at(x, r * n + j));
            double sum = 0;
            for (int j = 0; j < n; j++) sum += Math.exp(at(x, r * n + j) - max);
            for (int j = 0; j < n; j++) {
                double z = at(x, r * n + j) - max;
                o.set(r * n + j, log ? z - Math.log(sum) : Math.exp(z) / sum);
            }
        }
        return out;
    }

    @Override
    public Tensor[] normalizeRows(Tensor x, double eps) {
        int rows = x.dim(0), n = x.dim(1);
        Tensor y = newTensor(x.dtype(), rows, n), rstd = newTensor(x.dtype(), rows, 1);
        HostStorage hy = host(y), hr = host(rstd);
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int j = 0; j < n; j++) mean += at(x, r * n + j);
            mean /= n;
            double var = 0;
            for (int j = 0; j < n; j++) {
                double d = at(x, r * n + j) - mean;
                var += d * d;
            }
            var /= n;
            double rs = 1.0 / Math.sqrt(var + eps);
            hr.set(r, rs);
            for (int j = 0; j < n; j++) hy.set(r * n + j, (at(x, r * n + j) - mean) * rs);
        }
        return new Tensor[]{y, rstd};
    }

    @Override
    public Tensor normalizeRowsBackward(Tensor gy, Tensor y, Tensor rstd) {
        int rows = y.dim(0), n = y.dim(1);
        Tensor gx = newTensor(y.dtype(), rows, n);
        HostStorage o = host(gx);
        for (int r = 0; r < rows; r++) {
            double mg = 0, mgy = 0;
            for (int j = 0; j < n; j++) {
                double g = at(gy, r * n + j);
                mg += g;
                mgy += g * at(y, r * n + j);
            }
            mg /= n;
            mgy /= n;
            double rs = at(rstd, r);
            for (int j = 0; j < n; j++) o.set(r * n + j, rs * (at(gy, r * n + j) - mg - at(y, r * n + j) * mgy));
        }
        return gx;
    }

    /**
     * Query row i of batch bi: p[j] = exp(score_j - max score) with score_j = q_i . k_j * scale + mask_ij, and their
     * sum as the result; all 0 when every key is masked.
     */
    private static double softmaxWeights(Tensor q, Tensor k, Tensor mask, double scale, int bi, int i, double[] p) {
        int s = q.dim(1), d = q.dim(2), t = k.dim(1);
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < t; j++) {
            double dot = 0;
            for (int c = 0; c < d; c++) dot += at(q, (bi * s + i) * d + c) * at(k, (bi * t + j) * d + c);
            p[j] = dot * scale + (mask == null ? 0 : at(mask, (bi * s + i) * t + j));
            max = Math.max(max, p[j]);
        }
        double sum = 0;
        for (int j = 0; j < t; j++) {
            p[j] = max == Double.NEGATIVE_INFINITY ? 0 : Math.exp(p[j] - max);
            sum += p[j];
        }
        return sum;
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, Tensor mask, double scale) {
        int b = q.dim(0), s = q.dim(1), d = q.dim(2), t = k.dim(1), e = v.dim(2);
        Tensor out = newTensor(q.dtype(), b, s, e);
        HostStorage o = host(out);
        double[] p = new double[t];
        for (int bi = 0; bi < b; bi++)
            for (int i = 0; i < s; i++) {
                double sum = softmaxWeights(q, k, mask, scale, bi, i, p);
                for (int c = 0; c < e; c++) {
                    double acc = 0;
                    for (int j = 0; j < t; j++) acc += p[j] * at(v, (bi * t + j) * e + c);
                    o.set((bi * s + i) * e + c, sum == 0 ? 0 : acc / sum);
                }
            }
        return out;
    }

    @Override
    public Tensor[] attentionBackward(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, Tensor g) {
        int b = q.dim(0), s = q.dim(1), d = q.dim(2), t = k.dim(1), e = v.dim(2);
        double[] gq = new double[b * s * d], gk = new double[b * t * d], gv = new double[b * t * e];
        double[] p = new double[t], gp = new double[t];
        for (int bi = 0; bi < b; bi++)
            for (int i = 0; i < s; i++) {
                double sum = softmaxWeights(q, k, mask, scale, bi, i, p);
                if (sum == 0) continue;                                          // all keys masked: output 0, gradient 0
                double dot = 0;                                                  // rowsum(P gP)
                for (int j = 0; j < t; j++) {
                    p[j] /= sum;
                    gp[j] = 0;
                    for (int c = 0; c < e; c++) gp[j] += at(g, (bi * s + i) * e + c) * at(v, (bi * t + j) * e + c);
                    dot += p[j] * gp[j];
                }
                for (int j = 0; j < t; j++) {
                    double gs = p[j] * (gp[j] - dot) * scale;
                    for (int c = 0; c < d; c++) {
                        gq[(bi * s + i) * d + c] += gs * at(k, (bi * t + j) * d + c);
                        gk[(bi * t + j) * d + c] += gs * at(q, (bi * s + i) * d + c);
                    }
                    for (int c = 0; c < e; c++) gv[(bi * t + j) * e + c] += p[j] * at(g, (bi * s + i) * e + c);
                }
            }
        return new Tensor[]{fromDoubles(q.dtype(), gq, b, s, d), fromDoubles(q.dtype(), gk, b, t, d), fromDoubles(q.dtype(), gv, b, t, e)};
    }

    private Tensor fromDoubles(DType dtype, double[] values, int... shape) {
        Tensor out = newTensor(dtype, shape);
        HostStorage o = host(out);
        for (int i = 0; i < values.length; i++) o.set(i, values[i]);
        return out;
    }

    // ---- indexing ----

    private static int index(Tensor idx, int i, int bound, String op) {
        long v = (long) at(idx, i);
        if (v < 0 || v >= bound) throw new IndexOutOfBoundsException(op + ": index " + v + " out of range [0, " + bound + ")");
        return (int) v;
    }

    @Override
    public Tensor gather(Tensor x, Tensor idx) {
        int rows = x.dim(0), n = x.dim(1), j = idx.dim(1);
        Tensor out = newTensor(x.dtype(), rows, j);
        HostStorage o = host(out);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < j; c++) o.set(r * j + c, at(x, r * n + index(idx, r * j + c, n, "gather")));
        return out;
    }

    @Override
    public Tensor scatterAdd(Tensor idx, Tensor src, int n) {
        int rows = src.dim(0), j = src.dim(1);
        Tensor out = newTensor(src.dtype(), rows, n);
        HostStorage o = host(out);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < j; c++) {
                int at = r * n + index(idx, r * j + c, n, "scatterAdd");
                o.set(at, o.get(at) + at(src, r * j + c));
            }
        return out;
    }

    @Override
    public Tensor indexSelect(Tensor table, Tensor idx) {
        int v = table.dim(0), d = table.dim(1), l = idx.numel();
        Tensor out = newTensor(table.dtype(), l, d);
        HostStorage o = host(out);
        for (int i = 0; i < l; i++) {
            int row = index(idx, i, v, "indexSelect");
            for (int c = 0; c < d; c++) o.set(i * d + c, at(table, row * d + c));
        }
        return out;
    }

    @Override
    public Tensor indexAdd(Tensor idx, Tensor src, int v) {
        int l = src.dim(0), d = src.dim(1);
        Tensor out = newTensor(src.dtype(), v, d);
        HostStorage o = host(out);
        for (int i = 0; i < l; i++) {
            int row = index(idx, i, v, "indexAdd");
            for (int c = 0; c < d; c++) o.set(row * d + c, o.get(row * d + c) + at(src, i * d + c));
        }
        return out;
    }
}

package org.svdd.tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Neural-network functions: convolution, normalisation, attention, softmax, indexing, losses. Each forward is
 * followed by its backward rule; composites are built from {@link Tensor} ops and cost no extra primitive.
 */
public final class F {
    private F() {
    }

    /** y = x W^T + b: x (..., in), w (out, in), b (out) or null. */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        if (x.dim(-1) != w.dim(1)) throw new IllegalArgumentException("linear: input " + Shape.str(x.shape()) + " does not match weight " + Shape.str(w.shape()));
        if (b == null) return x.matmul(w.mT());
        if (b.numel() != w.dim(0)) throw new IllegalArgumentException("linear: bias " + Shape.str(b.shape()) + " does not have one value per output of " + Shape.str(w.shape()));
        // the rows of x times w^T, plus b, as one op: (1, R, in) x (1, in, out) + b
        int in = w.dim(1);
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = w.dim(0);
        Tensor x3 = x.reshape(1, -1, in), w3 = w.mT().unsqueeze(0), bc = b.contiguous();
        Backend be = x.backend();
        return Grad.record(be.matmul(x3, w3, bc), g -> new Tensor[]{
                x3.requiresGrad() ? be.matmul(g, w3.transpose(1, 2)) : null,
                w3.requiresGrad() ? be.matmul(x3.transpose(1, 2), g) : null,
                bc.requiresGrad() ? g.sum(new int[]{0, 1}, false).reshape(bc.shape()) : null}, x3, w3, bc).reshape(outShape);
    }

    // ---- convolution ----

    /** x (N, C, H, W), w (O, C/groups, KH, KW), b (O), (N, O) for a bias per image, or null; gives (N, O, OH, OW). */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor b, Conv2dParams p) {
        if (x.rank() != 4 || w.rank() != 4) throw new IllegalArgumentException("conv2d expects x (N,C,H,W) and w (O,C/g,KH,KW), got " + Shape.str(x.shape()) + " and " + Shape.str(w.shape()));
        if (x.dim(1) != w.dim(1) * p.groups() || w.dim(0) % p.groups() != 0) {
            throw new IllegalArgumentException("conv2d: input " + Shape.str(x.shape()) + " and weight " + Shape.str(w.shape()) + " do not match for groups = " + p.groups());
        }
        if (p.outH(x.dim(2), w.dim(2)) < 1 || p.outW(x.dim(3), w.dim(3)) < 1) {
            throw new IllegalArgumentException("conv2d: kernel " + Shape.str(w.shape()) + " larger than padded input " + Shape.str(x.shape()));
        }
        boolean perImage = b != null && b.rank() == 2;
        if (b != null && !(b.rank() == 1 && b.dim(0) == w.dim(0) || perImage && b.dim(0) == x.dim(0) && b.dim(1) == w.dim(0))) {
            throw new IllegalArgumentException("conv2d: bias " + Shape.str(b.shape()) + " is neither (O) nor (N, O) for input " + Shape.str(x.shape()) + " and weight " + Shape.str(w.shape()));
        }
        Tensor xc = x.contiguous(), wc = w.contiguous(), bc = b == null ? null : b.contiguous();
        Backend be = x.backend();
        int[] xs = x.shape(), ws = w.shape();
        return Grad.record(be.conv2d(xc, wc, bc, p), g -> {
            Tensor gc = g.contiguous();
            return new Tensor[]{
                    xc.requiresGrad() ? be.conv2dBackwardInput(gc, wc, xs, p) : null,
                    wc.requiresGrad() ? be.conv2dBackwardWeight(xc, gc, ws, p) : null,
                    bc != null && bc.requiresGrad() ? gc.sum(perImage ? new int[]{2, 3} : new int[]{0, 2, 3}, false) : null};
        }, xc, wc, bc);
    }

    /** x (N, C, L), w (O, C/groups, K): conv2d with H = 1. */
    public static Tensor conv1d(Tensor x, Tensor w, Tensor b, int stride, int padding, int dilation, int groups) {
        if (x.rank() != 3 || w.rank() != 3) throw new IllegalArgumentException("conv1d expects x (N,C,L) and w (O,C/g,K), got " + Shape.str(x.shape()) + " and " + Shape.str(w.shape()));
        Conv2dParams p = new Conv2dParams(1, stride, 0, padding, 1, dilation, groups);
        return conv2d(x.unsqueeze(2), w.unsqueeze(2), b, p).squeeze(2);
    }

    /** Nearest-neighbour upsampling by an integer factor: (N, C, H, W) -> (N, C, sH, sW); the gradient sums each block. */
    public static Tensor upsampleNearest2d(Tensor x, int s) {
        if (x.rank() != 4 || s < 1) throw new IllegalArgumentException("upsampleNearest2d expects x (N,C,H,W) and a factor >= 1, got " + Shape.str(x.shape()) + " and " + s);
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        return Grad.record(x.backend().upsampleNearest2d(x, s),
                g -> new Tensor[]{g.reshape(n, c, h, s, w, s).sum(new int[]{3, 5}, false)}, x);
    }

    /** Average pooling with kernel = stride = k; H and W must be multiples of k. */
    public static Tensor avgPool2d(Tensor x, int k) {
        int[] d = poolDims(x, k);
        return x.reshape(d[0], d[1], d[2], k, d[3], k).mean(new int[]{3, 5}, false);
    }

    /** Max pooling with kernel = stride = k; H and W must be multiples of k. */
    public static Tensor maxPool2d(Tensor x, int k) {
        int[] d = poolDims(x, k);
        Tensor t = x.reshape(d[0], d[1], d[2], k, d[3], k).permute(0, 1, 2, 4, 3, 5).reshape(d[0], d[1], d[2], d[3], k * k);
        return t.max(4, false);
    }

    private static int[] poolDims(Tensor x, int k) {
        if (x.rank() != 4 || x.dim(2) % k != 0 || x.dim(3) % k != 0) {
            throw new IllegalArgumentException("pool2d with k = " + k + " needs (N,C,H,W) with H, W multiples of k, got " + Shape.str(x.shape()));
        }
        return new int[]{x.dim(0), x.dim(1), x.dim(2) / k, x.dim(3) / k};
    }

    // ---- normalisation ----

    /** (x - mean) / sqrt(var + eps) over the last axis of a 2-D view; the primitive behind both norms. */
    static Tensor normalizeRows(Tensor x2, double eps) {
        Tensor xc = x2.contiguous();
        Backend be = xc.backend();
        Tensor[] yr = be.normalizeRows(xc, eps);
        Tensor y = yr[0], rstd = yr[1];
        return Grad.record(y, g -> new Tensor[]{be.normalizeRowsBackward(g.contiguous(), y, rstd)}, xc);
    }

    /** Layer norm over the last axis: x (..., D), gamma and beta (D) or null. */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps) {
        int d = x.dim(-1);
        Tensor y = normalizeRows(x.reshape(-1, d), eps).reshape(x.shape());
        if (gamma != null) y = y.mul(gamma);
        return beta == null ? y : y.add(beta);
    }

    /** Group norm: x (N, C, ...), statistics over C/groups channels and all spatial positions; gamma, beta (C). */
    public static Tensor groupNorm(Tensor x, int groups, Tensor gamma, Tensor beta, double eps) {
        return groupNorm(x, groups, gamma, beta, eps, null);
    }

    /**
     * Group norm with the activation act applied in the same op as the affine map (null for none): one backend op
     * ({@link Backend#groupNorm}) that keeps only x and the per-row mean and rstd for the backward.
     */
    public static Tensor groupNorm(Tensor x, int groups, Tensor gamma, Tensor beta, double eps, UnaryOp act) {
        if (x.rank() < 2) throw new IllegalArgumentException("group norm expects x (N, C, ...), got " + Shape.str(x.shape()));
        int c = x.dim(1);
        if (groups < 1 || c % groups != 0) throw new IllegalArgumentException("group norm: " + c + " channels not divisible into " + groups + " groups");
        for (Tensor p : new Tensor[]{gamma, beta}) {
            if (p != null && p.numel() != c) throw new IllegalArgumentException("group norm: " + Shape.str(p.shape()) + " does not have one value per channel of " + Shape.str(x.shape()));
        }
        Tensor xc = x.contiguous(), gc = gamma == null ? null : gamma.contiguous(), bc = beta == null ? null : beta.contiguous();
        Backend be = xc.backend();
        Tensor[] r = be.groupNorm(xc, groups, gc, bc, eps, act);      // {y, mean, rstd}
        Tensor mean = r[1], rstd = r[2];
        return Grad.record(r[0], g -> {
            Tensor[] d = be.groupNormBackward(g.contiguous(), xc, mean, rstd, groups, gc, bc, act);
            return new Tensor[]{xc.requiresGrad() ? d[0] : null,
                    gc != null && gc.requiresGrad() ? d[1].reshape(gc.shape()) : null,
                    bc != null && bc.requiresGrad() ? d[2].reshape(bc.shape()) : null};
        }, xc, gc, bc);
    }

    // ---- softmax ----

    public static Tensor softmax(Tensor x, int axis) {
        return softmaxImpl(x, axis, false);
    }

    public static Tensor logSoftmax(Tensor x, int axis) {
        return softmaxImpl(x, axis, true);
    }

    private static Tensor softmaxImpl(Tensor x, int axis, boolean log) {
        int a = Shape.axis(axis, x.rank());
        int last = x.rank() - 1;
        if (a != last) return softmaxImpl(x.transpose(a, last), last, log).transpose(a, last);
        Tensor xc = x.contiguous();
        Tensor y = xc.backend().softmax(xc, log);
        return Grad.record(y, g -> new Tensor[]{log
                ? g.sub(y.exp().mul(g.sum(-1, true)))
                : y.mul(g.sub(g.mul(y).sum(-1, true)))}, xc);
    }

    // ---- attention ----

    /**
     * Scaled dot-product attention softmax(q k^T * scale + mask) v over the last two axes: q (..., S, D),
     * k (..., T, D), v (..., T, E), mask null or additive and broadcastable to (..., S, T). Gives (..., S, E).
     * Forward and backward are the backend's fused kernels; the backward recomputes the probabilities.
     */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, Tensor mask, double scale) {
        int r = q.rank();
        if (r < 3 || k.rank() != r || v.rank() != r) throw new IllegalArgumentException("attention expects q, k, v of equal rank >= 3, got " + Shape.str(q.shape()) + ", " + Shape.str(k.shape()) + ", " + Shape.str(v.shape()));
        int s = q.dim(-2), d = q.dim(-1), t = k.dim(-2), e = v.dim(-1);
        if (k.dim(-1) != d || v.dim(-2) != t) throw new IllegalArgumentException("attention shapes do not match: q " + Shape.str(q.shape()) + ", k " + Shape.str(k.shape()) + ", v " + Shape.str(v.shape()));
        int[] batch = Arrays.copyOf(q.shape(), r - 2);
        int b = Shape.numel(batch);
        Tensor q3 = q.reshape(b, s, d).contiguous(), k3 = k.reshape(b, t, d).contiguous(), v3 = v.reshape(b, t, e).contiguous();
        int[] maskShape = Arrays.copyOf(batch, r);
        maskShape[r - 2] = s;
        maskShape[r - 1] = t;
        Tensor m3 = mask == null ? null : Grad.noGrad(() -> mask.detach().expand(maskShape).reshape(b, s, t));
        Backend be = q.backend();
        Tensor out = be.attention(q3, k3, v3, m3, scale);
        Tensor rec = Grad.record(out, g -> be.attentionBackward(q3, k3, v3, m3, scale, g.contiguous()), q3, k3, v3);
        int[] outShape = Arrays.copyOf(batch, r);
        outShape[r - 2] = s;
        outShape[r - 1] = e;
        return rec.reshape(outShape);
    }

    /**
     * {@link Backend#attentionBackward} composed of matmul, softmax and elementwise ops on the tensors' backend (the
     * S x T probabilities exist for the whole batch): for backends without a fused kernel. q (B, S, D), k (B, T, D),
     * v (B, T, E), g (B, S, E), mask null or (B, S, T). Rows whose keys are all masked get zero gradients.
     */
    public static Tensor[] attentionBackwardComposed(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, Tensor g) {
        return Grad.noGrad(() -> {
            Tensor scores = q.matmul(k.mT()).mul(scale);                                       // (B, S, T)
            Tensor alive = null;
            if (mask != null) {
                scores = scores.add(mask);
                Tensor dead = scores.max(-1, true).eq(Double.NEGATIVE_INFINITY).expand(scores.shape());
                alive = dead.neg().add(1);
                scores = Tensor.where(dead, alive, scores);                                     // dead rows: 0, not -inf
            }
            Tensor p = softmax(scores, -1);
            if (alive != null) p = p.mul(alive);
            Tensor gp = g.matmul(v.mT());
            Tensor gs = p.mul(gp.sub(gp.mul(p).sum(-1, true))).mul(scale);
            return new Tensor[]{gs.matmul(k), gs.mT().matmul(q), p.mT().matmul(g)};
        });
    }

    // ---- indexing ----

    /**
     * Rows of x (N, ...) at the integer indices idx (L), in x's dtype, whatever it is: gives (L, ...). Integer x
     * (token ids) is moved as it is, never through a float; for floating x the gradient adds each output row back
     * into its row ({@link Backend#indexAdd}).
     */
    public static Tensor indexSelect(Tensor x, Tensor idx) {
        requireIntegral(idx, "indexSelect");
        if (x.rank() < 1 || idx.rank() != 1) {
            throw new IllegalArgumentException("indexSelect expects x (N, ...) and indices (L), got " + Shape.str(x.shape()) + " and " + Shape.str(idx.shape()));
        }
        int[] shape = x.shape();
        int n = shape[0];
        Tensor table = x.reshape(n, Shape.numel(Arrays.copyOfRange(shape, 1, shape.length))).contiguous();   // (N, rest)
        Backend be = x.backend();
        Tensor out = Grad.record(be.indexSelect(table, idx), g -> new Tensor[]{be.indexAdd(idx, g.contiguous(), n)}, table);
        shape[0] = idx.dim(0);
        return out.reshape(shape);
    }

    /** Rows of table (V, D) at integer ids of any shape: gives (ids..., D). */
    public static Tensor embedding(Tensor table, Tensor ids) {
        requireIntegral(ids, "embedding");
        if (table.rank() != 2) throw new IllegalArgumentException("embedding expects a table (V, D), got " + Shape.str(table.shape()));
        int[] s = Arrays.copyOf(ids.shape(), ids.rank() + 1);
        s[ids.rank()] = table.dim(1);
        return indexSelect(table, ids.reshape(-1)).reshape(s);
    }

    /** out[..., j] = x[..., idx[..., j]] along the last axis. */
    public static Tensor gather(Tensor x, Tensor idx) {
        requireIntegral(idx, "gather");
        int n = x.dim(-1), j = idx.dim(-1);
        int[] lead = Arrays.copyOf(x.shape(), x.rank() - 1), leadIdx = Arrays.copyOf(idx.shape(), idx.rank() - 1);
        if (!Arrays.equals(lead, leadIdx)) throw new IllegalArgumentException("gather: index " + Shape.str(idx.shape()) + " does not match input " + Shape.str(x.shape()));
        Tensor x2 = x.reshape(-1, n).contiguous(), i2 = idx.reshape(-1, j);
        Backend be = x.backend();
        Tensor out = Grad.record(be.gather(x2, i2), g -> new Tensor[]{be.scatterAdd(i2, g.contiguous(), n)}, x2);
        return out.reshape(idx.shape());
    }

    /** One-hot F32 encoding: ids (...) -> (..., n). */
    public static Tensor oneHot(Tensor ids, int n) {
        requireIntegral(ids, "oneHot");
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = i;
        Tensor classes = ids.backend().upload(HostStorage.of(a), n);
        return ids.toDType(DType.F32).unsqueeze(-1).eq(classes);
    }

    private static void requireIntegral(Tensor t, String op) {
        if (t.dtype().isFloating()) throw new IllegalArgumentException(op + " needs integer indices, got " + t.dtype());
    }

    /** Concatenation along axis; shapes must agree elsewhere. */
    public static Tensor concat(List<Tensor> parts, int axis) {
        Tensor first = parts.get(0);
        int a = Shape.axis(axis, first.rank());
        int[] s = first.shape();
        int total = 0;
        for (Tensor p : parts) {
            int[] ps = p.shape();
            ps[a] = s[a];
            if (!Arrays.equals(ps, s)) throw new IllegalArgumentException("concat along " + a + ": shape " + Shape.str(p.shape()) + " does not match " + Shape.str(first.shape()));
            total += p.dim(a);
        }
        s[a] = total;
        Backend be = first.backend();
        Tensor out = be.zeros(first.dtype(), s);
        int[] starts = new int[parts.size()];
        int at = 0;
        for (int i = 0; i < parts.size(); i++) {
            starts[i] = at;
            Tensor p = parts.get(i);
            be.assign(out.detach().slice(a, at, at + p.dim(a)), p);
            at += p.dim(a);
        }
        return Grad.record(out, g -> {
            Tensor[] gs = new Tensor[parts.size()];
            for (int i = 0; i < gs.length; i++) gs[i] = g.slice(a, starts[i], starts[i] + parts.get(i).dim(a));
            return gs;
        }, parts.toArray(new Tensor[0]));
    }

    // ---- regularisation and losses ----

    /** Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p); identity when not training. */
    public static Tensor dropout(Tensor x, double p, boolean training, Rng rng) {
        if (p < 0 || p >= 1) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        if (!training || p == 0) return x;
        Tensor keep = rng.uniform(x.backend(), 0, 1, x.shape()).ge(x.scalarLike(p).toDType(DType.F32)).toDType(x.dtype());
        return x.mul(keep).div(1 - p);
    }

    /** Per-row cross-entropy: logits (R, C), targets (R) integer; gives (R). */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        if (logits.rank() != 2 || targets.rank() != 1 || targets.dim(0) != logits.dim(0)) {
            throw new IllegalArgumentException("crossEntropy expects logits (R, C) and targets (R), got " + Shape.str(logits.shape()) + " and " + Shape.str(targets.shape()));
        }
        return gather(logSoftmax(logits, -1), targets.reshape(-1, 1)).reshape(-1).neg();
    }

    /** Mean squared error over all elements. */
    public static Tensor mse(Tensor a, Tensor b) {
        return squaredError(a, b).mean();
    }

    /** Mean over all elements of w (a - b)^2, with weights w that broadcast against a, e.g. one per row (B, 1, ..., 1). */
    public static Tensor mse(Tensor a, Tensor b, Tensor w) {
        return squaredError(a, b).mul(w).mean();
    }

    private static Tensor squaredError(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) throw new IllegalArgumentException("mse: shapes differ " + Shape.str(a.shape()) + " vs " + Shape.str(b.shape()));
        return a.sub(b).square();
    }
}

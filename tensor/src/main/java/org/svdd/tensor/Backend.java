package org.svdd.tensor;

/**
 * The primitive operations a device must implement. Everything else (softmax cross-entropy, pooling,
 * upsampling, concat, dropout, the backward rules) is composed from these in {@link Tensor} and {@link F}.
 *
 * <p>Conventions: inputs may be strided views (including stride-0 broadcast views) unless a method says
 * "contiguous"; every result is a fresh contiguous tensor owned by this backend; inputs are never modified
 * except by {@link #assign}. Shapes are checked by the caller ({@link Tensor}/{@link F}); backends may assume
 * them valid. {@link ReferenceBackend} is the executable specification of every method.
 */
public interface Backend {
    String name();

    // ---- memory ----

    /** A zero-filled contiguous tensor. */
    Tensor zeros(DType dtype, int... shape);

    /** Copies host data (length = numel(shape)) to a new tensor on this backend. */
    Tensor upload(HostStorage data, int... shape);

    /** A contiguous host copy of any tensor of this backend, in its dtype. */
    HostStorage download(Tensor x);

    /** A contiguous copy of a (possibly strided) view, converted to {@code dtype}. */
    Tensor copy(Tensor x, DType dtype);

    /** In place: writes src (same shape) into the view dst. The only mutating primitive. */
    void assign(Tensor dst, Tensor src);

    // ---- elementwise ----

    Tensor unary(UnaryOp op, Tensor x);

    /** gradOut * op'(x), the fused backward of {@link #unary}. */
    Tensor unaryBackward(UnaryOp op, Tensor x, Tensor gradOut);

    /**
     * a and b have equal shapes (callers broadcast with stride-0 views) and dtypes. The comparisons (EQ .. GE) work on
     * every dtype, exactly in it (integer ids are never compared as floats), and give 1 or 0 in it; the arithmetic ops
     * are required on the floating dtypes only.
     */
    Tensor binary(BinaryOp op, Tensor a, Tensor b);

    /**
     * cond != 0 ? a : b, all of equal shape; cond of any dtype, a and b of one dtype, any, which the result keeps:
     * elements are moved, not converted, so integer ids stay exact.
     */
    Tensor where(Tensor cond, Tensor a, Tensor b);

    // ---- reductions ----

    /** Reduces one axis, keeping it with size 1. ARGMAX returns I64. */
    Tensor reduce(ReduceOp op, Tensor x, int axis);

    // ---- linear algebra ----

    /** Batched matrix product: a (B, M, K) times b (B, K, N) gives (B, M, N). Any strides. */
    Tensor matmul(Tensor a, Tensor b);

    /**
     * matmul plus bias (N) added to every row: a (B, M, K), b (B, K, N). This composition is the definition; a backend
     * that can add the bias into the product it has just written (no second tensor) overrides it.
     */
    default Tensor matmul(Tensor a, Tensor b, Tensor bias) {
        Tensor y = matmul(a, b);
        return binary(BinaryOp.ADD, y, bias.reshape(1, 1, -1).expand(y.shape()));
    }

    /** x (N, C, H, W) contiguous, w (O, C/g, KH, KW) contiguous, gives (N, O, OH, OW). */
    Tensor conv2d(Tensor x, Tensor w, Conv2dParams p);

    /**
     * conv2d plus a bias b, contiguous: (O) per output channel, or (N, O) per image and output channel; none for
     * b = null. This composition is the definition; a backend that can add the bias into the output it has just
     * written (no second tensor) overrides it.
     */
    default Tensor conv2d(Tensor x, Tensor w, Tensor b, Conv2dParams p) {
        Tensor y = conv2d(x, w, p);
        if (b == null) return y;
        Tensor perPlane = b.rank() == 1 ? b.reshape(1, -1, 1, 1) : b.reshape(b.dim(0), b.dim(1), 1, 1);
        return binary(BinaryOp.ADD, y, perPlane.expand(y.shape()));
    }

    /** Gradient of conv2d with respect to its input: gy (N, O, OH, OW), w as in forward, gives xShape. */
    Tensor conv2dBackwardInput(Tensor gy, Tensor w, int[] xShape, Conv2dParams p);

    /** Gradient of conv2d with respect to its weight, gives wShape. */
    Tensor conv2dBackwardWeight(Tensor x, Tensor gy, int[] wShape, Conv2dParams p);

    /**
     * The per-channel affine map of a norm: x (N, C, ...) contiguous, y[n, c, ...] = x[n, c, ...] * gamma[c] + beta[c];
     * gamma and beta (C) contiguous, either may be null (1 and 0). This composition is the definition; a backend that
     * does it in one pass overrides it.
     */
    default Tensor channelAffine(Tensor x, Tensor gamma, Tensor beta) {
        int[] perChannel = new int[x.rank()];
        java.util.Arrays.fill(perChannel, 1);
        perChannel[1] = x.dim(1);
        Tensor y = gamma == null ? x : binary(BinaryOp.MUL, x, gamma.reshape(perChannel).expand(x.shape()));
        return beta == null ? y : binary(BinaryOp.ADD, y, beta.reshape(perChannel).expand(x.shape()));
    }

    /**
     * A norm's affine map and the activation after it as one op: y = act(x[n, c, ...] * gamma[c] + beta[c]), act null
     * for none; x (N, C, ...) contiguous, gamma and beta (C) or null.
     */
    default Tensor channelAffine(Tensor x, Tensor gamma, Tensor beta, UnaryOp act) {
        Tensor u = channelAffine(x, gamma, beta);
        return act == null ? u : unary(act, u);
    }

    /**
     * Gradients of {@link #channelAffine(Tensor, Tensor, Tensor, UnaryOp)} for the output gradient g (x's shape, both
     * contiguous): {gx, gGamma (C), gBeta (C)}, null for a null gamma or beta. With u = x gamma + beta and
     * gu = g act'(u): gx = gu gamma[c], gGamma[c] and gBeta[c] the sums of gu x and of gu over all but the channel axis.
     */
    default Tensor[] channelAffineBackward(Tensor g, Tensor x, Tensor gamma, Tensor beta, UnaryOp act) {
        Tensor gu = act == null ? g : unaryBackward(act, channelAffine(x, gamma, beta), g);
        return new Tensor[]{gamma == null ? gu : channelAffine(gu, gamma, null),
                gamma == null ? null : channelSums(binary(BinaryOp.MUL, gu, x)),
                beta == null ? null : channelSums(gu)};
    }

    /**
     * Group norm with its affine map and activation as one op: x (N, C, ...) contiguous, C divisible by groups; per
     * row r of the (N * groups, C / groups * ...) view, mean[r] and rstd[r] = 1 / sqrt(var + eps) (biased variance),
     * and y = act((x - mean) rstd gamma[c] + beta[c]) (gamma, beta (C) contiguous or null; act null for none). Gives
     * {y, mean (N * groups, 1), rstd (N * groups, 1)}: the backward recomputes the normalised x from them instead of
     * keeping it. This composition is the definition; a backend that does it in one pass overrides it.
     */
    default Tensor[] groupNorm(Tensor x, int groups, Tensor gamma, Tensor beta, double eps, UnaryOp act) {
        int rows = x.dim(0) * groups;
        Tensor xr = x.reshape(rows, -1);
        Tensor[] yr = normalizeRows(xr, eps);
        Tensor count = copy(upload(HostStorage.of(new float[]{xr.dim(1)}), 1, 1), x.dtype()).expand(rows, 1);
        Tensor mean = binary(BinaryOp.DIV, reduce(ReduceOp.SUM, xr, 1).reshape(rows, 1), count);
        return new Tensor[]{channelAffine(yr[0].reshape(x.shape()), gamma, beta, act), mean, yr[1]};
    }

    /**
     * Gradients of {@link #groupNorm} for the output gradient g (x's shape, both contiguous), from its mean and rstd:
     * {gx, gGamma (C), gBeta (C)}, null for a null gamma or beta. With xhat = (x - mean) rstd,
     * {@link #channelAffineBackward} at xhat, then {@link #normalizeRowsBackward} per row.
     */
    default Tensor[] groupNormBackward(Tensor g, Tensor x, Tensor mean, Tensor rstd, int groups, Tensor gamma, Tensor beta, UnaryOp act) {
        int rows = x.dim(0) * groups;
        Tensor xr = x.reshape(rows, -1);
        int[] shape = xr.shape();
        Tensor xhat = binary(BinaryOp.MUL, binary(BinaryOp.SUB, xr, mean.expand(shape)), rstd.expand(shape));     // (rows, m)
        Tensor[] a = channelAffineBackward(g, xhat.reshape(x.shape()), gamma, beta, act);
        Tensor gx = normalizeRowsBackward(a[0].reshape(shape), xhat, rstd).reshape(x.shape());
        return new Tensor[]{gx, a[1], a[2]};
    }

    /** (N, C, ...) contiguous -> (C): the sum over every axis but the channel axis. */
    private Tensor channelSums(Tensor t) {
        int n = t.dim(0), c = t.dim(1);
        return reduce(ReduceOp.SUM, reduce(ReduceOp.SUM, t.reshape(n, c, -1), 2), 0).reshape(c);
    }

    /** Nearest-neighbour upsampling: x (N, C, H, W), any strides, each pixel repeated into an s x s block; (N, C, sH, sW). */
    Tensor upsampleNearest2d(Tensor x, int s);

    // ---- fused rows ----

    /** Softmax (or log-softmax) over the last axis. */
    Tensor softmax(Tensor x, boolean log);

    /**
     * Row normalisation, the core of layer and group norm: x (R, N) contiguous gives
     * {y = (x - mean) * rstd, rstd (R, 1)} with rstd = 1 / sqrt(var + eps), var the biased variance.
     */
    Tensor[] normalizeRows(Tensor x, double eps);

    /** Backward of {@link #normalizeRows}: gx = rstd * (gy - mean(gy) - y * mean(gy * y)) per row. */
    Tensor normalizeRowsBackward(Tensor gy, Tensor y, Tensor rstd);

    /**
     * Fused scaled dot-product attention: softmax(q k^T * scale + mask) v.
     * q (B, S, D), k (B, T, D), v (B, T, E) contiguous; mask null or (B, S, T) additive (any strides,
     * -inf to block). Gives (B, S, E). Backends should not materialise the S x T matrix per batch.
     */
    Tensor attention(Tensor q, Tensor k, Tensor v, Tensor mask, double scale);

    /**
     * Backward of {@link #attention} for the output gradient g (B, S, E), recomputing the probabilities
     * P = softmax(q k^T * scale + mask): gives {gq (B, S, D), gk (B, T, D), gv (B, T, E)} with gv = P^T g,
     * gS = P (g v^T - rowsum(P g v^T)), gq = scale gS k and gk = scale gS^T q. A row whose keys are all masked has
     * output 0 in the forward and zero gradients here.
     */
    Tensor[] attentionBackward(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, Tensor g);

    // ---- indexing ----

    /** out[r, j] = x[r, idx[r, j]]: x (R, N), idx (R, J) integer, gives (R, J). */
    Tensor gather(Tensor x, Tensor idx);

    /** out (R, n) zeros, then out[r, idx[r, j]] += src[r, j]: the backward of {@link #gather}. */
    Tensor scatterAdd(Tensor idx, Tensor src, int n);

    /** Rows of a table: table (V, D) of any dtype, moved as they are, idx (L) integer, gives (L, D). Embedding lookup. */
    Tensor indexSelect(Tensor table, Tensor idx);

    /** out (V, D) zeros, then out[idx[l]] += src[l]: the backward of {@link #indexSelect}. */
    Tensor indexAdd(Tensor idx, Tensor src, int v);
}

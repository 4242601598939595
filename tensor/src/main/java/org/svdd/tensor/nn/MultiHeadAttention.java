package org.svdd.tensor.nn;

import org.svdd.tensor.F;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;

/** Multi-head self-attention with a fused q/k/v projection and the engine's fused attention kernel. */
public final class MultiHeadAttention extends Module {
    private final Linear qkv;
    private final Linear out;
    private final int dim, heads;

    public MultiHeadAttention(int dim, int heads, Init init) {
        if (dim % heads != 0) throw new IllegalArgumentException("attention width " + dim + " not divisible by " + heads + " heads");
        this.dim = dim;
        this.heads = heads;
        this.qkv = child("qkv", new Linear(dim, 3 * dim, true, init));
        this.out = child("out", new Linear(dim, dim, true, init));
    }

    /** x (B, S, D), mask null or additive, broadcastable to (B, heads, S, S) -> (B, S, D). */
    public Tensor forward(Tensor x, Tensor mask) {
        if (x.rank() != 3 || x.dim(2) != dim) throw new IllegalArgumentException("attention expects (B, S, " + dim + "), got " + Shape.str(x.shape()));
        int b = x.dim(0), s = x.dim(1), hd = dim / heads;
        Tensor t = qkv.forward(x).reshape(b, s, 3, heads, hd).permute(2, 0, 3, 1, 4);   // (3, B, H, S, hd)
        Tensor y = F.attention(t.select(0, 0), t.select(0, 1), t.select(0, 2), mask, 1 / Math.sqrt(hd)); // (B, H, S, hd)
        return out.forward(y.permute(0, 2, 1, 3).reshape(b, s, dim));
    }
}

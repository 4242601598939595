package org.svdd.tensor.nn;

import org.svdd.tensor.F;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;

/**
 * Multi-head self-attention with a fused q/k/v projection: [q | k | v] = x W_qkv^T + b_qkv, per head
 * h = softmax(q_h k_h^T / sqrt(D/H) + mask) v_h, then y = concat(h) W_out^T + b_out. Children "qkv" (D -> 3D,
 * the q, k, v blocks in that order, heads contiguous within each) and "out" (D -> D).
 */
public final class MultiHeadAttention extends Module implements Layer {
    private final Linear qkv;
    private final Linear out;
    private final int dim, heads;

    public MultiHeadAttention(int dim, int heads, Init init) {
        if (heads < 1 || dim % heads != 0) throw new IllegalArgumentException("attention width " + dim + " not divisible by " + heads + " heads");
        this.dim = dim;
        this.heads = heads;
        this.qkv = child("qkv", new Linear(dim, 3 * dim, true, init));
        this.out = child("out", new Linear(dim, dim, true, init));
    }

    /** x (B, S, D) -> (B, S, D), no mask. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /** x (B, S, D), mask null or additive (-inf blocks) broadcastable to (B, H, S, S) -> (B, S, D). */
    public Tensor forward(Tensor x, Tensor mask) {
        if (x.rank() != 3 || x.dim(2) != dim) throw new IllegalArgumentException("attention expects (B, S, " + dim + "), got " + Shape.str(x.shape()));
        int b = x.dim(0), s = x.dim(1), hd = dim / heads;
        if (mask != null) {
            int[] scores = {b, heads, s, s};
            if (!broadcastsTo(mask.shape(), scores)) {
                throw new IllegalArgumentException("attention mask " + Shape.str(mask.shape()) + " does not broadcast to the scores " + Shape.str(scores));
            }
        }
        // q, k and v as three products with row blocks of W_qkv, not slices of one (B, S, 3D) product: a slice's
        // gradient is a zero (B, S, 3D) tensor with its block filled in, three of them summed
        Tensor[] qkvHeads = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            Tensor w = qkv.weight().slice(0, i * dim, (i + 1) * dim), bias = qkv.bias().slice(0, i * dim, (i + 1) * dim);
            qkvHeads[i] = F.linear(x, w, bias).reshape(b, s, heads, hd).permute(0, 2, 1, 3);          // (B, H, S, hd)
        }
        Tensor y = F.attention(qkvHeads[0], qkvHeads[1], qkvHeads[2], mask, 1 / Math.sqrt(hd));       // (B, H, S, hd)
        return out.forward(y.permute(0, 2, 1, 3).reshape(b, s, dim));                                 // (B, S, D)
    }

    private static boolean broadcastsTo(int[] from, int[] to) {
        if (from.length > to.length) return false;
        for (int i = 1; i <= from.length; i++) {
            int d = from[from.length - i];
            if (d != 1 && d != to[to.length - i]) return false;
        }
        return true;
    }
}

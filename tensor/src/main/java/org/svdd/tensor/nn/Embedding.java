package org.svdd.tensor.nn;

import org.svdd.tensor.F;
import org.svdd.tensor.Tensor;

/** A lookup table (count, dim) initialised N(0, 1) as in PyTorch: out[..., :] = weight[ids[...], :]. */
public final class Embedding extends Module {
    public Embedding(int count, int dim, Init init) {
        if (count < 1 || dim < 1) throw new IllegalArgumentException("Embedding needs positive sizes, got " + count + " x " + dim);
        param("weight", init.normal(1.0, count, dim));
    }

    /** The table (count, dim). */
    public Tensor weight() {
        return param("weight");
    }

    /** ids (...) integer in [0, count) -> (..., dim). */
    public Tensor forward(Tensor ids) {
        return F.embedding(weight(), ids);
    }
}

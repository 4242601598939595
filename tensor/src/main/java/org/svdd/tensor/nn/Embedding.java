package org.svdd.tensor.nn;

import org.svdd.tensor.F;
import org.svdd.tensor.Tensor;

/** A lookup table (count, dim) initialised N(0, 1), as in PyTorch. */
public final class Embedding extends Module {
    public final Tensor table;

    public Embedding(int count, int dim, Init init) {
        this.table = param("weight", init.normal(1.0, count, dim));
    }

    /** ids (...) integer -> (..., dim). */
    public Tensor forward(Tensor ids) {
        return F.embedding(table, ids);
    }
}

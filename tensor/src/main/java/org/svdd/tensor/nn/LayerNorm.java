package org.svdd.tensor.nn;

import org.svdd.tensor.F;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;

/** Layer normalisation over the last axis; affine optional (adaLN blocks use it without). */
public final class LayerNorm extends Module implements Layer {
    public final Tensor gamma;
    public final Tensor beta;
    private final int dim;
    private final double eps;

    public LayerNorm(int dim, boolean affine, Init init) {
        this.dim = dim;
        this.eps = 1e-5;
        this.gamma = affine ? param("weight", init.constant(1, dim)) : null;
        this.beta = affine ? param("bias", init.constant(0, dim)) : null;
    }

    /** x (..., dim) -> same shape. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim(-1) != dim) throw new IllegalArgumentException("LayerNorm expects last dim " + dim + ", got " + Shape.str(x.shape()));
        return F.layerNorm(x, gamma, beta, eps);
    }
}

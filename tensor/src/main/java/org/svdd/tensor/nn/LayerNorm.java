package org.svdd.tensor.nn;

import org.svdd.tensor.F;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;

/**
 * Layer normalisation over the last axis: y = (x - mean) / sqrt(var + eps) gamma + beta, biased variance,
 * eps = 1e-5. The affine part is optional (adaLN blocks modulate without it); gamma starts at 1, beta at 0.
 */
public final class LayerNorm extends Module implements Layer {
    private static final double EPS = 1e-5;
    private final int dim;
    private final boolean affine;

    public LayerNorm(int dim, boolean affine, Init init) {
        this.dim = dim;
        this.affine = affine;
        if (affine) {
            param("weight", init.constant(1, dim));
            param("bias", init.constant(0, dim));
        }
    }

    /** gamma (dim), or null without affine. */
    public Tensor weight() {
        return affine ? param("weight") : null;
    }

    /** beta (dim), or null without affine. */
    public Tensor bias() {
        return affine ? param("bias") : null;
    }

    /** x (..., dim) -> same shape. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 1 || x.dim(-1) != dim) throw new IllegalArgumentException("LayerNorm expects (..., " + dim + "), got " + Shape.str(x.shape()));
        return F.layerNorm(x, weight(), bias(), EPS);
    }
}

package org.svdd.tensor.nn;

import org.svdd.tensor.F;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

/**
 * Inverted dropout: in training mode each element is zeroed with probability p and the rest scaled by 1/(1-p),
 * so E[y] = x; in evaluation mode y = x. The random source is explicit: the one given at construction, or one
 * passed per call.
 */
public final class Dropout extends Module implements Layer {
    private final double p;
    private final Rng rng;

    public Dropout(double p, Rng rng) {
        if (p < 0 || p >= 1) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        this.p = p;
        this.rng = rng;
    }

    /** x (...) -> same shape, drawing from the construction-time source. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, rng);
    }

    /** x (...) -> same shape, drawing from rng. */
    public Tensor forward(Tensor x, Rng rng) {
        return F.dropout(x, p, isTraining(), rng);
    }
}

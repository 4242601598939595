package org.svdd.tensor.nn;

import org.svdd.tensor.F;
import org.svdd.tensor.Tensor;

/** y = x W^T + b, W (out, in) and b (out) initialised U(-1/sqrt(in), 1/sqrt(in)). */
public final class Linear extends Module implements Layer {
    public final Tensor weight;
    public final Tensor bias;
    private final int in;

    public Linear(int in, int out, boolean bias, Init init) {
        this.in = in;
        double bound = 1 / Math.sqrt(in);
        this.weight = param("weight", init.uniform(bound, out, in));
        this.bias = bias ? param("bias", init.uniform(bound, out)) : null;
    }

    /** x (..., in) -> (..., out). */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim(-1) != in) throw new IllegalArgumentException("Linear expects last dim " + in + ", got input " + org.svdd.tensor.Shape.str(x.shape()));
        return F.linear(x, weight, bias);
    }
}

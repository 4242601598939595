package org.svdd.tensor.nn;

import org.svdd.tensor.F;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;

/**
 * y = x W^T + b with W (out, in) and b (out), both drawn U(-1/sqrt(in), 1/sqrt(in)) as PyTorch's default
 * (kaiming-uniform with a = sqrt(5)) effectively does.
 */
public final class Linear extends Module implements Layer {
    private final int in;
    private final boolean hasBias;

    public Linear(int in, int out, boolean bias, Init init) {
        if (in < 1 || out < 1) throw new IllegalArgumentException("Linear needs positive sizes, got " + in + " -> " + out);
        this.in = in;
        this.hasBias = bias;
        double bound = 1 / Math.sqrt(in);
        param("weight", init.uniform(bound, out, in));
        if (bias) param("bias", init.uniform(bound, out));
    }

    /** W (out, in). */
    public Tensor weight() {
        return param("weight");
    }

    /** b (out), or null without bias. */
    public Tensor bias() {
        return hasBias ? param("bias") : null;
    }

    /** x (..., in) -> (..., out). */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 1 || x.dim(-1) != in) throw new IllegalArgumentException("Linear expects (..., " + in + "), got input " + Shape.str(x.shape()) + " for weight " + Shape.str(weight().shape()));
        return F.linear(x, weight(), bias());
    }
}

package org.svdd.tensor.nn;

import org.svdd.tensor.F;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;

/**
 * 1-D convolution (cross-correlation): weight (out, in/groups, k) and bias (out), both
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = (in/groups) k.
 */
public final class Conv1d extends Module implements Layer {
    private final int in, stride, padding, dilation, groups;
    private final boolean hasBias;

    public Conv1d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean bias, Init init) {
        if (groups < 1 || in % groups != 0 || out % groups != 0) throw new IllegalArgumentException("Conv1d channels " + in + " -> " + out + " not divisible by groups " + groups);
        this.in = in;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        this.hasBias = bias;
        double bound = 1 / Math.sqrt((double) in / groups * kernel);
        param("weight", init.uniform(bound, out, in / groups, kernel));
        if (bias) param("bias", init.uniform(bound, out));
    }

    /** w (out, in/groups, k). */
    public Tensor weight() {
        return param("weight");
    }

    /** b (out), or null without bias. */
    public Tensor bias() {
        return hasBias ? param("bias") : null;
    }

    /** x (N, in, L) -> (N, out, OL), OL = (L + 2 pad - dil (k - 1) - 1) / stride + 1. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 3 || x.dim(1) != in) throw new IllegalArgumentException("Conv1d expects (N, " + in + ", L), got " + Shape.str(x.shape()) + " for weight " + Shape.str(weight().shape()));
        return F.conv1d(x, weight(), bias(), stride, padding, dilation, groups);
    }
}

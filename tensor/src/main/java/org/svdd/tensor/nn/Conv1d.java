package org.svdd.tensor.nn;

import org.svdd.tensor.F;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;

/** 1-D convolution, weight (out, in/groups, k). */
public final class Conv1d extends Module implements Layer {
    public final Tensor weight;
    public final Tensor bias;
    private final int in, stride, padding, dilation, groups;

    public Conv1d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean bias, Init init) {
        if (in % groups != 0 || out % groups != 0) throw new IllegalArgumentException("Conv1d channels " + in + " -> " + out + " not divisible by groups " + groups);
        this.in = in;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        double bound = 1 / Math.sqrt((double) in / groups * kernel);
        this.weight = param("weight", init.uniform(bound, out, in / groups, kernel));
        this.bias = bias ? param("bias", init.uniform(bound, out)) : null;
    }

    /** x (N, in, L) -> (N, out, OL). */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 3 || x.dim(1) != in) throw new IllegalArgumentException("Conv1d expects (N, " + in + ", L), got " + Shape.str(x.shape()));
        return F.conv1d(x, weight, bias, stride, padding, dilation, groups);
    }
}

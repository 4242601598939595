package org.svdd.tensor.nn;

import org.svdd.tensor.Conv2dParams;
import org.svdd.tensor.F;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;

/** 2-D convolution, weight (out, in/groups, k, k), U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in/groups k^2. */
public final class Conv2d extends Module implements Layer {
    public final Tensor weight;
    public final Tensor bias;
    private final Conv2dParams geometry;
    private final int in;

    public Conv2d(int in, int out, int kernel, Conv2dParams geometry, boolean bias, Init init) {
        if (in % geometry.groups() != 0 || out % geometry.groups() != 0) {
            throw new IllegalArgumentException("Conv2d channels " + in + " -> " + out + " not divisible by groups " + geometry.groups());
        }
        this.in = in;
        this.geometry = geometry;
        double bound = 1 / Math.sqrt((double) in / geometry.groups() * kernel * kernel);
        this.weight = param("weight", init.uniform(bound, out, in / geometry.groups(), kernel, kernel));
        this.bias = bias ? param("bias", init.uniform(bound, out)) : null;
    }

    /** Stride 1 with "same" padding for an odd kernel. */
    public Conv2d(int in, int out, int kernel, Init init) {
        this(in, out, kernel, Conv2dParams.of(1, kernel / 2), true, init);
    }

    /** x (N, in, H, W) -> (N, out, OH, OW). */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != in) throw new IllegalArgumentException("Conv2d expects (N, " + in + ", H, W), got " + Shape.str(x.shape()));
        return F.conv2d(x, weight, bias, geometry);
    }
}

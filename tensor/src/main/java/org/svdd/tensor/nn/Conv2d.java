package org.svdd.tensor.nn;

import org.svdd.tensor.Conv2dParams;
import org.svdd.tensor.F;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;

/**
 * 2-D convolution (cross-correlation) with a square kernel: weight (out, in/groups, k, k) and bias (out), both
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = (in/groups) k^2. Stride, padding, dilation and groups come in
 * as {@link Conv2dParams}.
 */
public final class Conv2d extends Module implements Layer {
    private final int in;
    private final boolean hasBias;
    private final Conv2dParams geometry;

    public Conv2d(int in, int out, int kernel, Conv2dParams geometry, boolean bias, Init init) {
        if (in % geometry.groups() != 0 || out % geometry.groups() != 0) {
            throw new IllegalArgumentException("Conv2d channels " + in + " -> " + out + " not divisible by groups " + geometry.groups());
        }
        this.in = in;
        this.hasBias = bias;
        this.geometry = geometry;
        double bound = 1 / Math.sqrt((double) in / geometry.groups() * kernel * kernel);
        param("weight", init.uniform(bound, out, in / geometry.groups(), kernel, kernel));
        if (bias) param("bias", init.uniform(bound, out));
    }

    /** Stride 1, bias, and "same" padding k/2 for an odd kernel. */
    public Conv2d(int in, int out, int kernel, Init init) {
        this(in, out, kernel, Conv2dParams.of(1, kernel / 2), true, init);
    }

    /** w (out, in/groups, k, k). */
    public Tensor weight() {
        return param("weight");
    }

    /** b (out), or null without bias. */
    public Tensor bias() {
        return hasBias ? param("bias") : null;
    }

    /** x (N, in, H, W) -> (N, out, OH, OW), OH = (H + 2 pad - dil (k - 1) - 1) / stride + 1. */
    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        return F.conv2d(x, weight(), bias(), geometry);
    }

    /**
     * x (N, in, H, W), shift (N, out) -> conv(x) + bias + shift[n, o] on every pixel of image n, channel o: a per-image
     * shift such as a time embedding, added with the bias into the output as it is written (no second tensor).
     */
    public Tensor forward(Tensor x, Tensor shift) {
        checkInput(x);
        int out = weight().dim(0);
        if (shift.rank() != 2 || shift.dim(0) != x.dim(0) || shift.dim(1) != out) {
            throw new IllegalArgumentException("Conv2d shift must be (" + x.dim(0) + ", " + out + "), got " + Shape.str(shift.shape()));
        }
        return F.conv2d(x, weight(), hasBias ? shift.add(bias()) : shift, geometry);
    }

    private void checkInput(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != in) throw new IllegalArgumentException("Conv2d expects (N, " + in + ", H, W), got " + Shape.str(x.shape()) + " for weight " + Shape.str(weight().shape()));
    }
}

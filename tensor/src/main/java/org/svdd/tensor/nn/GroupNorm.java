package org.svdd.tensor.nn;

import org.svdd.tensor.F;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;

/** Group normalisation over (C/groups, spatial) with a per-channel affine (gamma = 1, beta = 0 at start). */
public final class GroupNorm extends Module implements Layer {
    public final Tensor gamma;
    public final Tensor beta;
    private final int groups, channels;
    private final double eps;

    public GroupNorm(int groups, int channels, Init init) {
        if (channels % groups != 0) throw new IllegalArgumentException("GroupNorm: " + channels + " channels not divisible by " + groups + " groups");
        this.groups = groups;
        this.channels = channels;
        this.eps = 1e-5;
        this.gamma = param("weight", init.constant(1, channels));
        this.beta = param("bias", init.constant(0, channels));
    }

    /** x (N, C, ...) -> same shape. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 2 || x.dim(1) != channels) throw new IllegalArgumentException("GroupNorm expects (N, " + channels + ", ...), got " + Shape.str(x.shape()));
        return F.groupNorm(x, groups, gamma, beta, eps);
    }
}

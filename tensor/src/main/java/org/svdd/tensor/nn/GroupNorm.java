package org.svdd.tensor.nn;

import org.svdd.tensor.F;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.UnaryOp;

/**
 * Group normalisation: y = (x - mean) / sqrt(var + eps) gamma_c + beta_c, statistics (biased variance) per sample
 * over the C/groups channels of a group and all positions. gamma starts at 1, beta at 0; eps = 1e-5 as in PyTorch.
 */
public final class GroupNorm extends Module implements Layer {
    private static final double EPS = 1e-5;
    private final int groups, channels;

    public GroupNorm(int groups, int channels, Init init) {
        if (groups < 1 || channels % groups != 0) throw new IllegalArgumentException("GroupNorm: " + channels + " channels not divisible by " + groups + " groups");
        this.groups = groups;
        this.channels = channels;
        param("weight", init.constant(1, channels));
        param("bias", init.constant(0, channels));
    }

    /** gamma (C). */
    public Tensor weight() {
        return param("weight");
    }

    /** beta (C). */
    public Tensor bias() {
        return param("bias");
    }

    /** x (N, C, ...) -> same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /** x (N, C, ...) -> act(groupNorm(x)), the activation in the same op as the affine map (one pass, one tensor). */
    public Tensor forward(Tensor x, UnaryOp act) {
        if (x.rank() < 2 || x.dim(1) != channels) throw new IllegalArgumentException("GroupNorm expects (N, " + channels + ", ...), got " + Shape.str(x.shape()));
        return F.groupNorm(x, groups, weight(), bias(), EPS, act);
    }
}

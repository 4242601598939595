package org.svdd.sampling;

import org.svdd.diffusion.process.Guide;
import org.svdd.diffusion.process.Proposal;
import org.svdd.reward.Reward;
import org.svdd.tensor.Tensor;
import org.svdd.value.ValueNet;

/** The two gradient-guidance baselines as {@link Guide}s. */
public final class Guides {
    private Guides() {
    }

    /**
     * DPS (Chung et al.): log G(x_t) = r(x0_hat(x_t)), differentiated through the denoiser. On sequences the reward
     * sees the denoiser's x0 probabilities (B, L, V).
     */
    public static Guide dps(Reward.Differentiable reward) {
        return (xt, x0Hat, step) -> reward.forward(x0Hat);
    }

    /**
     * Classifier guidance with the SVDD-MC value network as the classifier: log G(x_t) = v_phi(x_t, t), no denoiser
     * gradient. On sequences the net sees the one-hot state without its MASK column.
     */
    public static Guide valueGradient(Proposal p, ValueNet net, Cost cost) {
        return (xt, x0Hat, step) -> {
            cost.addValueRows(xt.dim(0));
            Tensor in = net.config().domain() == ValueNet.Domain.IMAGE ? xt : xt.slice(2, 0, net.config().channels());
            return net.forward(in, ValueNet.times(xt.backend(), xt.dim(0), step == 0 ? 1.0 : p.timeAfter(step - 1)));
        };
    }

    /** A value network read at t = 0 as a differentiable stand-in for a reward that has no gradient (DPS on JPEG size). */
    public static Reward.Differentiable surrogate(ValueNet net) {
        return new Reward.Differentiable() {
            @Override
            public double[] score(Tensor x0) {
                return net.values(x0, 0.0);
            }

            @Override
            public Tensor forward(Tensor x) {
                return net.forward(x, ValueNet.times(x.backend(), x.dim(0), 0.0));
            }
        };
    }
}

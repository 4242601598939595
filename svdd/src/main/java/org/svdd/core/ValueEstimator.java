package org.svdd.core;

import org.svdd.diffusion.process.Proposal;
import org.svdd.tensor.Tensor;

/** The soft value v(x_{t-1}) of candidate states reached by reverse step i; one number per candidate row. */
@FunctionalInterface
public interface ValueEstimator {
    double[] values(Tensor candidates, int step);

    /** SVDD-PM: v(x) = r(x0_hat(x)), the reward of the pre-trained denoiser's x0 prediction (one pass per candidate). */
    static ValueEstimator posteriorMean(Proposal proposal, Reward reward) {
        return (candidates, step) -> reward.score(proposal.predictX0(candidates, step));
    }
}

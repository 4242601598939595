package org.svdd.sampling;

import org.svdd.diffusion.process.Proposal;
import org.svdd.reward.Reward;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.value.ValueNet;

/**
 * The soft value v(x_{t-1}) of candidate states reached by reverse step i; one number per candidate row. The
 * estimators of SVDD.md: the reward of the posterior mean (SVDD-PM), a learned value network (SVDD-MC), the raw
 * reward of the noisy state, and a Monte-Carlo soft value over several x0 draws.
 */
@FunctionalInterface
public interface ValueEstimator {
    double[] values(Tensor candidates, int step);

    /**
     * The values, with the denoiser pass made on the candidates when the estimator made one: the sampler prepares the
     * next step at the kept candidates from it ({@link Scored#next}) instead of running the denoiser again.
     */
    default Scored score(Tensor candidates, int step) {
        return new Scored(values(candidates, step), null);
    }

    /**
     * Values of candidate rows, and the {@link Proposal#predict} pass that produced them (null when there was none).
     */
    record Scored(double[] values, Proposal.Prediction prediction) {
        /**
         * Reverse step {@code step + 1} at the candidate rows idx, whose states are {@code kept} (rows idx of the
         * candidates): from the kept pass when there is one, else one denoiser pass on {@code kept}.
         */
        public Proposal.Step next(Proposal p, Tensor kept, int[] idx, int step) {
            return prediction != null ? prediction.prepare(idx) : p.prepare(kept, step + 1);
        }
    }

    /**
     * SVDD-PM: v(x) = r(x0_hat(x)), the reward of the pre-trained denoiser's x0 prediction (one pass per candidate,
     * which is also the next step's pass for the candidate that is kept).
     */
    static ValueEstimator posteriorMean(Proposal proposal, Reward reward) {
        return new ValueEstimator() {
            @Override
            public double[] values(Tensor candidates, int step) {
                return score(candidates, step).values();
            }

            @Override
            public Scored score(Tensor candidates, int step) {
                Proposal.Prediction pred = proposal.predict(candidates, step);
                return new Scored(reward.score(pred.x0()), pred);
            }
        };
    }

    /** v(x) = r(x): the reward of the noisy state itself (no denoiser pass); the crude baseline of the value family. */
    static ValueEstimator rawReward(Reward reward) {
        return (candidates, step) -> reward.score(candidates);
    }

    /**
     * Monte-Carlo soft value over {@code draws} draws x0^(j) ~ p_pre(x0 | x) ({@link Proposal#sampleX0}):
     * v = alpha log( (1/J) sum_j exp(r(x0^(j)) / alpha) ), and the plain mean of r when alpha = 0 (the practical
     * v ≈ E[r(x0) | x] of the paper). The rng is the sampler's, so runs repeat.
     */
    static ValueEstimator monteCarlo(Proposal proposal, Reward reward, int draws, double alpha, Rng rng) {
        if (draws < 1) throw new IllegalArgumentException("Monte-Carlo draws must be >= 1, got " + draws);
        return (candidates, step) -> {
            double[] r = reward.score(proposal.sampleX0(candidates, step, draws, rng));
            double[] v = new double[candidates.dim(0)];
            for (int b = 0; b < v.length; b++) v[b] = softMean(r, b * draws, draws, alpha);
            return v;
        };
    }

    /** SVDD-MC: v(x) from a value network trained by regression ({@link ValueNet}), at the candidates' noise level. */
    static ValueEstimator learned(Proposal proposal, ValueNet net, Cost cost) {
        return (candidates, step) -> {
            cost.addValueRows(candidates.dim(0));
            return net.values(candidates, proposal.timeAfter(step));
        };
    }

    /** alpha log mean exp(v / alpha) of v[from .. from+n), the mean when alpha = 0; computed stably. */
    static double softMean(double[] v, int from, int n, double alpha) {
        double mean = 0, max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            mean += v[from + j] / n;
            max = Math.max(max, v[from + j]);
        }
        if (alpha == 0) return mean;
        double s = 0;
        for (int j = 0; j < n; j++) s += Math.exp((v[from + j] - max) / alpha);
        return max + alpha * Math.log(s / n);
    }
}

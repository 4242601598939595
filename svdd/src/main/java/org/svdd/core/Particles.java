package org.svdd.core;

import org.svdd.diffusion.process.Proposal;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

/**
 * Particle methods over a {@link Proposal}: SMC, Feynman-Kac steering and nested importance sampling are one loop
 * with different settings. N particles (the batch) form one population. At each reverse step every particle draws
 * M candidates, keeps one by {@link Selection} with temperature alpha (M = 1: the pre-trained draw), and its
 * log-weight moves with the potential of its values; when the {@link Resampling} schedule says so, the population
 * is resampled in proportion to exp(log-weight). After the last step the population is resampled once more, so the
 * N returned samples are unweighted.
 *
 * @param potential  how values become log-weights (lambda = 1 / alpha)
 * @param alpha      the temperature of the target p_pre exp(r / alpha); must be > 0
 * @param m          candidates per particle and step (nested IS when > 1)
 * @param resampling when and how to resample
 */
public record Particles(Potential potential, double alpha, int m, Resampling resampling) {
    /**
     * The potentials of FK steering (Singhal et al. 2025) on values v_t of each particle's lineage:
     * DIFF log G = (v_t - v_{t'}) / alpha since the last resampling t' (SMC / TDS without twisting; telescopes to
     * r / alpha); CURRENT v_t / alpha; MAX max_s v_s / alpha; SUM sum_s v_s / alpha.
     */
    public enum Potential { DIFF, CURRENT, MAX, SUM }

    public Particles {
        if (!(alpha > 0)) throw new IllegalArgumentException("particle methods need alpha > 0 (the weights are exp(v / alpha)), got " + alpha);
        if (m < 1) throw new IllegalArgumentException("M must be >= 1, got " + m);
    }

    /** SMC as compared in the paper: pre-trained proposal, reward-difference weights, multinomial resampling each step. */
    public static Particles smc(double alpha) {
        return new Particles(Potential.DIFF, alpha, 1, Resampling.everyStep());
    }

    /** Nested importance sampling: M candidates per particle, one kept by softmax(v / alpha), then global resampling. */
    public static Particles nestedIs(double alpha, int m) {
        return new Particles(Potential.DIFF, alpha, m, Resampling.everyStep());
    }

    /** N samples. value scores candidates after each step (typically the posterior-mean reward). */
    public Tensor sample(Proposal p, ValueEstimator value, int n, Rng rng) {
        Selection selection = new Selection(alpha);
        return Grad.noGrad(() -> {
            Tensor x = p.prior(n, rng);
            double[] logw = new double[n];       // log-weight since the last resampling
            double[] vLast = new double[n];      // value of each particle's current state (0 at the prior)
            double[] stat = new double[n];       // max or sum of the lineage's values (MAX, SUM)
            for (int i = 0; i < p.steps(); i++) {
                Tensor cands = p.prepare(x, i).sample(m, rng);                                   // (N*M, ...)
                double[] v = value.values(cands, i);
                int[] keep = new int[n];
                for (int b = 0; b < n; b++) {
                    int j = m == 1 ? 0 : selection.choose(v, b * m, m, rng);
                    keep[b] = b * m + j;
                    double vKept = v[keep[b]];
                    // nested IS weighs a particle by its candidates' mean exp(v / alpha); with M = 1 that is v itself
                    double vWeight = ValueEstimator.softMean(v, b * m, m, alpha);
                    stat[b] = i == 0 ? vKept : potential == Potential.MAX ? Math.max(stat[b], vKept) : stat[b] + vKept;
                    logw[b] = switch (potential) {
                        case DIFF -> logw[b] + (vWeight - vLast[b]) / alpha;
                        case CURRENT -> vWeight / alpha;
                        case MAX, SUM -> stat[b] / alpha;
                    };
                    vLast[b] = vKept;
                }
                x = m == 1 ? cands : Samplers.rows(cands, keep);
                boolean last = i + 1 == p.steps();
                if ((resampling.scheduled(i, p.steps()) || last) && (last || resampling.needed(logw, 0, n))) {
                    // the final draw is multinomial (i.i.d.), so any subset of the returned particles is a fair sample
                    int[] a = (last ? Resampling.everyStep() : resampling).ancestors(logw, 0, n, rng);
                    x = Samplers.rows(x, a);
                    vLast = permute(vLast, a);
                    stat = permute(stat, a);
                    logw = new double[n];     // DIFF restarts; the other potentials are set afresh each step
                }
            }
            return x;
        });
    }

    private static double[] permute(double[] a, int[] idx) {
        double[] out = new double[idx.length];
        for (int k = 0; k < idx.length; k++) out[k] = a[idx[k]];
        return out;
    }
}

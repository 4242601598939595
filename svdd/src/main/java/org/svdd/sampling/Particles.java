package org.svdd.sampling;

import org.svdd.diffusion.process.Proposal;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

/**
 * Particle methods over a {@link Proposal}: SMC, Feynman-Kac steering (Singhal et al. 2025) and nested importance
 * sampling are one loop with different settings. N particles (the batch) form one population that targets
 * p_pre(x0) exp(r(x0) / alpha). At each reverse step every particle draws M candidates and keeps one by
 * {@link Selection} with temperature alpha (M = 1: the pre-trained draw). At the steps the {@link Resampling} schedule
 * names, and at the last, a potential G_t of the particle's values multiplies its weight, and the population is
 * resampled in proportion to the weights when the schedule's ESS rule asks for it (weights then restart at 1). The
 * last step's potential makes the product of all potentials along a lineage exp(r(x0) / alpha), and the population is
 * then resampled once more (multinomially), so the N returned samples are unweighted and any subset is a fair draw.
 * <pre>
 *   code          paper (FK steering, lambda = 1 / alpha; v_s = value of the lineage's state at step s)
 *   DIFF          log G_t = (v_t - v_t') / alpha, t' the previous potential step (0 before the first): telescopes
 *   CURRENT       log G_t = v_t / alpha
 *   MAX           log G_t = max_s v_s / alpha, over the lineage's potential steps up to t
 *   SUM           log G_t = sum_s v_s / alpha, likewise
 *   last step     log G_0 = r(x0) / alpha - sum of the log G_t applied along the lineage (= (r - v_t') / alpha for DIFF)
 *   M > 1         the kept candidate was drawn in proportion to exp(v / alpha), so every step also weighs by
 *                 log mean_j exp(v_j / alpha) - v_kept / alpha (nested importance sampling; 0 when M = 1)
 * </pre>
 * Values are only computed where they are used: at every step when M > 1, else at the potential steps.
 *
 * @param potential  how values become potentials
 * @param alpha      the temperature of the target p_pre exp(r / alpha); must be > 0
 * @param m          candidates per particle and step (nested IS when > 1)
 * @param resampling at which steps potentials apply, and when and how to resample there
 */
public record Particles(Potential potential, double alpha, int m, Resampling resampling) {
    /** The potentials of FK steering; see the class comment. DIFF with M = 1 is SMC (TDS without twisting). */
    public enum Potential { DIFF, CURRENT, MAX, SUM }

    /** The final resampling: N independent draws. */
    private static final Resampling FINAL = Resampling.everyStep();

    public Particles {
        if (!(alpha > 0)) throw new IllegalArgumentException("particle methods need alpha > 0 (the weights are exp(v / alpha)), got " + alpha);
        if (m < 1) throw new IllegalArgumentException("M must be >= 1, got " + m);
    }

    /** SMC as compared in the SVDD paper: pre-trained proposal, reward-difference weights, on the given schedule. */
    public static Particles smc(double alpha, Resampling resampling) {
        return new Particles(Potential.DIFF, alpha, 1, resampling);
    }

    /** FK steering: pre-trained proposal, the given potential, on the given schedule. */
    public static Particles fkSteering(Potential potential, double alpha, Resampling resampling) {
        return new Particles(potential, alpha, 1, resampling);
    }

    /** Nested importance sampling: M candidates per particle, one kept by softmax(v / alpha), then global resampling. */
    public static Particles nestedIs(double alpha, int m, Resampling resampling) {
        return new Particles(Potential.DIFF, alpha, m, resampling);
    }

    /**
     * N samples. value scores candidates after each step (typically the posterior-mean reward, whose denoiser pass on
     * the kept candidates is then the next step's).
     */
    public Tensor sample(Proposal p, ValueEstimator value, int n, Rng rng) {
        Selection selection = new Selection(alpha);
        return Grad.noGrad(() -> {
            int steps = p.steps();
            Tensor x = p.prior(n, rng);
            Proposal.Step step = p.prepare(x, 0);
            double[] logw = new double[n];      // log-weight since the last resampling
            double[] applied = new double[n];   // sum of the log G_t applied along the lineage
            double[] vPrev = new double[n];     // value at the lineage's previous potential step (DIFF), 0 before the first
            double[] stat = new double[n];      // max or sum of the lineage's values at its potential steps (MAX, SUM)
            boolean first = true;               // no potential applied yet
            for (int i = 0; i < steps; i++) {
                boolean last = i + 1 == steps;
                boolean potentialStep = last || resampling.scheduled(i, steps);
                Tensor cands = step.sample(m, rng);                                              // (N*M, ...)
                ValueEstimator.Scored scored = m > 1 || potentialStep ? value.score(cands, i) : null;
                int[] keep = new int[n];
                for (int b = 0; b < n; b++) {
                    keep[b] = b * m + (m == 1 ? 0 : selection.choose(scored.values(), b * m, m, rng));
                    if (scored == null) continue;
                    double v = scored.values()[keep[b]];
                    double inc = m == 1 ? 0 : (ValueEstimator.softMean(scored.values(), b * m, m, alpha) - v) / alpha;
                    if (potentialStep) {
                        stat[b] = first ? v : potential == Potential.MAX ? Math.max(stat[b], v) : stat[b] + v;
                        double logG = logPotential(v, vPrev[b], stat[b], applied[b], last);
                        inc += logG;
                        applied[b] += logG;
                        vPrev[b] = v;
                    }
                    logw[b] += inc;
                }
                if (potentialStep) first = false;
                int[] idx = keep;
                if (potentialStep && (last || resampling.needed(logw, 0, n))) {
                    // the final draw is multinomial (i.i.d.), so any subset of the returned particles is a fair sample
                    int[] a = (last ? FINAL : resampling).ancestors(logw, 0, n, rng);
                    idx = new int[n];
                    for (int k = 0; k < n; k++) idx[k] = keep[a[k]];
                    vPrev = permute(vPrev, a);
                    stat = permute(stat, a);
                    applied = permute(applied, a);
                    logw = new double[n];
                }
                x = idx == keep && m == 1 ? cands : Proposal.rows(cands, idx);
                if (!last) step = scored != null ? scored.next(p, x, idx, i) : p.prepare(x, i + 1);
            }
            return x;
        });
    }

    /**
     * log G_t of one particle with value v at a potential step: vPrev is its value at the previous one, stat its max
     * or sum including v, applied the sum of the log potentials applied before.
     */
    private double logPotential(double v, double vPrev, double stat, double applied, boolean last) {
        if (potential == Potential.DIFF) return (v - vPrev) / alpha;
        if (last) return v / alpha - applied;
        return switch (potential) {
            case CURRENT -> v / alpha;
            case MAX, SUM -> stat / alpha;
            case DIFF -> throw new AssertionError();
        };
    }

    private static double[] permute(double[] a, int[] idx) {
        double[] out = new double[idx.length];
        for (int k = 0; k < idx.length; k++) out[k] = a[idx[k]];
        return out;
    }
}

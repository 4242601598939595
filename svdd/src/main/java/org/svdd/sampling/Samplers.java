package org.svdd.sampling;

import org.svdd.diffusion.process.Proposal;
import org.svdd.reward.Reward;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

/**
 * Samplers built from a {@link Proposal}: the pre-trained sampler, best-of-N, SVDD (M candidates per step, scored by
 * a {@link ValueEstimator}, one kept by a {@link Selection}), beam search over candidates, and gradient guidance (DPS,
 * classifier guidance) through {@link Proposal#prepareGuided}. B chains x M candidates run as one batch, laid out
 * chain-major. Each takes per-sample streams ({@link Rng#streams}), one per output sample, so chain b's draws (its
 * prior, candidates, selections) come from stream b alone and any batching gives the same samples. Particle methods
 * (SMC, FK steering, nested IS) are in {@link Particles}.
 */
public final class Samplers {
    private Samplers() {
    }

    /**
     * SVDD: x_T from the prior; at every step, M candidates from p_pre(. | x_t) (one shared denoiser pass), their
     * values, and one kept per chain. When the value estimator ran the denoiser on the candidates (SVDD-PM), the kept
     * candidate's pass is the next step's, so a step costs M passes per chain instead of 1 + M. Returns (B, ...) samples.
     */
    public static Tensor svdd(Proposal p, ValueEstimator value, Selection selection, int batch, int m, Rng rng) {
        if (m < 1) throw new IllegalArgumentException("M must be >= 1, got " + m);
        requireStreams(rng, batch);
        return Grad.noGrad(() -> {
            Tensor x = p.prior(batch, rng);
            Proposal.Step step = p.prepare(x, 0);
            for (int i = 0; i < p.steps(); i++) {
                Tensor cands = step.sample(m, rng);                                            // (B*M, ...)
                ValueEstimator.Scored scored = m == 1 ? new ValueEstimator.Scored(new double[batch], null) : value.score(cands, i);
                int[] keep = new int[batch];
                for (int b = 0; b < batch; b++) keep[b] = b * m + (m == 1 ? 0 : selection.choose(scored.values(), b * m, m, rng.stream(b)));
                x = m == 1 ? cands : Proposal.rows(cands, keep);
                if (i + 1 < p.steps()) step = scored.next(p, x, keep, i);
            }
            return x;
        });
    }

    /** Best-of-N: N pre-trained samples per output, the one with the highest reward kept. */
    public static Tensor bestOfN(Proposal p, Reward reward, int batch, int n, Rng rng) {
        requireStreams(rng, batch);
        return Grad.noGrad(() -> {
            Tensor all = Proposal.sample(p, batch * n, rng);
            double[] r = reward.score(all);
            int[] keep = new int[batch];
            for (int b = 0; b < batch; b++) {
                int best = b * n;
                for (int j = 1; j < n; j++) if (r[b * n + j] > r[best]) best = b * n + j;
                keep[b] = best;
            }
            return Proposal.rows(all, keep);
        });
    }

    /**
     * Beam search: B independent beams; beam b holds W_i states at step i, each draws M candidates, and the W_{i+1}
     * best by value among its W_i · M candidates survive. The best final state of each beam is returned (B, ...).
     * Widths follow {@code widths}; W_{i+1} <= W_i · M is required.
     */
    public static Tensor beam(Proposal p, ValueEstimator value, BeamWidths widths, int batch, int m, Rng rng) {
        if (m < 1) throw new IllegalArgumentException("M must be >= 1, got " + m);
        requireStreams(rng, batch);
        return Grad.noGrad(() -> {
            int w = widths.at(0, p.steps());
            Tensor x = p.prior(batch * w, rng);                                               // (B*W, ...)
            Proposal.Step step = p.prepare(x, 0);
            for (int i = 0; i < p.steps(); i++) {
                Tensor cands = step.sample(m, rng);                                           // (B*W*M, ...)
                ValueEstimator.Scored scored = value.score(cands, i);
                int next = i + 1 == p.steps() ? 1 : widths.at(i + 1, p.steps());
                if (next > w * m) throw new IllegalArgumentException("beam width " + next + " exceeds " + w + " x " + m + " candidates");
                int[] keep = new int[batch * next];
                for (int b = 0; b < batch; b++) System.arraycopy(topK(scored.values(), b * w * m, w * m, next), 0, keep, b * next, next);
                x = Proposal.rows(cands, keep);
                if (i + 1 < p.steps()) step = scored.next(p, x, keep, i);
                w = next;
            }
            return x;
        });
    }

    /** Beam widths per step: linear from {@code start} at the first step to {@code end} at the last, rounded. */
    public record BeamWidths(int start, int end) implements java.io.Serializable {
        public BeamWidths {
            if (start < 1 || end < 1) throw new IllegalArgumentException("beam widths must be >= 1, got " + start + ":" + end);
        }

        int at(int i, int steps) {
            return (int) Math.round(start + (end - start) * (steps == 1 ? 1.0 : (double) i / (steps - 1)));
        }

        /** "W" (constant) or "W0:W1" (linear). */
        public static BeamWidths parse(String spec) {
            String[] parts = spec.split(":");
            try {
                return parts.length == 1 ? new BeamWidths(Integer.parseInt(parts[0]), Integer.parseInt(parts[0]))
                        : new BeamWidths(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("beam widths must be W or W0:W1, got '" + spec + "'");
            }
        }
    }

    /** Indices (absolute) of the k largest of v[from .. from+n), best first; ties keep the earlier index. */
    static int[] topK(double[] v, int from, int n, int k) {
        Integer[] idx = new Integer[n];
        for (int j = 0; j < n; j++) idx[j] = from + j;
        java.util.Arrays.sort(idx, (a, b) -> Double.compare(v[b], v[a]));
        int[] out = new int[k];
        for (int j = 0; j < k; j++) out[j] = idx[j];
        return out;
    }

    /**
     * Gradient guidance: every reverse step tilted by {@code guide} with strength {@code scale}. DPS is the guide
     * r(x0_hat) of a differentiable reward; classifier guidance is a value network v(x_t, t).
     */
    public static Tensor guided(Proposal p, org.svdd.diffusion.process.Guide guide, double scale, int batch, Rng rng) {
        if (!(scale >= 0)) throw new IllegalArgumentException("guidance scale must be >= 0, got " + scale);
        requireStreams(rng, batch);
        Tensor x = p.prior(batch, rng);
        for (int i = 0; i < p.steps(); i++) x = p.prepareGuided(x, i, guide, scale).sample(1, rng);   // records a graph
        return x;
    }

    /** One stream for the whole batch (batch-dependent draws), or one per output sample. */
    static void requireStreams(Rng rng, int batch) {
        if (rng.count() != 1 && rng.count() != batch)
            throw new IllegalArgumentException(rng.count() + " random streams for " + batch + " samples: give one, or one per sample");
    }
}

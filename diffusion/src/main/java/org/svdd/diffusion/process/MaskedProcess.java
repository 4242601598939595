package org.svdd.diffusion.process;

import org.svdd.tensor.Backend;
import org.svdd.tensor.DType;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * The masked (absorbing-state) discrete process of MDLM over V real tokens 0 .. V-1 plus MASK = V.
 * <pre>
 *   code                  paper
 *   schedule.maskProb(t)  m_t, the probability that a token is masked at time t in [0, 1]
 *   qSample               x_t: each token of x0 independently replaced by MASK with probability m_t
 *   model.logits          log p_theta(x0 | x_t) over real tokens ("subs": the MASK logit is -inf, so it is omitted)
 *   reverseStep           q(x_s | x_t), s < t, at a masked position: real k with weight p_k (m_t - m_s),
 *                         MASK with weight m_s; unmasked positions are copied
 *   loss                  E_t [ sigma'(t) / expm1(sigma(t)) sum_{masked l} -log p_theta(x0_l | x_t) ] / L
 * </pre>
 * Categorical draws use the Gumbel-max trick with the passed {@link Rng} ({@link Rng#categorical}). Sampling runs
 * from t = 1 to tMin on a uniform grid; after the last step the still-masked positions take the argmax token.
 * Token tensors are I64 (B, L); nothing here modifies its arguments.
 */
public final class MaskedProcess {
    /** Training times are drawn from U(TRAIN_T_MIN, 1), as in MDLM ({@code sampling_eps}). */
    public static final double TRAIN_T_MIN = 1e-3;

    private final int vocab;
    private final MaskSchedule schedule;

    public MaskedProcess(int vocab, MaskSchedule schedule) {
        if (vocab < 2) throw new IllegalArgumentException("vocabulary must have at least 2 tokens, got " + vocab);
        this.vocab = vocab;
        this.schedule = schedule;
    }

    /** V, the number of real tokens. */
    public int vocab() {
        return vocab;
    }

    /** The MASK id, one past the real tokens. */
    public int maskId() {
        return vocab;
    }

    public MaskSchedule schedule() {
        return schedule;
    }

    private void checkLogits(Tensor logits, Tensor xt) {
        int[] s = logits.shape();
        if (s.length != 3 || s[0] != xt.dim(0) || s[1] != xt.dim(1) || s[2] != vocab)
            throw new IllegalArgumentException("denoiser logits must be (B, L, V) = " + Shape.str(new int[]{xt.dim(0), xt.dim(1), vocab})
                    + " for tokens " + Shape.str(xt.shape()) + ", got " + Shape.str(s));
    }

    private static Tensor timeInput(Backend be, double[] t) {
        float[] tf = new float[t.length];
        for (int r = 0; r < t.length; r++) tf[r] = (float) t[r];
        return be.upload(HostStorage.of(tf), t.length);
    }

    /** Masks each token of x0 (B, L) independently with probability m(t[b]), one uniform draw per token in order. */
    public Tensor qSample(Tensor x0, double[] t, Rng rng) {
        long[] ids = x0.toLongArray();
        int b = x0.dim(0), l = x0.dim(1);
        for (int r = 0; r < b; r++) {
            double m = schedule.maskProb(t[r]);
            for (int j = 0; j < l; j++) if (rng.uniform() < m) ids[r * l + j] = vocab;
        }
        return x0.backend().upload(HostStorage.of(ids), b, l);
    }

    /** 1 where x is MASK, else 0, as F32 (B, L). */
    public Tensor maskIndicator(Tensor x) {
        return x.eq(vocab).toDType(DType.F32);
    }

    /** x with every MASK position replaced by the token of fill at that position (both (B, L) I64). */
    private Tensor fillMasked(Tensor x, Tensor fill) {
        return Tensor.where(x.eq(vocab), fill, x);
    }

    /**
     * The weighted masked cross-entropy (MDLM's continuous-time ELBO), summed over masked positions and averaged over
     * batch and positions, with t ~ U(TRAIN_T_MIN, 1) per row, stratified over the batch (one uniform offset).
     */
    public Tensor loss(TokenModel model, Tensor x0, Rng rng) {
        int b = x0.dim(0);
        double[] t = new double[b];
        double offset = rng.uniform();
        for (int r = 0; r < b; r++) t[r] = TRAIN_T_MIN + (1 - TRAIN_T_MIN) * ((offset + (double) r / b) % 1.0);
        Tensor xt = qSample(x0, t, rng);
        return maskedNll(model, x0, xt, t);
    }

    /**
     * sum_{b, masked l} w(t_b) (-log p_theta(x0_{b,l} | x_t)) / (B L), with w(t) = sigma'(t) / expm1(sigma(t)).
     * Unmasked positions contribute nothing (under "subs" their x0 is known).
     */
    public Tensor maskedNll(TokenModel model, Tensor x0, Tensor xt, double[] t) {
        int b = x0.dim(0), l = x0.dim(1);
        Backend be = x0.backend();
        float[] w = new float[b];
        for (int r = 0; r < b; r++) w[r] = (float) schedule.lossWeight(t[r]);
        Tensor logits = model.logits(xt, timeInput(be, t));                                   // (B, L, V)
        checkLogits(logits, xt);
        Tensor nll = F.crossEntropy(logits.reshape(b * l, vocab), x0.reshape(b * l)).reshape(b, l);
        Tensor weighted = nll.mul(maskIndicator(xt)).mul(be.upload(HostStorage.of(w), b, 1));
        return weighted.sum().div((double) b * l);
    }

    /** x0 prediction: argmax of p_theta at masked positions, unmasked positions copied. */
    public Tensor predictX0Argmax(Tensor xt, Tensor logits) {
        checkLogits(logits, xt);
        return fillMasked(xt, logits.argmax(-1));
    }

    /** x0 prediction by one draw from p_theta at each masked position, unmasked positions copied. */
    public Tensor predictX0Sampled(Tensor xt, Tensor logits, Rng rng) {
        checkLogits(logits, xt);
        int b = xt.dim(0), l = xt.dim(1);
        return fillMasked(xt, rng.categorical(logits.reshape(b * l, vocab)).reshape(b, l));
    }

    /**
     * Unnormalised log q(x_s | x_t) per position, (B, L, V+1), from log-weights of the real tokens logp (B, L, V):
     * logp(k) + log(m_t - m_s) for real k and log m_s for MASK (the last column). logp is log p_theta, possibly tilted.
     */
    private Tensor reverseLogProbs(Tensor logp, double t, double s) {
        int b = logp.dim(0), l = logp.dim(1);
        double mt = schedule.maskProb(t), ms = schedule.maskProb(s);
        Tensor stay = Tensor.full(logp.backend(), DType.F32, Math.log(ms), b, l, 1);
        return F.concat(List.of(logp.add(Math.log(mt - ms)), stay), 2);
    }

    /**
     * K draws of x_s per row of x_t from log q (B, L, V+1): (B*K, L), row b's draws at rows b*K .. b*K+K-1, masked
     * positions drawn independently, unmasked positions copied.
     */
    private Tensor drawReverse(Tensor xt, Tensor logq, int k, Rng rng) {
        int b = xt.dim(0), l = xt.dim(1);
        Tensor rows = Proposal.repeatRows(logq.reshape(b, l * (vocab + 1)), k).reshape(b * k * l, vocab + 1);
        Tensor draw = rng.categorical(rows).reshape(b * k, l);
        return fillMasked(Proposal.repeatRows(xt, k), draw);
    }

    /**
     * One reverse step from time t to s < t given the denoiser's logits (B, L, V) on x_t (B, L): at masked positions
     * q(x_s = k) ∝ p_theta(x0 = k | x_t) (m_t - m_s) for real k and q(x_s = MASK) ∝ m_s; unmasked positions copied.
     */
    public Tensor reverseStep(Tensor xt, Tensor logits, double t, double s, Rng rng) {
        if (!(0 <= s && s < t && t <= 1)) throw new IllegalArgumentException("need 0 <= s < t <= 1, got s = " + s + ", t = " + t);
        checkLogits(logits, xt);
        return Grad.noGrad(() -> drawReverse(xt, reverseLogProbs(F.logSoftmax(logits, -1), t, s), 1, rng));
    }

    /**
     * Sampling settings.
     *
     * @param steps number of reverse steps on the uniform grid t_i = 1 - (1 - tMin) i / steps
     * @param tMin  the time reached by the last reverse step, after which the remaining masks take the argmax token
     */
    public record SamplerConfig(int steps, double tMin) {
        public SamplerConfig {
            if (steps < 1) throw new IllegalArgumentException("sampling steps must be >= 1, got " + steps);
            if (tMin < 0 || tMin >= 1) throw new IllegalArgumentException("tMin must be in [0, 1), got " + tMin);
        }

        /** MDLM's setting: 128 steps from t = 1 to 1e-5. */
        public static SamplerConfig defaults() {
            return new SamplerConfig(128, 1e-5);
        }

        /** These settings with another number of steps. */
        public SamplerConfig withSteps(int steps) {
            return new SamplerConfig(steps, tMin);
        }

        /** The time of x_t at reverse step i (t_0 = 1, t_steps = tMin). */
        public double time(int i) {
            return 1 - (1 - tMin) * i / steps;
        }
    }

    /** The reverse process as a {@link Proposal} over token sequences of the given length, starting from all MASK. */
    public Proposal proposal(Backend backend, TokenModel model, SamplerConfig cfg, int length) {
        return new MaskedProposal(backend, model, cfg, length);
    }

    /**
     * Plain (pre-trained) sampling of (B, L) tokens: {@link Proposal#sample} on {@link #proposal} with one candidate
     * per step. The same rng seed gives the same samples.
     */
    public Tensor sample(Backend backend, TokenModel model, SamplerConfig cfg, int batch, int length, Rng rng) {
        return Proposal.sample(proposal(backend, model, cfg, length), batch, rng);
    }

    private final class MaskedProposal implements Proposal {
        private final Backend backend;
        private final TokenModel model;
        private final SamplerConfig cfg;
        private final int length;

        MaskedProposal(Backend backend, TokenModel model, SamplerConfig cfg, int length) {
            this.backend = backend;
            this.model = model;
            this.cfg = cfg;
            this.length = length;
        }

        @Override
        public int steps() {
            return cfg.steps();
        }

        private boolean isLast(int i) {
            return i + 1 >= cfg.steps();
        }

        @Override
        public double timeAfter(int i) {
            return isLast(i) ? 0 : cfg.time(i + 1);
        }

        @Override
        public Tensor prior(int batch, Rng rng) {
            long[] ids = new long[batch * length];
            Arrays.fill(ids, vocab);
            return backend.upload(HostStorage.of(ids), batch, length);
        }

        private Tensor logits(Tensor x, double t) {
            double[] ts = new double[x.dim(0)];
            Arrays.fill(ts, t);
            Tensor logits = model.logits(x, timeInput(x.backend(), ts));
            checkLogits(logits, x);
            return logits;
        }

        /** One pass at the candidates' level; step i+1 is the reverse step from rows of the same logits. */
        @Override
        public Prediction predict(Tensor x, int i) {
            if (isLast(i)) return Prediction.fresh(this, x, i, x);
            Tensor logits = Grad.noGrad(() -> logits(x, cfg.time(i + 1)));                  // (B, L, V)
            Tensor x0 = Grad.noGrad(() -> predictX0Argmax(x, logits));
            return Prediction.of(x0, idx -> {
                Tensor kept = Proposal.rows(logits, idx);
                return step(Proposal.rows(x, idx), i + 1, Grad.noGrad(() -> F.logSoftmax(kept, -1)));
            });
        }

        @Override
        public long predictPasses(int i) {
            return isLast(i) ? 0 : 1;
        }

        @Override
        public Step prepare(Tensor xt, int i) {
            Tensor logits = Grad.noGrad(() -> logits(xt, cfg.time(i)));                      // (B, L, V)
            return step(xt, i, Grad.noGrad(() -> F.logSoftmax(logits, -1)));
        }

        /**
         * Guidance on tokens (the discrete DPS / classifier guidance of Nisonoff et al.): with g = d log G / d onehot(x_t)
         * (B, L, V+1), a masked position's move to token k changes log G by about g_k - g_MASK, so the real-token
         * probabilities of the reverse step are tilted by exp(scale (g_k - g_MASK)); staying masked is not tilted.
         */
        @Override
        public Step prepareGuided(Tensor xt, int i, Guide guide, double scale) {
            int b = xt.dim(0), l = xt.dim(1);
            Tensor onehot = F.oneHot(xt, vocab + 1).requiresGrad(true);                      // (B, L, V+1)
            double[] ts = new double[b];
            Arrays.fill(ts, cfg.time(i));
            Tensor logits = model.logitsOneHot(onehot, timeInput(xt.backend(), ts));          // (B, L, V)
            checkLogits(logits, xt);
            Tensor known = onehot.slice(2, 0, vocab);
            Tensor masked = onehot.slice(2, vocab, vocab + 1);                                // (B, L, 1)
            Tensor x0Probs = F.softmax(logits, -1).mul(masked).add(known);                   // unmasked: one-hot
            Tensor g = Grad.gradient(guide.logPotential(onehot, x0Probs, i).sum(), onehot);
            Tensor logp = Grad.noGrad(() -> F.logSoftmax(logits.detach(), -1)
                    .add(g.slice(2, 0, vocab).sub(g.slice(2, vocab, vocab + 1)).mul(scale)));
            return step(xt, i, logp);
        }

        /**
         * The reverse step at x_t given per-position log-weights of the real tokens (B, L, V): log p_theta, possibly
         * tilted. The last step fills the remaining masks with their argmax.
         */
        private Step step(Tensor xt, int i, Tensor logp) {
            boolean last = isLast(i);
            Tensor logq = Grad.noGrad(() -> reverseLogProbs(logp, cfg.time(i), cfg.time(i + 1)));            // (B, L, V+1)
            Tensor x0 = Grad.noGrad(() -> fillMasked(xt, logp.argmax(-1)));
            return new Step() {
                @Override
                public Tensor x0Hat() {
                    return x0;
                }

                @Override
                public Tensor sample(int k, Rng rng) {
                    return Grad.noGrad(() -> {
                        Tensor xs = drawReverse(xt, logq, k, rng);
                        return last ? fillMasked(xs, Proposal.repeatRows(x0, k)) : xs;
                    });
                }
            };
        }

        @Override
        public long sampleX0Passes(int i, int draws) {
            return isLast(i) ? 0 : 1;
        }

        /** One denoiser pass, then each masked position drawn from p_theta independently per draw. */
        @Override
        public Tensor sampleX0(Tensor x, int i, int draws, Rng rng) {
            if (isLast(i)) return Proposal.repeatRows(x, draws);
            return Grad.noGrad(() -> {
                Tensor logits = logits(x, cfg.time(i + 1));                                     // (B, L, V)
                int b = x.dim(0), l = x.dim(1);
                Tensor rows = Proposal.repeatRows(logits.reshape(b, l * vocab), draws).reshape(b * draws * l, vocab);
                return fillMasked(Proposal.repeatRows(x, draws), rng.categorical(rows).reshape(b * draws, l));
            });
        }
    }
}

package org.svdd.diffusion.process;

import org.svdd.tensor.Backend;
import org.svdd.tensor.DType;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

/**
 * The masked (absorbing-state) discrete process of MDLM over V real tokens plus MASK = V.
 * <pre>
 *   notation            code                  paper
 *   m_t                 schedule.maskProb(t)  probability that a token is masked at time t in [0, 1]
 *   x_t                 qSample               each token independently replaced by MASK with probability m_t
 *   p_theta(x0 | x_t)   model.logits          softmax over real tokens ("subs": MASK gets -inf, unmasked copied)
 *   q(x_s | x_t)        sample                at a masked position: real k with prob p_k (m_t - m_s)/m_t,
 *                                             MASK with prob m_s/m_t; unmasked positions are copied
 *   loss                loss                  E_t [ sigma'(t)/expm1(sigma(t)) sum_masked -log p_theta(x0_l | x_t) ]
 * </pre>
 * Sampling runs from t = 1 to tMin on a uniform grid; after the last step the still-masked positions take the
 * argmax token.
 */
public final class MaskedProcess {
    private final int vocab;
    private final MaskSchedule schedule;

    public MaskedProcess(int vocab, MaskSchedule schedule) {
        if (vocab < 2) throw new IllegalArgumentException("vocabulary must have at least 2 tokens, got " + vocab);
        this.vocab = vocab;
        this.schedule = schedule;
    }

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

    /** Masks each token of x0 (B, L) independently with probability m(t[b]). */
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
        return x.toDType(DType.F32).eq(x.backend().upload(HostStorage.of(new float[]{vocab})));
    }

    /**
     * The weighted masked cross-entropy (MDLM's continuous-time ELBO), averaged over batch and positions, with
     * t ~ U(tMin, 1) per row (antithetic: stratified over the batch).
     */
    public Tensor loss(TokenModel model, Tensor x0, Rng rng) {
        int b = x0.dim(0), l = x0.dim(1);
        double[] t = new double[b];
        double offset = rng.uniform();
        for (int r = 0; r < b; r++) t[r] = 1e-3 + (1 - 1e-3) * ((offset + (double) r / b) % 1.0);
        Tensor xt = qSample(x0, t, rng);
        return maskedNll(model, x0, xt, t);
    }

    /** sum over masked positions of weight(t) * -log p_theta(x0 | x_t), divided by B*L. */
    public Tensor maskedNll(TokenModel model, Tensor x0, Tensor xt, double[] t) {
        int b = x0.dim(0), l = x0.dim(1);
        Backend be = x0.backend();
        float[] tf = new float[b], w = new float[b];
        for (int r = 0; r < b; r++) {
            tf[r] = (float) t[r];
            w[r] = (float) schedule.lossWeight(t[r]);
        }
        Tensor logits = model.logits(xt, be.upload(HostStorage.of(tf), b));                  // (B, L, V)
        Tensor nll = F.crossEntropy(logits.reshape(b * l, vocab), x0.reshape(b * l)).reshape(b, l);
        Tensor weighted = nll.mul(maskIndicator(xt)).mul(be.upload(HostStorage.of(w), b, 1));
        return weighted.sum().div((double) b * l);
    }

    /** Sampling settings: number of reverse steps and the smallest time reached before the final argmax. */
    public record SamplerConfig(int steps, double tMin) {
        public SamplerConfig {
            if (steps < 1) throw new IllegalArgumentException("sampling steps must be >= 1, got " + steps);
            if (tMin < 0 || tMin >= 1) throw new IllegalArgumentException("tMin must be in [0, 1), got " + tMin);
        }

        public static SamplerConfig defaults() {
            return new SamplerConfig(128, 1e-5);
        }
    }

    /** x0 prediction: argmax of p_theta at masked positions, unmasked positions copied. */
    public Tensor predictX0Argmax(Tensor xt, Tensor logits) {
        Tensor best = logits.argmax(-1);                                                      // (B, L) I64
        return Tensor.where(maskIndicator(xt), best.toDType(DType.F32), xt.toDType(DType.F32)).toDType(DType.I64);
    }

    /** x0 prediction by sampling p_theta at masked positions (the sampled variant). */
    public Tensor predictX0Sampled(Tensor xt, Tensor logits, Rng rng) {
        int b = xt.dim(0), l = xt.dim(1);
        Tensor draw = rng.categorical(logits.reshape(b * l, vocab)).reshape(b, l);
        return Tensor.where(maskIndicator(xt), draw.toDType(DType.F32), xt.toDType(DType.F32)).toDType(DType.I64);
    }

    public Proposal proposal(TokenModel model, SamplerConfig cfg, int length) {
        return new MaskedProposal(model, cfg, length);
    }

    private final class MaskedProposal implements Proposal {
        private final TokenModel model;
        private final SamplerConfig cfg;
        private final int length;

        MaskedProposal(TokenModel model, SamplerConfig cfg, int length) {
            this.model = model;
            this.cfg = cfg;
            this.length = length;
        }

        @Override
        public int steps() {
            return cfg.steps();
        }

        /** Time of x_t at step i (step 0 starts at t = 1). */
        private double tAt(int i) {
            return 1 - (1 - cfg.tMin()) * i / cfg.steps();
        }

        @Override
        public double timeAfter(int i) {
            return i + 1 >= cfg.steps() ? 0 : tAt(i + 1);
        }

        @Override
        public Tensor prior(int batch, Rng rng) {
            long[] ids = new long[batch * length];
            java.util.Arrays.fill(ids, vocab);
            return org.svdd.tensor.Backends.current().upload(HostStorage.of(ids), batch, length);
        }

        private Tensor logits(Tensor x, double t) {
            int b = x.dim(0);
            float[] tf = new float[b];
            java.util.Arrays.fill(tf, (float) t);
            return model.logits(x, x.backend().upload(HostStorage.of(tf), b));
        }

        @Override
        public Tensor predictX0(Tensor x, int i) {
            if (i + 1 >= cfg.steps()) return x;
            return Grad.noGrad(() -> predictX0Argmax(x, logits(x, tAt(i + 1))));
        }

        @Override
        public Step prepare(Tensor xt, int i) {
            double t = tAt(i);
            boolean last = i + 1 >= cfg.steps();
            double s = last ? cfg.tMin() : tAt(i + 1);
            Tensor logits = Grad.noGrad(() -> logits(xt, t));                                    // (B, L, V)
            int b = xt.dim(0);
            double mt = schedule.maskProb(t), ms = schedule.maskProb(s);
            // log q(x_s = k) up to a constant: log p_k + log(m_t - m_s) for real k, log m_s for MASK
            Tensor logq = Grad.noGrad(() -> {
                Tensor logp = F.logSoftmax(logits, -1).add(Math.log(mt - ms));
                Tensor stay = Tensor.full(xt.backend(), DType.F32, Math.log(ms), b, length, 1);
                return F.concat(java.util.List.of(logp, stay), 2).reshape(b * length, vocab + 1);
            });
            Tensor x0 = Grad.noGrad(() -> predictX0Argmax(xt, logits));
            return new Step() {
                @Override
                public Tensor x0Hat() {
                    return x0;
                }

                @Override
                public Tensor sample(int k, Rng rng) {
                    return Grad.noGrad(() -> {
                        Tensor xs = Proposal.repeatRows(xt, k);
                        Tensor draw = rng.categorical(Proposal.repeatRows(logq.reshape(b, length * (vocab + 1)), k)
                                .reshape(b * k * length, vocab + 1)).reshape(b * k, length);
                        Tensor next = Tensor.where(maskIndicator(xs), draw.toDType(DType.F32), xs.toDType(DType.F32));
                        if (last) next = Tensor.where(maskIndicator(next.toDType(DType.I64)), Proposal.repeatRows(x0, k).toDType(DType.F32), next);
                        return next.toDType(DType.I64);
                    });
                }
            };
        }
    }
}

package org.svdd.diffusion.process;

import org.svdd.tensor.F;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import java.util.function.Function;

/**
 * One reverse-diffusion process, seen the way a sampler uses it: a prior, a fixed number of reverse steps, and at
 * each step a {@link Step} that has run the denoiser once on x_t and can then draw any number of candidates for
 * x_{t-1}. SVDD, best-of-N, SMC and the plain sampler are all loops over this interface, so none of them copies a
 * process's update rule. States are batches: (B, C, H, W) images or (B, L) token ids.
 */
public interface Proposal {
    /** Number of reverse steps from the prior to clean data. */
    int steps();

    /** B draws of x_T. */
    Tensor prior(int batch, Rng rng);

    /** Runs the denoiser once on x_t at reverse step i (0 = first step from the prior, steps()-1 = the last). */
    Step prepare(Tensor xt, int i);

    /**
     * Reverse step i tilted by a guide (DPS, classifier guidance): the gradient of log G with respect to x_t (one
     * denoiser pass forward and backward) shifts the step toward higher G; {@code scale} is the guidance strength
     * and 0 gives the plain step's distribution. See {@link Guide} for what each process passes to it.
     */
    Step prepareGuided(Tensor xt, int i, Guide guide, double scale);

    /**
     * {@code draws} independent draws of x0 given states x after step i: (B*draws, ...), row b's draws at rows
     * b*draws .. b*draws+draws-1. The Monte-Carlo soft value averages a reward over them. After the last step the
     * states are clean and are repeated as they are.
     */
    Tensor sampleX0(Tensor x, int i, int draws, Rng rng);

    /** Denoiser rows that {@link #sampleX0} runs per input row (cost accounting). */
    long sampleX0Passes(int i, int draws);

    /**
     * The denoiser's prediction of x0 for states x at the noise level reached after step i (the candidates' level):
     * {@link #predictPasses} denoiser passes per row, none after the last step, where x0 is x itself. The pass is the
     * one that reverse step i+1 runs at these states, so it is kept: {@link Prediction#prepare} turns rows of it into
     * that step without running the denoiser again.
     */
    Prediction predict(Tensor x, int i);

    /** Denoiser passes per row that {@link #predict} runs after step i: 1, or 0 after the last step (clean states). */
    long predictPasses(int i);

    /** x0_hat of states x after step i ({@link #predict}); this is what SVDD-PM scores. */
    default Tensor predictX0(Tensor x, int i) {
        return predict(x, i).x0();
    }

    /** How noisy the states after step i are, in [0, 1] (0 = clean): the time input of value networks. */
    double timeAfter(int i);

    /** A proposal that hands every call to another: wrappers (cost counting, tests) override only what they change. */
    abstract class Forwarding implements Proposal {
        protected final Proposal inner;

        protected Forwarding(Proposal inner) {
            this.inner = inner;
        }

        @Override
        public int steps() {
            return inner.steps();
        }

        @Override
        public Tensor prior(int batch, Rng rng) {
            return inner.prior(batch, rng);
        }

        @Override
        public Step prepare(Tensor xt, int i) {
            return inner.prepare(xt, i);
        }

        @Override
        public Step prepareGuided(Tensor xt, int i, Guide guide, double scale) {
            return inner.prepareGuided(xt, i, guide, scale);
        }

        @Override
        public Tensor sampleX0(Tensor x, int i, int draws, Rng rng) {
            return inner.sampleX0(x, i, draws, rng);
        }

        @Override
        public long sampleX0Passes(int i, int draws) {
            return inner.sampleX0Passes(i, draws);
        }

        @Override
        public Prediction predict(Tensor x, int i) {
            return inner.predict(x, i);
        }

        @Override
        public long predictPasses(int i) {
            return inner.predictPasses(i);
        }

        @Override
        public double timeAfter(int i) {
            return inner.timeAfter(i);
        }
    }

    /** A prepared reverse step at x_t. */
    interface Step {
        /** The denoiser's x0 prediction for x_t itself (from the pass already made). */
        Tensor x0Hat();

        /**
         * K candidates for x_{t-1} per row: (B*K, ...), with row b's candidates at rows b*K .. b*K+K-1.
         * Independent draws from p_pre(x_{t-1} | x_t).
         */
        Tensor sample(int k, Rng rng);
    }

    /** The x0 prediction for a batch of states after step i, holding the denoiser pass that made it. */
    interface Prediction {
        /** x0_hat, one row per state (B, ...). */
        Tensor x0();

        /**
         * Reverse step i+1 prepared at rows idx of the predicted states, from the pass already made: the same step as
         * {@code prepare(rows(x, idx), i + 1)} without its denoiser run. Only before the last step.
         */
        Step prepare(int[] idx);

        /**
         * A prediction whose {@link #prepare} runs a fresh denoiser pass on the rows: for proposals with nothing to
         * reuse, and as the reference that reuse is tested against.
         */
        static Prediction fresh(Proposal p, Tensor x, int i, Tensor x0) {
            return of(x0, idx -> {
                if (i + 1 >= p.steps()) throw new IllegalStateException("no reverse step after the last (" + i + ")");
                return p.prepare(rows(x, idx), i + 1);
            });
        }

        /** The prediction x0 whose {@link #prepare} is the given function of the kept rows. */
        static Prediction of(Tensor x0, Function<int[], Step> prepare) {
            return new Prediction() {
                @Override
                public Tensor x0() {
                    return x0;
                }

                @Override
                public Step prepare(int[] idx) {
                    return prepare.apply(idx);
                }
            };
        }
    }

    /** Rows idx of x (N, ...) as a new batch (idx.length, ...), copied exactly; any dtype. */
    static Tensor rows(Tensor x, int[] idx) {
        return F.indexSelect(x, x.backend().upload(HostStorage.of(idx), idx.length));   // any dtype: token ids stay integers
    }

    /** x (B, ...) repeated row by row K times: (B*K, ...), rows b*K .. b*K+K-1 equal to x[b]. */
    static Tensor repeatRows(Tensor x, int k) {
        if (k == 1) return x;
        int[] s = x.shape();
        int[] expanded = new int[s.length + 1];
        expanded[0] = s[0];
        expanded[1] = k;
        System.arraycopy(s, 1, expanded, 2, s.length - 1);
        int[] out = s.clone();
        out[0] = s[0] * k;
        return x.unsqueeze(1).expand(expanded).reshape(out);
    }

    /** Plain ancestral sampling: one candidate per step. The pre-trained baseline. */
    static Tensor sample(Proposal p, int batch, Rng rng) {
        Tensor x = p.prior(batch, rng);
        for (int i = 0; i < p.steps(); i++) x = p.prepare(x, i).sample(1, rng);
        return x;
    }
}

package org.svdd.sampling;

import org.junit.jupiter.api.Test;
import org.svdd.diffusion.process.Guide;
import org.svdd.diffusion.process.Proposal;
import org.svdd.reward.Reward;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every particle method must sample the tilted target p_pre(x0) exp(r(x0) / alpha), whatever its potential, schedule
 * and candidates per particle. A toy process over K = 3 states and 3 reverse steps has a target computable exactly;
 * its intermediate values deliberately point the wrong way (the state with the highest value leads mostly to the
 * worst x0), so a potential without the final correction samples a visibly different distribution.
 */
class ParticlesTest {
    private static final int K = 3, STEPS = 3;
    private static final double ALPHA = 1.0;
    /** Prior over x_T. */
    private static final double[] PRIOR = {0.5, 0.3, 0.2};
    /** TRANSITION[i][s][s']: p_pre(x_{t-1} = s' | x_t = s) at reverse step i. */
    private static final double[][][] TRANSITION = {
            {{0.6, 0.3, 0.1}, {0.2, 0.5, 0.3}, {0.1, 0.2, 0.7}},
            {{0.7, 0.2, 0.1}, {0.3, 0.4, 0.3}, {0.2, 0.3, 0.5}},
            {{0.8, 0.15, 0.05}, {0.25, 0.5, 0.25}, {0.1, 0.3, 0.6}},
    };
    /** r(x0) of the clean states. */
    private static final double[] REWARD = {0.0, 0.6, 1.5};
    /** VALUE[i][s]: the value of state s after reverse step i < STEPS - 1 (the reward of its "x0 prediction"). */
    private static final double[][] VALUE = {{1.4, 0.2, 0.5}, {1.2, 0.0, 0.6}};

    /**
     * The toy process as a {@link Proposal}: states are ids (B, 1); the x0 prediction of state s after step i is the
     * id K (1 + i) + s, whose "reward" is VALUE[i][s].
     */
    static final class Toy implements Proposal {
        @Override
        public int steps() {
            return STEPS;
        }

        @Override
        public Tensor prior(int batch, Rng rng) {
            long[] ids = new long[batch];
            for (int b = 0; b < batch; b++) ids[b] = draw(PRIOR, rng);
            return Tensor.ofLongs(ids, batch, 1);
        }

        private static int draw(double[] p, Rng rng) {
            double u = rng.uniform();
            for (int s = 0; s < p.length - 1; s++) if ((u -= p[s]) < 0) return s;
            return p.length - 1;
        }

        @Override
        public Step prepare(Tensor xt, int i) {
            long[] from = xt.toLongArray();
            return new Step() {
                @Override
                public Tensor x0Hat() {
                    throw new UnsupportedOperationException("not used by the particle methods");
                }

                @Override
                public Tensor sample(int k, Rng rng) {
                    long[] to = new long[from.length * k];
                    for (int b = 0; b < from.length; b++) for (int j = 0; j < k; j++) to[b * k + j] = draw(TRANSITION[i][(int) from[b]], rng);
                    return Tensor.ofLongs(to, to.length, 1);
                }
            };
        }

        @Override
        public Step prepareGuided(Tensor xt, int i, Guide guide, double scale) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Tensor sampleX0(Tensor x, int i, int draws, Rng rng) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long sampleX0Passes(int i, int draws) {
            return 0;
        }

        @Override
        public Prediction predict(Tensor x, int i) {
            if (i + 1 == STEPS) return Prediction.fresh(this, x, i, x);
            long[] ids = x.toLongArray();
            for (int b = 0; b < ids.length; b++) ids[b] += (long) K * (1 + i);
            return Prediction.fresh(this, x, i, Tensor.ofLongs(ids, ids.length, 1));
        }

        @Override
        public long predictPasses(int i) {
            return i + 1 < STEPS ? 1 : 0;
        }

        @Override
        public double timeAfter(int i) {
            return 1 - (i + 1.0) / STEPS;
        }
    }

    /** The reward of clean states and the values of predicted ones. */
    private static final Reward TABLE = x -> {
        long[] ids = x.toLongArray();
        double[] r = new double[ids.length];
        for (int b = 0; b < ids.length; b++) r[b] = ids[b] < K ? REWARD[(int) ids[b]] : VALUE[(int) ids[b] / K - 1][(int) ids[b] % K];
        return r;
    };

    /** The exact target p_pre(x0) exp(r(x0) / alpha), normalised. */
    static double[] target() {
        double[] p = PRIOR.clone();
        for (double[][] t : TRANSITION) {
            double[] next = new double[K];
            for (int s = 0; s < K; s++) for (int s2 = 0; s2 < K; s2++) next[s2] += p[s] * t[s][s2];
            p = next;
        }
        double z = 0;
        for (int s = 0; s < K; s++) z += p[s] *= Math.exp(REWARD[s] / ALPHA);
        for (int s = 0; s < K; s++) p[s] /= z;
        return p;
    }

    /**
     * The frequencies of the K states over {@code runs} independent populations of {@code n} particles each must be
     * the target's within 4 standard errors: the larger of the binomial one for all runs x n samples and the one
     * measured from the spread of the per-run frequencies (resampling makes the samples of one run dependent).
     */
    private static void samplesTheTarget(String label, Particles method, int n, int runs, long seed) {
        Proposal p = new Toy();
        double[][] perRun = new double[runs][K];
        Rng rng = new Rng(seed);
        for (int r = 0; r < runs; r++) {
            long[] x0 = method.sample(p, ValueEstimator.posteriorMean(p, TABLE), n, rng).toLongArray();
            for (long s : x0) perRun[r][(int) s] += 1.0 / n;
        }
        double[] want = target();
        for (int s = 0; s < K; s++) {
            int state = s;
            double mean = Arrays.stream(perRun).mapToDouble(f -> f[state]).average().orElseThrow();
            double var = Arrays.stream(perRun).mapToDouble(f -> (f[state] - mean) * (f[state] - mean)).sum() / (runs - 1);
            double se = Math.max(Math.sqrt(want[s] * (1 - want[s]) / ((double) runs * n)), Math.sqrt(var / runs));
            assertTrue(Math.abs(mean - want[s]) <= 4 * se, label + ": frequency of state " + s + " is " + mean + ", target " + want[s]
                    + " (4 standard errors = " + 4 * se + "); target " + Arrays.toString(want));
        }
    }

    @Test
    void everyPotentialSamplesTheTiltedTarget() {
        Resampling every = Resampling.everyStep();
        assertAll(Arrays.stream(Particles.Potential.values()).map(pot -> () -> samplesTheTarget(pot + ", resampling every step", Particles.fkSteering(pot, ALPHA, every), 512, 100, 1)));
    }

    @Test
    void theTargetHoldsUnderAnIntervalAnESSRuleAndSystematicResampling() {
        Resampling sparse = new Resampling(Resampling.Scheme.SYSTEMATIC, 2, 0, 1, 0.5);
        assertAll(Arrays.stream(Particles.Potential.values()).map(pot -> () -> samplesTheTarget(pot + ", systematic every 2 steps when ESS < N/2", Particles.fkSteering(pot, ALPHA, sparse), 512, 100, 2)));
        Resampling adaptive = Resampling.adaptive();
        samplesTheTarget("MAX, adaptive", Particles.fkSteering(Particles.Potential.MAX, ALPHA, adaptive), 512, 100, 3);
    }

    @Test
    void nestedImportanceSamplingSamplesTheTiltedTarget() {
        samplesTheTarget("nested IS, M = 3", Particles.nestedIs(ALPHA, 3, Resampling.everyStep()), 512, 100, 4);
        samplesTheTarget("nested IS, M = 3, every 2 steps when ESS < N/2", Particles.nestedIs(ALPHA, 3,
                new Resampling(Resampling.Scheme.MULTINOMIAL, 2, 0, 1, 0.5)), 512, 100, 5);
    }
}

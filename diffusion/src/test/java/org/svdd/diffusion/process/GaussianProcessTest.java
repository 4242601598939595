package org.svdd.diffusion.process;

import org.junit.jupiter.api.Test;
import org.svdd.tensor.Backends;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Gaussian process's single steps against their closed forms, and its proposal against the single steps. */
class GaussianProcessTest {
    private static final GaussianProcess LINEAR = new GaussianProcess(BetaSchedule.linear(100, 1e-4, 0.02));

    /** Exact eps for data that is the single point target. */
    private static EpsModel pointMassOracle(GaussianProcess p, Tensor target) {
        return (xt, t) -> {
            int[] ti = Arrays.stream(t.toDoubleArray()).mapToInt(d -> (int) d).toArray();
            return p.epsFromX0(xt, Proposal.repeatRows(target, xt.dim(0)), ti);
        };
    }

    @Test
    void schedulesKnownNumbersAndEndpoints() {
        BetaSchedule lin = BetaSchedule.linear(2000, 1e-4, 0.02);                            // scaled by 1000 / T = 0.5
        assertEquals(5e-5, lin.betas()[0], 1e-18);
        assertEquals(5e-5 + (0.01 - 5e-5) / 1999, lin.betas()[1], 1e-18);
        assertEquals(0.01, lin.betas()[1999], 1e-17);
        assertEquals(1 - 5e-5, lin.alphas()[0]);
        assertEquals(lin.alphas()[0] * lin.alphas()[1], lin.alphaBar(1), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> BetaSchedule.linear(4, 1e-4, 0.02), "scaled betas above 1");
        assertEquals(1.0, lin.alphaBar(-1));
        BetaSchedule cos = BetaSchedule.of(BetaSchedule.Kind.COSINE, 1000);
        double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
        double f1 = Math.pow(Math.cos((0.001 + 0.008) / 1.008 * Math.PI / 2), 2);
        assertEquals(f1 / f0, cos.alphaBar(0), 1e-12);                                      // alphaBar(t/T) = f(t/T)/f(0)
        assertEquals(0.999, cos.betas()[999], 1e-12);                                         // clipped: f(1) = 0
        for (int t = 1; t < 1000; t++) assertTrue(cos.betas()[t] >= cos.betas()[t - 1], "cosine betas rise at " + t);
    }

    @Test
    void posteriorVarianceMatchesDdpmAndDdimWithEtaOne() {
        BetaSchedule s = LINEAR.schedule();
        assertEquals(0.0, s.posteriorVariance(0));
        for (int t : new int[]{1, 10, 50, 99}) {
            double want = s.betas()[t] * (1 - s.alphaBar(t - 1)) / (1 - s.alphaBar(t));
            assertEquals(want, s.posteriorVariance(t), 1e-15);
            assertTrue(s.posteriorVariance(t) < s.betas()[t]);
            double sigma = LINEAR.ddimSigma(t, t - 1, 1.0);
            assertEquals(want, sigma * sigma, 1e-12, "DDIM eta = 1 on consecutive steps is DDPM at t = " + t);
        }
        assertEquals(0.0, LINEAR.ddimSigma(50, 30, 0.0));
        assertEquals(0.0, LINEAR.ddimSigma(5, -1, 1.0));
    }

    @Test
    void ddpmStepEqualsDdimStepWithEtaOneOnConsecutiveSteps() {
        Rng rng = new Rng(11);
        Tensor xt = rng.randn(3, 1, 4, 4), eps = rng.randn(3, 1, 4, 4);
        for (int t : new int[]{0, 1, 40, 99}) {
            float[] ddpm = LINEAR.ddpmStep(xt, eps, t, new Rng(12)).toFloatArray();
            float[] ddim = LINEAR.ddimStep(xt, eps, t, t - 1, 1.0, new Rng(12)).toFloatArray();
            assertArrayEquals(ddpm, ddim, 2e-4f, "t = " + t);
        }
    }

    @Test
    void qSampleHasTheForwardMeanAndVariance() {
        int n = 40_000;
        Tensor x0 = Tensor.full(0.7, 2, n);
        int[] t = {20, 80};
        double[] v = LINEAR.qSample(x0, t, new Rng(5).randn(2, n)).toDoubleArray();
        for (int r = 0; r < 2; r++) {
            double[] row = Arrays.copyOfRange(v, r * n, (r + 1) * n);
            double mean = Arrays.stream(row).average().orElseThrow();
            double var = Arrays.stream(row).map(x -> (x - mean) * (x - mean)).sum() / (n - 1);
            double ab = LINEAR.schedule().alphaBar(t[r]);
            assertEquals(Math.sqrt(ab) * 0.7, mean, 4 * Math.sqrt((1 - ab) / n), "mean at t = " + t[r]);
            assertEquals(1 - ab, var, 0.03 * (1 - ab), "variance at t = " + t[r]);
        }
    }

    @Test
    void deterministicDdimWithAnOracleReachesThePointExactly() {
        Tensor target = new Rng(2).uniform(-2, 2, 1, 2, 3, 3);                                 // outside [-1, 1]: no clipping
        GaussianProcess p = new GaussianProcess(BetaSchedule.cosine(1000, 0.008));
        for (int steps : new int[]{10, 50}) {
            Tensor x = p.sample(Backends.current(), pointMassOracle(p, target), new GaussianProcess.SamplerConfig(steps, 0.0, false), new Rng(3), 4, 2, 3, 3);
            assertArrayEquals(Proposal.repeatRows(target, 4).toFloatArray(), x.toFloatArray(), 2e-3f, steps + " steps");
        }
        assertArrayEquals(new int[]{0, 111, 222, 333, 444, 555, 666, 777, 888, 999}, p.timesteps(10));
        assertEquals(1000, p.timesteps(5000).length);
    }

    @Test
    void proposalIsExactlyTheDdimStepAndKOneIsThePlainSampler() {
        EpsModel model = (xt, t) -> xt.mul(0.3).add(t.reshape(t.dim(0), 1, 1, 1).mul(0.001));   // any fixed function
        GaussianProcess.SamplerConfig cfg = new GaussianProcess.SamplerConfig(10, 0.8, false);
        Proposal prop = LINEAR.proposal(Backends.current(), model, cfg, 1, 2, 2);
        int[] taus = LINEAR.timesteps(10);
        Rng r1 = new Rng(21), r2 = new Rng(21);
        Tensor viaSteps = prop.prior(3, r1);
        for (int i = 0; i < prop.steps(); i++) {
            int t = taus[taus.length - 1 - i], tPrev = i + 1 < taus.length ? taus[taus.length - 2 - i] : -1;
            Tensor eps = model.predictEps(viaSteps, Tensor.full(t, 3));
            viaSteps = LINEAR.ddimStep(viaSteps, eps, t, tPrev, cfg.eta(), r1);
        }
        Tensor viaSample = LINEAR.sample(Backends.current(), model, cfg, r2, 3, 1, 2, 2);
        assertArrayEquals(viaSteps.toFloatArray(), viaSample.toFloatArray(), "bit for bit");
        assertArrayEquals(viaSample.toFloatArray(), LINEAR.sample(Backends.current(), model, cfg, new Rng(21), 3, 1, 2, 2).toFloatArray(), "same seed");
        assertFalse(Arrays.equals(viaSample.toFloatArray(), LINEAR.sample(Backends.current(), model, cfg, new Rng(22), 3, 1, 2, 2).toFloatArray()), "other seed");
    }

    @Test
    void candidatesAreIndependentDrawsAroundTheSharedMean() {
        Proposal prop = LINEAR.proposal(Backends.current(), pointMassOracle(LINEAR, Tensor.zeros(1, 1, 1, 1)), new GaussianProcess.SamplerConfig(10, 1.0, false), 1, 1, 1);
        Tensor xt = Tensor.of(new float[]{0.5f, -1.5f}, 2, 1, 1, 1);
        Proposal.Step step = prop.prepare(xt, 2);
        int k = 20_000;
        double[] c = step.sample(k, new Rng(31)).toDoubleArray();                           // rows 0..K-1 for chain 0
        int[] taus = LINEAR.timesteps(10);
        int t = taus[7], tPrev = taus[6];
        double sigma = LINEAR.ddimSigma(t, tPrev, 1.0);
        double ab = LINEAR.schedule().alphaBar(t), abPrev = LINEAR.schedule().alphaBar(tPrev);
        double[] xs = xt.toDoubleArray();
        for (int b = 0; b < 2; b++) {
            double[] row = Arrays.copyOfRange(c, b * k, (b + 1) * k);
            double m = Arrays.stream(row).average().orElseThrow();
            double var = Arrays.stream(row).map(x -> (x - m) * (x - m)).sum() / (k - 1);
            double lag1 = 0;
            for (int j = 1; j < k; j++) lag1 += (row[j] - m) * (row[j - 1] - m);
            lag1 /= (k - 1) * var;
            assertEquals(sigma * sigma, var, 0.05 * sigma * sigma, "variance of chain " + b);
            assertEquals(0, lag1, 0.03, "correlation between neighbouring candidates of chain " + b);
            double mean = Math.sqrt(1 - abPrev - sigma * sigma) * xs[b] / Math.sqrt(1 - ab);   // x0_hat = 0, eps = x_t / sqrt(1 - abar_t)
            assertEquals(mean, m, 5 * sigma / Math.sqrt(k), "candidates centre on the DDIM mean of chain " + b);
        }
    }

    @Test
    void x0DrawsOfAPointMassLandOnItAndGuidanceWithoutScaleChangesNothing() {
        Tensor target = new Rng(4).uniform(-0.9, 0.9, 1, 1, 2, 2);
        GaussianProcess p = new GaussianProcess(BetaSchedule.cosine(1000, 0.008));
        EpsModel oracle = pointMassOracle(p, target);
        Proposal prop = p.proposal(Backends.current(), oracle, new GaussianProcess.SamplerConfig(20, 1.0, false), 1, 2, 2);
        Tensor x = prop.prior(3, new Rng(5));
        for (int i = 0; i < 5; i++) x = prop.prepare(x, i).sample(1, new Rng(6 + i));
        Tensor draws = prop.sampleX0(x, 4, 2, new Rng(7));                                    // (3 * 2, 1, 2, 2)
        assertArrayEquals(Proposal.repeatRows(target, 6).toFloatArray(), draws.toFloatArray(), 2e-3f, "every rollout ends on the point");
        assertEquals(2L * GaussianProcess.ROLLOUT_STEPS, prop.sampleX0Passes(4, 2));
        assertEquals(0, prop.sampleX0Passes(19, 2), "after the last step the states are clean");
        // a guide with scale 0 gives the plain step's distribution (same draws from the same rng)
        Tensor plain = prop.prepare(x, 5).sample(2, new Rng(8));
        Tensor guided = prop.prepareGuided(x, 5, (xt, x0, step) -> x0.sum(new int[]{1, 2, 3}, false), 0.0).sample(2, new Rng(8));
        assertArrayEquals(plain.toFloatArray(), guided.toFloatArray(), 1e-5f);
    }

    @Test
    void minSnrWeightIsOneUpToGammaAndGammaOverSnrAbove() {
        LossWeighting w = LossWeighting.parse("min-snr:5");
        assertEquals(new LossWeighting.MinSnr(5), w);
        assertEquals(1.0, w.weight(0.01));
        assertEquals(1.0, w.weight(5));
        assertEquals(0.5, w.weight(10), 1e-15);
        assertEquals(1.0, LossWeighting.UNIFORM.weight(1e6));
        assertEquals("min-snr:5", w.spec());
        assertEquals("min-snr:2.5", new LossWeighting.MinSnr(2.5).spec());
        for (LossWeighting x : new LossWeighting[]{w, new LossWeighting.MinSnr(2.5), LossWeighting.UNIFORM}) assertEquals(x, LossWeighting.parse(x.spec()));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LossWeighting.parse("min-snr:x")).getMessage().contains("'x' is not a number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LossWeighting.parse("min-snr:0")).getMessage().contains("positive"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LossWeighting.parse("p2")).getMessage().contains("unknown loss weighting 'p2'"));
        GaussianProcess cos = new GaussianProcess(BetaSchedule.of(BetaSchedule.Kind.COSINE, 1000));
        double ab = cos.schedule().alphaBar(300);
        assertEquals(ab / (1 - ab), cos.snr(300), 1e-12);
    }

    /** The loss and its gradient in the one weight a of eps_theta(x_t) = a x_t, against the same draws by hand. */
    @Test
    void weightedLossAndGradientMatchTheirClosedForms() {
        int b = 16, n = 8;
        float[] x0 = new float[b * n];
        for (int i = 0; i < x0.length; i++) x0[i] = (float) Math.sin(0.7 * i);
        for (LossWeighting w : new LossWeighting[]{LossWeighting.UNIFORM, new LossWeighting.MinSnr(5)}) {
            GaussianProcess p = new GaussianProcess(BetaSchedule.of(BetaSchedule.Kind.COSINE, 1000), w);
            Tensor a = Tensor.of(new float[]{0.3f}, 1, 1, 1, 1).requiresGrad(true);
            Tensor loss = p.loss((xt, t) -> xt.mul(a), Tensor.of(x0, b, 1, 2, 4), new Rng(42));
            loss.backward();

            Rng r = new Rng(42);                                                              // the loss's own draws
            int[] t = new int[b];
            for (int i = 0; i < b; i++) t[i] = r.nextInt(1000);
            double[] eps = r.randn(b, 1, 2, 4).toDoubleArray();
            double want = 0, wantGrad = 0;
            int below = 0;
            for (int row = 0; row < b; row++) {
                double ab = p.schedule().alphaBar(t[row]), wt = w.weight(ab / (1 - ab));
                if (wt < 1) below++;
                for (int j = row * n; j < (row + 1) * n; j++) {
                    double xt = Math.sqrt(ab) * x0[j] + Math.sqrt(1 - ab) * eps[j], r1 = 0.3 * xt - eps[j];
                    want += wt * r1 * r1;
                    wantGrad += 2 * wt * r1 * xt;
                }
            }
            if (w instanceof LossWeighting.MinSnr) assertTrue(below > 0 && below < b, "rows on both sides of gamma: " + below);
            assertEquals(want / (b * n), loss.item(), 1e-5 * want / (b * n));
            assertEquals(wantGrad / (b * n), a.grad().item(), 1e-4 * Math.abs(wantGrad / (b * n)));
        }
    }
}

package org.svdd.sampling;

import org.junit.jupiter.api.Test;
import org.svdd.diffusion.data.MotifFile;
import org.svdd.diffusion.process.BetaSchedule;
import org.svdd.diffusion.process.GaussianProcess;
import org.svdd.diffusion.process.MaskSchedule;
import org.svdd.diffusion.process.MaskedProcess;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.process.TokenModel;
import org.svdd.reward.FractionA;
import org.svdd.reward.MeanPixel;
import org.svdd.reward.MotifReward;
import org.svdd.reward.Reward;
import org.svdd.tensor.Backends;
import org.svdd.tensor.F;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.nn.Init;
import org.svdd.value.ValueNet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every method of {@link Method} on a toy masked process whose pre-trained model is uniform over 4 tokens, with the
 * reward "fraction of A" (0.25 on average before guidance): each guided method must raise the mean, repeat under
 * its seed, and report its cost.
 */
class MethodsTest {
    private static final int L = 16, STEPS = 8;
    private final MaskedProcess process = new MaskedProcess(4, MaskSchedule.logLinear());

    /** Uniform logits that still depend on a one-hot input (so gradient guidance can run through them). */
    private final TokenModel uniform = new TokenModel() {
        @Override
        public Tensor logits(Tensor x, Tensor t) {
            return Tensor.zeros(x.dim(0), x.dim(1), 4);
        }

        @Override
        public Tensor logitsOneHot(Tensor x, Tensor t) {
            return x.slice(2, 0, 4).mul(0.0);
        }
    };
    private final Proposal proposal = process.proposal(Backends.current(), uniform, new MaskedProcess.SamplerConfig(STEPS, 1e-5), L);

    private final FractionA reward = new FractionA();

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return (s[(s.length - 1) / 2] + s[s.length / 2]) / 2;
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElseThrow();
    }

    private ValueNet trainedValueNet() {
        // a value net that knows the answer: v = fraction of A among the unmasked one-hot rows
        ValueNet net = new ValueNet(new ValueNet.Config(ValueNet.Domain.SEQUENCE, 4, L, 4), Init.of(new Rng(1)));
        return net;
    }

    @Test
    void everyRewardGuidedMethodBeatsThePretrainedSampler() {
        int n = 16;
        Method.Settings s = new Method.Settings(4, 0, 0.1, 50, 4, Particles.Potential.MAX, 2, Resampling.everyStep(), new Samplers.BeamWidths(2, 2));
        double pre = mean(reward.score(Method.PRETRAINED.run(Method.Context.of(proposal, reward, null, reward), s, Rng.streams(2, 0, n))));
        for (Method m : new Method[]{Method.BEST_OF_N, Method.SVDD_PM, Method.SVDD_SOFT, Method.SMC, Method.FK_STEERING,
                Method.NESTED_IS, Method.BEAM, Method.DPS, Method.SVDD_RAW}) {
            Method.Context c = Method.Context.of(proposal, reward, null, reward);
            Tensor x = m.run(c, s, Rng.streams(2, 0, n));
            assertArrayEquals(new int[]{n, L}, x.shape(), m.cliName());
            double mean = mean(reward.score(x));
            assertTrue(mean > pre + 0.05, m.cliName() + " mean " + mean + " vs pretrained " + pre + " from the same streams");
            assertTrue(c.cost().denoiserRows() > 0 && c.cost().rewardCalls() > 0 || m == Method.DPS, m.cliName());
            assertTrue(c.cost().denoiserSeconds() > 0 && (c.cost().rewardSeconds() > 0 || m == Method.DPS), m.cliName() + " timed its passes and calls");
            Tensor again = m.run(Method.Context.of(proposal, reward, null, reward), s, Rng.streams(2, 0, n));
            assertArrayEquals(x.toIntArray(), again.toIntArray(), m.cliName() + " repeats under its seed");
        }
    }

    @Test
    void costsMatchTheBudgetRule() {
        int n = 4, m = 3;
        Method.Settings s = Method.Settings.defaults(m);
        Method.Context pm = Method.Context.of(proposal, reward, null, null);
        Method.SVDD_PM.run(pm, s, Rng.streams(3, 0, n));
        // one pass per chain at the prior, then one per candidate except after the last step (clean states need none):
        // the kept candidate's pass is the next step's
        long budget = n * (1 + (long) m * (STEPS - 1));
        assertEquals(budget, pm.cost().denoiserRows());
        assertEquals((long) n * m * STEPS, pm.cost().rewardCalls());
        // smc and fk-steering: P particles per sample of STEPS passes each, P = round(22 / 8) = 3; nested-is: as svdd-pm
        for (Method particle : new Method[]{Method.SMC, Method.FK_STEERING}) {
            Method.Context c = Method.Context.of(proposal, reward, null, null);
            particle.run(c, s, Rng.streams(3, 0, n));
            assertEquals((long) n * 3 * STEPS, c.cost().denoiserRows(), particle.cliName());
            assertTrue(Math.abs(c.cost().denoiserRows() - budget) <= n * STEPS / 2, particle.cliName() + " is the closest particle count");
        }
        Method.Context nis = Method.Context.of(proposal, reward, null, null);
        Method.NESTED_IS.run(nis, s, Rng.streams(3, 0, n));
        assertEquals(budget, nis.cost().denoiserRows());
        // beam: W = 2 states per beam, M' = max(2, round((22 - 2) / (2 x 7))) = 2 candidates each: 2 + 2 x 2 x 7 rows
        Method.Context beam = Method.Context.of(proposal, reward, null, null);
        Method.BEAM.run(beam, s, Rng.streams(3, 0, n));
        assertEquals((long) n * (2 + 2 * 2 * (STEPS - 1)), beam.cost().denoiserRows());
        Method.Context wide = Method.Context.of(proposal, reward, null, null);
        Method.BEAM.run(wide, s.withM(8), Rng.streams(3, 0, n));         // M' = round((57 - 2) / 14) = 4: 2 + 2 x 4 x 7 = 58 of 57
        assertEquals((long) n * (2 + 2 * 4 * (STEPS - 1)), wide.cost().denoiserRows());
        Method.Context bon = Method.Context.of(proposal, reward, null, null);
        Method.BEST_OF_N.run(bon, s, Rng.streams(3, 0, n));
        assertEquals((long) n * m * STEPS, bon.cost().denoiserRows());
        Method.Context dps = Method.Context.of(proposal, reward, null, reward);
        Method.DPS.run(dps, s, Rng.streams(3, 0, n));
        assertEquals((long) n * STEPS, dps.cost().gradientRows());
    }

    @Test
    void valueNetMethodsRunAndBadSettingsAreNamed() {
        ValueNet net = trainedValueNet();
        Method.Context c = Method.Context.of(proposal, reward, net, null);
        assertArrayEquals(new int[]{3, L}, Method.SVDD_MC.run(c, Method.Settings.defaults(2), Rng.streams(4, 0, 3)).shape());
        assertArrayEquals(new int[]{3, L}, Method.CLASSIFIER_GUIDANCE.run(c, Method.Settings.defaults(2), Rng.streams(4, 0, 3)).shape());
        assertTrue(c.cost().valueRows() > 0);
        Method.Context none = Method.Context.of(proposal, reward, null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Method.SVDD_MC.run(none, Method.Settings.defaults(2), Rng.streams(4, 0, 3)));
        assertTrue(e.getMessage().contains("--value-net"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Method.parse("svdd-xx"));
        assertTrue(e.getMessage().contains("svdd-pm"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Method.Settings.defaults(0));
        assertThrows(IllegalArgumentException.class, () -> Method.Settings.defaults(2).withM(-1));
        assertThrows(IllegalArgumentException.class, () -> new Particles(Particles.Potential.DIFF, 0, 1, Resampling.everyStep()));
    }

    @Test
    void resamplingDrawsInProportionToTheWeights() {
        double[] logw = {Math.log(1), Math.log(3), Double.NEGATIVE_INFINITY, Math.log(4)};
        for (Resampling.Scheme scheme : Resampling.Scheme.values()) {
            Resampling r = new Resampling(scheme, 1, 0, 1, 1);
            int[] counts = new int[4];
            Rng rng = new Rng(7);
            for (int rep = 0; rep < 5000; rep++) for (int a : r.ancestors(logw, 0, 4, rng)) counts[a]++;
            assertEquals(0, counts[2], scheme.name());
            assertEquals(0.125, counts[0] / 20000.0, 0.01, scheme.name());
            assertEquals(0.375, counts[1] / 20000.0, 0.01, scheme.name());
            assertEquals(0.5, counts[3] / 20000.0, 0.01, scheme.name());
        }
        assertEquals(4.0, Resampling.ess(new double[]{0, 0, 0, 0}, 0, 4), 1e-12);
        assertEquals(1.0, Resampling.ess(new double[]{0, -1e9, -1e9, -1e9}, 0, 4), 1e-9);
        Resampling adaptive = Resampling.adaptive();
        assertTrue(!adaptive.needed(new double[]{0, 0, 0, 0}, 0, 4) && adaptive.needed(new double[]{0, -50, -50, -50}, 0, 4));
        Resampling windowed = new Resampling(Resampling.Scheme.SYSTEMATIC, 5, 0.2, 0.8, 1);
        int[] on = java.util.stream.IntStream.range(0, 51).filter(i -> windowed.scheduled(i, 51)).toArray();
        assertArrayEquals(new int[]{10, 15, 20, 25, 30, 35, 40}, on);
    }

    @Test
    void softMeanIsTheMeanAtZeroTemperatureAndTheMaxAtLowOne() {
        double[] v = {1, 2, 6};
        assertEquals(3.0, ValueEstimator.softMean(v, 0, 3, 0), 1e-12);
        assertEquals(6 - 0.01 * Math.log(3), ValueEstimator.softMean(v, 0, 3, 0.01), 1e-9);
        assertEquals(Math.log((Math.E + Math.exp(2) + Math.exp(6)) / 3), ValueEstimator.softMean(v, 0, 3, 1), 1e-12);
    }

    @Test
    void motifRewardIsDifferentiableAndAgreesOnOneHot() {
        double[][] counts = {{10, 0, 0, 1}, {0, 2, 0, 10}, {1, 0, 10, 0}, {3, 3, 3, 1}};
        MotifReward r = new MotifReward(new MotifFile.Motif("M1", "toy", counts));
        Rng rng = new Rng(11);
        long[] ids = new long[3 * 20];
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(4);
        ids[5] = 4;                                                              // a MASK contributes 0
        Tensor tokens = Tensor.ofLongs(ids, 3, 20);
        double[] exact = r.score(tokens);
        double[] relaxed = r.forward(F.oneHot(tokens, 5).slice(2, 0, 4)).toDoubleArray();
        for (int b = 0; b < 3; b++) assertEquals(exact[b], relaxed[b], 1e-4);
        Tensor x = F.oneHot(tokens, 5).slice(2, 0, 4).contiguous().requiresGrad(true);
        Tensor g = org.svdd.tensor.Grad.gradient(r.forward(x).sum(), x);
        assertEquals(3 * 4 * 4.0, Arrays.stream(g.toDoubleArray()).filter(d -> d != 0).count(), 0.0,
                "the max picks one window of width 4 per row, the motif's column at each of its positions: " + Arrays.toString(g.toDoubleArray()));
    }

    @Test
    void valueNetSavesAndLoadsAndRejectsOtherFiles(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        ValueNet net = new ValueNet(new ValueNet.Config(ValueNet.Domain.IMAGE, 1, 16, 4), Init.of(new Rng(5)));
        net.setLabelScale(-0.5, 0.25);
        Tensor x = new Rng(6).randn(2, 1, 16, 16);
        double[] before = net.values(x, 0.3);
        Path f = dir.resolve("v.safetensors");
        net.save(f, Map.of("train.reward", "jpeg"));
        ValueNet back = ValueNet.load(f, Backends.current());
        assertArrayEquals(before, back.values(x, 0.3), 1e-7);
        assertEquals("jpeg", ValueNet.metadata(f).get("train.reward"));
        Path other = dir.resolve("other.safetensors");
        org.svdd.tensor.io.Safetensors.write(other, Map.of("w", Tensor.zeros(2)), Map.of("kind", "FASHION_UNET"));
        Exception e = assertThrows(java.io.IOException.class, () -> ValueNet.load(other, Backends.current()));
        assertTrue(e.getMessage().contains("not a value network"), e.getMessage());
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> net.values(Tensor.zeros(2, 1, 8, 8), 0.1));
        assertTrue(wrong.getMessage().contains("(B, 1, 16, 16)") || wrong.getMessage().contains("16, 16"), wrong.getMessage());
        assertTrue(Files.size(f) > 0);
    }

    @Test
    void dpsOnTheGaussianProcessMovesSamplesUpTheReward() {
        GaussianProcess g = new GaussianProcess(BetaSchedule.linear(100, 1e-4, 0.02));
        // a denoiser that predicts no noise: x0_hat = x_t / sqrt(alphaBar)
        Proposal p = g.proposal(Backends.current(), (x, t) -> x.mul(0.0), new GaussianProcess.SamplerConfig(10, 1.0, true), 1, 4, 4);
        Reward.Differentiable mean = new MeanPixel();
        double plain = median(mean.score(Samplers.guided(p, Guides.dps(mean), 0, 32, new Rng(8))));
        double guided = median(mean.score(Samplers.guided(p, Guides.dps(mean), 20, 32, new Rng(8))));
        assertTrue(guided > plain + 0.2, "guided " + guided + " vs plain " + plain);
        assertArrayEquals(Proposal.sample(p, 4, new Rng(9)).toFloatArray(), Samplers.guided(p, Guides.dps(mean), 0, 4, new Rng(9)).toFloatArray(), 1e-5f);
    }
}

package org.svdd.diffusion.process;

import org.junit.jupiter.api.Test;
import org.svdd.tensor.Backends;
import org.svdd.tensor.DType;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Schedules, the Gaussian and masked processes, and their proposals, with oracle denoisers whose answers are known. */
class ProcessTest {
    @Test
    void schedulesMatchClosedForms() {
        BetaSchedule lin = BetaSchedule.linear(1000, 1e-4, 0.02);
        assertEquals(1e-4, lin.betas()[0], 1e-15);
        assertEquals(0.02, lin.betas()[999], 1e-15);
        double ab = 1;
        for (int t = 0; t < 1000; t++) ab *= 1 - lin.betas()[t];
        assertEquals(ab, lin.alphaBar(999), 1e-15);
        assertEquals(4.0358e-5, lin.alphaBar(999), 1e-8);   // the well-known DDPM value
        BetaSchedule cos = BetaSchedule.cosine(1000, 0.008);
        for (int t = 1; t < 1000; t++) assertTrue(cos.alphaBar(t) < cos.alphaBar(t - 1));
        assertTrue(cos.alphaBar(0) > 0.9999 && cos.alphaBar(999) < 1e-4);
        MaskSchedule m = MaskSchedule.logLinear();
        assertEquals(0.999 * 0.5, m.maskProb(0.5), 1e-15);
        assertEquals(-Math.log(1 - 0.4995), m.sigma(0.5), 1e-12);
        double h = 1e-6;
        assertEquals((m.sigma(0.3 + h) - m.sigma(0.3 - h)) / (2 * h), m.dSigma(0.3), 1e-6);
        assertEquals(m.dSigma(0.3) / Math.expm1(m.sigma(0.3)), m.lossWeight(0.3), 1e-12);
        assertEquals(1 / 0.3, m.lossWeight(0.3), 1e-2);   // ~1/t for the log-linear schedule
    }

    @Test
    void tweedieInvertsQSampleWithTheTrueNoise() {
        GaussianProcess p = new GaussianProcess(BetaSchedule.linear(100, 1e-4, 0.02));
        Rng rng = new Rng(1);
        Tensor x0 = rng.uniform(-1, 1, 3, 1, 4, 4), eps = rng.randn(3, 1, 4, 4);
        int[] t = {0, 50, 99};
        Tensor xt = p.qSample(x0, t, eps);
        assertArrayEquals(x0.toFloatArray(), p.predictX0(xt, eps, t).toFloatArray(), 2e-3f);
        assertArrayEquals(eps.toFloatArray(), p.epsFromX0(xt, x0, t).toFloatArray(), 1e-3f);
    }

    /** For data that is a single point x*, eps_theta(x_t, t) = (x_t - sqrt(ab) x*) / sqrt(1 - ab) is exact. */
    private static EpsModel pointMassOracle(GaussianProcess p, Tensor target) {
        return (xt, t) -> {
            int[] ti = Arrays.stream(t.toDoubleArray()).mapToInt(d -> (int) d).toArray();
            Tensor tgt = Proposal.repeatRows(target, xt.dim(0));
            return p.epsFromX0(xt, tgt, ti);
        };
    }

    @Test
    void ddimWithAnOracleReachesThePointMass() {
        GaussianProcess p = new GaussianProcess(BetaSchedule.cosine(200, 0.008));
        Tensor target = new Rng(2).uniform(-0.9, 0.9, 1, 1, 3, 3);
        for (double eta : new double[]{0, 1}) {
            Proposal prop = p.proposal(Backends.current(), pointMassOracle(p, target), new GaussianProcess.SamplerConfig(20, eta, true), 1, 3, 3);
            Tensor x = Proposal.sample(prop, 4, new Rng(3));
            float[] got = x.toFloatArray(), want = Proposal.repeatRows(target, 4).toFloatArray();
            assertArrayEquals(want, got, 1e-3f, "eta " + eta);
        }
    }

    @Test
    void candidatesAreIndependentDrawsAndKOneMatchesThePlainSampler() {
        GaussianProcess p = new GaussianProcess(BetaSchedule.linear(100, 1e-4, 0.02));
        Tensor target = Tensor.zeros(1, 1, 2, 2);
        Proposal prop = p.proposal(Backends.current(), pointMassOracle(p, target), new GaussianProcess.SamplerConfig(10, 1.0, true), 1, 2, 2);
        Tensor xt = prop.prior(2, new Rng(5));
        Tensor c = prop.prepare(xt, 0).sample(3, new Rng(6));
        assertArrayEquals(new int[]{6, 1, 2, 2}, c.shape());
        float[] a = c.toFloatArray();
        assertNotEquals(a[0], a[4]);
        Rng r1 = new Rng(9), r2 = new Rng(9);
        Tensor plain = Proposal.sample(prop, 2, r1);
        Tensor x = prop.prior(2, r2);
        for (int i = 0; i < prop.steps(); i++) x = prop.prepare(x, i).sample(1, r2);
        assertArrayEquals(plain.toFloatArray(), x.toFloatArray());
    }

    @Test
    void maskingFractionFollowsTheSchedule() {
        MaskedProcess p = new MaskedProcess(4, MaskSchedule.logLinear());
        long[] ids = new long[20_000];
        Tensor x0 = Tensor.ofLongs(ids, 10, 2000);
        double[] t = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0};
        double[] frac = p.maskIndicator(p.qSample(x0, t, new Rng(1))).mean(1, false).toDoubleArray();
        for (int r = 0; r < t.length; r++) assertEquals(p.schedule().maskProb(t[r]), frac[r], 0.035, "t = " + t[r]);
    }

    /** Logits that put almost all mass on the target sequence, whatever x_t is. */
    private static TokenModel targetOracle(long[] target, int vocab) {
        return (xt, t) -> {
            int b = xt.dim(0), l = xt.dim(1);
            float[] logits = new float[b * l * vocab];
            for (int r = 0; r < b; r++) for (int j = 0; j < l; j++) logits[(r * l + j) * vocab + (int) target[j]] = 20f;
            return Tensor.of(logits, b, l, vocab);
        };
    }

    @Test
    void maskedSamplingWithAnOracleReturnsTheTargetAndNeverChangesUnmaskedTokens() {
        long[] target = {3, 1, 0, 2, 2, 1, 0, 3};
        MaskedProcess p = new MaskedProcess(4, MaskSchedule.logLinear());
        Proposal prop = p.proposal(Backends.current(), targetOracle(target, 4), new MaskedProcess.SamplerConfig(16, 1e-5), target.length);
        Rng rng = new Rng(4);
        Tensor x = prop.prior(3, rng);
        assertTrue(Arrays.stream(x.toLongArray()).allMatch(v -> v == 4));
        for (int i = 0; i < prop.steps(); i++) {
            long[] before = x.toLongArray();
            x = prop.prepare(x, i).sample(1, rng);
            long[] after = x.toLongArray();
            for (int j = 0; j < before.length; j++) if (before[j] != 4) assertEquals(before[j], after[j], "unmasked token changed");
        }
        long[] out = x.toLongArray();
        for (int r = 0; r < 3; r++) assertArrayEquals(target, Arrays.copyOfRange(out, r * 8, r * 8 + 8));
    }

    @Test
    void maskedLossMatchesAHandComputation() {
        MaskedProcess p = new MaskedProcess(3, MaskSchedule.logLinear());
        Tensor x0 = Tensor.ofLongs(new long[]{0, 2}, 1, 2);
        Tensor xt = Tensor.ofLongs(new long[]{3, 2}, 1, 2);           // first position masked
        float[] lg = {1, 2, 3, 0, 0, 0};
        TokenModel model = (x, t) -> Tensor.of(lg, 1, 2, 3);
        double loss = p.maskedNll(model, x0, xt, new double[]{0.5}).item();
        double nll = -(1 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)));
        assertEquals(p.schedule().lossWeight(0.5) * nll / 2, loss, 1e-5);
    }

    @Test
    void maskedCandidatesDifferAndSameSeedGivesSameSamples() {
        MaskedProcess p = new MaskedProcess(4, MaskSchedule.logLinear());
        TokenModel uniform = (x, t) -> Tensor.zeros(x.dim(0), x.dim(1), 4);
        Proposal prop = p.proposal(Backends.current(), uniform, new MaskedProcess.SamplerConfig(8, 1e-5), 32);
        Tensor c = prop.prepare(prop.prior(1, new Rng(1)), 3).sample(5, new Rng(2));
        long[] a = c.toLongArray();
        assertNotEquals(Arrays.toString(Arrays.copyOfRange(a, 0, 32)), Arrays.toString(Arrays.copyOfRange(a, 32, 64)));
        assertArrayEquals(Proposal.sample(prop, 2, new Rng(7)).toLongArray(), Proposal.sample(prop, 2, new Rng(7)).toLongArray());
        assertEquals(DType.I64, c.dtype());
        assertEquals(0.0, Proposal.sample(prop, 2, new Rng(8)).toDType(DType.F32).eq(4).sum().item(), "no MASK left after the last step");
    }

    /** A prediction's pass, row-selected, prepares the next step exactly as a fresh pass on those rows would. */
    private static void predictionIsTheNextStepsPass(Proposal prop, Tensor cands, int i, int[] idx, String label) {
        Proposal.Prediction pred = prop.predict(cands, i);
        assertArrayEquals(prop.predictX0(cands, i).toDoubleArray(), pred.x0().toDoubleArray(), label + ": x0");
        Proposal.Step reused = pred.prepare(idx), fresh = prop.prepare(Proposal.rows(cands, idx), i + 1);
        assertArrayEquals(fresh.x0Hat().toDoubleArray(), reused.x0Hat().toDoubleArray(), label + ": x0Hat");
        assertArrayEquals(fresh.sample(3, new Rng(12)).toDoubleArray(), reused.sample(3, new Rng(12)).toDoubleArray(), label + ": candidates");
        assertEquals(1, prop.predictPasses(i), label);
        int last = prop.steps() - 1;
        assertEquals(0, prop.predictPasses(last), label + ": clean states need no pass");
        Proposal.Prediction clean = prop.predict(cands, last);
        assertArrayEquals(cands.toDoubleArray(), clean.x0().toDoubleArray(), label + ": after the last step x0 is x");
        assertThrows(IllegalStateException.class, () -> clean.prepare(idx), label);
    }

    @Test
    void aPredictionsPassServesTheNextStep() {
        GaussianProcess g = new GaussianProcess(BetaSchedule.linear(100, 1e-4, 0.02));
        EpsModel wavy = (xt, t) -> xt.mul(0.3).add(xt.mul(xt).mul(0.1));                // depends on each row's state
        Proposal gp = g.proposal(Backends.current(), wavy, new GaussianProcess.SamplerConfig(6, 1.0, true), 1, 3, 3);
        Tensor gc = gp.prepare(gp.prior(2, new Rng(10)), 1).sample(3, new Rng(11));       // (6, 1, 3, 3)
        predictionIsTheNextStepsPass(gp, gc, 1, new int[]{4, 0, 4}, "gaussian");
        MaskedProcess m = new MaskedProcess(4, MaskSchedule.logLinear());
        TokenModel echo = (x, t) -> org.svdd.tensor.F.oneHot(x, 5).slice(2, 0, 4).mul(2.0).add(0.1);   // favours each row's tokens
        Proposal mp = m.proposal(Backends.current(), echo, new MaskedProcess.SamplerConfig(6, 1e-5), 10);
        Tensor mc = mp.prepare(mp.prepare(mp.prior(2, new Rng(10)), 0).sample(1, new Rng(13)), 1).sample(3, new Rng(11));
        predictionIsTheNextStepsPass(mp, mc, 1, new int[]{5, 1}, "masked");
        assertArrayEquals(new long[]{3, 4, 5, 3, 4, 5}, Proposal.rows(Tensor.ofLongs(new long[]{3, 4, 5, 6, 7, 8}, 2, 3), new int[]{0, 0}).toLongArray());
    }
}

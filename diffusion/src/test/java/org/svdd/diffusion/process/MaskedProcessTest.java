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

/** The masked process's reverse step against its transition probabilities, and its proposal against the step. */
class MaskedProcessTest {
    private static final int V = 4, MASK = 4;
    private static final MaskedProcess P = new MaskedProcess(V, MaskSchedule.logLinear());
    private static final float[] LOGITS = {0.5f, -1f, 2f, 0f};                           // the same p_theta everywhere

    private static TokenModel fixedModel() {
        return (xt, t) -> {
            int b = xt.dim(0), l = xt.dim(1);
            float[] a = new float[b * l * V];
            for (int i = 0; i < b * l; i++) System.arraycopy(LOGITS, 0, a, i * V, V);
            return Tensor.of(a, b, l, V);
        };
    }

    private static double[] softmax() {
        double z = 0;
        for (float v : LOGITS) z += Math.exp(v);
        double[] p = new double[V];
        for (int k = 0; k < V; k++) p[k] = Math.exp(LOGITS[k]) / z;
        return p;
    }

    @Test
    void reverseStepFollowsItsTransitionProbabilities() {
        int b = 4, l = 5000;
        long[] ids = new long[b * l];
        Arrays.fill(ids, MASK);
        Tensor xt = Tensor.ofLongs(ids, b, l);
        double t = 0.6, s = 0.45, mt = P.schedule().maskProb(t), ms = P.schedule().maskProb(s);
        Tensor logits = fixedModel().logits(xt, Tensor.full(t, b));
        long[] xs = P.reverseStep(xt, logits, t, s, new Rng(1)).toLongArray();
        double[] p = softmax();
        int n = b * l;
        long[] counts = new long[V + 1];
        for (long v : xs) counts[(int) v]++;
        double stay = ms / mt;                                                                // q(MASK) = m_s / m_t
        assertEquals(stay, (double) counts[MASK] / n, 4 * Math.sqrt(stay * (1 - stay) / n), "still masked");
        for (int k = 0; k < V; k++) {
            double q = p[k] * (mt - ms) / mt;
            assertEquals(q, (double) counts[k] / n, 4 * Math.sqrt(q * (1 - q) / n) + 1e-9, "token " + k);
        }
    }

    @Test
    void reverseStepCopiesUnmaskedTokensAndTheLastStepLeavesNoMask() {
        Rng rng = new Rng(2);
        long[] ids = new long[6 * 40];
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(V + 1);
        Tensor xt = Tensor.ofLongs(ids, 6, 40);
        Proposal prop = P.proposal(Backends.current(), fixedModel(), new MaskedProcess.SamplerConfig(8, 1e-5), 40);
        for (int i : new int[]{0, 4, 7}) {
            long[] c = prop.prepare(xt, i).sample(5, new Rng(3 + i)).toLongArray();
            for (int r = 0; r < 6 * 5; r++)
                for (int j = 0; j < 40; j++) {
                    long before = ids[(r / 5) * 40 + j], after = c[r * 40 + j];
                    if (before != MASK) assertEquals(before, after, "unmasked token changed at step " + i);
                    if (i == 7) assertTrue(after != MASK, "MASK left after the last step");
                }
        }
        assertEquals(0.0, prop.timeAfter(7));
        assertEquals(1.0 - (1 - 1e-5) * 5 / 8, prop.timeAfter(4), 1e-15);
    }

    @Test
    void kOneProposalIsTheReverseStepLoopAndTheSampler() {
        MaskedProcess.SamplerConfig cfg = new MaskedProcess.SamplerConfig(12, 1e-5);
        TokenModel model = fixedModel();
        Proposal prop = P.proposal(Backends.current(), model, cfg, 16);
        Rng r1 = new Rng(41);
        Tensor x = prop.prior(3, r1);
        for (int i = 0; i < cfg.steps() - 1; i++) x = P.reverseStep(x, model.logits(x, Tensor.full(cfg.time(i), 3)), cfg.time(i), cfg.time(i + 1), r1);
        Tensor last = prop.prepare(x, cfg.steps() - 1).sample(1, r1);
        long[] viaSampler = P.sample(Backends.current(), model, cfg, 3, 16, new Rng(41)).toLongArray();
        assertArrayEquals(last.toLongArray(), viaSampler, "bit for bit");
        assertArrayEquals(viaSampler, P.sample(Backends.current(), model, cfg, 3, 16, new Rng(41)).toLongArray(), "same seed");
        assertFalse(Arrays.equals(viaSampler, P.sample(Backends.current(), model, cfg, 3, 16, new Rng(42)).toLongArray()), "other seed");
    }

    @Test
    void candidatesOfOneRowAreIndependentDraws() {
        long[] ids = new long[1];
        ids[0] = MASK;
        Proposal prop = P.proposal(Backends.current(), fixedModel(), new MaskedProcess.SamplerConfig(4, 1e-5), 1);
        int k = 40_000;
        long[] c = prop.prepare(Tensor.ofLongs(ids, 1, 1), 1).sample(k, new Rng(5)).toLongArray();
        double mt = P.schedule().maskProb(0.75 + 0.25e-5), ms = P.schedule().maskProb(0.5 + 0.5e-5);
        double[] q = new double[V + 1];
        double[] p = softmax();
        for (int j = 0; j < V; j++) q[j] = p[j] * (mt - ms) / mt;
        q[MASK] = ms / mt;
        double same = Arrays.stream(q).map(v -> v * v).sum();                                 // P(c_j = c_{j+1}) if independent
        long hits = 0;
        for (int j = 1; j < k; j++) if (c[j] == c[j - 1]) hits++;
        assertEquals(same, (double) hits / (k - 1), 4 * Math.sqrt(same * (1 - same) / k));
    }

    @Test
    void x0PredictionsKeepUnmaskedTokensAndShapesAreChecked() {
        Tensor xt = Tensor.ofLongs(new long[]{MASK, 1, MASK, 3}, 2, 2);
        Tensor logits = fixedModel().logits(xt, Tensor.full(0.5, 2));
        assertArrayEquals(new long[]{2, 1, 2, 3}, P.predictX0Argmax(xt, logits).toLongArray());
        long[] sampled = P.predictX0Sampled(xt, logits, new Rng(6)).toLongArray();
        assertEquals(1, sampled[1]);
        assertEquals(3, sampled[3]);
        assertTrue(sampled[0] < V && sampled[2] < V);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> P.predictX0Argmax(xt, Tensor.zeros(2, 2, V + 1)));
        assertTrue(e.getMessage().contains("(2, 2, 5)") || e.getMessage().contains("[2, 2, 5]"), e.getMessage());
    }
}

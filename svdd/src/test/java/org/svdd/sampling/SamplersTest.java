package org.svdd.sampling;

import org.junit.jupiter.api.Test;
import org.svdd.diffusion.data.MotifFile;
import org.svdd.diffusion.process.MaskSchedule;
import org.svdd.diffusion.process.MaskedProcess;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.process.TokenModel;
import org.svdd.reward.JpegCompressibility;
import org.svdd.reward.MotifReward;
import org.svdd.reward.Reward;
import org.svdd.tensor.Backends;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SVDD on a toy masked process whose pre-trained model is uniform, with a reward whose optimum is known. */
class SamplersTest {
    private static final int L = 24;
    private final MaskedProcess process = new MaskedProcess(4, MaskSchedule.logLinear());
    private final TokenModel uniform = (x, t) -> Tensor.zeros(x.dim(0), x.dim(1), 4);
    private final Proposal proposal = process.proposal(Backends.current(), uniform, new MaskedProcess.SamplerConfig(12, 1e-5), L);
    /** Fraction of A (token 0): 0.25 on average under the uniform model. */
    private final Reward fractionA = x -> {
        int[] t = x.toIntArray();
        double[] r = new double[x.dim(0)];
        for (int i = 0; i < t.length; i++) if (t[i] == 0) r[i / L] += 1.0 / L;
        return r;
    };

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    @Test
    void svddBeatsBestOfNBeatsPretrained() {
        int b = 24, m = 8;
        double pre = median(fractionA.score(Proposal.sample(proposal, b, new Rng(1))));
        double bon = median(fractionA.score(Samplers.bestOfN(proposal, fractionA, b, m, new Rng(2))));
        Tensor svdd = Samplers.svdd(proposal, ValueEstimator.posteriorMean(proposal, fractionA), new Selection(0), b, m, new Rng(3));
        double sv = median(fractionA.score(svdd));
        assertArrayEquals(new int[]{b, L}, svdd.shape());
        assertTrue(pre < bon && bon < sv, "medians: pretrained " + pre + ", best-of-" + m + " " + bon + ", svdd-pm " + sv);
        assertTrue(sv > bon + 0.1, "svdd-pm median " + sv + " vs best-of-n " + bon);
    }

    @Test
    void oneCandidateIsThePretrainedSamplerAndSeedsRepeat() {
        Tensor a = Samplers.svdd(proposal, ValueEstimator.posteriorMean(proposal, fractionA), new Selection(0), 5, 1, new Rng(9));
        assertArrayEquals(Proposal.sample(proposal, 5, new Rng(9)).toIntArray(), a.toIntArray());
        Tensor s1 = Samplers.svdd(proposal, ValueEstimator.posteriorMean(proposal, fractionA), new Selection(0.1), 4, 3, new Rng(4));
        Tensor s2 = Samplers.svdd(proposal, ValueEstimator.posteriorMean(proposal, fractionA), new Selection(0.1), 4, 3, new Rng(4));
        assertArrayEquals(s1.toIntArray(), s2.toIntArray());
        assertThrows(IllegalArgumentException.class, () -> new Selection(-1));
        assertThrows(IllegalArgumentException.class, () -> Samplers.svdd(proposal, (c, i) -> new double[0], new Selection(0), 2, 0, new Rng(1)));
    }

    @Test
    void softmaxSelectionFollowsTheValues() {
        Selection s = new Selection(1.0);
        Rng rng = new Rng(5);
        int[] counts = new int[2];
        for (int i = 0; i < 20000; i++) counts[s.choose(new double[]{0, Math.log(3)}, 0, 2, rng)]++;
        assertEquals(0.75, counts[1] / 20000.0, 0.015);
        assertEquals(1, new Selection(0).choose(new double[]{0.1, 0.9, 0.2}, 0, 3, rng));
    }

    @Test
    void motifRewardFindsTheConsensusOnEitherStrand() {
        double[][] counts = {{10, 0, 0, 0}, {0, 0, 0, 10}, {0, 0, 10, 0}};   // A T G
        MotifReward r = new MotifReward(new MotifFile.Motif("M1", "toy", counts));
        int[] fwd = {1, 1, 0, 3, 2, 1}, rev = {1, 1, 1, 0, 3, 1}, none = {1, 1, 1, 1, 1, 1};   // CATC = GATG reversed... CAT
        double[] s = r.score(Tensor.ofInts(concat(fwd, rev, none), 3, 6));
        assertTrue(s[0] > s[2] && s[1] > s[2], Arrays.toString(s));
        assertEquals(s[0], s[1], 1e-12);
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void jpegRewardPrefersFlatImages() {
        Rng rng = new Rng(6);
        float[] px = new float[2 * 32 * 32];
        for (int i = 32 * 32; i < px.length; i++) px[i] = (float) (2 * rng.uniform() - 1);
        double[] s = new JpegCompressibility().score(Tensor.of(px, 2, 1, 32, 32));
        assertEquals(0.0, s[0], 0.05);
        assertTrue(s[1] < -0.5, "noise costs kilobytes: " + s[1]);
    }
}

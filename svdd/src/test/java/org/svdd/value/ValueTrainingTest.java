package org.svdd.value;

import org.svdd.tensor.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.diffusion.process.MaskSchedule;
import org.svdd.diffusion.process.MaskedProcess;
import org.svdd.diffusion.process.Proposal;
import org.svdd.reward.FractionA;
import org.svdd.reward.Reward;
import org.svdd.tensor.Backends;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Checksums;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.io.Safetensors;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SVDD-MC value net learns E[r(x0) | x_t] from rollouts, and a killed run resumes to the same weights. */
class ValueTrainingTest {
    private static final int L = 16;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private final Proposal proposal = new MaskedProcess(4, MaskSchedule.logLinear())
            .proposal(Backends.current(), (x, t) -> Tensor.zeros(x.dim(0), x.dim(1), 4), new MaskedProcess.SamplerConfig(8, 1e-5), L);
    private final Reward fractionA = new FractionA();
    private final ValueNet.Config netConfig = new ValueNet.Config(ValueNet.Domain.SEQUENCE, 4, L, 8);

    @Test
    void theValueNetExplainsTheRewardOfLateStates(@TempDir Path dir) throws Exception {
        ValueTraining.Data data = ValueTraining.rollouts(proposal, fractionA, netConfig, 128, 64, new Rng(1), QUIET).all();
        assertEquals(128 * 8, data.count());
        ValueNet net = ValueTraining.train(Backends.current(), netConfig, data, new ValueTraining.Config(300, 64, 3e-3, 100, 2), dir.resolve("v.safetensors"),
                false, Map.of("train.reward", "fraction-A"), QUIET);
        // the last three steps' states are mostly unmasked: their value is close to the final reward
        int[] late = new int[3 * 128];
        for (int k = 0; k < late.length; k++) late[k] = (k / 3) * 8 + 5 + k % 3;
        double corr = ValueTraining.correlation(net, data.batch(net.backend(), late, new Rng(3)));
        assertTrue(corr > 0.8, "correlation of v(x_t) with r(x0) on late states: " + corr);
        assertEquals("fraction-A", ValueNet.metadata(dir.resolve("v.safetensors")).get("train.reward"));
    }

    @Test
    void aKilledRunResumesToTheSameWeights(@TempDir Path dir) throws Exception {
        ValueTraining.Data data = ValueTraining.rollouts(proposal, fractionA, netConfig, 32, 32, new Rng(4), QUIET).all();
        ValueTraining.Config cfg = new ValueTraining.Config(12, 16, 1e-3, 4, 5);
        Path whole = dir.resolve("whole.safetensors"), killed = dir.resolve("killed.safetensors");
        ValueNet a = ValueTraining.train(Backends.current(), netConfig, data, cfg, whole, false, Map.of(), QUIET);
        ValueTraining.train(Backends.current(), netConfig, data, cfg, killed, false, Map.of(), QUIET, 6);     // dies after step 6 (checkpoint at 4)
        ValueNet b = ValueTraining.train(Backends.current(), netConfig, data, cfg, killed, true, Map.of(), QUIET);
        Tensor probe = data.batch(a.backend(), new int[]{0, 7, 19}, new Rng(0)).inputs();
        assertArrayEquals(a.values(probe.argmax(-1), 0.5), b.values(probe.argmax(-1), 0.5), 0.0);
    }

    /**
     * 40 seeded steps (warm-up 2) on data whose batches draw from the step's Rng end in exactly these weights and
     * checkpoint: recorded before the three training loops were made one, and again when every SGEMM path took the same
     * fma chain per element.
     */
    @Test
    void theSameSeedGivesTheSameBitsAsBeforeTheSharedLoop(@TempDir Path dir) throws Exception {
        ValueTraining.Data rollouts = ValueTraining.rollouts(proposal, fractionA, netConfig, 16, 16, new Rng(8), QUIET).all();
        ValueTraining.Data data = new ValueTraining.Data() {
            @Override
            public int count() {
                return rollouts.count();
            }

            @Override
            public double[] labels() {
                return rollouts.labels();
            }

            @Override
            public ValueTraining.Batch batch(Backend backend, int[] rows, Rng rng) {
                ValueTraining.Batch b = rollouts.batch(backend, rows, rng);
                float[] t = new float[rows.length];
                for (int i = 0; i < t.length; i++) t[i] = (float) rng.uniform();
                return new ValueTraining.Batch(b.inputs(), backend.upload(HostStorage.of(t), t.length), b.labels());
            }
        };
        Path file = dir.resolve("v.safetensors");
        ValueNet net = ValueTraining.train(Backends.current(), netConfig, data, new ValueTraining.Config(40, 8, 4e-3, 16, 13), file, false, Map.of(), QUIET);
        assertEquals("2.803776589269546 -779775358 0.2734375 0.11240230132764187", Checksums.of(net.namedParameters()) + " " + net.labelMean() + " " + net.labelStd());
        assertEquals("2.7146896262014337 -1956806186", Checksums.of(Safetensors.read(file).tensors()));
    }

    /** A held-out share of 0.1 holds out every tenth trajectory, and the training rows are exactly the others'. */
    @Test
    void heldOutTrajectoriesAreSpreadEvenlyAndNeverTrainedOn() {
        int[] held = IntStream.range(0, 100).filter(k -> ValueTraining.Rollouts.heldOut(k, 0.1)).toArray();
        assertEquals(10, held.length);
        for (int j = 0; j < held.length; j++) assertEquals(10 * j + 9, held[j]);
        assertEquals(0, IntStream.range(0, 1000).filter(k -> ValueTraining.Rollouts.heldOut(k, 0)).count());
        ValueTraining.Rollouts r = ValueTraining.rollouts(proposal, fractionA, netConfig, 20, 8, new Rng(2), QUIET);
        ValueTraining.Data training = r.rows(k -> !ValueTraining.Rollouts.heldOut(k, 0.1));
        assertEquals(18 * 8, training.count());
        // training row 9 · 8 is trajectory 10's first state (trajectory 9 is held out): the same label and state
        int[] all = IntStream.range(0, r.labels().length).toArray();
        double[] y = r.all().batch(Backends.current(), all, null).labels();
        assertEquals(y[10 * 8], training.labels()[9 * 8], 0.0);
        assertEquals(r.plus(r).trajectories(), 40);
    }

    /**
     * Online rollouts follow SVDD-MC with the given net: on the uniform toy model, a net that learned fraction-A steers
     * the chains toward token 0, so their final rewards beat the pre-trained rollouts' by far, while the held-out check
     * of the net finds a much higher correlation at the last noise levels than at the first.
     */
    @Test
    void onlineRolloutsFollowTheValueNetAndTheHeldOutCheckSeesNoiseLevels(@TempDir Path dir) throws Exception {
        ValueTraining.Rollouts pre = ValueTraining.rollouts(proposal, fractionA, netConfig, 160, 64, new Rng(1), QUIET);
        ValueNet net = ValueTraining.train(Backends.current(), netConfig, pre.rows(k -> !ValueTraining.Rollouts.heldOut(k, 0.2)),
                new ValueTraining.Config(300, 64, 3e-3, 300, 2), dir.resolve("v.safetensors"), false, Map.of(), QUIET);
        ValueTraining.HeldOut h = ValueTraining.heldOut(ValueTraining.of(net, proposal), Backends.current(), pre, 0.2, 4);
        assertEquals(32, h.trajectories());
        assertTrue(h.perLevel()[3] > 0.8 && h.perLevel()[3] > h.perLevel()[0] + 0.2, h.describe());
        assertTrue(h.tFrom()[0] > h.tTo()[3], "the noisiest level comes first: " + h.describe());
        // the toy denoiser knows nothing (uniform logits), so SVDD-PM's value of a state is the reward of its argmax fill-in:
        // token 0 everywhere masked, which ranks states by their unmasked tokens only; at the last level it is exact
        ValueTraining.HeldOut pm = ValueTraining.heldOut(ValueTraining.posteriorMean(proposal, fractionA), Backends.current(), pre, 0.2, 4);
        assertTrue(pm.perLevel()[3] > 0.8, pm.describe());
        ValueTraining.Rollouts online = ValueTraining.rollouts(proposal, fractionA, netConfig, 64, 64, net, 8, new Rng(5), QUIET);
        double preMean = Arrays.stream(pre.labels()).average().orElseThrow(), onlineMean = Arrays.stream(online.labels()).average().orElseThrow();
        assertEquals(0.25, preMean, 0.03);                                    // a uniform model: a quarter of the tokens are A
        assertTrue(onlineMean > preMean + 0.15, "svdd-mc rollouts' mean reward " + onlineMean + " against pre-trained " + preMean);
        assertEquals(64 * 8, online.labels().length);
    }
}

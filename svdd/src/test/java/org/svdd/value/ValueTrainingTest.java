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
import java.util.Map;

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
        ValueTraining.Data data = ValueTraining.rollouts(proposal, fractionA, netConfig, 128, 64, new Rng(1), QUIET);
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
        ValueTraining.Data data = ValueTraining.rollouts(proposal, fractionA, netConfig, 32, 32, new Rng(4), QUIET);
        ValueTraining.Config cfg = new ValueTraining.Config(12, 16, 1e-3, 4, 5);
        Path whole = dir.resolve("whole.safetensors"), killed = dir.resolve("killed.safetensors");
        ValueNet a = ValueTraining.train(Backends.current(), netConfig, data, cfg, whole, false, Map.of(), QUIET);
        ValueTraining.train(Backends.current(), netConfig, data, cfg, killed, false, Map.of(), QUIET, 6);     // dies after step 6 (checkpoint at 4)
        ValueNet b = ValueTraining.train(Backends.current(), netConfig, data, cfg, killed, true, Map.of(), QUIET);
        Tensor probe = data.batch(a.backend(), new int[]{0, 7, 19}, new Rng(0)).inputs();
        assertArrayEquals(a.values(probe.argmax(-1), 0.5), b.values(probe.argmax(-1), 0.5), 0.0);
    }

    /**
     * 40 seeded steps (warm-up 2) on data whose batches draw from the step's Rng end in exactly the weights and checkpoint
     * they did before the three training loops were made one: the checksums were recorded from the code before that change.
     */
    @Test
    void theSameSeedGivesTheSameBitsAsBeforeTheSharedLoop(@TempDir Path dir) throws Exception {
        ValueTraining.Data rollouts = ValueTraining.rollouts(proposal, fractionA, netConfig, 16, 16, new Rng(8), QUIET);
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
        assertEquals("2.8037762381900393 551970639 0.2734375 0.11240230132764187", Checksums.of(net.namedParameters()) + " " + net.labelMean() + " " + net.labelStd());
        assertEquals("2.7146892582747535 -903236258", Checksums.of(Safetensors.read(file).tensors()));
    }

}

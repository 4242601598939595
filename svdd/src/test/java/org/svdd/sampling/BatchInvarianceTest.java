package org.svdd.sampling;

import org.junit.jupiter.api.Test;
import org.svdd.diffusion.data.MotifFile;
import org.svdd.diffusion.data.Vocabulary;
import org.svdd.diffusion.model.SequenceTransformer;
import org.svdd.diffusion.model.UNet2D;
import org.svdd.diffusion.process.MaskSchedule;
import org.svdd.diffusion.process.MaskedProcess;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.reward.MeanPixel;
import org.svdd.reward.MotifReward;
import org.svdd.reward.Reward;
import org.svdd.tensor.Backend;
import org.svdd.tensor.Backends;
import org.svdd.tensor.DType;
import org.svdd.tensor.F;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.nn.Init;
import org.svdd.value.ValueNet;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Sample-level determinism: on the fast CPU backend, every chain-independent method gives sample i the same bits
 * whether the n samples run as one batch or as several batches of other sizes (per-sample streams, row-independent
 * kernels). This is what lets a cluster split the samples into shards.
 */
class BatchInvarianceTest {
    private static final int N = 6;
    private static final int[][] SPLITS = {{2, 1, 3}, {1, 5}};
    private final Backend cpu = Backends.select("cpu");

    /** The methods whose chains never interact. */
    private static final Method[] CHAIN_INDEPENDENT = {Method.PRETRAINED, Method.BEST_OF_N, Method.SVDD_PM, Method.SVDD_MC,
            Method.SVDD_RAW, Method.SVDD_SOFT, Method.BEAM, Method.DPS, Method.CLASSIFIER_GUIDANCE};

    @Test
    void dnaTransformerSamplesDoNotDependOnTheirBatch() {
        Init init = new Init(cpu, DType.F32, new Rng(0));
        DiffusionModel model = new DiffusionModel.Sequences(new SequenceTransformer(new SequenceTransformer.Config(4, 24, 32, 2, 4, 2, 3), init),
                new MaskedProcess(4, MaskSchedule.logLinear()), Vocabulary.DNA);
        MotifReward motif = new MotifReward(new MotifFile.Motif("M1", "toy", new double[][]{{10, 0, 0, 0}, {0, 0, 0, 10}, {0, 0, 10, 0}}));
        ValueNet net = new ValueNet(new ValueNet.Config(ValueNet.Domain.SEQUENCE, 4, 24, 8), new Init(cpu, DType.F32, new Rng(1)));
        check(model, motif, net, 6);
    }

    @Test
    void imageUNetSamplesDoNotDependOnTheirBatch() {
        Init init = new Init(cpu, DType.F32, new Rng(0));
        DiffusionModel model = DiffusionModel.images(new UNet2D.Config(1, 8, 8, new int[]{1, 2}, 1, new int[]{4}, 4, 2), init);
        ValueNet net = new ValueNet(new ValueNet.Config(ValueNet.Domain.IMAGE, 1, 8, 8), new Init(cpu, DType.F32, new Rng(1)));
        check(model, new MeanPixel(), net, 4);
    }

    private void check(DiffusionModel model, Reward.Differentiable reward, ValueNet net, int steps) {
        Method.Settings s = Method.Settings.defaults(3).withM(3);
        for (Method m : CHAIN_INDEPENDENT) {
            float[] whole = run(model, reward, net, steps, m, s, new int[]{N});
            for (int[] split : SPLITS)
                assertArrayEquals(whole, run(model, reward, net, steps, m, s, split), m.cliName() + ": batches " + java.util.Arrays.toString(split) + " vs one");
        }
        // the streams differ per sample: two samples of one batch are not copies of each other
        float[] x = run(model, reward, net, steps, Method.PRETRAINED, s, new int[]{2});
        float[] a = java.util.Arrays.copyOf(x, x.length / 2), b = java.util.Arrays.copyOfRange(x, x.length / 2, x.length);
        assertFalse(java.util.Arrays.equals(a, b));
    }

    /** The N samples of method m drawn batch by batch with the given sizes, from the streams of seed 11. */
    private float[] run(DiffusionModel model, Reward.Differentiable reward, ValueNet net, int steps, Method m, Method.Settings s, int[] sizes) {
        List<Tensor> parts = new ArrayList<>();
        int first = 0;
        for (int size : sizes) {
            Method.Context c = Method.Context.of(model.proposal(steps), reward, net, reward);
            parts.add(m.run(c, s, Rng.streams(11, first, size)).detach().toDType(DType.F32));
            first += size;
        }
        return F.concat(parts, 0).toFloatArray();
    }

    @Test
    void streamsDependOnlyOnSeedAndIndex() {
        float[] all = Rng.streams(5, 0, 4).randn(cpu, 4, 3).toFloatArray();
        float[] tail = Rng.streams(5, 2, 2).randn(cpu, 2, 3).toFloatArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(all, 6, 12), tail);
        assertFalse(java.util.Arrays.equals(all, Rng.streams(6, 0, 4).randn(cpu, 4, 3).toFloatArray()), "another seed, other draws");
        Rng s = Rng.streams(5, 0, 4);
        assertThrows(IllegalStateException.class, s::uniform, "a scalar draw must name its sample's stream");
        assertThrows(IllegalArgumentException.class, () -> s.randn(cpu, 3, 3), "9 draws do not split over 4 samples");
        assertThrows(IllegalArgumentException.class, () -> Samplers.bestOfN(null, null, 3, 2, Rng.streams(1, 0, 2)));
    }
}

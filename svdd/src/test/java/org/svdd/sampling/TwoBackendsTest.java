package org.svdd.sampling;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.diffusion.data.MotifFile;
import org.svdd.diffusion.model.SequenceTransformer;
import org.svdd.diffusion.model.UNet2D;
import org.svdd.diffusion.process.MaskSchedule;
import org.svdd.diffusion.process.MaskedProcess;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.diffusion.train.Trainer;
import org.svdd.reward.MotifReward;
import org.svdd.tensor.Backend;
import org.svdd.tensor.Backends;
import org.svdd.tensor.DType;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.nn.Init;
import org.svdd.value.ValueNet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Two backends in one JVM (CPU rewards beside a CUDA denoiser, one backend per Spark task): a model, value net or
 * reward runs on the backend it was loaded on or given, whatever the process-wide default {@link Backends#current()} is.
 */
class TwoBackendsTest {
    private final Backend reference = Backends.select("reference");
    private final Backend cpu = Backends.select("cpu");

    @Test
    void modelsLoadedOnTwoBackendsSampleOnTheirOwn(@TempDir Path dir) throws IOException {
        assertNotSame(reference.getClass(), cpu.getClass());
        Init init = new Init(reference, DType.F32, new Rng(0));
        Path dna = dir.resolve("dna.safetensors"), unet = dir.resolve("unet.safetensors");
        Trainer.export(dna, new DiffusionModel.Sequences(new SequenceTransformer(new SequenceTransformer.Config(4, 16, 16, 1, 2, 2, 3), init),
                new MaskedProcess(4, MaskSchedule.logLinear()), org.svdd.diffusion.data.Vocabulary.DNA));
        Trainer.export(unet, DiffusionModel.images(new UNet2D.Config(1, 8, 8, new int[]{1, 2}, 1, new int[]{4}, 4, 2), init));
        for (Path file : new Path[]{dna, unet}) {
            DiffusionModel onReference = DiffusionModel.load(file, reference), onCpu = DiffusionModel.load(file, cpu);
            assertSame(reference, onReference.module().backend(), file + ": weights on the reference backend");
            assertSame(cpu, onCpu.module().backend(), file + ": weights on the cpu backend");
            Tensor a = Grad.noGrad(() -> Proposal.sample(onReference.proposal(3), 2, new Rng(1)));
            Tensor b = Grad.noGrad(() -> Proposal.sample(onCpu.proposal(3), 2, new Rng(1)));
            assertSame(reference, a.backend(), file + ": samples of the reference model");
            assertSame(cpu, b.backend(), file + ": samples of the cpu model");
            assertArrayEquals(a.shape(), b.shape());
        }
    }

    @Test
    void rewardsAndValueNetsFollowTheirInputs(@TempDir Path dir) throws IOException {
        MotifReward motif = new MotifReward(new MotifFile.Motif("M1", "toy", new double[][]{{10, 0, 0, 0}, {0, 0, 0, 10}, {0, 0, 10, 0}}));
        ValueNet.Config config = new ValueNet.Config(ValueNet.Domain.SEQUENCE, 4, 8, 8);
        Path file = dir.resolve("v.safetensors");
        new ValueNet(config, new Init(cpu, DType.F32, new Rng(2))).save(file, Map.of());
        long[] ids = {1, 1, 0, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4};    // CATGCCCC; CCCCCCC then MASK
        double[] expected = null;
        for (Backend backend : new Backend[]{reference, cpu, reference}) {
            Tensor x = backend.upload(HostStorage.of(ids), 2, 8);
            Tensor scores = motif.forward(F.oneHot(x, 5).slice(2, 0, 4));
            assertSame(backend, scores.backend(), "motif scores on " + backend.name());
            assertArrayEquals(new double[]{motif.score(x)[0], motif.score(x)[1]}, scores.toDoubleArray(), 1e-4, "relaxed score of one-hot rows");
            ValueNet net = ValueNet.load(file, backend);
            Tensor t = ValueNet.times(backend, 2, 0.5);
            assertSame(backend, Grad.noGrad(() -> net.forward(ValueNet.input(net.config(), x), t)).backend(), "values on " + backend.name());
            double[] v = net.values(x, 0.5);
            if (expected == null) expected = v;
            else assertArrayEquals(expected, v, 1e-5, "the same net on " + backend.name());
            assertEquals(2, v.length);
        }
    }
}

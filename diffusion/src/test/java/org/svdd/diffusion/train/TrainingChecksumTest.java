package org.svdd.diffusion.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.diffusion.model.ImageClassifier;
import org.svdd.diffusion.model.SequenceTransformer;
import org.svdd.diffusion.model.UNet2D;
import org.svdd.diffusion.process.MaskSchedule;
import org.svdd.diffusion.process.MaskedProcess;
import org.svdd.tensor.Backends;
import org.svdd.tensor.Checksums;
import org.svdd.tensor.io.Safetensors;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A few seeded steps of each trainer end in exactly these weights and checkpoints: the checksums pin the bits, so a
 * change to a training loop ({@link TrainingLoop}) or a kernel that moves them shows here. They were recorded before
 * the three training loops were made one, and again when every SGEMM path took the same fma chain per element.
 */
class TrainingChecksumTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path dir;

    private String checkpoint(String name) throws IOException {
        return Checksums.of(Safetensors.read(dir.resolve(name)).tensors());
    }

    @Test
    void maskedDiffusionTrainerBits() throws IOException {
        long[] t = new long[12 * 16];
        for (int i = 0; i < t.length; i++) t[i] = (i * 5 + i / 16) % 4;
        Trainer.Config cfg = new Trainer.Config(6, 3, 2e-3, 2, 0.9, 0.5, 4, 11);
        DiffusionModel m = Trainer.train(Backends.current(), init -> new DiffusionModel.Sequences(new SequenceTransformer(new SequenceTransformer.Config(4, 16, 16, 1, 2, 2, 3), init),
                new MaskedProcess(4, MaskSchedule.logLinear()), org.svdd.diffusion.data.Vocabulary.DNA), Trainer.tokens(t, 12, 16), cfg, dir.resolve("dna.safetensors"), false, QUIET);
        assertEquals("-16.11386955857597 937424080", Checksums.of(m.module().namedParameters()));
        assertEquals("-32.449684723823616 -283129769", checkpoint("dna.safetensors"));
    }

    @Test
    void gaussianDiffusionTrainerBits() throws IOException {
        float[] px = new float[6 * 64];
        for (int i = 0; i < px.length; i++) px[i] = (float) Math.sin(i * 0.37);
        Trainer.Config cfg = new Trainer.Config(4, 2, 1e-3, 1, 0.8, 1.0, 3, 4);
        DiffusionModel m = Trainer.train(Backends.current(), init -> DiffusionModel.images(new UNet2D.Config(1, 8, 8, new int[]{1, 2}, 1, new int[]{4}, 4, 2), init),
                Trainer.images(px, 6, 8), cfg, dir.resolve("unet.safetensors"), false, QUIET);
        assertEquals("344.37425515971427 1543062805", Checksums.of(m.module().namedParameters()));
        assertEquals("688.796813622143 1750089601", checkpoint("unet.safetensors"));
    }

    @Test
    void classifierTrainerBits() throws IOException {
        ClassifierTrainer.Config cfg = new ClassifierTrainer.Config(10, 6, 5e-3, 3, 0.05, 0.7, 4, 1, 0.2, 9);
        ImageClassifier c = ClassifierTrainer.train(Backends.current(), ClassifierTrainerTest.TINY, ClassifierTrainerTest.squares(30, 5), null, cfg, dir.resolve("clf.safetensors"), false, QUIET);
        assertEquals("11.042254156258423 -1900528167", Checksums.of(c.namedParameters()));
        assertEquals("11.042254156258423 2102610747", checkpoint("clf.safetensors"));
        ClassifierTrainer.train(Backends.current(), ClassifierTrainerTest.TINY, ClassifierTrainerTest.squares(30, 5), null, cfg, dir.resolve("killed.safetensors"), false, QUIET, 9);
        assertEquals("11.187366042082258 -1818919077", checkpoint("killed.safetensors"));
    }
}

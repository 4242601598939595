package org.svdd.diffusion.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.tensor.Backends;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.io.CheckpointException;
import org.svdd.tensor.io.Safetensors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An interrupted run resumed from its checkpoint ends bit-identical to an uninterrupted one. */
class TrainerTest {
    @TempDir
    Path dir;

    private static final java.util.function.Function<org.svdd.tensor.nn.Init, DiffusionModel> DNA =
            init -> DiffusionModel.Sequences.create(org.svdd.diffusion.model.SequenceTransformer.Config.small(4, 128), org.svdd.diffusion.data.Vocabulary.DNA, init);

    private static Trainer.Data data() {
        long[] t = new long[16 * 128];
        for (int i = 0; i < t.length; i++) t[i] = (i * 7 + i / 128) % 4;
        return Trainer.tokens(t, 16, 128);
    }

    @Test
    void resumeContinuesExactly() throws IOException {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Trainer.Config six = new Trainer.Config(6, 2, 1e-3, 2, 0.9, 1.0, 3, 7);
        Path straight = dir.resolve("straight.safetensors");
        DiffusionModel a = Trainer.train(Backends.current(), DNA, data(), six, straight, false, quiet);

        Path resumed = dir.resolve("resumed.safetensors");
        Trainer.train(Backends.current(), DNA, data(), six, resumed, false, quiet, 4);      // killed during step 5

        assertEquals("3", Safetensors.readHeader(resumed).metadata().get("train.step"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        DiffusionModel b = Trainer.train(Backends.current(), DNA, data(), six, resumed, true, new PrintStream(log));
        assertTrue(log.toString().contains("resuming"), log.toString());
        Map<String, Tensor> pa = a.module().namedParameters(), pb = b.module().namedParameters();
        for (String k : pa.keySet()) assertArrayEquals(pa.get(k).toFloatArray(), pb.get(k).toFloatArray(), k);

        DiffusionModel loaded = DiffusionModel.load(straight, Backends.current());
        assertArrayEquals(pa.get("head.weight").toFloatArray(), loaded.module().namedParameters().get("head.weight").toFloatArray());
    }

    @Test
    void loadingSomethingElseIsAClearError() throws IOException {
        Path f = dir.resolve("other.safetensors");
        Safetensors.write(f, Map.of("w", Tensor.zeros(2)), Map.of());
        CheckpointException e = assertThrows(CheckpointException.class, () -> DiffusionModel.load(f, Backends.current()));
        assertTrue(e.getMessage().contains("kind") && e.getMessage().contains(f.toString()), e.getMessage());
        Path g = dir.resolve("bad.safetensors");
        Safetensors.write(g, Map.of("w", Tensor.zeros(2)), Map.of("kind", "DNA_TRANSFORMER", "transformer.vocab", "4", "transformer.length", "8",
                "transformer.dim", "16", "transformer.layers", "1", "transformer.heads", "2", "transformer.mlpRatio", "2", "transformer.typo", "1"));
        e = assertThrows(CheckpointException.class, () -> DiffusionModel.load(g, Backends.current()));
        assertTrue(e.getMessage().contains("transformer.typo"), e.getMessage());
        assertTrue(Files.exists(g));
    }
}

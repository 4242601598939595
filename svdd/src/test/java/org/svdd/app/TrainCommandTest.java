package org.svdd.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.diffusion.data.DnaDataset;
import org.svdd.tensor.io.Safetensors;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** `svdd train --init`: a warm start from a committed checkpoint, and the error for a checkpoint of another task. */
class TrainCommandTest {
    private static final Path DNA = Path.of("../models/dna-transformer.safetensors");
    private static final Path UNET = Path.of("../models/fashion-unet.safetensors");

    @Test
    void initStartsFromTheCheckpointsWeights(@TempDir Path dir) throws Exception {
        assumeTrue(DnaDataset.locateDmUpstream() != null, "fly promoters not installed (scripts/fetch-data.sh)");
        Path export = dir.resolve("export.safetensors");
        // one step at a negligible learning rate: the exported EMA weights must be the initial ones
        Object[] r = Cli.run("train", "--task", "dna", "--init", DNA.toString(), "--steps", "1", "--lr", "1e-12", "--batch", "2",
                "--out", dir.resolve("run.safetensors").toString(), "--export", export.toString());
        assertEquals(0, (int) r[0], (String) r[1]);
        Map<String, org.svdd.tensor.Tensor> init = Safetensors.read(DNA).tensors(), out = Safetensors.read(export).tensors();
        assertEquals(init.keySet(), out.keySet());
        for (String name : init.keySet())
            assertArrayEquals(init.get(name).toDoubleArray(), out.get(name).toDoubleArray(), 1e-6, name);
    }

    @Test
    void initFromAnotherTasksModelIsNamed(@TempDir Path dir) {
        assumeTrue(DnaDataset.locateDmUpstream() != null, "fly promoters not installed (scripts/fetch-data.sh)");
        Object[] r = Cli.run("train", "--task", "dna", "--init", UNET.toString(), "--steps", "1", "--batch", "2",
                "--out", dir.resolve("run.safetensors").toString());
        assertTrue((int) r[0] != 0);
        assertTrue(((String) r[1]).contains("holds a FASHION_UNET model, not DNA_TRANSFORMER"), (String) r[1]);
    }
}

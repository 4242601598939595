package org.svdd.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.io.Safetensors;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The naturalness column is the same yardstick for every image model, whatever loss weighting trained it. */
class TaskTest {
    private static final Path UNET = Path.of("../models/fashion-unet.safetensors");

    @Test
    void naturalnessIgnoresTheTrainingLossWeighting(@TempDir Path dir) throws Exception {
        Safetensors.Checkpoint ck = Safetensors.read(UNET);
        Map<String, String> meta = new LinkedHashMap<>(ck.metadata());
        meta.put("process.lossWeighting", "min-snr:5");
        Path minSnr = dir.resolve("min-snr.safetensors");
        Safetensors.write(minSnr, ck.tensors(), meta);

        Task plain = Task.open(UNET, null, null, dir, Task.ExecOptions.defaults());
        Task weighted = Task.open(minSnr, null, null, dir, Task.ExecOptions.defaults());
        Tensor x = new Rng(3).uniform(-1, 1, 16, 1, 32, 32);
        assertEquals(plain.naturalness(x), weighted.naturalness(x), 0);
        // the model itself does train with the stored weighting
        assertNotEquals(plain.model.loss(x, new Rng(1)).item(), weighted.model.loss(x, new Rng(1)).item());
    }
}

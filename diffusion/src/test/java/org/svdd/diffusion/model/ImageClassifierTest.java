package org.svdd.diffusion.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.tensor.Backends;
import org.svdd.tensor.F;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.io.CheckpointException;
import org.svdd.tensor.io.Safetensors;
import org.svdd.tensor.nn.Init;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shapes, gradients to the input and every parameter, checkpoint round trip, and clear errors for other files. */
class ImageClassifierTest {
    private static final ImageClassifier.Config TINY = new ImageClassifier.Config(1, 8, new int[]{4, 8}, 1, 16, 3, 2);

    @TempDir
    Path dir;

    @Test
    void shapesAndGradientsReachInputAndParameters() {
        ImageClassifier net = new ImageClassifier(TINY, Init.of(new Rng(1)));
        Tensor x = new Rng(2).uniform(-1, 1, 5, 1, 8, 8).requiresGrad(true);
        Tensor logits = net.logits(x);
        assertArrayEquals(new int[]{5, 3}, logits.shape());
        F.crossEntropy(logits, Tensor.ofInts(new int[]{0, 1, 2, 0, 1}, 5)).mean().backward();
        assertNotNull(x.grad(), "no gradient reached the input");
        assertArrayEquals(x.shape(), x.grad().shape());
        for (Map.Entry<String, Tensor> e : net.namedParameters().entrySet()) assertNotNull(e.getValue().grad(), "no gradient reached " + e.getKey());

        float[] p = net.probabilities(x.detach());
        assertEquals(15, p.length);
        for (int r = 0; r < 5; r++) assertEquals(1.0, p[3 * r] + p[3 * r + 1] + p[3 * r + 2], 1e-5);
        Tensor row = net.logits(x.detach().slice(0, 2, 3));                               // a row does not depend on its batch
        assertArrayEquals(logits.detach().slice(0, 2, 3).toFloatArray(), row.toFloatArray(), 1e-5f);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.logits(Tensor.zeros(1, 1, 16, 16)));
        assertTrue(e.getMessage().contains("(1, 1, 16, 16)") || e.getMessage().contains("16"), e.getMessage());
        assertEquals(10, ImageClassifier.Config.small().classes());
        assertThrows(IllegalArgumentException.class, () -> new ImageClassifier.Config(1, 12, new int[]{4, 8, 8}, 1, 16, 3, 2));   // 12 not divisible by 8
        assertThrows(IllegalArgumentException.class, () -> new ImageClassifier.Config(1, 8, new int[]{6}, 1, 16, 3, 4));          // 6 channels, 4 groups
    }

    @Test
    void saveAndLoadRoundTrip() throws IOException {
        ImageClassifier net = new ImageClassifier(TINY, Init.of(new Rng(3)));
        Path f = dir.resolve("clf.safetensors");
        net.save(f);
        ImageClassifier back = ImageClassifier.load(f, Backends.current());
        assertEquals(TINY, back.config());
        assertEquals(ImageClassifier.KIND, Safetensors.readHeader(f).metadata().get("kind"));
        Tensor x = new Rng(4).uniform(-1, 1, 3, 1, 8, 8);
        assertArrayEquals(net.logits(x).toFloatArray(), back.logits(x).toFloatArray());
    }

    @Test
    void otherFilesAreRefusedWithTheFileAndTheProblemNamed() throws IOException {
        Path plain = dir.resolve("plain.safetensors");
        Safetensors.write(plain, Map.of("w", Tensor.zeros(2)), Map.of());
        CheckpointException e = assertThrows(CheckpointException.class, () -> ImageClassifier.load(plain, Backends.current()));
        assertTrue(e.getMessage().contains(plain.toString()) && e.getMessage().contains("not an image classifier"), e.getMessage());

        Path unet = dir.resolve("unet.safetensors");                                    // the metadata of a diffusion model
        Map<String, String> meta = new LinkedHashMap<>(Configs.toMap("unet", UNet2D.Config.small()));
        meta.put("kind", "FASHION_UNET");
        Safetensors.write(unet, Map.of("ema.w", Tensor.zeros(2)), meta);
        e = assertThrows(CheckpointException.class, () -> ImageClassifier.load(unet, Backends.current()));
        assertTrue(e.getMessage().contains("FASHION_UNET") && e.getMessage().contains("not an image classifier"), e.getMessage());

        Path clf = dir.resolve("clf.safetensors");                                      // and the other way round
        new ImageClassifier(TINY, Init.of(new Rng(5))).save(clf);
        e = assertThrows(CheckpointException.class, () -> DiffusionModel.load(clf, Backends.current()));
        assertTrue(e.getMessage().contains(ImageClassifier.KIND), e.getMessage());

        Path wrongShape = dir.resolve("wrong.safetensors");                              // config and weights disagree
        Map<String, String> m = new ImageClassifier(TINY, Init.of(new Rng(6))).metadata();
        m.put("classifier.hidden", "12");
        Map<String, Tensor> t = new LinkedHashMap<>();
        new ImageClassifier(TINY, Init.of(new Rng(6))).namedParameters().forEach((k, v) -> t.put("model." + k, v));
        Safetensors.write(wrongShape, t, m);
        e = assertThrows(CheckpointException.class, () -> ImageClassifier.load(wrongShape, Backends.current()));
        assertTrue(e.getMessage().contains(wrongShape.toString()) && e.getMessage().contains("head.hidden.weight"), e.getMessage());

        Path typo = dir.resolve("typo.safetensors");
        Map<String, String> mt = new ImageClassifier(TINY, Init.of(new Rng(7))).metadata();
        mt.put("classifier.dropout", "0.1");
        Safetensors.write(typo, t, mt);
        e = assertThrows(CheckpointException.class, () -> ImageClassifier.load(typo, Backends.current()));
        assertTrue(e.getMessage().contains("classifier.dropout"), e.getMessage());
    }
}

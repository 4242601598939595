package org.svdd.diffusion.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.diffusion.data.ImageDataset;
import org.svdd.diffusion.model.ImageClassifier;
import org.svdd.tensor.Backends;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.io.Safetensors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The classifier trainer learns an easy synthetic task, resumes exactly, and leaves a small final checkpoint. */
class ClassifierTrainerTest {
    static final ImageClassifier.Config TINY = new ImageClassifier.Config(1, 8, new int[]{4, 8}, 1, 16, 3, 2);

    @TempDir
    Path dir;

    /** 8x8 images of class k: a bright 3x3 square at one of three places on a noisy background. */
    static ImageDataset squares(int count, long seed) {
        Rng rng = new Rng(seed);
        float[] px = new float[count * 64];
        int[] labels = new int[count];
        for (int n = 0; n < count; n++) {
            int k = n % 3, top = 1 + 2 * k, left = k == 1 ? 4 : 1;
            labels[n] = k;
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    boolean on = y >= top && y < top + 3 && x >= left && x < left + 3;
                    px[n * 64 + y * 8 + x] = (float) Math.max(-1, Math.min(1, (on ? 0.8 : -0.9) + 0.1 * rng.normal()));
                }
            }
        }
        return new ImageDataset(px, count, 8, 8, labels);
    }

    @Test
    void learnsResumesExactlyAndWritesWeightsOnlyAtTheEnd() throws IOException {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        ClassifierTrainer.Config cfg = new ClassifierTrainer.Config(24, 12, 1e-2, 3, 0.01, 1.0, 8, 1, 0.1, 3);
        ImageDataset train = squares(60, 1), test = squares(30, 2);
        Path straight = dir.resolve("straight.safetensors");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ImageClassifier a = ClassifierTrainer.train(Backends.current(), TINY, train, test, cfg, straight, false, new PrintStream(log));
        assertTrue(log.toString().contains("test set: 30 images: accuracy"), log.toString());
        ClassifierTrainer.Evaluation e = ClassifierTrainer.evaluate(a, test, 7);
        assertEquals(30, e.count());
        assertTrue(e.accuracy() > 0.9, "test accuracy " + e.accuracy());
        int images = 0, sure = 0;
        for (int[] c : e.byClass()) {
            assertTrue(c[1] >= 0 && c[1] <= c[0], java.util.Arrays.toString(c));
            images += c[0];
            sure += c[1];
        }
        assertEquals(30, images);
        assertEquals(e.confident(), sure / 30.0, 1e-12);
        Map<String, String> meta = Safetensors.readHeader(straight).metadata();
        assertEquals("24", meta.get("train.step"));
        assertEquals(String.format("%.4f", e.accuracy()), meta.get("eval.testAccuracy"));
        assertFalse(Safetensors.read(straight).tensors().keySet().stream().anyMatch(k -> k.startsWith("opt.")), "the final checkpoint keeps optimiser state");

        Path resumed = dir.resolve("resumed.safetensors");
        ClassifierTrainer.train(Backends.current(), TINY, train, null, cfg, resumed, false, quiet, 12);     // killed during step 13
        assertEquals("8", Safetensors.readHeader(resumed).metadata().get("train.step"));
        assertTrue(Safetensors.read(resumed).tensors().keySet().stream().anyMatch(k -> k.startsWith("opt.")));
        log.reset();
        ImageClassifier b = ClassifierTrainer.train(Backends.current(), TINY, train, null, cfg, resumed, true, new PrintStream(log));
        assertTrue(log.toString().contains("resuming"), log.toString());
        Map<String, Tensor> pa = a.namedParameters(), pb = b.namedParameters();
        for (String k : pa.keySet()) assertArrayEquals(pa.get(k).toFloatArray(), pb.get(k).toFloatArray(), k);
        assertArrayEquals(pa.get("head.out.weight").toFloatArray(), ImageClassifier.load(straight, Backends.current()).namedParameters().get("head.out.weight").toFloatArray());
    }

    @Test
    void augmentationShiftsOnBackgroundAndStaysInRange() {
        float[] px = new float[16];
        Arrays.fill(px, -1f);
        px[5] = 1f;                                                                       // one bright pixel at (1, 1) of a 4x4 image
        ImageDataset one = new ImageDataset(px, 1, 4, 4, new int[]{0});
        float[] same = ClassifierTrainer.augmentedBatch(Backends.current(), one, new int[]{0}, 0, 0, new Rng(1)).toFloatArray();
        assertArrayEquals(px, same);
        for (int seed = 0; seed < 20; seed++) {
            float[] b = ClassifierTrainer.augmentedBatch(Backends.current(), one, new int[]{0, 0}, 1, 0, new Rng(seed)).toFloatArray();
            for (int r = 0; r < 2; r++) {
                int bright = 0, at = -1;
                for (int i = 0; i < 16; i++) if (b[r * 16 + i] == 1f) { bright++; at = i; } else assertEquals(-1f, b[r * 16 + i]);
                assertEquals(1, bright);
                int y = at / 4, x = at % 4;
                assertTrue(y <= 2 && x <= 2, "shift of more than one pixel: " + y + ", " + x);
            }
            float[] noisy = ClassifierTrainer.augmentedBatch(Backends.current(), one, new int[]{0}, 0, 0.5, new Rng(seed)).toFloatArray();
            for (float v : noisy) assertTrue(v >= -1f && v <= 1f, "pixel " + v + " outside [-1, 1]");
        }
    }
}

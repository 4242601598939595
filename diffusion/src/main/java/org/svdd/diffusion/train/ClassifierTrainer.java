package org.svdd.diffusion.train;

import org.svdd.tensor.Backend;
import org.svdd.diffusion.data.ImageDataset;
import org.svdd.diffusion.model.ImageClassifier;
import org.svdd.tensor.F;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.nn.Module;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Supervised training of an {@link ImageClassifier} with cross-entropy in the {@link TrainingLoop} (AdamW with warm-up
 * and cosine decay, gradient clipping, exact resumption) and light augmentation: a random shift of up to
 * {@code maxShift} pixels on a background canvas, then Gaussian pixel noise of a per-image standard deviation drawn from
 * U(0, maxNoise), clipped to [-1, 1], so that the classifier also reads slightly imperfect diffusion samples. Step s
 * draws its batch and augmentation from the step's generator.
 * <p>
 * The checkpoint is rewritten atomically every {@code checkpointEvery} steps with the optimiser state (so a killed run
 * resumes exactly) and at the end with the weights alone (the small file to commit).
 */
public final class ClassifierTrainer {
    /**
     * Training settings; {@link #defaults} has the values used for the committed Fashion-MNIST classifier.
     *
     * @param maxShift largest random translation in pixels (0: none)
     * @param maxNoise largest per-image standard deviation of the added pixel noise (0: none)
     */
    public record Config(int steps, int batch, double lr, int warmup, double weightDecay, double clip, int checkpointEvery, int maxShift, double maxNoise, long seed) {
        public Config {
            if (maxShift < 0 || !(maxNoise >= 0)) throw new IllegalArgumentException("invalid classifier augmentation: shift " + maxShift + ", noise " + maxNoise);
            loop(steps, batch, lr, warmup, weightDecay, clip, checkpointEvery, seed);       // checks the rest
        }

        /** The loop's settings: these, the cosine's floor at 2% of lr and the golden-ratio step seed. */
        public TrainingLoop.Config loop() {
            return loop(steps, batch, lr, warmup, weightDecay, clip, checkpointEvery, seed);
        }

        private static TrainingLoop.Config loop(int steps, int batch, double lr, int warmup, double weightDecay, double clip, int checkpointEvery, long seed) {
            return new TrainingLoop.Config(steps, batch, lr, warmup, 0.02, weightDecay, clip, checkpointEvery, seed, TrainingLoop.StepSeed.GOLDEN_RATIO);
        }

        public static Config defaults() {
            return new Config(5000, 64, 2e-3, 200, 0.05, 1.0, 500, 2, 0.1, 1);
        }
    }

    /** The largest class probability above which an image counts as recognised (real test images and samples alike). */
    public static final double CONFIDENT = 0.9;

    /**
     * Classifier quality on a labelled set.
     *
     * @param accuracy       fraction whose most probable class is the label
     * @param meanConfidence mean of the largest class probability
     * @param confident      fraction whose largest class probability exceeds {@link #CONFIDENT}
     * @param byClass        per most probable class: [images, of those with max-probability > CONFIDENT], the way samples,
     *                       which have no label, are counted
     */
    public record Evaluation(int count, double accuracy, double meanConfidence, double confident, int[][] byClass) {
        /** The fraction of the images classified as c whose largest class probability exceeds {@link #CONFIDENT}. */
        public double confident(int c) {
            return byClass[c][0] == 0 ? 0 : (double) byClass[c][1] / byClass[c][0];
        }

        @Override
        public String toString() {
            return String.format("%d images: accuracy %.4f, mean max-probability %.4f, p > %s for %.4f", count, accuracy, meanConfidence, CONFIDENT, confident);
        }
    }

    private ClassifierTrainer() {
    }

    /**
     * Trains (or resumes, when {@code checkpoint} exists and resume is set) and returns the classifier in eval mode.
     * When {@code test} is not null, the final classifier is evaluated on it, the result printed and stored in the
     * checkpoint metadata as "eval.*".
     */
    public static ImageClassifier train(Backend backend, ImageClassifier.Config model, ImageDataset data, ImageDataset test, Config cfg, Path checkpoint, boolean resume,
                                        PrintStream out) throws IOException {
        return train(backend, model, data, test, cfg, checkpoint, resume, out, cfg.steps());
    }

    /** As above, but stops (as if killed) once {@code stopAt} steps are done: for testing resumption. */
    static ImageClassifier train(Backend backend, ImageClassifier.Config modelConfig, ImageDataset data, ImageDataset test, Config cfg, Path checkpoint, boolean resume,
                                 PrintStream out, long stopAt) throws IOException {
        if (data.height() != modelConfig.imageSize() || data.width() != modelConfig.imageSize()) {
            throw new IllegalArgumentException("classifier for " + modelConfig.imageSize() + "x" + modelConfig.imageSize() + " images, data is " + data.height() + "x" + data.width());
        }
        return TrainingLoop.train(backend, cfg.loop(), (init, from) -> {
            if (from == null) return new Supervised(new ImageClassifier(modelConfig, init), data, test, cfg, checkpoint, out);
            ImageClassifier model = ImageClassifier.fromMetadata(checkpoint, from.metadata(), init);
            model.loadState(checkpoint, from.tensors());
            return new Supervised(model, data, test, cfg, checkpoint, out);
        }, checkpoint, resume, out, stopAt).model();
    }

    /**
     * Cross-entropy on augmented batches, with the smoothed batch accuracy beside the loss. Checkpoints in between hold
     * the optimiser state; the last holds the weights alone, with the test-set evaluation in its metadata.
     */
    private record Supervised(ImageClassifier model, ImageDataset data, ImageDataset test, Config cfg, Path file, PrintStream out,
                              TrainingLoop.Smoothed smoothedAccuracy) implements TrainingLoop.Run {
        Supervised(ImageClassifier model, ImageDataset data, ImageDataset test, Config cfg, Path file, PrintStream out) {
            this(model, data, test, cfg, file, out, new TrainingLoop.Smoothed());
        }

        @Override
        public Module module() {
            return model;
        }

        @Override
        public int count() {
            return data.count();
        }

        @Override
        public Tensor loss(int[] rows, Rng rng) {
            Tensor x = augmentedBatch(model.backend(), data, rows, cfg.maxShift(), cfg.maxNoise(), rng);
            int[] labels = new int[rows.length];
            for (int i = 0; i < rows.length; i++) labels[i] = data.labels()[rows[i]];
            Tensor logits = model.logits(x);                                              // (B, classes)
            smoothedAccuracy.add(accuracy(logits.detach().toFloatArray(), labels, model.config().classes()));
            return F.crossEntropy(logits, logits.backend().upload(HostStorage.of(labels), labels.length)).mean();
        }

        @Override
        public String progress(double smoothedLoss) {
            return String.format("loss %.4f acc %.3f", smoothedLoss, smoothedAccuracy.value());
        }

        @Override
        public String summary() {
            return String.format("image classifier: %,d parameters, %d training images, batch %d, %d steps (%.1f epochs)", model.numParameters(), data.count(),
                    cfg.batch(), cfg.steps(), (double) cfg.steps() * cfg.batch() / data.count());
        }

        @Override
        public void save(long step, Map<String, Tensor> optimizer, boolean last) throws IOException {
            Map<String, String> meta = TrainingLoop.metadata(step, cfg);
            if (!last) {
                model.save(file, TrainingLoop.prefixed(TrainingLoop.OPTIMIZER_PREFIX, optimizer), meta);
                return;
            }
            model.eval();
            if (test != null) {
                Evaluation e = evaluate(model, test, 250);
                out.println("test set: " + e);
                meta.put("eval.testAccuracy", String.format("%.4f", e.accuracy()));
                meta.put("eval.testImages", Integer.toString(e.count()));
            }
            model.save(file, Map.of(), meta);
        }

        @Override
        public void alreadyTrained() {
            if (test != null) out.println("test set: " + evaluate(model, test, 250));
        }
    }

    /**
     * The images at rows as a (B, 1, H, W) batch, each shifted by (dy, dx) uniform in [-maxShift, maxShift] (the
     * uncovered border is background, -1), then given N(0, s^2) pixel noise with s ~ U(0, maxNoise), clipped to [-1, 1].
     */
    static Tensor augmentedBatch(Backend backend, ImageDataset data, int[] rows, int maxShift, double maxNoise, Rng rng) {
        int h = data.height(), w = data.width(), per = h * w;
        float[] b = new float[rows.length * per];
        Arrays.fill(b, -1f);
        for (int i = 0; i < rows.length; i++) {
            int dy = maxShift == 0 ? 0 : rng.nextInt(2 * maxShift + 1) - maxShift;
            int dx = maxShift == 0 ? 0 : rng.nextInt(2 * maxShift + 1) - maxShift;
            int src = rows[i] * per, dst = i * per;
            for (int y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
                int x0 = Math.max(0, dx), x1 = Math.min(w, w + dx);
                System.arraycopy(data.pixels(), src + (y - dy) * w + (x0 - dx), b, dst + y * w + x0, x1 - x0);
            }
            if (maxNoise > 0) {
                double s = rng.uniform() * maxNoise;
                for (int k = dst; k < dst + per; k++) b[k] = (float) Math.max(-1, Math.min(1, b[k] + s * rng.normal()));
            }
        }
        return backend.upload(HostStorage.of(b), rows.length, 1, h, w);
    }

    private static double accuracy(float[] logits, int[] labels, int classes) {
        int right = 0;
        for (int r = 0; r < labels.length; r++) if (argmax(logits, r * classes, classes) == labels[r]) right++;
        return (double) right / labels.length;
    }

    /** The index of the largest of a[off .. off + n), the first one on ties. */
    public static int argmax(float[] a, int off, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) if (a[off + j] > a[off + best]) best = j;
        return best;
    }

    /** Accuracy and confidence of the classifier on every image of {@code data}, in batches, without gradients. */
    public static Evaluation evaluate(ImageClassifier model, ImageDataset data, int batch) {
        int classes = model.config().classes(), per = data.height() * data.width(), right = 0, confident = 0;
        int[][] byClass = new int[classes][2];
        double conf = 0;
        for (int done = 0; done < data.count(); done += batch) {
            int b = Math.min(batch, data.count() - done);
            Tensor x = model.backend().upload(HostStorage.of(Arrays.copyOfRange(data.pixels(), done * per, (done + b) * per)), b, 1, data.height(), data.width());
            float[] p = model.probabilities(x);
            for (int r = 0; r < b; r++) {
                int k = argmax(p, r * classes, classes);
                if (k == data.labels()[done + r]) right++;
                double pk = p[r * classes + k];
                conf += pk;
                byClass[k][0]++;
                if (pk > CONFIDENT) {
                    confident++;
                    byClass[k][1]++;
                }
            }
        }
        int n = data.count();
        return new Evaluation(n, (double) right / n, conf / n, (double) confident / n, byClass);
    }
}

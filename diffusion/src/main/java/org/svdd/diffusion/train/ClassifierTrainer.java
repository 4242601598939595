package org.svdd.diffusion.train;

import org.svdd.diffusion.data.ImageDataset;
import org.svdd.diffusion.model.ImageClassifier;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.io.CheckpointException;
import org.svdd.tensor.io.Safetensors;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.optim.AdamW;
import org.svdd.tensor.optim.CosineSchedule;
import org.svdd.tensor.optim.GradClip;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Supervised training of an {@link ImageClassifier} with cross-entropy: AdamW with warm-up and cosine decay, gradient
 * clipping, light augmentation (a random shift of up to {@code maxShift} pixels on a background canvas, then Gaussian
 * pixel noise of a per-image standard deviation drawn from U(0, maxNoise), clipped to [-1, 1]) so that the classifier
 * also reads slightly imperfect diffusion samples. Step s draws its batch and augmentation from {@code Rng(seed, s)}.
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
            if (steps < 1 || batch < 1 || lr <= 0 || warmup < 0 || weightDecay < 0 || clip <= 0 || checkpointEvery < 1 || maxShift < 0 || maxNoise < 0) {
                throw new IllegalArgumentException("invalid classifier training config " + this);
            }
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

    private static Rng stepRng(long seed, long step) {
        return new Rng(seed * 0x9E3779B97F4A7C15L + step);
    }

    /**
     * Trains (or resumes, when {@code checkpoint} exists and resume is set) and returns the classifier in eval mode.
     * When {@code test} is not null, the final classifier is evaluated on it, the result printed and stored in the
     * checkpoint metadata as "eval.*".
     */
    public static ImageClassifier train(ImageClassifier.Config model, ImageDataset data, ImageDataset test, Config cfg, Path checkpoint, boolean resume,
                                        PrintStream out) throws IOException {
        return train(model, data, test, cfg, checkpoint, resume, out, cfg.steps());
    }

    /** As above, but stops (as if killed) once {@code stopAt} steps are done: for testing resumption. */
    static ImageClassifier train(ImageClassifier.Config modelConfig, ImageDataset data, ImageDataset test, Config cfg, Path checkpoint, boolean resume,
                                 PrintStream out, long stopAt) throws IOException {
        if (data.height() != modelConfig.imageSize() || data.width() != modelConfig.imageSize()) {
            throw new IllegalArgumentException("classifier for " + modelConfig.imageSize() + "x" + modelConfig.imageSize() + " images, data is " + data.height() + "x" + data.width());
        }
        ImageClassifier model;
        AdamW opt;
        long start = 0;
        if (resume && Files.exists(checkpoint)) {
            Safetensors.Checkpoint ck = Safetensors.read(checkpoint);
            model = ImageClassifier.fromMetadata(checkpoint, ck.metadata(), Init.of(new Rng(cfg.seed())));
            model.loadState(checkpoint, ck.tensors());
            opt = new AdamW(model.parameters(), new AdamW.Config(cfg.lr(), 0.9, 0.999, 1e-8, cfg.weightDecay()));
            start = Long.parseLong(ck.metadata().getOrDefault("train.step", "0"));
            if (start >= cfg.steps()) {
                out.printf("%s is already trained (%d of %d steps)%n", checkpoint, start, cfg.steps());
                model.eval();
                if (test != null) out.println("test set: " + evaluate(model, test, 250));
                return model;
            }
            Map<String, Tensor> state = Trainer.strip(ck.tensors(), "opt.");
            if (state.isEmpty() && start > 0) throw new CheckpointException(checkpoint, "no optimiser state ('opt.*') to resume from at step " + start);
            try {
                opt.loadState(state, start);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(checkpoint, e.getMessage());
            }
            out.printf("resuming %s from step %d of %d%n", checkpoint, start, cfg.steps());
        } else {
            model = new ImageClassifier(modelConfig, Init.of(new Rng(cfg.seed())));
            opt = new AdamW(model.parameters(), new AdamW.Config(cfg.lr(), 0.9, 0.999, 1e-8, cfg.weightDecay()));
        }
        out.printf("image classifier: %,d parameters, %d training images, batch %d, %d steps (%.1f epochs)%n", model.numParameters(), data.count(), cfg.batch(),
                cfg.steps(), (double) cfg.steps() * cfg.batch() / data.count());
        CosineSchedule schedule = new CosineSchedule(cfg.lr(), cfg.lr() * 0.02, Math.min(cfg.warmup(), cfg.steps()), cfg.steps());
        Progress bar = new Progress(out, "train", start, cfg.steps());
        List<Tensor> params = model.parameters();
        double avgLoss = Double.NaN, avgAcc = Double.NaN;
        model.train();
        int classes = modelConfig.classes();
        for (long step = start; step < Math.min(cfg.steps(), stopAt); step++) {
            Rng rng = stepRng(cfg.seed(), step);
            int[] rows = new int[cfg.batch()];
            for (int i = 0; i < rows.length; i++) rows[i] = rng.nextInt(data.count());
            Tensor x = augmentedBatch(data, rows, cfg.maxShift(), cfg.maxNoise(), rng);
            int[] labels = new int[rows.length];
            for (int i = 0; i < rows.length; i++) labels[i] = data.labels()[rows[i]];
            model.zeroGrad();
            Tensor logits = model.logits(x);                                              // (B, classes)
            Tensor loss = F.crossEntropy(logits, Tensor.ofInts(labels, labels.length)).mean();
            loss.backward();
            GradClip.clipByGlobalNorm(params, cfg.clip());
            opt.update(schedule.lr(step));
            double l = loss.item();
            if (!Double.isFinite(l)) throw new IllegalStateException("loss became " + l + " at step " + step + "; lower the learning rate");
            double acc = accuracy(logits.detach().toFloatArray(), labels, classes);
            avgLoss = Double.isNaN(avgLoss) ? l : 0.98 * avgLoss + 0.02 * l;
            avgAcc = Double.isNaN(avgAcc) ? acc : 0.98 * avgAcc + 0.02 * acc;
            bar.update(step + 1, String.format("loss %.4f acc %.3f", avgLoss, avgAcc));
            boolean last = step + 1 == cfg.steps();
            if (!last && (step + 1) % cfg.checkpointEvery() == 0) {
                Map<String, Tensor> state = new LinkedHashMap<>();
                opt.state().forEach((k, v) -> state.put("opt." + k, v));
                model.save(checkpoint, state, trainMetadata(step + 1, cfg));
            }
            if (last) {
                model.eval();
                Map<String, String> meta = trainMetadata(step + 1, cfg);
                if (test != null) {
                    Evaluation e = evaluate(model, test, 250);
                    out.println("test set: " + e);
                    meta.put("eval.testAccuracy", String.format("%.4f", e.accuracy()));
                    meta.put("eval.testImages", Integer.toString(e.count()));
                }
                model.save(checkpoint, Map.of(), meta);
            }
        }
        model.eval();
        return model;
    }

    private static Map<String, String> trainMetadata(long step, Config cfg) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("train.step", Long.toString(step));
        m.put("train.config", cfg.toString());
        return m;
    }

    /**
     * The images at rows as a (B, 1, H, W) batch, each shifted by (dy, dx) uniform in [-maxShift, maxShift] (the
     * uncovered border is background, -1), then given N(0, s^2) pixel noise with s ~ U(0, maxNoise), clipped to [-1, 1].
     */
    static Tensor augmentedBatch(ImageDataset data, int[] rows, int maxShift, double maxNoise, Rng rng) {
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
        return Tensor.of(b, rows.length, 1, h, w);
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
            Tensor x = Tensor.of(Arrays.copyOfRange(data.pixels(), done * per, (done + b) * per), b, 1, data.height(), data.width());
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

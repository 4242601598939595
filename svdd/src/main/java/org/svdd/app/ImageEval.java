package org.svdd.app;

import org.svdd.diffusion.data.ImageDataset;
import org.svdd.diffusion.model.ImageClassifier;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.ClassifierTrainer;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.diffusion.train.Progress;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.svdd.diffusion.train.ClassifierTrainer.CONFIDENT;

/**
 * Quality of an image diffusion model judged by a trained classifier: the fraction of samples the classifier is sure
 * of (max p > 0.9, the usual proxy for "looks like a real item") and how those spread over the classes, beside the
 * classifier's own accuracy and confidence on real test images as the reference.
 */
final class ImageEval {
    /** Fashion-MNIST's class names, in label order. */
    static final String[] FASHION_LABELS = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
    private static final int BATCH = 32;

    private ImageEval() {
    }

    /** Samples n images (steps reverse DDIM steps with the given eta, seeded), classifies them and prints the report. */
    static void run(DiffusionModel.Images model, Path classifierFile, int n, int steps, double eta, long seed, PrintStream out) throws IOException {
        if (n < 1) throw new IllegalArgumentException("-n must be >= 1");
        ImageClassifier clf = ImageClassifier.load(classifierFile, model.net().backend());
        int size = model.net().config().imageSize(), classes = clf.config().classes();
        if (clf.config().imageSize() != size || clf.config().channels() != model.net().config().channels()) {
            throw new IllegalArgumentException(classifierFile + " classifies " + clf.config().channels() + "x" + clf.config().imageSize() + "x" + clf.config().imageSize()
                    + " images, the model makes " + model.net().config().channels() + "x" + size + "x" + size);
        }
        Path fashion = ImageDataset.locateFashionMnist();
        ClassifierTrainer.Evaluation ref = null;
        if (fashion == null) {
            out.println("reference skipped: Fashion-MNIST not found (run scripts/fetch-data.sh or set SVDD_DATA)");
        } else {
            ref = ClassifierTrainer.evaluate(clf, ImageDataset.fashionMnist(fashion, false, size), 250);
            out.printf("reference, %s on real Fashion-MNIST test images: %s%n", classifierFile, ref);
        }

        Proposal p = model.proposal(steps, eta);
        Rng rng = new Rng(seed);
        int[] best = new int[n];
        double[] conf = new double[n];
        long t0 = System.nanoTime();
        Progress bar = new Progress(out, "sampled", 0, n);
        for (int done = 0; done < n; done += BATCH) {
            int b = Math.min(BATCH, n - done);
            Tensor x = Grad.noGrad(() -> Proposal.sample(p, b, rng));                  // (b, C, S, S) in [-1, 1]
            float[] prob = clf.probabilities(x);
            for (int r = 0; r < b; r++) {
                int k = ClassifierTrainer.argmax(prob, r * classes, classes);
                best[done + r] = k;
                conf[done + r] = prob[r * classes + k];
            }
            bar.update(done + b, "");
        }
        out.printf("%d samples (%d steps, eta %s, seed %d) in %.1f s%n", n, steps, eta, seed, (System.nanoTime() - t0) / 1e9);

        int[] all = new int[classes], sure = new int[classes];
        int confident = 0;
        double meanConf = 0;
        for (int i = 0; i < n; i++) {
            all[best[i]]++;
            meanConf += conf[i] / n;
            if (conf[i] > CONFIDENT) {
                sure[best[i]]++;
                confident++;
            }
        }
        int covered = 0;
        for (int c : sure) if (c > 0) covered++;
        out.printf("samples with max p > %.1f: %.4f (%d of %d); mean max-probability %.4f%n", CONFIDENT, (double) confident / n, confident, n, meanConf);
        // per most probable class: confident samples, samples, and the confident share of the real test images
        // classified the same way (some classes, such as Shirt, are rarely certain even on real images)
        out.printf("%-12s %10s %10s %10s%n", "class", "p > " + CONFIDENT, "argmax", ref == null ? "" : "real");
        for (int c = 0; c < classes; c++) {
            out.printf("%-12s %10d %10d %10s%n", label(c, classes), sure[c], all[c], ref == null ? "" : String.format("%.3f", ref.confident(c)));
        }
        out.printf("classes among the confident samples: %d of %d%n", covered, classes);
    }

    private static String label(int c, int classes) {
        return classes == FASHION_LABELS.length ? FASHION_LABELS[c] : "class " + c;
    }
}

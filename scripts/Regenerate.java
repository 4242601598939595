import org.svdd.diffusion.data.ImageDataset;
import org.svdd.diffusion.model.ImageClassifier;
import org.svdd.diffusion.process.GaussianProcess;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.ClassifierTrainer;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.tensor.Backends;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where along the reverse process does an image model lose the classifier's confidence? Noises the first n real
 * Fashion-MNIST test images to the level where reverse step `start` of 50 begins, runs the model's remaining DDIM steps
 * (eta 1, as `svdd eval`), and reports the share the classifier is sure of (p > 0.9) and the share still carrying the
 * image's label. start 0 is an ordinary sample (x_T keeps almost nothing of the image), start 50 the real images.
 * The starts are 0 5 10 20 30 40 50 unless given after the image count.
 *
 *   java --add-modules jdk.incubator.vector -cp "svdd/target/classes:svdd/target/lib/*" scripts/Regenerate.java \
 *        models/fashion-unet-ft4.safetensors 512          # after ./svdd.sh has built once; about 5 min on 2 cores
 */
public class Regenerate {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) throw new IllegalArgumentException("usage: Regenerate <image model checkpoint> <number of test images> [reverse step to start from, 0..50 ...]");
        int steps = 50;
        int n = integer(args[1], "number of test images");                                 // arguments checked before the model loads
        if (n < 1) throw new IllegalArgumentException("number of test images " + n + " is not positive");
        int[] starts = args.length > 2 ? Arrays.stream(args, 2, args.length).mapToInt(a -> integer(a, "reverse step")).toArray() : new int[]{0, 5, 10, 20, 30, 40, steps};
        for (int start : starts) {
            if (start < 0 || start > steps) throw new IllegalArgumentException("reverse step " + start + " is not in 0.." + steps);
        }
        DiffusionModel.Images model = (DiffusionModel.Images) DiffusionModel.load(Path.of(args[0]), Backends.current());
        ImageClassifier classifier = ImageClassifier.load(Path.of("models/fashion-classifier.safetensors"), model.net().backend());
        ImageDataset test = ImageDataset.fashionMnist(ImageDataset.locateFashionMnist(), false, model.net().config().imageSize());
        if (n > test.count()) throw new IllegalArgumentException("number of test images " + n + " is more than the " + test.count() + " in the test set");
        int s = test.height();
        Tensor x0 = Tensor.of(Arrays.copyOf(test.pixels(), n * s * s), n, 1, s, s);
        int[] labels = Arrays.copyOf(test.labels(), n);
        Proposal proposal = model.proposal(steps);
        int[] taus = model.process().timesteps(steps);                                      // ascending: step i starts at taus[steps - 1 - i]
        for (int start : starts) {
            int from = start, t = start == steps ? -1 : taus[steps - 1 - start];
            float[] regenerated = Grad.noGrad(() -> {                                       // (n, 1, s, s)
                Rng rng = new Rng(7);
                Tensor x = t < 0 ? x0 : model.process().qSample(x0, GaussianProcess.sameT(n, t), rng.randn(n, 1, s, s));
                for (int i = from; i < steps; i++) x = proposal.prepare(x, i).sample(1, rng);
                return x;
            }).toFloatArray();
            // the classifier's accuracy on the regenerated images is the share that kept their label
            ClassifierTrainer.Evaluation e = ClassifierTrainer.evaluate(classifier, new ImageDataset(regenerated, n, s, s, labels), 256);
            System.out.printf("from reverse step %2d (t = %3d): confident %.3f, label kept %.3f%n", start, t, e.confident(), e.accuracy());
        }
    }

    private static int integer(String text, String what) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + text + "' is not an integer");
        }
    }
}

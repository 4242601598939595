package org.svdd.diffusion.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Grey images as floats in [-1, 1], (count, 1, size, size) row-major, with integer labels. 28x28 sources are
 * centred in a size x size canvas filled with -1 (background) when size > 28.
 */
public record ImageDataset(float[] pixels, int count, int size, int[] labels) {
    public static final String[] FASHION_CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

    /** Fashion-MNIST from the Debian package's IDX files. */
    public static ImageDataset fashionMnist(boolean train, int size) throws IOException {
        Path dir = DataPaths.require(DataPaths.FASHION_MNIST, "Fashion-MNIST");
        String prefix = train ? "train" : "t10k";
        Idx.Images img = Idx.readImages(dir.resolve(prefix + "-images-idx3-ubyte.gz"));
        int[] labels = Idx.readLabels(dir.resolve(prefix + "-labels-idx1-ubyte.gz"));
        if (labels.length != img.count()) throw new IOException(dir + ": " + img.count() + " images but " + labels.length + " labels");
        return fromBytes(img, labels, size);
    }

    static ImageDataset fromBytes(Idx.Images img, int[] labels, int size) {
        if (size < img.rows() || size < img.cols()) throw new IllegalArgumentException("canvas " + size + " smaller than images " + img.rows() + "x" + img.cols());
        int pad = (size - img.rows()) / 2, padW = (size - img.cols()) / 2;
        float[] out = new float[img.count() * size * size];
        java.util.Arrays.fill(out, -1f);
        for (int n = 0; n < img.count(); n++)
            for (int y = 0; y < img.rows(); y++)
                for (int x = 0; x < img.cols(); x++) {
                    int v = img.pixels()[(n * img.rows() + y) * img.cols() + x] & 0xff;
                    out[(n * size + y + pad) * size + x + padW] = v / 127.5f - 1f;
                }
        return new ImageDataset(out, img.count(), size, labels);
    }
}

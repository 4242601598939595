package org.svdd.diffusion.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Reader for the IDX files of (Fashion-)MNIST, gzip-compressed or raw: a big-endian int magic ({@code 0x0803} for
 * images, {@code 0x0801} for labels), one big-endian int per dimension, then unsigned bytes. Every error names the
 * file and what is wrong with it.
 */
public final class IdxReader {
    private static final int IMAGES_MAGIC = 0x0803;
    private static final int LABELS_MAGIC = 0x0801;

    private IdxReader() {
    }

    /** {@code count} images of {@code rows x cols} unsigned bytes, row-major, one image after another. */
    public record Images(int count, int rows, int cols, byte[] pixels) {
        public Images {
            if (count < 0 || rows <= 0 || cols <= 0 || pixels.length != (long) count * rows * cols) {
                throw new IllegalArgumentException("images " + count + "x" + rows + "x" + cols + " do not match " + pixels.length + " bytes");
            }
        }
    }

    /** Images with one label each, read from a matching pair of files. */
    public record Labeled(Images images, int[] labels) {
    }

    /** Reads an image file ({@code ...-images-idx3-ubyte[.gz]}). */
    public static Images readImages(Path file) throws IOException {
        try (InputStream in = DataFiles.open(file)) {
            int[] dims = header(in, file, IMAGES_MAGIC, 3, "image");
            byte[] pixels = body(in, file, (long) dims[0] * dims[1] * dims[2]);
            return new Images(dims[0], dims[1], dims[2], pixels);
        }
    }

    /** Reads a label file ({@code ...-labels-idx1-ubyte[.gz]}) as ints 0..255. */
    public static int[] readLabels(Path file) throws IOException {
        try (InputStream in = DataFiles.open(file)) {
            int[] dims = header(in, file, LABELS_MAGIC, 1, "label");
            byte[] bytes = body(in, file, dims[0]);
            int[] labels = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) labels[i] = bytes[i] & 0xff;
            return labels;
        }
    }

    /** Reads an image file and its label file, which must hold the same number of items. */
    public static Labeled read(Path imagesFile, Path labelsFile) throws IOException {
        Images images = readImages(imagesFile);
        int[] labels = readLabels(labelsFile);
        if (labels.length != images.count()) {
            throw new IOException("count mismatch: " + imagesFile + " has " + images.count() + " images but " + labelsFile + " has " + labels.length + " labels");
        }
        return new Labeled(images, labels);
    }

    /** Checks the magic and returns the dimensions. */
    private static int[] header(InputStream in, Path file, int magic, int rank, String kind) throws IOException {
        byte[] head = in.readNBytes(4 * (1 + rank));
        if (head.length < 4) throw new IOException(file + ": truncated: " + head.length + " bytes, too short for an IDX header");
        ByteBuffer b = ByteBuffer.wrap(head);
        int found = b.getInt();
        if (found != magic) {
            throw new IOException(file + ": bad magic 0x" + String.format("%08x", found) + ": not an IDX " + kind + " file (expected 0x" + String.format("%08x", magic) + ")");
        }
        if (head.length < 4 * (1 + rank)) throw new IOException(file + ": truncated: IDX header cut off after " + head.length + " bytes");
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = b.getInt();
            if (dims[i] < 0 || (i > 0 && dims[i] == 0)) throw new IOException(file + ": bad dimension " + i + " in IDX header: " + dims[i]);
        }
        return dims;
    }

    /** Reads exactly {@code size} bytes and checks that nothing follows them. */
    private static byte[] body(InputStream in, Path file, long size) throws IOException {
        if (size > Integer.MAX_VALUE - 8) throw new IOException(file + ": IDX header declares " + size + " bytes, more than one array holds");
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) throw new IOException(file + ": truncated: header declares " + size + " data bytes but only " + data.length + " follow");
        if (in.read() != -1) throw new IOException(file + ": count mismatch: data continues past the " + size + " bytes the header declares");
        return data;
    }
}

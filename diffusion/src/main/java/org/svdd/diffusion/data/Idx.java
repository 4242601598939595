package org.svdd.diffusion.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Reader for the IDX format of (Fashion-)MNIST: big-endian magic 0x0803 (images) or 0x0801 (labels), dims, bytes. */
public final class Idx {
    private Idx() {
    }

    /** count images of rows x cols unsigned bytes. */
    public record Images(int count, int rows, int cols, byte[] pixels) {
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        if (file.toString().endsWith(".gz")) in = new GZIPInputStream(in, 1 << 16);
        return new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
    }

    public static Images readImages(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != 0x0803) throw new IOException(file + ": not an IDX image file (magic 0x" + Integer.toHexString(magic) + ", expected 0x803)");
            int n = in.readInt(), rows = in.readInt(), cols = in.readInt();
            if (n < 0 || rows <= 0 || cols <= 0) throw new IOException(file + ": bad dimensions " + n + "x" + rows + "x" + cols);
            byte[] px = new byte[n * rows * cols];
            in.readFully(px);
            return new Images(n, rows, cols, px);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated IDX file", e);
        }
    }

    public static int[] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != 0x0801) throw new IOException(file + ": not an IDX label file (magic 0x" + Integer.toHexString(magic) + ", expected 0x801)");
            int n = in.readInt();
            byte[] b = new byte[n];
            in.readFully(b);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) labels[i] = b[i] & 0xff;
            return labels;
        } catch (EOFException e) {
            throw new IOException(file + ": truncated IDX file", e);
        }
    }
}

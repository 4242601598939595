package org.svdd.diffusion.io;

import org.svdd.tensor.io.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Grey images in [-1, 1] to PNG: one image, or a grid with a 2-pixel border, written atomically. A grid is filled row by
 * row: image k sits in row k / cols, column k % cols, which {@link #cell} names "r&lt;row&gt;c&lt;column&gt;" from r0c0.
 */
public final class PngGrid {
    private PngGrid() {
    }

    /** pixels (n, size, size) in [-1, 1] laid out cols per row (row-major), each scaled up by zoom. */
    public static BufferedImage grid(float[] pixels, int n, int size, int cols, int zoom) {
        int rows = (n + cols - 1) / cols, cell = size * zoom + 2;
        BufferedImage img = new BufferedImage(cols * cell + 2, rows * cell + 2, BufferedImage.TYPE_BYTE_GRAY);
        var r = img.getRaster();
        for (int k = 0; k < n; k++) {
            int ox = 2 + (k % cols) * cell, oy = 2 + (k / cols) * cell;
            for (int y = 0; y < size * zoom; y++)
                for (int x = 0; x < size * zoom; x++) r.setSample(ox + x, oy + y, 0, toByte(pixels[(k * size + y / zoom) * size + x / zoom]));
        }
        return img;
    }

    /** Image k of pixels (n, size, size) in [-1, 1], as it is: size x size, no border. */
    public static BufferedImage image(float[] pixels, int k, int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        var r = img.getRaster();
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) r.setSample(x, y, 0, toByte(pixels[(k * size + y) * size + x]));
        return img;
    }

    /** Where image k sits in a grid of cols columns: "r&lt;row&gt;c&lt;column&gt;", counted from 0 (image 10 of 8 columns: r1c2). */
    public static String cell(int k, int cols) {
        return "r" + k / cols + "c" + k % cols;
    }

    public static int toByte(float v) {
        return Math.max(0, Math.min(255, Math.round((v + 1f) * 127.5f)));
    }

    /** Writes img as a PNG, atomically. */
    public static void write(BufferedImage img, Path file) throws IOException {
        AtomicFiles.write(file, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer available");
        });
    }
}

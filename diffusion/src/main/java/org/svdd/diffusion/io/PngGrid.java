package org.svdd.diffusion.io;

import org.svdd.tensor.io.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/** Grey images in [-1, 1] to PNG: one image, or a grid with a 2-pixel border, written atomically. */
public final class PngGrid {
    private PngGrid() {
    }

    /** pixels (n, size, size) in [-1, 1] laid out cols per row, each scaled up by zoom. */
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

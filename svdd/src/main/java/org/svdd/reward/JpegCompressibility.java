package org.svdd.reward;

import org.svdd.diffusion.io.PngGrid;
import org.svdd.tensor.Tensor;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.stream.IntStream;

/**
 * Image reward from the paper: minus the size in kB of the image as a quality-95 JPEG, without the bytes every file
 * of this size has (measured once on a uniform image), so the reward measures content, not headers. The images of a
 * batch are encoded on all cores.
 */
public final class JpegCompressibility implements Reward {
    private int headerBytes = -1;

    @Override
    public double[] score(Tensor x0) {
        int b = x0.dim(0), h = x0.dim(2), w = x0.dim(3);
        float[] px = x0.toFloatArray();
        if (headerBytes < 0) headerBytes = jpegBytes(new float[h * w], 0, h, w);
        double[] out = new double[b];
        int header = headerBytes;
        IntStream.range(0, b).parallel().forEach(r -> out[r] = -(jpegBytes(px, r * h * w, h, w) - header) / 1000.0);   // an encoder per image
        return out;
    }

    static int jpegBytes(float[] px, int off, int h, int w) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.getRaster().setSample(x, y, 0, PngGrid.toByte(px[off + y * w + x]));
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.95f);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.size();
    }
}

package org.svdd.diffusion.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {
    @TempDir
    Path dir;

    /** Writes an IDX file: magic, dims, then {@code bytes} data bytes 0, 37, 74, ... (mod 256). */
    private Path idx(String name, int magic, int[] dims, int bytes, boolean gzip) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.writeInt(magic);
            for (int d : dims) out.writeInt(d);
            for (int i = 0; i < bytes; i++) out.writeByte(i * 37);
        }
        Path f = dir.resolve(name);
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(f)) : Files.newOutputStream(f)) {
            out.write(buf.toByteArray());
        }
        return f;
    }

    private static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
    }

    @Test
    void readsImagesAndLabelsGzippedOrRaw() throws IOException {
        for (boolean gzip : new boolean[]{false, true}) {
            String ext = gzip ? ".gz" : "";
            IdxReader.Images img = IdxReader.readImages(idx("img" + ext, 0x0803, new int[]{2, 2, 3}, 12, gzip));
            assertEquals(2, img.count());
            assertEquals(2, img.rows());
            assertEquals(3, img.cols());
            assertEquals((byte) (5 * 37), img.pixels()[5]);
            assertArrayEquals(new int[]{0, 37, 74, 111, 148}, IdxReader.readLabels(idx("lab" + ext, 0x0801, new int[]{5}, 5, gzip)));
        }
    }

    @Test
    void gzipIsDetectedByContentNotName() throws IOException {
        assertEquals(4, IdxReader.readLabels(idx("gzipped-without-suffix", 0x0801, new int[]{4}, 4, true)).length);
    }

    @Test
    void readsAMatchingPair() throws IOException {
        IdxReader.Labeled d = IdxReader.read(idx("i.gz", 0x0803, new int[]{3, 1, 2}, 6, true), idx("l", 0x0801, new int[]{3}, 3, false));
        assertEquals(3, d.images().count());
        assertEquals(3, d.labels().length);
    }

    @Test
    void badMagicNamesFileAndMagic() throws IOException {
        Path f = idx("labels-not-images", 0x0801, new int[]{2, 2, 3}, 12, false);
        assertMessage(assertThrows(IOException.class, () -> IdxReader.readImages(f)), "labels-not-images", "bad magic 0x00000801");
    }

    @Test
    void truncatedFilesNameFileAndSizes() throws IOException {
        Path data = idx("cut.gz", 0x0803, new int[]{2, 2, 3}, 7, true);
        assertMessage(assertThrows(IOException.class, () -> IdxReader.readImages(data)), "cut.gz", "truncated", "12 data bytes", "only 7");
        Path header = idx("short-header", 0x0803, new int[]{2}, 0, false);
        assertMessage(assertThrows(IOException.class, () -> IdxReader.readImages(header)), "short-header", "truncated");
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        assertMessage(assertThrows(IOException.class, () -> IdxReader.readLabels(empty)), "empty", "truncated");
    }

    @Test
    void countMismatchesAreReported() throws IOException {
        Path longer = idx("longer", 0x0801, new int[]{3}, 4, false);
        assertMessage(assertThrows(IOException.class, () -> IdxReader.readLabels(longer)), "longer", "count mismatch");
        Path images = idx("images", 0x0803, new int[]{2, 2, 3}, 12, false), labels = idx("labels", 0x0801, new int[]{3}, 3, false);
        assertMessage(assertThrows(IOException.class, () -> IdxReader.read(images, labels)), "count mismatch", images.toString(), labels.toString());
        Path negative = idx("negative", 0x0803, new int[]{-1, 2, 2}, 0, false);
        assertMessage(assertThrows(IOException.class, () -> IdxReader.readImages(negative)), "negative", "bad dimension");
    }
}

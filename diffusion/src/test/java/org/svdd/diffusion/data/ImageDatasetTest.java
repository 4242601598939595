package org.svdd.diffusion.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageDatasetTest {
    @TempDir
    Path dir;

    @Test
    void idxBytesMapLinearlyToMinusOneOne() {
        byte[] px = {0, (byte) 255, (byte) 128, 64, 1, 2};                  // two 1x3 images
        ImageDataset d = ImageDataset.fromIdx(new IdxReader.Labeled(new IdxReader.Images(2, 1, 3, px), new int[]{4, 9}));
        assertEquals(1, d.height());
        assertEquals(3, d.width());
        assertArrayEquals(new float[]{-1f, 1f, 128 / 127.5f - 1f}, Arrays.copyOf(d.pixels(), 3));
        assertArrayEquals(new int[]{4, 9}, d.labels());
    }

    /** The two halves are the even and the odd images: disjoint, and together the whole set, labels with their images. */
    @Test
    void halvesAreDisjointAndCoverTheSet() {
        float[] px = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};                          // five 1x2 images
        ImageDataset d = new ImageDataset(px, 5, 1, 2, new int[]{10, 11, 12, 13, 14});
        ImageDataset even = d.half(0), odd = d.half(1);
        assertEquals(3, even.count());
        assertEquals(2, odd.count());
        assertArrayEquals(new float[]{0, 1, 4, 5, 8, 9}, even.pixels());
        assertArrayEquals(new int[]{10, 12, 14}, even.labels());
        assertArrayEquals(new float[]{2, 3, 6, 7}, odd.pixels());
        assertArrayEquals(new int[]{11, 13}, odd.labels());
        assertThrows(IllegalArgumentException.class, () -> d.half(2));
    }

    @Test
    void padToCentresOnBackground() {
        float[] px = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};                 // two 1x3 images
        ImageDataset d = new ImageDataset(px, 2, 1, 3, new int[]{4, 9});
        ImageDataset p = d.padTo(5);                                        // 2 rows above, 1 column left
        assertEquals(5, p.height());
        assertEquals(5, p.width());
        assertArrayEquals(new int[]{4, 9}, p.labels());
        float[] second = Arrays.copyOfRange(p.pixels(), 25, 50);
        float[] expected = new float[25];
        Arrays.fill(expected, -1f);
        expected[2 * 5 + 1] = 0.4f;
        expected[2 * 5 + 2] = 0.5f;
        expected[2 * 5 + 3] = 0.6f;
        assertArrayEquals(expected, second);
        assertSame(p, p.padTo(5));
        assertThrows(IllegalArgumentException.class, () -> p.padTo(4));
    }

    @Test
    void mnistNpmDigitFilesGiveLabelsFromTheirNames() throws IOException {
        Path digits = Files.createDirectories(dir.resolve("src/digits"));
        for (int d = 0; d < 10; d++) {
            int images = d == 3 ? 2 : 1;
            String values = String.join(",", Collections.nCopies(784 * images, d == 3 ? "0.5" : "0"));
            Files.writeString(digits.resolve(d + ".json"), "{ \"data\": [" + values + "]}");
        }
        ImageDataset m = ImageDataset.mnistNpm(dir);
        assertEquals(11, m.count());
        assertEquals(28, m.height());
        assertArrayEquals(new int[]{0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9}, m.labels());
        assertEquals(-1f, m.pixels()[0]);
        assertEquals(0f, m.pixels()[3 * 784]);
        assertEquals(-1f, m.pixels()[5 * 784]);
    }

    @Test
    void mnistNpmRejectsBrokenFiles() throws IOException {
        Path digits = Files.createDirectories(dir.resolve("src/digits"));
        Files.writeString(digits.resolve("0.json"), "{ \"data\": [0.1, 0.2]}");
        IOException e = assertThrows(IOException.class, () -> ImageDataset.mnistNpm(dir));
        assertTrue(e.getMessage().contains("0.json") && e.getMessage().contains("2 values"), e.getMessage());
    }
}

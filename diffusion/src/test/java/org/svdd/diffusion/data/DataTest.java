package org.svdd.diffusion.data;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataTest {
    @TempDir
    Path dir;

    private Path writeIdxImages(String name, int magic, int n, int rows, int cols, int bytes, boolean gz) throws IOException {
        Path f = dir.resolve(name);
        OutputStream raw = Files.newOutputStream(f);
        try (DataOutputStream out = new DataOutputStream(gz ? new GZIPOutputStream(raw) : raw)) {
            out.writeInt(magic);
            out.writeInt(n);
            out.writeInt(rows);
            out.writeInt(cols);
            for (int i = 0; i < bytes; i++) out.writeByte(i * 37);
        }
        return f;
    }

    @Test
    void idxImagesAreParsedPaddedAndScaled() throws IOException {
        for (boolean gz : new boolean[]{false, true}) {
            Path f = writeIdxImages("img" + gz + (gz ? ".gz" : ""), 0x0803, 2, 2, 3, 12, gz);
            Idx.Images img = Idx.readImages(f);
            assertEquals(2, img.count());
            assertEquals((byte) (5 * 37), img.pixels()[5]);
            ImageDataset d = ImageDataset.fromBytes(img, new int[]{1, 7}, 4);
            assertEquals(-1f, d.pixels()[0]);                                   // padding is background
            assertEquals((37 & 0xff) / 127.5f - 1f, d.pixels()[1 * 4 + 0 + 1], 1e-6);   // row 1 (pad 1), col 0+0 (pad 0) -> pixel 1
        }
        Path bad = writeIdxImages("bad", 0x0801, 2, 2, 3, 12, false);
        assertTrue(assertThrows(IOException.class, () -> Idx.readImages(bad)).getMessage().contains("not an IDX image file"));
        Path cut = writeIdxImages("cut.gz", 0x0803, 2, 2, 3, 7, true);
        IOException e = assertThrows(IOException.class, () -> Idx.readImages(cut));
        assertTrue(e.getMessage().contains("cut.gz") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void fastaWindowsDropNAndEncode() throws IOException {
        Path f = dir.resolve("p.fa");
        Files.writeString(f, ">a chr1\nTTTTACGT\nACGT\n>b\nNNNNACGTACGT\n>c\nacg\n>d\nggggcccc\naaaatttt\n");
        List<Fasta.Record> rs = Fasta.read(f);
        assertEquals(4, rs.size());
        assertEquals("TTTTACGTACGT", rs.get(0).sequence());
        DnaDataset train = DnaDataset.fromFasta(rs, 6, false), val = DnaDataset.fromFasta(rs, 6, true);
        assertEquals(3, train.count() + val.count(), "c is too short; b's window has no N");
        DnaDataset all = train.count() >= val.count() ? train : val;
        assertEquals(6, all.length());
        assertArrayEquals(new long[]{0, 1, 2, 3}, DnaDataset.encode("acgt"));
        assertEquals(null, DnaDataset.encode("ACNT"));
        Path bad = dir.resolve("bad.fa");
        Files.writeString(bad, "ACGT\n>x\nAC\n");
        assertTrue(assertThrows(IOException.class, () -> Fasta.read(bad)).getMessage().contains("bad.fa:1"));
    }

    @Test
    void realFashionMnist() throws IOException {
        Assumptions.assumeTrue(DataPaths.locate(DataPaths.FASHION_MNIST) != null, "Fashion-MNIST not installed: run scripts/fetch-data.sh");
        ImageDataset test = ImageDataset.fashionMnist(false, 32);
        assertEquals(10_000, test.count());
        int[] perClass = new int[10];
        for (int l : test.labels()) perClass[l]++;
        for (int c : perClass) assertEquals(1000, c);
        float min = 1, max = -1;
        for (float v : test.pixels()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(-1f, min);
        assertEquals(1f, max);
    }

    @Test
    void realPromoters() throws IOException {
        Assumptions.assumeTrue(DataPaths.locate(DataPaths.DM3_PROMOTERS) != null, "fly promoters not installed: run scripts/fetch-data.sh");
        DnaDataset train = DnaDataset.promoters(128, false), val = DnaDataset.promoters(128, true);
        int total = train.count() + val.count();
        assertTrue(total > 25_000 && total <= 26_454, "promoters: " + total);
        assertTrue(val.count() > total / 20 && val.count() < total / 6, "about a tenth held out: " + val.count());
        long[] counts = new long[4];
        for (long t : train.tokens()) counts[(int) t]++;
        for (long c : counts) assertTrue(c > train.tokens().length / 6, "every base is common: " + java.util.Arrays.toString(counts));
    }
}

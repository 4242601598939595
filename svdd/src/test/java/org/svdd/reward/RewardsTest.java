package org.svdd.reward;

import org.junit.jupiter.api.Test;
import org.svdd.tensor.F;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GC-content and JPEG rewards; the exec: reward is tested in {@link ExecRewardTest}. */
class RewardsTest {
    private static final Tensor SEQS = Tensor.ofLongs(new long[]{0, 1, 2, 3, 0, 0, 1, 1, 1, 1, 2, 2}, 3, 4);   // ACGT AACC CCGG

    @Test
    void gcContentScoresAndDifferentiatesTheSameWay() {
        GcContent gc = new GcContent(0.5);
        double[] s = gc.score(SEQS);
        assertArrayEquals(new double[]{0, -0.0, -0.5}, new double[]{s[0], s[1], s[2]}, 1e-12);
        double[] relaxed = gc.forward(F.oneHot(SEQS, 5).slice(2, 0, 4)).toDoubleArray();
        for (int i = 0; i < 3; i++) assertEquals(s[i], relaxed[i], 1.1e-3);
        assertThrows(IllegalArgumentException.class, () -> new GcContent(1.5));
    }

    /** A batch is encoded on all cores: each image scores what it scores alone, in its row, smooth images higher. */
    @Test
    void jpegScoresABatchRowByRow() {
        Rng rng = new Rng(3);
        float[] px = new float[12 * 32 * 32];
        for (int i = 0; i < px.length; i++) px[i] = i / 1024 % 2 == 0 ? (float) Math.sin(i * 0.01) : (float) (2 * rng.uniform() - 1);
        Tensor batch = Tensor.of(px, 12, 1, 32, 32);
        JpegCompressibility jpeg = new JpegCompressibility();
        double[] all = jpeg.score(batch);
        for (int r = 0; r < 12; r++) {
            assertEquals(jpeg.score(batch.slice(0, r, r + 1).contiguous())[0], all[r], 0.0, "row " + r);
            if (r % 2 == 1) assertTrue(all[r - 1] > all[r], "smooth image " + (r - 1) + " compresses better than noise " + r);
        }
    }
}

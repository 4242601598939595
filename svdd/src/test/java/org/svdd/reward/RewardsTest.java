package org.svdd.reward;

import org.junit.jupiter.api.Test;
import org.svdd.tensor.F;
import org.svdd.tensor.Tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The GC-content reward; the exec: reward is tested in {@link ExecRewardTest}. */
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
}

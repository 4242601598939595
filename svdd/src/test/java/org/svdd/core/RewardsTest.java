package org.svdd.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.tensor.F;
import org.svdd.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exec: reward's protocol and every way it can fail; the GC-content reward. */
class RewardsTest {
    private static final Tensor SEQS = Tensor.ofLongs(new long[]{0, 1, 2, 3, 0, 0, 1, 1, 1, 1, 2, 2}, 3, 4);   // ACGT AACC CCGG

    private static ExecReward exec(String cmd, long timeoutMs, Double penalty) {
        return new ExecReward(cmd, ExecReward.letters("ACGT"), 2, timeoutMs, penalty);
    }

    @Test
    void aProgramScoresOneLinePerSampleInBatches() {
        // counts the C's of each line: awk runs once per batch of 2
        double[] s = exec("awk '{ print gsub(/C/, \"C\") }'", 10_000, null).score(SEQS);
        assertArrayEquals(new double[]{1, 2, 2}, s);
    }

    @Test
    void crashesHangsAndBadOutputAreNamedErrors() {
        ExecReward.Failure crash = assertThrows(ExecReward.Failure.class, () -> exec("echo boom >&2; exit 3", 10_000, null).score(SEQS));
        assertTrue(crash.getMessage().contains("status 3") && crash.getMessage().contains("boom"), crash.getMessage());
        ExecReward.Failure hang = assertThrows(ExecReward.Failure.class, () -> exec("sleep 30", 300, null).score(SEQS));
        assertTrue(hang.getMessage().contains("timed out after 300 ms"), hang.getMessage());
        ExecReward.Failure lines = assertThrows(ExecReward.Failure.class, () -> exec("head -n 1 >/dev/null; echo 1", 10_000, null).score(SEQS));
        assertTrue(lines.getMessage().contains("wrote 1 numbers for 2 samples"), lines.getMessage());
        ExecReward.Failure nan = assertThrows(ExecReward.Failure.class, () -> exec("cat >/dev/null; echo 1; echo oops", 10_000, null).score(SEQS));
        assertTrue(nan.getMessage().contains("line 2 is not a finite number: 'oops'"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> exec(" ", 100, null));
    }

    @Test
    void aPenaltyKeepsTheRunGoing() {
        assertArrayEquals(new double[]{-9, -9, -9}, exec("exit 1", 10_000, -9.0).score(SEQS));
        assertArrayEquals(new double[]{-9, -9, -9}, exec("sleep 30", 200, -9.0).score(SEQS));
        // batch 1 (2 samples): a bad line scores the penalty; batch 2 (1 sample) gets 2 lines: the whole batch does
        assertArrayEquals(new double[]{1, -9, -9}, exec("cat >/dev/null; echo 1; echo x", 10_000, -9.0).score(SEQS));
    }

    @Test
    void imagesGoOutAsPngPaths(@TempDir Path dir) {
        Tensor img = Tensor.zeros(2, 1, 8, 8);
        double[] s = new ExecReward("while read f; do test -s \"$f\" && echo 1 || echo 0; done", ExecReward.pngFiles(dir), 8, 10_000, null).score(img);
        assertArrayEquals(new double[]{1, 1}, s);
        assertTrue(Files.exists(dir.resolve("sample_1.png")));
    }

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

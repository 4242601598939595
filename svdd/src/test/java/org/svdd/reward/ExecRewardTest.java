package org.svdd.reward;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.tensor.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exec: reward's protocol and every way it can fail, with {@code sh -c} one-liners as reward programs. */
class ExecRewardTest {
    private static final Tensor SEQS = Tensor.ofLongs(new long[]{0, 1, 2, 3, 0, 0, 1, 1, 1, 1, 2, 2}, 3, 4);   // ACGT AACC CCGG

    private static ExecReward exec(String cmd, long timeoutMs, Double penalty) {
        return new ExecReward(cmd, ExecReward.letters("ACGT"), 2, timeoutMs, penalty);
    }

    /** A reward over {@code n} samples whose input lines are all "x", scored in one call. */
    private static double[] scoreOneCall(String cmd, int n, Double penalty) {
        return new ExecReward(cmd, x -> Collections.nCopies(x.dim(0), "x"), n, 10_000, penalty).score(Tensor.zeros(n, 1));
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
    void aProgramFloodingStderrNeitherDeadlocksNorFloodsTheMessage() {
        String flood = "cat >/dev/null; head -c 300000 /dev/zero | tr '\\0' e >&2; echo THE-END >&2; echo 1; echo 2";
        assertArrayEquals(new double[]{1, 2}, scoreOneCall(flood, 2, null));
        ExecReward.Failure crash = assertThrows(ExecReward.Failure.class, () -> scoreOneCall(flood + "; exit 4", 2, null));
        String m = crash.getMessage();
        assertTrue(m.contains("status 4") && m.endsWith("THE-END"), m.substring(Math.max(0, m.length() - 200)));
        assertTrue(m.length() < 4096 + 200, "the message keeps only the end of stderr, not " + m.length() + " chars");
    }

    @Test
    void theTimeoutCoversWritingTheInput() {
        // 1 MiB of input to a program that never reads it: writing blocks once the pipe is full
        ExecReward deaf = new ExecReward("sleep 3", x -> List.of("A".repeat(1 << 20)), 1, 300, null);
        long start = System.nanoTime();
        ExecReward.Failure f = assertThrows(ExecReward.Failure.class, () -> deaf.score(Tensor.zeros(1, 1)));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(f.getMessage().contains("'sleep 3' timed out after 300 ms"), f.getMessage());
        assertTrue(ms < 2_000, "gave up after " + ms + " ms");
    }

    @Test
    void aTimeoutKillsTheProgramAndItsChildren(@TempDir Path dir) throws Exception {
        Path pids = dir.resolve("pids");
        String hang = "sleep 1000 & echo $$ $! > '" + pids + "'; wait";
        ExecReward.Failure f = assertThrows(ExecReward.Failure.class, () -> new ExecReward(hang, x -> List.of("x"), 1, 500, null).score(Tensor.zeros(1, 1)));
        assertTrue(f.getMessage().contains("timed out after 500 ms"), f.getMessage());
        long[] tree = pidsIn(pids);
        assertEquals(2, tree.length, "the program wrote its pid and its child's");
        for (long pid : tree) Processes.assertGone(pid);
    }

    @Test
    void stoppingTheJvmStopsTheRewardProgramAndItsChildren(@TempDir Path dir) throws Exception {
        Path pids = dir.resolve("pids");
        String hang = "sleep 1000 & echo $$ $! > '" + pids + ".part'; mv '" + pids + ".part' '" + pids + "'; wait";
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HangingRun.class.getName(), hang));
        Path log = dir.resolve("jvm.log");
        Process jvm = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.exists(pids) && jvm.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
            assertTrue(Files.exists(pids), () -> "the reward program did not start; the JVM wrote: " + readOrEmpty(log));
            jvm.destroy();   // SIGTERM
            assertTrue(jvm.waitFor(20, TimeUnit.SECONDS), "the JVM did not stop");
            long[] tree = pidsIn(pids);
            assertEquals(2, tree.length, "the program wrote its pid and its child's");
            for (long pid : tree) Processes.assertGone(pid);
        } finally {
            jvm.destroyForcibly();
            for (long pid : pidsIn(pids)) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Scores one sample with the reward program given as the argument: it hangs until the test stops this JVM. */
    static final class HangingRun {
        public static void main(String[] args) {
            new ExecReward(args[0], x -> List.of("x"), 1, 600_000, null).score(Tensor.zeros(1, 1));
        }
    }

    @Test
    void nonFiniteOutputsScoreThePenaltyWithOneWarningPerCall() {
        String out = "cat >/dev/null; echo 1; echo nan; echo 1e999; echo oops";
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        double[] s;
        try {
            s = scoreOneCall(out, 4, -10.0);
        } finally {
            System.setErr(stderr);
        }
        assertArrayEquals(new double[]{1, -10, -10, -10}, s);
        assertEquals("exec reward: 3 of 4 outputs were not finite numbers; scored with the penalty -10",
                captured.toString(StandardCharsets.UTF_8).strip());
        ExecReward.Failure inf = assertThrows(ExecReward.Failure.class, () -> scoreOneCall("cat >/dev/null; echo 1; echo 1e999", 2, null));
        assertTrue(inf.getMessage().contains("line 2 is not a finite number: '1e999'"), inf.getMessage());
    }

    @Test
    void onlyPlainDecimalsAreNumbers() {
        List<String> plain = List.of("7", "-1.5e3", "+2", "0.25", "1E-2", ".5", "5.", " 3 ");
        double[] s = scoreOneCall("cat >/dev/null; printf '%s\\n' '" + String.join("' '", plain) + "'", plain.size(), null);
        assertArrayEquals(new double[]{7, -1500, 2, 0.25, 0.01, 0.5, 5, 3}, s);
        for (String javaOnly : List.of("3f", "7d", "0x1p2", "NaN", "nan", "inf", "Infinity", "-Infinity", "1_000", "1e")) {
            ExecReward.Failure f = assertThrows(ExecReward.Failure.class, () -> scoreOneCall("cat >/dev/null; echo 1; echo '" + javaOnly + "'", 2, null), javaOnly);
            assertTrue(f.getMessage().contains("line 2 is not a finite number: '" + javaOnly + "'"), f.getMessage());
        }
    }

    @Test
    void imageInputsAreDeletedAfterEachCall(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("reward-inputs");
        Tensor img = Tensor.zeros(2, 1, 8, 8);
        String checkFiles = "while read f; do test -s \"$f\" && echo 1 || echo 0; done";
        assertArrayEquals(new double[]{1, 1}, new ExecReward(checkFiles, ExecReward.pngFiles(dir), 8, 10_000, null).score(img));
        assertFalse(Files.exists(dir), "the files and then the emptied folder are deleted");
        assertThrows(ExecReward.Failure.class, () -> new ExecReward("cat >/dev/null; exit 3", ExecReward.pngFiles(dir), 8, 10_000, null).score(img));
        assertFalse(Files.exists(dir), "a failed call deletes its files too");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("notes.txt"), "not ours");
        new ExecReward(checkFiles, ExecReward.pngFiles(dir), 1, 10_000, null).score(img);
        try (var left = Files.list(dir)) {
            assertEquals(List.of("notes.txt"), left.map(p -> p.getFileName().toString()).toList(), "a folder with other files stays");
        }
    }

    @Test
    void theProgramSeesEachImageAtItsOwnSizeAndPixels(@TempDir Path tmp) throws IOException {
        float[] px = new float[2 * 8 * 8];
        for (int i = 0; i < px.length; i++) px[i] = i % 3 == 0 ? 1 : -1;
        Tensor img = Tensor.of(px, 2, 1, 8, 8);
        Path copy = tmp.resolve("second.png");
        new ExecReward("n=0; while read f; do n=$((n+1)); [ $n -eq 2 ] && cp \"$f\" " + copy + "; echo 1; done",
                ExecReward.pngFiles(tmp.resolve("reward-inputs")), 8, 10_000, null).score(img);
        java.awt.image.BufferedImage seen = javax.imageio.ImageIO.read(copy.toFile());
        assertEquals(8, seen.getWidth(), "no border around the image");
        assertEquals(8, seen.getHeight());
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
                assertEquals(px[64 + y * 8 + x] > 0 ? 255 : 0, seen.getRaster().getSample(x, y, 0), "pixel " + x + "," + y + " of the second image");
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static long[] pidsIn(Path file) throws IOException {
        if (!Files.exists(file)) return new long[0];
        return Arrays.stream(Files.readString(file).trim().split("\\s+")).mapToLong(Long::parseLong).toArray();
    }
}

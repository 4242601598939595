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
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker: reward's protocol, its one start per run and every way it can fail, with small Python workers written
 * into a temporary folder (each logs "start <pid>" when it starts and "end" when its stdin ends) and sh one-liners.
 */
class WorkerRewardTest {
    private static final Tensor SEQS = Tensor.ofLongs(new long[]{0, 1, 2, 3, 0, 0, 1, 1, 1, 1, 2, 2}, 3, 4);   // ACGT AACC CCGG
    /** Answers every request with the number of C's of each sample. */
    private static final String COUNT_C = """
            for line in sys.stdin:
                reply([s.count("C") for s in json.loads(line)["samples"]])
            """;

    /**
     * The command of a Python worker with this body, which logs its start to {@code dir/log}; {@code reply(list)}
     * writes one reply line.
     */
    private static String python(Path dir, String body) throws IOException {
        Path script = Files.createTempFile(dir, "worker", ".py");
        Files.writeString(script, """
                import json, os, sys, time
                log = open(sys.argv[1], "a", buffering=1)
                log.write("start %d\\n" % os.getpid())
                def reply(rewards):
                    print(json.dumps({"rewards": rewards}), flush=True)
                """ + body + "log.write(\"end\\n\")\n");
        return "python3 '" + script + "' '" + dir.resolve("log") + "'";
    }

    /** DNA letters, batch rows per request. */
    private static WorkerReward worker(String cmd, int batch, long timeoutMs, Double penalty) {
        return new WorkerReward(cmd, ExecReward.letters("ACGT"), batch, timeoutMs, penalty);
    }

    /** The failure of scoring the three sequences one per request. */
    private static ExecReward.Failure failure(String cmd, long timeoutMs) {
        try (WorkerReward r = worker(cmd, 1, timeoutMs, null)) {
            return assertThrows(ExecReward.Failure.class, () -> r.score(SEQS));
        }
    }

    @Test
    void oneWorkerScoresEveryBatchAndExitsOnClose(@TempDir Path dir) throws Exception {
        WorkerReward r = worker(python(dir, COUNT_C), 1, 10_000, null);
        assertFalse(Files.exists(dir.resolve("log")), "nothing starts before the first batch");
        assertArrayEquals(new double[]{1, 2, 2}, r.score(SEQS), "3 batches of 1");
        assertArrayEquals(new double[]{1, 2, 2}, r.score(SEQS));
        List<String> log = Files.readAllLines(dir.resolve("log"));
        assertEquals(1, log.size(), "one start for 6 batches: " + log);
        r.close();
        assertEquals("end", Files.readAllLines(dir.resolve("log")).getLast(), "the worker saw its stdin end and exited by itself");
        Processes.assertGone(Long.parseLong(log.getFirst().split(" ")[1]));
        assertThrows(IllegalStateException.class, () -> r.score(SEQS));
    }

    @Test
    void aWorkerThatDiesIsNamedWithItsStatusAndStderr(@TempDir Path dir) throws Exception {
        String cmd = python(dir, """
                for n, line in enumerate(sys.stdin):
                    if n == 1:
                        print("boom", file=sys.stderr)
                        sys.exit(3)
                    reply([1])
                """);
        String m = failure(cmd, 10_000).getMessage();
        assertTrue(m.startsWith("reward worker '" + cmd + "' exited with status 3") && m.endsWith("stderr: boom"), m);
    }

    @Test
    void malformedRepliesAreNamedAndQuoted() {
        String notJson = failure("while read l; do echo 'loading model'; done", 10_000).getMessage();
        assertTrue(notJson.contains("replied with no {\"rewards\": [...]}: 'loading model'"), notJson);
        String count = failure("while read l; do echo '{\"rewards\": [1, 2]}'; done", 10_000).getMessage();
        assertTrue(count.contains("replied 2 rewards for 1 samples: '{\"rewards\": [1, 2]}'"), count);
        String word = failure("while read l; do echo '{\"rewards\": [\"7\"]}'; done", 10_000).getMessage();
        assertTrue(word.contains("reward 1 is not a finite number: \"7\""), word);
        String nan = failure("while read l; do echo '{\"rewards\": [NaN]}'; done", 10_000).getMessage();
        assertTrue(nan.contains("reward 1 is not a finite number"), nan);
        String longReply = failure("while read l; do printf '%0500d\\n' 0; done", 10_000).getMessage();
        assertTrue(longReply.contains("'" + "0".repeat(200) + "...'") && longReply.length() < 400, longReply);
    }

    @Test
    void aReplyNoRequestAskedForIsNamed() throws Exception {
        try (WorkerReward twice = worker("while read l; do echo '{\"rewards\": [1]}'; echo '{\"rewards\": [2]}'; done", 1, 10_000, null)) {
            assertArrayEquals(new double[]{1}, twice.score(Tensor.ofLongs(new long[]{0}, 1, 1)));
            Thread.sleep(300);   // the second line arrives
            String m = assertThrows(ExecReward.Failure.class, () -> twice.score(Tensor.ofLongs(new long[]{0}, 1, 1))).getMessage();
            assertTrue(m.contains("wrote a line no request asked for: '{\"rewards\": [2]}'"), m);
        }
    }

    @Test
    void aTimeoutIsNamedAndKillsTheWorkerAndItsChildren(@TempDir Path dir) throws Exception {
        Path pids = dir.resolve("pids");
        String hang = "sleep 1000 & echo $$ $! > '" + pids + "'; wait";
        long start = System.nanoTime();
        String m = failure(hang, 500).getMessage();
        assertTrue(m.contains("reward worker '" + hang + "' timed out after 500 ms on 1 samples"), m);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "gave up in time");
        for (String pid : Files.readString(pids).trim().split(" ")) Processes.assertGone(Long.parseLong(pid));
    }

    @Test
    void aPenaltyScoresTheBatchAndAFreshWorkerTakesOver(@TempDir Path dir) throws Exception {
        String hangsFirst = python(dir, """
                starts = open(sys.argv[1]).read().count("start")
                for line in sys.stdin:
                    if starts == 1:
                        time.sleep(100)
                    reply([s.count("C") for s in json.loads(line)["samples"]])
                """);
        try (WorkerReward r = worker(hangsFirst, 1, 1_500, -9.0)) {
            assertArrayEquals(new double[]{-9, 2, 2}, r.score(SEQS));
        }
        List<String> log = Files.readAllLines(dir.resolve("log"));
        assertEquals(2, log.stream().filter(l -> l.startsWith("start")).count(), "one restart after the timeout: " + log);
        Processes.assertGone(Long.parseLong(log.getFirst().split(" ")[1]));
    }

    @Test
    void rewardsThatAreNotFiniteNumbersScoreThePenaltyWithOneWarning() {
        String reply = "while read l; do echo '{\"rewards\": [1.5, NaN, null, \"x\", 1e999]}'; done";
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        double[] s;
        try (WorkerReward r = new WorkerReward(reply, x -> Collections.nCopies(x.dim(0), "x"), 5, 10_000, -10.0)) {
            s = r.score(Tensor.zeros(5, 1));
        } finally {
            System.setErr(stderr);
        }
        assertArrayEquals(new double[]{1.5, -10, -10, -10, -10}, s);
        assertEquals("worker reward: 4 of 5 rewards were not finite numbers; scored with the penalty -10",
                captured.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void aWorkerFloodingStderrDoesNotBlock() {
        String flood = "while read l; do head -c 300000 /dev/zero | tr '\\0' e >&2; echo '{\"rewards\": [1]}'; done";
        try (WorkerReward r = worker(flood, 1, 10_000, null)) {
            assertArrayEquals(new double[]{1, 1, 1}, r.score(SEQS));
        }
    }

    @Test
    void imagesGoAsPngPathsThatAreDeletedAfterwards(@TempDir Path dir) throws Exception {
        String sizes = python(dir, """
                for line in sys.stdin:
                    reply([float(os.path.getsize(p) > 0) for p in json.loads(line)["samples"]])
                """);
        Path inputs = dir.resolve("reward-inputs");
        try (WorkerReward r = new WorkerReward(sizes, ExecReward.pngFiles(inputs), 8, 10_000, null)) {
            assertArrayEquals(new double[]{1, 1}, r.score(Tensor.zeros(2, 1, 8, 8)));
        }
        assertFalse(Files.exists(inputs));
    }

    @Test
    void aWorkerLeftOpenIsKilledWhenTheJvmExits(@TempDir Path dir) throws Exception {
        // without the shutdown hook, the worker would outlive the JVM: at the end of its stdin it sleeps on
        Path pid = dir.resolve("pid");
        String stubborn = "echo $$ > '" + pid + "'; while read l; do echo '{\"rewards\": [1]}'; done; exec sleep 1000";
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), UnclosedRun.class.getName(), stubborn));
        Process jvm = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("jvm.log").toFile()).start();
        try {
            assertTrue(jvm.waitFor(30, TimeUnit.SECONDS), "the JVM did not exit");
            assertEquals(0, jvm.exitValue(), () -> "the JVM wrote: " + readOrEmpty(dir.resolve("jvm.log")));
            Processes.assertGone(Long.parseLong(Files.readString(pid).trim()));
        } finally {
            jvm.destroyForcibly();
            if (Files.exists(pid)) ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Scores one sample with the worker given as the argument and exits without closing it. */
    static final class UnclosedRun {
        public static void main(String[] args) {
            new WorkerReward(args[0], x -> List.of("x"), 1, 60_000, null).score(Tensor.zeros(1, 1));
        }
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}

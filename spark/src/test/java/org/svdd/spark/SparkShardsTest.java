package org.svdd.spark;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.app.Main;
import org.svdd.diffusion.data.Vocabulary;
import org.svdd.diffusion.model.SequenceTransformer;
import org.svdd.diffusion.process.MaskSchedule;
import org.svdd.diffusion.process.MaskedProcess;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.diffusion.train.Trainer;
import org.svdd.tensor.Backends;
import org.svdd.tensor.DType;
import org.svdd.tensor.Rng;
import org.svdd.tensor.nn.Init;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * compare --spark local[2] against the in-process run on a small DNA model with an exec reward (the count of A per
 * sequence, by awk): the same rewards.csv; a reward program that crashes on its first call in one shard, retried by
 * Spark, changes nothing; one that crashes on every attempt fails the run naming the shard, leaves the other shards
 * on disk, and --resume runs only the missing one.
 */
class SparkShardsTest {
    private static final int N = 9, SHARD = 3;
    @TempDir
    static Path dir;
    private static Path model;

    @BeforeAll
    static void smallModel() throws IOException {
        model = dir.resolve("dna.safetensors");
        Init init = new Init(Backends.current(), DType.F32, new Rng(0));
        Trainer.export(model, new DiffusionModel.Sequences(new SequenceTransformer(new SequenceTransformer.Config(4, 16, 16, 1, 2, 2, 3), init),
                new MaskedProcess(4, MaskSchedule.logLinear()), Vocabulary.DNA));
    }

    /** Runs svdd with these arguments in this JVM; returns {exit code, stderr}. */
    private static Object[] svdd(List<String> args) {
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(err, true)).execute(args.toArray(String[]::new));
        return new Object[]{code, err.toString()};
    }

    /**
     * A reward program: the count of A in each line; it fails (exit 3) on a call whose input holds {@code poison},
     * every time, or only the first time when {@code once}. Every call appends its line count to calls.log.
     */
    private static String reward(String name, String poison, boolean once) throws IOException {
        Path script = dir.resolve(name + ".sh"), calls = dir.resolve(name + ".calls"), mark = dir.resolve(name + ".failed");
        String fail = poison == null ? "" : "if printf '%s\\n' \"$in\" | grep -qx '" + poison + "'" + (once ? " && [ ! -e '" + mark + "' ]" : "")
                + "; then touch '" + mark + "'; echo 'poisoned input' >&2; exit 3; fi\n";
        Files.writeString(script, "in=$(cat)\n" + fail + "printf '%s\\n' \"$in\" | wc -l >> '" + calls + "'\n"
                + "printf '%s\\n' \"$in\" | awk '{ print gsub(/A/, \"\") }'\n");
        return "exec:sh " + script;
    }

    private static List<String> compare(String reward, String methods, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("compare", "--checkpoint", model.toString(), "--reward", reward, "-n", Integer.toString(N),
                "-M", "3", "--steps", "4", "--methods", methods, "--out", out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    private static List<String> spark(List<String> args, String... more) {
        List<String> a = new ArrayList<>(args);
        a.addAll(List.of("--spark", "local[2]", "--shard-size", Integer.toString(SHARD)));
        a.addAll(List.of(more));
        return a;
    }

    private static void ok(Object[] run) {
        assertEquals(0, run[0], (String) run[1]);
    }

    /** The sequences of a FASTA file, in order. */
    private static List<String> sequences(Path fasta) throws IOException {
        return Files.readAllLines(fasta).stream().filter(l -> !l.startsWith(">") && !l.isBlank()).toList();
    }

    private static Path fasta(Path out, String set) throws IOException {
        try (Stream<Path> files = Files.list(out.resolve("samples"))) {
            return files.filter(f -> f.getFileName().toString().startsWith(set) && f.toString().endsWith(".fasta")).findFirst().orElseThrow();
        }
    }

    @Test
    void sparkRunsGiveTheInProcessSamplesThroughARetryAndAResume() throws IOException {
        String good = reward("good", null, false);
        Path here = dir.resolve("here");
        ok(svdd(compare(good, "pretrained,best-of-n,svdd-pm", here)));
        byte[] expected = Files.readAllBytes(here.resolve("rewards.csv"));

        // the same samples and rewards when drawn on Spark, three samples a shard
        Path spark = dir.resolve("spark");
        ok(svdd(spark(compare(good, "pretrained,best-of-n,svdd-pm", spark))));
        assertArrayEquals(expected, Files.readAllBytes(spark.resolve("rewards.csv")), "rewards.csv on local[2] vs in-process");
        for (String set : List.of("pretrained", "best-of-n", "svdd-pm"))
            for (int first = 0; first < N; first += SHARD) assertTrue(Files.isRegularFile(spark.resolve("shards").resolve(set).resolve(first + "-3.shard")));

        // a reward program that crashes on its first call holding pretrained's sample 3 (shard 3..5): Spark runs that
        // shard again, and the outputs are those of a run without the failure
        String poison = sequences(fasta(here, "pretrained")).get(3);
        Path retried = dir.resolve("retried");
        ok(svdd(spark(compare(reward("flaky", poison, true), "pretrained,best-of-n,svdd-pm", retried))));
        assertTrue(Files.exists(dir.resolve("flaky.failed")), "the program did crash once");
        assertArrayEquals(expected, Files.readAllBytes(retried.resolve("rewards.csv")), "rewards.csv after a retried shard");

        // crashing on every attempt: the run fails naming the shard; the other shards stay on disk
        Path failed = dir.resolve("failed");
        Object[] run = svdd(spark(compare(reward("broken", poison, false), "pretrained", failed), "--shard-retries", "1"));
        // (the program's first calls, for shards 0..2 and 6..8, logged 3 lines each)
        assertEquals(1, run[0], (String) run[1]);
        assertTrue(((String) run[1]).contains("shard pretrained samples 3..5 failed 2 times"), (String) run[1]);
        assertTrue(((String) run[1]).contains("poisoned input"), "the program's own error: " + run[1]);
        assertTrue(Files.isRegularFile(failed.resolve("shards/pretrained/0-3.shard")));
        assertTrue(Files.isRegularFile(failed.resolve("shards/pretrained/6-3.shard")));
        assertFalse(Files.exists(failed.resolve("shards/pretrained/3-3.shard")));

        // the program mended in place, --resume runs only the missing shard: its 3 samples are all the program scores
        Files.delete(dir.resolve("broken.calls"));
        String mended = reward("broken", null, false);
        ok(svdd(spark(compare(mended, "pretrained", failed), "--resume")));
        assertEquals(List.of("3"), Files.readAllLines(dir.resolve("broken.calls")).stream().map(String::strip).toList());
        Path herePre = dir.resolve("here-pretrained");
        ok(svdd(compare(good, "pretrained", herePre)));
        assertEquals(Files.readString(herePre.resolve("rewards.csv")), Files.readString(failed.resolve("rewards.csv")));
    }

    @Test
    void sampleOnSparkWritesTheSamplesOfAnyBatching() throws IOException {
        Path here = dir.resolve("sample-here"), spark = dir.resolve("sample-spark");
        List<String> common = List.of("sample", "--checkpoint", model.toString(), "-n", "10", "--steps", "6");
        List<String> a = new ArrayList<>(common), b = new ArrayList<>(common);
        a.addAll(List.of("--batch", "10", "--out", here.toString()));
        b.addAll(List.of("--spark", "local[2]", "--shard-size", "3", "--out", spark.toString()));
        ok(svdd(a));
        ok(svdd(b));
        assertEquals(Files.readString(here.resolve("samples.fasta")), Files.readString(spark.resolve("samples.fasta")));
        assertTrue(Files.isRegularFile(spark.resolve("shards/sample/9-1.shard")), "the last shard, one sample");
    }
}

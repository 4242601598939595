package org.svdd.app;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.diffusion.data.Fasta;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `svdd compare`'s extra axes on the committed DNA model (3 steps, 2 samples): reward at matched cost over M (--sweep),
 * the selection temperature (--alphas), and a held-out reward scoring every sample (--check-reward).
 */
class CompareAxesTest {
    private static final Path DNA = Path.of("../models/dna-transformer.safetensors");
    /** Reverse steps S of every run here. */
    private static final int S = 3;

    /** compare on the DNA model, 2 samples, S steps, M = 2, reward gc:0.6, with the extra arguments; asserts it succeeds. */
    private static Path compare(Path out, String methods, String... extra) {
        List<String> args = new ArrayList<>(List.of("compare", "--checkpoint", DNA.toString(), "--reward", "gc:0.6", "-n", "2", "-M", "2",
                "--steps", String.valueOf(S), "--methods", methods, "--out", out.toString()));
        args.addAll(List.of(extra));
        Object[] r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, (int) r[0], (String) r[1]);
        return out;
    }

    private static void assertFails(String expected, String... args) {
        Object[] r = Cli.run(args);
        assertTrue((int) r[0] != 0, "should fail: " + String.join(" ", args));
        assertTrue(((String) r[1]).contains(expected), "error names the problem (" + expected + "): " + r[1]);
    }

    /** A CSV file's rows after the header as header name -> cell. */
    private static List<Map<String, String>> csv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        String[] head = lines.getFirst().split(",");
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            assertEquals(head.length, cells.length, line);
            Map<String, String> row = new HashMap<>();
            for (int j = 0; j < head.length; j++) row.put(head[j], cells[j]);
            rows.add(row);
        }
        return rows;
    }

    private static double number(Map<String, String> row, String column) {
        return Double.parseDouble(row.get(column));
    }

    private static JsonArray methods(Path out) throws IOException {
        return JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject().getAsJsonArray("methods");
    }

    /** results.json's entry for a method label. */
    private static JsonObject method(Path out, String label) throws IOException {
        for (var m : methods(out)) if (m.getAsJsonObject().get("method").getAsString().equals(label)) return m.getAsJsonObject();
        throw new AssertionError(label + " not in " + out.resolve("results.json"));
    }

    private static void assertPng(Path file) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, file + " is a PNG");
        assertTrue(img.getWidth() > 100 && img.getHeight() > 100, file.toString());
    }

    @Test
    void theSweepRunsTheFourMethodsAtEachMWithTheirCallsPerSample(@TempDir Path dir) throws Exception {
        Path out = compare(dir, "pretrained", "--sweep", "1,3");
        assertEquals("method,M,median,median_lo,median_hi,q90,mean,denoiser_rows_per_sample,reward_calls_per_sample,seconds",
                Files.readAllLines(out.resolve("sweep.csv")).getFirst());
        List<Map<String, String>> rows = csv(out.resolve("sweep.csv"));
        assertEquals(List.of("svdd-pm", "best-of-n", "smc", "beam", "svdd-pm", "best-of-n", "smc", "beam"), rows.stream().map(r -> r.get("method")).toList());
        for (Map<String, String> row : rows) {
            int m = Integer.parseInt(row.get("M"));
            double denoiser = number(row, "denoiser_rows_per_sample"), calls = number(row, "reward_calls_per_sample");
            String what = row.get("method") + " at M = " + m;
            switch (row.get("method")) {
                case "svdd-pm" -> {
                    // one pass at the prior, M a step whose candidates need an x0 prediction (all but the last); M rewards a step, none at M = 1
                    assertEquals(1 + m * (S - 1), denoiser, what);
                    assertEquals(m == 1 ? 0 : m * S, calls, what);
                }
                case "best-of-n" -> {
                    assertEquals(m * S, denoiser, what);
                    assertEquals(m, calls, what);
                }
                case "smc" -> {
                    // as many particles as bring their S rows each closest to svdd-pm's; each scored every step
                    long particles = Math.max(1, Math.round((1 + m * (S - 1)) / (double) S));
                    assertEquals(particles * S, denoiser, what);
                    assertEquals(particles * S, calls, what);
                }
                case "beam" -> {
                    // 2 beams: 2 rows at the prior, then 2 M' a step with noisy candidates; every candidate scored every step
                    assertTrue(calls >= 2 * 2 * S, what + ": " + calls);
                    assertEquals(S * (denoiser - 2) / (S - 1), calls, 1e-9, what);
                }
                default -> throw new AssertionError(what);
            }
            // the row is the run kept in sweep-runs/
            JsonObject run = method(out.resolve("sweep-runs"), row.get("method") + "-M" + m);
            assertEquals(run.get("q50").getAsDouble(), number(row, "median"), 1e-6, what);
            assertEquals(run.get("reward_calls_per_sample").getAsDouble(), calls, 0.05, what);
            assertTrue(number(row, "median_lo") <= number(row, "median") && number(row, "median") <= number(row, "median_hi"), what);
        }
        for (String png : List.of("sweep.png", "sweep-denoiser.png", "sweep-reward.png")) assertPng(out.resolve(png));
        assertTrue(CompareCommand.OUTPUTS.containsAll(List.of("sweep-denoiser.png", "sweep-reward.png", "alpha.csv", "alpha-naturalness.png",
                "alpha-diversity.png", "alpha-runs")));
    }

    @Test
    void theAlphaSweepRunsEachMethodAtEachAlphaAndAlphaZeroIsTheMainRun(@TempDir Path dir) throws Exception {
        Path out = compare(dir.resolve("main"), "svdd-pm", "--alpha", "0", "--alphas", "0,0.5");
        List<Map<String, String>> rows = csv(out.resolve("alpha.csv"));
        assertEquals("method,alpha,median,median_lo,median_hi,mean,naturalness,pairwise_distance,unique,valid,denoiser_rows_per_sample,"
                + "reward_calls_per_sample,seconds", Files.readAllLines(out.resolve("alpha.csv")).getFirst());
        assertEquals(List.of("svdd-pm 0", "svdd-pm 0.5", "svdd-soft 0", "svdd-soft 0.5"), rows.stream().map(r -> r.get("method") + " " + r.get("alpha")).toList());
        for (Map<String, String> row : rows) {
            String label = row.get("method") + "-a" + row.get("alpha");
            JsonObject run = method(out.resolve("alpha-runs"), label);
            assertEquals(Double.parseDouble(row.get("alpha")), run.getAsJsonObject("settings").get("alpha").getAsDouble(), label);
            assertEquals(run.get("q50").getAsDouble(), number(row, "median"), 1e-6, label);
            assertEquals(run.get("naturalness").getAsDouble(), number(row, "naturalness"), 1e-6, label);
            assertEquals(run.get("pairwise_distance").getAsDouble(), number(row, "pairwise_distance"), 1e-6, label);
            // svdd-soft scores --mc-draws (4) x0 draws of each of the M candidates every step
            assertEquals(row.get("method").equals("svdd-pm") ? 2 * S : 2 * S * 4, number(row, "reward_calls_per_sample"), label);
        }
        // alpha 0 with the main run's seed and settings is the main run: the same samples, bit for bit
        assertEquals(method(out, "svdd-pm").get("q50").getAsDouble(), number(rows.getFirst(), "median"), 1e-6);
        assertEquals(Fasta.read(out.resolve("samples/svdd-pm.fasta")).stream().map(Fasta.Record::sequence).toList(),
                Fasta.read(out.resolve("alpha-runs/samples/svdd-pm-a0.fasta")).stream().map(Fasta.Record::sequence).toList());
        for (String png : List.of("alpha-naturalness.png", "alpha-diversity.png")) assertPng(out.resolve(png));

        // the alpha sweep runs whatever --methods says
        Path other = compare(dir.resolve("other"), "pretrained", "--alphas", "1");
        assertEquals(List.of("svdd-pm", "svdd-soft"), csv(other.resolve("alpha.csv")).stream().map(r -> r.get("method")).toList());
    }

    @Test
    void badAlphasAndCheckRewardsAreNamed(@TempDir Path dir) {
        String ck = DNA.toString(), o = dir.resolve("o").toString();
        assertFails("--alphas: each alpha must be a finite number >= 0, got -0.5", "compare", "--checkpoint", ck, "--alphas", "0,-0.5", "--out", o);
        assertFails("--alphas: 'x' is not a number", "compare", "--checkpoint", ck, "--alphas", "1,x", "--out", o);
        assertFails("--alphas: 1 is named twice", "compare", "--checkpoint", ck, "--alphas", "1,1", "--out", o);
        assertFails("--check-reward: unknown --reward 'foo'", "compare", "--checkpoint", ck, "--check-reward", "foo", "--out", o);
        // a spec that parses but does not fit the model fails before the output folder is taken
        assertFails("--check-reward: --reward jpeg needs an image model", "compare", "--checkpoint", ck, "--reward", "gc:0.5", "--check-reward", "jpeg",
                "--methods", "pretrained", "-n", "1", "--steps", "1", "--out", o);
        assertFalse(Files.exists(Path.of(o)), "nothing written");
    }

    @Test
    void aCheckRewardWithTheRewardsOwnSpecReportsTheSameNumbers(@TempDir Path dir) throws Exception {
        Path out = compare(dir, "pretrained,svdd-pm", "--check-reward", "gc:0.6");
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
        assertEquals("gc:0.6", json.get("check_reward").getAsString());
        for (var e : json.getAsJsonArray("methods")) {
            JsonObject m = e.getAsJsonObject();
            for (String[] pair : new String[][]{{"check_q50", "q50"}, {"check_q50_lo", "q50_lo"}, {"check_q50_hi", "q50_hi"}, {"check_mean", "mean"}})
                assertEquals(m.get(pair[1]).getAsDouble(), m.get(pair[0]).getAsDouble(), 0, m.get("method") + " " + pair[0]);
        }
        for (Map<String, String> row : csv(out.resolve("rewards.csv"))) assertEquals(row.get("reward"), row.get("check"), row.get("id"));
        String table = Files.readString(out.resolve("table.md"));
        assertTrue(table.lines().findFirst().orElseThrow().contains("| check 50% |"), table);
    }

    @Test
    void aHeldOutCheckRewardScoresEverySampleAndChangesNothingElse(@TempDir Path dir) throws Exception {
        Path plain = compare(dir.resolve("plain"), "pretrained,best-of-n,svdd-pm");
        Path checked = compare(dir.resolve("checked"), "pretrained,best-of-n,svdd-pm", "--check-reward", "gc:0.3");

        // the samples, their rewards and the costs are those of the run without it
        List<String> before = Files.readAllLines(plain.resolve("rewards.csv")), after = Files.readAllLines(checked.resolve("rewards.csv"));
        assertEquals("id,method,seed,sample,reward,file,check", after.getFirst());
        assertEquals(before, after.stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList());
        for (String f : List.of("samples/pretrained.fasta", "samples/best-of-n.fasta", "samples/svdd-pm.fasta"))
            assertEquals(Files.readString(plain.resolve(f)), Files.readString(checked.resolve(f)), f);
        for (String label : List.of("pretrained", "best-of-n", "svdd-pm"))
            for (String field : List.of("q50", "q50_lo", "q50_hi", "mean", "denoiser_rows_per_sample", "reward_calls_per_sample", "naturalness"))
                assertEquals(method(plain, label).get(field), method(checked, label).get(field), label + " " + field);

        // each check is gc:0.3 of the sample's sequence, -|GC fraction - 0.3|
        Map<String, String> sequences = new HashMap<>();
        for (String set : List.of("pretrained", "best-of-n", "svdd-pm"))
            for (Fasta.Record r : Fasta.read(checked.resolve("samples/" + set + ".fasta"))) sequences.put(r.id().split(" ")[0], r.sequence());
        List<Map<String, String>> rows = csv(checked.resolve("rewards.csv"));
        assertEquals(6, rows.size());
        for (Map<String, String> row : rows) {
            String s = sequences.get(row.get("id"));
            double gc = s.chars().filter(c -> c == 'C' || c == 'G').count() / (double) s.length();
            assertEquals(-Math.abs(gc - 0.3), number(row, "check"), 1e-6, row.get("id"));
        }
        JsonObject svdd = method(checked, "svdd-pm");
        double[] checks = rows.stream().filter(r -> r.get("method").equals("svdd-pm")).mapToDouble(r -> number(r, "check")).toArray();
        assertEquals(org.svdd.eval.Bootstrap.quantile(checks, .5), svdd.get("check_q50").getAsDouble(), 1e-6);
        assertEquals(Arrays.stream(checks).average().orElseThrow(), svdd.get("check_mean").getAsDouble(), 1e-6);
        assertFalse(JsonParser.parseString(Files.readString(plain.resolve("results.json"))).getAsJsonObject().has("check_reward"));
    }
}

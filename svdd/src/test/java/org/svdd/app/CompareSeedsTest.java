package org.svdd.app;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.eval.Bootstrap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `svdd compare --seeds K` on the committed DNA model (a few steps): seed derivation, ids, results.json, table and sweep. */
class CompareSeedsTest {
    private static final Path DNA = Path.of("../models/dna-transformer.safetensors");

    /** compare on the DNA model, 3 samples a seed, 4 steps, M = 2, reward gc:0.6, with the extra arguments; asserts it succeeds. */
    private static Path compare(Path out, String methods, String... extra) {
        List<String> args = new ArrayList<>(List.of("compare", "--checkpoint", DNA.toString(), "--reward", "gc:0.6", "-n", "3", "-M", "2", "--steps", "4",
                "--methods", methods, "--out", out.toString()));
        args.addAll(List.of(extra));
        Object[] r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, (int) r[0], (String) r[1]);
        return out;
    }

    /** rewards.csv as id -> its row's cells, in file order (the header left out). */
    private static Map<String, String[]> rewards(Path out) throws IOException {
        Map<String, String[]> rows = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(out.resolve("rewards.csv"));
        for (String line : lines.subList(1, lines.size())) rows.put(line.split(",")[0], line.split(","));
        return rows;
    }

    @Test
    void oneSeedIsTheRunWithoutSeedsAndRunKIsTheRunFromSeedPlusK(@TempDir Path dir) throws Exception {
        Path plain = compare(dir.resolve("plain"), "pretrained,svdd-pm");
        Path one = compare(dir.resolve("one"), "pretrained,svdd-pm", "--seeds", "1");
        Path two = compare(dir.resolve("two"), "pretrained,svdd-pm", "--seeds", "2");
        Path seed1 = compare(dir.resolve("seed1"), "pretrained,svdd-pm", "--seed", "1");

        // K = 1 writes exactly what a run without --seeds writes: the same ids, rewards and sample files
        assertEquals(Files.readAllLines(plain.resolve("rewards.csv")), Files.readAllLines(one.resolve("rewards.csv")));
        for (String f : List.of("samples/pretrained.fasta", "samples/svdd-pm.fasta"))
            assertEquals(Files.readString(plain.resolve(f)), Files.readString(one.resolve(f)), f);

        // with K = 2, run 0 is the run from --seed 0 and run 1 the run from --seed 1, sample by sample
        Map<String, String[]> k2 = rewards(two), k1 = rewards(plain), from1 = rewards(seed1);
        assertEquals(2 * 2 * 3, k2.size());
        for (String method : List.of("pretrained", "svdd-pm"))
            for (int i = 0; i < 3; i++) {
                assertEquals(k1.get(method + "-" + i)[4], k2.get(method + "-s0-" + i)[4], method + " run 0, sample " + i);
                assertEquals(from1.get(method + "-" + i)[4], k2.get(method + "-s1-" + i)[4], method + " run 1, sample " + i);
            }
        assertEquals(Files.readString(seed1.resolve("samples/svdd-pm.fasta")),
                Files.readString(two.resolve("samples/svdd-pm-s1.fasta")).replace(">svdd-pm-s1-", ">svdd-pm-"));
    }

    @Test
    void severalSeedsGiveIntervalsPerSeedMediansAndEverySample(@TempDir Path dir) throws Exception {
        List<String> methods = List.of("pretrained", "best-of-n", "svdd-pm");
        int k = 2, n = 3;
        Path out = compare(dir, String.join(",", methods), "--seeds", "2", "--seed", "5");

        // rewards.csv: one row per method x seed x sample, named <method>-s<k>-<index>, with the run's seed
        List<String> csv = Files.readAllLines(out.resolve("rewards.csv"));
        assertEquals("id,method,seed,sample,reward,file", csv.getFirst());
        assertEquals(methods.size() * k * n, csv.size() - 1);
        Map<String, String[]> rows = rewards(out);
        for (String m : methods)
            for (int s = 0; s < k; s++)
                for (int i = 0; i < n; i++) {
                    String id = m + "-s" + s + "-" + i;
                    String[] row = rows.get(id);
                    assertTrue(row != null, "rewards.csv has " + id);
                    assertEquals(List.of(m, String.valueOf(5 + s), String.valueOf(i), "samples/" + m + "-s" + s + ".fasta"),
                            List.of(row[1], row[2], row[3], row[5]), id);
                    assertTrue(Files.readAllLines(out.resolve(row[5])).contains(">" + id + " reward=" + row[4]), id + " in " + row[5]);
                }

        // results.json: the seeds, the bootstrap, and per method the intervals and per-seed medians beside the old fields
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
        assertEquals(k, json.get("seeds").getAsInt());
        assertEquals(n, json.get("n").getAsInt());
        assertEquals(5, json.get("seed").getAsLong());
        assertEquals(Bootstrap.DRAWS, json.getAsJsonObject("bootstrap").get("draws").getAsInt());
        JsonArray results = json.getAsJsonArray("methods");
        assertEquals(methods.size(), results.size());
        Gson gson = new Gson();
        for (int j = 0; j < methods.size(); j++) {
            JsonObject m = results.get(j).getAsJsonObject();
            String name = methods.get(j);
            assertEquals(name, m.get("method").getAsString());
            for (String field : List.of("sampler", "settings", "q80", "q90", "q95", "q99", "std", "naturalness", "pairwise_distance", "unique",
                    "denoiser_rows_per_sample", "reward_calls_per_sample", "seconds"))
                assertTrue(m.has(field), name + " keeps " + field);
            assertArrayEquals(new long[]{5, 6}, gson.fromJson(m.get("seeds"), long[].class));
            double[][] bySeed = new double[k][n];
            for (int s = 0; s < k; s++)
                for (int i = 0; i < n; i++) bySeed[s][i] = Double.parseDouble(rows.get(name + "-s" + s + "-" + i)[4]);
            double[] all = gson.fromJson(m.get("rewards"), double[].class);
            assertArrayEquals(Bootstrap.pooled(bySeed), all, 1e-6, name + ": rewards, run after run, as in rewards.csv");
            double[] perSeed = gson.fromJson(m.get("q50_per_seed"), double[].class);
            assertEquals(k, perSeed.length);
            for (int s = 0; s < k; s++) assertEquals(Bootstrap.quantile(bySeed[s].clone(), .5), perSeed[s], 1e-6, name + " seed " + s);
            double q50 = m.get("q50").getAsDouble(), mean = m.get("mean").getAsDouble();
            assertEquals(Bootstrap.quantile(all.clone(), .5), q50, 1e-12);
            assertTrue(m.get("q50_lo").getAsDouble() <= q50 && q50 <= m.get("q50_hi").getAsDouble(), m.toString());
            assertTrue(m.get("mean_lo").getAsDouble() <= mean && mean <= m.get("mean_hi").getAsDouble(), m.toString());
            assertEquals(k, m.getAsJsonArray("seconds_per_seed").size());
        }

        // the table: median [lo, hi]; 80% from 6 samples, but no 90%, 95% or 99% (they would be the maximum)
        List<String> table = Files.readAllLines(out.resolve("table.md"));
        assertEquals(2 + methods.size(), table.size());
        List<String> head = cells(table.getFirst());
        assertEquals(List.of("method", "50% [95% CI]", "80%", "90%", "95%", "99%"), head.subList(0, 6));
        for (int j = 0; j < methods.size(); j++) {
            List<String> c = cells(table.get(2 + j));
            JsonObject m = results.get(j).getAsJsonObject();
            assertEquals(String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", m.get("q50").getAsDouble(), m.get("q50_lo").getAsDouble(),
                    m.get("q50_hi").getAsDouble()), c.get(1));
            assertEquals(String.format(Locale.ROOT, "%.3f", m.get("q80").getAsDouble()), c.get(2));
            assertEquals(List.of("-", "-", "-"), c.subList(3, 6));
        }
        assertTrue(table.stream().allMatch(l -> l.length() <= 160), "the table fits about 150 columns:\n" + String.join("\n", table));
    }

    /** A markdown table row's cells, trimmed. */
    private static List<String> cells(String row) {
        return Stream.of(row.substring(1, row.length() - 1).split("\\|")).map(String::trim).toList();
    }

    @Test
    void theSweepCarriesTheMediansInterval(@TempDir Path dir) throws Exception {
        Path out = compare(dir, "pretrained", "--seeds", "2", "--sweep", "1,2");
        List<String> csv = Files.readAllLines(out.resolve("sweep.csv"));
        assertEquals("method,M,median,median_lo,median_hi,q90,mean,denoiser_rows_per_sample,reward_calls_per_sample,seconds", csv.getFirst());
        assertEquals(1 + 4 * 2, csv.size());   // svdd-pm, best-of-n, smc, beam at M = 1, 2
        for (String line : csv.subList(1, csv.size())) {
            double[] v = Arrays.stream(line.split(",")).skip(2).mapToDouble(Double::parseDouble).toArray();
            assertTrue(v[1] <= v[0] && v[0] <= v[2], "median_lo <= median <= median_hi: " + line);
        }
        // every run of the sweep is kept, named by method, M and seed
        assertEquals(1 + 4 * 2 * 2 * 3, Files.readAllLines(out.resolve("sweep-runs/rewards.csv")).size());
        assertTrue(rewards(out.resolve("sweep-runs")).containsKey("svdd-pm-M2-s1-2"));
    }
}

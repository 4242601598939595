package org.svdd.app;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonNull;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSerializer;
import org.svdd.diffusion.train.Progress;
import org.svdd.chem.Molecules;
import org.svdd.chem.StructureGrid;
import org.svdd.eval.Bootstrap;
import org.svdd.reward.Reward;
import org.svdd.sampling.Method;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.io.AtomicFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Runs methods on one {@link Task} with the same seeds and budget knob M, and reports what SVDD.md asks for: reward
 * quantiles with bootstrap intervals, mean and std, naturalness, diversity, cost and wall time. Every method runs K
 * times ({@code --seeds K}), run k from seed {@link #seed(long, int) seed + k}, so that run k is exactly the one-seed
 * run with {@code --seed seed+k}, and K = 1 is the one-seed comparison itself. Everything is written as it is
 * produced: each run's samples the moment it finishes, each method's rewards when its last seed has run, the table
 * and plot rewritten after every method. Every sample is named by one id ({@link Task#sampleId}) in its sample file
 * and in rewards.csv, so the outputs join on it: {@code <label>-<index>} from 0 with one seed,
 * {@code <label>-s<k>-<index>} with several. With a check reward ({@link #withCheckReward}) every sample is also scored
 * by a second, held-out reward after its run, outside the costs: the SVDD paper's guard against reward hacking,
 * steering with one oracle and reporting another trained on disjoint data.
 */
final class Comparison {
    /** JSON, pretty printed; a number JSON cannot hold (NaN, an infinity) is written as null. */
    private static final Gson GSON = gson();

    /** The quantiles of the table and results.json. */
    private static final double[] QUANTILES = {.5, .8, .9, .95, .99};

    /**
     * One run of a method from one seed: the seed, the name of its sample set (the label, or label-s&lt;k&gt;), its
     * rewards in sample order, the check reward's scores of the same samples (null without a check reward), where
     * each sample went, its wall time, and the seconds of drawing where it ran (shards side by side add up).
     */
    record SeedRun(long seed, String set, double[] rewards, double[] checks, List<Task.SampleFile> files, double seconds, double busySeconds) {
    }

    /**
     * One method's results over its seeds: its label, the method and settings that ran, the runs, the statistics
     * (naturalness and diversity averaged over the seeds' sample sets, costs per sample), the median and mean with
     * their stratified bootstrap intervals ({@link Bootstrap#stratified}), and the check reward's median with the same
     * interval (null without a check reward).
     */
    record Row(String method, Method sampler, Method.Settings settings, List<SeedRun> runs, double naturalness, double pairwise, double unique,
               double valid, double denoiserPerSample, double gradPerSample, double valuePerSample, double rewardCallsPerSample,
               double denoiserSeconds, double rewardSeconds, Bootstrap.Interval median, Bootstrap.Interval meanInterval, Bootstrap.Interval checkMedian) {
        /** Rewards by seed: [k][i] is sample i of run k. */
        double[][] bySeed() {
            return runs.stream().map(SeedRun::rewards).toArray(double[][]::new);
        }

        /** The rewards of all runs, run after run (the order of rewards.csv). */
        double[] rewards() {
            return Bootstrap.pooled(bySeed());
        }

        double quantile(double p) {
            return Bootstrap.quantile(rewards(), p);
        }

        double mean() {
            return Bootstrap.mean(rewards());
        }

        double std() {
            double m = mean();
            return Math.sqrt(Arrays.stream(rewards()).map(v -> (v - m) * (v - m)).average().orElse(Double.NaN));
        }

        /** The check reward's scores of all runs, run after run; only with a check reward. */
        double[] checks() {
            return Bootstrap.pooled(runs.stream().map(SeedRun::checks).toArray(double[][]::new));
        }

        /** Denoiser rows per sample as the table counts them: a differentiated row twice. */
        double denoiserCost() {
            return denoiserPerSample + gradPerSample;
        }

        /** Each run's median, in seed order. */
        double[] mediansPerSeed() {
            return runs.stream().mapToDouble(r -> Bootstrap.quantile(r.rewards().clone(), .5)).toArray();
        }

        /** Wall time of all runs together. */
        double seconds() {
            return runs.stream().mapToDouble(SeedRun::seconds).sum();
        }

        /** Seconds of drawing where the runs ran: the wall time here, or the shards' times added up (--spark). */
        double busySeconds() {
            return runs.stream().mapToDouble(SeedRun::busySeconds).sum();
        }

        /** The share of the drawing time spent outside denoiser passes: rewards, value nets, selection, the sampler's own steps. */
        double outsideDenoiser() {
            return 1 - denoiserSeconds / busySeconds();
        }

        /** The share of the drawing time spent inside reward calls. */
        double inReward() {
            return rewardSeconds / busySeconds();
        }
    }

    private final Task task;
    private final int steps;
    private final int n;
    private final long seed;
    private final int seeds;
    private final Path out;
    private final PrintStream log;
    private Map<String, Object> config = Map.of();
    /** The held-out reward's spec and the reward itself; null without one. */
    private String checkSpec;
    private Reward checkReward;
    final List<Row> rows = new ArrayList<>();
    /** Tasks with text samples: each method's best distinct samples, best first (molecules: drawn in structures.png). */
    private final Map<String, List<Scored>> best = new LinkedHashMap<>();

    /** A sample as text with its reward. */
    record Scored(String text, double reward) {
    }

    /** Molecules drawn per method in structures.png. */
    static final int STRUCTURES_PER_METHOD = 4;

    /**
     * @param n     samples per method and seed
     * @param seed  the first seed
     * @param seeds K, the runs of every method, from {@link #seed(long, int)} seed + k
     */
    Comparison(Task task, int steps, int n, long seed, int seeds, Path out, PrintStream log) {
        if (seeds < 1) throw new IllegalArgumentException("seeds must be >= 1, got " + seeds);
        this.task = task;
        this.steps = steps;
        this.n = n;
        this.seed = seed;
        this.seeds = seeds;
        this.out = out;
        this.log = log;
    }

    /** The seed of run k from the first seed: seed + k, so run 0 is the one-seed run and run k repeats with --seed seed+k. */
    static long seed(long first, int k) {
        return first + k;
    }

    /**
     * Records the run's full configuration, written to results.json under "config" so that a reader knows exactly
     * what ran: any strings, numbers, booleans, enums, paths, records, and lists and maps of them (null for an unset
     * option), in the order given. Returns this.
     */
    Comparison withConfig(Map<String, Object> config) {
        this.config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
        return this;
    }

    /**
     * Scores every sample also by a held-out reward, after its run and outside the costs: the table's "check 50%",
     * check_q50 with its interval and check_mean in results.json, and rewards.csv's check column; both null: none (the
     * default). Returns this.
     */
    Comparison withCheckReward(String spec, Reward reward) {
        this.checkSpec = spec;
        this.checkReward = reward;
        return this;
    }

    /**
     * Where the runs' shards go when they do not run here (--spark): the runner, the task as files and specs, samples
     * per shard, the store of finished shards, and whether shards already stored are kept.
     */
    record Distributed(Shards.Runner runner, Shards.TaskSpec spec, int shardSize, Shards.Store store, boolean resume) {
    }

    private Distributed distributed;

    /** Draws every run's samples through a runner, shard by shard, instead of in this JVM. Returns this. */
    Comparison withDistributed(Distributed d) {
        this.distributed = d;
        return this;
    }

    /** A comparison like this one (task, steps, n, seeds, config, check reward, runner) that writes into the folder name inside this one's. */
    private Comparison under(String name) {
        return new Comparison(task, steps, n, seed, seeds, out.resolve(name), log).withConfig(config).withCheckReward(checkSpec, checkReward)
                .withDistributed(distributed);
    }

    /** Runs one method from every seed, writes its samples and rewards, updates the table, CSV, JSON and plot; returns its row. */
    Row run(Method method, Method.Settings settings, String label) throws IOException {
        List<SeedRun> runs = new ArrayList<>(seeds);
        List<Scored> texts = new ArrayList<>();
        java.util.function.Function<Tensor, List<String>> asText = Task.texts(task.model);     // null for images
        double naturalness = 0, pairwise = 0, unique = 0, valid = 0, denoiser = 0, grad = 0, value = 0, rewardCalls = 0, denoiserSecs = 0, rewardSecs = 0;
        for (int k = 0; k < seeds; k++) {
            String set = seeds == 1 ? label : label + "-s" + k;
            Shards.Job job = new Shards.Job(null, set, method, settings, steps, seed(seed, k), 0, n);
            long t0 = System.nanoTime();
            Shards.Drawn drawn;
            if (distributed == null) {
                Progress bar = new Progress(log, String.format("  %-20s step", set), 0, steps);
                drawn = Shards.draw(task, job, i -> bar.update(i + 1, ""));
            } else {
                Progress bar = new Progress(log, String.format("  %-20s sample", set), 0, n);
                drawn = Shards.distributed(distributed.runner(), job.on(distributed.spec()), distributed.shardSize(), distributed.store(),
                        distributed.resume(), task.model.module().backend(), done -> bar.update(done, ""));
            }
            Tensor x = drawn.x();
            double secs = (System.nanoTime() - t0) / 1e9;
            Path samples = out.resolve("samples");
            task.writeSamples(x, null, samples, set);     // on disk before scoring: a reward program that dies loses no samples
            double[] r = drawn.rewards() != null ? drawn.rewards() : task.reward.score(x);     // shards come scored where they ran
            double[] check = checkReward == null ? null : checkReward.score(x);     // the uncounted reward: not in the costs
            if (asText != null) {
                List<String> t = asText.apply(x);
                for (int i = 0; i < r.length; i++) texts.add(new Scored(t.get(i), r[i]));
            }
            runs.add(new SeedRun(seed(seed, k), set, r, check, task.writeSamples(x, r, samples, set), secs,
                    drawn.spent().seconds()));
            double[] div = Task.diversity(x);
            naturalness += task.naturalness(x) / seeds;
            pairwise += div[0] / seeds;
            unique += div[1] / seeds;
            valid += task.validFraction(x) / seeds;
            Shards.Spent spent = drawn.spent();
            denoiser += spent.denoiserRows();
            grad += spent.gradientRows();
            value += spent.valueRows();
            rewardCalls += spent.rewardCalls();
            denoiserSecs += spent.denoiserSeconds();
            rewardSecs += spent.rewardSeconds();
            if (seeds > 1) log.printf(Locale.ROOT, "  %-20s median %.3f  (%.1f s)%n", set, Bootstrap.quantile(r.clone(), .5), secs);
        }
        if (!texts.isEmpty()) best.put(label, best(texts, STRUCTURES_PER_METHOD, task.molecules()));
        double[][] bySeed = runs.stream().map(SeedRun::rewards).toArray(double[][]::new);
        Bootstrap.Interval checkMedian = checkReward == null ? null
                : Bootstrap.stratified(runs.stream().map(SeedRun::checks).toArray(double[][]::new), Bootstrap.MEDIAN);
        double samples = (double) n * seeds;
        Row row = new Row(label, method, settings, List.copyOf(runs), naturalness, pairwise, unique, valid, denoiser / samples, grad / samples, value / samples,
                rewardCalls / samples, denoiserSecs, rewardSecs, Bootstrap.stratified(bySeed, Bootstrap.MEDIAN), Bootstrap.stratified(bySeed, Bootstrap.MEAN), checkMedian);
        rows.add(row);
        String time = String.format(Locale.ROOT, "%.1f s, %.0f%% outside the denoiser, %.0f%% in the reward", row.seconds(), 100 * row.outsideDenoiser(),
                100 * row.inReward());
        if (seeds == 1) log.printf(Locale.ROOT, "  %-20s median %.3f  (%s)%n", label, row.quantile(.5), time);
        else log.printf(Locale.ROOT, "  %-20s median %.3f [%.3f, %.3f] over %d seeds  (%s)%n", label, row.median().estimate(), row.median().lo(),
                row.median().hi(), seeds, time);
        writeAll();
        return row;
    }

    /**
     * The table, one row a method, columns as wide as their widest cell. 50%: the median and its 95% stratified
     * bootstrap interval; a tail quantile that the method's n x K samples cannot estimate ({@link Bootstrap#estimable})
     * is "-", never the maximum. With a check reward, "check 50%" is that reward's median over the same samples.
     */
    String table() {
        boolean valid = rows.stream().anyMatch(r -> Double.isFinite(r.valid()));    // molecules, or family members (tRNAs)
        List<String> head = new ArrayList<>(List.of("method", "50% [95% CI]", "80%", "90%", "95%", "99%", "mean", "std"));
        if (checkReward != null) head.add("check 50%");
        head.addAll(List.of(task.naturalnessName(), "pair-d", "unique"));
        if (valid) head.add("valid");
        head.addAll(List.of("denoiser", "value-net", "reward", "time s"));
        List<List<String>> cells = new ArrayList<>();
        cells.add(head);
        for (Row r : rows) {
            List<String> c = new ArrayList<>();
            c.add(r.method());
            c.add(String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", r.median().estimate(), r.median().lo(), r.median().hi()));
            int samples = r.rewards().length;
            for (int q = 1; q < QUANTILES.length; q++)
                c.add(Bootstrap.estimable(QUANTILES[q], samples) ? String.format(Locale.ROOT, "%.3f", r.quantile(QUANTILES[q])) : "-");
            c.add(String.format(Locale.ROOT, "%.3f", r.mean()));
            c.add(String.format(Locale.ROOT, "%.3f", r.std()));
            if (checkReward != null) c.add(String.format(Locale.ROOT, "%.3f", r.checkMedian().estimate()));
            c.add(String.format(Locale.ROOT, "%.4f", r.naturalness()));
            c.add(String.format(Locale.ROOT, "%.3f", r.pairwise()));
            c.add(String.format(Locale.ROOT, "%.2f", r.unique()));
            if (valid) c.add(String.format(Locale.ROOT, "%.2f", r.valid()));
            c.add(String.format(Locale.ROOT, "%.0f", r.denoiserCost()));
            c.add(String.format(Locale.ROOT, "%.0f", r.valuePerSample()));
            c.add(String.format(Locale.ROOT, "%.0f", r.rewardCallsPerSample()));
            c.add(String.format(Locale.ROOT, "%.1f", r.seconds()));
            cells.add(c);
        }
        int[] width = new int[head.size()];
        for (List<String> c : cells)
            for (int j = 0; j < width.length; j++) width[j] = Math.max(width[j], c.get(j).length());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            for (int j = 0; j < width.length; j++) {
                String v = cells.get(i).get(j);
                // the method left-aligned, numbers right-aligned
                sb.append("| ").append(j == 0 ? v + " ".repeat(width[j] - v.length()) : " ".repeat(width[j] - v.length()) + v).append(' ');
            }
            sb.append("|\n");
            if (i == 0) {
                for (int w : width) sb.append('|').append("-".repeat(w + 2));
                sb.append("|\n");
            }
        }
        return sb.toString();
    }

    /**
     * rewards.csv, one line a sample: id,method,seed,sample,reward,file, where seed is the seed of the sample's run,
     * sample its index in that run, and file (relative to the output folder) holds the sample (for images its own
     * PNG); image tasks add grid,grid_cell: the run's grid PNG and the sample's cell in it; a check reward adds check,
     * the sample's score by it, last.
     */
    private void writeAll() throws IOException {
        Files.createDirectories(out);
        atomically(out.resolve("rewards.csv"), w -> {
            w.println("id,method,seed,sample,reward,file" + (task.images() ? ",grid,grid_cell" : "") + (checkReward != null ? ",check" : ""));
            for (Row r : rows)
                for (SeedRun run : r.runs())
                    for (int i = 0; i < run.rewards().length; i++) {
                        Task.SampleFile f = run.files().get(i);
                        w.printf(Locale.ROOT, "%s,%s,%d,%d,%.6f,%s%s%s%n", Task.sampleId(run.set(), i), r.method(), run.seed(), i, run.rewards()[i],
                                out.relativize(f.file()), f.grid() == null ? "" : "," + out.relativize(f.grid()) + "," + f.cell(),
                                run.checks() == null ? "" : String.format(Locale.ROOT, ",%.6f", run.checks()[i]));
                    }
        });
        atomically(out.resolve("table.md"), w -> w.print(table()));
        atomically(out.resolve("results.json"), w -> w.println(toJson(results())));
        Map<String, double[]> dist = new LinkedHashMap<>();
        for (Row r : rows) dist.put(r.method(), r.rewards());
        String perMethod = seeds == 1 ? "n = " + n + " per method" : "n = " + n + " x " + seeds + " seeds per method";
        Plots.rewardBoxes(dist, "reward " + task.rewardSpec + " on " + task.checkpoint.getFileName() + " (" + perMethod + ")", out.resolve("rewards.png"));
        if (task.molecules() && !best.isEmpty()) {
            try {
                writeStructures(out.resolve("structures.png"));
            } catch (RuntimeException | java.awt.AWTError | InternalError e) {   // AWT without fonts: the rest of the results stand
                log.println("structures.png not drawn (" + e + "); drawing needs fontconfig and a font, e.g. Debian's fonts-dejavu-core");
            }
        }
    }

    /** A method's best distinct samples as text, best first; empty for image tasks and methods not run. */
    List<Scored> best(String label) {
        return best.getOrDefault(label, List.of());
    }

    /** The k best samples by reward with distinct texts (molecules: distinct canonical SMILES, invalid ones left out), best first. */
    static List<Scored> best(List<Scored> samples, int k, boolean molecules) {
        List<Scored> sorted = new ArrayList<>(samples);
        sorted.sort(java.util.Comparator.comparingDouble(Scored::reward).reversed());
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<Scored> out = new ArrayList<>(k);
        for (Scored s : sorted) {
            String c = molecules ? Molecules.canonical(s.text()) : s.text();
            if (c != null && seen.add(c) && out.size() < k) out.add(s);
        }
        return out;
    }

    /** One row a method: its best molecules as 2-D structures, captioned with the method and reward. */
    private void writeStructures(Path png) throws IOException {
        List<String> smiles = new ArrayList<>(), captions = new ArrayList<>();
        best.forEach((label, top) -> {
            for (int i = 0; i < STRUCTURES_PER_METHOD; i++) {
                smiles.add(i < top.size() ? top.get(i).text() : "");
                captions.add(i < top.size() ? String.format(Locale.ROOT, "%s  %s %.3f", label, task.rewardSpec, top.get(i).reward()) : label);
            }
        });
        StructureGrid.write(smiles, captions, STRUCTURES_PER_METHOD, png);
    }

    private static Gson gson() {
        JsonSerializer<Number> finiteOrNull = (v, type, context) -> Double.isFinite(v.doubleValue()) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
        return new GsonBuilder().setPrettyPrinting().serializeNulls()
                .registerTypeAdapter(double.class, finiteOrNull).registerTypeAdapter(Double.class, finiteOrNull)
                .registerTypeAdapter(float.class, finiteOrNull).registerTypeAdapter(Float.class, finiteOrNull)
                .registerTypeHierarchyAdapter(Path.class, (JsonSerializer<Path>) (p, type, context) -> new JsonPrimitive(p.toString()))
                .create();
    }

    /** value as pretty-printed JSON; a number JSON cannot hold (NaN, an infinity) becomes null. */
    static String toJson(Object value) {
        return GSON.toJson(value);
    }

    /**
     * results.json: the run (checkpoint, reward, steps, n per seed, the first seed, seeds K, how the intervals were
     * bootstrapped, config), then per method its settings and statistics over all n x K samples: the seeds that ran;
     * q50 with q50_lo and q50_hi, its 95% stratified bootstrap interval, and q50_per_seed, each run's median; the other
     * quantiles (computed whatever n, though the table shows only those that n x K can estimate); mean with mean_lo
     * and mean_hi (the same bootstrap); std; naturalness and diversity (means over the runs); the calls per sample;
     * seconds (all runs) and seconds_per_seed, of which denoiser_seconds inside denoiser passes and reward_seconds inside
     * reward calls, and outside_denoiser_share, the rest's share; and rewards, every sample's reward, run after run.
     * With a check reward, check_reward names it after reward, and each method has check_q50 with check_q50_lo and
     * check_q50_hi (the same bootstrap) and check_mean after std.
     */
    private Map<String, Object> results() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("checkpoint", task.checkpoint.toString());
        json.put("reward", task.rewardSpec);
        if (checkSpec != null) json.put("check_reward", checkSpec);
        json.put("steps", steps);
        json.put("n", n);
        json.put("seed", seed);
        json.put("seeds", seeds);
        Map<String, Object> bootstrap = new LinkedHashMap<>();
        bootstrap.put("kind", "stratified percentile: n samples drawn with replacement within each seed's run, pooled");
        bootstrap.put("draws", Bootstrap.DRAWS);
        bootstrap.put("level", Bootstrap.LEVEL);
        bootstrap.put("seed", Bootstrap.SEED);
        json.put("bootstrap", bootstrap);
        json.put("config", config);
        List<Map<String, Object>> methods = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", r.method());
            m.put("sampler", r.sampler().cliName());
            m.put("settings", r.settings());
            m.put("seeds", r.runs().stream().mapToLong(SeedRun::seed).toArray());
            m.put("q50", r.quantile(.5));
            m.put("q50_lo", r.median().lo());
            m.put("q50_hi", r.median().hi());
            m.put("q50_per_seed", r.mediansPerSeed());
            m.put("q80", r.quantile(.8));
            m.put("q90", r.quantile(.9));
            m.put("q95", r.quantile(.95));
            m.put("q99", r.quantile(.99));
            m.put("mean", r.mean());
            m.put("mean_lo", r.meanInterval().lo());
            m.put("mean_hi", r.meanInterval().hi());
            m.put("std", r.std());
            if (r.checkMedian() != null) {
                m.put("check_q50", r.checkMedian().estimate());
                m.put("check_q50_lo", r.checkMedian().lo());
                m.put("check_q50_hi", r.checkMedian().hi());
                m.put("check_mean", Bootstrap.mean(r.checks()));
            }
            m.put("naturalness", r.naturalness());
            m.put("pairwise_distance", r.pairwise());
            m.put("unique", r.unique());
            m.put("valid", r.valid());
            m.put("denoiser_rows_per_sample", r.denoiserPerSample());
            m.put("gradient_rows_per_sample", r.gradPerSample());
            m.put("value_rows_per_sample", r.valuePerSample());
            m.put("reward_calls_per_sample", r.rewardCallsPerSample());
            m.put("seconds", r.seconds());
            m.put("denoiser_seconds", r.denoiserSeconds());
            m.put("reward_seconds", r.rewardSeconds());
            m.put("outside_denoiser_share", r.outsideDenoiser());
            m.put("seconds_per_seed", r.runs().stream().mapToDouble(SeedRun::seconds).toArray());
            m.put("rewards", r.rewards());
            methods.add(m);
        }
        json.put("methods", methods);
        return json;
    }

    interface Body {
        void write(PrintWriter w) throws IOException;
    }

    /**
     * Writes a text file atomically ({@link AtomicFiles}): a reader never sees half a file, and a write that fails (a
     * full disk) fails loudly, naming the file, and leaves the old file in place. A PrintWriter swallows write errors,
     * so its error flag is checked before the rename.
     */
    static void atomically(Path file, Body body) throws IOException {
        AtomicFiles.write(file, tmp -> {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(tmp))) {
                body.write(w);
                if (w.checkError()) throw new IOException("writing " + file + " failed (is the disk full?)");
            }
        });
    }

    /**
     * Reward at matched cost: each method at each M, in the order given, every other setting as given. Writes, after
     * every run, sweep.csv (the median with its stratified bootstrap interval over the seeds, q90, mean and the calls
     * per sample) and the median with that interval as error bars against M (sweep.png, the paper's "reward rises
     * with M"), against denoiser rows per sample (sweep-denoiser.png) and against reward calls per sample
     * (sweep-reward.png), one line a method. Every run's outputs are kept under sweep-runs/ as &lt;method&gt;-M&lt;m&gt;.
     */
    void sweep(int[] ms, List<Method> methods, Method.Settings base) throws IOException {
        Comparison runs = under("sweep-runs");
        Map<String, List<Row>> rowsOf = new LinkedHashMap<>();
        StringBuilder csv = new StringBuilder("method,M,median,median_lo,median_hi,q90,mean,denoiser_rows_per_sample,reward_calls_per_sample,seconds\n");
        String on = task.rewardSpec + " on " + task.checkpoint.getFileName();
        for (int m : ms) {
            for (Method method : methods) {
                Row r = runs.run(method, base.withM(m), method.cliName() + "-M" + m);
                rowsOf.computeIfAbsent(method.cliName(), k -> new ArrayList<>()).add(r);
                csv.append(String.format(Locale.ROOT, "%s,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.1f,%.1f,%.2f%n", method.cliName(), m, r.quantile(.5), r.median().lo(),
                        r.median().hi(), r.quantile(.9), r.mean(), r.denoiserCost(), r.rewardCallsPerSample(), r.seconds()));
                atomically(out.resolve("sweep.csv"), w -> w.print(csv));
                Plots.lines(medians(rowsOf, row -> row.settings().m(), null), "median reward vs M: " + on,
                        "M (candidates per step; best-of-n draws N = M samples, the same denoiser budget)", "median reward", out.resolve("sweep.png"));
                Plots.lines(medians(rowsOf, Row::denoiserCost, null), "median reward vs denoiser cost: " + on, "denoiser rows per sample",
                        "median reward", out.resolve("sweep-denoiser.png"));
                Plots.lines(medians(rowsOf, Row::rewardCallsPerSample, null), "median reward vs reward calls: " + on, "reward calls per sample",
                        "median reward", out.resolve("sweep-reward.png"));
            }
        }
    }

    /**
     * The selection temperature's trade-off: each method at each alpha (0 = argmax; svdd-soft's Monte-Carlo soft value
     * takes the same alpha, and is the mean over its draws at 0), M and every other setting as given. Writes, after
     * every run, alpha.csv (method,alpha, the median with its interval, mean, naturalness, diversity, validity, calls
     * per sample, seconds) and the median with its interval against naturalness (alpha-naturalness.png) and against
     * mean pairwise distance (alpha-diversity.png), one point an alpha, labelled with it, a method's points joined in
     * alpha order. Every run's outputs are kept under alpha-runs/ as &lt;method&gt;-a&lt;alpha&gt;.
     */
    void alphas(double[] alphas, List<Method> methods, Method.Settings base) throws IOException {
        Comparison runs = under("alpha-runs");
        Map<String, List<Row>> rowsOf = new LinkedHashMap<>();
        StringBuilder csv = new StringBuilder("method,alpha,median,median_lo,median_hi,mean,naturalness,pairwise_distance,unique,valid,"
                + "denoiser_rows_per_sample,reward_calls_per_sample,seconds\n");
        String on = task.rewardSpec + " on " + task.checkpoint.getFileName();
        for (Method method : methods) {
            for (double alpha : alphas) {
                Method.Settings s = new Method.Settings(base.m(), alpha, base.particleAlpha(), base.guidance(), base.mcDraws(), base.potential(),
                        base.fkEvery(), base.resampling(), base.beamWidths());
                Row r = runs.run(method, s, method.cliName() + "-a" + Plots.label(alpha));
                rowsOf.computeIfAbsent(method.cliName(), k -> new ArrayList<>()).add(r);
                csv.append(String.format(Locale.ROOT, "%s,%s,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.4f,%.4f,%.1f,%.1f,%.2f%n", method.cliName(), Plots.label(alpha),
                        r.quantile(.5), r.median().lo(), r.median().hi(), r.mean(), r.naturalness(), r.pairwise(), r.unique(), r.valid(), r.denoiserCost(),
                        r.rewardCallsPerSample(), r.seconds()));
                atomically(out.resolve("alpha.csv"), w -> w.print(csv));
                Plots.lines(medians(rowsOf, Row::naturalness, row -> "α=" + Plots.label(row.settings().alpha())), "median reward vs naturalness over alpha: " + on,
                        task.naturalnessName() + " (lower = more natural)", "median reward", out.resolve("alpha-naturalness.png"));
                Plots.lines(medians(rowsOf, Row::pairwise, row -> "α=" + Plots.label(row.settings().alpha())), "median reward vs diversity over alpha: " + on,
                        "mean pairwise distance (higher = more diverse)", "median reward", out.resolve("alpha-diversity.png"));
            }
        }
    }

    /**
     * Each method's rows as one series of its median with the median's bootstrap interval as error bars, against x of
     * each row; label names each point (null: no labels).
     */
    private static Map<String, Plots.Series> medians(Map<String, List<Row>> rowsOf, ToDoubleFunction<Row> x, Function<Row, String> label) {
        Map<String, Plots.Series> series = new LinkedHashMap<>();
        rowsOf.forEach((method, rows) -> series.put(method, new Plots.Series(rows.stream().mapToDouble(x).toArray(),
                rows.stream().mapToDouble(r -> r.median().estimate()).toArray(), rows.stream().mapToDouble(r -> r.median().lo()).toArray(),
                rows.stream().mapToDouble(r -> r.median().hi()).toArray(), label == null ? null : rows.stream().map(label).toList())));
        return series;
    }
}

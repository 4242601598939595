package org.svdd.app;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonNull;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSerializer;
import org.svdd.core.Method;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.Progress;
import org.svdd.tensor.Rng;
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

/**
 * Runs methods on one {@link Task} with the same seed and budget knob M, and reports what SVDD.md asks for: reward
 * quantiles, mean and std, naturalness, diversity, cost and wall time. Everything is written as it is produced:
 * each method's samples and rewards the moment it finishes, the table and plot rewritten after every method.
 * Every sample is named by one id, {@code <label>-<index>} from 0 ({@link Task#sampleId}), in its sample file and in
 * rewards.csv, so the outputs join on it.
 */
final class Comparison {
    /** JSON, pretty printed; a number JSON cannot hold (NaN, an infinity) is written as null. */
    private static final Gson GSON = gson();

    /** One method's results: its label, the method and settings that ran, the statistics, and where its samples went. */
    record Row(String method, Method sampler, Method.Settings settings, double[] rewards, double naturalness, double pairwise, double unique,
               double denoiserPerSample, double gradPerSample, double valuePerSample, double rewardCallsPerSample, double seconds,
               List<Task.SampleFile> files) {
        double quantile(double p) {
            double[] s = rewards.clone();
            Arrays.sort(s);
            return Plots.q(s, p);
        }

        double mean() {
            return Arrays.stream(rewards).average().orElse(Double.NaN);
        }

        double std() {
            double m = mean();
            return Math.sqrt(Arrays.stream(rewards).map(v -> (v - m) * (v - m)).average().orElse(Double.NaN));
        }
    }

    private final Task task;
    private final int steps;
    private final int n;
    private final long seed;
    private final Path out;
    private final PrintStream log;
    private Map<String, Object> config = Map.of();
    final List<Row> rows = new ArrayList<>();

    Comparison(Task task, int steps, int n, long seed, Path out, PrintStream log) {
        this.task = task;
        this.steps = steps;
        this.n = n;
        this.seed = seed;
        this.out = out;
        this.log = log;
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

    /** Runs one method, writes its samples and rewards, updates the table, CSV, JSON and plot; returns its row. */
    Row run(Method method, Method.Settings settings, String label) throws IOException {
        Proposal p = task.proposal(steps);
        Method.Context ctx = Method.Context.of(p, task.reward, task.valueNet, task.differentiable);
        Progress bar = new Progress(log, String.format("  %-20s step", label), 0, steps);
        ctx.cost().onStep(i -> bar.update(i + 1, ""));
        long t0 = System.nanoTime();
        Tensor x = method.run(ctx, settings, n, new Rng(seed));
        double secs = (System.nanoTime() - t0) / 1e9;
        Path samples = out.resolve("samples");
        task.writeSamples(x, null, samples, label);     // on disk before scoring: a reward program that dies loses no samples
        double[] r = task.reward.score(x);
        List<Task.SampleFile> files = task.writeSamples(x, r, samples, label);
        double[] div = Task.diversity(x);
        Row row = new Row(label, method, settings, r, task.naturalness(x), div[0], div[1], ctx.cost().denoiserRows() / (double) n,
                ctx.cost().gradientRows() / (double) n, ctx.cost().valueRows() / (double) n, ctx.cost().rewardCalls() / (double) n, secs, files);
        rows.add(row);
        log.printf(Locale.ROOT, "  %-20s median %.3f  (%.1f s)%n", label, row.quantile(.5), secs);
        writeAll();
        return row;
    }

    static String header(String naturalness) {
        return String.format("| %-20s | %8s | %8s | %8s | %8s | %8s | %8s | %7s | %8s | %7s | %6s | %9s | %9s | %9s | %7s |",
                "method", "50%", "80%", "90%", "95%", "99%", "mean", "std", naturalness, "pair-d", "unique",
                "denoiser", "value-net", "reward", "time s")
                + "\n|" + "-".repeat(22) + ("|" + "-".repeat(10)).repeat(6) + "|" + "-".repeat(9) + "|" + "-".repeat(10) + "|" + "-".repeat(9)
                + "|" + "-".repeat(8) + ("|" + "-".repeat(11)).repeat(3) + "|" + "-".repeat(9) + "|";
    }

    static String line(Row r) {
        return String.format(Locale.ROOT, "| %-20s | %8.3f | %8.3f | %8.3f | %8.3f | %8.3f | %8.3f | %7.3f | %8.4f | %7.3f | %6.2f | %9.0f | %9.0f | %9.0f | %7.1f |",
                r.method(), r.quantile(.5), r.quantile(.8), r.quantile(.9), r.quantile(.95), r.quantile(.99), r.mean(), r.std(),
                r.naturalness(), r.pairwise(), r.unique(), r.denoiserPerSample() + r.gradPerSample(), r.valuePerSample(), r.rewardCallsPerSample(), r.seconds());
    }

    String table() {
        StringBuilder sb = new StringBuilder(header(task.naturalnessName())).append('\n');
        for (Row r : rows) sb.append(line(r)).append('\n');
        return sb.toString();
    }

    /**
     * rewards.csv, one line a sample: id,method,sample,reward,file, where file (relative to the output folder) holds the
     * sample (for images its own PNG); image tasks add grid,grid_cell: the method's grid PNG and the sample's cell in it.
     */
    private void writeAll() throws IOException {
        Files.createDirectories(out);
        atomically(out.resolve("rewards.csv"), w -> {
            w.println("id,method,sample,reward,file" + (task.images() ? ",grid,grid_cell" : ""));
            for (Row r : rows)
                for (int i = 0; i < r.rewards().length; i++) {
                    Task.SampleFile f = r.files().get(i);
                    w.printf(Locale.ROOT, "%s,%s,%d,%.6f,%s%s%n", Task.sampleId(r.method(), i), r.method(), i, r.rewards()[i], out.relativize(f.file()),
                            f.grid() == null ? "" : "," + out.relativize(f.grid()) + "," + f.cell());
                }
        });
        atomically(out.resolve("table.md"), w -> w.print(table()));
        atomically(out.resolve("results.json"), w -> w.println(toJson(results())));
        Map<String, double[]> dist = new LinkedHashMap<>();
        for (Row r : rows) dist.put(r.method(), r.rewards());
        Plots.rewardBoxes(dist, "reward " + task.rewardSpec + " on " + task.checkpoint.getFileName() + " (n = " + n + " per method)", out.resolve("rewards.png"));
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

    /** results.json: the run (checkpoint, reward, steps, n, seed, config), then per method its settings and statistics. */
    private Map<String, Object> results() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("checkpoint", task.checkpoint.toString());
        json.put("reward", task.rewardSpec);
        json.put("steps", steps);
        json.put("n", n);
        json.put("seed", seed);
        json.put("config", config);
        List<Map<String, Object>> methods = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", r.method());
            m.put("sampler", r.sampler().cliName());
            m.put("settings", r.settings());
            m.put("q50", r.quantile(.5));
            m.put("q80", r.quantile(.8));
            m.put("q90", r.quantile(.9));
            m.put("q95", r.quantile(.95));
            m.put("q99", r.quantile(.99));
            m.put("mean", r.mean());
            m.put("std", r.std());
            m.put("naturalness", r.naturalness());
            m.put("pairwise_distance", r.pairwise());
            m.put("unique", r.unique());
            m.put("denoiser_rows_per_sample", r.denoiserPerSample());
            m.put("gradient_rows_per_sample", r.gradPerSample());
            m.put("value_rows_per_sample", r.valuePerSample());
            m.put("reward_calls_per_sample", r.rewardCallsPerSample());
            m.put("seconds", r.seconds());
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
     * Median reward against M for each method (the paper's "reward rises with M" plot): sweep.csv and sweep.png.
     * Samples of every run are kept under samples/ as <method>-M<m>.
     */
    static void sweep(Task task, int steps, int n, long seed, int[] ms, List<Method> methods, Method.Settings base, Path out, PrintStream log,
                      Map<String, Object> config) throws IOException {
        Map<String, double[]> medians = new LinkedHashMap<>();
        Comparison c = new Comparison(task, steps, n, seed, out.resolve("sweep-runs"), log).withConfig(config);
        for (Method m : methods) medians.put(m.cliName(), new double[ms.length]);
        StringBuilder csv = new StringBuilder("method,M,median,q90,mean,denoiser_rows_per_sample,seconds\n");
        for (int k = 0; k < ms.length; k++) {
            for (Method m : methods) {
                Row r = c.run(m, base.withM(ms[k]), m.cliName() + "-M" + ms[k]);
                medians.get(m.cliName())[k] = r.quantile(.5);
                csv.append(String.format(Locale.ROOT, "%s,%d,%.6f,%.6f,%.6f,%.1f,%.2f%n", m.cliName(), ms[k], r.quantile(.5), r.quantile(.9), r.mean(),
                        r.denoiserPerSample() + r.gradPerSample(), r.seconds()));
                atomically(out.resolve("sweep.csv"), w -> w.print(csv));
            }
        }
        Plots.lines(Arrays.stream(ms).asDoubleStream().toArray(), medians, "median reward vs M: " + task.rewardSpec + " on " + task.checkpoint.getFileName(),
                "median reward", out.resolve("sweep.png"));
    }
}

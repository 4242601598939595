package org.svdd.app;

import org.svdd.core.Method;
import org.svdd.diffusion.process.Proposal;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs methods on one {@link Task} with the same seed and budget knob M, and reports what SVDD.md asks for: reward
 * quantiles, mean and std, naturalness, diversity, cost and wall time. Everything is written as it is produced:
 * each method's samples and rewards the moment it finishes, the table and plot rewritten after every method.
 */
final class Comparison {
    /** One method's results. */
    record Row(String method, double[] rewards, double naturalness, double pairwise, double unique,
               double denoiserPerSample, double gradPerSample, double valuePerSample, double rewardCallsPerSample, double seconds) {
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
    final List<Row> rows = new ArrayList<>();

    Comparison(Task task, int steps, int n, long seed, Path out, PrintStream log) {
        this.task = task;
        this.steps = steps;
        this.n = n;
        this.seed = seed;
        this.out = out;
        this.log = log;
    }

    /** Runs one method, writes its samples and rewards, updates the table, CSV, JSON and plot; returns its row. */
    Row run(Method method, Method.Settings settings, String label) throws IOException {
        Proposal p = task.proposal(steps);
        Method.Context ctx = Method.Context.of(p, task.reward, task.valueNet, task.differentiable);
        long t0 = System.nanoTime();
        ctx.cost().onStep(i -> {
            log.printf("\r  %-20s step %d/%d, %.0f s", label, i + 1, steps, (System.nanoTime() - t0) / 1e9);
            log.flush();
        });
        Tensor x = method.run(ctx, settings, n, new Rng(seed));
        double secs = (System.nanoTime() - t0) / 1e9;
        task.writeSamples(x, out.resolve("samples"), label);
        double[] r = task.reward.score(x);
        double[] div = Task.diversity(x);
        Row row = new Row(label, r, task.naturalness(x), div[0], div[1], ctx.cost().denoiserRows() / (double) n,
                ctx.cost().gradientRows() / (double) n, ctx.cost().valueRows() / (double) n, ctx.cost().rewardCalls() / (double) n, secs);
        rows.add(row);
        log.printf("\r  %-20s median %.3f  (%.1f s)          %n", label, row.quantile(.5), secs);
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

    private void writeAll() throws IOException {
        Files.createDirectories(out);
        atomically(out.resolve("rewards.csv"), w -> {
            w.println("method,sample,reward");
            for (Row r : rows) for (int i = 0; i < r.rewards().length; i++) w.printf(Locale.ROOT, "%s,%d,%.6f%n", r.method(), i, r.rewards()[i]);
        });
        atomically(out.resolve("table.md"), w -> w.print(table()));
        atomically(out.resolve("results.json"), w -> {
            w.printf(Locale.ROOT, "{\"checkpoint\": \"%s\", \"reward\": \"%s\", \"steps\": %d, \"n\": %d, \"seed\": %d, \"methods\": [%n",
                    json(task.checkpoint.toString()), json(task.rewardSpec), steps, n, seed);
            for (int k = 0; k < rows.size(); k++) {
                Row r = rows.get(k);
                w.printf(Locale.ROOT, "  {\"method\": \"%s\", \"q50\": %.6f, \"q80\": %.6f, \"q90\": %.6f, \"q95\": %.6f, \"q99\": %.6f, \"mean\": %.6f, \"std\": %.6f, "
                                + "\"naturalness\": %.6f, \"pairwise_distance\": %.6f, \"unique\": %.4f, \"denoiser_rows_per_sample\": %.1f, \"gradient_rows_per_sample\": %.1f, "
                                + "\"value_rows_per_sample\": %.1f, \"reward_calls_per_sample\": %.1f, \"seconds\": %.3f, \"rewards\": %s}%s%n",
                        json(r.method()), r.quantile(.5), r.quantile(.8), r.quantile(.9), r.quantile(.95), r.quantile(.99), r.mean(), r.std(),
                        r.naturalness(), r.pairwise(), r.unique(), r.denoiserPerSample(), r.gradPerSample(), r.valuePerSample(), r.rewardCallsPerSample(),
                        r.seconds(), Arrays.toString(r.rewards()), k + 1 < rows.size() ? "," : "");
            }
            w.println("]}");
        });
        Map<String, double[]> dist = new LinkedHashMap<>();
        for (Row r : rows) dist.put(r.method(), r.rewards());
        Plots.rewardBoxes(dist, "reward " + task.rewardSpec + " on " + task.checkpoint.getFileName() + " (n = " + n + " per method)", out.resolve("rewards.png"));
    }

    private static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    interface Body {
        void write(PrintWriter w) throws IOException;
    }

    /** Writes a text file atomically ({@link AtomicFiles}): a reader never sees half a file. */
    static void atomically(Path file, Body body) throws IOException {
        AtomicFiles.write(file, tmp -> {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(tmp))) {
                body.write(w);
            }
        });
    }

    /**
     * Median reward against M for each method (the paper's "reward rises with M" plot): sweep.csv and sweep.png.
     * Samples of every run are kept under samples/ as <method>-M<m>.
     */
    static void sweep(Task task, int steps, int n, long seed, int[] ms, List<Method> methods, Method.Settings base, Path out, PrintStream log) throws IOException {
        Map<String, double[]> medians = new LinkedHashMap<>();
        Comparison c = new Comparison(task, steps, n, seed, out.resolve("sweep-runs"), log);
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

package org.svdd.app;

import org.svdd.reward.Reward;
import org.svdd.reward.WorkerReward;
import org.svdd.sampling.Method;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The paper-style comparison on one model and reward: every requested method at the same budget knob M, from
 * --seeds seeds, the table (reward quantiles, the median's bootstrap interval, naturalness, diversity, cost, time),
 * samples, rewards.csv, results.json and rewards.png in --out, all written as each method finishes; optionally reward
 * at matched cost over a sweep of M (--sweep), the selection temperature's trade-off against naturalness and diversity
 * (--alphas), and a held-out reward scoring every sample (--check-reward).
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare sampling methods on a model and reward at matched denoiser cost; write table, samples and plots.")
final class CompareCommand implements Callable<Integer> {
    /** What this command writes into --out: with --force, these are removed first. */
    static final List<String> OUTPUTS = List.of("table.md", "results.json", "rewards.csv", "rewards.png", "samples", "sweep.csv", "sweep.png",
            "sweep-denoiser.png", "sweep-reward.png", "sweep-runs", "alpha.csv", "alpha-naturalness.png", "alpha-diversity.png", "alpha-runs", "reward-inputs");

    /** The methods of --sweep: those of the question "reward at matched cost". */
    static final List<Method> SWEEP_METHODS = List.of(Method.SVDD_PM, Method.BEST_OF_N, Method.SMC, Method.BEAM);

    /** The methods of --alphas: those whose selection temperature is alpha (svdd-soft's soft value takes it too). */
    static final List<Method> ALPHA_METHODS = List.of(Method.SVDD_PM, Method.SVDD_SOFT);

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, description = "Pre-trained model checkpoint (image UNet, DNA or SMILES transformer).")
    Path checkpoint;

    @Option(names = "--reward", description = "Reward spec (" + RewardSpec.KNOWN + "). Default: jpeg for images, motif:TBP for DNA, qed for SMILES.")
    String reward;

    @Option(names = "--value-net", description = "SVDD-MC value network (from train-value): enables svdd-mc and classifier-guidance, and stands in for a non-differentiable reward in dps.")
    Path valueNet;

    @Option(names = "--methods", description = "Comma-separated methods (known: pretrained, best-of-n, svdd-pm, svdd-mc, svdd-raw, svdd-soft, smc, fk-steering, "
            + "nested-is, beam, dps, classifier-guidance). Default: every method the model, reward and value net allow.")
    String methods;

    @Option(names = "-n", defaultValue = "32", description = "Samples per method and seed. Default: ${DEFAULT-VALUE}")
    int n;

    @Option(names = "--steps", description = "Reverse steps (default 50 images, 128 sequences).")
    Integer steps;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (every method starts from it). Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--seeds", defaultValue = "1", description = "Runs of every method, from seeds seed, seed+1, ..., seed+K-1 (run k is the run with "
            + "--seed seed+k); statistics pool all of them. Default: ${DEFAULT-VALUE}")
    int seeds;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Option(names = "--sweep", description = "Also run svdd-pm, best-of-n, smc and beam at each of these M, e.g. 1,2,5,10,20: sweep.csv, and the "
            + "median reward against M (sweep.png), denoiser rows per sample (sweep-denoiser.png) and reward calls per sample (sweep-reward.png).")
    String sweep;

    @Option(names = "--alphas", description = "Also run svdd-pm and svdd-soft at each of these selection temperatures (>= 0), e.g. 0,0.5,1,2: "
            + "alpha.csv, and the median reward against naturalness (alpha-naturalness.png) and mean pairwise distance (alpha-diversity.png).")
    String alphas;

    @Option(names = "--check-reward", description = "A held-out reward spec (as --reward) that also scores every sample after its run, outside the "
            + "costs: the table's check column, check_q50 in results.json, a check column in rewards.csv. Steer with one oracle, report another.")
    String checkReward;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--force", description = "Write into a --out folder that already holds files (the files of this command in it are replaced).")
    boolean force;

    @Mixin
    SparkOptions sparkOptions;

    @Override
    public Integer call() throws Exception {
        // every option is checked before the model loads
        Usage.atLeast(n, 1, "-n");
        Usage.atLeast(seeds, 1, "--seeds");
        if (steps != null) Usage.atLeast(steps, 1, "--steps");
        Method.Settings settings = Usage.check(sampling::settings);
        Task.ExecOptions exec = sampling.execOptions.exec();
        List<Method> requested = methods != null ? Usage.check(() -> parseMethods(methods)) : null;
        int[] ms = sweep != null ? parseSweep(sweep) : null;
        double[] as = alphas != null ? parseAlphas(alphas) : null;
        if (reward != null) RewardSpec.parse(reward);
        RewardSpec check = checkReward != null ? asCheckReward(() -> RewardSpec.parse(checkReward)) : null;
        Usage.inputFile(checkpoint, "--checkpoint");
        if (valueNet != null) Usage.inputFile(valueNet, "--value-net");
        sparkOptions.check();
        Usage.outputFolder(out, "--out", force || sparkOptions.resume);

        try (Task task = Task.open(checkpoint, reward, valueNet, out, exec)) {
            List<Method> list = requested != null ? requested : available(task);
            for (Method m : list) Usage.require(cannotRun(m, task) == null, "--methods " + m.cliName() + " " + cannotRun(m, task));
            // the widest denoiser batch of any method: n x M rows (svdd-pm's candidates, best-of-n's samples)
            Usage.fitsInMemory((long) n * settings.m(), task.model.inferenceBytesPerRow(), "-M " + settings.m() + " with -n " + n);
            // svdd-soft draws x0 --mc-draws times for each of them
            if (as != null) Usage.fitsInMemory((long) n * settings.m() * settings.mcDraws(), task.model.inferenceBytesPerRow(),
                    "--alphas (svdd-soft) with -M " + settings.m() + ", -n " + n + " and --mc-draws " + settings.mcDraws());
            Reward held = check != null ? asCheckReward(() -> check.build(task.model, out, exec)) : null;
            Shards.TaskSpec spec = Shards.TaskSpec.of(task, valueNet, exec);
            try (Shards.Runner runner = sparkOptions.open(spec)) {
                Comparison.Distributed d = runner == null ? null : new Comparison.Distributed(runner, spec,
                        sparkOptions.shardSize(n / (2 * runner.parallelism())), new Shards.Store(out.resolve("shards")), sparkOptions.resume);
                compare(task, held, settings, list, ms, as, d);
            } finally {
                if (held instanceof WorkerReward w) w.close();      // a worker: keeps its program running until closed
            }
        }
        return 0;
    }

    /** The comparison proper, once every option is checked: the table, then the sweeps asked for. */
    private void compare(Task task, Reward held, Method.Settings settings, List<Method> list, int[] ms, double[] as, Comparison.Distributed d)
            throws IOException {
        sparkOptions.claim(out, force, OUTPUTS);
        int s = steps != null ? steps : task.defaultSteps();
        if (seeds == 1)
            System.out.printf("%s, reward %s, %d samples per method, %d steps, M = %d, seed %d%n", checkpoint, task.rewardSpec, n, s, settings.m(), seed);
        else
            System.out.printf("%s, reward %s, %d samples per method and seed, %d steps, M = %d, %d seeds %d..%d%n", checkpoint, task.rewardSpec, n, s,
                    settings.m(), seeds, seed, Comparison.seed(seed, seeds - 1));
        String mismatch = valueNet != null ? Task.valueNetMismatch(valueNet, checkpoint, s) : null;
        if (mismatch != null) System.out.println("warning: " + mismatch + "; svdd-mc's values answer for that sampler");
        if (d != null) System.out.printf("on Spark: shards of %d samples, %d at a time%n", d.shardSize(), d.runner().parallelism());
        Comparison c = new Comparison(task, s, n, seed, seeds, out, System.out).withConfig(Usage.config(spec)).withCheckReward(checkReward, held)
                .withDistributed(d);
        for (Method m : list) c.run(m, settings, m.cliName());
        System.out.println();
        System.out.print(c.table());
        System.out.println("(50%: median [95% bootstrap interval, resampling within seeds]; -: too few samples to estimate that quantile)");
        System.out.println("(" + task.naturalnessName() + ": lower = more natural under the pre-trained model; pair-d: mean pairwise distance; denoiser, value-net, reward: calls per sample)");
        if (held != null)
            System.out.println("(check 50%: median of the held-out reward " + checkReward + ", scored after each run and not in the costs)");
        if (ms != null) {
            c.sweep(ms, runnable(SWEEP_METHODS, task, "--sweep"), settings);
            System.out.println("sweep: " + out.resolve("sweep.csv") + ", sweep.png, sweep-denoiser.png, sweep-reward.png (runs in sweep-runs/)");
        }
        if (as != null) {
            c.alphas(as, runnable(ALPHA_METHODS, task, "--alphas"), settings);
            System.out.println("alphas: " + out.resolve("alpha.csv") + ", alpha-naturalness.png, alpha-diversity.png (runs in alpha-runs/)");
        }
        System.out.println("wrote " + out.resolve("table.md") + ", results.json, rewards.csv, rewards.png, samples/");
    }

    /** --sweep: the values of M, each at least 1. */
    static int[] parseSweep(String spec) {
        int[] ms = Arrays.stream(spec.split(",")).mapToInt(v -> SamplingOptions.parseInt(v, "--sweep")).toArray();
        for (int m : ms) Usage.atLeast(m, 1, "--sweep: M");
        return ms;
    }

    /** --alphas: the selection temperatures, each a number >= 0, none twice. */
    static double[] parseAlphas(String spec) {
        List<Double> alphas = new ArrayList<>();
        for (String v : spec.split(",", -1)) {
            double a;
            try {
                a = Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new Usage.Error("--alphas: '" + v + "' is not a number");
            }
            Usage.require(a >= 0 && Double.isFinite(a), "--alphas: each alpha must be a finite number >= 0, got " + v.trim());
            Usage.require(!alphas.contains(a), "--alphas: " + v.trim() + " is named twice");
            alphas.add(a);
        }
        return alphas.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** A step that reads --check-reward as a reward spec. */
    private interface CheckRewardStep<T> {
        T get() throws IOException;
    }

    /** The step's result; its usage errors, which name --reward as every reward spec's do, are said to be --check-reward's. */
    private static <T> T asCheckReward(CheckRewardStep<T> step) throws IOException {
        try {
            return step.get();
        } catch (Usage.Error e) {
            throw new Usage.Error("--check-reward: " + e.getMessage());
        }
    }

    static List<Method> parseMethods(String spec) {
        List<Method> out = new ArrayList<>();
        for (String s : spec.split(",")) if (!s.isBlank()) out.add(Method.parse(s));
        if (out.isEmpty()) throw new IllegalArgumentException("--methods is empty");
        return out;
    }

    /** Why the task cannot run method m (it needs a value net, or a differentiable reward), or null when it can. */
    static String cannotRun(Method m, Task task) {
        if (m.needsValueNet() && task.valueNet == null) return "needs --value-net (train one with `svdd train-value`)";
        if (m == Method.DPS && task.differentiable == null)
            return "needs a differentiable reward; '" + task.rewardSpec + "' is not, so pass --value-net to stand in for it";
        return null;
    }

    /** The methods of an extra run (option: --sweep, --alphas) that the task can run; each one it cannot is skipped, said in one line. */
    static List<Method> runnable(List<Method> methods, Task task, String option) {
        List<Method> out = new ArrayList<>();
        for (Method m : methods) {
            if (cannotRun(m, task) == null) out.add(m);
            else System.out.println(option + ": skipping " + m.cliName() + ", which " + cannotRun(m, task));
        }
        return out;
    }

    /** Every method this task can run, in the table's order. */
    static List<Method> available(Task task) {
        List<Method> out = new ArrayList<>(List.of(Method.PRETRAINED, Method.BEST_OF_N, Method.SMC, Method.FK_STEERING, Method.NESTED_IS, Method.BEAM));
        if (task.differentiable != null) out.add(Method.DPS);
        if (task.valueNet != null) out.addAll(List.of(Method.CLASSIFIER_GUIDANCE, Method.SVDD_MC));
        out.add(Method.SVDD_PM);
        return out;
    }
}

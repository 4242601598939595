package org.svdd.app;

import org.svdd.sampling.Method;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The paper-style comparison on one model and reward: every requested method at the same budget knob M, from
 * --seeds seeds, the table (reward quantiles, the median's bootstrap interval, naturalness, diversity, cost, time),
 * samples, rewards.csv, results.json and rewards.png in --out, all written as each method finishes; optionally the
 * median-vs-M sweep.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare sampling methods on a model and reward at matched denoiser cost; write table, samples and plots.")
final class CompareCommand implements Callable<Integer> {
    /** What this command writes into --out: with --force, these are removed first. */
    static final List<String> OUTPUTS = List.of("table.md", "results.json", "rewards.csv", "rewards.png", "samples", "sweep.csv", "sweep.png", "sweep-runs", "reward-inputs");

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

    @Option(names = "--sweep", description = "Also sweep M over these values for svdd-pm and best-of-n, e.g. 1,2,5,10,20 (sweep.csv, sweep.png).")
    String sweep;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--force", description = "Write into a --out folder that already holds files (the files of this command in it are replaced).")
    boolean force;

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
        if (reward != null) RewardSpec.parse(reward);
        Usage.inputFile(checkpoint, "--checkpoint");
        if (valueNet != null) Usage.inputFile(valueNet, "--value-net");
        Usage.outputFolder(out, "--out", force);

        try (Task task = Task.open(checkpoint, reward, valueNet, out, exec)) {
            List<Method> list = requested != null ? requested : available(task);
            for (Method m : list) {
                Usage.require(!m.needsValueNet() || task.valueNet != null, "--methods " + m.cliName() + " needs --value-net (train one with `svdd train-value`)");
                Usage.require(m != Method.DPS || task.differentiable != null,
                        "--methods dps needs a differentiable reward; '" + task.rewardSpec + "' is not, so pass --value-net to stand in for it");
            }
            // the widest denoiser batch of any method: n x M rows (svdd-pm's candidates, best-of-n's samples)
            Usage.fitsInMemory((long) n * settings.m(), task.model.inferenceBytesPerRow(), "-M " + settings.m() + " with -n " + n);
            Usage.claimOutputFolder(out, "--out", force, OUTPUTS);
            int s = steps != null ? steps : task.defaultSteps();
            if (seeds == 1)
                System.out.printf("%s, reward %s, %d samples per method, %d steps, M = %d, seed %d%n", checkpoint, task.rewardSpec, n, s, settings.m(), seed);
            else
                System.out.printf("%s, reward %s, %d samples per method and seed, %d steps, M = %d, %d seeds %d..%d%n", checkpoint, task.rewardSpec, n, s,
                        settings.m(), seeds, seed, Comparison.seed(seed, seeds - 1));
            Comparison c = new Comparison(task, s, n, seed, seeds, out, System.out).withConfig(Usage.config(spec));
            for (Method m : list) c.run(m, settings, m.cliName());
            System.out.println();
            System.out.print(c.table());
            System.out.println("(50%: median [95% bootstrap interval, resampling within seeds]; -: too few samples to estimate that quantile)");
            System.out.println("(" + task.naturalnessName() + ": lower = more natural under the pre-trained model; pair-d: mean pairwise distance; denoiser, value-net, reward: calls per sample)");
            if (ms != null) {
                Comparison.sweep(task, s, n, seed, seeds, ms, List.of(Method.SVDD_PM, Method.BEST_OF_N), settings, out, System.out, Usage.config(spec));
                System.out.println("sweep: " + out.resolve("sweep.csv") + ", " + out.resolve("sweep.png"));
            }
            System.out.println("wrote " + out.resolve("table.md") + ", results.json, rewards.csv, rewards.png, samples/");
        }
        return 0;
    }

    /** --sweep: the values of M, each at least 1. */
    static int[] parseSweep(String spec) {
        int[] ms = Arrays.stream(spec.split(",")).mapToInt(v -> SamplingOptions.parseInt(v, "--sweep")).toArray();
        for (int m : ms) Usage.atLeast(m, 1, "--sweep: M");
        return ms;
    }

    static List<Method> parseMethods(String spec) {
        List<Method> out = new ArrayList<>();
        for (String s : spec.split(",")) if (!s.isBlank()) out.add(Method.parse(s));
        if (out.isEmpty()) throw new IllegalArgumentException("--methods is empty");
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

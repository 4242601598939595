package org.svdd.app;

import org.svdd.core.Method;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The paper-style comparison on one model and reward: every requested method at the same budget knob M, the table
 * (reward quantiles, naturalness, diversity, cost, time), samples, rewards.csv, results.json and rewards.png in
 * --out, all written as each method finishes; optionally the median-vs-M sweep.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare sampling methods on a model and reward at matched denoiser cost; write table, samples and plots.")
final class CompareCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Pre-trained model checkpoint (image UNet, DNA or SMILES transformer).")
    Path checkpoint;

    @Option(names = "--reward", description = "Reward spec (" + Task.REWARDS + "). Default: jpeg for images, motif:TBP for DNA, qed for SMILES.")
    String reward;

    @Option(names = "--value-net", description = "SVDD-MC value network (from train-value): enables svdd-mc and classifier-guidance, and stands in for a non-differentiable reward in dps.")
    Path valueNet;

    @Option(names = "--methods", description = "Comma-separated methods (known: pretrained, best-of-n, svdd-pm, svdd-mc, svdd-raw, svdd-soft, smc, fk-steering, "
            + "nested-is, beam, dps, classifier-guidance). Default: every method the model, reward and value net allow.")
    String methods;

    @Option(names = "-n", defaultValue = "32", description = "Samples per method. Default: ${DEFAULT-VALUE}")
    int n;

    @Option(names = "--steps", description = "Reverse steps (default 50 images, 128 sequences).")
    Integer steps;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (every method starts from it). Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Option(names = "--sweep", description = "Also sweep M over these values for svdd-pm and best-of-n, e.g. 1,2,5,10,20 (sweep.csv, sweep.png).")
    String sweep;

    @Mixin
    SamplingOptions sampling;

    @Override
    public Integer call() throws Exception {
        if (n < 1) throw new IllegalArgumentException("-n must be >= 1, got " + n);
        Method.Settings settings = sampling.settings();
        Files.createDirectories(out);
        Task task = Task.open(checkpoint, reward, valueNet, out, sampling.exec());
        List<Method> list = methods != null ? parseMethods(methods) : available(task);
        for (Method m : list) {
            if (m.needsValueNet() && task.valueNet == null) throw new IllegalArgumentException("--methods " + m.cliName() + " needs --value-net (train one with `svdd train-value`)");
            if (m == Method.DPS && task.differentiable == null)
                throw new IllegalArgumentException("--methods dps needs a differentiable reward; '" + task.rewardSpec + "' is not, so pass --value-net to stand in for it");
        }
        int s = steps != null ? steps : task.defaultSteps();
        System.out.printf("%s, reward %s, %d samples per method, %d steps, M = %d, seed %d%n", checkpoint, task.rewardSpec, n, s, settings.m(), seed);
        Comparison c = new Comparison(task, s, n, seed, out, System.out);
        for (Method m : list) c.run(m, settings, m.cliName());
        System.out.println();
        System.out.print(c.table());
        System.out.println("(" + task.naturalnessName() + ": lower = more natural under the pre-trained model; pair-d: mean pairwise distance; denoiser, value-net, reward: calls per sample)");
        if (sweep != null) {
            int[] ms = Arrays.stream(sweep.split(",")).mapToInt(v -> SamplingOptions.parseInt(v, "--sweep")).toArray();
            Comparison.sweep(task, s, n, seed, ms, List.of(Method.SVDD_PM, Method.BEST_OF_N), settings, out, System.out);
            System.out.println("sweep: " + out.resolve("sweep.csv") + ", " + out.resolve("sweep.png"));
        }
        System.out.println("wrote " + out.resolve("table.md") + ", results.json, rewards.csv, rewards.png, samples/");
        return 0;
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

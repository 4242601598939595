package org.svdd.app;

import org.svdd.diffusion.data.TrnaDataset;
import org.svdd.reward.InfernalReward;
import org.svdd.sampling.Method;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The README's first command: loads the committed checkpoints and compares the methods of the paper at matched
 * denoiser cost on (1) Fashion-MNIST with JPEG compressibility, (2) fly promoters with the TBP motif and (3) WEHI
 * molecules (SELFIES) with QED and (4) tRNAs with Infernal's bit score, where Infernal is installed; prints the tables
 * and writes report.md, plots and samples into --out.
 * The settings are small enough for 2 CPU cores in under 10 minutes; every one is printed in the report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run SVDD against the baselines on the committed models (images + JPEG, DNA + motif, molecules + QED, tRNA + Infernal) and write a report.")
final class DemoCommand implements Callable<Integer> {
    /** What this command writes into --out: with --force, these are removed first. */
    static final List<String> OUTPUTS = List.of("report.md", "images", "dna", "molecules", "rna");

    @picocli.CommandLine.Spec
    CommandSpec commandSpec;

    @Option(names = "--out", defaultValue = "demo-out", description = "Output folder. Default: ${DEFAULT-VALUE}")
    Path out;

    @Option(names = "--models", description = "Folder of the committed checkpoints. Default: models/ of the installation.")
    Path models;

    @Option(names = "--seed", defaultValue = "0", description = "Seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--seeds", defaultValue = "1", description = "Runs of every method, from seeds seed, seed+1, ..., seed+K-1; statistics pool all "
            + "of them (K times the time). Default: ${DEFAULT-VALUE}")
    int seeds;

    @Option(names = "--all-methods", description = "Also run fk-steering, nested-is, beam and classifier-guidance (about twice the time).")
    boolean allMethods;

    @Option(names = "--tasks", defaultValue = "images,dna,molecules,rna", description = "Which tasks to run, comma-separated. Default: ${DEFAULT-VALUE}")
    String tasks;

    @Option(names = "--quick", description = "A quick check that everything runs: " + QUICK_N + " samples per method instead of 16-24, the same tasks, "
            + "methods and settings (under 3 minutes on 2 cores). Its tables say little about the methods.")
    boolean quick;

    @Option(names = "--force", description = "Write into a --out folder that already holds files.")
    boolean force;

    /** Samples per method with --quick. */
    static final int QUICK_N = 4;

    /**
     * One demo task and its settings.
     *
     * @param particleAlpha weight temperature of the particle methods, about a third of the reward's spread under
     *                      the pre-trained model (so SMC neither ignores the reward nor collapses at once)
     * @param guidance      DPS strength, tuned so DPS moves the reward without leaving the data manifold
     */
    record Spec(String name, String checkpoint, String reward, String valueNet, int n, int m, int steps, double particleAlpha, double guidance) {
    }

    static final List<Spec> SPECS = List.of(
            new Spec("images", "fashion-unet-deep.safetensors", "jpeg", "fashion-value-jpeg.safetensors", 16, 10, 25, 0.03, 300),
            new Spec("dna", "dna-transformer-conv.safetensors", "motif:TBP", "dna-value-tbp.safetensors", 24, 10, 32, 1.0, 1.0),
            new Spec("molecules", "selfies-transformer.safetensors", "qed", "selfies-value-qed.safetensors", 24, 10, 32, 0.05, 1.0),
            new Spec("rna", "trna-transformer.safetensors", "cm", "trna-value-cm.safetensors", 16, 5, 32, 5.0, 1.0));

    @Override
    public Integer call() throws Exception {
        // everything is checked before the first model loads: the tasks, the output folder and every file they need
        Usage.atLeast(seeds, 1, "--seeds");
        List<Spec> chosen = chosen(tasks);
        Path dir = models != null ? models : Usage.installed("models");
        for (Spec spec : chosen) Usage.inputFile(dir.resolve(spec.checkpoint()), "the " + spec.name() + " task's model");
        Usage.claimOutputFolder(out, "--out", force, OUTPUTS);
        StringBuilder report = new StringBuilder("# svdd demo report\n\n").append("Run ").append(LocalDateTime.now().withNano(0))
                .append(" with `svdd demo --seed ").append(seed).append(seeds > 1 ? " --seeds " + seeds : "").append(allMethods ? " --all-methods" : "")
                .append(quick ? " --quick" : "").append("`; backend ")
                .append(org.svdd.tensor.Backends.current().name()).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores.\n\n")
                .append("Columns: reward quantiles over the samples, the median with its 95% bootstrap interval (resampling within seeds), ")
                .append("\"-\" where there are too few samples to estimate a quantile; naturalness under the pre-trained model (lower = more natural); ")
                .append("pair-d = mean pairwise ")
                .append("distance and unique = fraction of distinct samples (diversity); valid = fraction of samples that are molecules (molecules) or that Infernal calls tRNAs, E-value <= 0.01 (rna); ")
                .append("denoiser / value-net / reward = calls per sample (the cost); time in seconds.\n");
        long t0 = System.nanoTime();
        for (Spec spec : chosen) {
            String missing = spec.reward().equals("cm") ? infernalMissing() : null;
            if (missing != null) {
                System.out.printf("%n== %s: skipped: %s%n", spec.name(), missing);
                report.append("\n## ").append(spec.name()).append("\n\nSkipped: ").append(missing).append(".\n");
                continue;
            }
            Path ck = dir.resolve(spec.checkpoint());
            Path vn = dir.resolve(spec.valueNet());
            Path taskOut = out.resolve(spec.name());
            int n = quick ? QUICK_N : spec.n();
            Task task = Task.open(ck, spec.reward(), Files.isRegularFile(vn) ? vn : null, taskOut, Task.ExecOptions.defaults());
            List<Method> methods = new ArrayList<>(List.of(Method.PRETRAINED, Method.BEST_OF_N, Method.SMC));
            if (allMethods) methods.addAll(List.of(Method.FK_STEERING, Method.NESTED_IS, Method.BEAM));
            if (task.differentiable != null) methods.add(Method.DPS);
            if (task.valueNet != null) {
                if (allMethods) methods.add(Method.CLASSIFIER_GUIDANCE);
                methods.add(Method.SVDD_MC);
            }
            methods.add(Method.SVDD_PM);
            Method.Settings settings = Method.Settings.defaults(spec.m());
            settings = new Method.Settings(spec.m(), 0, spec.particleAlpha(), spec.guidance(), settings.mcDraws(), settings.potential(), settings.fkEvery(),
                    settings.resampling(), settings.beamWidths());
            String line = String.format(Locale.ROOT,
                    "%s: %s, reward %s, n = %d per method%s, M = %d (best-of-n N = M), %d steps, particle alpha %.3g, DPS guidance %.3g%s",
                    spec.name(), ck, spec.reward(), n, seeds > 1 ? " and seed, " + seeds + " seeds" : "", spec.m(), spec.steps(),
                    spec.particleAlpha(), spec.guidance(),
                    task.valueNet != null ? ", value net " + vn : ", no value net (svdd-mc skipped)");
            System.out.printf("%n== %s%n", line);
            Map<String, Object> config = Usage.config(commandSpec);
            config.put("task", spec);
            Comparison c = new Comparison(task, spec.steps(), n, seed, seeds, taskOut, System.out).withConfig(config);
            for (Method m : methods) c.run(m, settings, m.cliName());
            System.out.println();
            System.out.print(c.table());
            report.append("\n## ").append(spec.name()).append("\n\n").append(line).append(".\n")
                    .append(task.differentiable != null && !(task.reward instanceof org.svdd.reward.Reward.Differentiable)
                            ? "DPS differentiates the value net at t = 0, standing in for the non-differentiable reward.\n" : "")
                    .append("\n").append(c.table()).append("\n![rewards](").append(spec.name()).append("/rewards.png)\n\nSamples: `")
                    .append(spec.name()).append("/samples/`; every sample's reward: `").append(spec.name()).append("/rewards.csv`.\n")
                    .append(task.molecules() ? "\nThe best molecules of each method (one row a method):\n\n![structures](" + spec.name() + "/structures.png)\n" : "")
                    .append(task.reward instanceof InfernalReward cm && !c.best(Method.SVDD_PM.cliName()).isEmpty() ? structure(cm, c.best(Method.SVDD_PM.cliName()).getFirst()) : "");
            Comparison.atomically(out.resolve("report.md"), w -> w.print(report));
            task.close();
        }
        double mins = (System.nanoTime() - t0) / 60e9;
        report.append(String.format(Locale.ROOT, "%nTotal time: %.1f minutes.%n", mins));
        Comparison.atomically(out.resolve("report.md"), w -> w.print(report));
        PrintStream o = System.out;
        o.printf("%ndemo finished in %.1f minutes; report: %s%n", mins, out.resolve("report.md"));
        return 0;
    }

    /** The report's lines on one sample as Infernal aligns it to the model: sequence over the consensus structure. */
    static String structure(InfernalReward cm, Comparison.Scored sample) {
        List<String> a = cm.align(sample.text());
        return String.format(Locale.ROOT, "%nThe best svdd-pm sample (%.1f bits) as cmalign aligns it to the tRNA model, over the model's consensus "
                + "secondary structure in WUSS notation (matching brackets pair; '-' and '.' are gaps in the sequence):%n%n```%n%-8s %s%n%-8s %s%n```%n", sample.reward(), "sample", a.get(0), "SS_cons", a.get(1));
    }

    /** Why the RNA task's reward cannot run here (Infernal or its tRNA model missing), or null when it can. */
    static String infernalMissing() {
        if (TrnaDataset.locateCm() == null) return "the tRNA covariance model is not installed (Debian infernal: scripts/fetch-data.sh)";
        try {
            InfernalReward.available();
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    /** The specs named by --tasks, in the order of {@link #SPECS}. */
    static List<Spec> chosen(String tasks) {
        List<String> wanted = java.util.Arrays.stream(tasks.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
        Usage.require(!wanted.isEmpty(), "--tasks is empty (known: images, dna, molecules, rna)");
        for (String w : wanted)
            Usage.require(SPECS.stream().anyMatch(s -> s.name().equals(w)), "--tasks: unknown task '" + w + "' (known: images, dna, molecules, rna)");
        return SPECS.stream().filter(s -> wanted.contains(s.name())).toList();
    }
}

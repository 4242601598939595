package org.svdd.app;

import org.svdd.core.Method;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The README's first command: loads the committed checkpoints and compares the methods of the paper at matched
 * denoiser cost on (1) Fashion-MNIST with JPEG compressibility, (2) fly promoters with the TBP motif and (3) WEHI
 * SMILES with QED where that model exists; prints the tables and writes report.md, plots and samples into --out.
 * The settings are small enough for 2 CPU cores in under 10 minutes; every one is printed in the report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run SVDD against the baselines on the committed models (images + JPEG, DNA + motif, molecules + QED) and write a report.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "demo-out", description = "Output folder. Default: ${DEFAULT-VALUE}")
    Path out;

    @Option(names = "--models", defaultValue = "models", description = "Folder of the committed checkpoints. Default: ${DEFAULT-VALUE}")
    Path models;

    @Option(names = "--seed", defaultValue = "0", description = "Seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--all-methods", description = "Also run fk-steering, nested-is, beam and classifier-guidance (about twice the time).")
    boolean allMethods;

    @Option(names = "--tasks", defaultValue = "images,dna,molecules", description = "Which tasks to run. Default: ${DEFAULT-VALUE}")
    String tasks;

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
            new Spec("images", "fashion-unet.safetensors", "jpeg", "fashion-value-jpeg.safetensors", 16, 10, 25, 0.03, 300),
            new Spec("dna", "dna-transformer.safetensors", "motif:TBP", "dna-value-tbp.safetensors", 24, 10, 32, 1.0, 1.0),
            new Spec("molecules", "smiles-transformer.safetensors", "qed", "smiles-value-qed.safetensors", 24, 5, 32, 0.05, 1.0));

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        List<String> wanted = List.of(tasks.split(","));
        for (String w : wanted) if (SPECS.stream().noneMatch(s -> s.name().equals(w.trim()))) throw new IllegalArgumentException("unknown --tasks entry '" + w + "' (known: images, dna, molecules)");
        StringBuilder report = new StringBuilder("# svdd demo report\n\n").append("Run ").append(LocalDateTime.now().withNano(0))
                .append(" with `svdd demo --seed ").append(seed).append(allMethods ? " --all-methods" : "").append("`; backend ")
                .append(org.svdd.tensor.Backends.current().name()).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores.\n\n")
                .append("Columns: reward quantiles over the samples; naturalness under the pre-trained model (lower = more natural); pair-d = mean pairwise ")
                .append("distance and unique = fraction of distinct samples (diversity); denoiser / value-net / reward = calls per sample (the cost); time in seconds.\n");
        long t0 = System.nanoTime();
        for (Spec spec : SPECS) {
            if (!wanted.contains(spec.name())) continue;
            Path ck = models.resolve(spec.checkpoint());
            if (!Files.isRegularFile(ck)) {
                System.out.printf("%n== %s: skipped, %s is not there%n", spec.name(), ck);
                report.append("\n## ").append(spec.name()).append("\n\nSkipped: ").append(ck).append(" is not there.\n");
                continue;
            }
            Path vn = models.resolve(spec.valueNet());
            Path dir = out.resolve(spec.name());
            Task task = Task.open(ck, spec.reward(), Files.isRegularFile(vn) ? vn : null, dir, Task.ExecOptions.defaults());
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
            String line = String.format(Locale.ROOT, "%s: %s, reward %s, n = %d per method, M = %d (best-of-n N = %d), %d steps, particle alpha %.3g, DPS guidance %.3g%s",
                    spec.name(), ck, spec.reward(), spec.n(), spec.m(), spec.m() + 1, spec.steps(), spec.particleAlpha(), spec.guidance(),
                    task.valueNet != null ? ", value net " + vn : ", no value net (svdd-mc skipped)");
            System.out.printf("%n== %s%n", line);
            Comparison c = new Comparison(task, spec.steps(), spec.n(), seed, dir, System.out);
            for (Method m : methods) c.run(m, settings, m.cliName());
            System.out.println();
            System.out.print(c.table());
            report.append("\n## ").append(spec.name()).append("\n\n").append(line).append(".\n")
                    .append(task.differentiable != null && !(task.reward instanceof org.svdd.core.Reward.Differentiable)
                            ? "DPS differentiates the value net at t = 0, standing in for the non-differentiable reward.\n" : "")
                    .append("\n").append(c.table()).append("\n![rewards](").append(spec.name()).append("/rewards.png)\n\nSamples: `")
                    .append(spec.name()).append("/samples/`; every sample's reward: `").append(spec.name()).append("/rewards.csv`.\n");
            Comparison.atomically(out.resolve("report.md"), w -> w.print(report));
        }
        double mins = (System.nanoTime() - t0) / 60e9;
        report.append(String.format(Locale.ROOT, "%nTotal time: %.1f minutes.%n", mins));
        Comparison.atomically(out.resolve("report.md"), w -> w.print(report));
        PrintStream o = System.out;
        o.printf("%ndemo finished in %.1f minutes; report: %s%n", mins, out.resolve("report.md"));
        return 0;
    }
}

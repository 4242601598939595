package org.svdd.app;

import org.svdd.core.JpegCompressibility;
import org.svdd.core.MotifReward;
import org.svdd.core.Reward;
import org.svdd.core.Samplers;
import org.svdd.core.Selection;
import org.svdd.core.ValueEstimator;
import org.svdd.diffusion.data.MotifFile;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Pre-trained sampling, best-of-M and SVDD-PM with M candidates on one model and reward: reward quantiles, cost and
 * time per method, and every sample's reward in a CSV (written as each method finishes).
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare pretrained, best-of-n and svdd-pm on a model with a reward (first version of the issue-5 table).")
final class CompareCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Model checkpoint (image UNet or DNA transformer).")
    Path checkpoint;

    @Option(names = "--reward", description = "jpeg (images; default) or motif:<JASPAR name> (DNA; default motif:TBP).")
    String reward;

    @Option(names = "-n", defaultValue = "32", description = "Samples per method. Default: ${DEFAULT-VALUE}")
    int n;

    @Option(names = "-M", defaultValue = "10", description = "Candidates per step (SVDD) and N of best-of-N. Default: ${DEFAULT-VALUE}")
    int m;

    @Option(names = "--alpha", defaultValue = "0", description = "Selection temperature; 0 = argmax. Default: ${DEFAULT-VALUE}")
    double alpha;

    @Option(names = "--steps", description = "Reverse steps (default 50 images, 128 sequences).")
    Integer steps;

    @Option(names = "--seed", defaultValue = "0", description = "Seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--out", required = true, description = "Output folder for rewards.csv.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (m < 1) throw new IllegalArgumentException("-M must be >= 1, got " + m);
        if (n < 1) throw new IllegalArgumentException("-n must be >= 1, got " + n);
        Selection selection = new Selection(alpha);
        DiffusionModel model = DiffusionModel.load(checkpoint);
        boolean images = model instanceof DiffusionModel.Images;
        Reward r = reward(images);
        Proposal p = model.proposal(steps != null ? steps : images ? 50 : 128);
        Files.createDirectories(out);
        System.out.printf("%-12s %8s %8s %8s %8s %8s %8s %14s %8s%n", "method", "50%", "80%", "90%", "95%", "99%", "mean", "denoiser rows", "time s");
        try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(out.resolve("rewards.csv")))) {
            csv.println("method,sample,reward");
            for (String method : List.of("pretrained", "best-of-" + m, "svdd-pm")) {
                long t0 = System.nanoTime();
                Rng rng = new Rng(seed);
                Tensor x = Grad.noGrad(() -> switch (method) {
                    case "pretrained" -> Proposal.sample(p, n, rng);
                    case "svdd-pm" -> Samplers.svdd(p, ValueEstimator.posteriorMean(p, r), selection, n, m, rng);
                    default -> Samplers.bestOfN(p, r, n, m, rng);
                });
                double[] s = r.score(x);
                double secs = (System.nanoTime() - t0) / 1e9;
                long rows = switch (method) {
                    case "pretrained" -> (long) n * p.steps();
                    case "svdd-pm" -> (long) n * p.steps() * (1 + m);
                    default -> (long) n * m * p.steps();
                };
                for (int i = 0; i < s.length; i++) csv.printf("%s,%d,%.6f%n", method, i, s[i]);
                csv.flush();
                double[] q = s.clone();
                Arrays.sort(q);
                System.out.printf("%-12s %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f %14d %8.1f%n", method, quantile(q, .5), quantile(q, .8), quantile(q, .9),
                        quantile(q, .95), quantile(q, .99), Arrays.stream(s).average().orElse(Double.NaN), rows, secs);
            }
        }
        System.out.println("rewards: " + out.resolve("rewards.csv"));
        return 0;
    }

    private Reward reward(boolean images) throws Exception {
        String spec = reward != null ? reward : images ? "jpeg" : "motif:TBP";
        if (spec.equals("jpeg")) {
            if (!images) throw new IllegalArgumentException("--reward jpeg needs an image model");
            return new JpegCompressibility();
        }
        if (spec.startsWith("motif:")) {
            if (images) throw new IllegalArgumentException("--reward " + spec + " needs a DNA model");
            String name = spec.substring(6);
            Path f = MotifFile.locate(MotifFile.VERTEBRATES);
            if (f == null) throw new IllegalStateException("JASPAR motifs not found: run scripts/fetch-data.sh");
            MotifFile.Motif motif = MotifFile.byName(MotifFile.read(f), name)
                    .or(() -> {
                        try {
                            Path g = MotifFile.locate(MotifFile.INSECTS);
                            return g == null ? java.util.Optional.empty() : MotifFile.byName(MotifFile.read(g), name);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .orElseThrow(() -> new IllegalArgumentException("no JASPAR motif named '" + name + "'"));
            return new MotifReward(motif);
        }
        throw new IllegalArgumentException("unknown --reward '" + spec + "' (known: jpeg, motif:<name>)");
    }

    /** Linear-interpolation quantile of sorted values. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}

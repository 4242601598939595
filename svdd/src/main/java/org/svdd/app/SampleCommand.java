package org.svdd.app;

import org.svdd.diffusion.data.Fasta;
import org.svdd.diffusion.io.PngGrid;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.diffusion.train.Progress;
import org.svdd.tensor.Backends;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.concurrent.Callable;

/**
 * Plain (pre-trained) sampling from a checkpoint: a PNG grid for images (8 columns, filled row by row), FASTA for DNA
 * (headers "&gt;sample-7"), one SMILES a line for molecules ("SMILES&lt;TAB&gt;sample-7"). Sample ids count from 0.
 */
@Command(name = "sample", mixinStandardHelpOptions = true, description = "Sample from a trained diffusion model.")
final class SampleCommand implements Callable<Integer> {
    /** What this command writes into --out: with --force, these are removed first. */
    static final List<String> OUTPUTS = List.of("samples.png", "samples.fasta", "samples.smi", "samples");

    @Option(names = "--checkpoint", required = true, description = "Model checkpoint (safetensors) written by 'train'.")
    Path checkpoint;

    @Option(names = "-n", defaultValue = "64", description = "Number of samples. Default: ${DEFAULT-VALUE}")
    int n;

    @Option(names = "--batch", defaultValue = "16", description = "Samples per batch. Default: ${DEFAULT-VALUE}")
    int batch;

    @Option(names = "--steps", description = "Reverse steps (default: 50 for images, 128 for sequences).")
    Integer steps;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--out", required = true, description = "Output folder (samples.png, samples.fasta or samples.smi; written as batches finish).")
    Path out;

    @Option(names = "--timing-only", description = "Generate but do not write the samples (speed measurements).")
    boolean timingOnly;

    @Option(names = "--force", description = "Write into a --out folder that already holds files.")
    boolean force;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() throws Exception {
        Usage.atLeast(n, 1, "-n");
        Usage.atLeast(batch, 1, "--batch");
        if (steps != null) Usage.atLeast(steps, 1, "--steps");
        spark.check();
        Usage.require(!(spark.on() && timingOnly), "--timing-only measures this JVM: leave out --spark");
        Usage.inputFile(checkpoint, "--checkpoint");
        if (!timingOnly) spark.claim(out, force, OUTPUTS);
        DiffusionModel model = DiffusionModel.load(checkpoint, Backends.current());
        Usage.fitsInMemory(batch, model.inferenceBytesPerRow(), "--batch " + batch);
        boolean images = model instanceof DiffusionModel.Images;
        Function<Tensor, List<String>> texts = Task.texts(model);
        boolean molecules = !images && RewardSpec.Samples.of(model) == RewardSpec.Samples.MOLECULES;
        String file = images ? "samples.png" : molecules ? "samples.smi" : "samples.fasta";
        int s = steps != null ? steps : model.defaultSteps();
        Proposal p = model.proposal(s);
        long t0 = System.nanoTime();
        Tensor drawn = spark.on() ? onSpark(s) : null;       // (n, ...) all at once; the shards are on disk as they finish
        float[] pixels = null;
        int size = 0;
        Progress bar = new Progress(System.out, "sampled", 0, n);
        try (RecordFile text = images || timingOnly ? null : new RecordFile(out.resolve(file))) {
            for (int done = 0; done < n; done += batch) {
                int b = Math.min(batch, n - done);
                int from = done;                                               // sample i's draws: (seed, i) alone
                Tensor x = drawn != null ? drawn.slice(0, from, from + b) : Grad.noGrad(() -> Proposal.sample(p, b, Rng.streams(seed, from, b)));
                if (timingOnly) {
                    x.toFloatArray();
                } else if (images) {
                    size = x.dim(2);
                    float[] px = x.toFloatArray();
                    float[] grown = new float[(done + b) * size * size];
                    if (pixels != null) System.arraycopy(pixels, 0, grown, 0, pixels.length);
                    System.arraycopy(px, 0, grown, done * size * size, px.length);
                    pixels = grown;
                    PngGrid.write(PngGrid.grid(pixels, done + b, size, Task.GRID_COLUMNS, 2), out.resolve("samples.png"));
                } else if (molecules) {
                    List<String> smiles = texts.apply(x);
                    StringBuilder lines = new StringBuilder();
                    for (int r = 0; r < b; r++) lines.append(smiles.get(r)).append('\t').append(Task.sampleId("sample", done + r)).append('\n');
                    text.append(lines.toString(), b);
                } else {
                    List<String> letters = texts.apply(x);
                    StringWriter records = new StringWriter();
                    for (int r = 0; r < b; r++) Fasta.append(records, Task.sampleId("sample", done + r), letters.get(r));
                    text.append(records.toString(), b);
                }
                bar.update(done + b, "");
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%s (%d samples in %.1f s, %.3f samples/s, backend %s)%n", timingOnly ? "generated" : "wrote " + out.resolve(file),
                n, secs, n / secs, org.svdd.tensor.Backends.current().name());
        return 0;
    }

    /** The n samples drawn on Spark in shards of --shard-size (default --batch) samples, each stored as it finishes. */
    private Tensor onSpark(int s) throws java.io.IOException {
        Shards.TaskSpec task = Shards.TaskSpec.unscored(checkpoint);
        try (Shards.Runner runner = spark.open(task)) {
            Progress bar = new Progress(System.out, "sampled on Spark", 0, n);
            Shards.Job run = new Shards.Job(task, "sample", org.svdd.sampling.Method.PRETRAINED, org.svdd.sampling.Method.Settings.defaults(1), s, seed, 0, n);
            return Shards.distributed(runner, run, spark.shardSize(batch), new Shards.Store(out.resolve("shards")), spark.resume,
                    Backends.current(), done -> bar.update(done, "")).x();
        }
    }
}

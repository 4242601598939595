package org.svdd.app;

import org.svdd.chem.SmilesTokens;
import org.svdd.diffusion.data.DnaDataset;
import org.svdd.diffusion.data.Fasta;
import org.svdd.diffusion.io.PngGrid;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Plain (pre-trained) sampling from a checkpoint: a PNG grid for images, FASTA for DNA, one SMILES a line for molecules. */
@Command(name = "sample", mixinStandardHelpOptions = true, description = "Sample from a trained diffusion model.")
final class SampleCommand implements Callable<Integer> {
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

    @Override
    public Integer call() throws Exception {
        if (n < 1 || batch < 1) throw new IllegalArgumentException("-n and --batch must be >= 1");
        DiffusionModel model = DiffusionModel.load(checkpoint);
        boolean images = model instanceof DiffusionModel.Images;
        String alphabet = model instanceof DiffusionModel.Smiles sm ? sm.alphabet() : null;
        String file = images ? "samples.png" : alphabet != null ? "samples.smi" : "samples.fasta";
        Proposal p = model.proposal(steps != null ? steps : images ? 50 : 128);
        Files.createDirectories(out);
        Rng rng = new Rng(seed);
        long t0 = System.nanoTime();
        float[] pixels = null;
        int size = 0;
        try (Writer text = images || timingOnly ? null : Files.newBufferedWriter(out.resolve(file))) {
            for (int done = 0; done < n; done += batch) {
                int b = Math.min(batch, n - done);
                Tensor x = Grad.noGrad(() -> Proposal.sample(p, b, rng));
                if (timingOnly) {
                    x.toFloatArray();
                } else if (images) {
                    size = x.dim(2);
                    float[] px = x.toFloatArray();
                    float[] grown = new float[(done + b) * size * size];
                    if (pixels != null) System.arraycopy(pixels, 0, grown, 0, pixels.length);
                    System.arraycopy(px, 0, grown, done * size * size, px.length);
                    pixels = grown;
                    PngGrid.write(PngGrid.grid(pixels, done + b, size, 8, 2), out.resolve("samples.png"));
                } else if (alphabet != null) {
                    for (String smiles : SmilesTokens.decode(x, alphabet)) text.write(smiles + "\n");
                    text.flush();
                } else {
                    int[] t = x.toIntArray();
                    int l = x.dim(1);
                    for (int r = 0; r < b; r++) Fasta.append(text, "sample_" + (done + r), DnaDataset.decode(t, r * l, l));
                }
                System.out.printf("\rsampled %d/%d", done + b, n);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%n%s (%d samples in %.1f s, %.3f samples/s, backend %s)%n", timingOnly ? "generated" : "wrote " + out.resolve(file),
                n, secs, n / secs, org.svdd.tensor.Backends.current().name());
        return 0;
    }
}

package org.svdd.app;

import org.svdd.chem.Molecules;
import org.svdd.chem.Selfies;
import org.svdd.diffusion.data.Fasta;
import org.svdd.diffusion.io.PngGrid;
import org.svdd.diffusion.process.LossWeighting;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.reward.Reward;
import org.svdd.reward.InfernalReward;
import org.svdd.reward.WorkerReward;
import org.svdd.sampling.Guides;
import org.svdd.tensor.Backends;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.value.ValueNet;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One guided-sampling problem as the commands see it: a pre-trained model (by checkpoint path), a reward (by spec),
 * optionally a value network, and the task-specific parts of a report: naturalness, diversity, how samples are
 * written. Everything that names a file or an option fails with a message naming it.
 */
final class Task implements AutoCloseable {
    /** Settings of an {@code exec:} reward. */
    record ExecOptions(int batch, long timeoutMs, Double penalty) {
        static ExecOptions defaults() {
            return new ExecOptions(64, 60_000, null);
        }
    }

    final Path checkpoint;
    final DiffusionModel model;
    final String rewardSpec;
    final Reward reward;
    final ValueNet valueNet;
    /** A differentiable reward for DPS: the reward itself, or the value net read at t = 0 standing in for it. */
    final Reward.Differentiable differentiable;

    private Task(Path checkpoint, DiffusionModel model, String rewardSpec, Reward reward, ValueNet valueNet) {
        this.checkpoint = checkpoint;
        this.model = model;
        this.rewardSpec = rewardSpec;
        this.reward = reward;
        this.valueNet = valueNet;
        this.differentiable = reward instanceof Reward.Differentiable d ? d : valueNet != null ? Guides.surrogate(valueNet) : null;
    }

    /**
     * Opens a task. Every error that is the command line's (a missing file, a reward or value net that does not fit
     * the model) is a {@link Usage.Error}; a checkpoint that cannot be read is an IOException.
     */
    static Task open(Path checkpoint, String rewardSpec, Path valueNetFile, Path workDir, ExecOptions exec) throws IOException {
        Usage.inputFile(checkpoint, "--checkpoint");
        RewardSpec given = rewardSpec != null ? RewardSpec.parse(rewardSpec) : null;
        if (valueNetFile != null) Usage.inputFile(valueNetFile, "--value-net");
        DiffusionModel model = DiffusionModel.load(checkpoint, Backends.current());
        RewardSpec spec = given != null ? given : RewardSpec.parse(defaultReward(model));
        Reward r = spec.build(model, workDir, exec);
        ValueNet net = null;
        if (valueNetFile != null) {
            net = ValueNet.load(valueNetFile, model.module().backend());
            String trainedFor = ValueNet.metadata(valueNetFile).get("train.reward");
            Usage.require(trainedFor == null || trainedFor.equals(spec.text()),
                    "--value-net " + valueNetFile + " was trained for reward '" + trainedFor + "', not '" + spec.text() + "'");
            ValueNet.Config expected = valueNetConfig(model, net.config().width());
            Usage.require(net.config().equals(expected), "--value-net " + valueNetFile + " is " + net.config() + ", but the model " + checkpoint + " needs " + expected);
        }
        return new Task(checkpoint, model, spec.text(), r, net);
    }

    /** A task without a reward (plain sampling): its samples are drawn, not scored. */
    static Task unscored(Path checkpoint) throws IOException {
        Usage.inputFile(checkpoint, "--checkpoint");
        return new Task(checkpoint, DiffusionModel.load(checkpoint, Backends.current()), null, null, null);
    }

    /**
     * Why a value net may not fit the run, or null: SVDD-MC's value is E[r(x0) | x_t] under the sampler that made the
     * rollouts, so a net fitted to another model's rollouts, or to rollouts with another step count, answers for a
     * different process. Read from the net's metadata (train.model, train.sampleSteps), when it has them.
     */
    static String valueNetMismatch(Path valueNetFile, Path checkpoint, int steps) throws IOException {
        Map<String, String> meta = ValueNet.metadata(valueNetFile);
        String model = meta.get("train.model"), sampleSteps = meta.get("train.sampleSteps");
        if (model != null && !model.equals(checkpoint.getFileName().toString()))
            return "--value-net " + valueNetFile + " was fitted to rollouts of " + model + ", not of " + checkpoint.getFileName();
        if (sampleSteps != null && !sampleSteps.equals(Integer.toString(steps)))
            return "--value-net " + valueNetFile + " was fitted to rollouts of " + sampleSteps + " steps, not " + steps;
        return null;
    }

    static String defaultReward(DiffusionModel model) {
        return switch (model) {
            case DiffusionModel.Images i -> "jpeg";
            case DiffusionModel.Sequences s -> switch (s.vocabulary().notation()) {
                case DNA -> "motif:TBP";
                case RNA -> "cm";
                case SELFIES -> "qed";
            };
        };
    }

    /** The value-net architecture matching a model's states. */
    static ValueNet.Config valueNetConfig(DiffusionModel model, int width) {
        return switch (model) {
            case DiffusionModel.Images i -> new ValueNet.Config(ValueNet.Domain.IMAGE, 1, i.net().config().imageSize(), width);
            case DiffusionModel.Sequences s -> new ValueNet.Config(ValueNet.Domain.SEQUENCE, s.net().config().vocab(), s.net().config().length(), width);
        };
    }

    /** How a batch of a model's samples reads as text: DNA letters, or the SMILES of SELFIES tokens; null for images. */
    static Function<Tensor, List<String>> texts(DiffusionModel model) {
        return switch (model) {
            case DiffusionModel.Images i -> null;
            case DiffusionModel.Sequences s -> switch (s.vocabulary().notation()) {
                case DNA, RNA -> s::texts;
                case SELFIES -> x -> s.texts(x).stream().map(Selfies::decode).toList();
            };
        };
    }

    /** Whether the model's samples are molecules. */
    boolean molecules() {
        return RewardSpec.Samples.of(model) == RewardSpec.Samples.MOLECULES;
    }

    boolean images() {
        return model instanceof DiffusionModel.Images;
    }

    /** The paper's sampler settings: 50 DDIM steps for images, 128 steps for sequences. */
    int defaultSteps() {
        return model.defaultSteps();
    }

    Proposal proposal(int steps) {
        return model.proposal(steps);
    }

    /** What {@link #naturalness} measures, for table headers. */
    String naturalnessName() {
        return images() ? "eps-mse" : "nll/tok";
    }

    /**
     * How natural samples look to the pre-trained model (lower = more natural): images, the denoiser's
     * eps-prediction error averaged over noise levels (the per-step terms of the DDPM bound); sequences, the
     * masked-diffusion bound on the negative log-likelihood, nats per token. Averaged over 4 seeded draws of t.
     */
    double naturalness(Tensor x) {
        // the plain eps-mse whatever loss weighting the model was trained with, so that models compare
        DiffusionModel judge = model instanceof DiffusionModel.Images i ? i.withLossWeighting(LossWeighting.UNIFORM) : model;
        return Grad.noGrad(() -> {
            double s = 0;
            for (int rep = 0; rep < 4; rep++) s += judge.loss(x, new Rng(1000 + rep)).item() / 4;
            return s;
        });
    }

    /** The E-value at or below which a sample counts as a member of the covariance model's family (a tRNA). */
    static final double FAMILY_EVALUE = 0.01;

    /**
     * The fraction of samples that are what the task makes: molecules (CDK reads them), or, with the Infernal reward,
     * members of the family (E-value at most {@value #FAMILY_EVALUE}); NaN, written as null, for other tasks.
     */
    double validFraction(Tensor x) {
        if (molecules()) return Molecules.validFraction(texts(model).apply(x));
        if (reward instanceof InfernalReward cm) {
            List<InfernalReward.Hit> hits = cm.hits(texts(model).apply(x));
            return hits.stream().filter(h -> h.evalue() <= FAMILY_EVALUE).count() / (double) hits.size();
        }
        return Double.NaN;
    }

    /**
     * Diversity: mean pairwise distance (images: RMS pixel difference in [0, 2]; tokens: fraction of differing
     * positions) and the fraction of distinct samples.
     */
    static double[] diversity(Tensor x) {
        int n = x.dim(0), d = x.numel() / Math.max(1, n);
        double[] v = x.toDoubleArray();
        boolean tokens = !x.dtype().isFloating();
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    double diff = v[a * d + j] - v[b * d + j];
                    s += tokens ? (diff != 0 ? 1 : 0) : diff * diff;
                }
                sum += tokens ? s / d : Math.sqrt(s / d);
                pairs++;
            }
        Set<String> distinct = new HashSet<>();
        for (int a = 0; a < n; a++) distinct.add(java.util.Arrays.toString(java.util.Arrays.copyOfRange(v, a * d, (a + 1) * d)));
        return new double[]{pairs == 0 ? 0 : sum / pairs, (double) distinct.size() / n};
    }

    /** Columns of the sample grids (name.png): sample i sits in row i / 8, column i % 8. */
    static final int GRID_COLUMNS = 8;

    /**
     * Where one sample was written: the file that holds it and, for images, the grid it is also drawn in with its cell
     * there ("r2c3": row 2, column 3, from r0c0); grid and cell are null for text files.
     */
    record SampleFile(Path file, Path grid, String cell) {
    }

    /** The id of sample i of a set (a method's label, or "sample"), as every output names it: "svdd-pm-7". */
    static String sampleId(String set, int i) {
        return set + "-" + i;
    }

    /**
     * Writes samples as they are, each under its {@link #sampleId} and, when rewards is given, its reward.
     * Images: name/&lt;id&gt;.png, one PNG per sample, and name.png, a grid of {@value #GRID_COLUMNS} columns filled
     * row by row (zoomed twice). DNA: name.fasta with headers "&gt;svdd-pm-7 reward=12.345678". Molecules: name.smi
     * with lines "SMILES&lt;TAB&gt;svdd-pm-7&lt;TAB&gt;12.345678" (the .smi form: SMILES, then a name).
     *
     * @param rewards the samples' rewards, or null to write the samples without them
     * @return where each sample went, in sample order
     */
    List<SampleFile> writeSamples(Tensor x, double[] rewards, Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        int n = x.dim(0);
        List<SampleFile> files = new ArrayList<>(n);
        switch (model) {
            case DiffusionModel.Images i -> {
                Path grid = dir.resolve(name + ".png"), own = dir.resolve(name);
                Files.createDirectories(own);
                float[] pixels = x.toFloatArray();
                int size = x.dim(2);
                for (int k = 0; k < n; k++) {
                    Path f = own.resolve(sampleId(name, k) + ".png");
                    PngGrid.write(PngGrid.image(pixels, k, size), f);
                    files.add(new SampleFile(f, grid, PngGrid.cell(k, GRID_COLUMNS)));
                }
                PngGrid.write(PngGrid.grid(pixels, n, size, Math.min(GRID_COLUMNS, n), 2), grid);
            }
            case DiffusionModel.Sequences s when molecules() -> {
                Path f = dir.resolve(name + ".smi");
                List<String> smiles = texts(model).apply(x), lines = new ArrayList<>(n);
                for (int k = 0; k < n; k++) {
                    lines.add(smiles.get(k) + "\t" + sampleId(name, k) + (rewards == null ? "" : String.format(Locale.ROOT, "\t%.6f", rewards[k])));
                    files.add(new SampleFile(f, null, null));
                }
                Files.write(f, lines);
            }
            case DiffusionModel.Sequences s -> {
                Path f = dir.resolve(name + ".fasta");
                List<String> letters = s.texts(x);
                try (Writer w = Files.newBufferedWriter(f)) {
                    for (int k = 0; k < n; k++) {
                        String header = sampleId(name, k) + (rewards == null ? "" : String.format(Locale.ROOT, " reward=%.6f", rewards[k]));
                        Fasta.append(w, header, letters.get(k));
                        files.add(new SampleFile(f, null, null));
                    }
                }
            }
        }
        return files;
    }

    /** Stops the reward's program where it keeps one running (worker:); the other rewards hold nothing to release. */
    @Override
    public void close() {
        if (reward instanceof WorkerReward w) w.close();
    }

    /** Provenance recorded in a value net trained for this task. */
    Map<String, String> provenance(String source) {
        return Map.of("train.reward", rewardSpec, "train.model", checkpoint.getFileName().toString(), "train.source", source);
    }
}

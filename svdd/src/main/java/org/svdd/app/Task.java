package org.svdd.app;

import org.svdd.chem.MoleculeReward;
import org.svdd.chem.SmilesTokens;
import org.svdd.core.ClassifierReward;
import org.svdd.core.ExecReward;
import org.svdd.core.GcContent;
import org.svdd.core.Guides;
import org.svdd.core.JpegCompressibility;
import org.svdd.core.MotifReward;
import org.svdd.core.Reward;
import org.svdd.core.ValueNet;
import org.svdd.diffusion.data.DnaDataset;
import org.svdd.diffusion.data.Fasta;
import org.svdd.diffusion.data.MotifFile;
import org.svdd.diffusion.io.PngGrid;
import org.svdd.diffusion.process.LossWeighting;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One guided-sampling problem as the commands see it: a pre-trained model (by checkpoint path), a reward (by spec),
 * optionally a value network, and the task-specific parts of a report: naturalness, diversity, how samples are
 * written. Everything that names a file or an option fails with a message naming it.
 */
final class Task {
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

    static Task open(Path checkpoint, String rewardSpec, Path valueNetFile, Path workDir, ExecOptions exec) throws IOException {
        if (!Files.isRegularFile(checkpoint)) throw new IllegalArgumentException("--checkpoint " + checkpoint + ": no such file");
        DiffusionModel model = DiffusionModel.load(checkpoint);
        String spec = rewardSpec != null ? rewardSpec : defaultReward(model);
        Reward r = reward(model, spec, workDir, exec);
        ValueNet net = null;
        if (valueNetFile != null) {
            if (!Files.isRegularFile(valueNetFile)) throw new IllegalArgumentException("--value-net " + valueNetFile + ": no such file");
            net = ValueNet.load(valueNetFile);
            String trainedFor = ValueNet.metadata(valueNetFile).get("train.reward");
            if (trainedFor != null && !trainedFor.equals(spec))
                throw new IllegalArgumentException("--value-net " + valueNetFile + " was trained for reward '" + trainedFor + "', not '" + spec + "'");
            ValueNet.Config expected = valueNetConfig(model, net.config().width());
            if (!net.config().equals(expected))
                throw new IllegalArgumentException("--value-net " + valueNetFile + " is " + net.config() + ", but the model " + checkpoint + " needs " + expected);
        }
        return new Task(checkpoint, model, spec, r, net);
    }

    static String defaultReward(DiffusionModel model) {
        return switch (model) {
            case DiffusionModel.Images i -> "jpeg";
            case DiffusionModel.Sequences s -> "motif:TBP";
            case DiffusionModel.Smiles s -> "qed";
        };
    }

    /** The value-net architecture matching a model's states. */
    static ValueNet.Config valueNetConfig(DiffusionModel model, int width) {
        return switch (model) {
            case DiffusionModel.Images i -> new ValueNet.Config(ValueNet.Domain.IMAGE, 1, i.net().config().imageSize(), width);
            case DiffusionModel.Sequences s -> new ValueNet.Config(ValueNet.Domain.SEQUENCE, 4, s.net().config().length(), width);
            case DiffusionModel.Smiles s -> new ValueNet.Config(ValueNet.Domain.SEQUENCE, s.net().config().vocab(), s.net().config().length(), width);
        };
    }

    static final String REWARDS = "images: jpeg, classifier:<class 0-9>[@file]; DNA: motif:<JASPAR name>, gc:<target>, oracle[:file]; "
            + "SMILES: qed, logp; any: exec:<command>";

    static Reward reward(DiffusionModel model, String spec, Path workDir, ExecOptions exec) throws IOException {
        boolean images = model instanceof DiffusionModel.Images, dna = model instanceof DiffusionModel.Sequences;
        String kind = spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec, arg = spec.substring(kind.length()).replaceFirst("^:", "");
        String needs = switch (kind) {
            case "jpeg", "classifier" -> images ? null : "an image model";
            case "motif", "gc", "oracle" -> dna ? null : "a DNA model";
            case "qed", "logp" -> model instanceof DiffusionModel.Smiles ? null : "a SMILES model";
            case "exec" -> null;
            default -> throw new IllegalArgumentException("unknown --reward '" + spec + "'; known: " + REWARDS);
        };
        if (needs != null) throw new IllegalArgumentException("--reward " + spec + " needs " + needs + ", but " + model.kind() + " was given");
        return switch (kind) {
            case "jpeg" -> new JpegCompressibility();
            case "classifier" -> classifier(arg);
            case "motif" -> new MotifReward(motif(arg));
            case "gc" -> new GcContent(parseDouble(arg, "gc:<target>"));
            case "oracle" -> oracle(Path.of(arg.isBlank() ? TrainOracleCommand.DEFAULT_FILE : arg));
            case "qed" -> new MoleculeReward(((DiffusionModel.Smiles) model).alphabet(), MoleculeReward.Property.QED);
            case "logp" -> new MoleculeReward(((DiffusionModel.Smiles) model).alphabet(), MoleculeReward.Property.LOGP);
            default -> {
                if (arg.isBlank()) throw new IllegalArgumentException("--reward exec: needs a command, e.g. exec:'python3 score.py'");
                yield new ExecReward(arg, switch (model) {
                    case DiffusionModel.Images i -> ExecReward.pngFiles(workDir.resolve("reward-inputs"));
                    case DiffusionModel.Sequences s -> ExecReward.letters(DnaDataset.ALPHABET);
                    case DiffusionModel.Smiles s -> x -> SmilesTokens.decode(x, s.alphabet());
                }, exec.batch(), exec.timeoutMs(), exec.penalty());
            }
        };
    }

    private static double parseDouble(String s, String what) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--reward " + what + ": '" + s + "' is not a number");
        }
    }

    /** The DNA oracle (train-oracle) read at t = 0: a differentiable reward. */
    private static Reward oracle(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("oracle " + file + " not found (train one with `svdd train-oracle`)");
        return Guides.surrogate(ValueNet.load(file));
    }

    private static Reward classifier(String arg) throws IOException {
        String[] parts = arg.split("@", 2);
        int cls;
        try {
            cls = Integer.parseInt(parts[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--reward classifier:<class>: '" + parts[0] + "' is not a class number 0-9");
        }
        Path file = Path.of(parts.length > 1 ? parts[1] : "models/fashion-classifier.safetensors");
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("classifier " + file + " not found (train one with `svdd train-classifier`)");
        return ClassifierReward.load(file, cls);
    }

    static MotifFile.Motif motif(String name) throws IOException {
        for (String set : List.of(MotifFile.VERTEBRATES, MotifFile.INSECTS)) {
            Path f = MotifFile.locate(set);
            if (f == null) continue;
            Optional<MotifFile.Motif> m = MotifFile.byName(MotifFile.read(f), name);
            if (m.isPresent()) return m.get();
        }
        if (MotifFile.locate(MotifFile.VERTEBRATES) == null) throw new IllegalStateException("JASPAR motifs not found: run scripts/fetch-data.sh");
        throw new IllegalArgumentException("--reward motif:" + name + ": no JASPAR motif of that name");
    }

    boolean images() {
        return model instanceof DiffusionModel.Images;
    }

    /** The paper's sampler settings: 50 DDIM steps for images, 128 steps for sequences. */
    int defaultSteps() {
        return images() ? 50 : 128;
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

    /** Writes samples as they are: name.png (grid) for images, name.fasta for DNA, name.smi for SMILES. Returns the file. */
    Path writeSamples(Tensor x, Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        switch (model) {
            case DiffusionModel.Images i -> {
                Path f = dir.resolve(name + ".png");
                int size = x.dim(2);
                PngGrid.write(PngGrid.grid(x.toFloatArray(), x.dim(0), size, Math.min(8, x.dim(0)), 2), f);
                return f;
            }
            case DiffusionModel.Sequences s -> {
                Path f = dir.resolve(name + ".fasta");
                int[] t = x.toIntArray();
                int l = x.dim(1);
                try (Writer w = Files.newBufferedWriter(f)) {
                    for (int r = 0; r < x.dim(0); r++) Fasta.append(w, name + "_" + r, DnaDataset.decode(t, r * l, l));
                }
                return f;
            }
            case DiffusionModel.Smiles s -> {
                Path f = dir.resolve(name + ".smi");
                Files.write(f, SmilesTokens.decode(x, s.alphabet()));
                return f;
            }
        }
    }

    /** Provenance recorded in a value net trained for this task. */
    Map<String, String> provenance(String source) {
        return Map.of("train.reward", rewardSpec, "train.model", checkpoint.getFileName().toString(), "train.source", source);
    }
}

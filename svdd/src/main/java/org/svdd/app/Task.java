package org.svdd.app;

import org.svdd.chem.MoleculeReward;
import org.svdd.chem.SmilesTokens;
import org.svdd.diffusion.data.DnaDataset;
import org.svdd.diffusion.data.Fasta;
import org.svdd.diffusion.data.MotifFile;
import org.svdd.diffusion.io.PngGrid;
import org.svdd.diffusion.process.LossWeighting;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.reward.ClassifierReward;
import org.svdd.reward.ExecReward;
import org.svdd.reward.GcContent;
import org.svdd.reward.JpegCompressibility;
import org.svdd.reward.MotifReward;
import org.svdd.reward.Reward;
import org.svdd.sampling.Guides;
import org.svdd.tensor.Backends;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.value.ValueNet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
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
            + "SMILES: qed, logp, sa (higher = easier to make: (10 - SA) / 9), sum:<property>=<weight>,... (e.g. sum:qed=1,sa=0.5); any: exec:<command>";

    /**
     * A reward spec, {@code kind[:argument]}, checked for all that can be checked before a model loads: the kind, the
     * argument's syntax, the motif's name and the files it names. {@link #build} then checks that it fits the model.
     */
    record RewardSpec(String text, String kind, String arg) {
        static RewardSpec parse(String text) {
            String kind = text.contains(":") ? text.substring(0, text.indexOf(':')) : text, arg = text.substring(kind.length()).replaceFirst("^:", "");
            RewardSpec spec = new RewardSpec(text, kind, arg);
            switch (kind) {
                case "jpeg", "qed", "logp", "sa" -> Usage.require(arg.isEmpty(), "--reward " + text + ": " + kind + " takes no argument");
                case "sum" -> spec.terms();
                case "gc" -> parseDouble(arg, "gc:<target>");
                case "motif" -> {
                    try {
                        motif(arg);
                    } catch (IOException e) {
                        throw new UncheckedIOException("--reward " + text + ": " + e.getMessage(), e);
                    }
                }
                case "oracle" -> Usage.inputFile(spec.oracleFile(), "--reward oracle:");
                case "classifier" -> {
                    spec.classifierClass();
                    Usage.inputFile(spec.classifierFile(), "--reward classifier@");
                }
                case "exec" -> Usage.require(!arg.isBlank(), "--reward exec: needs a command, e.g. exec:'python3 score.py'");
                default -> throw new Usage.Error("unknown --reward '" + text + "'; known: " + REWARDS);
            }
            return spec;
        }

        /** The reward for this model, or a usage error naming the kind of model the spec needs. */
        Reward build(DiffusionModel model, Path workDir, ExecOptions exec) throws IOException {
            Samples given = switch (model) {
                case DiffusionModel.Images i -> Samples.IMAGES;
                case DiffusionModel.Sequences s -> Samples.DNA;
                case DiffusionModel.Smiles s -> Samples.SMILES;
            };
            Samples needs = samples();
            if (needs != null) Usage.require(needs == given, "--reward " + text + " needs " + needs.model + ", but " + model.kind() + " was given");
            return build(given, model instanceof DiffusionModel.Smiles s ? s.alphabet() : null, workDir, exec);
        }

        /** What a reward reads: the samples of one kind of model, as tensors (see {@link Reward}). */
        enum Samples {
            /** (B, 1, H, W) grey images in [-1, 1]. */
            IMAGES("an image model", "images"),
            /** (B, L) tokens A=0, C=1, G=2, T=3 ({@link DnaDataset#encode}). */
            DNA("a DNA model", "DNA sequences"),
            /** (B, L) tokens over an alphabet: 1 + i is its character i, 0 is PAD ({@link SmilesTokens}). */
            SMILES("a SMILES model", "SMILES");

            final String model, plural;

            Samples(String model, String plural) {
                this.model = model;
                this.plural = plural;
            }
        }

        /** The kind of samples this reward reads; null for exec:, which reads any. */
        Samples samples() {
            return switch (kind) {
                case "jpeg", "classifier" -> Samples.IMAGES;
                case "motif", "gc", "oracle" -> Samples.DNA;
                case "qed", "logp", "sa", "sum" -> Samples.SMILES;
                default -> null;
            };
        }

        /**
         * The reward for samples of one kind without a model (svdd score), or a usage error when it reads another kind.
         *
         * @param alphabet SMILES only: the characters of the tokens (token 1 + i is alphabet.charAt(i)); null otherwise
         */
        Reward build(Samples given, String alphabet, Path workDir, ExecOptions exec) throws IOException {
            Samples needs = samples();
            if (needs != null) Usage.require(needs == given, "--reward " + text + " scores " + needs.plural + ", not " + given.plural);
            return switch (kind) {
                case "jpeg" -> new JpegCompressibility();
                case "classifier" -> ClassifierReward.load(classifierFile(), classifierClass(), Backends.current());
                case "motif" -> new MotifReward(motif(arg));
                case "gc" -> new GcContent(parseDouble(arg, "gc:<target>"));
                case "oracle" -> Guides.surrogate(ValueNet.load(oracleFile(), Backends.current()));
                case "qed" -> new MoleculeReward(alphabet, MoleculeReward.Property.QED);
                case "logp" -> new MoleculeReward(alphabet, MoleculeReward.Property.LOGP);
                case "sa" -> new MoleculeReward(alphabet, MoleculeReward.Property.SA);
                case "sum" -> new MoleculeReward(alphabet, terms(), 0);
                default -> new ExecReward(arg, switch (given) {
                    case IMAGES -> ExecReward.pngFiles(workDir.resolve("reward-inputs"));
                    case DNA -> ExecReward.letters(DnaDataset.ALPHABET);
                    case SMILES -> x -> SmilesTokens.decode(x, alphabet);
                }, exec.batch(), exec.timeoutMs(), exec.penalty());
            };
        }

        /** oracle[:file]: the committed DNA oracle (train-oracle) by default. */
        Path oracleFile() {
            return arg.isBlank() ? Usage.installed(TrainOracleCommand.DEFAULT_FILE) : Path.of(arg);
        }

        /** sum:qed=1,sa=0.5: the weighted properties, each named once. */
        private List<MoleculeReward.Term> terms() {
            List<MoleculeReward.Term> terms = new java.util.ArrayList<>();
            for (String item : arg.split(",")) {
                String[] kv = item.split("=", 2);
                Usage.require(kv.length == 2, "--reward sum: '" + item + "' is not <property>=<weight> (e.g. sum:qed=1,sa=0.5)");
                MoleculeReward.Property p = switch (kv[0].trim()) {
                    case "qed" -> MoleculeReward.Property.QED;
                    case "logp" -> MoleculeReward.Property.LOGP;
                    case "sa" -> MoleculeReward.Property.SA;
                    default -> throw new Usage.Error("--reward sum: unknown property '" + kv[0].trim() + "' (known: qed, logp, sa)");
                };
                Usage.require(terms.stream().noneMatch(t -> t.property() == p), "--reward sum: " + kv[0].trim() + " is named twice");
                double w = parseDouble(kv[1].trim(), "sum:" + kv[0].trim() + "=<weight>");
                Usage.require(Double.isFinite(w), "--reward sum: the weight of " + kv[0].trim() + " must be finite");
                terms.add(new MoleculeReward.Term(p, w));
            }
            return terms;
        }

        /** classifier:<class>[@file]: the class number. */
        private int classifierClass() {
            String c = arg.split("@", 2)[0];
            try {
                int cls = Integer.parseInt(c);
                Usage.require(cls >= 0 && cls <= 9, "--reward classifier:<class>: " + cls + " is not a class number 0-9");
                return cls;
            } catch (NumberFormatException e) {
                throw new Usage.Error("--reward classifier:<class>: '" + c + "' is not a class number 0-9");
            }
        }

        /** classifier:<class>[@file]: the committed Fashion-MNIST classifier by default. */
        private Path classifierFile() {
            String[] parts = arg.split("@", 2);
            return parts.length > 1 ? Path.of(parts[1]) : Usage.installed(DEFAULT_CLASSIFIER);
        }
    }

    /** The committed Fashion-MNIST classifier (train-classifier), inside the installation. */
    static final String DEFAULT_CLASSIFIER = "models/fashion-classifier.safetensors";

    private static double parseDouble(String s, String what) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new Usage.Error("--reward " + what + ": '" + s + "' is not a number");
        }
    }

    /** A JASPAR motif by name, vertebrate matrices first, then insect ones (shipped in the jar, see MotifFile.load). */
    static MotifFile.Motif motif(String name) throws IOException {
        for (String set : List.of(MotifFile.VERTEBRATES, MotifFile.INSECTS)) {
            Optional<MotifFile.Motif> m = MotifFile.byName(MotifFile.load(set), name);
            if (m.isPresent()) return m.get();
        }
        throw new Usage.Error("--reward motif:" + name + ": no JASPAR motif of that name (e.g. TBP, SP1, NRF1, YY1; insects: Trl, bcd, hb)");
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
     * row by row (zoomed twice). DNA: name.fasta with headers "&gt;svdd-pm-7 reward=12.345678". SMILES: name.smi
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
            case DiffusionModel.Sequences s -> {
                Path f = dir.resolve(name + ".fasta");
                int[] t = x.toIntArray();
                int l = x.dim(1);
                try (Writer w = Files.newBufferedWriter(f)) {
                    for (int k = 0; k < n; k++) {
                        String header = sampleId(name, k) + (rewards == null ? "" : String.format(Locale.ROOT, " reward=%.6f", rewards[k]));
                        Fasta.append(w, header, DnaDataset.decode(t, k * l, l));
                        files.add(new SampleFile(f, null, null));
                    }
                }
            }
            case DiffusionModel.Smiles s -> {
                Path f = dir.resolve(name + ".smi");
                List<String> smiles = SmilesTokens.decode(x, s.alphabet()), lines = new ArrayList<>(n);
                for (int k = 0; k < n; k++) {
                    lines.add(smiles.get(k) + "\t" + sampleId(name, k) + (rewards == null ? "" : String.format(Locale.ROOT, "\t%.6f", rewards[k])));
                    files.add(new SampleFile(f, null, null));
                }
                Files.write(f, lines);
            }
        }
        return files;
    }

    /** Provenance recorded in a value net trained for this task. */
    Map<String, String> provenance(String source) {
        return Map.of("train.reward", rewardSpec, "train.model", checkpoint.getFileName().toString(), "train.source", source);
    }
}

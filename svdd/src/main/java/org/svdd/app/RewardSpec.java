package org.svdd.app;

import org.svdd.chem.MoleculeReward;
import org.svdd.diffusion.data.DnaDataset;
import org.svdd.diffusion.data.TrnaDataset;
import org.svdd.reward.InfernalReward;
import org.svdd.diffusion.data.MotifFile;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.reward.ClassifierReward;
import org.svdd.reward.ExecReward;
import org.svdd.reward.GcContent;
import org.svdd.reward.JpegCompressibility;
import org.svdd.reward.MotifReward;
import org.svdd.reward.Reward;
import org.svdd.reward.WorkerReward;
import org.svdd.sampling.Guides;
import org.svdd.tensor.Backend;
import org.svdd.tensor.Tensor;
import org.svdd.value.ValueNet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A {@code --reward} spec, {@code kind[:argument]}, parsed once into what it names: {@link #parse} checks all that can
 * be checked before a model loads (the kind, the argument's syntax, the motif's name, the files it names), and
 * {@link #build} makes the reward for one kind of samples. Every error is a {@link Usage.Error} naming the spec.
 */
sealed interface RewardSpec {
    /** The spec as the user wrote it (recorded in value nets and results). */
    String text();

    /** The kind of samples this reward reads; null for exec: and worker:, which read any. */
    Samples samples();

    /**
     * The reward, for samples of the kind this spec reads; {@link #build} checks the kind first. {@code texts} reads
     * a batch of samples as text (DNA letters, SMILES); null for images.
     */
    Reward reward(Function<Tensor, List<String>> texts, Samples given, Path workDir, Task.ExecOptions exec, Backend backend) throws IOException;

    /** The specs the command line knows, for help texts and errors. */
    String KNOWN = "images: jpeg, classifier:<class 0-9>[@file]; DNA: motif:<JASPAR name>, gc:<target>, oracle[:file]; RNA: cm[:file.cm] (Infernal bit score, tRNA model by default); "
            + "molecules: qed, logp, sa (higher = easier to make: (10 - SA) / 9), sum:<property>=<weight>,... (e.g. sum:qed=1,sa=0.5); any: exec:<command>, worker:<command>";

    /** The committed Fashion-MNIST classifier (train-classifier), inside the installation. */
    String DEFAULT_CLASSIFIER = "models/fashion-classifier.safetensors";

    /** What a reward reads: the samples of one kind of model, as tensors (see {@link Reward}). */
    enum Samples {
        /** (B, 1, H, W) grey images in [-1, 1]. */
        IMAGES("an image model", "images"),
        /** (B, L) tokens A=0, C=1, G=2, T=3 ({@link DnaDataset#encode}). */
        DNA("a DNA model", "DNA sequences"),
        /** (B, L) tokens A=0, C=1, G=2, U=3, PAD=4 ({@link org.svdd.diffusion.data.TrnaDataset}). */
        RNA("an RNA model", "RNA sequences"),
        /** Molecules, read as SMILES (a SELFIES model's (B, L) tokens decoded; svdd score's SMILES lines). */
        MOLECULES("a molecule model", "molecules");

        final String model, plural;

        Samples(String model, String plural) {
            this.model = model;
            this.plural = plural;
        }

        /** The samples a model draws. */
        static Samples of(DiffusionModel model) {
            return switch (model) {
                case DiffusionModel.Images i -> IMAGES;
                case DiffusionModel.Sequences s -> switch (s.vocabulary().notation()) {
                    case DNA -> DNA;
                    case RNA -> RNA;
                    case SELFIES -> MOLECULES;
                };
            };
        }
    }

    /** jpeg: -kB of a quality-95 JPEG. */
    record Jpeg(String text) implements RewardSpec {
        public Samples samples() {
            return Samples.IMAGES;
        }

        public Reward reward(Function<Tensor, List<String>> texts, Samples given, Path workDir, Task.ExecOptions exec, Backend backend) {
            return new JpegCompressibility();
        }
    }

    /** classifier:<class>[@file]: log p(class | x) under an engine-trained classifier. */
    record Classifier(String text, int label, Path file) implements RewardSpec {
        public Samples samples() {
            return Samples.IMAGES;
        }

        public Reward reward(Function<Tensor, List<String>> texts, Samples given, Path workDir, Task.ExecOptions exec, Backend backend) throws IOException {
            return ClassifierReward.load(file, label, backend);
        }
    }

    /** motif:<name>: the best JASPAR log-odds score over both strands. */
    record Motif(String text, MotifFile.Motif motif) implements RewardSpec {
        public Samples samples() {
            return Samples.DNA;
        }

        public Reward reward(Function<Tensor, List<String>> texts, Samples given, Path workDir, Task.ExecOptions exec, Backend backend) {
            return new MotifReward(motif);
        }
    }

    /** gc:<target>: closeness of the GC content to a target. */
    record Gc(String text, double target) implements RewardSpec {
        public Samples samples() {
            return Samples.DNA;
        }

        public Reward reward(Function<Tensor, List<String>> texts, Samples given, Path workDir, Task.ExecOptions exec, Backend backend) {
            return new GcContent(target);
        }
    }

    /** oracle[:file]: the DNA oracle (train-oracle) read at t = 0, differentiable. */
    record Oracle(String text, Path file) implements RewardSpec {
        public Samples samples() {
            return Samples.DNA;
        }

        public Reward reward(Function<Tensor, List<String>> texts, Samples given, Path workDir, Task.ExecOptions exec, Backend backend) throws IOException {
            return Guides.surrogate(ValueNet.load(file, backend));
        }
    }

    /** cm[:file.cm]: Infernal's bit score against a covariance model (the tRNA model of Debian's infernal by default). */
    record Cm(String text, Path file) implements RewardSpec {
        public Samples samples() {
            return Samples.RNA;
        }

        public Reward reward(Function<Tensor, List<String>> texts, Samples given, Path workDir, Task.ExecOptions exec, Backend backend) {
            try {
                return new InfernalReward(file, texts, exec.timeoutMs());
            } catch (IllegalStateException e) {                               // cmsearch missing: the user's to fix
                throw new Usage.Error("--reward " + text + ": " + e.getMessage());
            }
        }
    }

    /** qed, logp, sa or sum:<property>=<weight>,...: a weighted sum of molecular properties; an invalid molecule scores 0. */
    record Molecule(String text, List<MoleculeReward.Term> terms) implements RewardSpec {
        public Samples samples() {
            return Samples.MOLECULES;
        }

        public Reward reward(Function<Tensor, List<String>> texts, Samples given, Path workDir, Task.ExecOptions exec, Backend backend) {
            return new MoleculeReward(texts, terms, 0);
        }
    }

    /** exec:<command>: an external program that reads samples and prints one number per sample. */
    record Exec(String text, String command) implements RewardSpec {
        public Samples samples() {
            return null;
        }

        public Reward reward(Function<Tensor, List<String>> texts, Samples given, Path workDir, Task.ExecOptions exec, Backend backend) {
            return new ExecReward(command, given == Samples.IMAGES ? ExecReward.pngFiles(workDir.resolve("reward-inputs")) : texts,
                    exec.batch(), exec.timeoutMs(), exec.penalty());
        }
    }

    /** worker:<command>: an external program started once that reads a JSON line of samples and writes a JSON line of rewards per batch. */
    record Worker(String text, String command) implements RewardSpec {
        public Samples samples() {
            return null;
        }

        public Reward reward(Function<Tensor, List<String>> texts, Samples given, Path workDir, Task.ExecOptions exec, Backend backend) {
            return new WorkerReward(command, given == Samples.IMAGES ? ExecReward.pngFiles(workDir.resolve("reward-inputs")) : texts,
                    exec.batch(), exec.timeoutMs(), exec.penalty());
        }
    }

    /** The spec, checked as far as it can be without a model. */
    static RewardSpec parse(String text) {
        String kind = text.contains(":") ? text.substring(0, text.indexOf(':')) : text, arg = text.substring(kind.length()).replaceFirst("^:", "");
        if (List.of("jpeg", "qed", "logp", "sa").contains(kind)) Usage.require(arg.isEmpty(), "--reward " + text + ": " + kind + " takes no argument");
        return switch (kind) {
            case "jpeg" -> new Jpeg(text);
            case "classifier" -> {
                String[] parts = arg.split("@", 2);
                Path file = parts.length > 1 ? Path.of(parts[1]) : Usage.installed(DEFAULT_CLASSIFIER);
                yield new Classifier(text, classNumber(parts[0]), Usage.inputFile(file, "--reward classifier@"));
            }
            case "motif" -> new Motif(text, motif(arg));
            case "gc" -> new Gc(text, number(arg, "gc:<target>"));
            case "oracle" -> new Oracle(text, Usage.inputFile(arg.isBlank() ? Usage.installed(TrainOracleCommand.DEFAULT_FILE) : Path.of(arg), "--reward oracle:"));
            case "cm" -> {
                Path file = arg.isBlank() ? TrnaDataset.locateCm() : Path.of(arg);
                Usage.require(file != null, "--reward cm: the tRNA covariance model is not installed: run scripts/fetch-data.sh (Debian infernal) or give cm:<file.cm>");
                yield new Cm(text, Usage.inputFile(file, "--reward cm:"));
            }
            case "qed" -> new Molecule(text, List.of(new MoleculeReward.Term(MoleculeReward.Property.QED, 1)));
            case "logp" -> new Molecule(text, List.of(new MoleculeReward.Term(MoleculeReward.Property.LOGP, 1)));
            case "sa" -> new Molecule(text, List.of(new MoleculeReward.Term(MoleculeReward.Property.SA, 1)));
            case "sum" -> new Molecule(text, terms(arg));
            case "exec" -> {
                Usage.require(!arg.isBlank(), "--reward exec: needs a command, e.g. exec:'python3 score.py'");
                yield new Exec(text, arg);
            }
            case "worker" -> {
                Usage.require(!arg.isBlank(), "--reward worker: needs a command, e.g. worker:'python3 examples/worker_reward.py'");
                yield new Worker(text, arg);
            }
            default -> throw new Usage.Error("unknown --reward '" + text + "'; known: " + KNOWN);
        };
    }

    /** The reward for a model's samples, or a usage error naming the kind of model the spec needs. */
    default Reward build(DiffusionModel model, Path workDir, Task.ExecOptions exec) throws IOException {
        Samples given = Samples.of(model);
        Usage.require(samples() == null || samples() == given, "--reward " + text() + " needs " + (samples() == null ? null : samples().model)
                + ", but the checkpoint is a model of " + model.samples());
        return reward(Task.texts(model), given, workDir, exec, model.module().backend());
    }

    /**
     * The reward for samples of one kind without a model (svdd score), or a usage error when it reads another kind.
     *
     * @param texts how a batch of samples reads as text (DNA letters, SMILES); null for images
     */
    default Reward build(Samples given, Function<Tensor, List<String>> texts, Path workDir, Task.ExecOptions exec, Backend backend) throws IOException {
        Usage.require(samples() == null || samples() == given, "--reward " + text() + " scores " + (samples() == null ? null : samples().plural)
                + ", not " + given.plural);
        return reward(texts, given, workDir, exec, backend);
    }

    /** A JASPAR motif by name, vertebrate matrices first, then insect ones (shipped in the jar, see MotifFile.load). */
    static MotifFile.Motif motif(String name) {
        try {
            for (String set : List.of(MotifFile.VERTEBRATES, MotifFile.INSECTS)) {
                Optional<MotifFile.Motif> m = MotifFile.byName(MotifFile.load(set), name);
                if (m.isPresent()) return m.get();
            }
        } catch (IOException e) {
            throw new IllegalStateException("--reward motif:" + name + ": the motif files cannot be read: " + e.getMessage(), e);
        }
        throw new Usage.Error("--reward motif:" + name + ": no JASPAR motif of that name (e.g. TBP, SP1, NRF1, YY1; insects: Trl, bcd, hb)");
    }

    private static int classNumber(String c) {
        try {
            int cls = Integer.parseInt(c);
            Usage.require(cls >= 0 && cls <= 9, "--reward classifier:<class>: " + cls + " is not a class number 0-9");
            return cls;
        } catch (NumberFormatException e) {
            throw new Usage.Error("--reward classifier:<class>: '" + c + "' is not a class number 0-9");
        }
    }

    /** sum:qed=1,sa=0.5: the weighted properties, each named once. */
    private static List<MoleculeReward.Term> terms(String arg) {
        List<MoleculeReward.Term> terms = new ArrayList<>();
        for (String item : arg.split(",")) {
            String[] kv = item.split("=", 2);
            Usage.require(kv.length == 2, "--reward sum: '" + item + "' is not <property>=<weight> (e.g. sum:qed=1,sa=0.5)");
            String name = kv[0].trim();
            MoleculeReward.Property p = switch (name) {
                case "qed" -> MoleculeReward.Property.QED;
                case "logp" -> MoleculeReward.Property.LOGP;
                case "sa" -> MoleculeReward.Property.SA;
                default -> throw new Usage.Error("--reward sum: unknown property '" + name + "' (known: qed, logp, sa)");
            };
            Usage.require(terms.stream().noneMatch(t -> t.property() == p), "--reward sum: " + name + " is named twice");
            double w = number(kv[1].trim(), "sum:" + name + "=<weight>");
            Usage.require(Double.isFinite(w), "--reward sum: the weight of " + name + " must be finite");
            terms.add(new MoleculeReward.Term(p, w));
        }
        return terms;
    }

    private static double number(String s, String what) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new Usage.Error("--reward " + what + ": '" + s + "' is not a number");
        }
    }
}

package org.svdd.diffusion.train;

import org.svdd.tensor.Backend;
import org.svdd.diffusion.model.Configs;
import org.svdd.diffusion.model.SequenceTransformer;
import org.svdd.diffusion.model.UNet2D;
import org.svdd.diffusion.process.BetaSchedule;
import org.svdd.diffusion.process.GaussianProcess;
import org.svdd.diffusion.process.LossWeighting;
import org.svdd.diffusion.process.MaskSchedule;
import org.svdd.diffusion.process.MaskedProcess;
import org.svdd.diffusion.process.Proposal;
import org.svdd.tensor.DType;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.io.CheckpointException;
import org.svdd.tensor.io.Safetensors;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.nn.Module;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A denoiser together with its process: what a checkpoint holds and what samplers consume. Checkpoints store the
 * weights as "model.*" (and the EMA as "ema.*", preferred for sampling) with the kind and config in the metadata.
 */
public sealed interface DiffusionModel {
    ModelKind kind();

    Module module();

    /** Config and process settings as checkpoint metadata. */
    Map<String, String> metadata();

    /** Training loss on a batch of data (images (B, 1, S, S) or tokens (B, L)). */
    Tensor loss(Tensor batch, Rng rng);

    /** The default reverse process (the pre-trained sampler) with the given number of steps. */
    Proposal proposal(int steps);

    /** An estimate of the bytes one row (image or sequence) of a batch needs in a training step. */
    default long trainingBytesPerRow() {
        return Float.BYTES * switch (this) {
            case Images i -> i.net().config().trainingFloatsPerRow();
            case Sequences s -> s.net().config().trainingFloatsPerRow();
            case Smiles s -> s.net().config().trainingFloatsPerRow();
        };
    }

    /** An estimate of the bytes one row (image or sequence) needs in a denoiser pass without gradients. */
    default long inferenceBytesPerRow() {
        return Float.BYTES * switch (this) {
            case Images i -> i.net().config().inferenceFloatsPerRow();
            case Sequences s -> s.net().config().inferenceFloatsPerRow();
            case Smiles s -> s.net().config().inferenceFloatsPerRow();
        };
    }

    record Images(UNet2D net, GaussianProcess process, int trainSteps) implements DiffusionModel {
        /** The metadata key of the loss weighting a model was trained with; absent (older files) means uniform. */
        public static final String LOSS_WEIGHTING_KEY = "process.lossWeighting";

        public ModelKind kind() {
            return ModelKind.FASHION_UNET;
        }

        public Module module() {
            return net;
        }

        public Map<String, String> metadata() {
            Map<String, String> m = new LinkedHashMap<>(Configs.toMap("unet", net.config()));
            m.put("process.trainSteps", Integer.toString(trainSteps));
            m.put(LOSS_WEIGHTING_KEY, process.weighting().spec());
            return m;
        }

        public Tensor loss(Tensor batch, Rng rng) {
            return process.loss(net, batch, rng);
        }

        /** This model trained with another loss weighting (the same network and sampling). */
        public Images withLossWeighting(LossWeighting w) {
            return new Images(net, process.withWeighting(w), trainSteps);
        }

        /** This model with more residual blocks per level, computing the same function ({@link UNet2D#deepen}). */
        public Images deepened(int resBlocks, Init init) {
            return new Images(UNet2D.deepen(net, resBlocks, init), process, trainSteps);
        }

        /** DDIM with eta = 1 (the paper's setting), x0 clipped to [-1, 1]. */
        public Proposal proposal(int steps) {
            return proposal(steps, 1.0);
        }

        /** DDIM with the given eta (0 deterministic, 1 as DDPM's variance), x0 clipped to [-1, 1]. */
        public Proposal proposal(int steps, double eta) {
            int s = net.config().imageSize();
            return process.proposal(net.backend(), net, new GaussianProcess.SamplerConfig(steps, eta, true), net.config().channels(), s, s);
        }
    }

    record Sequences(SequenceTransformer net, MaskedProcess process) implements DiffusionModel {
        public ModelKind kind() {
            return ModelKind.DNA_TRANSFORMER;
        }

        public Module module() {
            return net;
        }

        public Map<String, String> metadata() {
            return Configs.toMap("transformer", net.config());
        }

        public Tensor loss(Tensor batch, Rng rng) {
            return process.loss(net, batch, rng);
        }

        public Proposal proposal(int steps) {
            return process.proposal(net.backend(), net, new MaskedProcess.SamplerConfig(steps, 1e-5), net.config().length());
        }
    }

    /**
     * A SMILES model: the transformer and masked process over SmilesDataset's tokens, PAD = 0 (a real token, so lengths
     * vary) and 1 + i = {@code alphabet.charAt(i)}. The alphabet travels in the checkpoint metadata ({@link #ALPHABET_KEY})
     * so that samples can be decoded.
     */
    record Smiles(SequenceTransformer net, MaskedProcess process, String alphabet) implements DiffusionModel {
        /** Metadata key of the alphabet. */
        public static final String ALPHABET_KEY = "smiles.alphabet";

        public Smiles {
            if (alphabet.length() + 1 != net.config().vocab() || process.vocab() != net.config().vocab()) {
                throw new IllegalArgumentException("alphabet of " + alphabet.length() + " characters + PAD does not match the transformer's " + net.config().vocab()
                        + " tokens and the process's " + process.vocab());
            }
            if (alphabet.chars().distinct().count() != alphabet.length()) throw new IllegalArgumentException("alphabet '" + alphabet + "' repeats a character");
        }

        public ModelKind kind() {
            return ModelKind.SMILES_TRANSFORMER;
        }

        public Module module() {
            return net;
        }

        public Map<String, String> metadata() {
            Map<String, String> m = new LinkedHashMap<>(Configs.toMap("transformer", net.config()));
            m.put(ALPHABET_KEY, alphabet);
            return m;
        }

        public Tensor loss(Tensor batch, Rng rng) {
            return process.loss(net, batch, rng);
        }

        public Proposal proposal(int steps) {
            return process.proposal(net.backend(), net, new MaskedProcess.SamplerConfig(steps, 1e-5), net.config().length());
        }
    }

    /** A fresh SMILES model over this alphabet (plus PAD) and length: the transformer config {@link #smilesConfig}. */
    static Smiles smiles(String alphabet, int length, Init init) {
        SequenceTransformer.Config c = smilesConfig(alphabet.length() + 1, length);
        return new Smiles(new SequenceTransformer(c, init), new MaskedProcess(c.vocab(), MaskSchedule.logLinear()), alphabet);
    }

    /** The SMILES transformer: width 96, 3 layers, 4 heads, MLP ratio 4, a convolution of width 9 (0.56M parameters), small enough to train on a CPU. */
    static SequenceTransformer.Config smilesConfig(int vocab, int length) {
        return new SequenceTransformer.Config(vocab, length, 96, 3, 4, 4, 9);
    }

    /** A fresh model of the given kind, small default config. SMILES models depend on their data: see {@link #smiles}. */
    static DiffusionModel create(ModelKind kind, Init init) {
        return switch (kind) {
            case FASHION_UNET -> images(UNet2D.Config.small(), init);
            case DNA_TRANSFORMER -> new Sequences(new SequenceTransformer(SequenceTransformer.Config.small(4, 128), init),
                    new MaskedProcess(4, MaskSchedule.logLinear()));
            case SMILES_TRANSFORMER -> throw new IllegalArgumentException("a SMILES model needs its alphabet and length: use DiffusionModel.smiles");
        };
    }

    /** A fresh image model with this UNet: Gaussian process, cosine schedule, T = 1000. */
    static Images images(UNet2D.Config config, Init init) {
        return new Images(new UNet2D(config, init), new GaussianProcess(BetaSchedule.cosine(1000, 0.008)), 1000);
    }

    static DiffusionModel fromMetadata(Path file, Map<String, String> meta, Init init) throws CheckpointException {
        String k = meta.get("kind");
        if (k == null) throw new CheckpointException(file, "no 'kind' in the metadata: not a diffusion model checkpoint");
        ModelKind kind;
        try {
            kind = ModelKind.valueOf(k);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "unknown model kind '" + k + "'");
        }
        try {
            return switch (kind) {
                case FASHION_UNET -> {
                    int t = Integer.parseInt(meta.getOrDefault("process.trainSteps", "1000"));
                    LossWeighting w = LossWeighting.parse(meta.getOrDefault(Images.LOSS_WEIGHTING_KEY, "uniform"));
                    yield new Images(new UNet2D(Configs.fromMap("unet", UNet2D.Config.class, meta), init), new GaussianProcess(BetaSchedule.cosine(t, 0.008), w), t);
                }
                case DNA_TRANSFORMER -> {
                    SequenceTransformer.Config c = Configs.fromMap("transformer", SequenceTransformer.Config.class, meta);
                    yield new Sequences(new SequenceTransformer(c, init), new MaskedProcess(c.vocab(), MaskSchedule.logLinear()));
                }
                case SMILES_TRANSFORMER -> {
                    SequenceTransformer.Config c = Configs.fromMap("transformer", SequenceTransformer.Config.class, meta);
                    String alphabet = meta.get(Smiles.ALPHABET_KEY);
                    if (alphabet == null) throw new CheckpointException(file, "no '" + Smiles.ALPHABET_KEY + "' in the metadata of a SMILES model: its samples cannot be decoded");
                    yield new Smiles(new SequenceTransformer(c, init), new MaskedProcess(c.vocab(), MaskSchedule.logLinear()), alphabet);
                }
            };
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, e.getMessage());
        }
    }

    /** Loads a model for sampling onto {@code backend}: EMA weights when present, else the raw weights. */
    static DiffusionModel load(Path file, Backend backend) throws IOException {
        Safetensors.Checkpoint ck = Safetensors.read(file, backend);
        DiffusionModel m = fromMetadata(file, ck.metadata(), new Init(backend, DType.F32, new Rng(0)));
        String prefix = ck.tensors().keySet().stream().anyMatch(n -> n.startsWith("ema.")) ? "ema." : "model.";
        try {
            m.module().loadState(TrainingLoop.strip(ck.tensors(), prefix));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, e.getMessage());
        }
        m.module().eval();
        return m;
    }
}

package org.svdd.diffusion.train;

import org.svdd.tensor.Backend;
import org.svdd.diffusion.data.Vocabulary;
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
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.io.CheckpointException;
import org.svdd.tensor.io.Safetensors;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.nn.Module;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
        };
    }

    /** An estimate of the bytes one row (image or sequence) needs in a denoiser pass without gradients. */
    default long inferenceBytesPerRow() {
        return Float.BYTES * switch (this) {
            case Images i -> i.net().config().inferenceFloatsPerRow();
            case Sequences s -> s.net().config().inferenceFloatsPerRow();
        };
    }

    /** The reverse steps the paper samples with: 50 DDIM steps for images, 128 for sequences (the process's sampler defaults). */
    default int defaultSteps() {
        return switch (this) {
            case Images i -> GaussianProcess.SamplerConfig.defaults().steps();
            case Sequences s -> MaskedProcess.SamplerConfig.defaults().steps();
        };
    }

    /** What the samples are, for messages: "images", "DNA sequences", "SELFIES molecules". */
    default String samples() {
        return switch (this) {
            case Images i -> "images";
            case Sequences s -> s.vocabulary().notation().plural;
        };
    }

    record Images(UNet2D net, GaussianProcess process, int trainSteps) implements DiffusionModel {
        /** The metadata key of the loss weighting a model was trained with; absent (older files) means uniform. */
        public static final String LOSS_WEIGHTING_KEY = "process.lossWeighting";

        public ModelKind kind() {
            return ModelKind.GAUSSIAN_UNET;
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

        /** DDIM with the default eta (1, the paper's setting), x0 clipped to [-1, 1]. */
        public Proposal proposal(int steps) {
            return proposal(steps, GaussianProcess.SamplerConfig.defaults().eta());
        }

        /** DDIM with the given eta (0 deterministic, 1 as DDPM's variance), x0 clipped to [-1, 1]. */
        public Proposal proposal(int steps, double eta) {
            int s = net.config().imageSize();
            GaussianProcess.SamplerConfig cfg = new GaussianProcess.SamplerConfig(steps, eta, GaussianProcess.SamplerConfig.defaults().clipX0());
            return process.proposal(net.backend(), net, cfg, net.config().channels(), s, s);
        }
    }

    /**
     * A masked transformer over the tokens of a {@link Vocabulary}: DNA letters, SELFIES symbols. Token i of the
     * transformer is {@code vocabulary.tokens().get(i)}; the process adds its MASK token after them.
     */
    record Sequences(SequenceTransformer net, MaskedProcess process, Vocabulary vocabulary) implements DiffusionModel {
        public Sequences {
            if (vocabulary.size() != net.config().vocab() || process.vocab() != net.config().vocab()) {
                throw new IllegalArgumentException("a vocabulary of " + vocabulary.size() + " tokens does not match the transformer's " + net.config().vocab()
                        + " tokens and the process's " + process.vocab());
            }
        }

        /** A fresh model over this vocabulary and length, log-linear mask schedule. */
        public static Sequences create(SequenceTransformer.Config config, Vocabulary vocabulary, Init init) {
            return new Sequences(new SequenceTransformer(config, init), new MaskedProcess(config.vocab(), MaskSchedule.logLinear()), vocabulary);
        }

        public ModelKind kind() {
            return ModelKind.MASKED_TRANSFORMER;
        }

        public Module module() {
            return net;
        }

        public Map<String, String> metadata() {
            Map<String, String> m = new LinkedHashMap<>(Configs.toMap("transformer", net.config()));
            m.putAll(vocabulary.metadata());
            return m;
        }

        public Tensor loss(Tensor batch, Rng rng) {
            return process.loss(net, batch, rng);
        }

        public Proposal proposal(int steps) {
            return process.proposal(net.backend(), net, MaskedProcess.SamplerConfig.defaults().withSteps(steps), net.config().length());
        }

        /** One text per row of token ids x (B, L), in the vocabulary's notation. */
        public List<String> texts(Tensor x) {
            if (x.rank() != 2 || x.dim(1) != net.config().length()) {
                throw new IllegalArgumentException("samples must be (B, " + net.config().length() + ") token ids, got " + Shape.str(x.shape()));
            }
            long[] ids = x.toLongArray();
            int b = x.dim(0), l = x.dim(1);
            List<String> out = new ArrayList<>(b);
            for (int r = 0; r < b; r++) out.add(vocabulary.text(ids, r * l, l));
            return out;
        }
    }

    /** A fresh image model with this UNet: Gaussian process, cosine schedule, T = 1000. */
    static Images images(UNet2D.Config config, Init init) {
        return new Images(new UNet2D(config, init), new GaussianProcess(BetaSchedule.of(BetaSchedule.Kind.COSINE, 1000)), 1000);
    }

    static DiffusionModel fromMetadata(Path file, Map<String, String> meta, Init init) throws CheckpointException {
        String k = meta.get("kind");
        if (k == null) throw new CheckpointException(file, "no 'kind' in the metadata: not a diffusion model checkpoint");
        ModelKind kind;
        try {
            kind = ModelKind.parse(k);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "unknown model kind '" + k + "'" + (k.equals("SMILES_TRANSFORMER")
                    ? ": SMILES models were replaced by SELFIES models, whose samples are always molecules (svdd train --task selfies)" : ""));
        }
        try {
            return switch (kind) {
                case GAUSSIAN_UNET -> {
                    int t = Integer.parseInt(meta.getOrDefault("process.trainSteps", "1000"));
                    LossWeighting w = LossWeighting.parse(meta.getOrDefault(Images.LOSS_WEIGHTING_KEY, "uniform"));
                    yield new Images(new UNet2D(Configs.fromMap("unet", UNet2D.Config.class, meta), init), new GaussianProcess(BetaSchedule.of(BetaSchedule.Kind.COSINE, t), w), t);
                }
                case MASKED_TRANSFORMER -> {
                    SequenceTransformer.Config c = Configs.fromMap("transformer", SequenceTransformer.Config.class, meta);
                    // files written before vocabularies were stored hold DNA models
                    Vocabulary v = meta.containsKey(Vocabulary.NOTATION_KEY) ? Vocabulary.fromMetadata(meta) : Vocabulary.DNA;
                    yield Sequences.create(c, v, init);
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

package org.svdd.app;

import org.svdd.diffusion.data.DnaDataset;
import org.svdd.diffusion.data.ImageDataset;
import org.svdd.diffusion.data.SmilesFile;
import org.svdd.diffusion.data.TrnaDataset;
import org.svdd.diffusion.data.Vocabulary;
import org.svdd.chem.SelfiesDataset;
import org.svdd.diffusion.model.SequenceTransformer;
import org.svdd.diffusion.model.Configs;
import org.svdd.diffusion.model.UNet2D;
import org.svdd.diffusion.process.LossWeighting;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.diffusion.train.ModelKind;
import org.svdd.diffusion.train.Trainer;
import org.svdd.tensor.Backends;
import org.svdd.tensor.io.Safetensors;
import org.svdd.tensor.nn.Init;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;

/** Trains a pre-trained diffusion model on one of the offline data sets, with checkpoints and resume. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a diffusion model (UNet on Fashion-MNIST, or masked transformer on fly promoters or WEHI molecules as SELFIES).")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--task", defaultValue = "fashion", description = "fashion (32x32 images, Gaussian process), dna (128 bp promoters, masked process) rna (Infernal's 1,415 tRNAs, padded to 128, masked process) or selfies (WEHI molecules as at most 64 SELFIES symbols, masked process). Default: ${DEFAULT-VALUE}")
    String task;

    @Option(names = "--steps", description = "Optimiser steps (default: fashion 4000, dna 3000, rna 2000, selfies " + SELFIES_STEPS + ").")
    Integer steps;

    @Option(names = "--batch", description = "Batch size (default: 64).")
    Integer batch;

    @Option(names = "--lr", description = "Peak learning rate (default: task's).")
    Double lr;

    @Option(names = "--ema-decay", description = "Decay of the weight average that is sampled from (default: 0.995, a horizon of about 200 steps; "
            + "longer runs average better with 0.999).")
    Double emaDecay;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for initialisation, batches and noise. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--checkpoint-every", description = "Steps between checkpoints (default: 250).")
    Integer every;

    @Option(names = "--out", required = true, description = "Training checkpoint (safetensors); rewritten atomically every --checkpoint-every steps.")
    Path out;

    @Option(names = "--resume", description = "Continue from --out if it exists (without it, an existing --out is refused unless --force).")
    boolean resume;

    @Option(names = "--init", description = "Start from the weights of this checkpoint of the same task (its EMA weights, or the "
            + "model weights of a training file) instead of a random initialisation; the optimiser and the learning-rate schedule start "
            + "afresh. Ignored when --resume finds --out.")
    Path init;

    @Option(names = "--unet", paramLabel = "KEY=VALUE", description = "UNet config for --task fashion, one key at a time, as the checkpoint metadata names "
            + "them without 'unet.' (base, mults, resBlocks, attnResolutions, groups, heads); the rest from the small default. With --init "
            + "only resBlocks may change, and only upwards: the model is deepened so that it starts as the same function (UNet2D.deepen). Ignored when --resume finds --out.")
    Map<String, String> unet;

    @Option(names = "--loss-weight", paramLabel = "SPEC", description = "Per-timestep weight of the --task fashion loss: uniform (DDPM's L_simple) or min-snr:GAMMA "
            + "(Hang et al. 2023; they use 5), stored in the model's metadata. Default: the --init model's, else uniform. Ignored when --resume finds --out (its own continues).")
    String lossWeight;

    @Option(names = "--export", description = "Also write the EMA weights alone to this file (the small file to commit or share).")
    Path export;

    /** The data sets a model can be trained on, each with its default model and training settings. */
    enum Task {
        FASHION(ModelKind.GAUSSIAN_UNET, new Trainer.Config(4000, 64, 2e-3, 200, 0.995, 1.0, 250, 1)),
        DNA(ModelKind.MASKED_TRANSFORMER, new Trainer.Config(3000, 64, 1e-3, 200, 0.995, 1.0, 250, 1)),
        RNA(ModelKind.MASKED_TRANSFORMER, new Trainer.Config(2000, 64, 1e-3, 200, 0.995, 1.0, 250, 1)),
        SELFIES(ModelKind.MASKED_TRANSFORMER, new Trainer.Config(SELFIES_STEPS, 64, 1e-3, 200, 0.999, 1.0, 250, 1));

        final ModelKind kind;
        final Trainer.Config defaults;

        Task(ModelKind kind, Trainer.Config defaults) {
            this.kind = kind;
            this.defaults = defaults;
        }

        static Task parse(String task) {
            for (Task t : values()) if (t.name().equalsIgnoreCase(task)) return t;
            throw new IllegalArgumentException("unknown --task '" + task + "' (known: fashion, dna, rna, selfies)");
        }
    }

    /** Default steps of --task selfies. */
    static final int SELFIES_STEPS = 6000;

    /** The tRNA transformer: width 96, 3 layers, 4 heads, MLP ratio 4, a convolution of width 9, over A, C, G, U and PAD, 128 long. */
    static SequenceTransformer.Config rnaConfig() {
        return new SequenceTransformer.Config(TrnaDataset.VOCABULARY.size(), TrnaDataset.LENGTH, 96, 3, 4, 4, 9);
    }

    /** The SELFIES transformer: width 128, 4 layers, 4 heads, MLP ratio 4, a convolution of width 9. */
    static SequenceTransformer.Config selfiesConfig(int vocab, int length) {
        return new SequenceTransformer.Config(vocab, length, 128, 4, 4, 4, 9);
    }

    static java.nio.file.Path required(java.nio.file.Path p, String what) {
        if (p == null) throw new IllegalStateException(what + " not found: run scripts/fetch-data.sh (or set SVDD_DATA)");
        return p;
    }

    /** The model stored in file, which must draw what the task's data are (weights, config and vocabulary from the file). */
    private static DiffusionModel warmStart(Path file, DiffusionModel want) {
        try {
            DiffusionModel m = DiffusionModel.load(file, Backends.current());
            if (!m.samples().equals(want.samples())) throw new IllegalArgumentException("--init " + file + " holds a model of " + m.samples() + ", not of " + want.samples());
            System.out.println("initialised from " + file);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException("--init " + file + ": " + e.getMessage(), e);
        }
    }

    /** The config start with the --unet keys replaced. */
    private static UNet2D.Config unetConfig(UNet2D.Config start, Map<String, String> overrides) {
        Map<String, String> m = new LinkedHashMap<>(Configs.toMap("unet", start));
        overrides.forEach((k, v) -> m.put("unet." + k, v));
        return option("--unet", () -> Configs.fromMap("unet", UNet2D.Config.class, m));
    }

    /** The --init model, deepened when --unet asks for more residual blocks; any other --unet change is an error. */
    private DiffusionModel withUnet(DiffusionModel m, Init newWeights) {
        if (unet == null) return m;
        DiffusionModel.Images images = (DiffusionModel.Images) m;
        UNet2D.Config have = images.net().config(), want = unetConfig(have, unet);
        if (want.equals(have)) return m;
        if (!unetConfig(have, Map.of("resBlocks", Integer.toString(want.resBlocks()))).equals(want) || want.resBlocks() < have.resBlocks()) {
            throw new IllegalArgumentException("--unet with --init can only add residual blocks (resBlocks >= " + have.resBlocks() + "); --init " + init + " has " + have);
        }
        System.out.println("deepened to " + want.resBlocks() + " residual blocks per level");
        return images.deepened(want.resBlocks(), newWeights);
    }

    /** parse's value; its IllegalArgumentException (a bad option value) gets the option's name before its message. */
    private static <T> T option(String name, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    @Option(names = "--force", description = "Overwrite an existing --out (without --resume) or --export file.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        // every option and output is checked before the data loads
        Task t = Usage.check(() -> Task.parse(task));
        Usage.require(unet == null || t == Task.FASHION, "--unet applies to --task fashion only");
        Usage.require(lossWeight == null || t == Task.FASHION, "--loss-weight applies to --task fashion only");
        LossWeighting weighting = lossWeight == null ? null : Usage.check(() -> option("--loss-weight", () -> LossWeighting.parse(lossWeight)));
        if (unet != null && init == null) Usage.check(() -> unetConfig(UNet2D.Config.small(), unet));
        if (steps != null) Usage.atLeast(steps, 1, "--steps");
        if (batch != null) Usage.atLeast(batch, 1, "--batch");
        if (every != null) Usage.atLeast(every, 1, "--checkpoint-every");
        Usage.require(lr == null || lr > 0, "--lr must be > 0, got " + lr);
        Usage.require(emaDecay == null || (emaDecay >= 0 && emaDecay <= 1), "--ema-decay must be in [0, 1], got " + emaDecay);
        if (init != null) Usage.inputFile(init, "--init");
        Usage.outputFile(out, "--out", resume || force);
        if (resume && Files.exists(out)) {
            Map<String, String> m = Safetensors.readHeader(out).metadata();
            String kind = m.getOrDefault("kind", "?"), notation = m.getOrDefault(Vocabulary.NOTATION_KEY, "DNA");   // older DNA files name none
            String holds = Usage.check(() -> ModelKind.parse(kind)) == ModelKind.GAUSSIAN_UNET ? "FASHION" : notation;
            Usage.require(holds.equals(t.name()), "--resume --out " + out + " holds a " + holds.toLowerCase(java.util.Locale.ROOT) + " checkpoint, not a --task " + task + " one");
        }
        if (export != null) Usage.outputFile(export, "--export", force);
        Trainer.Config d = t.defaults;
        Trainer.Config cfg = new Trainer.Config(steps != null ? steps : d.steps(), batch != null ? batch : d.batch(), lr != null ? lr : d.lr(),
                d.warmup(), emaDecay != null ? emaDecay : d.emaDecay(), d.clip(), every != null ? every : d.checkpointEvery(), seed);
        Trainer.Data data;
        Function<Init, DiffusionModel> fresh;
        switch (t) {
            case FASHION -> {
                ImageDataset ds = ImageDataset.fashionMnist(required(ImageDataset.locateFashionMnist(), "Fashion-MNIST"), true, 32);
                data = Trainer.images(ds.pixels(), ds.count(), ds.height());
                fresh = i -> DiffusionModel.images(UNet2D.Config.small(), i);
            }
            case DNA -> {
                DnaDataset ds = DnaDataset.promoters(required(DnaDataset.locateDmUpstream(), "fly promoters"), 128, 0.1, 0).train();
                data = Trainer.tokens(java.util.Arrays.stream(ds.tokens()).asLongStream().toArray(), ds.count(), ds.length());
                fresh = i -> DiffusionModel.Sequences.create(SequenceTransformer.Config.small(4, 128), Vocabulary.DNA, i);
            }
            case RNA -> {
                TrnaDataset.Split split = TrnaDataset.read(required(TrnaDataset.locate(), "the tRNA alignment (Debian infernal)"), TrnaDataset.LENGTH, 0.1, 0);
                TrnaDataset ds = split.train();
                System.out.printf("tRNA: %d training and %d held-out sequences; %d left out (letters other than ACGU)%n", ds.count(), split.validation().count(), split.skipped());
                data = Trainer.tokens(ds.longTokens(), ds.count(), ds.length());
                fresh = i -> DiffusionModel.Sequences.create(rnaConfig(), TrnaDataset.VOCABULARY, i);
            }
            case SELFIES -> {
                SelfiesDataset.Split split = SelfiesDataset.wehi(required(SmilesFile.locateWehi(), "WEHI SMILES"));
                SelfiesDataset ds = split.train();
                System.out.printf("WEHI: %d training and %d held-out molecules over %d SELFIES symbols; %d left out (not encodable or longer than %d symbols)%n",
                        ds.count(), split.validation().count(), ds.alphabet().size(), split.skipped(), ds.length());
                data = Trainer.tokens(ds.longTokens(), ds.count(), ds.length());
                fresh = i -> DiffusionModel.Sequences.create(selfiesConfig(ds.alphabet().size(), ds.length()), ds.vocabulary(), i);
            }
            default -> throw new IllegalStateException();
        }
        if (unet != null) fresh = i -> DiffusionModel.images(unetConfig(UNet2D.Config.small(), unet), i);
        if (init != null) {
            Function<Init, DiffusionModel> want = fresh;
            fresh = i -> withUnet(warmStart(init, want.apply(i)), i);
        }
        if (weighting != null) fresh = fresh.andThen(m -> ((DiffusionModel.Images) m).withLossWeighting(weighting));
        int rows = cfg.batch();
        fresh = fresh.andThen(m -> {   // before the first step: a batch that cannot fit is refused, not an OutOfMemoryError later
            Usage.fitsInMemory(rows, m.trainingBytesPerRow(), "--batch " + rows);
            return m;
        });
        DiffusionModel model = Trainer.train(Backends.current(), fresh, data, cfg, out, resume, System.out);
        if (export != null) {
            Trainer.export(export, model);
            System.out.println("exported EMA weights to " + export);
        }
        return 0;
    }
}

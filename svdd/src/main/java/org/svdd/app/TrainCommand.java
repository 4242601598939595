package org.svdd.app;

import org.svdd.diffusion.data.DnaDataset;
import org.svdd.diffusion.data.ImageDataset;
import org.svdd.diffusion.data.SmilesDataset;
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
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a diffusion model (UNet on Fashion-MNIST, or transformer on fly promoters or WEHI SMILES).")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--task", defaultValue = "fashion", description = "fashion (32x32 images, Gaussian process), dna (128 bp promoters, masked process) or smiles (WEHI SMILES of at most 64 characters, masked process). Default: ${DEFAULT-VALUE}")
    String task;

    @Option(names = "--steps", description = "Optimiser steps (default: fashion 4000, dna 3000, smiles 5500).")
    Integer steps;

    @Option(names = "--batch", description = "Batch size (default: 64; smiles 32).")
    Integer batch;

    @Option(names = "--lr", description = "Peak learning rate (default: task's).")
    Double lr;

    @Option(names = "--ema-decay", description = "Decay of the weight average that is sampled from (default: 0.995, a horizon of about 200 steps; "
            + "longer runs average better with 0.999).")
    Double emaDecay;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for initialisation, batches and noise. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--checkpoint-every", description = "Steps between checkpoints (default: 250; smiles 100).")
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

    static ModelKind kind(String task) {
        return switch (task.toLowerCase()) {
            case "fashion" -> ModelKind.FASHION_UNET;
            case "dna" -> ModelKind.DNA_TRANSFORMER;
            case "smiles" -> ModelKind.SMILES_TRANSFORMER;
            default -> throw new IllegalArgumentException("unknown --task '" + task + "' (known: fashion, dna, smiles)");
        };
    }

    /** Token length of the SMILES models: 9,999 of the 10,000 WEHI SMILES fit. */
    static final int SMILES_LENGTH = 64;

    /** The WEHI SMILES split 90/10 by a hash of each string; both halves use the whole set's alphabet. */
    record SmilesSplit(SmilesDataset train, SmilesDataset validation) {
        static SmilesSplit wehi() throws IOException {
            SmilesDataset all = SmilesDataset.read(required(SmilesDataset.locateWehi(), "WEHI SMILES"), SMILES_LENGTH);
            List<Integer> train = new ArrayList<>(), validation = new ArrayList<>();
            for (int i = 0; i < all.count(); i++) (Math.floorMod(all.smiles().get(i).hashCode(), 10) == 0 ? validation : train).add(i);
            return new SmilesSplit(subset(all, train), subset(all, validation));
        }

        private static SmilesDataset subset(SmilesDataset all, List<Integer> rows) {
            int l = all.length();
            int[] tokens = new int[rows.size() * l];
            for (int r = 0; r < rows.size(); r++) System.arraycopy(all.tokens(), rows.get(r) * l, tokens, r * l, l);
            return new SmilesDataset(tokens, rows.size(), l, all.alphabet(), rows.stream().map(all.smiles()::get).toList(), rows.stream().map(all.ids()::get).toList());
        }
    }

    static java.nio.file.Path required(java.nio.file.Path p, String what) {
        if (p == null) throw new IllegalStateException(what + " not found: run scripts/fetch-data.sh (or set SVDD_DATA)");
        return p;
    }

    /** The model stored in file, which must be of the task's kind (weights, config and, for SMILES, alphabet from the file). */
    private static DiffusionModel warmStart(Path file, ModelKind kind) {
        try {
            DiffusionModel m = DiffusionModel.load(file, Backends.current());
            if (m.kind() != kind) throw new IllegalArgumentException("--init " + file + " holds a " + m.kind() + " model, not " + kind);
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
        ModelKind kind = Usage.check(() -> kind(task));
        Usage.require(unet == null || kind == ModelKind.FASHION_UNET, "--unet applies to --task fashion only");
        Usage.require(lossWeight == null || kind == ModelKind.FASHION_UNET, "--loss-weight applies to --task fashion only");
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
            String resumed = Safetensors.readHeader(out).metadata().get("kind");
            Usage.require(kind.name().equals(resumed), "--resume --out " + out + " holds a " + resumed + " checkpoint, not a --task " + task + " one");
        }
        if (export != null) Usage.outputFile(export, "--export", force);
        Trainer.Config d = Trainer.Config.defaults(kind);
        Trainer.Config cfg = new Trainer.Config(steps != null ? steps : d.steps(), batch != null ? batch : d.batch(), lr != null ? lr : d.lr(),
                d.warmup(), emaDecay != null ? emaDecay : d.emaDecay(), d.clip(), every != null ? every : d.checkpointEvery(), seed);
        SmilesDataset smiles = kind == ModelKind.SMILES_TRANSFORMER ? SmilesSplit.wehi().train() : null;
        Trainer.Data data = switch (kind) {
            case FASHION_UNET -> {
                ImageDataset ds = ImageDataset.fashionMnist(required(ImageDataset.locateFashionMnist(), "Fashion-MNIST"), true, 32);
                yield Trainer.images(ds.pixels(), ds.count(), ds.height());
            }
            case DNA_TRANSFORMER -> {
                DnaDataset ds = DnaDataset.promoters(required(DnaDataset.locateDmUpstream(), "fly promoters"), 128, 0.1, 0).train();
                yield Trainer.tokens(java.util.Arrays.stream(ds.tokens()).asLongStream().toArray(), ds.count(), ds.length());
            }
            case SMILES_TRANSFORMER -> Trainer.tokens(java.util.Arrays.stream(smiles.tokens()).asLongStream().toArray(), smiles.count(), smiles.length());
        };
        Function<Init, DiffusionModel> fresh = smiles == null ? i -> DiffusionModel.create(kind, i)
                : i -> DiffusionModel.smiles(smiles.alphabet(), smiles.length(), i);
        if (unet != null) fresh = i -> DiffusionModel.images(unetConfig(UNet2D.Config.small(), unet), i);
        if (init != null) fresh = i -> withUnet(warmStart(init, kind), i);
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

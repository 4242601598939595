package org.svdd.app;

import org.svdd.diffusion.data.DnaDataset;
import org.svdd.diffusion.data.ImageDataset;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.diffusion.train.ModelKind;
import org.svdd.diffusion.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Trains a pre-trained diffusion model on one of the offline data sets, with checkpoints and resume. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a diffusion model (UNet on Fashion-MNIST, or transformer on fly promoters).")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--task", defaultValue = "fashion", description = "fashion (32x32 images, Gaussian process) or dna (128 bp promoters, masked process). Default: ${DEFAULT-VALUE}")
    String task;

    @Option(names = "--steps", description = "Optimiser steps (default: 4000).")
    Integer steps;

    @Option(names = "--batch", description = "Batch size (default: 64).")
    Integer batch;

    @Option(names = "--lr", description = "Peak learning rate (default: task's).")
    Double lr;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for initialisation, batches and noise. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--checkpoint-every", description = "Steps between checkpoints (default: 250).")
    Integer every;

    @Option(names = "--out", required = true, description = "Training checkpoint (safetensors); rewritten atomically every --checkpoint-every steps.")
    Path out;

    @Option(names = "--resume", description = "Continue from --out if it exists.")
    boolean resume;

    @Option(names = "--export", description = "Also write the EMA weights alone to this file (the small file to commit or share).")
    Path export;

    static ModelKind kind(String task) {
        return switch (task.toLowerCase()) {
            case "fashion" -> ModelKind.FASHION_UNET;
            case "dna" -> ModelKind.DNA_TRANSFORMER;
            default -> throw new IllegalArgumentException("unknown --task '" + task + "' (known: fashion, dna)");
        };
    }

    static java.nio.file.Path required(java.nio.file.Path p, String what) {
        if (p == null) throw new IllegalStateException(what + " not found: run scripts/fetch-data.sh (or set SVDD_DATA)");
        return p;
    }

    @Override
    public Integer call() throws Exception {
        ModelKind kind = kind(task);
        Trainer.Config d = Trainer.Config.defaults(kind);
        Trainer.Config cfg = new Trainer.Config(steps != null ? steps : d.steps(), batch != null ? batch : d.batch(), lr != null ? lr : d.lr(),
                d.warmup(), d.emaDecay(), d.clip(), every != null ? every : d.checkpointEvery(), seed);
        Trainer.Data data = switch (kind) {
            case FASHION_UNET -> {
                ImageDataset ds = ImageDataset.fashionMnist(required(ImageDataset.locateFashionMnist(), "Fashion-MNIST"), true, 32);
                yield Trainer.images(ds.pixels(), ds.count(), ds.height());
            }
            case DNA_TRANSFORMER -> {
                DnaDataset ds = DnaDataset.promoters(required(DnaDataset.locateDmUpstream(), "fly promoters"), 128, 0.1, 0).train();
                yield Trainer.tokens(java.util.Arrays.stream(ds.tokens()).asLongStream().toArray(), ds.count(), ds.length());
            }
        };
        DiffusionModel model = Trainer.train(kind, data, cfg, out, resume, System.out);
        if (export != null) {
            Trainer.export(export, model);
            System.out.println("exported EMA weights to " + export);
        }
        return 0;
    }
}

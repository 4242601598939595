package org.svdd.app;

import org.svdd.diffusion.data.ImageDataset;
import org.svdd.diffusion.model.ImageClassifier;
import org.svdd.diffusion.train.ClassifierTrainer;
import org.svdd.tensor.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Trains the Fashion-MNIST image classifier (32x32, the diffusion model's canvas) that checks sample quality
 * ({@code svdd eval}) and serves as a differentiable reward; reports its test-set accuracy at the end.
 */
@Command(name = "train-classifier", mixinStandardHelpOptions = true,
        description = "Train the Fashion-MNIST image classifier (sample quality check and differentiable reward); prints its test accuracy.")
final class TrainClassifierCommand implements Callable<Integer> {
    private static final ClassifierTrainer.Config DEFAULTS = ClassifierTrainer.Config.defaults();

    @Option(names = "--out", required = true,
            description = "Classifier checkpoint (safetensors); rewritten atomically during training, weights alone at the end.")
    Path out;

    @Option(names = "--steps", defaultValue = "5000", description = "Optimiser steps. Default: ${DEFAULT-VALUE}")
    int steps;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size. Default: ${DEFAULT-VALUE}")
    int batch;

    @Option(names = "--lr", defaultValue = "2e-3", description = "Peak learning rate (AdamW, warm-up then cosine). Default: ${DEFAULT-VALUE}")
    double lr;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for initialisation, batches and augmentation. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--checkpoint-every", defaultValue = "500", description = "Steps between checkpoints. Default: ${DEFAULT-VALUE}")
    int every;

    @Option(names = "--half", description = "Train on half of the training images only: 0 (even indices) or 1 (odd). Two classifiers on the two halves "
            + "never saw each other's images: steer with one (--reward classifier:<c>@file), check with the other (--check-reward). Default: all images.")
    Integer half;

    @Option(names = "--resume", description = "Continue from --out if it exists.")
    boolean resume;

    @Option(names = "--force", description = "Overwrite an existing --out (without --resume).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Usage.atLeast(steps, 1, "--steps");
        Usage.atLeast(batch, 1, "--batch");
        Usage.atLeast(every, 1, "--checkpoint-every");
        Usage.require(lr > 0, "--lr must be > 0, got " + lr);
        Usage.require(half == null || half == 0 || half == 1, "--half must be 0 or 1, got " + half);
        Usage.outputFile(out, "--out", resume || force);
        Path dir = TrainCommand.required(ImageDataset.locateFashionMnist(), "Fashion-MNIST");
        ImageClassifier.Config model = ImageClassifier.Config.small();
        ImageDataset all = ImageDataset.fashionMnist(dir, true, model.imageSize());
        ImageDataset train = half == null ? all : all.half(half);
        ImageDataset test = ImageDataset.fashionMnist(dir, false, model.imageSize());
        ClassifierTrainer.Config cfg = new ClassifierTrainer.Config(steps, batch, lr, DEFAULTS.warmup(), DEFAULTS.weightDecay(), DEFAULTS.clip(), every,
                DEFAULTS.maxShift(), DEFAULTS.maxNoise(), seed);
        long t0 = System.nanoTime();
        ClassifierTrainer.train(Backends.current(), model, train, test, cfg, out, resume, System.out);
        System.out.printf("wrote %s (%.1f min, backend %s)%n", out, (System.nanoTime() - t0) / 6e10, Backends.current().name());
        return 0;
    }
}

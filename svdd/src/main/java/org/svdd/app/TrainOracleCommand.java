package org.svdd.app;

import org.svdd.diffusion.data.DnaDataset;
import org.svdd.diffusion.data.Fasta;
import org.svdd.tensor.Backend;
import org.svdd.tensor.Backends;
import org.svdd.tensor.F;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.value.ValueNet;
import org.svdd.value.ValueTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A DNA oracle trained with the engine, the kind of reward model the paper's DNA tasks use: a small CNN that tells
 * a promoter window (the last L bases before a transcription start) from a distal window (bases 1000 + L .. 1000
 * before it) of the same gene. Its score (about 1 = promoter-like, 0 = distal-like) is the reward
 * {@code oracle[:file]}; it is differentiable, so DPS can use it directly.
 */
@Command(name = "train-oracle", mixinStandardHelpOptions = true,
        description = "Train the DNA oracle reward: promoter (near-start) vs distal windows of the fly upstream sequences.")
final class TrainOracleCommand implements Callable<Integer> {
    /** The committed oracle inside the installation, read by {@code --reward oracle}. */
    static final String DEFAULT_FILE = "models/dna-oracle.safetensors";

    @Option(names = "--length", defaultValue = "128", description = "Window length (the DNA model's). Default: ${DEFAULT-VALUE}")
    int length;

    @Option(names = "--steps", defaultValue = "800", description = "Optimiser steps. Default: ${DEFAULT-VALUE}")
    int steps;

    @Option(names = "--batch", defaultValue = "128", description = "Rows per step. Default: ${DEFAULT-VALUE}")
    int batch;

    @Option(names = "--width", defaultValue = "16", description = "Channels of the first layer. Default: ${DEFAULT-VALUE}")
    int width;

    @Option(names = "--seed", defaultValue = "0", description = "Seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--half", description = "Train on half of the training genes only: 0 or 1 (by the hash that also holds out the validation genes). "
            + "Two oracles on the two halves share no gene: steer with one (--reward oracle:A), check with the other (--check-reward oracle:B). Default: all training genes.")
    Integer half;

    @Option(names = "--out", required = true, description = "Checkpoint (written atomically); `--reward oracle:FILE` reads it.")
    Path out;

    @Option(names = "--force", description = "Overwrite an existing --out.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Usage.atLeast(length, 1, "--length");
        Usage.atLeast(steps, 1, "--steps");
        Usage.atLeast(batch, 1, "--batch");
        Usage.atLeast(width, 1, "--width");
        Usage.require(half == null || half == 0 || half == 1, "--half must be 0 or 1, got " + half);
        Usage.outputFile(out, "--out", force);
        List<Fasta.Record> records = Fasta.read(TrainCommand.required(DnaDataset.locateDmUpstream(), "fly promoters"));
        List<int[]> trainX = new ArrayList<>(), valX = new ArrayList<>();
        List<Double> trainY = new ArrayList<>(), valY = new ArrayList<>();
        for (Fasta.Record r : records) {
            String s = r.sequence().toUpperCase();
            if (s.length() < 1000 + length) continue;
            int[] near = DnaDataset.encode(s.substring(s.length() - length));
            int[] far = DnaDataset.encode(s.substring(s.length() - 1000 - length, s.length() - 1000));
            if (near == null || far == null) continue;
            int bucket = Math.floorMod(s.substring(s.length() - length).hashCode(), 10);   // genes, not windows, split
            boolean validation = bucket == 0;
            if (!validation && half != null && bucket % 2 != half) continue;                  // the other half's gene
            (validation ? valX : trainX).addAll(List.of(near, far));
            (validation ? valY : trainY).addAll(List.of(1.0, 0.0));
        }
        System.out.printf("%d training and %d validation windows (half promoter, half distal)%n", trainX.size(), valX.size());
        ValueNet.Config cfg = new ValueNet.Config(ValueNet.Domain.SEQUENCE, 4, length, width);
        ValueNet net = ValueTraining.train(Backends.current(), cfg, data(trainX, trainY), new ValueTraining.Config(steps, batch, 2e-3, 200, seed), out, false,
                Map.of("train.reward", "oracle", "train.source", "dm3 upstream: promoter vs distal windows",
                        "train.genes", half == null ? "all training genes" : "half " + half + " of the training genes"), System.out);
        ValueTraining.Data val = data(valX, valY);
        int[] all = new int[val.count()];
        Arrays.setAll(all, i -> i);
        ValueTraining.Batch b = val.batch(net.backend(), all, new Rng(0));
        double[] v = org.svdd.tensor.Grad.noGrad(() -> net.forward(b.inputs(), b.times())).toDoubleArray();
        int correct = 0;
        for (int i = 0; i < v.length; i++) if ((v[i] > 0.5) == (b.labels()[i] > 0.5)) correct++;
        System.out.printf("wrote %s; validation accuracy %.3f on %d windows (chance 0.5)%n", out, (double) correct / v.length, v.length);
        return 0;
    }

    private ValueTraining.Data data(List<int[]> xs, List<Double> ys) {
        double[] labels = ys.stream().mapToDouble(Double::doubleValue).toArray();
        return new ValueTraining.Data() {
            @Override
            public int count() {
                return xs.size();
            }

            @Override
            public double[] labels() {
                return labels;
            }

            @Override
            public ValueTraining.Batch batch(Backend backend, int[] rows, Rng rng) {
                long[] ids = new long[rows.length * length];
                double[] y = new double[rows.length];
                for (int k = 0; k < rows.length; k++) {
                    int[] x = xs.get(rows[k]);
                    for (int j = 0; j < length; j++) ids[k * length + j] = x[j];
                    y[k] = labels[rows[k]];
                }
                Tensor tokens = backend.upload(HostStorage.of(ids), rows.length, length);
                return new ValueTraining.Batch(F.oneHot(tokens, 4), ValueNet.times(backend, rows.length, 0.0), y);
            }
        };
    }
}

package org.svdd.core;

import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.Progress;
import org.svdd.tensor.Backends;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.io.Safetensors;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.optim.AdamW;
import org.svdd.tensor.optim.CosineSchedule;
import org.svdd.tensor.optim.GradClip;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training the SVDD-MC value network by regression: minimise (v_phi(x_t, t) - r(x0))^2 over states x_t labelled
 * with the reward of their own clean sample. Two data sources: {@link #rollouts} of the pre-trained sampler (every
 * intermediate state of a trajectory gets that trajectory's final reward; the DNA code's choice) and forward-noised
 * data (x_t = q(x_t | x0) of real x0; the image code's choice), the latter built by the caller as a {@link Data}.
 */
public final class ValueTraining {
    private ValueTraining() {
    }

    /** A minibatch: net inputs (images or one-hot tokens), times (B) in [0, 1], reward labels (B). */
    public record Batch(Tensor inputs, Tensor times, double[] labels) {
    }

    /** A regression data set; {@code batch} may draw fresh noise from rng (forward-noised data). */
    public interface Data {
        int count();

        /** Every label, for the standardisation. */
        double[] labels();

        Batch batch(int[] rows, Rng rng);
    }

    /**
     * @param steps           optimiser steps
     * @param batch           rows per step
     * @param lr              peak learning rate (warm-up 5% of steps, then cosine to 5%)
     * @param checkpointEvery steps between atomic checkpoints
     * @param seed            seed for initialisation and batches
     */
    public record Config(int steps, int batch, double lr, int checkpointEvery, long seed) {
        public Config {
            if (steps < 1 || batch < 1 || checkpointEvery < 1 || !(lr > 0))
                throw new IllegalArgumentException("invalid value-training config: " + steps + " steps, batch " + batch + ", lr " + lr + ", every " + checkpointEvery);
        }
    }

    /**
     * n trajectories of the pre-trained sampler (in chunks of {@code chunk}), every intermediate state after each
     * reverse step kept with its noise level and labelled with r(x0) of its trajectory: n · steps rows.
     */
    public static Data rollouts(Proposal p, Reward reward, ValueNet.Config net, int n, int chunk, Rng rng, PrintStream out) {
        int steps = p.steps();
        int rowSize = net.domain() == ValueNet.Domain.IMAGE ? net.channels() * net.size() * net.size() : net.size();
        float[] states = new float[n * steps * rowSize];    // images as pixels, tokens as ids
        float[] times = new float[n * steps];
        double[] labels = new double[n * steps];
        Progress bar = new Progress(out, "rollouts", 0, n);
        for (int done = 0; done < n; done += chunk) {
            int b = Math.min(chunk, n - done);
            Tensor x = p.prior(b, rng);
            for (int i = 0; i < steps; i++) {
                Tensor xi = p.prepare(x, i).sample(1, rng);
                x = xi;
                float[] host = xi.dtype().isFloating() ? xi.toFloatArray() : toFloats(xi.toIntArray());
                for (int r = 0; r < b; r++) {
                    int row = (done + r) * steps + i;
                    System.arraycopy(host, r * rowSize, states, row * rowSize, rowSize);
                    times[row] = (float) p.timeAfter(i);
                }
            }
            double[] r = reward.score(x);
            for (int k = 0; k < b; k++) Arrays.fill(labels, (done + k) * steps, (done + k + 1) * steps, r[k]);
            bar.update(done + b, String.format("mean reward %.3f", Arrays.stream(r).average().orElse(Double.NaN)));
        }
        return new Data() {
            @Override
            public int count() {
                return n * steps;
            }

            @Override
            public double[] labels() {
                return labels;
            }

            @Override
            public Batch batch(int[] rows, Rng unused) {
                float[] s = new float[rows.length * rowSize], t = new float[rows.length];
                double[] y = new double[rows.length];
                for (int k = 0; k < rows.length; k++) {
                    System.arraycopy(states, rows[k] * rowSize, s, k * rowSize, rowSize);
                    t[k] = times[rows[k]];
                    y[k] = labels[rows[k]];
                }
                Tensor in;
                if (net.domain() == ValueNet.Domain.IMAGE) {
                    in = Backends.current().upload(HostStorage.of(s), rows.length, net.channels(), net.size(), net.size());
                } else {
                    long[] ids = new long[s.length];
                    for (int k = 0; k < s.length; k++) ids[k] = (long) s[k];
                    in = ValueNet.input(net, Backends.current().upload(HostStorage.of(ids), rows.length, net.size()));
                }
                return new Batch(in, Backends.current().upload(HostStorage.of(t), rows.length), y);
            }
        };
    }

    private static float[] toFloats(int[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = a[i];
        return f;
    }

    /** Trains (or resumes) a value network; the checkpoint is rewritten atomically every checkpointEvery steps. */
    public static ValueNet train(ValueNet.Config netConfig, Data data, Config cfg, Path checkpoint, boolean resume,
                                 Map<String, String> provenance, PrintStream out) throws IOException {
        return train(netConfig, data, cfg, checkpoint, resume, provenance, out, cfg.steps());
    }

    /** As above, stopping (as if killed) after {@code stopAt} steps: for testing resumption. */
    static ValueNet train(ValueNet.Config netConfig, Data data, Config cfg, Path checkpoint, boolean resume,
                          Map<String, String> provenance, PrintStream out, long stopAt) throws IOException {
        ValueNet net;
        long start = 0;
        AdamW opt;
        if (resume && Files.exists(checkpoint)) {
            net = ValueNet.load(checkpoint);
            if (!net.config().equals(netConfig)) throw new IllegalArgumentException(checkpoint + " holds a value net " + net.config() + ", not " + netConfig);
            Safetensors.Checkpoint ck = Safetensors.read(checkpoint);
            start = Long.parseLong(ck.metadata().getOrDefault("train.step", "0"));
            opt = new AdamW(net.parameters(), AdamW.Config.defaults(cfg.lr()));
            Map<String, Tensor> state = new LinkedHashMap<>();
            ck.tensors().forEach((k, v) -> {
                if (k.startsWith("opt.")) state.put(k.substring(4), v);
            });
            opt.loadState(state, start);
            out.printf("resuming %s from step %d of %d%n", checkpoint, start, cfg.steps());
        } else {
            net = new ValueNet(netConfig, Init.of(new Rng(cfg.seed())));
            double[] y = data.labels();
            double mean = Arrays.stream(y).average().orElse(0);
            double std = Math.sqrt(Arrays.stream(y).map(v -> (v - mean) * (v - mean)).average().orElse(1));
            net.setLabelScale(mean, std > 1e-8 ? std : 1);
            opt = new AdamW(net.parameters(), AdamW.Config.defaults(cfg.lr()));
        }
        out.printf("value net: %,d parameters, %,d training rows, batch %d%n", net.numParameters(), data.count(), cfg.batch());
        CosineSchedule schedule = new CosineSchedule(cfg.lr(), cfg.lr() * 0.05, Math.max(1, cfg.steps() / 20), cfg.steps());
        Progress bar = new Progress(out, "train-value", start, cfg.steps());
        double avg = Double.NaN;
        net.train();
        for (long step = start; step < Math.min(cfg.steps(), stopAt); step++) {
            Rng rng = new Rng(cfg.seed() * 1_000_003L + step);
            int[] rows = new int[cfg.batch()];
            for (int i = 0; i < rows.length; i++) rows[i] = rng.nextInt(data.count());
            Batch b = data.batch(rows, rng);
            net.zeroGrad();
            Tensor target = Tensor.of(standardize(b.labels(), net), rows.length);
            Tensor loss = F.mse(net.standardized(b.inputs(), b.times()), target);
            loss.backward();
            GradClip.clipByGlobalNorm(net.parameters(), 1.0);
            opt.update(schedule.lr(step));
            double l = loss.item();
            if (!Double.isFinite(l)) throw new IllegalStateException("value loss became " + l + " at step " + step + "; lower --lr");
            avg = Double.isNaN(avg) ? l : 0.98 * avg + 0.02 * l;
            bar.update(step + 1, String.format("mse %.4f (of label variance 1)", avg));
            if ((step + 1) % cfg.checkpointEvery() == 0 || step + 1 == cfg.steps()) {
                Map<String, String> meta = new LinkedHashMap<>(provenance);
                meta.put("train.step", Long.toString(step + 1));
                meta.put("train.config", cfg.toString());
                net.save(checkpoint, meta, opt.state());
            }
        }
        net.eval();
        return net;
    }

    private static float[] standardize(double[] y, ValueNet net) {
        float[] out = new float[y.length];
        double mean = net.labelMean(), std = net.labelStd();
        for (int i = 0; i < y.length; i++) out[i] = (float) ((y[i] - mean) / std);
        return out;
    }

    /** Pearson correlation of the net's values with the labels on a batch: how much of the reward it explains. */
    public static double correlation(ValueNet net, Batch b) {
        double[] v = Grad.noGrad(() -> net.forward(b.inputs(), b.times())).toDoubleArray();
        return KmerStats.pearson(v, b.labels());
    }
}

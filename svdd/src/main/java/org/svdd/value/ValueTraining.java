package org.svdd.value;

import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.Progress;
import org.svdd.diffusion.train.TrainingLoop;
import org.svdd.eval.KmerStats;
import org.svdd.reward.Reward;
import org.svdd.tensor.Backend;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.nn.Module;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training the SVDD-MC value network by regression in the {@link TrainingLoop}: minimise (v_phi(x_t, t) - r(x0))^2
 * over states x_t labelled with the reward of their own clean sample. Two data sources: {@link #rollouts} of the
 * pre-trained sampler (every intermediate state of a trajectory gets that trajectory's final reward; the DNA code's
 * choice) and forward-noised data (x_t = q(x_t | x0) of real x0; the image code's choice), the latter built by the
 * caller as a {@link Data}.
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

        /** The rows as a batch on {@code backend} (the net's). */
        Batch batch(Backend backend, int[] rows, Rng rng);
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
            loop(steps, batch, lr, checkpointEvery, seed);                                    // checks them
        }

        /**
         * The loop's settings: warm-up max(1, steps / 20), the cosine's floor at 5% of lr, AdamW's weight decay 0.01,
         * clipping at norm 1 and the step seed seed · 1,000,003 + s.
         */
        public TrainingLoop.Config loop() {
            return loop(steps, batch, lr, checkpointEvery, seed);
        }

        private static TrainingLoop.Config loop(int steps, int batch, double lr, int checkpointEvery, long seed) {
            return new TrainingLoop.Config(steps, batch, lr, Math.max(1, steps / 20), 0.05, 0.01, 1.0, checkpointEvery, seed, TrainingLoop.StepSeed.PRIME);
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
            public Batch batch(Backend backend, int[] rows, Rng unused) {
                float[] s = new float[rows.length * rowSize], t = new float[rows.length];
                double[] y = new double[rows.length];
                for (int k = 0; k < rows.length; k++) {
                    System.arraycopy(states, rows[k] * rowSize, s, k * rowSize, rowSize);
                    t[k] = times[rows[k]];
                    y[k] = labels[rows[k]];
                }
                Tensor in;
                if (net.domain() == ValueNet.Domain.IMAGE) {
                    in = backend.upload(HostStorage.of(s), rows.length, net.channels(), net.size(), net.size());
                } else {
                    long[] ids = new long[s.length];
                    for (int k = 0; k < s.length; k++) ids[k] = (long) s[k];
                    in = ValueNet.input(net, backend.upload(HostStorage.of(ids), rows.length, net.size()));
                }
                return new Batch(in, backend.upload(HostStorage.of(t), rows.length), y);
            }
        };
    }

    private static float[] toFloats(int[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = a[i];
        return f;
    }

    /** Trains (or resumes) a value network on {@code backend}; the checkpoint is rewritten atomically every checkpointEvery steps. */
    public static ValueNet train(Backend backend, ValueNet.Config netConfig, Data data, Config cfg, Path checkpoint, boolean resume,
                                 Map<String, String> provenance, PrintStream out) throws IOException {
        return train(backend, netConfig, data, cfg, checkpoint, resume, provenance, out, cfg.steps());
    }

    /** As above, stopping (as if killed) after {@code stopAt} steps: for testing resumption. */
    static ValueNet train(Backend backend, ValueNet.Config netConfig, Data data, Config cfg, Path checkpoint, boolean resume,
                          Map<String, String> provenance, PrintStream out, long stopAt) throws IOException {
        return TrainingLoop.train(backend, cfg.loop(), (init, from) -> {
            if (from == null) {
                ValueNet net = new ValueNet(netConfig, init);
                double[] y = data.labels();
                double mean = Arrays.stream(y).average().orElse(0);
                double std = Math.sqrt(Arrays.stream(y).map(v -> (v - mean) * (v - mean)).average().orElse(1));
                net.setLabelScale(mean, std > 1e-8 ? std : 1);
                return new Regression(net, data, cfg, checkpoint, provenance);
            }
            ValueNet net = ValueNet.load(checkpoint, backend);
            if (!net.config().equals(netConfig)) throw new IllegalArgumentException(checkpoint + " holds a value net " + net.config() + ", not " + netConfig);
            return new Regression(net, data, cfg, checkpoint, provenance);
        }, checkpoint, resume, out, stopAt).net();
    }

    /** The squared error of the standardised value against the standardised label; the checkpoint keeps the provenance. */
    private record Regression(ValueNet net, Data data, Config cfg, Path file, Map<String, String> provenance) implements TrainingLoop.Run {
        @Override
        public Module module() {
            return net;
        }

        @Override
        public int count() {
            return data.count();
        }

        @Override
        public Tensor loss(int[] rows, Rng rng) {
            Batch b = data.batch(net.backend(), rows, rng);
            Tensor target = net.backend().upload(HostStorage.of(standardize(b.labels(), net)), rows.length);
            return F.mse(net.standardized(b.inputs(), b.times()), target);
        }

        @Override
        public String label() {
            return "train-value";
        }

        @Override
        public String progress(double smoothedLoss) {
            return String.format("mse %.4f (of label variance 1)", smoothedLoss);
        }

        @Override
        public String summary() {
            return String.format("value net: %,d parameters, %,d training rows, batch %d", net.numParameters(), data.count(), cfg.batch());
        }

        @Override
        public void save(long step, Map<String, Tensor> optimizer, boolean last) throws IOException {
            Map<String, String> meta = new LinkedHashMap<>(provenance);
            meta.putAll(TrainingLoop.metadata(step, cfg));
            net.save(file, meta, optimizer);
        }
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

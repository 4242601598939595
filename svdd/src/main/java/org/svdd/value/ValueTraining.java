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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Training the SVDD-MC value network by regression in the {@link TrainingLoop}: minimise (v_phi(x_t, t) - r(x0))^2
 * over states x_t labelled with the reward of their own clean sample. Two data sources: {@link #rollouts} of the
 * pre-trained sampler, or of SVDD-MC guided by an earlier net (every intermediate state of a trajectory gets that
 * trajectory's final reward; the DNA code's choice), and forward-noised data (x_t = q(x_t | x0) of real x0; the image
 * code's choice), the latter built by the caller as a {@link Data}. {@link #heldOut} checks a value on held-out
 * trajectories, per noise level.
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
     * Labelled trajectories: {@code trajectories x steps} states, row {@code k · steps + i} being trajectory k's state
     * after reverse step i (images as pixels, tokens as ids), its noise level t and the reward r(x0) of the
     * trajectory's end. {@link #plus} appends another set (online rounds aggregate their rollouts), and
     * {@link #rows} views a subset of trajectories as training {@link Data}.
     */
    public record Rollouts(ValueNet.Config net, int steps, float[] states, float[] times, double[] labels) {
        public Rollouts {
            if (times.length != labels.length || times.length % steps != 0 || states.length != (long) times.length * rowSize(net))
                throw new IllegalArgumentException("rollouts of " + steps + " steps: " + times.length + " times, " + labels.length + " labels, " + states.length + " state values");
        }

        public int trajectories() {
            return times.length / steps;
        }

        /** These trajectories followed by {@code other}'s (same net input and steps). */
        public Rollouts plus(Rollouts other) {
            if (!other.net.equals(net) || other.steps != steps) throw new IllegalArgumentException("cannot join rollouts of " + other.steps + " steps with " + steps);
            return new Rollouts(net, steps, concat(states, other.states), concat(times, other.times), concat(labels, other.labels));
        }

        /**
         * Whether trajectory k is held out when a fraction {@code holdout} is: k is held out where floor((k + 1) h)
         * passes an integer, so held-out trajectories are spread evenly over the set (and over the online rounds).
         */
        public static boolean heldOut(int k, double holdout) {
            return Math.floor((k + 1) * holdout) > Math.floor(k * holdout);
        }

        /** The states of the trajectories that {@code keep} accepts, as regression data. */
        public Data rows(IntPredicate keep) {
            int[] rows = IntStream.range(0, labels.length).filter(r -> keep.test(r / steps)).toArray();
            double[] y = new double[rows.length];
            for (int k = 0; k < rows.length; k++) y[k] = labels[rows[k]];
            return new Data() {
                @Override
                public int count() {
                    return rows.length;
                }

                @Override
                public double[] labels() {
                    return y;
                }

                @Override
                public Batch batch(Backend backend, int[] picked, Rng unused) {
                    int[] at = new int[picked.length];
                    float[] t = new float[picked.length];
                    double[] yb = new double[picked.length];
                    for (int k = 0; k < picked.length; k++) {
                        at[k] = rows[picked[k]];
                        t[k] = times[at[k]];
                        yb[k] = labels[at[k]];
                    }
                    return new Batch(ValueNet.input(net, states(backend, at)), backend.upload(HostStorage.of(t), picked.length), yb);
                }
            };
        }

        /** The states of these rows as the sampler holds them: images (B, C, H, W), token ids (B, L). */
        public Tensor states(Backend backend, int[] rows) {
            int rowSize = rowSize(net);
            if (net.domain() == ValueNet.Domain.IMAGE) {
                float[] s = new float[rows.length * rowSize];
                for (int k = 0; k < rows.length; k++) System.arraycopy(states, rows[k] * rowSize, s, k * rowSize, rowSize);
                return backend.upload(HostStorage.of(s), rows.length, net.channels(), net.size(), net.size());
            }
            long[] ids = new long[rows.length * rowSize];
            for (int k = 0; k < ids.length; k++) ids[k] = (long) states[rows[k / rowSize] * rowSize + k % rowSize];
            return backend.upload(HostStorage.of(ids), rows.length, net.size());
        }

        /** Every trajectory as regression data. */
        public Data all() {
            return rows(k -> true);
        }

        private static int rowSize(ValueNet.Config net) {
            return net.domain() == ValueNet.Domain.IMAGE ? net.channels() * net.size() * net.size() : net.size();
        }
    }

    /**
     * n trajectories (in chunks of {@code chunk}) with every state after each reverse step kept and labelled with
     * r(x0) of its trajectory: n · steps rows. With {@code guide} null they are the pre-trained sampler's; with a
     * value net they are SVDD-MC's with M = {@code m} and argmax selection, the states that sampler visits (the online
     * rounds of {@code train-value}: a value net fitted only to pre-trained states is asked about states it never saw).
     */
    public static Rollouts rollouts(Proposal p, Reward reward, ValueNet.Config net, int n, int chunk, ValueNet guide, int m, Rng rng, PrintStream out) {
        if (guide != null && m < 1) throw new IllegalArgumentException("M must be >= 1, got " + m);
        int steps = p.steps();
        int rowSize = Rollouts.rowSize(net);
        float[] states = new float[n * steps * rowSize];
        float[] times = new float[n * steps];
        double[] labels = new double[n * steps];
        Progress bar = new Progress(out, guide == null ? "rollouts" : "svdd-mc rollouts", 0, n);
        for (int done = 0; done < n; done += chunk) {
            int b = Math.min(chunk, n - done);
            Tensor x = p.prior(b, rng);
            for (int i = 0; i < steps; i++) {
                Tensor xi = p.prepare(x, i).sample(guide == null ? 1 : m, rng);                      // (b·M, ...)
                if (guide != null && m > 1) xi = Proposal.rows(xi, argmaxPerChain(guide.values(xi, p.timeAfter(i)), b, m));
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
        return new Rollouts(net, steps, states, times, labels);
    }

    /** Pre-trained rollouts: {@link #rollouts(Proposal, Reward, ValueNet.Config, int, int, ValueNet, int, Rng, PrintStream)} without a guide. */
    public static Rollouts rollouts(Proposal p, Reward reward, ValueNet.Config net, int n, int chunk, Rng rng, PrintStream out) {
        return rollouts(p, reward, net, n, chunk, null, 1, rng, out);
    }

    /** Per chain b of v's b · m rows, the row of its largest value (the first on ties). */
    private static int[] argmaxPerChain(double[] v, int chains, int m) {
        int[] keep = new int[chains];
        for (int b = 0; b < chains; b++) {
            int best = b * m;
            for (int j = 1; j < m; j++) if (v[b * m + j] > v[best]) best = b * m + j;
            keep[b] = best;
        }
        return keep;
    }

    /**
     * The held-out check of a value net: the correlation of v(x_t, t) with r(x0) on the held-out trajectories of
     * {@code data}, per noise level (the steps split into {@code bins} equal ranges, the noisiest first) and over all
     * of them. A state's label is one trajectory's reward, so even the true value E[r(x0) | x_t] correlates with it
     * less at high noise: compare methods' value nets by these numbers, not with 1.
     */
    public record HeldOut(int trajectories, double[] tFrom, double[] tTo, double[] perLevel, double overall) {
        public String describe() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%.3f over %d held-out trajectories; by noise level:", overall, trajectories));
            for (int k = 0; k < perLevel.length; k++)
                sb.append(String.format(Locale.ROOT, " t %.2f-%.2f %.3f%s", tFrom[k], tTo[k], perLevel[k], k + 1 < perLevel.length ? "," : ""));
            return sb.toString();
        }
    }

    /** A value of states reached by reverse step {@code step}, one number a row: a value net, or SVDD-PM's r(x0_hat). */
    @FunctionalInterface
    public interface StateValue {
        double[] values(Tensor states, int step);
    }

    /** The value net as a {@link StateValue}: v(x, t) at the noise level after reverse step i of p. */
    public static StateValue of(ValueNet net, Proposal p) {
        return (states, step) -> net.values(states, p.timeAfter(step));
    }

    /** SVDD-PM's value as a {@link StateValue}, the yardstick of a value net: the reward of the denoiser's x0 prediction. */
    public static StateValue posteriorMean(Proposal p, Reward reward) {
        return (states, step) -> reward.score(Grad.noGrad(() -> p.predict(states, step).x0()));
    }

    /** The {@link HeldOut} check of {@code value} on the held-out trajectories of {@code data} (states on {@code backend}). */
    public static HeldOut heldOut(StateValue value, Backend backend, Rollouts data, double holdout, int bins) {
        int steps = data.steps(), b = Math.min(bins, steps);
        int[] held = IntStream.range(0, data.trajectories()).filter(k -> Rollouts.heldOut(k, holdout)).toArray();
        if (held.length < 3) throw new IllegalArgumentException("too few held-out trajectories (" + held.length + ") to correlate");
        double[] tFrom = new double[b], tTo = new double[b], per = new double[b];
        List<double[]> allV = new ArrayList<>(), allY = new ArrayList<>();
        for (int bin = 0; bin < b; bin++) {
            int from = bin * steps / b, to = (bin + 1) * steps / b;                                  // steps [from, to)
            double[] v = new double[held.length * (to - from)], y = new double[v.length];
            int k = 0;
            for (int i = from; i < to; i++)
                for (int at = 0; at < held.length; at += 256) {                                   // in batches, whatever the set's size
                    int[] rows = Arrays.stream(held, at, Math.min(held.length, at + 256)).map(traj -> traj * steps).toArray();
                    for (int r = 0; r < rows.length; r++) rows[r] += i;
                    double[] vp = value.values(data.states(backend, rows), i);
                    for (int r = 0; r < rows.length; r++, k++) {
                        v[k] = vp[r];
                        y[k] = data.labels()[rows[r]];
                    }
                }
            tFrom[bin] = data.times()[from];
            tTo[bin] = data.times()[to - 1];
            per[bin] = KmerStats.pearson(v, y);
            allV.add(v);
            allY.add(y);
        }
        return new HeldOut(held.length, tFrom, tTo, per, KmerStats.pearson(flat(allV), flat(allY)));
    }

    private static double[] flat(List<double[]> parts) {
        return parts.stream().flatMapToDouble(Arrays::stream).toArray();
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
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

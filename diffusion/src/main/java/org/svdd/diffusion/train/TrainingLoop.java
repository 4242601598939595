package org.svdd.diffusion.train;

import org.svdd.tensor.Backend;
import org.svdd.tensor.DType;
import org.svdd.tensor.Memory;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.io.CheckpointException;
import org.svdd.tensor.io.Safetensors;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.nn.Module;
import org.svdd.tensor.optim.AdamW;
import org.svdd.tensor.optim.CosineSchedule;
import org.svdd.tensor.optim.GradClip;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one training loop of every trainer: resumption from a checkpoint, AdamW with linear warm-up and cosine decay,
 * gradient clipping by global norm, a stop on a non-finite loss, a smoothed loss beside a {@link Progress} bar and a
 * checkpoint every {@code checkpointEvery} steps and at the end. A trainer supplies only a {@link Run}: its module, the
 * loss of a batch and how its checkpoint is written. Step s draws its batch rows, then any noise of the loss, from one
 * {@link Rng} seeded by ({@code seed}, s) alone, so a resumed run continues exactly as an uninterrupted one would.
 */
public final class TrainingLoop {
    /** The prefix of the optimiser's tensors in a checkpoint. */
    public static final String OPTIMIZER_PREFIX = "opt.";
    /** The metadata key of the number of steps a checkpoint has done. */
    public static final String STEP_KEY = "train.step";

    private TrainingLoop() {
    }

    /** How step s's {@link Rng} is seeded from the run's seed: seed · multiplier + s. */
    public enum StepSeed {
        /** Multiplier 0x9E3779B97F4A7C15 (2^64 / golden ratio): the diffusion and classifier trainers. */
        GOLDEN_RATIO(0x9E3779B97F4A7C15L),
        /** Multiplier 1,000,003: the value-net trainer. */
        PRIME(1_000_003L);

        private final long multiplier;

        StepSeed(long multiplier) {
            this.multiplier = multiplier;
        }

        /** The generator of the 0-based step. */
        public Rng rng(long seed, long step) {
            return new Rng(seed * multiplier + step);
        }
    }

    /**
     * The settings of the loop.
     *
     * @param steps           optimiser steps in all
     * @param batch           rows per step, drawn uniformly with replacement
     * @param peakLr          learning rate at the end of warm-up
     * @param warmupSteps     steps of the linear ramp (at most {@code steps} are used)
     * @param floorFraction   the cosine decays to peakLr · floorFraction at the last step
     * @param weightDecay     AdamW's decoupled weight decay (betas 0.9, 0.999, eps 1e-8)
     * @param clip            largest global norm of the gradient
     * @param checkpointEvery steps between checkpoints (one is also written after the last step)
     * @param seed            seed of the initialisation and of every step
     * @param stepSeed        how step s's generator comes from the seed
     */
    public record Config(int steps, int batch, double peakLr, int warmupSteps, double floorFraction, double weightDecay, double clip, int checkpointEvery,
                         long seed, StepSeed stepSeed) {
        public Config {
            if (steps < 1 || batch < 1 || !(peakLr > 0) || warmupSteps < 0 || !(floorFraction >= 0 && floorFraction <= 1) || !(weightDecay >= 0)
                    || !(clip > 0) || checkpointEvery < 1 || stepSeed == null) {
                throw new IllegalArgumentException("invalid training config " + this);
            }
        }

        /** Warm-up to peakLr over min(warmupSteps, steps) steps, then cosine decay to peakLr · floorFraction. */
        public CosineSchedule schedule() {
            return new CosineSchedule(peakLr, peakLr * floorFraction, Math.min(warmupSteps, steps), steps);
        }

        AdamW.Config adamW() {
            return new AdamW.Config(peakLr, 0.9, 0.999, 1e-8, weightDecay);
        }
    }

    /** What a trainer supplies: the module under training, the loss of a batch and its checkpoint. */
    public interface Run {
        /** The module whose parameters are trained. */
        Module module();

        /** The number of training rows that batches are drawn from. */
        int count();

        /** The loss of the batch of these rows, with the graph for backward; rng (the step's, after the rows) draws any noise. */
        Tensor loss(int[] rows, Rng rng);

        /** Called after each optimiser update (an EMA follows the weights here). */
        default void afterUpdate() {
        }

        /** The progress bar's label. */
        default String label() {
            return "train";
        }

        /** The text beside the bar, given the smoothed loss. */
        default String progress(double smoothedLoss) {
            return String.format("loss %.4f", smoothedLoss);
        }

        /** The line printed before the first step: the model's size, the data's, the batch. */
        String summary();

        /**
         * Writes the checkpoint after {@code step} steps; optimizer is the AdamW state to store under
         * {@link #OPTIMIZER_PREFIX} for resumption and last says whether this is the final checkpoint.
         */
        void save(long step, Map<String, Tensor> optimizer, boolean last) throws IOException;

        /** Called, in eval mode, instead of training when the checkpoint resumed from has done every step already. */
        default void alreadyTrained() {
        }
    }

    /** Builds the run's model: fresh from init, or restored from the checkpoint {@code from} when it is not null. */
    @FunctionalInterface
    public interface Start<R extends Run> {
        R start(Init init, Safetensors.Checkpoint from) throws IOException;
    }

    /**
     * Trains (or resumes, when {@code checkpoint} exists and resume is set) on {@code backend} and returns the run in
     * eval mode. The initialisation draws from {@code Rng(seed)}; the checkpoint is rewritten atomically every checkpointEvery steps
     * and after the last. {@code stopAt} stops the run (as if killed) once that many steps are done, for testing
     * resumption; {@code Long.MAX_VALUE} runs them all.
     */
    public static <R extends Run> R train(Backend backend, Config cfg, Start<R> start, Path checkpoint, boolean resume, PrintStream out, long stopAt) throws IOException {
        Init init = new Init(backend, DType.F32, new Rng(cfg.seed()));
        R run;
        AdamW opt;
        long first = 0;
        if (resume && Files.exists(checkpoint)) {
            Safetensors.Checkpoint ck = Safetensors.read(checkpoint, backend);
            run = start.start(init, ck);
            opt = new AdamW(run.module().parameters(), cfg.adamW());
            first = Long.parseLong(ck.metadata().getOrDefault(STEP_KEY, "0"));
            if (first >= cfg.steps()) {
                out.printf("%s is already trained (%d of %d steps)%n", checkpoint, first, cfg.steps());
                run.module().eval();
                run.alreadyTrained();
                return run;
            }
            loadOptimizer(opt, checkpoint, ck, first);
            out.printf("resuming %s from step %d of %d%n", checkpoint, first, cfg.steps());
        } else {
            run = start.start(init, null);
            opt = new AdamW(run.module().parameters(), cfg.adamW());
        }
        out.println(run.summary());
        CosineSchedule schedule = cfg.schedule();
        Progress bar = new Progress(out, run.label(), first, cfg.steps());
        Module module = run.module();
        List<Tensor> params = module.parameters();
        Smoothed loss = new Smoothed();
        module.train();
        for (long step = first; step < Math.min(cfg.steps(), stopAt); step++) {
            Rng rng = cfg.stepSeed().rng(cfg.seed(), step);
            int[] rows = new int[cfg.batch()];
            for (int i = 0; i < rows.length; i++) rows[i] = rng.nextInt(run.count());
            double value;
            try (Memory.Scope ignored = Memory.scope()) {   // the step's tensors reuse the last step's memory
                module.zeroGrad();
                Tensor l = run.loss(rows, rng);
                l.backward();
                GradClip.clipByGlobalNorm(params, cfg.clip());
                opt.update(schedule.lr(step));
                run.afterUpdate();
                value = l.item();
            }
            if (!Double.isFinite(value)) throw new IllegalStateException("loss became " + value + " at step " + step + "; lower the learning rate");
            bar.update(step + 1, run.progress(loss.add(value)));
            boolean last = step + 1 == cfg.steps();
            if (last || (step + 1) % cfg.checkpointEvery() == 0) run.save(step + 1, opt.state(), last);
        }
        module.eval();
        return run;
    }

    /** Restores the optimiser of a run resumed at step {@code first} > 0; a checkpoint without its state is an error. */
    private static void loadOptimizer(AdamW opt, Path file, Safetensors.Checkpoint ck, long first) throws CheckpointException {
        Map<String, Tensor> state = strip(ck.tensors(), OPTIMIZER_PREFIX);
        if (state.isEmpty() && first > 0) throw new CheckpointException(file, "no optimiser state ('" + OPTIMIZER_PREFIX + "*') to resume from at step " + first);
        try {
            opt.loadState(state, first);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, e.getMessage());
        }
    }

    /** The checkpoint metadata of a run after {@code step} steps under the trainer's settings: "train.step" and "train.config". */
    public static Map<String, String> metadata(long step, Record settings) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(STEP_KEY, Long.toString(step));
        m.put("train.config", settings.toString());
        return m;
    }

    /** The tensors under their names with prefix added (a checkpoint's "model.", "ema.", "opt."). */
    public static Map<String, Tensor> prefixed(String prefix, Map<String, Tensor> tensors) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        tensors.forEach((k, v) -> m.put(prefix + k, v));
        return m;
    }

    /** The tensors whose names start with prefix, under their names without it: the inverse of {@link #prefixed}. */
    public static Map<String, Tensor> strip(Map<String, Tensor> all, String prefix) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) m.put(k.substring(prefix.length()), v);
        });
        return m;
    }

    /** An exponential moving average, 0.98 · old + 0.02 · new, that starts at its first value: what the bar shows. */
    public static final class Smoothed {
        private double value = Double.NaN;

        /** Adds x and returns the new average. */
        public double add(double x) {
            value = Double.isNaN(value) ? x : 0.98 * value + 0.02 * x;
            return value;
        }

        public double value() {
            return value;
        }
    }
}

package org.svdd.diffusion.train;

import org.svdd.tensor.Backend;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.io.Safetensors;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.nn.Module;
import org.svdd.tensor.optim.Ema;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Training of any {@link DiffusionModel} on its own loss in the {@link TrainingLoop} (AdamW with warm-up and cosine
 * decay, gradient clipping, checkpoints written atomically, exact resumption), with an EMA of the weights: the weights
 * the returned model holds and {@link #export} writes.
 */
public final class Trainer {
    /** The checkpoint's prefixes of the raw weights and of their EMA. */
    private static final String MODEL = "model.", EMA = "ema.";

    /** Training settings (each task's defaults: {@code svdd train --help}). */
    public record Config(int steps, int batch, double lr, int warmup, double emaDecay, double clip, int checkpointEvery, long seed) {
        public Config {
            if (!(emaDecay >= 0 && emaDecay <= 1)) throw new IllegalArgumentException("EMA decay must be in [0, 1], got " + emaDecay);
            loop(steps, batch, lr, warmup, clip, checkpointEvery, seed);                     // checks the rest
        }

        /** The loop's settings: these, the cosine's floor at 5% of lr, AdamW's weight decay 0.01 and the golden-ratio step seed. */
        public TrainingLoop.Config loop() {
            return loop(steps, batch, lr, warmup, clip, checkpointEvery, seed);
        }

        private static TrainingLoop.Config loop(int steps, int batch, double lr, int warmup, double clip, int checkpointEvery, long seed) {
            return new TrainingLoop.Config(steps, batch, lr, warmup, 0.05, 0.01, clip, checkpointEvery, seed, TrainingLoop.StepSeed.GOLDEN_RATIO);
        }
    }

    /** The training data: row i of a (count, ...) data set as a batch source. */
    public interface Data {
        int count();

        /** The rows at these indices as one batch tensor. */
        /** The rows' samples, on {@code backend} (the model's). */
        Tensor batch(Backend backend, int[] rows);
    }

    public static Data images(float[] pixels, int count, int size) {
        int per = size * size;
        return new Data() {
            @Override
        public int count() {
                return count;
            }

            public Tensor batch(Backend backend, int[] rows) {
                float[] b = new float[rows.length * per];
                for (int i = 0; i < rows.length; i++) System.arraycopy(pixels, rows[i] * per, b, i * per, per);
                return backend.upload(HostStorage.of(b), rows.length, 1, size, size);
            }
        };
    }

    public static Data tokens(long[] tokens, int count, int length) {
        return new Data() {
            @Override
        public int count() {
                return count;
            }

            public Tensor batch(Backend backend, int[] rows) {
                long[] b = new long[rows.length * length];
                for (int i = 0; i < rows.length; i++) System.arraycopy(tokens, rows[i] * length, b, i * length, length);
                return backend.upload(HostStorage.of(b), rows.length, length);
            }
        };
    }

    /**
     * Trains (or resumes, when {@code checkpoint} exists and resume is set) on {@code backend} and returns the final model with its EMA
     * weights loaded. The checkpoint at {@code checkpoint} is rewritten every checkpointEvery steps and at the end.
     * {@code fresh} builds the untrained model from the initialiser.
     */
    public static DiffusionModel train(Backend backend, Function<Init, DiffusionModel> fresh, Data data, Config cfg, Path checkpoint, boolean resume, PrintStream out) throws IOException {
        return train(backend, fresh, data, cfg, checkpoint, resume, out, cfg.steps());
    }

    /** As above, but stops (as if killed) once {@code stopAt} steps are done: for testing resumption. */
    static DiffusionModel train(Backend backend, Function<Init, DiffusionModel> fresh, Data data, Config cfg, Path checkpoint, boolean resume, PrintStream out, long stopAt) throws IOException {
        Denoising run = TrainingLoop.train(backend, cfg.loop(), (init, from) -> {
            if (from == null) return new Denoising(fresh.apply(init), data, cfg, checkpoint);
            DiffusionModel model = DiffusionModel.fromMetadata(checkpoint, from.metadata(), init);
            model.module().loadState(TrainingLoop.strip(from.tensors(), MODEL));
            Denoising resumed = new Denoising(model, data, cfg, checkpoint);
            resumed.ema().load(TrainingLoop.strip(from.tensors(), EMA));
            return resumed;
        }, checkpoint, resume, out, stopAt);
        run.model().module().loadState(run.ema().shadow());
        run.model().module().eval();
        return run.model();
    }

    /** A diffusion model trained on its own loss, with an EMA of its weights; the checkpoint holds weights, EMA and optimiser. */
    private record Denoising(DiffusionModel model, Ema ema, Data data, Config cfg, Path file) implements TrainingLoop.Run {
        Denoising(DiffusionModel model, Data data, Config cfg, Path file) {
            this(model, new Ema(model.module(), cfg.emaDecay()), data, cfg, file);
        }

        @Override
        public Module module() {
            return model.module();
        }

        @Override
        public int count() {
            return data.count();
        }

        @Override
        public Tensor loss(int[] rows, Rng rng) {
            return model.loss(data.batch(model.module().backend(), rows), rng);
        }

        @Override
        public void afterUpdate() {
            ema.update(model.module());
        }

        @Override
        public String summary() {
            return String.format("%s: %,d parameters, %d training rows, batch %d", model.kind(), model.module().numParameters(), data.count(), cfg.batch());
        }

        @Override
        public void save(long step, Map<String, Tensor> optimizer, boolean last) throws IOException {
            Map<String, Tensor> t = TrainingLoop.prefixed(MODEL, model.module().namedParameters());
            t.putAll(TrainingLoop.prefixed(EMA, ema.shadow()));
            t.putAll(TrainingLoop.prefixed(TrainingLoop.OPTIMIZER_PREFIX, optimizer));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("kind", model.kind().name());
            meta.putAll(model.metadata());
            meta.putAll(TrainingLoop.metadata(step, cfg));
            Safetensors.write(file, t, meta);
        }
    }

    /** Writes only the EMA weights and metadata: the small file that is committed and loaded by the demo. */
    public static void export(Path file, DiffusionModel model) throws IOException {
        Map<String, Tensor> t = TrainingLoop.prefixed(EMA, model.module().namedParameters());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("kind", model.kind().name());
        meta.putAll(model.metadata());
        Safetensors.write(file, t, meta);
    }
}

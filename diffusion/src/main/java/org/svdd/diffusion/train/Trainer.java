package org.svdd.diffusion.train;

import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.io.Safetensors;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.optim.AdamW;
import org.svdd.tensor.optim.CosineSchedule;
import org.svdd.tensor.optim.Ema;
import org.svdd.tensor.optim.GradClip;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The training loop for any {@link DiffusionModel}: AdamW with warm-up and cosine decay, gradient clipping, EMA,
 * a checkpoint every {@code checkpointEvery} steps (written atomically) and resumption from it. Step s draws its batch
 * and noise from {@code Rng(seed, s)}, so a resumed run continues exactly as an uninterrupted one would.
 */
public final class Trainer {
    /** Training settings; every field has a default in {@link #defaults}. */
    public record Config(int steps, int batch, double lr, int warmup, double emaDecay, double clip, int checkpointEvery, long seed) {
        public Config {
            if (steps < 1 || batch < 1 || lr <= 0 || warmup < 0 || checkpointEvery < 1) throw new IllegalArgumentException("invalid training config " + this);
            if (!(emaDecay >= 0 && emaDecay <= 1)) throw new IllegalArgumentException("EMA decay must be in [0, 1], got " + emaDecay);
        }

        /** Per task; the DNA default (3,000 steps) trains in about 28 minutes on 2 CPU cores (models/README.md). */
        public static Config defaults(ModelKind kind) {
            return switch (kind) {
                case FASHION_UNET -> new Config(4000, 64, 2e-3, 200, 0.995, 1.0, 250, 1);
                case DNA_TRANSFORMER -> new Config(3000, 64, 1e-3, 200, 0.995, 1.0, 250, 1);
                case SMILES_TRANSFORMER -> new Config(5500, 32, 2e-3, 100, 0.995, 1.0, 100, 1);
            };
        }
    }

    /** The training data: row i of a (count, ...) data set as a batch source. */
    public interface Data {
        int count();

        /** The rows at these indices as one batch tensor. */
        Tensor batch(int[] rows);
    }

    public static Data images(float[] pixels, int count, int size) {
        int per = size * size;
        return new Data() {
            public int count() {
                return count;
            }

            public Tensor batch(int[] rows) {
                float[] b = new float[rows.length * per];
                for (int i = 0; i < rows.length; i++) System.arraycopy(pixels, rows[i] * per, b, i * per, per);
                return Tensor.of(b, rows.length, 1, size, size);
            }
        };
    }

    public static Data tokens(long[] tokens, int count, int length) {
        return new Data() {
            public int count() {
                return count;
            }

            public Tensor batch(int[] rows) {
                long[] b = new long[rows.length * length];
                for (int i = 0; i < rows.length; i++) System.arraycopy(tokens, rows[i] * length, b, i * length, length);
                return Tensor.ofLongs(b, rows.length, length);
            }
        };
    }

    private static Rng stepRng(long seed, long step) {
        return new Rng(seed * 0x9E3779B97F4A7C15L + step);
    }

    /**
     * Trains (or resumes, when {@code checkpoint} exists and resume is set) and returns the final model with its EMA
     * weights loaded. The checkpoint at {@code checkpoint} is rewritten every checkpointEvery steps and at the end.
     */
    public static DiffusionModel train(ModelKind kind, Data data, Config cfg, Path checkpoint, boolean resume, PrintStream out) throws IOException {
        return train(kind, data, cfg, checkpoint, resume, out, cfg.steps());
    }

    /** As above, for models whose shape depends on the data (SMILES): {@code fresh} builds the untrained model. */
    public static DiffusionModel train(Function<Init, DiffusionModel> fresh, Data data, Config cfg, Path checkpoint, boolean resume, PrintStream out) throws IOException {
        return train(fresh, data, cfg, checkpoint, resume, out, cfg.steps());
    }

    /** As above, but stops (as if killed) once {@code stopAt} steps are done: for testing resumption. */
    static DiffusionModel train(ModelKind kind, Data data, Config cfg, Path checkpoint, boolean resume, PrintStream out, long stopAt) throws IOException {
        return train(init -> DiffusionModel.create(kind, init), data, cfg, checkpoint, resume, out, stopAt);
    }

    static DiffusionModel train(Function<Init, DiffusionModel> fresh, Data data, Config cfg, Path checkpoint, boolean resume, PrintStream out, long stopAt) throws IOException {
        DiffusionModel model;
        long start = 0;
        AdamW opt;
        Ema ema;
        if (resume && Files.exists(checkpoint)) {
            Safetensors.Checkpoint ck = Safetensors.read(checkpoint);
            model = DiffusionModel.fromMetadata(checkpoint, ck.metadata(), Init.of(new Rng(cfg.seed())));
            model.module().loadState(strip(ck.tensors(), "model."));
            opt = new AdamW(model.module().parameters(), AdamW.Config.defaults(cfg.lr()));
            start = Long.parseLong(ck.metadata().getOrDefault("train.step", "0"));
            opt.loadState(strip(ck.tensors(), "opt."), start);
            ema = new Ema(model.module(), cfg.emaDecay());
            ema.load(strip(ck.tensors(), "ema."));
            out.printf("resuming %s from step %d of %d%n", checkpoint, start, cfg.steps());
        } else {
            model = fresh.apply(Init.of(new Rng(cfg.seed())));
            opt = new AdamW(model.module().parameters(), AdamW.Config.defaults(cfg.lr()));
            ema = new Ema(model.module(), cfg.emaDecay());
        }
        out.printf("%s: %,d parameters, %d training rows, batch %d%n", model.kind(), model.module().numParameters(), data.count(), cfg.batch());
        CosineSchedule schedule = new CosineSchedule(cfg.lr(), cfg.lr() * 0.05, Math.min(cfg.warmup(), cfg.steps()), cfg.steps());
        Progress bar = new Progress(out, "train", start, cfg.steps());
        List<Tensor> params = model.module().parameters();
        double avg = Double.NaN;
        model.module().train();
        for (long step = start; step < Math.min(cfg.steps(), stopAt); step++) {
            Rng rng = stepRng(cfg.seed(), step);
            int[] rows = new int[cfg.batch()];
            for (int i = 0; i < rows.length; i++) rows[i] = rng.nextInt(data.count());
            model.module().zeroGrad();
            Tensor loss = model.loss(data.batch(rows), rng);
            loss.backward();
            GradClip.clipByGlobalNorm(params, cfg.clip());
            opt.update(schedule.lr(step));
            ema.update(model.module());
            double l = loss.item();
            if (!Double.isFinite(l)) throw new IllegalStateException("loss became " + l + " at step " + step + "; lower the learning rate");
            avg = Double.isNaN(avg) ? l : 0.98 * avg + 0.02 * l;
            bar.update(step + 1, String.format("loss %.4f", avg));
            if ((step + 1) % cfg.checkpointEvery() == 0 || step + 1 == cfg.steps()) save(checkpoint, model, opt, ema, step + 1, cfg);
        }
        model.module().loadState(ema.shadow());
        model.module().eval();
        return model;
    }

    /** The tensors whose names start with prefix, under their names without it (a checkpoint's "model.", "ema.", "opt."). */
    static Map<String, Tensor> strip(Map<String, Tensor> all, String prefix) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) m.put(k.substring(prefix.length()), v);
        });
        return m;
    }

    static void save(Path file, DiffusionModel model, AdamW opt, Ema ema, long step, Config cfg) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        model.module().namedParameters().forEach((k, v) -> t.put("model." + k, v));
        ema.shadow().forEach((k, v) -> t.put("ema." + k, v));
        opt.state().forEach((k, v) -> t.put("opt." + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("kind", model.kind().name());
        meta.putAll(model.metadata());
        meta.put("train.step", Long.toString(step));
        meta.put("train.config", cfg.toString());
        Safetensors.write(file, t, meta);
    }

    /** Writes only the EMA weights and metadata: the small file that is committed and loaded by the demo. */
    public static void export(Path file, DiffusionModel model) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        model.module().namedParameters().forEach((k, v) -> t.put("ema." + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("kind", model.kind().name());
        meta.putAll(model.metadata());
        Safetensors.write(file, t, meta);
    }
}

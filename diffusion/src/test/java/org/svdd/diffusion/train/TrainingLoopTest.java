package org.svdd.diffusion.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.tensor.Backends;
import org.svdd.tensor.F;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.io.CheckpointException;
import org.svdd.tensor.io.Safetensors;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.nn.Linear;
import org.svdd.tensor.nn.Module;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop on a one-weight regression y = 2x: its schedule, resumption and the stops it makes. */
class TrainingLoopTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final TrainingLoop.Config CFG = new TrainingLoop.Config(6, 4, 0.1, 2, 0.1, 0.0, 1.0, 2, 3, TrainingLoop.StepSeed.GOLDEN_RATIO);

    @TempDir
    Path dir;

    /** y = w x on x ~ N(0, 1), target 2x (times scale: NaN makes the loss non-finite); the checkpoint holds "w." and "opt.". */
    private record Line(Linear f, Path file, double scale, int[] finishedCalls) implements TrainingLoop.Run {
        @Override
        public Module module() {
            return f;
        }

        @Override
        public int count() {
            return 10;
        }

        @Override
        public Tensor loss(int[] rows, Rng rng) {
            float[] x = new float[rows.length], y = new float[rows.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.normal();
                y[i] = (float) (2 * scale * x[i]);
            }
            return F.mse(f.forward(Tensor.of(x, x.length, 1)), Tensor.of(y, y.length, 1));
        }

        @Override
        public String summary() {
            return "line";
        }

        @Override
        public void save(long step, Map<String, Tensor> optimizer, boolean last) throws IOException {
            Map<String, Tensor> t = TrainingLoop.prefixed("w.", f.namedParameters());
            t.putAll(TrainingLoop.prefixed(TrainingLoop.OPTIMIZER_PREFIX, optimizer));
            Safetensors.write(file, t, TrainingLoop.metadata(step, CFG));
        }

        @Override
        public void alreadyTrained() {
            finishedCalls[0]++;
        }
    }

    private Line train(Path file, double scale, boolean resume, PrintStream out, long stopAt) throws IOException {
        return TrainingLoop.train(Backends.current(), CFG, (init, from) -> {
            Line l = new Line(new Linear(1, 1, false, init), file, scale, new int[1]);
            if (from != null) l.f().loadState(TrainingLoop.strip(from.tensors(), "w."));
            return l;
        }, file, resume, out, stopAt);
    }

    @Test
    void theScheduleWarmsUpThenDecaysToItsFloor() {
        assertEquals(0.05, CFG.schedule().lr(0), 1e-15);
        assertEquals(0.1, CFG.schedule().lr(1), 1e-15);
        assertEquals(0.01, CFG.schedule().lr(6), 1e-15);
        TrainingLoop.Config longWarmup = new TrainingLoop.Config(3, 1, 1, 10, 0, 0, 1, 1, 0, TrainingLoop.StepSeed.PRIME);
        assertEquals(3, longWarmup.schedule().warmupSteps());
        assertEquals(new Rng(7 * 1_000_003L + 2).nextLong(), TrainingLoop.StepSeed.PRIME.rng(7, 2).nextLong());
    }

    @Test
    void aKilledRunResumesToTheSameWeightsAndAFinishedOneIsNotTrainedAgain() throws IOException {
        Line whole = train(dir.resolve("whole.safetensors"), 1, false, QUIET, Long.MAX_VALUE);
        train(dir.resolve("killed.safetensors"), 1, false, QUIET, 3);                          // checkpoint at 2
        Line resumed = train(dir.resolve("killed.safetensors"), 1, true, QUIET, Long.MAX_VALUE);
        assertArrayEquals(whole.f().weight().toFloatArray(), resumed.f().weight().toFloatArray());
        float before = new Linear(1, 1, false, Init.of(new Rng(CFG.seed()))).weight().toFloatArray()[0], after = whole.f().weight().toFloatArray()[0];
        assertTrue(Math.abs(after - 2) < Math.abs(before - 2) - 0.3, "w went from " + before + " to " + after + ", not towards 2");

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Line again = train(dir.resolve("whole.safetensors"), 1, true, new PrintStream(log), Long.MAX_VALUE);
        assertTrue(log.toString().contains("already trained (6 of 6 steps)"), log.toString());
        assertEquals(1, again.finishedCalls()[0]);
        assertArrayEquals(whole.f().weight().toFloatArray(), again.f().weight().toFloatArray());
    }

    @Test
    void aCheckpointWithoutOptimiserStateIsAClearError() throws IOException {
        Path file = dir.resolve("weights-only.safetensors");
        Line l = train(file, 1, false, QUIET, 2);
        Safetensors.write(file, TrainingLoop.prefixed("w.", l.f().namedParameters()), TrainingLoop.metadata(2, CFG));
        CheckpointException e = assertThrows(CheckpointException.class, () -> train(file, 1, true, QUIET, Long.MAX_VALUE));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("opt."), e.getMessage());
    }

    @Test
    void aNonFiniteLossStopsTheRunAtItsStep() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> train(dir.resolve("nan.safetensors"), Double.NaN, false, QUIET, Long.MAX_VALUE));
        assertTrue(e.getMessage().contains("at step 0"), e.getMessage());
    }
}

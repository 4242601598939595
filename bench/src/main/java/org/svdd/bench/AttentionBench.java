package org.svdd.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.svdd.kernels.AttentionKernel;
import org.svdd.kernels.Floats;
import org.svdd.kernels.Parallel;

import java.util.concurrent.TimeUnit;

/**
 * JMH: the fused attention kernel, {@link AttentionKernel#forward} on raw arrays, for batch 32, 4 heads, sequence
 * 200, head dim 64 (model width 256), no mask; 1 and 2 threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class AttentionBench {
    private static final int BH = AttentionTiming.BATCH * AttentionTiming.HEADS;
    private static final int S = AttentionTiming.SEQ, D = AttentionTiming.HEAD_DIM;
    private static final AttentionKernel.Dims DIMS = new AttentionKernel.Dims(BH, S, S, D, D);

    @Param({"1", "2"})
    public int threads;

    private float[] q, k, v, out;
    private float scale;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        q = AttentionTiming.gaussian(BH * S * D, 1);
        k = AttentionTiming.gaussian(BH * S * D, 2);
        v = AttentionTiming.gaussian(BH * S * D, 3);
        out = new float[BH * S * D];
        scale = (float) (1 / Math.sqrt(D));
    }

    @Benchmark
    public float[] attention() {
        AttentionKernel.forward(DIMS, Floats.of(q), Floats.of(k), Floats.of(v), null, scale, Floats.of(out));
        return out;
    }
}

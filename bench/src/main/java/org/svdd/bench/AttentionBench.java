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
import org.svdd.kernels.Parallel;
import org.svdd.kernels.VectorBackend;
import org.svdd.tensor.Backend;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import java.util.concurrent.TimeUnit;

/** JMH: F.attention forward on (batch 32, 4 heads, seq 200, head dim 64), i.e. model width 256, on the CPU backend. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class AttentionBench {
    @Param({"1", "2"})
    public int threads;

    private Tensor q, k, v;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        Backend cpu = new VectorBackend();
        Rng rng = new Rng(0);
        q = rng.randn(cpu, 32, 4, 200, 64);
        k = rng.randn(cpu, 32, 4, 200, 64);
        v = rng.randn(cpu, 32, 4, 200, 64);
    }

    @Benchmark
    public Tensor attention() {
        return Grad.noGrad(() -> F.attention(q, k, v, null, 0.125));
    }
}

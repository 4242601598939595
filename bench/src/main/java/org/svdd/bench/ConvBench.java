package org.svdd.bench;

import java.util.concurrent.TimeUnit;
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
import org.svdd.tensor.Conv2dParams;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

/** JMH: F.conv2d forward, x (64, 32, 32, 32), w (64, 32, 3, 3), padding 1, on the CPU backend; the shape of ConvTiming. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvBench {
    @Param({"1", "2"})
    public int threads;

    private Tensor x;
    private Tensor w;
    private final Conv2dParams params = Conv2dParams.of(1, 1);

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        Backend cpu = new VectorBackend();
        Rng rng = new Rng(0);
        x = rng.randn(cpu, 64, 32, 32, 32);
        w = rng.randn(cpu, 64, 32, 3, 3);
    }

    @Benchmark
    public Tensor conv2d() {
        return Grad.noGrad(() -> F.conv2d(x, w, null, params));
    }
}

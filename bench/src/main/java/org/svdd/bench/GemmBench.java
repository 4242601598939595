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
import org.svdd.kernels.Sgemm;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** JMH: square float32 Sgemm, n x n times n x n, on 1 and 2 threads. GFLOP/s = 2 n^3 / time. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBench {
    @Param({"256", "512", "1024", "2048"})
    public int n;

    @Param({"1", "2"})
    public int threads;

    private float[] a, b, c;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        SplittableRandom r = new SplittableRandom(1);
        a = new float[n * n];
        b = new float[n * n];
        c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextDouble();
            b[i] = (float) r.nextDouble();
        }
    }

    @Benchmark
    public float[] sgemm() {
        Sgemm.sgemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false);
        return c;
    }
}

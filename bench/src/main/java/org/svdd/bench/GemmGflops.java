package org.svdd.bench;

import org.svdd.kernels.Parallel;
import org.svdd.kernels.Sgemm;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Times Sgemm on square matrices, C(n x n) = A(n x n)·B(n x n): {@code GemmGflops <threads> <n>...}. For each n it
 * warms up for about two seconds, then times at least nine runs (and at least two seconds of them) and prints
 * {@code ours n=<n> threads=<t> <GFLOP/s>} from the median run, GFLOP/s = 2 n^3 / seconds / 1e9. Used by
 * bench/gemm_vs_numpy.sh.
 */
public final class GemmGflops {
    private static final long WARMUP_NS = 2_000_000_000L;
    private static final long MEASURE_NS = 2_000_000_000L;
    private static final int MIN_RUNS = 9;

    private GemmGflops() {
    }

    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]);
        Parallel.setThreads(threads);
        for (int i = 1; i < args.length; i++) {
            int n = Integer.parseInt(args[i]);
            System.out.printf("ours n=%d threads=%d %.2f%n", n, threads, gflops(n));
        }
    }

    static double gflops(int n) {
        SplittableRandom r = new SplittableRandom(1);
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextDouble();
            b[i] = (float) r.nextDouble();
        }
        long start = System.nanoTime();
        while (System.nanoTime() - start < WARMUP_NS) multiply(n, a, b, c);
        double[] seconds = new double[16];
        int runs = 0;
        start = System.nanoTime();
        while (runs < MIN_RUNS || System.nanoTime() - start < MEASURE_NS) {
            long t0 = System.nanoTime();
            multiply(n, a, b, c);
            if (runs == seconds.length) seconds = Arrays.copyOf(seconds, 2 * runs);
            seconds[runs++] = (System.nanoTime() - t0) * 1e-9;
        }
        Arrays.sort(seconds, 0, runs);
        return 2.0 * n * n * n / seconds[runs / 2] / 1e9;
    }

    private static void multiply(int n, float[] a, float[] b, float[] c) {
        Sgemm.sgemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false);
    }
}

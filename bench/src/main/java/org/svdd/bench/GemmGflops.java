package org.svdd.bench;

import org.svdd.kernels.Parallel;
import org.svdd.kernels.Sgemm;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Times Sgemm on square n x n matrices: {@code GemmGflops <threads> <n>...}; prints {@code ours n=<n> threads=<t> <GFLOP/s>}
 * as the median of repeated runs after warm-up. Used by bench/gemm_vs_numpy.sh.
 */
public final class GemmGflops {
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
        double flop = 2.0 * n * n * n;
        int runs = Math.max(5, (int) Math.min(50, 2e10 / flop));
        for (int i = 0; i < runs; i++) Sgemm.sgemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false);
        double[] times = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            Sgemm.sgemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false);
            times[i] = (System.nanoTime() - t0) * 1e-9;
        }
        Arrays.sort(times);
        return flop / times[runs / 2] / 1e9;
    }
}

package org.svdd.bench;

import org.svdd.kernels.Parallel;
import org.svdd.kernels.Sgemm;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Times a linear layer's narrow product C(m x n) = X(m x k)·W(n x k)^T, n small (a model's output head), through
 * Sgemm: {@code NarrowGemm <threads> <m> <k> <n>...}. Warms up, then prints {@code ours m=.. k=.. n=.. <ms>}, the median
 * of 15 timings of 10 calls each. The peer of bench/narrow_gemm_vs_numpy.sh.
 */
public final class NarrowGemm {
    private NarrowGemm() {
    }

    public static void main(String[] args) {
        Parallel.setThreads(Integer.parseInt(args[0]));
        int m = Integer.parseInt(args[1]), k = Integer.parseInt(args[2]);
        SplittableRandom r = new SplittableRandom(1);
        float[] x = new float[m * k];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int a = 3; a < args.length; a++) {
            int n = Integer.parseInt(args[a]);
            float[] w = new float[n * k], c = new float[m * n];
            for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
            for (int i = 0; i < 200; i++) Sgemm.sgemm(m, n, k, x, 0, k, 1, w, 0, 1, k, c, 0, n, false);   // B(p, j) = W[j, p]
            long[] t = new long[15];
            for (int rep = 0; rep < t.length; rep++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 10; i++) Sgemm.sgemm(m, n, k, x, 0, k, 1, w, 0, 1, k, c, 0, n, false);
                t[rep] = (System.nanoTime() - t0) / 10;
            }
            Arrays.sort(t);
            System.out.printf("ours m=%d k=%d n=%d %.3f%n", m, k, n, t[t.length / 2] / 1e6);
        }
    }
}

package org.svdd.bench;

import java.util.Arrays;
import org.svdd.kernels.Parallel;
import org.svdd.kernels.Sgemm;
import org.svdd.kernels.VectorBackend;
import org.svdd.tensor.Backend;
import org.svdd.tensor.Conv2dParams;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

/**
 * Times F.conv2d forward on the CPU backend for the shape of {@code torch_peer.py}: x (64, 32, 32, 32),
 * w (64, 32, 3, 3), padding 1. Prints {@code java conv2d <median ms>}, its GFLOP/s, and the GFLOP/s of the bare
 * SGEMM the convolution lowers to (per image (64 x 288) x (288 x 1024)), the ceiling im2col can reach.
 *
 * <p>Usage: {@code ConvTiming [threads] [runs]}, defaults 1 thread and 20 runs after 10 warm-up runs (fewer warm-up
 * runs measure the JIT, not the kernel: 3 gave 24 ms where 10 give 18 ms).
 */
public final class ConvTiming {
    private static final int N = 64, C = 32, O = 64, H = 32, W = 32, K = 3;
    private static final double FLOP = 2.0 * N * O * C * K * K * H * W;

    private ConvTiming() {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Parallel.setThreads(threads);
        Backend cpu = new VectorBackend();
        Rng rng = new Rng(0);
        Tensor x = rng.randn(cpu, N, C, H, W), w = rng.randn(cpu, O, C, K, K);
        Conv2dParams p = Conv2dParams.of(1, 1);
        double conv = medianMs(runs, () -> Grad.noGrad(() -> F.conv2d(x, w, null, p)));
        System.out.printf("java conv2d %.3f%n", conv);
        System.out.printf("java conv2d %.1f GFLOP/s on %d thread(s)%n", FLOP / conv / 1e6, threads);

        int m = O, n = H * W, k = C * K * K;
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        Arrays.fill(a, 0.5f);
        Arrays.fill(b, 0.25f);
        double gemm = medianMs(runs, () -> {
            for (int i = 0; i < N; i++) Sgemm.sgemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, false);
            return c;
        });
        System.out.printf("java sgemm %dx%dx%d x%d %.3f ms, %.1f GFLOP/s (conv reaches %.0f%%)%n",
                m, n, k, N, gemm, FLOP / gemm / 1e6, 100 * gemm / conv);
    }

    /** Median wall time in ms of runs calls after 10 warm-up calls. */
    static double medianMs(int runs, java.util.function.Supplier<?> body) {
        return medianMs(10, runs, body::get);
    }

    /** Median wall time in ms of runs calls after warmup calls. */
    static double medianMs(int warmup, int runs, Runnable body) {
        for (int i = 0; i < warmup; i++) body.run();
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            body.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return runs % 2 == 1 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
    }
}

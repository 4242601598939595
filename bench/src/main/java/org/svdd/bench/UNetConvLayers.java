package org.svdd.bench;

import java.util.Arrays;
import org.svdd.kernels.Conv2dKernel;
import org.svdd.kernels.Parallel;
import org.svdd.tensor.Conv2dParams;
import org.svdd.tensor.Rng;

/**
 * Times every convolution of the small UNet (UNet2D.Config.small(), batch 64) on the CPU kernels, forward, input
 * gradient and weight gradient separately, and prints the median ms and GFLOP/s of each with the layer's count in one
 * training step, then the totals. {@code bench/torch_unet_convs.py} times the same layers in PyTorch (forward, and
 * forward + backward), so the two together show which layers carry the gap of the whole model.
 *
 * <p>Usage: {@code UNetConvLayers [threads] [runs]}, defaults 1 thread and 7 timed runs after 3 warm-up runs per
 * layer; every layer is measured in a second pass over the list, after the JIT has seen all of them.
 */
public final class UNetConvLayers {
    /** (C, H = W, O, kernel, stride, padding, count in one forward pass), batch 64. */
    private static final int[][] LAYERS = {
            {1, 32, 32, 3, 1, 1, 1}, {32, 32, 32, 3, 1, 1, 4}, {32, 32, 32, 3, 2, 1, 1}, {32, 16, 64, 3, 1, 1, 1},
            {64, 16, 64, 3, 1, 1, 4}, {32, 16, 64, 1, 1, 0, 1}, {64, 16, 64, 3, 2, 1, 1}, {64, 8, 64, 3, 1, 1, 8},
            {128, 8, 64, 3, 1, 1, 2}, {128, 8, 64, 1, 1, 0, 2}, {128, 16, 64, 3, 1, 1, 1}, {128, 16, 64, 1, 1, 0, 1},
            {96, 16, 64, 3, 1, 1, 1}, {96, 16, 64, 1, 1, 0, 1}, {64, 32, 64, 3, 1, 1, 1}, {96, 32, 32, 3, 1, 1, 1},
            {96, 32, 32, 1, 1, 0, 1}, {64, 32, 32, 3, 1, 1, 1}, {64, 32, 32, 1, 1, 0, 1}, {32, 32, 1, 3, 1, 1, 1}};
    private static final int N = 64;

    private UNetConvLayers() {
    }

    public static void main(String[] args) {
        Parallel.setThreads(args.length > 0 ? Integer.parseInt(args[0]) : 1);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        for (int pass = 0; pass < 2; pass++) {
            double fwd = 0, in = 0, wt = 0;
            for (int[] l : LAYERS) {
                int c = l[0], h = l[1], o = l[2], k = l[3], count = l[6];
                Conv2dKernel.Geometry g = new Conv2dKernel.Geometry(N, c, h, h, o, k, k, Conv2dParams.of(l[4], l[5]));
                Rng rng = new Rng(1);
                float[] x = random(rng, N * c * h * h), w = random(rng, o * c * k * k), gy = random(rng, N * o * g.p());
                float[] y = new float[gy.length], gx = new float[x.length], gw = new float[w.length];
                double f = ConvTiming.medianMs(3, runs, () -> Conv2dKernel.forward(x, 0, w, 0, y, g));
                double bi = ConvTiming.medianMs(3, runs, () -> {
                    Arrays.fill(gx, 0f);
                    Conv2dKernel.backwardInput(gy, 0, w, 0, gx, g);
                });
                double bw = ConvTiming.medianMs(3, runs, () -> Conv2dKernel.backwardWeight(x, 0, gy, 0, gw, g));
                fwd += count * f;
                in += count * bi;
                wt += count * bw;
                double mflop = 2.0 * N * o * c * k * k * g.p() / 1e6;
                if (pass == 1) {
                    System.out.printf("java conv x(%d,%d,%d,%d) o=%d k=%d s=%d x%d: fwd %.2f ms, input grad %.2f, weight grad %.2f"
                                    + " | GFLOP/s %.0f %.0f %.0f%n", N, c, h, h, o, k, l[4], count, f, bi, bw,
                            mflop / f, mflop / bi, mflop / bw);
                }
            }
            if (pass == 1) System.out.printf("java total (counts applied): fwd %.1f ms, input grad %.1f, weight grad %.1f, all %.1f%n",
                    fwd, in, wt, fwd + in + wt);
        }
    }

    private static float[] random(Rng rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.normal();
        return a;
    }
}

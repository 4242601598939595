package org.svdd.bench;

import org.svdd.kernels.AttentionKernel;
import org.svdd.kernels.Floats;
import org.svdd.kernels.Parallel;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Times the fused attention kernel, {@link AttentionKernel#forward}, on raw arrays for batch 32, 4 heads, sequence
 * 200, head dim 64 (model width 256), no mask, scale 1/8. Usage: {@code AttentionTiming [threads] [runs]}
 * (defaults 1 and 31). After warm-up it prints {@code java attention <median ms>} (the line
 * conv_attention_vs_torch.sh reads) and a comment line with the minimum and the shape.
 */
public final class AttentionTiming {
    static final int BATCH = 32, HEADS = 4, SEQ = 200, HEAD_DIM = 64;

    private AttentionTiming() {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 31;
        Parallel.setThreads(threads);
        int bh = BATCH * HEADS, s = SEQ, t = SEQ, d = HEAD_DIM, e = HEAD_DIM;
        float[] q = gaussian(bh * s * d, 1), k = gaussian(bh * t * d, 2), v = gaussian(bh * t * e, 3);
        float[] out = new float[bh * s * e];
        float scale = (float) (1 / Math.sqrt(d));
        AttentionKernel.Dims dims = new AttentionKernel.Dims(bh, s, t, d, e);
        // warm-up: enough calls for C2 to compile the micro-kernels
        long warmEnd = System.nanoTime() + 2_000_000_000L;
        for (int i = 0; i < 20 || System.nanoTime() < warmEnd; i++) {
            AttentionKernel.forward(dims, Floats.of(q), Floats.of(k), Floats.of(v), null, scale, Floats.of(out));
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            AttentionKernel.forward(dims, Floats.of(q), Floats.of(k), Floats.of(v), null, scale, Floats.of(out));
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf("java attention %.3f%n", ms[runs / 2]);
        System.out.printf("# attention forward: batch %d x heads %d, seq %d, head dim %d, threads %d: median %.3f ms,"
                        + " min %.3f ms over %d runs (%.1f GFLOP/s)%n", BATCH, HEADS, SEQ, HEAD_DIM,
                Parallel.threads(), ms[runs / 2], ms[0], runs, 4.0 * bh * s * t * d / (ms[runs / 2] * 1e6));
    }

    static float[] gaussian(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) gaussian(rnd);
        return x;
    }

    private static double gaussian(SplittableRandom rnd) {
        double u = rnd.nextDouble(), w = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * w);
    }
}

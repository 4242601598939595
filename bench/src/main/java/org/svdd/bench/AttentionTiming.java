package org.svdd.bench;

import org.svdd.kernels.AttentionKernel;
import org.svdd.kernels.Parallel;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Times the fused attention kernel on batch 32, 4 heads, sequence 200, model width 256 (head dim 64):
 * {@code AttentionTiming <threads>} prints {@code ours attention <median ms>}.
 */
public final class AttentionTiming {
    public static void main(String[] args) {
        Parallel.setThreads(args.length > 0 ? Integer.parseInt(args[0]) : 1);
        int bh = 32 * 4, s = 200, d = 64;
        SplittableRandom r = new SplittableRandom(0);
        float[] q = new float[bh * s * d], k = new float[bh * s * d], v = new float[bh * s * d], out = new float[bh * s * d];
        for (float[] a : new float[][]{q, k, v}) for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        float scale = (float) (1 / Math.sqrt(d));
        int runs = 15;
        double[] ms = new double[runs];
        for (int i = 0; i < 5; i++) AttentionKernel.forward(q, 0, k, 0, v, 0, null, out, bh, s, s, d, d, scale);
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            AttentionKernel.forward(q, 0, k, 0, v, 0, null, out, bh, s, s, d, d, scale);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf("ours attention %.3f%n", ms[runs / 2]);
    }
}

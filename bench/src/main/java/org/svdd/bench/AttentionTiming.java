package org.svdd.bench;

import org.svdd.kernels.Parallel;
import org.svdd.kernels.VectorBackend;
import org.svdd.tensor.Backend;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import java.util.Arrays;

/**
 * Times F.attention forward on the CPU backend for batch 32, 4 heads, sequence 200, model width 256 (head dim 64):
 * {@code AttentionTiming <threads>} prints {@code java attention <median ms>}. Used by conv_attention_vs_torch.sh.
 */
public final class AttentionTiming {
    public static void main(String[] args) {
        Parallel.setThreads(args.length > 0 ? Integer.parseInt(args[0]) : 1);
        Backend cpu = new VectorBackend();
        Rng rng = new Rng(0);
        Tensor q = rng.randn(cpu, 32, 4, 200, 64), k = rng.randn(cpu, 32, 4, 200, 64), v = rng.randn(cpu, 32, 4, 200, 64);
        int runs = 15;
        double[] ms = new double[runs];
        for (int i = 0; i < 5; i++) Grad.noGrad(() -> F.attention(q, k, v, null, 0.125));
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            Grad.noGrad(() -> F.attention(q, k, v, null, 0.125));
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf("java attention %.3f%n", ms[runs / 2]);
    }
}

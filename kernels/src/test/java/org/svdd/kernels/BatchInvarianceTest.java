package org.svdd.kernels;

import org.junit.jupiter.api.Test;
import org.svdd.tensor.Backend;
import org.svdd.tensor.Conv2dParams;
import org.svdd.tensor.DType;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.nn.Conv2d;
import org.svdd.tensor.nn.GroupNorm;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.nn.Linear;
import org.svdd.tensor.nn.MultiHeadAttention;

import java.util.Arrays;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A row of a product, an image of a convolution, a sequence of an attention layer: the same bits whatever else is in
 * the batch (every SGEMM path keeps one fma chain per element). Samplers rely on it: a sample does not depend on how
 * the samples are batched or sharded.
 */
class BatchInvarianceTest {
    private final Backend cpu = new VectorBackend();
    private final Init init = new Init(cpu, DType.F32, new Rng(0));

    /** Each of the items' results alone equals its part of the batch's result {@code all}. */
    private static void itemsAgree(String what, float[] all, int items, IntFunction<float[]> alone) {
        int per = all.length / items;
        for (int b = 0; b < items; b++)
            assertArrayEquals(Arrays.copyOfRange(all, b * per, b * per + per), alone.apply(b), what + ", item " + b);
    }

    /** op on a batch of 3 against op on each of its items alone. */
    private void sameAlone(String name, UnaryOperator<Tensor> op, int... shape) {
        Tensor x = new Rng(1).randn(cpu, shape);
        itemsAgree(name + " " + Arrays.toString(shape), Grad.noGrad(() -> op.apply(x)).toFloatArray(), shape[0],
                b -> Grad.noGrad(() -> op.apply(x.slice(0, b, b + 1).contiguous())).toFloatArray());
    }

    @Test
    void layersGiveAnItemTheSameBitsInAnyBatch() {
        for (int c : new int[]{1, 8, 16})
            for (int s : new int[]{4, 8, 32}) sameAlone("conv 3x3, " + c + " channels", new Conv2d(c, 16, 3, init)::forward, 3, c, s, s);
        sameAlone("conv stride 2", new Conv2d(8, 8, 3, Conv2dParams.of(2, 1), true, init)::forward, 3, 8, 8, 8);
        sameAlone("conv 1x1", new Conv2d(16, 8, 1, Conv2dParams.of(1, 0), true, init)::forward, 3, 16, 8, 8);
        sameAlone("group norm", new GroupNorm(4, 16, init)::forward, 3, 16, 8, 8);
        Linear wide = new Linear(32, 64, true, init), narrow = new Linear(64, 1, true, init), four = new Linear(64, 4, true, init);
        sameAlone("linear, rows", wide::forward, 3, 32);
        sameAlone("linear, sequences", wide::forward, 3, 5, 32);
        sameAlone("linear to 1", narrow::forward, 5, 64);
        sameAlone("linear to 4", four::forward, 3, 40, 64);
        sameAlone("attention", new MultiHeadAttention(16, 2, init)::forward, 3, 20, 16);
    }

    /** The gradient of sum(op(x) * g) with respect to x, over a batch of 3 against each item alone. */
    private void sameGradientAlone(String name, UnaryOperator<Tensor> op, int... shape) {
        Tensor x = new Rng(1).randn(cpu, shape);
        Tensor g = new Rng(3).randn(cpu, Grad.noGrad(() -> op.apply(x)).shape());
        itemsAgree(name + " gradient " + Arrays.toString(shape), gradient(op, x, g).toFloatArray(), shape[0],
                b -> gradient(op, x.slice(0, b, b + 1).contiguous(), g.slice(0, b, b + 1).contiguous()).toFloatArray());
    }

    private static Tensor gradient(UnaryOperator<Tensor> op, Tensor x, Tensor g) {
        Tensor leaf = x.detach().requiresGrad(true);
        return Grad.gradient(op.apply(leaf).mul(g).sum(), leaf);
    }

    @Test
    void gradientsGiveAnItemTheSameBitsInAnyBatch() {
        for (int c : new int[]{1, 8, 16})
            for (int s : new int[]{4, 8, 32}) sameGradientAlone("conv 3x3, " + c + " channels", new Conv2d(c, 16, 3, init)::forward, 3, c, s, s);
        sameGradientAlone("conv stride 2", new Conv2d(8, 8, 3, Conv2dParams.of(2, 1), true, init)::forward, 3, 8, 8, 8);
        sameGradientAlone("conv 1x1", new Conv2d(16, 8, 1, Conv2dParams.of(1, 0), true, init)::forward, 3, 16, 8, 8);
        sameGradientAlone("group norm", new GroupNorm(4, 16, init)::forward, 3, 16, 8, 8);
        Linear wide = new Linear(32, 64, true, init), four = new Linear(64, 4, true, init);
        sameGradientAlone("linear, rows", wide::forward, 3, 32);
        sameGradientAlone("linear to 4", four::forward, 3, 40, 64);
        sameGradientAlone("attention", new MultiHeadAttention(16, 2, init)::forward, 3, 20, 16);
        sameGradientAlone("upsample", t -> org.svdd.tensor.F.upsampleNearest2d(t, 2), 3, 16, 4, 4);
        sameGradientAlone("silu", Tensor::silu, 3, 16, 8, 8);
    }

    @Test
    void sgemmRowsDoNotDependOnTheOtherRows() {
        Rng rng = new Rng(2);
        for (int[] mnk : new int[][]{{2, 3, 5}, {3, 40, 64}, {5, 1, 300}, {40, 4, 64}, {100, 70, 300}, {9, 33, 17}}) {
            int m = mnk[0], n = mnk[1], k = mnk[2];
            float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
            for (int i = 0; i < a.length; i++) a[i] = (float) rng.normal();
            for (int i = 0; i < b.length; i++) b[i] = (float) rng.normal();
            Sgemm.sgemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, false);
            float[] cT = new float[m * n];          // the same product through transposed strides: C^T = B^T A^T
            Sgemm.sgemm(n, m, k, b, 0, 1, n, a, 0, 1, k, cT, 0, m, false);
            for (int i = 0; i < m; i++) {
                float[] row = new float[n];
                Sgemm.sgemm(1, n, k, a, i * k, k, 1, b, 0, n, 1, row, 0, n, false);
                assertArrayEquals(Arrays.copyOfRange(c, i * n, i * n + n), row, Arrays.toString(mnk) + " row " + i);
                for (int j = 0; j < n; j++) assertEquals(c[i * n + j], cT[j * m + i], Arrays.toString(mnk) + " transposed");
            }
        }
    }
}

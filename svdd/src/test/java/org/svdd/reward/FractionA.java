package org.svdd.reward;

import org.svdd.tensor.Tensor;

/** Test reward: the fraction of token 0 in each row; on relaxed input (B, L, V) the mean probability of token 0. */
public final class FractionA implements Reward.Differentiable {
    @Override
    public double[] score(Tensor x) {
        int l = x.dim(1);
        int[] t = x.toIntArray();
        double[] r = new double[x.dim(0)];
        for (int i = 0; i < t.length; i++) if (t[i] == 0) r[i / l] += 1.0 / l;
        return r;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.slice(2, 0, 1).mean(new int[]{1, 2}, false);
    }
}

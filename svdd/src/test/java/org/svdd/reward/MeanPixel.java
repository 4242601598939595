package org.svdd.reward;

import org.svdd.tensor.Tensor;

/** Test reward on images (B, C, H, W): the mean pixel of each row, differentiable (for DPS). */
public final class MeanPixel implements Reward.Differentiable {
    @Override
    public double[] score(Tensor x0) {
        return forward(x0).toDoubleArray();
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.mean(new int[]{1, 2, 3}, false);
    }
}

package org.svdd.reward;

import org.svdd.tensor.Tensor;

/**
 * DNA reward: closeness of the GC fraction to a target, r = -|gc - target| (0 is best). Tokens A=0, C=1, G=2, T=3;
 * MASK and other ids are not counted. Differentiable on relaxed (B, L, 4) input through a smooth |.|.
 */
public record GcContent(double target) implements Reward.Differentiable {
    public GcContent {
        if (!(target >= 0 && target <= 1)) throw new IllegalArgumentException("GC target must be in [0, 1], got " + target);
    }

    @Override
    public double[] score(Tensor x0) {
        int l = x0.dim(1);
        int[] t = x0.toIntArray();
        double[] out = new double[x0.dim(0)];
        for (int r = 0; r < out.length; r++) {
            int gc = 0, bases = 0;
            for (int j = 0; j < l; j++) {
                int c = t[r * l + j];
                if (c < 4) bases++;
                if (c == 1 || c == 2) gc++;
            }
            out[r] = -Math.abs((bases == 0 ? 0.5 : (double) gc / bases) - target);
        }
        return out;
    }

    /** -sqrt((gc - target)^2 + 1e-6) with gc the mean probability of C or G; within 1e-3 of {@link #score} on one-hot input. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor gc = x.slice(2, 1, 3).sum(new int[]{1, 2}, false).div(x.dim(1));
        return gc.sub(target).square().add(1e-6).sqrt().neg();
    }
}

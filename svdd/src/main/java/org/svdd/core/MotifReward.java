package org.svdd.core;

import org.svdd.diffusion.data.MotifFile;
import org.svdd.tensor.Tensor;

/**
 * DNA reward: the best log-odds score of a JASPAR motif over every position and both strands of a sequence
 * (tokens A=0, C=1, G=2, T=3), with a pseudocount and a uniform background.
 */
public final class MotifReward implements Reward {
    private final double[][] pwm;   // [position][A, C, G, T], log2 odds

    public MotifReward(MotifFile.Motif motif) {
        this.pwm = motif.logOdds(0.8);
    }

    @Override
    public double[] score(Tensor x0) {
        int b = x0.dim(0), l = x0.dim(1), w = pwm.length;
        int[] t = x0.toIntArray();
        double[] out = new double[b];
        for (int r = 0; r < b; r++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int p = 0; p + w <= l; p++) {
                double fwd = 0, rev = 0;
                for (int j = 0; j < w; j++) {
                    fwd += pwm[j][t[r * l + p + j]];
                    rev += pwm[j][3 - t[r * l + p + w - 1 - j]];        // reverse complement: A<->T, C<->G
                }
                best = Math.max(best, Math.max(fwd, rev));
            }
            out[r] = best;
        }
        return out;
    }
}

package org.svdd.reward;

import org.svdd.diffusion.data.MotifFile;
import org.svdd.tensor.Backend;
import org.svdd.tensor.F;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Tensor;

/**
 * DNA reward: the best log-odds score (log2, pseudocount 0.8, uniform background) of a JASPAR motif over every
 * position and both strands of a sequence (tokens A=0, C=1, G=2, T=3). A MASK or other non-base token contributes
 * 0, so partly masked states can be scored too (the raw-reward value). Differentiable on relaxed sequences: the
 * score is a 1-D convolution of the (B, L, 4) input with the forward and reverse-complement matrices, then a max.
 */
public final class MotifReward implements Reward.Differentiable {
    private final double[][] pwm;   // [position][A, C, G, T], log2 odds
    private final float[] filterValues;     // (2, 4, W): forward strand, reverse complement
    private volatile Tensor filters;        // filterValues on the backend of the last forward

    public MotifReward(MotifFile.Motif motif) {
        this.pwm = motif.logOdds(0.8);
        int w = pwm.length;
        float[] f = new float[2 * 4 * w];
        for (int j = 0; j < w; j++)
            for (int c = 0; c < 4; c++) {
                f[c * w + j] = (float) pwm[j][c];
                f[4 * w + c * w + j] = (float) pwm[w - 1 - j][3 - c];     // reverse complement: A<->T, C<->G
            }
        filterValues = f;
    }

    @Override
    public double[] score(Tensor x0) {
        int b = x0.dim(0), l = x0.dim(1), w = pwm.length;
        if (l < w) throw new IllegalArgumentException("sequences of length " + l + " are shorter than the motif (" + w + ")");
        int[] t = x0.toIntArray();
        double[] out = new double[b];
        for (int r = 0; r < b; r++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int p = 0; p + w <= l; p++) {
                double fwd = 0, rev = 0;
                for (int j = 0; j < w; j++) {
                    int f = t[r * l + p + j], g = t[r * l + p + w - 1 - j];
                    if (f < 4) fwd += pwm[j][f];
                    if (g < 4) rev += pwm[j][3 - g];
                }
                best = Math.max(best, Math.max(fwd, rev));
            }
            out[r] = best;
        }
        return out;
    }

    /** The filters on backend, uploaded once per backend change (a race uploads twice, harmlessly). */
    private Tensor filtersOn(Backend backend) {
        Tensor f = filters;
        if (f == null || f.backend() != backend) {
            f = backend.upload(HostStorage.of(filterValues.clone()), 2, 4, pwm.length);
            filters = f;
        }
        return f;
    }

    /** x (B, L, 4) probabilities -> (B): max over positions and strands of the convolution with the matrices. */
    @Override
    public Tensor forward(Tensor x) {
        int b = x.dim(0);
        Tensor s = F.conv1d(x.transpose(1, 2), filtersOn(x.backend()), null, 1, 0, 1, 1);                 // (B, 2, L-W+1)
        return s.reshape(b, -1).max(1, false);
    }
}

package org.svdd.diffusion.model;

import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.nn.Linear;
import org.svdd.tensor.nn.Module;

/**
 * Sinusoidal embedding of the diffusion time followed by an MLP:
 * emb(t)_i = sin(t f_i), emb(t)_{i+d/2} = cos(t f_i), f_i = 10000^(-i/(d/2)); then Linear, SiLU, Linear.
 */
public final class TimeEmbedding extends Module {
    private final int dim;
    private final double timeScale;
    private final Linear fc1, fc2;

    /** timeScale multiplies t first (1000 for times in [0, 1], 1 for step indices). */
    public TimeEmbedding(int dim, int outDim, double timeScale, Init init) {
        if (dim % 2 != 0) throw new IllegalArgumentException("time embedding width must be even, got " + dim);
        this.dim = dim;
        this.timeScale = timeScale;
        this.fc1 = child("fc1", new Linear(dim, outDim, true, init));
        this.fc2 = child("fc2", new Linear(outDim, outDim, true, init));
    }

    /** t (B) -> (B, outDim). */
    public Tensor forward(Tensor t) {
        double[] ts = t.toDoubleArray();
        int half = dim / 2;
        float[] e = new float[ts.length * dim];
        for (int b = 0; b < ts.length; b++)
            for (int i = 0; i < half; i++) {
                double a = ts[b] * timeScale * Math.exp(-Math.log(10000) * i / half);
                e[b * dim + i] = (float) Math.sin(a);
                e[b * dim + half + i] = (float) Math.cos(a);
            }
        Tensor emb = t.backend().upload(HostStorage.of(e), ts.length, dim);
        return fc2.forward(fc1.forward(emb).silu());
    }
}

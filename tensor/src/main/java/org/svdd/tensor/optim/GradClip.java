package org.svdd.tensor.optim;

import org.svdd.tensor.Grad;
import org.svdd.tensor.Tensor;

/** Gradient clipping by global norm: if ||g||_2 over all parameters exceeds maxNorm, every g is scaled by maxNorm / ||g||. */
public final class GradClip {
    private GradClip() {
    }

    /** Clips in place; returns the norm before clipping. */
    public static double clipByGlobalNorm(Iterable<Tensor> params, double maxNorm) {
        return Grad.noGrad(() -> {
            double sq = 0;
            for (Tensor p : params) if (p.grad() != null) sq += p.grad().square().sum().item();
            double norm = Math.sqrt(sq);
            if (norm > maxNorm && norm > 0) {
                double scale = maxNorm / norm;
                for (Tensor p : params) if (p.grad() != null) p.setGrad(p.grad().mul(scale));
            }
            return norm;
        });
    }
}

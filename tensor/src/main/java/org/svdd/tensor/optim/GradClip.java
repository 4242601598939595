package org.svdd.tensor.optim;

import org.svdd.tensor.Grad;
import org.svdd.tensor.Tensor;

/**
 * Gradient clipping by global norm: with ||g|| = sqrt(sum over all parameters of sum(g^2)), every gradient is
 * scaled by maxNorm / ||g|| when ||g|| > maxNorm (PyTorch's clip_grad_norm_ without its 1e-6 guard).
 */
public final class GradClip {
    private GradClip() {
    }

    /**
     * Clips the gradients of params, in place; parameters without a gradient are skipped.
     * Returns the norm before clipping. The squared sums are added on the device, so this reads back one number.
     */
    public static double clipByGlobalNorm(Iterable<Tensor> params, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("maxNorm must be positive, got " + maxNorm);
        return Grad.noGrad(() -> {
            Tensor sumSq = null;
            for (Tensor p : params) {
                if (p.grad() == null) continue;
                Tensor s = p.grad().square().sum();
                sumSq = sumSq == null ? s : sumSq.add(s.toDType(sumSq.dtype()));
            }
            double norm = sumSq == null ? 0 : Math.sqrt(sumSq.item());
            if (norm > maxNorm) {
                double scale = maxNorm / norm;
                for (Tensor p : params) if (p.grad() != null) p.grad().backend().assign(p.grad(), p.grad().mul(scale));
            }
            return norm;
        });
    }
}

package org.svdd.diffusion.process;

import org.svdd.tensor.Tensor;

/** A Gaussian denoiser: x_t (B, C, H, W) and training-step indices t (B, as F32) to predicted noise eps (B, C, H, W). */
@FunctionalInterface
public interface EpsModel {
    Tensor predictEps(Tensor xt, Tensor t);
}

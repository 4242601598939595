package org.svdd.diffusion.process;

import org.svdd.tensor.Tensor;

/**
 * A masked-diffusion denoiser: token ids x_t (B, L) I64 with MASK = vocabulary size, and times t (B) in [0, 1], to
 * logits over the V real tokens (B, L, V) for x0. MASK gets no logit (the "subs" parameterisation's -inf).
 */
@FunctionalInterface
public interface TokenModel {
    Tensor logits(Tensor xt, Tensor t);

    /**
     * The same logits from a one-hot (or relaxed) state (B, L, V+1) F32, differentiable with respect to it: what
     * gradient guidance on sequences differentiates. Denoisers whose first layer is an embedding implement it as a
     * matrix product with the embedding table.
     */
    default Tensor logitsOneHot(Tensor xtOneHot, Tensor t) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot take one-hot input, so gradient guidance is unavailable");
    }
}

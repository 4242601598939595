package org.svdd.diffusion.process;

import org.svdd.tensor.Tensor;

/**
 * A masked-diffusion denoiser: token ids x_t (B, L) I64 with MASK = vocabulary size, and times t (B) in [0, 1], to
 * logits over the V real tokens (B, L, V) for x0. MASK gets no logit (the "subs" parameterisation's -inf).
 */
@FunctionalInterface
public interface TokenModel {
    Tensor logits(Tensor xt, Tensor t);
}

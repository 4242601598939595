package org.svdd.reward;

import org.svdd.tensor.Tensor;

/**
 * A reward r(x0) on a batch of clean samples: images (B, C, H, W) in [-1, 1] or token ids (B, L). Scores need no
 * gradient; a black box (a JPEG encoder, a motif scanner, an external program) is the normal case. Rewards that do
 * have a gradient also implement {@link Differentiable}, which is what DPS needs.
 */
@FunctionalInterface
public interface Reward {
    /** One score per row. */
    double[] score(Tensor x0);

    /**
     * A reward written in the engine's differentiable ops. Its input is continuous: images (B, C, H, W) as they are;
     * token sequences relaxed to probability vectors (B, L, V) over the V real tokens (a one-hot row is a token).
     * On one-hot input, {@code forward} must agree with {@link #score} on the corresponding tokens.
     */
    interface Differentiable extends Reward {
        /** r per row, (B), with its autograd graph reaching {@code x}. */
        Tensor forward(Tensor x);
    }
}

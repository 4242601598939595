package org.svdd.core;

import org.svdd.tensor.Tensor;

/**
 * A reward r(x0) on a batch of clean samples: images (B, C, H, W) or token ids (B, L). Scores need no gradient;
 * a black box (a JPEG encoder, a motif scanner, an external program) is the normal case.
 */
@FunctionalInterface
public interface Reward {
    /** One score per row. */
    double[] score(Tensor x0);
}

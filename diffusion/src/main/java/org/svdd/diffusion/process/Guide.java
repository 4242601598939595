package org.svdd.diffusion.process;

import org.svdd.tensor.Tensor;

/**
 * A differentiable log-potential log G(x_t) that tilts a reverse step: the step then draws from
 * p_pre(x_{t-1} | x_t) exp(scale · first-order change of log G), which is how gradient guidance works (DPS,
 * classifier guidance). The process calls it with gradient recording on and differentiates the sum of the result
 * with respect to the state.
 * <ul>
 *   <li>Gaussian process: {@code xt} is the image batch (B, C, H, W) and {@code x0Hat} the denoiser's Tweedie
 *   prediction from it; both carry the graph to x_t.</li>
 *   <li>Masked process: {@code xt} is the one-hot state (B, L, V+1), MASK in the last column, and {@code x0Hat} the
 *   denoiser's x0 probabilities (B, L, V) with unmasked positions one-hot; both carry the graph to the one-hot x_t.</li>
 * </ul>
 */
@FunctionalInterface
public interface Guide {
    /** log G per row, (B). {@code step} is the reverse step being taken (0 = first). */
    Tensor logPotential(Tensor xt, Tensor x0Hat, int step);
}

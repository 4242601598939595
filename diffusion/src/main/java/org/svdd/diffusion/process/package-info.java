/**
 * Diffusion processes, kept apart from the networks that denoise them and from the samplers that steer them.
 * <ul>
 *   <li>Denoisers (implemented by the networks): {@link org.svdd.diffusion.process.EpsModel} for the Gaussian
 *       process, {@link org.svdd.diffusion.process.TokenModel} for the masked one.</li>
 *   <li>Schedules, pure functions computed in double: {@link org.svdd.diffusion.process.BetaSchedule},
 *       {@link org.svdd.diffusion.process.MaskSchedule}.</li>
 *   <li>Processes (forward noising, training loss, x0 prediction, single reverse steps):
 *       {@link org.svdd.diffusion.process.GaussianProcess}, {@link org.svdd.diffusion.process.MaskedProcess}.</li>
 *   <li>{@link org.svdd.diffusion.process.Proposal}: one reverse step as samplers use it. The denoiser runs once on
 *       x_t; then any number K of candidates for x_{t-1} can be drawn, and the x0 prediction is exposed. The pass
 *       that predicts x0 of the candidates is kept, so the candidate a sampler keeps needs no second pass. The plain
 *       samplers are the one loop {@link org.svdd.diffusion.process.Proposal#sample} with K = 1; SVDD, best-of-N and
 *       SMC are other loops over the same interface.</li>
 * </ul>
 * All randomness comes from a passed {@link org.svdd.tensor.Rng}: the same seed gives the same samples.
 *
 * <h2>Notation</h2>
 * <pre>
 *   code                          paper (SVDD arXiv 2408.08252; DDPM, DDIM, MDLM)
 *   x0, xt, x (candidates)        x_0, x_t, x_{t-1}
 *   B, K, L, V                    batch of chains, candidates per chain (M in the paper), sequence length, vocabulary
 *   BetaSchedule.betas()[t]       beta_t   (index t = 0 .. T-1 is step t + 1; index -1 is clean data)
 *   BetaSchedule.alphas()[t]      alpha_t = 1 - beta_t
 *   BetaSchedule.alphaBar(t)      alphaBar_t = prod_{s <= t} alpha_s, alphaBar_{-1} = 1
 *   posteriorVariance(t)          betaTilde_t = beta_t (1 - alphaBar_{t-1}) / (1 - alphaBar_t)
 *   EpsModel.predictEps           eps_theta(x_t, t)
 *   GaussianProcess.predictX0     x0_hat(x_t) = (x_t - sqrt(1 - alphaBar_t) eps) / sqrt(alphaBar_t)   (Tweedie)
 *   ddimSigma(t, tPrev, eta)      sigma_t = eta sqrt((1 - alphaBar_prev)/(1 - alphaBar_t)) sqrt(1 - alphaBar_t/alphaBar_prev)
 *   MaskSchedule.maskProb(t)      m_t = (1 - eps) t, t in [0, 1]
 *   MaskSchedule.sigma, dSigma    sigma(t) = -log(1 - m_t), sigma'(t)
 *   maskId() = V                  the MASK token
 *   TokenModel.logits             log p_theta(x_0 | x_t) over the V real tokens (MASK logit = -inf, omitted)
 *   Proposal.Step.sample(K, rng)  K draws x_{t-1}^(m) ~ p_pre(. | x_t) per chain
 *   Proposal.Step.x0Hat()         x0_hat(x_t), from the denoiser pass already made
 *   Proposal.predictX0(x, i)      x0_hat(x_{t-1}), what SVDD-PM scores
 *   Proposal.predict(x, i)        x0_hat(x_{t-1}) with its denoiser pass, which is step i+1's pass at x_{t-1}:
 *     .prepare(rows)              that step at the kept candidates, with no second pass
 *   Proposal.timeAfter(i)         noise level of x_{t-1} in [0, 1], the time input of value networks
 * </pre>
 */
package org.svdd.diffusion.process;

/**
 * The samplers: SVDD and every baseline as compositions over a process's {@code Proposal} of a value estimator
 * ({@link org.svdd.sampling.ValueEstimator}), a selection rule, a resampling scheme and a potential, plus the guidance
 * baselines as {@code Guide}s. {@link org.svdd.sampling.Method} names the methods; {@link org.svdd.sampling.Cost}
 * counts denoiser, value-net and reward calls by wrapping the proposal and the reward.
 */
package org.svdd.sampling;

/**
 * Rewards r(x0): the {@link org.svdd.reward.Reward} interface (and its differentiable form) and the rewards that need
 * nothing beyond the engine: JPEG size, classifier log-probability, JASPAR motif score, GC content, and an external
 * program that scores samples line by line. The molecule rewards live in {@code org.svdd.chem}.
 */
package org.svdd.reward;

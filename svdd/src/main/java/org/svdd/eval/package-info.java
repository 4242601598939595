/**
 * Evaluation statistics, apart from the rewards: stratified bootstrap intervals for comparisons, and the yardsticks
 * that {@code svdd eval} reports for DNA samples (k-mer frequencies, an order-m Markov chain, a neighbour-context
 * model).
 */
package org.svdd.eval;

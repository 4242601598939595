package org.svdd.eval;

import org.svdd.tensor.Rng;

/**
 * An order-m Markov chain over the four DNA letters, fitted by counting (add-1/2 smoothing): the classical baseline a
 * DNA generative model should beat. {@code svdd eval} prints its held-out log-loss and the k-mer correlations of its
 * samples next to the diffusion model's, so "0.9" has a yardstick. Rows of tokens (count, l) are 0..3; the first m
 * letters of a row are modelled by the lower-order chains (row starts), so the log-loss covers every position.
 */
public final class MarkovChain {
    private static final double PSEUDO = 0.5;
    private final int order;
    /** counts[j][context * 4 + letter] for the order-j chain, j = 0..order (the first letters of a row use j &lt; m). */
    private final double[][] counts;

    private MarkovChain(int order, double[][] counts) {
        this.order = order;
        this.counts = counts;
    }

    public int order() {
        return order;
    }

    /** Counts every (context, next letter) pair of the rows, for every order up to m. */
    public static MarkovChain fit(int[] tokens, int count, int l, int order) {
        if (order < 0 || order > 10) throw new IllegalArgumentException("Markov order must be in 0..10, got " + order);
        double[][] c = new double[order + 1][];
        for (int j = 0; j <= order; j++) c[j] = new double[4 << (2 * j)];
        for (int r = 0; r < count; r++)
            for (int p = 0; p < l; p++) {
                int j = Math.min(order, p);
                c[j][context(tokens, r * l + p, j) * 4 + tokens[r * l + p]]++;
            }
        return new MarkovChain(order, c);
    }

    /** The code of the j letters before position at. */
    private static int context(int[] tokens, int at, int j) {
        int h = 0;
        for (int i = at - j; i < at; i++) h = h << 2 | tokens[i];
        return h;
    }

    private double prob(int j, int ctx, int letter) {
        double[] c = counts[j];
        double total = 0;
        for (int a = 0; a < 4; a++) total += c[ctx * 4 + a] + PSEUDO;
        return (c[ctx * 4 + letter] + PSEUDO) / total;
    }

    /** Mean negative log-likelihood in nats per letter of the rows. */
    public double nll(int[] tokens, int count, int l) {
        double s = 0;
        for (int r = 0; r < count; r++)
            for (int p = 0; p < l; p++) {
                int j = Math.min(order, p);
                s -= Math.log(prob(j, context(tokens, r * l + p, j), tokens[r * l + p]));
            }
        return s / ((double) count * l);
    }

    /** n rows of length l drawn left to right. */
    public int[] sample(int n, int l, Rng rng) {
        int[] out = new int[n * l];
        for (int r = 0; r < n; r++)
            for (int p = 0; p < l; p++) {
                int j = Math.min(order, p), ctx = context(out, r * l + p, j);
                double u = rng.uniform();
                int a = 0;
                for (; a < 3; a++) {
                    u -= prob(j, ctx, a);
                    if (u < 0) break;
                }
                out[r * l + p] = a;
            }
        return out;
    }
}

package org.svdd.eval;

import org.svdd.tensor.Rng;

/**
 * An order-m Markov chain over V letters (the four DNA letters; RNA's four and its padding), fitted by counting (add-1/2
 * smoothing): the classical baseline a sequence model should beat. {@code svdd eval} prints its held-out log-loss and
 * the k-mer correlations of its samples next to the diffusion model's, so "0.9" has a yardstick. Rows of tokens
 * (count, l) are 0..V-1; the first m letters of a row are modelled by the lower-order chains (row starts), so the
 * log-loss covers every position.
 */
public final class MarkovChain {
    private static final double PSEUDO = 0.5;
    private final int order, letters;
    /** counts[j][context * V + letter] for the order-j chain, j = 0..order (the first letters of a row use j &lt; m). */
    private final double[][] counts;

    private MarkovChain(int order, int letters, double[][] counts) {
        this.order = order;
        this.letters = letters;
        this.counts = counts;
    }

    public int order() {
        return order;
    }

    /** Counts every (context, next letter) pair of the rows of letters 0..letters-1, for every order up to m. */
    public static MarkovChain fit(int[] tokens, int count, int l, int order, int letters) {
        if (order < 0 || Math.pow(letters, order + 1) > 1 << 24) throw new IllegalArgumentException("Markov order " + order + " over " + letters + " letters is too large");
        double[][] c = new double[order + 1][];
        for (int j = 0; j <= order; j++) c[j] = new double[(int) Math.pow(letters, j + 1)];
        MarkovChain chain = new MarkovChain(order, letters, c);
        for (int r = 0; r < count; r++)
            for (int p = 0; p < l; p++) {
                int j = Math.min(order, p);
                c[j][chain.context(tokens, r * l + p, j) * letters + tokens[r * l + p]]++;
            }
        return chain;
    }

    /** The code of the j letters before position at. */
    private int context(int[] tokens, int at, int j) {
        int h = 0;
        for (int i = at - j; i < at; i++) h = h * letters + tokens[i];
        return h;
    }

    private double prob(int j, int ctx, int letter) {
        double[] c = counts[j];
        double total = 0;
        for (int a = 0; a < letters; a++) total += c[ctx * letters + a] + PSEUDO;
        return (c[ctx * letters + letter] + PSEUDO) / total;
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
                for (; a < letters - 1; a++) {
                    u -= prob(j, ctx, a);
                    if (u < 0) break;
                }
                out[r * l + p] = a;
            }
        return out;
    }
}

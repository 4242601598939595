package org.svdd.eval;

/**
 * p(x_i | the c letters on each side of i), fitted by counting (add-1/2 smoothing): the yardstick for a masked model's
 * loss at a low mask rate, where it sees nearly every neighbour of a masked letter. A model that cannot beat it at
 * predicting one hidden letter from its surroundings has not learnt the local (k-mer) statistics of the data. Rows of
 * tokens (count, l) are 0..3; only positions with c letters on both sides are modelled.
 */
public final class NeighbourContext {
    private static final double PSEUDO = 0.5;
    private final int c;
    /** counts[context * 4 + letter], context = the 2c neighbours as base-4 digits. */
    private final double[] counts;

    private NeighbourContext(int c, double[] counts) {
        this.c = c;
        this.counts = counts;
    }

    /** Counts every (neighbours, letter) pair of the rows. */
    public static NeighbourContext fit(int[] tokens, int count, int l, int c) {
        if (c < 1 || c > 5) throw new IllegalArgumentException("neighbours per side must be in 1..5, got " + c);
        double[] n = new double[4 << (4 * c)];
        for (int r = 0; r < count; r++)
            for (int p = c; p < l - c; p++) n[context(tokens, r * l + p, c) * 4 + tokens[r * l + p]]++;
        return new NeighbourContext(c, n);
    }

    private static int context(int[] tokens, int at, int c) {
        int h = 0;
        for (int j = 1; j <= c; j++) h = (h << 4) | tokens[at - j] << 2 | tokens[at + j];
        return h;
    }

    /** Mean negative log-likelihood in nats per letter over the positions with c neighbours on each side. */
    public double nll(int[] tokens, int count, int l) {
        double s = 0;
        long positions = 0;
        for (int r = 0; r < count; r++)
            for (int p = c; p < l - c; p++) {
                int ctx = context(tokens, r * l + p, c);
                double total = 0;
                for (int a = 0; a < 4; a++) total += counts[ctx * 4 + a] + PSEUDO;
                s -= Math.log((counts[ctx * 4 + tokens[r * l + p]] + PSEUDO) / total);
                positions++;
            }
        return s / positions;
    }
}

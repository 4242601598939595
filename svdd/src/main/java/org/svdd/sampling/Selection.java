package org.svdd.sampling;

import org.svdd.tensor.Rng;

/**
 * How one of M candidates is kept: alpha = 0 takes the argmax of the values (the reference code's choice),
 * alpha > 0 draws m ~ softmax(v / alpha).
 */
public record Selection(double alpha) {
    public Selection {
        if (!(alpha >= 0)) throw new IllegalArgumentException("alpha must be >= 0, got " + alpha);
    }

    /** Index of the kept candidate among values[from .. from+m). */
    public int choose(double[] values, int from, int m, Rng rng) {
        int best = 0;
        for (int j = 1; j < m; j++) if (values[from + j] > values[from + best]) best = j;
        if (alpha == 0) return best;
        double max = values[from + best], sum = 0;
        double[] w = new double[m];
        for (int j = 0; j < m; j++) sum += w[j] = Math.exp((values[from + j] - max) / alpha);
        double u = rng.uniform() * sum;
        for (int j = 0; j < m; j++) if ((u -= w[j]) <= 0) return j;
        return m - 1;
    }
}

package org.svdd.sampling;

import org.svdd.tensor.Rng;

/**
 * Importance resampling across a population of N particles: when, and how.
 *
 * @param scheme       multinomial (N independent draws) or systematic (one uniform, N evenly spaced points; lower
 *                     variance)
 * @param every        consider resampling at every k-th reverse step (1 = every step)
 * @param windowStart  first reverse step, as a fraction of all steps, at which resampling may happen
 * @param windowEnd    last such step, as a fraction (1 = up to the end)
 * @param essThreshold resample only when the effective sample size ESS = (sum w)^2 / sum w^2 is below
 *                     essThreshold · N; 1 means always (ESS never exceeds N)
 */
public record Resampling(Scheme scheme, int every, double windowStart, double windowEnd, double essThreshold) implements java.io.Serializable {
    public enum Scheme { MULTINOMIAL, SYSTEMATIC }

    public Resampling {
        if (every < 1) throw new IllegalArgumentException("resampling interval must be >= 1, got " + every);
        if (!(0 <= windowStart && windowStart <= windowEnd && windowEnd <= 1))
            throw new IllegalArgumentException("resampling window must satisfy 0 <= start <= end <= 1, got " + windowStart + ".." + windowEnd);
        if (!(essThreshold > 0 && essThreshold <= 1)) throw new IllegalArgumentException("ESS threshold must be in (0, 1], got " + essThreshold);
    }

    /** SMC as in the SVDD comparison: multinomial resampling at every step. */
    public static Resampling everyStep() {
        return new Resampling(Scheme.MULTINOMIAL, 1, 0, 1, 1);
    }

    /** Adaptive: systematic resampling whenever ESS < N/2. */
    public static Resampling adaptive() {
        return new Resampling(Scheme.SYSTEMATIC, 1, 0, 1, 0.5);
    }

    /** This schedule with another interval. */
    public Resampling withEvery(int k) {
        return new Resampling(scheme, k, windowStart, windowEnd, essThreshold);
    }

    /** Whether reverse step i of n lies on the schedule (the ESS test comes after). */
    public boolean scheduled(int i, int n) {
        double f = n == 1 ? 1 : (double) i / (n - 1);
        return i % every == 0 && f >= windowStart && f <= windowEnd;
    }

    /** ESS of weights exp(logw[from .. from+n)). */
    public static double ess(double[] logw, int from, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) max = Math.max(max, logw[from + j]);
        double s = 0, s2 = 0;
        for (int j = 0; j < n; j++) {
            double w = Math.exp(logw[from + j] - max);
            s += w;
            s2 += w * w;
        }
        return s * s / s2;
    }

    /** Whether the weights call for resampling: ESS < threshold · N (always when the threshold is 1). */
    public boolean needed(double[] logw, int from, int n) {
        return essThreshold >= 1 || ess(logw, from, n) < essThreshold * n;
    }

    /** N ancestor indices (from + 0 .. from + N-1) drawn in proportion to exp(logw[from .. from+N)). */
    public int[] ancestors(double[] logw, int from, int n, Rng rng) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) max = Math.max(max, logw[from + j]);
        double[] cdf = new double[n];
        double total = 0;
        for (int j = 0; j < n; j++) cdf[j] = total += Math.exp(logw[from + j] - max);
        int[] out = new int[n];
        double u0 = rng.uniform();
        for (int k = 0; k < n; k++) {
            double u = (scheme == Scheme.SYSTEMATIC ? (k + u0) / n : k == 0 ? u0 : rng.uniform()) * total;
            int lo = 0, hi = n - 1;                                 // first j with cdf[j] > u
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cdf[mid] > u) hi = mid;
                else lo = mid + 1;
            }
            out[k] = from + lo;
        }
        return out;
    }
}

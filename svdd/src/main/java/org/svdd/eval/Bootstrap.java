package org.svdd.eval;

import org.svdd.tensor.Rng;

import java.util.Arrays;

/**
 * Sample statistics of values drawn in strata (in a comparison: one stratum per seed, n rewards each) and their
 * percentile-bootstrap confidence intervals.
 *
 * <p>Stratified resampling: each bootstrap draw takes n_k values with replacement from stratum k alone, for every k,
 * pools them and evaluates the statistic on the pool. A draw therefore has the design of the data (the same number
 * of samples from every seed), and values never move between seeds. The interval is the (1 - level)/2 and
 * (1 + level)/2 quantiles of the {@link #DRAWS} draws of the statistic.
 *
 * <p>What the interval covers: the sampling noise of i.i.d. samples within each seed. Samples of one seed that are
 * not independent (particle methods resample a shared population) make it too narrow; the per-seed statistics
 * beside it show the seed-to-seed spread.
 */
public final class Bootstrap {
    /** Bootstrap draws of an interval. */
    public static final int DRAWS = 2000;
    /** Coverage of an interval. */
    public static final double LEVEL = 0.95;
    /** Seed of the resampling: fixed, so that an interval (and a results file) is the same on every run. */
    public static final long SEED = 20240817L;

    private Bootstrap() {
    }

    /** A statistic of a set of values; it may reorder the array it is given (a median sorts it in place). */
    @FunctionalInterface
    public interface Statistic {
        double of(double[] values);
    }

    /** The median: {@link #quantile} at 0.5. */
    public static final Statistic MEDIAN = v -> quantile(v, 0.5);
    /** The arithmetic mean. */
    public static final Statistic MEAN = Bootstrap::mean;

    /** A statistic's value on all the data and its bootstrap interval [lo, hi]. */
    public record Interval(double estimate, double lo, double hi) {
    }

    /**
     * The p-quantile of values by linear interpolation between order statistics (R's type 7, NumPy's default):
     * position p (n - 1) in the sorted values. Sorts values in place; NaN when there are none.
     */
    public static double quantile(double[] values, double p) {
        if (values.length == 0) return Double.NaN;
        Arrays.sort(values);
        double pos = p * (values.length - 1);
        int lo = (int) Math.floor(pos), hi = Math.min(values.length - 1, lo + 1);
        return values[lo] + (pos - lo) * (values[hi] - values[lo]);
    }

    /** The arithmetic mean (compensated summation, as {@link java.util.stream.DoubleStream#average}); NaN when there are no values. */
    public static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(Double.NaN);
    }

    /**
     * Whether n samples can estimate the p-quantile: at least one sample is expected above it, n (1 - p) &gt;= 1
     * (5 samples for 80%, 10 for 90%, 20 for 95%, 100 for 99%). Below that a sample quantile is the maximum or an
     * interpolation towards it.
     */
    public static boolean estimable(double p, long n) {
        return n * (1 - p) >= 1 - 1e-9;
    }

    /** All strata's values in one array, stratum after stratum. */
    public static double[] pooled(double[][] strata) {
        return Arrays.stream(strata).flatMapToDouble(Arrays::stream).toArray();
    }

    /** {@link #stratified(double[][], Statistic, int, double, Rng)} with {@link #DRAWS} draws at {@link #LEVEL} from {@link #SEED}. */
    public static Interval stratified(double[][] strata, Statistic statistic) {
        return stratified(strata, statistic, DRAWS, LEVEL, new Rng(SEED));
    }

    /**
     * The statistic of the pooled strata and its stratified percentile-bootstrap interval (see the class comment).
     * Every stratum needs at least one value. strata is not modified; rng is advanced.
     *
     * @param level coverage of the interval, in (0, 1)
     */
    public static Interval stratified(double[][] strata, Statistic statistic, int draws, double level, Rng rng) {
        if (strata.length == 0) throw new IllegalArgumentException("no strata");
        for (int k = 0; k < strata.length; k++)
            if (strata[k].length == 0) throw new IllegalArgumentException("stratum " + k + " of " + strata.length + " is empty");
        if (draws < 1) throw new IllegalArgumentException("draws must be >= 1, got " + draws);
        if (!(level > 0 && level < 1)) throw new IllegalArgumentException("level must be in (0, 1), got " + level);
        double estimate = statistic.of(pooled(strata));
        double[] pool = new double[Arrays.stream(strata).mapToInt(s -> s.length).sum()];
        double[] stats = new double[draws];
        for (int b = 0; b < draws; b++) {
            int j = 0;
            for (double[] s : strata)
                for (int i = 0; i < s.length; i++) pool[j++] = s[rng.nextInt(s.length)];
            stats[b] = statistic.of(pool);
        }
        return new Interval(estimate, quantile(stats, (1 - level) / 2), quantile(stats, (1 + level) / 2));
    }
}

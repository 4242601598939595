package org.svdd.app;

import org.junit.jupiter.api.Test;
import org.svdd.eval.Bootstrap;
import org.svdd.tensor.Rng;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Bootstrap}: quantiles, which quantiles n samples can estimate, and the stratified bootstrap interval. */
class BootstrapTest {
    /** n draws from U(0, 1) with a fixed seed. */
    private static double[] uniform(int n, long seed) {
        Rng rng = new Rng(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.uniform();
        return v;
    }

    @Test
    void quantileInterpolatesBetweenOrderStatistics() {
        assertEquals(2.5, Bootstrap.quantile(new double[]{4, 1, 3, 2}, .5));
        assertEquals(1.9, Bootstrap.quantile(new double[]{4, 1, 3, 2}, .3), 1e-12);   // position 0.3 x 3 = 0.9 between 1 and 2
        assertEquals(7, Bootstrap.quantile(new double[]{7}, .99));
        assertTrue(Double.isNaN(Bootstrap.quantile(new double[0], .5)));
        assertEquals(2.5, Bootstrap.mean(new double[]{4, 1, 3, 2}));
    }

    @Test
    void aTailQuantileNeedsOneSampleExpectedAboveIt() {
        assertFalse(Bootstrap.estimable(.95, 19));
        assertTrue(Bootstrap.estimable(.95, 20));
        assertFalse(Bootstrap.estimable(.99, 99));
        assertTrue(Bootstrap.estimable(.99, 100));
        assertFalse(Bootstrap.estimable(.9, 9));
        assertTrue(Bootstrap.estimable(.9, 10));
        assertTrue(Bootstrap.estimable(.5, 2));
    }

    @Test
    void theMedianIntervalOfAUniformCoversTheTrueMedianWithTheAsymptoticWidth() {
        int n = 1000;
        double[] v = uniform(n, 7);
        Bootstrap.Interval ci = Bootstrap.stratified(new double[][]{v}, Bootstrap.MEDIAN, Bootstrap.DRAWS, .95, new Rng(11));
        assertTrue(ci.lo() < .5 && .5 < ci.hi(), "covers the true median 0.5: " + ci);
        assertTrue(ci.lo() <= ci.estimate() && ci.estimate() <= ci.hi(), ci.toString());
        assertEquals(Bootstrap.quantile(v.clone(), .5), ci.estimate());
        // sample median of U(0, 1): sd = sqrt(p (1 - p) / n) / f(median) = 0.5 / sqrt(n); 95% width = 2 * 1.96 sd = 0.062
        double asymptotic = 2 * 1.959964 * .5 / Math.sqrt(n), width = ci.hi() - ci.lo();
        assertTrue(width > asymptotic / 1.5 && width < asymptotic * 1.5, "width " + width + " vs asymptotic " + asymptotic);
    }

    @Test
    void theMeanIntervalOfAUniformHasTheAsymptoticWidth() {
        int n = 1000;
        double[] v = uniform(n, 8);
        Bootstrap.Interval ci = Bootstrap.stratified(new double[][]{v}, Bootstrap.MEAN, Bootstrap.DRAWS, .95, new Rng(12));
        assertTrue(ci.lo() < .5 && .5 < ci.hi(), "covers the true mean 0.5: " + ci);
        double asymptotic = 2 * 1.959964 * Math.sqrt(1 / 12.0 / n), width = ci.hi() - ci.lo();
        assertTrue(width > asymptotic / 1.25 && width < asymptotic * 1.25, "width " + width + " vs asymptotic " + asymptotic);
    }

    @Test
    void resamplingStaysWithinEachSeed() {
        // seed 0 draws rewards in [0, 1), seed 1 in [100, 101): every bootstrap pool holds exactly 10 of each
        double[] low = uniform(10, 1), high = Arrays.stream(uniform(10, 2)).map(x -> 100 + x).toArray();
        double[][] strata = {low, high};
        Bootstrap.Interval count = Bootstrap.stratified(strata, pool -> Arrays.stream(pool).filter(x -> x >= 100).count(), 500, .95, new Rng(3));
        assertEquals(new Bootstrap.Interval(10, 10, 10), count);
        // so the pooled median is always half-way between the two seeds' sets (the 10th and 11th of 20), never inside one
        Bootstrap.Interval median = Bootstrap.stratified(strata, Bootstrap.MEDIAN);
        assertTrue(median.lo() >= 50 && median.hi() <= 51, median.toString());
        // the mean of a pool is the mean of the two seeds' resampled means, so it moves by less than a seed's own spread
        Bootstrap.Interval mean = Bootstrap.stratified(strata, Bootstrap.MEAN);
        assertTrue(mean.lo() > 50 && mean.hi() < 51, mean.toString());
        assertArrayEquals(uniform(10, 1), low, "the strata are not modified");
    }

    @Test
    void theDefaultIntervalIsReproducible() {
        double[][] strata = {uniform(16, 4), uniform(16, 5), uniform(16, 6)};
        assertEquals(Bootstrap.stratified(strata, Bootstrap.MEDIAN), Bootstrap.stratified(strata, Bootstrap.MEDIAN));
        assertEquals(Bootstrap.stratified(strata, Bootstrap.MEDIAN, Bootstrap.DRAWS, Bootstrap.LEVEL, new Rng(Bootstrap.SEED)),
                Bootstrap.stratified(strata, Bootstrap.MEDIAN));
    }

    @Test
    void badStrataAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Bootstrap.stratified(new double[][]{{1}, {}}, Bootstrap.MEDIAN));
        assertTrue(e.getMessage().contains("stratum 1 of 2 is empty"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Bootstrap.stratified(new double[0][], Bootstrap.MEDIAN));
        assertThrows(IllegalArgumentException.class, () -> Bootstrap.stratified(new double[][]{{1}}, Bootstrap.MEDIAN, 10, 1, new Rng(0)));
    }
}

package org.svdd.app;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Axis ticks fall on round values, 1, 2 or 5 x 10^k apart, and print as written. */
class PlotsTest {
    @Test
    void ticksAreMultiplesOfTheSmallestRoundStepThatFits() {
        assertArrayEquals(new double[]{0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08}, Plots.ticks(0.013, 0.087), 0);
        assertArrayEquals(new double[]{0, 2, 4, 6, 8, 10}, Plots.ticks(-0.4, 10.4), 0);
        assertArrayEquals(new double[]{-20, 0, 20, 40, 60, 80, 100}, Plots.ticks(-37, 112), 0);
        assertArrayEquals(new double[]{0.5, 1, 1.5, 2, 2.5, 3}, Plots.ticks(0.3, 3.2), 0);
        assertArrayEquals(new double[]{1000, 1500, 2000, 2500, 3000}, Plots.ticks(950, 3000), 0);
    }

    @Test
    void tickCountStaysWithinTheLimitAtEveryScale() {
        for (double lo : new double[]{-1e6, -3.7, 0, 1e-9, 0.42, 17})
            for (double width : new double[]{1e-7, 0.003, 0.9, 1, 7.3, 64, 5e5}) {
                double[] t = Plots.ticks(lo, lo + width);
                String where = "[" + lo + ", " + (lo + width) + "]: " + Arrays.toString(t);
                assertTrue(t.length >= 2 && t.length <= Plots.MAX_TICKS, where);
                double slack = 1e-6 * width;   // lo + width is rounded: a tick may sit on the end it moved
                assertTrue(t[0] >= lo - slack && t[t.length - 1] <= lo + width + slack, where);
            }
    }

    @Test
    void labelsHaveNoFloatNoise() {
        double[] t = Plots.ticks(0.013, 0.087);
        assertEquals("0.03", Plots.label(t[1]));
        assertEquals("0.07", Plots.label(t[5]));
        assertEquals("0.1", Plots.label(Plots.ticks(0.05, 0.45)[0]));
        assertEquals("1500", Plots.label(1500));
        assertEquals("2", Plots.label(2.0));
        assertEquals("0", Plots.label(-0.0));
        assertEquals("-0.25", Plots.label(-0.25));
    }

    @Test
    void anEmptyOrNonFiniteRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Plots.ticks(1, 1));
        assertThrows(IllegalArgumentException.class, () -> Plots.ticks(0, Double.NaN));
    }
}

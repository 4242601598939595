package org.svdd.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Axis ticks fall on round values, 1, 2 or 5 x 10^k apart, and print as written; lines with their own x values draw
 * whatever points they have.
 */
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

    @Test
    void logAxesTickAtOneTwoFiveOrAtPowersOfTen() {
        assertArrayEquals(new double[]{1, 2, 5, 10, 20}, Plots.logTicks(1, 20), 0);
        assertArrayEquals(new double[]{200, 500, 1000, 2000}, Plots.logTicks(129, 2561), 0);
        assertArrayEquals(new double[]{0.01, 0.1, 1, 10, 100}, Plots.logTicks(0.01, 100), 0);
        double[] wide = Plots.logTicks(1e-3, 1e12);
        assertTrue(wide.length >= 2 && wide.length <= Plots.MAX_TICKS, Arrays.toString(wide));
        assertThrows(IllegalArgumentException.class, () -> Plots.logTicks(0, 10));
        assertTrue(Plots.logScale(1, 20), "M = 1 .. 20 spreads 20-fold");
        assertTrue(!Plots.logScale(129, 1200) && !Plots.logScale(0, 1000) && !Plots.logScale(-5, 100), "linear at most 10-fold or with x <= 0");
    }

    /** Pixels of exactly this colour inside the plotting area (left of the legend). */
    private static int pixels(BufferedImage img, int rgb) {
        int count = 0;
        for (int x = 91; x < 700; x++)
            for (int y = 51; y < 470; y++) if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) count++;
        return count;
    }

    @Test
    void linesDrawEachSeriesAtItsOwnXAndSkipWhatIsNotFinite(@TempDir Path dir) throws Exception {
        Map<String, Plots.Series> series = new LinkedHashMap<>();
        series.put("four points, error bars, labels", new Plots.Series(new double[]{1, 2, 5, 20}, new double[]{0.1, 0.3, Double.NaN, 0.6},
                new double[]{0, 0.2, 0.4, Double.NaN}, new double[]{0.2, 0.5, 0.6, 0.7}, List.of("a", "b", "c", "d")));
        series.put("one point", new Plots.Series(new double[]{7}, new double[]{0.2}));
        series.put("nothing finite", new Plots.Series(new double[]{Double.NaN, 3}, new double[]{1, Double.POSITIVE_INFINITY}));
        Path png = dir.resolve("lines.png");
        Plots.lines(series, "title", "x", "y", png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
        assertEquals(520, img.getHeight());
        assertTrue(pixels(img, 0x4C72B0) > 100, "the first series' points and lines");
        assertTrue(pixels(img, 0xDD8452) > 10, "the single point of the second");

        // no series, or none with a finite point: axes only, no error
        Plots.lines(Map.of(), "empty", "x", "y", png);
        Plots.lines(Map.of("nan", new Plots.Series(new double[]{Double.NaN}, new double[]{Double.NaN})), "nan", "x", "y", png);
        BufferedImage empty = ImageIO.read(png.toFile());
        assertEquals(0, pixels(empty, 0x4C72B0));
        assertThrows(IllegalArgumentException.class, () -> new Plots.Series(new double[]{1, 2}, new double[]{1}));
    }
}

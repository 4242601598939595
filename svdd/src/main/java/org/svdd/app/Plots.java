package org.svdd.app;

import org.svdd.diffusion.io.PngGrid;
import org.svdd.eval.Bootstrap;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The report's plots as PNG, drawn with Java2D: reward distributions per method (box = 25-75%, whisker = 5-95%, tick =
 * median, dots = samples), and lines of a statistic against a budget or another statistic, each line with its own x
 * values. Text needs a system font; where the JDK has none (a bare container), the plot is drawn without its labels
 * rather than not at all.
 */
final class Plots {
    private static final Color[] PALETTE = {new Color(0x4C72B0), new Color(0xDD8452), new Color(0x55A868), new Color(0xC44E52),
            new Color(0x8172B3), new Color(0x937860), new Color(0xDA8BC3), new Color(0x8C8C8C), new Color(0xCCB974), new Color(0x64B5CD),
            new Color(0x2F4F4F), new Color(0xB8860B)};
    private static final int W = 900, LEFT = 170, RIGHT = 30, TOP = 50, BOTTOM = 50;
    /** The most ticks an axis gets. */
    static final int MAX_TICKS = 8;

    private Plots() {
    }

    /** One horizontal box per method over its rewards. */
    static void rewardBoxes(Map<String, double[]> rewards, String title, Path file) throws IOException {
        int rowH = 34, h = TOP + BOTTOM + rowH * rewards.size();
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double[] v : rewards.values()) for (double x : v) if (Double.isFinite(x)) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        if (!(lo <= hi)) lo = hi = 0;                  // no finite reward
        if (!(hi > lo)) hi = lo + 1;
        double pad = (hi - lo) * 0.04;
        Axis ax = new Axis(lo - pad, hi + pad, LEFT, W - RIGHT);
        BufferedImage img = canvas(W, h);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        int row = 0;
        for (Map.Entry<String, double[]> e : rewards.entrySet()) {
            double[] s = e.getValue().clone();
            Arrays.sort(s);
            int y = TOP + row * rowH + rowH / 2;
            Color c = PALETTE[row % PALETTE.length];
            g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 90));
            for (int i = 0; i < s.length; i++) g.fillOval(ax.px(s[i]) - 2, y - 2 + (i % 5 - 2) * 2, 4, 4);
            g.setColor(c);
            g.setStroke(new BasicStroke(1.5f));
            int q5 = ax.px(Bootstrap.quantile(s, .05)), q25 = ax.px(Bootstrap.quantile(s, .25)), q50 = ax.px(Bootstrap.quantile(s, .5)),
                    q75 = ax.px(Bootstrap.quantile(s, .75)), q95 = ax.px(Bootstrap.quantile(s, .95));
            g.drawLine(q5, y, q25, y);
            g.drawLine(q75, y, q95, y);
            g.drawRect(q25, y - 9, Math.max(1, q75 - q25), 18);
            g.setStroke(new BasicStroke(3f));
            g.drawLine(q50, y - 11, q50, y + 11);
            text(g, e.getKey(), 10, y + 5, Color.BLACK);
            row++;
        }
        ax.draw(g, h - BOTTOM, TOP);
        text(g, title, LEFT, 30, Color.BLACK);
        text(g, "reward (box 25-75%, whiskers 5-95%, bar = median)", LEFT, h - 12, Color.DARK_GRAY);
        PngGrid.write(img, file);
    }

    /**
     * One line of a plot: points (x[i], y[i]) joined in the order given; optionally each y's interval [lo[i], hi[i]]
     * drawn as an error bar, and a label written beside each point (null: none). A point with a coordinate that is
     * not finite is left out.
     */
    record Series(double[] x, double[] y, double[] lo, double[] hi, List<String> labels) {
        Series {
            int n = x.length;
            if (y.length != n || lo != null && lo.length != n || hi != null && hi.length != n || labels != null && labels.size() != n)
                throw new IllegalArgumentException("a series' x, y, intervals and labels must be as long as each other");
        }

        /** Points without error bars or labels. */
        Series(double[] x, double[] y) {
            this(x, y, null, null, null);
        }
    }

    /** The spread of the x values, largest over smallest, above which {@link #lines} draws x on a log scale. */
    static final double LOG_SPAN = 10;

    /**
     * Lines of y against x, each series with its own x values, one colour a series, with a legend. The x axis is
     * logarithmic when all x values are positive and the largest is more than {@link #LOG_SPAN} times the smallest
     * ({@link #logScale}; a budget sweep: M = 1, 2, 5, 10, 20, or the calls per sample it buys), said in the axis label
     * as ", log scale"; otherwise linear, so that a zero (svdd-pm's reward calls at M = 1) is drawn too.
     */
    static void lines(Map<String, Series> series, String title, String xLabel, String yLabel, Path file) throws IOException {
        int h = 520, x0 = 90, x1 = W - 200, yTop = TOP, yBot = h - BOTTOM;
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY, yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series.values())
            for (int i = 0; i < s.x().length; i++) {
                if (!drawn(s, i)) continue;
                xMin = Math.min(xMin, s.x()[i]);
                xMax = Math.max(xMax, s.x()[i]);
                for (double y : new double[]{s.y()[i], s.lo() == null ? s.y()[i] : s.lo()[i], s.hi() == null ? s.y()[i] : s.hi()[i]})
                    if (Double.isFinite(y)) {
                        yMin = Math.min(yMin, y);
                        yMax = Math.max(yMax, y);
                    }
            }
        boolean log = logScale(xMin, xMax);
        Axis x = log ? new Axis(Math.log(xMin), Math.log(xMax), x0, x1).padded(0.05) : Axis.over(xMin, xMax, x0, x1).padded(0.05);
        Axis y = Axis.over(yMin, yMax, yBot, yTop).padded(0.08);
        BufferedImage img = canvas(W, h);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.GRAY);
        g.drawLine(x0, yBot, x1, yBot);
        g.drawLine(x0, yTop, x0, yBot);
        for (double t : log ? logTicks(Math.exp(x.lo()), Math.exp(x.hi())) : ticks(x.lo(), x.hi())) {
            int px = x.px(log ? Math.log(t) : t);
            g.setColor(new Color(0xEEEEEE));
            g.drawLine(px, yTop, px, yBot - 1);
            g.setColor(Color.GRAY);
            g.drawLine(px, yBot, px, yBot + 5);
            text(g, label(t), px - 4 * label(t).length(), yBot + 20, Color.DARK_GRAY);
        }
        for (double t : ticks(y.lo(), y.hi())) {
            int py = y.px(t);
            g.setColor(new Color(0xEEEEEE));
            g.drawLine(x0 + 1, py, x1, py);
            text(g, label(t), 10, py + 5, Color.DARK_GRAY);
        }
        int row = 0;
        for (Map.Entry<String, Series> e : series.entrySet()) {
            Series s = e.getValue();
            Color c = PALETTE[row % PALETTE.length];
            int prevX = -1, prevY = -1;
            for (int i = 0; i < s.x().length; i++) {
                if (!drawn(s, i)) continue;
                int px = x.px(log ? Math.log(s.x()[i]) : s.x()[i]), py = y.px(s.y()[i]);
                g.setColor(c);
                if (s.lo() != null && s.hi() != null && Double.isFinite(s.lo()[i]) && Double.isFinite(s.hi()[i])) {
                    int lo = y.px(s.lo()[i]), hi = y.px(s.hi()[i]);
                    g.setStroke(new BasicStroke(1.2f));
                    g.drawLine(px, lo, px, hi);
                    g.drawLine(px - 4, lo, px + 4, lo);
                    g.drawLine(px - 4, hi, px + 4, hi);
                }
                g.setStroke(new BasicStroke(2.5f));
                g.fillOval(px - 4, py - 4, 8, 8);
                if (prevX >= 0) g.drawLine(prevX, prevY, px, py);
                if (s.labels() != null) text(g, s.labels().get(i), px + 7, py - 7, c.darker());
                prevX = px;
                prevY = py;
            }
            g.setColor(c);
            g.fillRect(x1 + 20, yTop + row * 24, 14, 14);
            text(g, e.getKey(), x1 + 40, yTop + row * 24 + 12, Color.BLACK);
            row++;
        }
        text(g, title, x0, 30, Color.BLACK);
        text(g, xLabel + (log ? ", log scale" : ""), x0 + 150, h - 10, Color.DARK_GRAY);
        text(g, yLabel, x1 + 20, yBot, Color.DARK_GRAY);
        PngGrid.write(img, file);
    }

    /** Whether {@link #lines} draws x values from min to max on a log scale: all positive, spread more than {@link #LOG_SPAN}. */
    static boolean logScale(double min, double max) {
        return min > 0 && max / min > LOG_SPAN;
    }

    /** Whether point i of a series is drawn: both coordinates finite. */
    private static boolean drawn(Series s, int i) {
        return Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i]);
    }

    /**
     * Ticks for a log axis over [lo, hi] (0 &lt; lo &lt; hi): the values 1, 2 and 5 x 10^k in it, or where those are
     * more than {@link #MAX_TICKS}, the powers of ten, every so many decades when those are still too many.
     */
    static double[] logTicks(double lo, double hi) {
        if (!(lo > 0 && hi > lo && Double.isFinite(hi))) throw new IllegalArgumentException("log axis range [" + lo + ", " + hi + "]");
        int first = (int) Math.floor(Math.log10(lo)), last = (int) Math.ceil(Math.log10(hi));
        for (int[] mantissas : new int[][]{{1, 2, 5}, {1}}) {
            List<Double> ticks = new ArrayList<>();
            for (int exp = first; exp <= last; exp++)
                for (int m : mantissas) {
                    double t = tick(1, m, exp);
                    if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks.add(t);
                }
            if (ticks.size() <= MAX_TICKS) return ticks.stream().mapToDouble(Double::doubleValue).toArray();
        }
        int every = (last - first) / MAX_TICKS + 1;
        return java.util.stream.IntStream.rangeClosed(first, last).filter(e -> Math.floorMod(e, every) == 0).mapToDouble(e -> tick(1, 1, e))
                .filter(t -> t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)).toArray();
    }

    /** A linear map of [lo, hi] onto pixels from .. to (to &lt; from for a y axis, which grows upwards). */
    private record Axis(double lo, double hi, int from, int to) {
        /** The axis over the values from min to max: [0, 1] when there are none, one unit either side of a single value. */
        static Axis over(double min, double max, int from, int to) {
            if (!(min <= max)) return new Axis(0, 1, from, to);
            return max > min ? new Axis(min, max, from, to) : new Axis(min - 1, max + 1, from, to);
        }

        /** The axis widened by this fraction of its range at either end. */
        Axis padded(double fraction) {
            double pad = (hi - lo) * fraction;
            return new Axis(lo - pad, hi + pad, from, to);
        }

        int px(double v) {
            return from + (int) Math.round((v - lo) / (hi - lo) * (to - from));
        }

        void draw(Graphics2D g, int y, int top) {
            g.setColor(Color.GRAY);
            g.setStroke(new BasicStroke(1f));
            g.drawLine(from, y, to, y);
            for (double v : ticks(lo, hi)) {
                int x = px(v);
                g.setColor(new Color(0xEEEEEE));
                g.drawLine(x, top, x, y - 1);
                g.setColor(Color.GRAY);
                g.drawLine(x, y, x, y + 5);
                text(g, label(v), x - 14, y + 20, Color.DARK_GRAY);
            }
        }
    }

    /**
     * Round tick values for an axis over [lo, hi]: the multiples in it of the smallest step of the form {1, 2, 5} x 10^k
     * that gives at most {@link #MAX_TICKS} ticks. Each tick is the double nearest its decimal value (0.03, not
     * 3 x 0.01 = 0.030000000000000002), so {@link #label} prints it as written.
     */
    static double[] ticks(double lo, double hi) {
        if (!(Double.isFinite(lo) && Double.isFinite(hi) && lo < hi)) throw new IllegalArgumentException("axis range [" + lo + ", " + hi + "]");
        for (int exp = (int) Math.floor(Math.log10((hi - lo) / MAX_TICKS)); ; exp++) {
            for (int mantissa : new int[]{1, 2, 5}) {
                double step = tick(1, mantissa, exp);
                long first = (long) Math.ceil(lo / step - 1e-9), last = (long) Math.floor(hi / step + 1e-9);
                if (last - first + 1 > MAX_TICKS) continue;
                double[] ticks = new double[(int) (last - first + 1)];
                for (int i = 0; i < ticks.length; i++) ticks[i] = tick(first + i, mantissa, exp);
                return ticks;
            }
        }
    }

    /** i x mantissa x 10^exp, rounded once (a negative power of ten divides, as 10^-k is not exact in binary). */
    private static double tick(long i, int mantissa, int exp) {
        return exp >= 0 ? i * mantissa * Math.pow(10, exp) : i * mantissa / Math.pow(10, -exp);
    }

    /** A tick value as its shortest decimal: 0.1, 2, 0.25, 1500 (never 0.10000000000000001 or 1.5E3). */
    static String label(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static BufferedImage canvas(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        return img;
    }

    private static boolean fontsWork = true;

    private static void text(Graphics2D g, String s, int x, int y, Color c) {
        if (!fontsWork) return;
        try {
            g.setColor(c);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.drawString(s, x, y);
        } catch (Throwable e) {     // no usable font in this JDK: keep the plot, lose the labels
            fontsWork = false;
        }
    }

}

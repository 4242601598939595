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
import java.util.Arrays;
import java.util.Map;

/**
 * The report's two plots as PNG, drawn with Java2D: reward distributions per method (box = 25-75%, whisker =
 * 5-95%, tick = median, dots = samples) and lines of a statistic against M. Text needs a system font; where the
 * JDK has none (a bare container), the plot is drawn without its labels rather than not at all.
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

    /** Lines of y against x, one per series, x on a log scale (M = 1, 2, 5, 10, 20). */
    static void lines(double[] xs, Map<String, double[]> series, String title, String yLabel, Path file) throws IOException {
        int h = 520;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double[] v : series.values()) for (double y : v) if (Double.isFinite(y)) {
            lo = Math.min(lo, y);
            hi = Math.max(hi, y);
        }
        if (!(lo <= hi)) lo = hi = 0;                  // no finite value
        if (!(hi > lo)) hi = lo + 1;
        double pad = (hi - lo) * 0.08;
        double yLo = lo - pad, yHi = hi + pad;
        double xLo = Math.log(xs[0]), xHi = Math.log(xs[xs.length - 1]);
        if (!(xHi > xLo)) xHi = xLo + 1;
        BufferedImage img = canvas(W, h);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        int x0 = 90, x1 = W - 200, yTop = TOP, yBot = h - BOTTOM;
        g.setColor(Color.GRAY);
        g.drawLine(x0, yBot, x1, yBot);
        g.drawLine(x0, yTop, x0, yBot);
        for (double x : xs) {
            int px = x0 + (int) ((Math.log(x) - xLo) / (xHi - xLo) * (x1 - x0));
            g.setColor(Color.GRAY);
            g.drawLine(px, yBot, px, yBot + 5);
            text(g, label(x), px - 6, yBot + 20, Color.DARK_GRAY);
        }
        for (double y : ticks(yLo, yHi)) {
            int py = yBot - (int) ((y - yLo) / (yHi - yLo) * (yBot - yTop));
            g.setColor(new Color(0xEEEEEE));
            g.drawLine(x0 + 1, py, x1, py);
            text(g, label(y), 10, py + 5, Color.DARK_GRAY);
        }
        int row = 0;
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            Color c = PALETTE[row % PALETTE.length];
            g.setColor(c);
            g.setStroke(new BasicStroke(2.5f));
            int prevX = -1, prevY = -1;
            for (int i = 0; i < xs.length; i++) {
                double y = e.getValue()[i];
                if (!Double.isFinite(y)) continue;
                int px = x0 + (int) ((Math.log(xs[i]) - xLo) / (xHi - xLo) * (x1 - x0));
                int py = yBot - (int) ((y - yLo) / (yHi - yLo) * (yBot - yTop));
                g.fillOval(px - 4, py - 4, 8, 8);
                if (prevX >= 0) g.drawLine(prevX, prevY, px, py);
                prevX = px;
                prevY = py;
            }
            g.fillRect(x1 + 20, yTop + row * 24, 14, 14);
            text(g, e.getKey(), x1 + 40, yTop + row * 24 + 12, Color.BLACK);
            row++;
        }
        text(g, title, x0, 30, Color.BLACK);
        text(g, "M (candidates per step; best-of-n draws N = M samples, the same denoiser budget)", x0 + 150, h - 10, Color.DARK_GRAY);
        text(g, yLabel, x1 + 20, yBot, Color.DARK_GRAY);
        PngGrid.write(img, file);
    }

    private record Axis(double lo, double hi, int from, int to) {
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

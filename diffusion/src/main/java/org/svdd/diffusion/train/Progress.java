package org.svdd.diffusion.train;

import java.io.PrintStream;

/** A one-line progress bar: done/total, rate, a named value and the ETA, redrawn at most a few times a second. */
public final class Progress {
    private final PrintStream out;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private final long startCount;
    private long lastDraw;

    public Progress(PrintStream out, String label, long startCount, long total) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.startCount = startCount;
    }

    public void update(long done, String extra) {
        long now = System.nanoTime();
        if (now - lastDraw < 250_000_000L && done < total) return;
        lastDraw = now;
        double secs = (now - start) / 1e9, rate = (done - startCount) / Math.max(secs, 1e-9);
        long eta = rate > 0 ? (long) ((total - done) / rate) : 0;
        int width = 24, filled = (int) (width * done / Math.max(1, total));
        out.printf("\r%s %d/%d [%s%s] %.2f/s %s ETA %d:%02d ", label, done, total, "#".repeat(filled), ".".repeat(width - filled), rate, extra, eta / 60, eta % 60);
        if (done >= total) out.println();
        out.flush();
    }
}

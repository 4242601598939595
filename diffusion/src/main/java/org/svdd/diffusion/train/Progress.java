package org.svdd.diffusion.train;

import java.io.PrintStream;

/**
 * Progress of a job of known size: done/total, a bar, the rate, a named value and the ETA. On a terminal one line is
 * redrawn in place ({@code \r}) at most a few times a second; elsewhere (output piped or sent to a file) a plain line
 * is written at the first update, at every further tenth of the work and at the end, so a log stays a few lines long.
 * Updates after the end are ignored.
 */
public final class Progress {
    private static final long REDRAW_NANOS = 250_000_000L;
    private static final int LINES = 10;

    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private final long startCount;
    /** Non-terminal: the work between two lines, a tenth of the total rounded up. */
    private final long lineEvery;
    private long lastDraw = start - REDRAW_NANOS;
    /** Non-terminal: the count at which the next line is due. */
    private long nextLine = Long.MIN_VALUE;
    private boolean finished;

    /** Progress on out, redrawn in place when this process writes to a terminal, in plain lines otherwise. */
    public Progress(PrintStream out, String label, long startCount, long total) {
        this(out, onTerminal(), label, startCount, total);
    }

    private Progress(PrintStream out, boolean terminal, String label, long startCount, long total) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
        this.total = total;
        this.startCount = startCount;
        this.lineEvery = Math.max(1, (total + LINES - 1) / LINES);
    }

    /** Progress drawn as on a terminal ({@code \r} redraws) or not (plain lines), whatever the process writes to. */
    public static Progress to(PrintStream out, boolean terminal, String label, long startCount, long total) {
        return new Progress(out, terminal, label, startCount, total);
    }

    /** Whether standard input and output are an interactive terminal. */
    static boolean onTerminal() {
        return System.console() != null && System.console().isTerminal();
    }

    /** Reports done of total finished, with extra (a named value such as "loss 0.31") shown beside the rate. */
    public void update(long done, String extra) {
        if (finished) return;
        finished = done >= total;
        long now = System.nanoTime();
        boolean due = finished || (terminal ? now - lastDraw >= REDRAW_NANOS : done >= nextLine);
        if (!due) return;
        lastDraw = now;
        nextLine = done - Math.floorMod(done, lineEvery) + lineEvery;
        double secs = (now - start) / 1e9, rate = (done - startCount) / Math.max(secs, 1e-9);
        long eta = rate > 0 ? (long) ((total - done) / rate) : 0;
        int width = 24, filled = (int) (width * Math.min(done, total) / Math.max(1, total));
        String line = String.format("%s %d/%d [%s%s] %.2f/s %s ETA %d:%02d ", label, done, total, "#".repeat(filled), ".".repeat(width - filled),
                rate, extra, eta / 60, eta % 60);
        if (terminal) {
            out.print("\r" + line);
            if (finished) out.println();
        } else {
            out.println(line.stripTrailing());
        }
        out.flush();
    }
}

package org.svdd.reward;

import org.svdd.diffusion.io.PngGrid;
import org.svdd.tensor.Tensor;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A reward computed by any external program: {@code sh -c <command>} reads one sample per line on stdin and
 * writes one number per line on stdout, in order. This is how docking, folding or wet-lab surrogates plug in.
 * Samples go out in batches of at most {@code batch} rows, one process per batch; the timeout covers the whole
 * call (writing the input, the run, reading the output). The program and every process it started are killed when
 * a call ends, and when the JVM shuts down in the middle of one.
 * <p>What can go wrong is named, never silent: a non-zero exit (with the end of its stderr), a timeout, a wrong
 * number of lines, a line that is not a plain decimal number or not finite. With a penalty set, the affected rows
 * score the penalty instead and one warning line goes to stderr, so a long sampling run is not lost to one bad call.
 *
 * @param command   the shell command line
 * @param encoder   samples (B, ...) to their B input lines (letters for sequences, PNG paths for images)
 * @param batch     rows per process call
 * @param timeoutMs wall-clock limit per call
 * @param penalty   score for rows whose call failed or whose output is not a finite number; null = fail with an error
 */
public record ExecReward(String command, Function<Tensor, List<String>> encoder, int batch, long timeoutMs, Double penalty) implements Reward {
    /** How much of the end of the program's stderr is kept for error messages. */
    static final int STDERR_TAIL_BYTES = 4096;
    /** A number as a user writes one: optional sign, digits, optional fraction, optional exponent; not 3f, 0x1p2, NaN or Infinity. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    public ExecReward {
        if (command == null || command.isBlank()) throw new IllegalArgumentException("exec reward: empty command");
        if (batch < 1) throw new IllegalArgumentException("exec reward: batch must be >= 1, got " + batch);
        if (timeoutMs < 1) throw new IllegalArgumentException("exec reward: timeout must be >= 1 ms, got " + timeoutMs);
    }

    /** A failed call of the reward program. */
    public static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }

    /** Scores the rows batch by batch, one process per batch. */
    @Override
    public double[] score(Tensor x0) {
        return inBatches(x0, encoder, batch, penalty, this::call);
    }

    /**
     * The scores of x0's rows: their input lines from the encoder, then {@code call} on each batch of at most
     * {@code batch} lines. A batch whose call fails scores the penalty (one warning) or, without one, ends it all.
     * The input files a {@link #pngFiles} encoder wrote are deleted afterwards, whatever happened.
     */
    static double[] inBatches(Tensor x0, Function<Tensor, List<String>> encoder, int batch, Double penalty, Function<List<String>, double[]> call) {
        List<String> lines = encoder.apply(x0);
        try {
            if (lines.size() != x0.dim(0)) throw new IllegalStateException("encoder made " + lines.size() + " lines for " + x0.dim(0) + " samples");
            double[] out = new double[lines.size()];
            for (int from = 0; from < lines.size(); from += batch) {
                List<String> part = lines.subList(from, Math.min(lines.size(), from + batch));
                double[] s;
                try {
                    s = call.apply(part);
                } catch (Failure e) {
                    if (penalty == null) throw e;
                    System.err.println("svdd: " + e.getMessage() + "; " + part.size() + " samples scored " + plain(penalty));
                    s = new double[part.size()];
                    Arrays.fill(s, penalty);
                }
                System.arraycopy(s, 0, out, from, s.length);
            }
            return out;
        } finally {
            if (encoder instanceof PngFiles files) files.delete(lines);
        }
    }

    /** One run of the program on the given input lines, all within the timeout. */
    private double[] call(List<String> lines) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Process proc;
        try {
            proc = Running.start(command);
        } catch (IOException e) {
            throw new Failure("reward program '" + command + "' could not start: " + e.getMessage());
        }
        try {
            Drain stdout = new Drain(proc.getInputStream(), Integer.MAX_VALUE, "exec-reward-stdout-" + proc.pid());
            Drain stderr = new Drain(proc.getErrorStream(), STDERR_TAIL_BYTES, "exec-reward-stderr-" + proc.pid());
            Thread.ofPlatform().daemon().name("exec-reward-stdin-" + proc.pid()).start(() -> write(lines, proc));
            boolean done = proc.waitFor(nanosLeft(deadline), TimeUnit.NANOSECONDS) && stdout.await(deadline) && stderr.await(deadline);
            if (!done) throw new Failure("reward program '" + command + "' timed out after " + timeoutMs + " ms on " + lines.size() + " samples");
            int status = proc.exitValue();
            if (status != 0) throw new Failure("reward program '" + command + "' exited with status " + status + stderr.tail());
            return numbers(stdout.text(), lines.size(), stderr);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted while waiting for reward program '" + command + "'");
        } catch (IOException e) {
            throw new Failure("reward program '" + command + "': could not read its output: " + e);
        } finally {
            destroyTree(proc);
            Running.forget(proc);
        }
    }

    /** The program's output lines as scores; lines that are not finite plain decimals score the penalty, with one warning. */
    private double[] numbers(String stdout, int samples, Drain stderr) {
        String[] got = stdout.lines().filter(s -> !s.isBlank()).toArray(String[]::new);
        if (got.length != samples)
            throw new Failure("reward program '" + command + "' wrote " + got.length + " numbers for " + samples + " samples" + stderr.tail());
        double[] s = new double[got.length];
        int notFinite = 0;
        for (int i = 0; i < got.length; i++) {
            String word = got[i].strip();
            s[i] = DECIMAL.matcher(word).matches() ? Double.parseDouble(word) : Double.NaN;
            if (Double.isFinite(s[i])) continue;
            if (penalty == null) throw new Failure("reward program '" + command + "' line " + (i + 1) + " is not a finite number: '" + got[i] + "'");
            s[i] = penalty;
            notFinite++;
        }
        if (notFinite > 0)
            System.err.println("exec reward: " + notFinite + " of " + got.length + " outputs were not finite numbers; scored with the penalty " + plain(penalty));
        return s;
    }

    /** Writes the lines to the program's stdin; a program may exit, or be killed, without reading them all. */
    private static void write(List<String> lines, Process proc) {
        try (Writer in = new BufferedWriter(new OutputStreamWriter(proc.getOutputStream(), StandardCharsets.UTF_8))) {
            for (String l : lines) in.write(l + "\n");
        } catch (IOException e) {
            // its exit status and output say what happened
        }
    }

    static long nanosLeft(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    /** -10 rather than -10.0 in messages. */
    static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /**
     * Kills a process and every process it started; the descendants are listed first, while they are still its
     * descendants. Through its handle, because {@link Process#destroyForcibly} also closes stdin, which waits for the
     * stdin writer, itself blocked until every process holding the pipe (a child of {@code sh}) is dead.
     */
    static void destroyTree(Process proc) {
        List<ProcessHandle> descendants = proc.descendants().toList();
        proc.toHandle().destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Starts the reward programs (these and {@link WorkerReward}'s workers) and holds the running ones; a shutdown hook,
     * registered before the first one starts, kills what is left of them. Starting and the hook take turns, so no
     * program starts unseen by the hook.
     */
    static final class Running {
        private static final Set<Process> PROCESSES = new HashSet<>();
        private static boolean shuttingDown;

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(Running::killAll, "exec-reward-shutdown"));
        }

        static synchronized Process start(String command) throws IOException {
            if (shuttingDown) throw new IOException("the JVM is shutting down");
            Process proc = new ProcessBuilder("sh", "-c", command).start();
            PROCESSES.add(proc);
            return proc;
        }

        static synchronized void forget(Process proc) {
            PROCESSES.remove(proc);
        }

        private static synchronized void killAll() {
            shuttingDown = true;
            PROCESSES.forEach(ExecReward::destroyTree);
        }
    }

    /**
     * Reads a stream to its end on its own daemon thread, so that neither of the program's output pipes can fill up and
     * block it; keeps at most the last {@code keep} bytes.
     */
    static final class Drain {
        private final InputStream in;
        private final int keep;
        private final Thread thread;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private boolean cut;
        private IOException error;

        Drain(InputStream in, int keep, String threadName) {
            this.in = in;
            this.keep = keep;
            this.thread = Thread.ofPlatform().daemon().name(threadName).start(this::read);
        }

        private void read() {
            try (in) {
                byte[] chunk = new byte[8192];
                for (int n; (n = in.read(chunk)) >= 0; ) {
                    kept.write(chunk, 0, n);
                    if (kept.size() - keep > 16 * chunk.length) dropHead();
                }
            } catch (IOException e) {
                error = e;
            }
            if (kept.size() > keep) dropHead();
        }

        /** Keeps only the last {@code keep} bytes. */
        private void dropHead() {
            byte[] all = kept.toByteArray();
            kept.reset();
            kept.write(all, all.length - keep, keep);
            cut = true;
        }

        /** Whether the stream reached its end before the deadline. */
        boolean await(long deadline) throws InterruptedException {
            return thread.join(Duration.ofNanos(nanosLeft(deadline)));
        }

        /** What was kept; call after {@link #await} returned true. */
        String text() throws IOException {
            if (error != null) throw error;
            return kept.toString(StandardCharsets.UTF_8);
        }

        /** "; stderr: ..." with the end of what was read, or "" if there was nothing; for error messages. */
        String tail() {
            String t = kept.toString(StandardCharsets.UTF_8).strip();
            return t.isEmpty() ? "" : "; stderr: " + (cut ? "..." : "") + t;
        }
    }

    /** Token rows (B, L) as strings over an alphabet; ids outside it (PAD, MASK) are dropped. */
    public static Function<Tensor, List<String>> letters(String alphabet) {
        return x -> {
            int l = x.dim(1);
            int[] t = x.toIntArray();
            List<String> out = new ArrayList<>();
            for (int r = 0; r < x.dim(0); r++) {
                StringBuilder sb = new StringBuilder(l);
                for (int j = 0; j < l; j++) if (t[r * l + j] >= 0 && t[r * l + j] < alphabet.length()) sb.append(alphabet.charAt(t[r * l + j]));
                out.add(sb.toString());
            }
            return out;
        };
    }

    /**
     * Images (B, 1, H, W) written as PNG files into dir (sample_<k>.png, k counting across calls); the lines are their
     * paths. {@link #score} deletes the files after the calls, and dir too if that leaves it empty.
     */
    public static Function<Tensor, List<String>> pngFiles(Path dir) {
        return new PngFiles(dir);
    }

    /** The encoder of {@link #pngFiles}; one caller at a time. */
    private static final class PngFiles implements Function<Tensor, List<String>> {
        private final Path dir;
        private int written;

        PngFiles(Path dir) {
            this.dir = dir;
        }

        @Override
        public List<String> apply(Tensor x) {
            int b = x.dim(0), h = x.dim(2), w = x.dim(3);
            float[] px = x.toFloatArray();
            List<String> out = new ArrayList<>();
            try {
                Files.createDirectories(dir);
                for (int r = 0; r < b; r++) {
                    Path f = dir.resolve("sample_" + written++ + ".png").toAbsolutePath();
                    out.add(f.toString());
                    PngGrid.write(PngGrid.image(px, r, h), f);   // the image itself, h x h pixels (the models are square)
                }
                return out;
            } catch (IOException e) {
                delete(out);
                throw new UncheckedIOException("writing PNG files for the reward program into " + dir, e);
            }
        }

        /** Deletes the given files, then dir if nothing else is in it; what cannot be deleted is reported on stderr. */
        void delete(List<String> files) {
            try {
                for (String f : files) Files.deleteIfExists(Path.of(f));
                Files.deleteIfExists(dir);
            } catch (DirectoryNotEmptyException e) {
                // other files live there: the folder stays
            } catch (IOException e) {
                System.err.println("exec reward: could not delete the reward program's input files in " + dir + ": " + e);
            }
        }
    }
}

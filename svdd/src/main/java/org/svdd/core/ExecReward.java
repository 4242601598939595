package org.svdd.core;

import org.svdd.tensor.Tensor;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A reward computed by any external program: {@code sh -c <command>} reads one sample per line on stdin and
 * writes one number per line on stdout, in order. This is how docking, folding or wet-lab surrogates plug in.
 * Samples go out in batches of at most {@code batch} rows, one process per batch, each with a timeout.
 * <p>What can go wrong is named, never silent: a non-zero exit (with the end of its stderr), a timeout, a wrong
 * number of lines, a line that is not a number. With a penalty set, the affected rows score the penalty instead
 * and one warning line goes to stderr, so a long sampling run is not lost to one bad call.
 *
 * @param command   the shell command line
 * @param encoder   samples (B, ...) to their B input lines (letters for sequences, PNG paths for images)
 * @param batch     rows per process call
 * @param timeoutMs wall-clock limit per call
 * @param penalty   score for rows whose call failed; null = fail with an error
 */
public record ExecReward(String command, Function<Tensor, List<String>> encoder, int batch, long timeoutMs, Double penalty) implements Reward {
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

    @Override
    public double[] score(Tensor x0) {
        List<String> lines = encoder.apply(x0);
        if (lines.size() != x0.dim(0)) throw new IllegalStateException("encoder made " + lines.size() + " lines for " + x0.dim(0) + " samples");
        double[] out = new double[lines.size()];
        for (int from = 0; from < lines.size(); from += batch) {
            List<String> part = lines.subList(from, Math.min(lines.size(), from + batch));
            double[] s;
            try {
                s = call(part);
            } catch (Failure e) {
                if (penalty == null) throw e;
                System.err.println("svdd: " + e.getMessage() + "; " + part.size() + " samples scored " + penalty);
                s = new double[part.size()];
                Arrays.fill(s, penalty);
            }
            System.arraycopy(s, 0, out, from, s.length);
        }
        return out;
    }

    private double[] call(List<String> lines) {
        Process proc;
        try {
            proc = new ProcessBuilder("sh", "-c", command).start();
        } catch (IOException e) {
            throw new Failure("reward program '" + command + "' could not start: " + e.getMessage());
        }
        CompletableFuture<String> stdout = readAll(proc.getInputStream());
        CompletableFuture<String> stderr = readAll(proc.getErrorStream());
        try (Writer in = new OutputStreamWriter(proc.getOutputStream(), StandardCharsets.UTF_8)) {
            for (String l : lines) in.write(l + "\n");
        } catch (IOException e) {
            // the program may exit without reading all input; its exit status and output say what happened
        }
        try {
            if (!proc.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                proc.descendants().forEach(ProcessHandle::destroyForcibly);
                proc.destroyForcibly();
                throw new Failure("reward program '" + command + "' timed out after " + timeoutMs + " ms on " + lines.size() + " samples");
            }
            int code = proc.exitValue();
            String err = stderr.get(timeoutMs, TimeUnit.MILLISECONDS);
            if (code != 0) throw new Failure("reward program '" + command + "' exited with status " + code + tail(err));
            String[] got = stdout.get(timeoutMs, TimeUnit.MILLISECONDS).lines().filter(s -> !s.isBlank()).toArray(String[]::new);
            if (got.length != lines.size())
                throw new Failure("reward program '" + command + "' wrote " + got.length + " numbers for " + lines.size() + " samples" + tail(err));
            double[] s = new double[got.length];
            for (int i = 0; i < got.length; i++) {
                try {
                    s[i] = Double.parseDouble(got[i].trim());
                    if (!Double.isFinite(s[i])) throw new NumberFormatException();
                } catch (NumberFormatException e) {
                    if (penalty == null) throw new Failure("reward program '" + command + "' line " + (i + 1) + " is not a finite number: '" + got[i] + "'");
                    s[i] = penalty;
                }
            }
            return s;
        } catch (InterruptedException e) {
            proc.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new Failure("interrupted while waiting for reward program '" + command + "'");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new Failure("reward program '" + command + "': could not read its output: " + e);
        }
    }

    private static String tail(String err) {
        String t = err.strip();
        if (t.isEmpty()) return "";
        return "; stderr: " + (t.length() > 400 ? "..." + t.substring(t.length() - 400) : t);
    }

    private static CompletableFuture<String> readAll(InputStream s) {
        return CompletableFuture.supplyAsync(() -> {
            try (s) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                s.transferTo(b);
                return b.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
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

    /** Images (B, 1, H, W) written as PNG files into dir (sample_<k>.png, k counting across calls); the lines are their paths. */
    public static Function<Tensor, List<String>> pngFiles(java.nio.file.Path dir) {
        int[] counter = {0};
        return x -> {
            try {
                java.nio.file.Files.createDirectories(dir);
                int b = x.dim(0), h = x.dim(2), w = x.dim(3);
                float[] px = x.toFloatArray();
                List<String> out = new ArrayList<>();
                for (int r = 0; r < b; r++) {
                    java.nio.file.Path f = dir.resolve("sample_" + counter[0]++ + ".png").toAbsolutePath();
                    org.svdd.diffusion.io.PngGrid.write(org.svdd.diffusion.io.PngGrid.grid(Arrays.copyOfRange(px, r * h * w, (r + 1) * h * w), 1, h, 1, 1), f);
                    out.add(f.toString());
                }
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException("writing PNG files for the reward program into " + dir, e);
            }
        };
    }
}

package org.svdd.reward;

import org.svdd.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * How well RNA sequences fit a family's covariance model, by Infernal's {@code cmsearch}: the bit score of each
 * sequence's best hit against the model's sequence profile and secondary structure (real tRNAs score about 60 bits
 * against the tRNA model, shuffled ones about 0). One call scores a whole batch: the sequences go to a FASTA file, and
 * cmsearch runs with its filters off ({@code --max}) and no reporting threshold, so every sequence with a hit gets its
 * score. A sequence without a hit, or an empty one, scores {@link #NO_HIT}. Not differentiable, and slow (about 30 ms a
 * sequence): the kind of reward SVDD is for.
 *
 * <p>Errors name the problem: cmsearch not on PATH, a crash (exit status and the end of its output), a timeout.
 */
public final class InfernalReward implements Reward {
    /** The score of a sequence cmsearch finds no hit in: 0 bits, the level of shuffled tRNAs. */
    public static final double NO_HIT = 0;
    /** The search space of the E-values, in Mb (cmsearch -Z): fixed, so that an E-value does not depend on the batch. */
    public static final double SEARCH_SPACE_MB = 1;

    private final Path cm;
    private final Function<Tensor, List<String>> texts;
    private final long timeoutMs;
    private final int threads;

    /**
     * @param cm        the covariance model (.cm, calibrated for E-values)
     * @param texts     the RNA sequence of each sample of a batch
     * @param timeoutMs the longest one cmsearch call may run
     */
    public InfernalReward(Path cm, Function<Tensor, List<String>> texts, long timeoutMs) {
        if (!Files.isRegularFile(cm)) throw new IllegalArgumentException("covariance model " + cm + " is not a file");
        if (timeoutMs <= 0) throw new IllegalArgumentException("timeout must be > 0 ms, got " + timeoutMs);
        this.cm = cm;
        this.texts = texts;
        this.timeoutMs = timeoutMs;
        this.threads = Runtime.getRuntime().availableProcessors();
        available();
    }

    /** Fails with the fix if cmsearch cannot be started. */
    public static void available() {
        try {
            Process p = new ProcessBuilder("cmsearch", "-h").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("Infernal's cmsearch is not on PATH: install Debian's infernal (scripts/fetch-data.sh installs it)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while looking for cmsearch", e);
        }
    }

    @Override
    public double[] score(Tensor x0) {
        return hits(texts.apply(x0)).stream().mapToDouble(Hit::bits).toArray();
    }

    /** A sequence's best hit: bit score and E-value ({@link #NO_HIT} and +infinity when there is none). */
    public record Hit(double bits, double evalue) {
    }

    /** The best hit of each sequence, in order. */
    public List<Hit> hits(List<String> sequences) {
        Hit[] best = new Hit[sequences.size()];
        Arrays.fill(best, new Hit(NO_HIT, Double.POSITIVE_INFINITY));
        Path dir = null;
        try {
            dir = Files.createTempDirectory("svdd-cmsearch-");
            Path fasta = dir.resolve("samples.fa"), table = dir.resolve("hits.tbl"), log = dir.resolve("cmsearch.out");
            int written = 0;
            try (Writer w = Files.newBufferedWriter(fasta, StandardCharsets.US_ASCII)) {
                for (int i = 0; i < sequences.size(); i++) {
                    if (sequences.get(i).isEmpty()) continue;                   // cmsearch refuses empty records
                    w.write(">s" + i + "\n" + sequences.get(i) + "\n");
                    written++;
                }
            }
            if (written > 0) {
                run(List.of("cmsearch", "--cpu", Integer.toString(threads), "--toponly", "--max", "-T", "-1000", "-Z", Double.toString(SEARCH_SPACE_MB),
                        "--noali", "--tblout", table.toString(), cm.toString(), fasta.toString()), log);
                for (String line : Files.readAllLines(table)) {
                    if (line.startsWith("#") || line.isBlank()) continue;
                    String[] f = line.trim().split("\\s+");                       // target name ... score (15th), E-value (16th)
                    int i = Integer.parseInt(f[0].substring(1));
                    double bits = Double.parseDouble(f[14]), e = Double.parseDouble(f[15]);
                    if (best[i].evalue() == Double.POSITIVE_INFINITY || bits > best[i].bits()) best[i] = new Hit(bits, e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cmsearch on " + cm + ": " + e.getMessage(), e);
        } finally {
            if (dir != null) deleteAll(dir);
        }
        return List.of(best);
    }

    /**
     * How cmalign aligns one sequence to the model: the aligned sequence and, under it, the model's consensus secondary
     * structure (Stockholm's {@code #=GC SS_cons}: brackets pair, so the stems of a cloverleaf show as nested &lt; &gt;).
     */
    public List<String> align(String sequence) {
        if (sequence.isEmpty()) throw new IllegalArgumentException("cannot align an empty sequence");
        Path dir = null;
        try {
            dir = Files.createTempDirectory("svdd-cmalign-");
            Path fasta = Files.writeString(dir.resolve("one.fa"), ">sample\n" + sequence + "\n"), sto = dir.resolve("one.sto");
            run(List.of("cmalign", "--cpu", "1", "--noprob", "-o", sto.toString(), cm.toString(), fasta.toString()), dir.resolve("cmalign.out"));
            StringBuilder row = new StringBuilder(), ss = new StringBuilder();
            for (String line : Files.readAllLines(sto)) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 2 && f[0].equals("sample")) row.append(f[1]);
                if (f.length == 3 && f[0].equals("#=GC") && f[1].equals("SS_cons")) ss.append(f[2]);
            }
            return List.of(row.toString(), ss.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cmalign on " + cm + ": " + e.getMessage(), e);
        } finally {
            if (dir != null) deleteAll(dir);
        }
    }

    private void run(List<String> command, Path log) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            available();
            throw e;
        }
        try {
            if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.format(Locale.ROOT, "%s did not finish within %.1f s (%s)", command.getFirst(), timeoutMs / 1e3, String.join(" ", command)));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + command.getFirst() + " ran", e);
        }
        if (p.exitValue() != 0) {
            List<String> out = Files.readAllLines(log);
            String tail = String.join("\n", out.subList(Math.max(0, out.size() - 5), out.size()));
            throw new IllegalStateException(command.getFirst() + " exited with status " + p.exitValue() + " (" + String.join(" ", command) + "): " + tail);
        }
    }

    private static void deleteAll(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temporary folder left behind is not worth failing a run for
        }
    }
}

package org.svdd.reward;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.svdd.tensor.Tensor;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.svdd.reward.ExecReward.nanosLeft;

/**
 * A reward computed by a long-running external program, the worker: {@code sh -c <command>} is started on the first
 * batch and kept, so a program that loads a model pays for it once per run rather than once per batch. For each batch
 * it reads one JSON line {@code {"samples": ["ACGT...", ...]}} on stdin and writes one JSON line
 * {@code {"rewards": [0.5, ...]}} on stdout, in order; logs go to its stderr, which is drained all the time.
 * The samples are the lines {@link ExecReward} would send: letters or SMILES, or the paths of PNG files for images.
 * <p>The guarantees are {@link ExecReward}'s: the timeout covers each batch (the first one includes the worker's
 * start-up); a worker that exits, hangs or replies with anything but the rewards is a named error quoting the command,
 * its exit status and the end of its stderr, or the reply; with a penalty set, the batch scores the penalty instead,
 * with one warning, and rewards that are not finite numbers (NaN, null, a string) score it row by row. After a
 * failure the worker is killed, with every process it started, and the next batch starts a fresh one.
 * <p>{@link #close} closes the worker's stdin, gives it {@value #EXIT_WAIT_MS} ms to exit, then kills what is left;
 * a worker still running when the JVM stops is killed by {@link ExecReward.Running}'s shutdown hook. Calls are
 * serialised: one batch at a time goes to the one worker, and concurrent callers wait their turn.
 */
public final class WorkerReward implements Reward, AutoCloseable {
    /** How long an exiting worker gets before it is killed: after {@link #close}, or to report its exit status. */
    static final long EXIT_WAIT_MS = 2_000;
    /** How much of a reply an error message quotes. */
    private static final int QUOTE_CHARS = 200;
    /** Writes SMILES as they are: Gson would escape the = of C=O by default. */
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private final String command;
    private final Function<Tensor, List<String>> encoder;
    private final int batch;
    private final long timeoutMs;
    private final Double penalty;
    /** The running worker; null before the first batch and after a failure. */
    private Worker worker;
    private boolean closed;

    /**
     * A worker reward; nothing starts before the first batch.
     *
     * @param command   the shell command line
     * @param encoder   samples (B, ...) to their B strings (letters for sequences, PNG paths for images)
     * @param batch     samples per request
     * @param timeoutMs wall-clock limit per request
     * @param penalty   score for samples whose request failed or whose reward is not a finite number; null = fail with an error
     */
    public WorkerReward(String command, Function<Tensor, List<String>> encoder, int batch, long timeoutMs, Double penalty) {
        if (command == null || command.isBlank()) throw new IllegalArgumentException("worker reward: empty command");
        if (batch < 1) throw new IllegalArgumentException("worker reward: batch must be >= 1, got " + batch);
        if (timeoutMs < 1) throw new IllegalArgumentException("worker reward: timeout must be >= 1 ms, got " + timeoutMs);
        this.command = command;
        this.encoder = encoder;
        this.batch = batch;
        this.timeoutMs = timeoutMs;
        this.penalty = penalty;
    }

    /** Scores the rows batch by batch, one request to the worker per batch, starting the worker if none runs. */
    @Override
    public synchronized double[] score(Tensor x0) {
        if (closed) throw new IllegalStateException("worker reward '" + command + "' is closed");
        return ExecReward.inBatches(x0, encoder, batch, penalty, this::request);
    }

    /** Stops the worker: stdin closed, {@value #EXIT_WAIT_MS} ms to exit, then killed with its children. */
    @Override
    public synchronized void close() {
        closed = true;
        if (worker != null) worker.stop();
        worker = null;
    }

    /** One request and its reply, within the timeout; any failure kills the worker. */
    private double[] request(List<String> samples) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        if (worker == null) worker = new Worker();
        try {
            String reply = worker.ask(GSON.toJson(Map.of("samples", samples)), samples.size(), deadline);
            return rewards(reply, samples.size());
        } catch (ExecReward.Failure e) {
            worker.kill();
            worker = null;
            throw e;
        }
    }

    /**
     * The reply's rewards, read leniently (Python writes NaN for nan); those that are not finite numbers score the
     * penalty, with one warning.
     */
    private double[] rewards(String reply, int samples) {
        JsonArray got;
        try {
            got = JsonParser.parseString(reply) instanceof JsonObject o && o.get("rewards") instanceof JsonArray a ? a : null;
        } catch (JsonParseException e) {
            got = null;
        }
        if (got == null) throw failure("replied with no {\"rewards\": [...]}: " + quote(reply) + " (logs go to stderr)");
        if (got.size() != samples) throw failure("replied " + got.size() + " rewards for " + samples + " samples: " + quote(reply));
        double[] s = new double[samples];
        int notFinite = 0;
        for (int i = 0; i < samples; i++) {
            JsonElement r = got.get(i);
            s[i] = r.isJsonPrimitive() && r.getAsJsonPrimitive().isNumber() ? r.getAsDouble() : Double.NaN;
            if (Double.isFinite(s[i])) continue;
            if (penalty == null) throw failure("reward " + (i + 1) + " is not a finite number: " + r + " in " + quote(reply));
            s[i] = penalty;
            notFinite++;
        }
        if (notFinite > 0)
            System.err.println("worker reward: " + notFinite + " of " + samples + " rewards were not finite numbers; scored with the penalty " + ExecReward.plain(penalty));
        return s;
    }

    private ExecReward.Failure failure(String what) {
        return new ExecReward.Failure("reward worker '" + command + "' " + what);
    }

    /** The text in quotes, cut to {@value #QUOTE_CHARS} characters. */
    private static String quote(String text) {
        return "'" + (text.length() > QUOTE_CHARS ? text.substring(0, QUOTE_CHARS) + "..." : text) + "'";
    }

    /**
     * One run of the program: its stdin, its stdout read line by line into a queue (an empty Optional at its end), and
     * its stderr drained into a tail for error messages, each on its own daemon thread so no pipe ever blocks it.
     */
    private final class Worker {
        private final Process proc;
        private final Writer stdin;
        private final BlockingQueue<Optional<String>> replies = new LinkedBlockingQueue<>();
        private final ExecReward.Drain stderr;

        Worker() {
            try {
                proc = ExecReward.Running.start(command);
            } catch (IOException e) {
                throw failure("could not start: " + e.getMessage());
            }
            stdin = new BufferedWriter(new OutputStreamWriter(proc.getOutputStream(), StandardCharsets.UTF_8));
            stderr = new ExecReward.Drain(proc.getErrorStream(), ExecReward.STDERR_TAIL_BYTES, "worker-reward-stderr-" + proc.pid());
            Thread.ofPlatform().daemon().name("worker-reward-stdout-" + proc.pid()).start(this::readReplies);
        }

        /** Queues the non-blank lines of stdout, then its end. */
        private void readReplies() {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) if (!line.isBlank()) replies.add(Optional.of(line));
            } catch (IOException e) {
                // the worker was killed or closed its stdout: the end of the replies says so
            }
            replies.add(Optional.empty());
        }

        /**
         * Sends one request line and waits for the one reply line. The request is written on its own thread, so the
         * deadline holds even when the worker does not read it.
         */
        String ask(String request, int samples, long deadline) {
            try {
                Optional<String> stray = replies.peek();
                if (stray != null && stray.isPresent()) throw failure("wrote a line no request asked for: " + quote(stray.get()));
                Thread.ofPlatform().daemon().name("worker-reward-stdin-" + proc.pid()).start(() -> write(request));
                Optional<String> reply = replies.poll(nanosLeft(deadline), TimeUnit.NANOSECONDS);
                if (reply == null) throw failure("timed out after " + timeoutMs + " ms on " + samples + " samples");
                if (reply.isEmpty()) throw exited();
                return reply.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("interrupted while waiting for its reply");
            }
        }

        /** Writes a line; a worker may exit, or be killed, without reading it, which its end of stdout then reports. */
        private void write(String line) {
            try {
                stdin.write(line + "\n");
                stdin.flush();
            } catch (IOException e) {
                // the worker has gone: ask() reports how
            }
        }

        /** The failure of a worker whose stdout ended: its exit status and the end of its stderr. */
        private ExecReward.Failure exited() throws InterruptedException {
            long wait = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXIT_WAIT_MS);
            boolean gone = proc.waitFor(nanosLeft(wait), TimeUnit.NANOSECONDS);
            stderr.await(wait);
            return failure((gone ? "exited with status " + proc.exitValue() : "closed its stdout") + stderr.tail());
        }

        /** Closes stdin, waits up to {@value #EXIT_WAIT_MS} ms for the worker to exit, then kills what is left. */
        void stop() {
            List<ProcessHandle> children = proc.descendants().toList();
            try {
                stdin.close();
                proc.waitFor(EXIT_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (IOException e) {
                // it has gone already
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            kill();
            children.forEach(ProcessHandle::destroyForcibly);
        }

        /** Kills the worker and every process it started. */
        void kill() {
            ExecReward.destroyTree(proc);
            ExecReward.Running.forget(proc);
        }
    }
}

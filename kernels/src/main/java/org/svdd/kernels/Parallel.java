package org.svdd.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The persistent thread pool of the CPU backend: daemon workers sized to the cores ({@code -Dsvdd.threads=N} to
 * override, {@link #setThreads} at run time for benchmarks). {@link #forRange} splits [0, n) into one contiguous chunk
 * per thread; the caller runs the first chunk itself. Calls from inside a worker run inline, so kernels may nest.
 */
public final class Parallel {
    /** Work on the half-open range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static volatile int threads = Integer.getInteger("svdd.threads", CORES);
    private static final ForkJoinPool POOL = new ForkJoinPool(Math.max(CORES, 1), pool -> {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setDaemon(true);
        t.setName("svdd-worker-" + t.getPoolIndex());
        return t;
    }, null, false);

    /** True while the calling thread runs a chunk of a parallel region (workers are always inside one). */
    private static final ThreadLocal<boolean[]> INSIDE = ThreadLocal.withInitial(() -> new boolean[1]);

    private Parallel() {
    }

    /** Whether the caller is already running inside a parallel region, where nested calls run inline. */
    public static boolean inside() {
        return INSIDE.get()[0] || Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == POOL;
    }

    public static int threads() {
        return threads;
    }

    /** Sets the number of threads kernels use (at least 1, at most the pool size). */
    public static void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        threads = Math.min(n, POOL.getParallelism());
    }

    /** Runs body over [0, n) in up to threads() chunks and waits for all; the first exception is rethrown. */
    public static void forRange(int n, RangeBody body) {
        forRange(n, 1, body);
    }

    /** As {@link #forRange(int, RangeBody)}, but never makes a chunk smaller than minChunk (except the last). */
    public static void forRange(int n, int minChunk, RangeBody body) {
        if (n <= 0) return;
        int t = Math.min(threads, Math.max(1, n / Math.max(1, minChunk)));
        if (t <= 1 || inside()) {
            body.run(0, n);
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[t - 1];
        for (int i = 1; i < t; i++) {
            int start = (int) ((long) n * i / t), end = (int) ((long) n * (i + 1) / t);
            tasks[i - 1] = POOL.submit(() -> body.run(start, end));
        }
        RuntimeException failure = null;
        boolean[] inside = INSIDE.get();
        inside[0] = true;
        try {
            body.run(0, (int) ((long) n / t));
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            inside[0] = false;
        }
        for (ForkJoinTask<?> task : tasks) {
            try {
                task.join();
            } catch (RuntimeException e) {
                if (failure == null) failure = e;
            }
        }
        if (failure != null) throw failure;
    }
}

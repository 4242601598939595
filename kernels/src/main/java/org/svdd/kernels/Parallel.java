package org.svdd.kernels;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The persistent thread pool of the CPU backend. It uses {@link #threads()} threads: the available processors, or
 * {@code -Dsvdd.threads=N}, or {@link #setThreads} at run time (benchmarks). The pool holds threads() - 1 daemon
 * workers, started on first use; the calling thread is always the last one.
 *
 * <p>{@link #forRange} splits [0, n) into up to threads() contiguous chunks, chunk i = [n·i/t, n·(i+1)/t). The caller
 * publishes the region and then claims chunks itself, as do idle workers, so a region always finishes even when every
 * worker is busy elsewhere (several callers may share the pool). A call made while the thread is already running a
 * chunk (nested parallelism) runs inline.
 */
public final class Parallel {
    /** Work on the half-open range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /** Busy-wait iterations before a worker or a waiting caller parks; covers the gap between back-to-back kernels. */
    private static final int SPIN = 1 << 12;

    private static volatile int threads = defaultThreads();
    /** One entry per helper wanted: a worker that takes it claims chunks of that region until none are left. */
    private static final LinkedBlockingQueue<Region> TICKETS = new LinkedBlockingQueue<>();
    private static volatile int workerCount;
    /** Depth of parallel regions the current thread is running a chunk of; workers count as inside from birth. */
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Parallel() {
    }

    private static int defaultThreads() {
        int n = Integer.getInteger("svdd.threads", Runtime.getRuntime().availableProcessors());
        if (n < 1) throw new IllegalArgumentException("svdd.threads must be >= 1, got " + n);
        return n;
    }

    /** The number of threads a parallel region uses, the caller included. */
    public static int threads() {
        return threads;
    }

    /** Sets the number of threads later regions use (at least 1); workers are added when first needed. */
    public static void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        threads = n;
    }

    /** Whether the caller is running a chunk of a parallel region, where nested regions run inline. */
    public static boolean inside() {
        return Thread.currentThread() instanceof Worker || DEPTH.get()[0] > 0;
    }

    /** Runs body over [0, n) in up to threads() chunks and returns when all are done; rethrows the first failure. */
    public static void forRange(int n, RangeBody body) {
        forRange(n, 1, body);
    }

    /** As {@link #forRange(int, RangeBody)}, with at most n / minChunk chunks (so chunks hold at least minChunk). */
    public static void forRange(int n, int minChunk, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, minChunk)));
        if (chunks == 1 || inside()) {
            body.run(0, n);
            return;
        }
        if (workerCount < chunks - 1) addWorkers(chunks - 1);
        Region region = new Region(n, chunks, body, Thread.currentThread());
        for (int i = 1; i < chunks; i++) TICKETS.add(region);
        int[] depth = DEPTH.get();
        depth[0]++;
        try {
            region.work();
        } finally {
            depth[0]--;
        }
        region.await();
    }

    private static synchronized void addWorkers(int count) {
        for (int i = workerCount; i < count; i++) new Worker(i).start();
        workerCount = Math.max(workerCount, count);
    }

    /** One forRange call: chunks are claimed through next, and the caller is woken when done reaches chunks. */
    private static final class Region {
        final int n, chunks;
        final RangeBody body;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Region(int n, int chunks, RangeBody body, Thread caller) {
            this.n = n;
            this.chunks = chunks;
            this.body = body;
            this.caller = caller;
        }

        /** Claims and runs chunks until none are left. */
        void work() {
            for (int i; (i = next.getAndIncrement()) < chunks; ) {
                try {
                    if (failure == null) body.run((int) ((long) n * i / chunks), (int) ((long) n * (i + 1) / chunks));
                } catch (Throwable t) {
                    synchronized (this) {
                        if (failure == null) failure = t;
                    }
                }
                if (done.incrementAndGet() == chunks && Thread.currentThread() != caller) LockSupport.unpark(caller);
            }
        }

        /** Waits (spin, then park) until every chunk has finished; rethrows the first failure. */
        void await() {
            for (int spin = 0; done.get() < chunks; spin++) {
                if (spin < SPIN) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            Throwable t = failure;
            if (t instanceof RuntimeException e) throw e;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException(t);
        }
    }

    private static final class Worker extends Thread {
        Worker(int index) {
            super("svdd-worker-" + index);
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                Region region = TICKETS.poll();
                for (int spin = 0; region == null && spin < SPIN; spin++) {
                    Thread.onSpinWait();
                    region = TICKETS.poll();
                }
                try {
                    if (region == null) region = TICKETS.poll(1, TimeUnit.DAYS);
                } catch (InterruptedException e) {
                    continue;
                }
                if (region != null) region.work();
            }
        }
    }
}

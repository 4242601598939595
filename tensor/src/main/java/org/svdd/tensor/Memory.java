package org.svdd.tensor;

import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;

/**
 * Reused host memory: a pool of float arrays by exact length, and scopes that give their arrays back to it.
 *
 * <p>A training step or a denoiser pass makes the same tensors, of the same sizes, every time. Inside a {@link Scope}
 * the float storage of every large result (at least {@link #MIN_POOLED} elements) comes from the pool when it holds
 * an array of that length, and closing the scope returns the storage of every such tensor still alive; so the next
 * step takes its memory from the pool instead of having the JVM allocate and zero it again. Outside any scope storage
 * comes from the garbage-collected heap as usual: a scope is an optimisation that code opts into where it knows what
 * outlives the step ({@link #forward} for a denoiser pass under no-grad, the training loop for a step).
 *
 * <p>Java has no reference counts, so the two sides that could free a tensor's memory are kept apart. A scope holds
 * its tensors' storage weakly: one that dies inside the step is the collector's, which reuses it within the step as
 * it would without the pool (a step never needs more memory than without it). The pool holds its free arrays weakly
 * too: a collection empties it, so pooled memory never counts as live and never makes the heap grow. Between
 * collections, which the pool makes rarer, a step's memory goes round without being allocated again.
 *
 * <p>What must outlive a scope is {@link Scope#keep kept}: the result of a forward pass. Persistent state (gradients,
 * optimiser moments, EMA weights) is allocated {@link #outside} any scope and updated in place. A tensor whose
 * storage went back to the pool is dead: reading it fails with an error that says so (never silently reads another
 * tensor's numbers), views of it included.
 *
 * <p>Pooled arrays come back dirty. Kernels that write every element of their result take
 * {@link HostStorage#uninitialized}, the rest {@link HostStorage#zeros}. {@code -Dsvdd.memory.poison=true} fills every
 * uninitialized array with NaN, so that a kernel that does not write all of its result fails the conformance tests
 * (the kernels module runs them so). {@code -Dsvdd.memory.stats=true} prints the pool's counters at exit. The pool
 * holds at most half the maximum heap, evicting the least recently used lengths.
 */
public final class Memory {
    /** Smaller arrays come from the JVM's thread-local allocation buffers, which is cheap; pooling them would not pay. */
    public static final int MIN_POOLED = 4096;
    static final boolean POISON = Boolean.getBoolean("svdd.memory.poison");
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();
    private static final Pool POOL = new Pool(Runtime.getRuntime().maxMemory() / 2);

    static {
        if (Boolean.getBoolean("svdd.memory.stats")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.println("svdd: memory pool " + stats())));
        }
    }

    private Memory() {
    }

    /** Opens a scope on this thread, nested in the open one if any; close it on the same thread (try-with-resources). */
    public static Scope scope() {
        Scope s = new Scope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /**
     * Runs body with no scope open on this thread, so what it allocates lives until the garbage collector takes it:
     * how persistent state (gradients, optimiser moments) is made from inside a step.
     */
    public static <T> T outside(Supplier<T> body) {
        Scope open = CURRENT.get();
        CURRENT.remove();
        try {
            return body.get();
        } finally {
            if (open != null) CURRENT.set(open);
        }
    }

    /**
     * A forward pass: under no-grad, body runs in its own scope and only its result survives it (every intermediate
     * goes back to the pool). While gradients are recorded body runs as it is, since backward needs the intermediates.
     */
    public static Tensor forward(Supplier<Tensor> body) {
        if (Grad.enabled()) return body.get();
        try (Scope s = scope()) {
            return s.keep(body.get());
        }
    }

    /** Counters of the pool since the JVM started: takes served from it, takes that allocated, bytes it holds now. */
    public record Stats(long hits, long misses, long pooledBytes) {
    }

    public static Stats stats() {
        return POOL.stats();
    }

    /** A float array of length n for a new storage: from the pool inside a scope (its contents arbitrary), else fresh. */
    static float[] takeFloats(int n, boolean zeroed) {
        Scope s = CURRENT.get();
        float[] a = s == null || n < MIN_POOLED ? null : POOL.take(n);
        if (a == null) return new float[n];
        if (zeroed) Arrays.fill(a, 0f);
        return a;
    }

    /** Registers a storage made by {@link #takeFloats} with the open scope, which will give its array back. */
    static void register(HostStorage h, int n) {
        Scope s = CURRENT.get();
        if (s != null && n >= MIN_POOLED) s.owned.put(h, true);
    }

    /**
     * Memory lent to one step. Closing it gives the storage of every large tensor made in it back to the pool, except
     * what was kept. Scopes nest; closing one that is not the innermost open scope of its thread is an error.
     */
    public static final class Scope implements AutoCloseable {
        private final Scope parent;
        private final Thread owner = Thread.currentThread();
        /** Weakly: a storage that dies before the scope closes is the collector's, which may reuse it within the step. */
        private final Map<HostStorage, Boolean> owned = new WeakHashMap<>();
        private boolean closed;

        private Scope(Scope parent) {
            this.parent = parent;
        }

        /**
         * t (and every view of its storage) outlives this scope: it passes to the enclosing scope, or to the garbage
         * collector where there is none. Returns t.
         */
        public Tensor keep(Tensor t) {
            if (t.storage() instanceof HostStorage h && owned.remove(h) != null && parent != null) parent.owned.put(h, true);
            return t;
        }

        @Override
        public void close() {
            if (closed) return;
            if (Thread.currentThread() != owner || CURRENT.get() != this) {
                throw new IllegalStateException("a Memory scope must be closed on its own thread, innermost first");
            }
            closed = true;
            CURRENT.set(parent);
            List<float[]> back = new ArrayList<>(owned.size());
            for (HostStorage h : owned.keySet()) back.add(h.release());
            owned.clear();
            POOL.give(back);
        }
    }

    /**
     * A free array behind a small object that is what the pool holds weakly: the collector then sees the large array
     * itself as unreferenced once the holder is gone, and reclaims it at the next young collection.
     */
    private record Held(float[] array) {
    }

    /** Free arrays by length, the least recently used length first; the arrays softly held. */
    private static final class Pool {
        private final long capBytes;
        private final LinkedHashMap<Integer, ArrayDeque<WeakReference<Held>>> free = new LinkedHashMap<>(64, 0.75f, true);
        private long pooledBytes, hits, misses;

        Pool(long capBytes) {
            this.capBytes = capBytes;
        }

        synchronized float[] take(int n) {
            ArrayDeque<WeakReference<Held>> q = free.get(n);
            while (q != null && !q.isEmpty()) {
                Held h = q.pop().get();
                float[] a = h == null ? null : h.array();
                pooledBytes -= 4L * n;
                if (a != null) {
                    hits++;
                    return a;
                }
            }
            misses++;
            return null;
        }

        synchronized void give(List<float[]> arrays) {
            for (float[] a : arrays) {
                free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(new WeakReference<>(new Held(a)));
                pooledBytes += 4L * a.length;
            }
            Iterator<Map.Entry<Integer, ArrayDeque<WeakReference<Held>>>> lru = free.entrySet().iterator();
            while (pooledBytes > capBytes && lru.hasNext()) {
                Map.Entry<Integer, ArrayDeque<WeakReference<Held>>> e = lru.next();
                pooledBytes -= 4L * e.getKey() * e.getValue().size();
                lru.remove();
            }
        }

        synchronized Stats stats() {
            return new Stats(hits, misses, pooledBytes);
        }
    }
}

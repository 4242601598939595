package org.svdd.kernels.cuda;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Caching device allocator: blocks are rounded up to a power of two (at least 512 bytes) and, when the
 * {@link CudaStorage} that owned one becomes unreachable, go back to a free list of their size instead of to
 * {@code cuMemFree}. Device memory is returned only when the Java garbage collector notices the small storage
 * objects, so the allocator asks for a collection after every {@link #GC_HINT_BYTES} of fresh device allocations, and
 * on out-of-memory it collects and waits for the cleaners before emptying the cache and reporting the failure.
 */
final class CudaAllocator {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final long GC_HINT_BYTES = 2L << 30;
    private final Map<Long, ArrayDeque<CUdeviceptr>> free = new HashMap<>();
    private long cachedBytes;
    private long freshSinceGc;

    static long bucket(long bytes) {
        long b = 512;
        while (b < bytes) b <<= 1;
        return b;
    }

    CUdeviceptr take(long bytes) {
        long size = bucket(bytes);
        CUdeviceptr p = tryTake(size);
        for (int attempt = 0; p == null && attempt < 10; attempt++) {
            System.gc();
            try {
                Thread.sleep(20L * (attempt + 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            p = tryTake(size);
        }
        if (p == null) {
            releaseCache();
            p = tryTake(size);
        }
        if (p == null) throw new IllegalStateException("CUDA device out of memory allocating " + size + " bytes (cache held " + cachedBytes() + ")");
        boolean hint;
        synchronized (this) {
            hint = freshSinceGc > GC_HINT_BYTES;
            if (hint) freshSinceGc = 0;
        }
        if (hint) System.gc();
        return p;
    }

    /** A cached block or a fresh one; null when the device is out of memory. */
    private synchronized CUdeviceptr tryTake(long size) {
        ArrayDeque<CUdeviceptr> list = free.get(size);
        if (list != null && !list.isEmpty()) {
            cachedBytes -= size;
            return list.pop();
        }
        CUdeviceptr p = new CUdeviceptr();
        try {
            JCudaDriver.cuMemAlloc(p, size);
        } catch (RuntimeException outOfMemory) {
            return null;
        }
        freshSinceGc += size;
        return p;
    }

    synchronized void give(CUdeviceptr p, long bytes) {
        long size = bucket(bytes);
        free.computeIfAbsent(size, k -> new ArrayDeque<>()).push(p);
        cachedBytes += size;
    }

    synchronized void releaseCache() {
        for (ArrayDeque<CUdeviceptr> list : free.values()) for (CUdeviceptr p : list) JCudaDriver.cuMemFree(p);
        free.clear();
        cachedBytes = 0;
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }

    /** Returns the block to the cache once owner is unreachable. */
    void returnWhenUnreachable(Object owner, CUdeviceptr p, long bytes) {
        CLEANER.register(owner, () -> give(p, bytes));
    }
}

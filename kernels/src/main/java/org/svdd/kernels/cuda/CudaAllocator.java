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
 * {@code cuMemFree}. A failed allocation empties the cache and tries once more before reporting out-of-memory.
 */
final class CudaAllocator {
    private static final Cleaner CLEANER = Cleaner.create();
    private final Map<Long, ArrayDeque<CUdeviceptr>> free = new HashMap<>();
    private long cachedBytes;

    static long bucket(long bytes) {
        long b = 512;
        while (b < bytes) b <<= 1;
        return b;
    }

    synchronized CUdeviceptr take(long bytes) {
        long size = bucket(bytes);
        ArrayDeque<CUdeviceptr> list = free.get(size);
        if (list != null && !list.isEmpty()) {
            cachedBytes -= size;
            return list.pop();
        }
        CUdeviceptr p = new CUdeviceptr();
        try {
            JCudaDriver.cuMemAlloc(p, size);
        } catch (RuntimeException outOfMemory) {
            releaseCache();
            JCudaDriver.cuMemAlloc(p, size);
        }
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

package org.svdd.kernels.cuda;

import jcuda.driver.CUdeviceptr;
import org.svdd.tensor.DType;
import org.svdd.tensor.Storage;

/** A device buffer of {@code size} elements of {@code dtype}; its memory returns to the allocator's cache when unreachable. */
public final class CudaStorage implements Storage {
    private final DType dtype;
    private final int size;
    private final CUdeviceptr pointer;

    CudaStorage(CudaAllocator allocator, DType dtype, int size) {
        this.dtype = dtype;
        this.size = size;
        long bytes = Math.max(1L, (long) size * dtype.bytes());
        this.pointer = allocator.take(bytes);
        allocator.returnWhenUnreachable(this, pointer, bytes);
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int size() {
        return size;
    }

    /** The device address of element 0 (views add their offset in elements times the dtype size). */
    public CUdeviceptr pointer() {
        return pointer;
    }
}

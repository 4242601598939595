package org.svdd.tensor;

/** A flat buffer owned by one backend. Tensors are views (shape, strides, offset) over a storage. */
public interface Storage {
    DType dtype();

    /** Number of elements. */
    int size();
}

package org.svdd.tensor;

/** Element types. F32 holds values, F64 exists for gradient checks on the reference backend, I32/I64 hold token ids and indices. */
public enum DType {
    F32(4), F64(8), I32(4), I64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    public boolean isFloating() {
        return this == F32 || this == F64;
    }
}

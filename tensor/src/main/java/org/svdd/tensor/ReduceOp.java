package org.svdd.tensor;

/** Reductions over one axis. ARGMAX gives I64 indices (first maximum wins). */
public enum ReduceOp {
    SUM, MAX, ARGMAX
}

package org.svdd.kernels;

/**
 * A kernel operand: the floats of {@code data} from index {@code off} (a contiguous tensor's storage and offset, or a
 * scratch buffer). The kernels read both fields into locals before their loops, so passing one costs nothing there.
 */
public record Floats(float[] data, int off) {
    /** data from index 0. */
    public static Floats of(float[] data) {
        return new Floats(data, 0);
    }
}

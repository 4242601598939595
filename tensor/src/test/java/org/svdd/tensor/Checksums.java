package org.svdd.tensor;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** Fingerprints of named tensors, for tests that pin bits recorded from an earlier version of the code. */
public final class Checksums {
    private Checksums() {
    }

    /** The sum of every tensor as a double and a hash of the names and float bits of all of them, in name order. */
    public static String of(Map<String, Tensor> tensors) {
        double sum = 0;
        int hash = 1;
        for (Map.Entry<String, Tensor> e : new TreeMap<>(tensors).entrySet()) {
            float[] f = e.getValue().toFloatArray();
            int[] bits = new int[f.length];
            for (int i = 0; i < f.length; i++) {
                sum += f[i];
                bits[i] = Float.floatToRawIntBits(f[i]);
            }
            hash = 31 * (31 * hash + e.getKey().hashCode()) + Arrays.hashCode(bits);
        }
        return sum + " " + hash;
    }
}

package org.svdd.tensor.nn;

import org.svdd.tensor.Backend;
import org.svdd.tensor.Backends;
import org.svdd.tensor.DType;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;

import java.util.Arrays;

/**
 * Where and how parameters are created: the backend, the dtype (F32; F64 for gradient checks) and the seeded
 * random source. Every layer constructor takes one, so model initialisation is repeatable.
 */
public record Init(Backend backend, DType dtype, Rng rng) {
    /**
     * F32 parameters on the process-wide default backend: a test and entry-point convenience. Library code (loaders,
     * trainers) builds {@code new Init(backend, DType.F32, rng)} on the backend it was given.
     */
    public static Init of(Rng rng) {
        return new Init(Backends.current(), DType.F32, rng);
    }

    /** U(-bound, bound), PyTorch's default for Linear and Conv weights and biases with bound = 1/sqrt(fan_in). */
    public Tensor uniform(double bound, int... shape) {
        int n = Shape.numel(shape);
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (2 * rng.uniform() - 1) * bound;
        return cast(a, shape);
    }

    public Tensor normal(double std, int... shape) {
        int n = Shape.numel(shape);
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = rng.normal() * std;
        return cast(a, shape);
    }

    public Tensor constant(double value, int... shape) {
        double[] a = new double[Shape.numel(shape)];
        Arrays.fill(a, value);
        return cast(a, shape);
    }

    private Tensor cast(double[] a, int[] shape) {
        Tensor t = backend.upload(HostStorage.of(a), shape);
        return dtype == DType.F64 ? t : t.toDType(dtype);
    }
}

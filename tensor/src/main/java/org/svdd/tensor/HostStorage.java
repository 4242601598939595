package org.svdd.tensor;

import java.util.Arrays;

/**
 * A storage in Java heap memory: exactly one of the typed arrays is non-null. {@link #get}/{@link #set}
 * read and write any dtype as a double, which is how the reference backend stays one generic implementation.
 * Large F32 storages made inside a {@link Memory} scope borrow their array from its pool and give it back when the
 * scope closes; the storage is dead from then on, and reading it fails.
 */
public final class HostStorage implements Storage {
    private final DType dtype;
    private float[] f32;
    private final double[] f64;
    private final int[] i32;
    private final long[] i64;

    private HostStorage(DType dtype, float[] f32, double[] f64, int[] i32, long[] i64) {
        this.dtype = dtype;
        this.f32 = f32;
        this.f64 = f64;
        this.i32 = i32;
        this.i64 = i64;
    }

    /** A zero-filled storage of n elements on the heap, never pooled: for host data that its caller keeps. */
    public static HostStorage allocate(DType dtype, int n) {
        return switch (dtype) {
            case F32 -> new HostStorage(dtype, new float[n], null, null, null);
            case F64 -> new HostStorage(dtype, null, new double[n], null, null);
            case I32 -> new HostStorage(dtype, null, null, new int[n], null);
            case I64 -> new HostStorage(dtype, null, null, null, new long[n]);
        };
    }

    /** Zero-filled storage for a new tensor: borrowed from the pool inside a {@link Memory} scope. */
    public static HostStorage zeros(DType dtype, int n) {
        return dtype == DType.F32 ? pooled(n, true) : allocate(dtype, n);
    }

    /**
     * Storage for a new tensor whose contents are undefined, borrowed from the pool inside a {@link Memory} scope: for
     * a kernel that writes every element of its result.
     * (Under {@code -Dsvdd.memory.poison=true} they are NaN, or -1 for integers, so that a kernel that does not is caught.)
     */
    public static HostStorage uninitialized(DType dtype, int n) {
        if (dtype == DType.F32) return pooled(n, false);
        HostStorage h = allocate(dtype, n);
        if (Memory.POISON) h.fill(-1);
        return h;
    }

    private static HostStorage pooled(int n, boolean zeroed) {
        float[] a = Memory.takeFloats(n, zeroed);
        if (!zeroed && Memory.POISON) Arrays.fill(a, Float.NaN);
        HostStorage h = new HostStorage(DType.F32, a, null, null, null);
        Memory.register(h, n);
        return h;
    }

    /** Gives the array back (the scope that lent it is closing); the storage is dead from now on. */
    float[] release() {
        float[] a = f32;
        f32 = null;
        return a;
    }

    public static HostStorage of(float[] data) {
        return new HostStorage(DType.F32, data, null, null, null);
    }

    public static HostStorage of(double[] data) {
        return new HostStorage(DType.F64, null, data, null, null);
    }

    public static HostStorage of(int[] data) {
        return new HostStorage(DType.I32, null, null, data, null);
    }

    public static HostStorage of(long[] data) {
        return new HostStorage(DType.I64, null, null, null, data);
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int size() {
        if (released()) throw dead();
        return switch (dtype) {
            case F32 -> f32.length;
            case F64 -> f64.length;
            case I32 -> i32.length;
            case I64 -> i64.length;
        };
    }

    /** Only a pooled F32 storage can be released, and only it has no array then. */
    private boolean released() {
        return dtype == DType.F32 && f32 == null;
    }

    private static IllegalStateException dead() {
        return new IllegalStateException("this tensor's memory went back to the pool when its Memory scope closed;"
                + " keep() a tensor that must outlive its scope, or make it outside the scope");
    }

    public double get(int i) {
        if (released()) throw dead();
        return switch (dtype) {
            case F32 -> f32[i];
            case F64 -> f64[i];
            case I32 -> i32[i];
            case I64 -> i64[i];
        };
    }

    public void set(int i, double v) {
        switch (dtype) {
            case F32 -> f32[i] = (float) v;
            case F64 -> f64[i] = v;
            case I32 -> i32[i] = (int) v;
            case I64 -> i64[i] = (long) v;
        }
    }

    public void fill(double v) {
        switch (dtype) {
            case F32 -> Arrays.fill(f32, (float) v);
            case F64 -> Arrays.fill(f64, v);
            case I32 -> Arrays.fill(i32, (int) v);
            case I64 -> Arrays.fill(i64, (long) v);
        }
    }

    /** The backing float array; fails for other dtypes. */
    public float[] floats() {
        if (released()) throw dead();
        if (f32 == null) throw new IllegalStateException("storage is " + dtype + ", not F32");
        return f32;
    }

    public double[] doubles() {
        if (f64 == null) throw new IllegalStateException("storage is " + dtype + ", not F64");
        return f64;
    }

    public int[] ints() {
        if (i32 == null) throw new IllegalStateException("storage is " + dtype + ", not I32");
        return i32;
    }

    public long[] longs() {
        if (i64 == null) throw new IllegalStateException("storage is " + dtype + ", not I64");
        return i64;
    }
}

package org.svdd.tensor;

import java.util.Arrays;

/**
 * A storage in Java heap memory: exactly one of the typed arrays is non-null. {@link #get}/{@link #set}
 * read and write any dtype as a double, which is how the reference backend stays one generic implementation.
 */
public final class HostStorage implements Storage {
    private final DType dtype;
    private final float[] f32;
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

    public static HostStorage allocate(DType dtype, int n) {
        return switch (dtype) {
            case F32 -> new HostStorage(dtype, new float[n], null, null, null);
            case F64 -> new HostStorage(dtype, null, new double[n], null, null);
            case I32 -> new HostStorage(dtype, null, null, new int[n], null);
            case I64 -> new HostStorage(dtype, null, null, null, new long[n]);
        };
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
        return switch (dtype) {
            case F32 -> f32.length;
            case F64 -> f64.length;
            case I32 -> i32.length;
            case I64 -> i64.length;
        };
    }

    public double get(int i) {
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

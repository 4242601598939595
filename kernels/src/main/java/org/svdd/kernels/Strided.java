package org.svdd.kernels;

import org.svdd.tensor.Tensor;

/**
 * A row-major walk over several views of one shape, in runs along the innermost axis. Axes of size 1 are dropped and
 * neighbouring axes are merged wherever every view is contiguous across them, so a contiguous tensor is one long
 * run, a row-broadcast operand has inner stride 1 and a column-broadcast (or scalar) operand has inner stride 0.
 *
 * <p>Example: out (4, 8) contiguous and b (4, 8) expanded from (4, 1) coalesce to shape (4, 8) with inner strides
 * 1 and 0; the same out with a (4, 8) expanded from (1, 8) gives inner strides 1 and 1 and outer strides 8 and 0.
 */
final class Strided {
    /** Visits one run: offs[v] is the storage offset of the run's first element in view v; len elements follow. */
    interface RunBody {
        void run(int[] offs, int len);
    }

    private final int[] shape;
    private final int[][] strides;
    private final int[] base;
    private final int numel;

    private Strided(int[] shape, int[][] strides, int[] base, int numel) {
        this.shape = shape;
        this.strides = strides;
        this.base = base;
        this.numel = numel;
    }

    /** The coalesced walk over views (all of shape {@code shape}), each at its own offset and strides. */
    static Strided of(int[] shape, Tensor... views) {
        int[][] st = new int[views.length][];
        int[] base = new int[views.length];
        for (int v = 0; v < views.length; v++) {
            st[v] = views[v].strides();
            base[v] = views[v].offset();
        }
        return of(shape, st, base);
    }

    /** The coalesced walk over raw (strides, offset) layouts of one shape. */
    static Strided of(int[] shape, int[][] viewStrides, int[] base) {
        int k = viewStrides.length;
        int numel = 1;
        for (int d : shape) numel *= d;
        int[] cs = new int[shape.length + 1];
        int[][] cst = new int[k][shape.length + 1];
        int rank = 0;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) continue;
            boolean merge = rank > 0;
            for (int v = 0; v < k && merge; v++) merge = viewStrides[v][d] == cst[v][rank - 1] * cs[rank - 1];
            if (merge) {
                cs[rank - 1] *= shape[d];
            } else {
                cs[rank] = shape[d];
                for (int v = 0; v < k; v++) cst[v][rank] = viewStrides[v][d];
                rank++;
            }
        }
        if (rank == 0) {
            cs[0] = 1;
            rank = 1;
        }
        int[] outShape = new int[rank];
        int[][] outStrides = new int[k][rank];
        for (int d = 0; d < rank; d++) {
            outShape[d] = cs[rank - 1 - d];
            for (int v = 0; v < k; v++) outStrides[v][d] = cst[v][rank - 1 - d];
        }
        return new Strided(outShape, outStrides, base.clone(), numel);
    }

    /** Stride of view v along the innermost coalesced axis. */
    int innerStride(int view) {
        return strides[view][shape.length - 1];
    }

    /** Visits elements [start, end) of the row-major order as runs (the first and last may be partial). */
    void forRange(int start, int end, RunBody body) {
        if (start >= end) return;
        int rank = shape.length, k = base.length, last = rank - 1, n = shape[last];
        int[] idx = new int[rank];
        int[] offs = new int[k];
        int rem = start;
        for (int d = last; d >= 0; d--) {
            idx[d] = rem % shape[d];
            rem /= shape[d];
        }
        for (int v = 0; v < k; v++) {
            int o = base[v];
            for (int d = 0; d < rank; d++) o += idx[d] * strides[v][d];
            offs[v] = o;
        }
        int pos = start;
        while (pos < end) {
            int len = Math.min(n - idx[last], end - pos);
            body.run(offs, len);
            pos += len;
            if (pos >= end) break;
            for (int v = 0; v < k; v++) offs[v] += len * strides[v][last];
            idx[last] += len;
            for (int d = last; d > 0 && idx[d] == shape[d]; d--) {
                idx[d] = 0;
                idx[d - 1]++;
                for (int v = 0; v < k; v++) offs[v] += strides[v][d - 1] - shape[d] * strides[v][d];
            }
        }
    }

    /** {@link #forRange} over all elements, split across the {@link Parallel} pool when there are many. */
    void forAll(int grain, RunBody body) {
        if (numel < grain || Parallel.threads() == 1) {
            forRange(0, numel, body);
        } else {
            Parallel.forRange(numel, (s, e) -> forRange(s, e, body));
        }
    }
}

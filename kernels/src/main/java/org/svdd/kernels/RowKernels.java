package org.svdd.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row-wise fused kernels on contiguous (rows, n) arrays, parallel over rows: softmax and log-softmax, and the row
 * normalisation behind layer and group norm with its backward. Statistics accumulate in vector lanes of float and
 * are combined in double.
 */
public final class RowKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Rows per parallel chunk are chosen so a chunk has at least this many elements. */
    private static final int GRAIN = 1 << 14;

    private RowKernels() {
    }

    private static void forRows(int rows, int n, Parallel.RangeBody body) {
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(n, 1)), body);
    }

    /** y = softmax(x) (or log-softmax) over each row; y may start at a different offset. */
    public static void softmax(float[] x, int xo, float[] y, int yo, int rows, int n, boolean log) {
        forRows(rows, n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int xr = xo + r * n, yr = yo + r * n;
                float max = ElementwiseKernels.max(x, xr, n);
                if (max == Float.NEGATIVE_INFINITY) max = 0f;
                FloatVector vmax = FloatVector.broadcast(S, max);
                FloatVector acc = FloatVector.zero(S);
                int i = 0;
                for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                    FloatVector z = FloatVector.fromArray(S, x, xr + i).sub(vmax);
                    FloatVector e = VectorMath.exp(z);
                    acc = acc.add(e);
                    (log ? z : e).intoArray(y, yr + i);
                }
                double sum = VectorMath.sumLanes(acc);
                for (; i < n; i++) {
                    float z = x[xr + i] - max;
                    float e = (float) Math.exp(z);
                    sum += e;
                    y[yr + i] = log ? z : e;
                }
                if (log) {
                    ElementwiseKernels.binary(org.svdd.tensor.BinaryOp.SUB, y, yr, (float) Math.log(sum), y, yr, n);
                } else {
                    ElementwiseKernels.binary(org.svdd.tensor.BinaryOp.MUL, y, yr, (float) (1.0 / sum), y, yr, n);
                }
            }
        });
    }

    /** y = (x - mean) * rstd per row, rstd[r] = 1 / sqrt(var + eps) (biased variance, two passes). */
    public static void normalize(float[] x, int xo, float[] y, float[] rstd, int rows, int n, float eps) {
        forRows(rows, n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int xr = xo + r * n;
                float mean = (float) ((double) ElementwiseKernels.sum(x, xr, n) / n);
                FloatVector vm = FloatVector.broadcast(S, mean);
                FloatVector acc = FloatVector.zero(S);
                int i = 0;
                for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                    FloatVector d = FloatVector.fromArray(S, x, xr + i).sub(vm);
                    acc = d.fma(d, acc);
                }
                double var = VectorMath.sumLanes(acc);
                for (; i < n; i++) {
                    double d = x[xr + i] - mean;
                    var += d * d;
                }
                float rs = (float) (1.0 / Math.sqrt(var / n + eps));
                rstd[r] = rs;
                FloatVector vr = FloatVector.broadcast(S, rs);
                i = 0;
                for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                    FloatVector.fromArray(S, x, xr + i).sub(vm).mul(vr).intoArray(y, r * n + i);
                }
                for (; i < n; i++) y[r * n + i] = (x[xr + i] - mean) * rs;
            }
        });
    }

    /** gx = rstd * (gy - mean(gy) - y * mean(gy * y)) per row; gx starts at 0. */
    public static void normalizeBackward(float[] gy, int go, float[] y, int yo, float[] rstd, int ro, float[] gx, int rows, int n) {
        forRows(rows, n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int gr = go + r * n, yr = yo + r * n;
                FloatVector sg = FloatVector.zero(S), sgy = FloatVector.zero(S);
                int i = 0;
                for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                    FloatVector g = FloatVector.fromArray(S, gy, gr + i);
                    sg = sg.add(g);
                    sgy = g.fma(FloatVector.fromArray(S, y, yr + i), sgy);
                }
                double mg = VectorMath.sumLanes(sg), mgy = VectorMath.sumLanes(sgy);
                for (; i < n; i++) {
                    mg += gy[gr + i];
                    mgy += gy[gr + i] * y[yr + i];
                }
                float a = (float) (mg / n), b = (float) (mgy / n), rs = rstd[ro + r];
                FloatVector va = FloatVector.broadcast(S, a), vb = FloatVector.broadcast(S, b), vr = FloatVector.broadcast(S, rs);
                i = 0;
                for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                    FloatVector g = FloatVector.fromArray(S, gy, gr + i), yy = FloatVector.fromArray(S, y, yr + i);
                    g.sub(va).sub(yy.mul(vb)).mul(vr).intoArray(gx, r * n + i);
                }
                for (; i < n; i++) gx[r * n + i] = rs * (gy[gr + i] - a - y[yr + i] * b);
            }
        });
    }
}

package org.svdd.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.svdd.tensor.UnaryOp;

/**
 * Row-wise fused kernels on contiguous (rows, n) float arrays, parallel over rows: softmax and log-softmax, the row
 * normalisation behind layer norm with its backward, and group norm with its affine map and activation. The first two
 * have a scalar twin ({@code ...Reference}, double accumulation) used as the test oracle; group norm's oracle is the
 * reference backend's composition ({@code Backend.groupNorm}, compared in BackendConformance).
 *
 * <p>Row statistics are accumulated in float vector lanes over blocks of {@code 64 * lanes} elements; each block's
 * lanes are summed by a fixed pairwise tree into a double. The float part therefore only ever adds 16 numbers per lane, so sums
 * stay accurate to ~1e-7 relative for any n (and give the same bits interpreted or compiled). The variance is
 * two-pass with the compensation term, {@code var = (sum (x-m)^2 - (sum (x-m))^2 / n) / n}.
 */
public final class RowKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int BLOCK = 64 * L;
    /** Calls with fewer than this many elements in all run on the calling thread. */
    private static final int GRAIN = 1 << 15;

    private RowKernels() {
    }

    private static void forRows(int rows, int n, Parallel.RangeBody body) {
        long work = (long) rows * Math.max(n, 1);
        if (rows < 2 || Parallel.threads() <= 1 || work < GRAIN) body.run(0, rows);
        else Parallel.forRange(rows, body);
    }

    // =====================================================================================================
    // softmax / log-softmax
    // =====================================================================================================

    /**
     * y = softmax(x) over each row of the (rows, n) array x, or log-softmax when {@code log}: with m the row max,
     * softmax = exp(x - m) / sum exp(x - m), log-softmax = x - m - log(sum exp(x - m)). A row of all -inf gives NaN
     * (as PyTorch). y may be x at the same offset.
     */
    public static void softmax(int rows, int n, float[] x, int xOff, float[] y, int yOff, boolean log) {
        if (n == 0) return;
        forRows(rows, n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) softmaxRow(n, x, xOff + r * n, y, yOff + r * n, log);
        });
    }

    private static void softmaxRow(int n, float[] x, int xr, float[] y, int yr, boolean log) {
        float max = ElementwiseKernels.max(x, xr, n);
        if (max == Float.NEGATIVE_INFINITY) max = 0f;       // all -inf: exp gives 0, the sum 0, the result NaN
        FloatVector vmax = FloatVector.broadcast(S, max);
        double sum = 0;
        int i = 0;
        for (int bound = n - n % BLOCK; i < bound; i += BLOCK) {
            FloatVector acc = FloatVector.zero(S);
            for (int j = i; j < i + BLOCK; j += L) {
                FloatVector z = FloatVector.fromArray(S, x, xr + j).sub(vmax);
                FloatVector e = VectorMath.exp(z);
                acc = acc.add(e);
                (log ? z : e).intoArray(y, yr + j);
            }
            sum += ElementwiseKernels.sumLanes(acc);
        }
        FloatVector acc = FloatVector.zero(S);
        for (int bound = i + S.loopBound(n - i); i < bound; i += L) {
            FloatVector z = FloatVector.fromArray(S, x, xr + i).sub(vmax);
            FloatVector e = VectorMath.exp(z);
            acc = acc.add(e);
            (log ? z : e).intoArray(y, yr + i);
        }
        sum += ElementwiseKernels.sumLanes(acc);
        for (; i < n; i++) {
            float z = x[xr + i] - max;
            float e = (float) Math.exp(z);
            sum += e;
            y[yr + i] = log ? z : e;
        }
        if (log) scaleOrShift(y, yr, n, (float) Math.log(sum), true);
        else scaleOrShift(y, yr, n, (float) (1.0 / sum), false);
    }

    /** y[o + i] -= c (shift) or y[o + i] *= c. */
    private static void scaleOrShift(float[] y, int o, int n, float c, boolean shift) {
        FloatVector vc = FloatVector.broadcast(S, c);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, y, o + i);
            (shift ? v.sub(vc) : v.mul(vc)).intoArray(y, o + i);
        }
        for (; i < n; i++) y[o + i] = shift ? y[o + i] - c : y[o + i] * c;
    }

    /** Reference twin of {@link #softmax}: double throughout. */
    public static void softmaxReference(int rows, int n, float[] x, int xOff, float[] y, int yOff, boolean log) {
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * n, yr = yOff + r * n;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) max = Math.max(max, x[xr + i]);
            if (max == Double.NEGATIVE_INFINITY) max = 0;
            double sum = 0;
            for (int i = 0; i < n; i++) sum += Math.exp(x[xr + i] - max);
            double lse = Math.log(sum);
            for (int i = 0; i < n; i++) {
                double z = x[xr + i] - max;
                y[yr + i] = (float) (log ? z - lse : Math.exp(z) / sum);
            }
        }
    }

    // =====================================================================================================
    // normalize and its backward
    // =====================================================================================================

    /**
     * Row normalisation: for each row r of x (rows, n), mean m and biased variance v,
     * {@code rstd[rOff + r] = 1 / sqrt(v + eps)} and {@code y = (x - m) * rstd}. y may be x at the same offset.
     * n = 0 gives rstd = 1 / sqrt(eps).
     */
    public static void normalize(int rows, int n, float[] x, int xOff, float eps, float[] y, int yOff, float[] rstd,
                                 int rOff) {
        forRows(rows, n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) normalizeRow(n, x, xOff + r * n, eps, y, yOff + r * n, rstd, rOff + r);
        });
    }

    private static void normalizeRow(int n, float[] x, int xr, float eps, float[] y, int yr, float[] rstd, int ri) {
        double[] m = moments(n, x, xr, eps);
        rstd[ri] = (float) m[1];
        centredAffine(n, x, xr, m[0], (float) m[1], 0f, y, yr);
    }

    /**
     * {mean, 1 / sqrt(var + eps)} of the n floats at x[xr], the mean to double precision; n = 0 gives {0, 1 / sqrt(eps)}.
     */
    private static double[] moments(int n, float[] x, int xr, float eps) {
        if (n == 0) return new double[]{0, 1.0 / Math.sqrt(eps)};
        float mean = (float) (ElementwiseKernels.sumDouble(x, xr, n) / n);
        FloatVector vm = FloatVector.broadcast(S, mean);
        double ss = 0, sd = 0;                       // sum (x-m)^2 and sum (x-m), blocked
        int i = 0;
        for (int bound = n - n % BLOCK; i < bound; i += BLOCK) {
            FloatVector q0 = FloatVector.zero(S), q1 = q0, d0 = q0, d1 = q0;
            for (int j = i; j < i + BLOCK; j += 2 * L) {
                FloatVector a = FloatVector.fromArray(S, x, xr + j).sub(vm);
                FloatVector b = FloatVector.fromArray(S, x, xr + j + L).sub(vm);
                q0 = a.fma(a, q0);
                q1 = b.fma(b, q1);
                d0 = d0.add(a);
                d1 = d1.add(b);
            }
            ss += ElementwiseKernels.sumLanes(q0.add(q1));
            sd += ElementwiseKernels.sumLanes(d0.add(d1));
        }
        FloatVector q0 = FloatVector.zero(S), d0 = q0;
        for (int bound = i + S.loopBound(n - i); i < bound; i += L) {
            FloatVector a = FloatVector.fromArray(S, x, xr + i).sub(vm);
            q0 = a.fma(a, q0);
            d0 = d0.add(a);
        }
        ss += ElementwiseKernels.sumLanes(q0);
        sd += ElementwiseKernels.sumLanes(d0);
        for (; i < n; i++) {
            double a = x[xr + i] - mean;
            ss += a * a;
            sd += a;
        }
        double var = Math.max(0.0, (ss - sd * sd / n) / n);
        return new double[]{mean + sd / n, 1.0 / Math.sqrt(var + eps)};
    }

    /**
     * y = (x - mean) * scale + shift over n floats. The mean is subtracted as hi + lo floats, so that x - hi is exact
     * for x near the mean and y keeps its relative accuracy even when |mean| >> std. y may be x at the same offset.
     */
    private static void centredAffine(int n, float[] x, int xr, double mean, float scale, float shift, float[] y, int yr) {
        float hi = (float) mean, lo = (float) (mean - hi);
        FloatVector vh = FloatVector.broadcast(S, hi), vl = FloatVector.broadcast(S, lo);
        FloatVector vs = FloatVector.broadcast(S, scale), vt = FloatVector.broadcast(S, shift);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xr + i).sub(vh).sub(vl).mul(vs).add(vt).intoArray(y, yr + i);
        }
        for (; i < n; i++) y[yr + i] = (x[xr + i] - hi - lo) * scale + shift;
    }

    /** Reference twin of {@link #normalize}: two-pass mean and variance in double. */
    public static void normalizeReference(int rows, int n, float[] x, int xOff, float eps, float[] y, int yOff,
                                          float[] rstd, int rOff) {
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * n, yr = yOff + r * n;
            double mean = 0;
            for (int i = 0; i < n; i++) mean += x[xr + i];
            mean = n == 0 ? 0 : mean / n;
            double var = 0;
            for (int i = 0; i < n; i++) {
                double a = x[xr + i] - mean;
                var += a * a;
            }
            var = n == 0 ? 0 : var / n;
            double rs = 1.0 / Math.sqrt(var + eps);
            rstd[rOff + r] = (float) rs;
            for (int i = 0; i < n; i++) y[yr + i] = (float) ((x[xr + i] - mean) * rs);
        }
    }

    /**
     * Backward of {@link #normalize} given its output y and rstd: per row,
     * {@code gx = rstd * (gy - mean(gy) - y * mean(gy * y))}. gx may be gy at the same offset.
     */
    public static void normalizeBackward(int rows, int n, float[] gy, int gOff, float[] y, int yOff, float[] rstd,
                                         int rOff, float[] gx, int gxOff) {
        if (n == 0) return;
        forRows(rows, n, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                normalizeBackwardRow(n, gy, gOff + r * n, y, yOff + r * n, rstd[rOff + r], gx, gxOff + r * n);
            }
        });
    }

    private static void normalizeBackwardRow(int n, float[] gy, int gr, float[] y, int yr, float rs, float[] gx, int xr) {
        double[] sums = centredSums(n, gy, gr, y, yr, 0f);          // {sum gy, sum gy y}
        double sg = sums[0], sgy = sums[1];
        float mg = (float) (sg / n), mgy = (float) (sgy / n);
        FloatVector va = FloatVector.broadcast(S, mg), vb = FloatVector.broadcast(S, mgy), vr = FloatVector.broadcast(S, rs);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(S, gy, gr + i), yy = FloatVector.fromArray(S, y, yr + i);
            yy.neg().fma(vb, g.sub(va)).mul(vr).intoArray(gx, xr + i);
        }
        for (; i < n; i++) gx[xr + i] = rs * (gy[gr + i] - mg - y[yr + i] * mgy);
    }

    /** Reference twin of {@link #normalizeBackward}, in double. */
    public static void normalizeBackwardReference(int rows, int n, float[] gy, int gOff, float[] y, int yOff,
                                                  float[] rstd, int rOff, float[] gx, int gxOff) {
        for (int r = 0; r < rows; r++) {
            int gr = gOff + r * n, yr = yOff + r * n, xr = gxOff + r * n;
            double sg = 0, sgy = 0;
            for (int i = 0; i < n; i++) {
                sg += gy[gr + i];
                sgy += (double) gy[gr + i] * y[yr + i];
            }
            double mg = sg / n, mgy = sgy / n, rs = rstd[rOff + r];
            for (int i = 0; i < n; i++) gx[xr + i] = (float) (rs * (gy[gr + i] - mg - y[yr + i] * mgy));
        }
    }

    // =====================================================================================================
    // group norm: row statistics, the per-channel affine map and the activation in one pass per plane
    // =====================================================================================================

    /** Group norm sizes: x is (n, c, plane), its c channels in groups of c / groups. */
    public record GroupDims(int n, int c, int groups, int plane) {
        public GroupDims {
            if (n < 0 || c < 0 || plane < 0 || groups < 1 || c % groups != 0) {
                throw new IllegalArgumentException("group norm: n=" + n + " c=" + c + " groups=" + groups + " plane=" + plane);
            }
        }
    }

    /**
     * Group norm of x (N, C, plane) contiguous: per row r of its (N * groups, C / groups * plane) view, the mean and
     * rstd as {@link #normalize} computes them (written to mean[r], rstd[r]), then, one channel plane at a time,
     * out = act((x - mean) rstd gamma[c] + beta[c]) (gamma, beta (C) or null for 1 and 0, act null for none); out
     * from 0.
     */
    public static void groupNorm(GroupDims dims, Floats x, Floats gamma, Floats beta, float eps, UnaryOp act,
                                 float[] out, float[] mean, float[] rstd) {
        int groups = dims.groups(), plane = dims.plane(), cg = dims.c() / groups, m = cg * plane;
        float[] xd = x.data(), gmd = gamma == null ? null : gamma.data(), btd = beta == null ? null : beta.data();
        int xo = x.off(), gmo = gamma == null ? 0 : gamma.off(), bto = beta == null ? 0 : beta.off();
        forRows(dims.n() * groups, m, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                double[] mr = moments(m, xd, xo + r * m, eps);
                mean[r] = (float) mr[0];
                rstd[r] = (float) mr[1];
                for (int j = 0, ch = r % groups * cg; j < cg; j++, ch++) {
                    float gm = gmd == null ? 1f : gmd[gmo + ch], bt = btd == null ? 0f : btd[bto + ch];
                    int o = r * m + j * plane;
                    centredAffine(plane, xd, xo + o, mr[0], rstd[r] * gm, bt, out, o);
                    if (act != null) ElementwiseKernels.unaryRange(act, out, o, out, o, plane);
                }
            }
        });
    }

    /**
     * Backward of {@link #groupNorm} from its mean and rstd (N * groups), for the output gradient g (x's shape, contiguous),
     * into gx (x's size, from 0), with xhat = (x - mean) rstd recomputed: per plane gu = g act'(xhat gamma + beta)
     * (g itself without act), and its sums over the plane, sumGu and sumGuXhat (N * C, indexed by n * C + c; their
     * sums over n are beta's and gamma's gradients); then per row, with a = mean(gamma gu) and b = mean(gamma gu xhat),
     * {@code gx = rstd (gamma gu - a - xhat b)}.
     */
    public static void groupNormBackward(GroupDims dims, Floats g, Floats x, Floats mean, Floats rstd, Floats gamma,
                                         Floats beta, UnaryOp act, float[] gx, double[] sumGu, double[] sumGuXhat) {
        int groups = dims.groups(), plane = dims.plane(), cg = dims.c() / groups, m = cg * plane;
        if (m == 0) return;
        float[] gd = g.data(), xd = x.data(), md = mean.data(), rd = rstd.data();
        float[] gmd = gamma == null ? null : gamma.data(), btd = beta == null ? null : beta.data();
        int go = g.off(), xo = x.off(), mo = mean.off(), ro = rstd.off();
        int gmo = gamma == null ? 0 : gamma.off(), bto = beta == null ? 0 : beta.off();
        forRows(dims.n() * groups, m, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                float mu = md[mo + r], rs = rd[ro + r];
                double a = 0, b = 0;
                for (int j = 0, ch = r % groups * cg; j < cg; j++, ch++) {
                    float gm = gmd == null ? 1f : gmd[gmo + ch];
                    int o = r * m + j * plane, guOff = go + o;
                    float[] gu = gd;
                    if (act != null) {
                        centredAffine(plane, xd, xo + o, mu, rs * gm, btd == null ? 0f : btd[bto + ch], gx, o);   // u
                        ElementwiseKernels.unaryBackwardRange(act, gx, o, gd, guOff, gx, o, plane);                 // gu
                        gu = gx;
                        guOff = o;
                    }
                    double[] sums = centredSums(plane, gu, guOff, xd, xo + o, mu);
                    sumGu[r * cg + j] = sums[0];
                    sumGuXhat[r * cg + j] = sums[1] * rs;
                    a += gm * sums[0];
                    b += gm * sums[1] * rs;
                }
                float fa = (float) (a / m), fb = (float) (b / m);
                FloatVector va = FloatVector.broadcast(S, fa), vb = FloatVector.broadcast(S, fb);
                FloatVector vm = FloatVector.broadcast(S, mu), vr = FloatVector.broadcast(S, rs);
                for (int j = 0, ch = r % groups * cg; j < cg; j++, ch++) {
                    float gm = gmd == null ? 1f : gmd[gmo + ch];
                    int o = r * m + j * plane, xi = xo + o;
                    float[] gu = act == null ? gd : gx;
                    int guOff = act == null ? go + o : o;
                    FloatVector vg = FloatVector.broadcast(S, gm);
                    int i = 0;
                    for (int bound = S.loopBound(plane); i < bound; i += L) {
                        FloatVector xhat = FloatVector.fromArray(S, xd, xi + i).sub(vm).mul(vr);
                        FloatVector.fromArray(S, gu, guOff + i).mul(vg).sub(va).sub(xhat.mul(vb)).mul(vr).intoArray(gx, o + i);
                    }
                    for (; i < plane; i++) gx[o + i] = (gu[guOff + i] * gm - fa - (xd[xi + i] - mu) * rs * fb) * rs;
                }
            }
        });
    }

    /** {sum g, sum g (x - mu)} over the n floats at g[go] and x[xo], blocked like the other row sums. */
    private static double[] centredSums(int n, float[] g, int go, float[] x, int xo, float mu) {
        FloatVector vm = FloatVector.broadcast(S, mu);
        double sg = 0, sgx = 0;
        int i = 0;
        for (int bound = n - n % BLOCK; i < bound; i += BLOCK) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, b0 = a0, b1 = a0;
            for (int j = i; j < i + BLOCK; j += 2 * L) {
                FloatVector g0 = FloatVector.fromArray(S, g, go + j), g1 = FloatVector.fromArray(S, g, go + j + L);
                a0 = a0.add(g0);
                a1 = a1.add(g1);
                b0 = g0.fma(FloatVector.fromArray(S, x, xo + j).sub(vm), b0);
                b1 = g1.fma(FloatVector.fromArray(S, x, xo + j + L).sub(vm), b1);
            }
            sg += ElementwiseKernels.sumLanes(a0.add(a1));
            sgx += ElementwiseKernels.sumLanes(b0.add(b1));
        }
        FloatVector a0 = FloatVector.zero(S), b0 = a0;
        for (int bound = i + S.loopBound(n - i); i < bound; i += L) {
            FloatVector g0 = FloatVector.fromArray(S, g, go + i);
            a0 = a0.add(g0);
            b0 = g0.fma(FloatVector.fromArray(S, x, xo + i).sub(vm), b0);
        }
        sg += ElementwiseKernels.sumLanes(a0);
        sgx += ElementwiseKernels.sumLanes(b0);
        for (; i < n; i++) {
            sg += g[go + i];
            sgx += (double) g[go + i] * (x[xo + i] - mu);
        }
        return new double[]{sg, sgx};
    }
}

package org.svdd.kernels;

import java.util.Arrays;
import org.svdd.tensor.Conv2dParams;

/**
 * 2-D convolution (cross-correlation, as in PyTorch) on contiguous float arrays by im2col + {@link Sgemm}.
 *
 * <p>Shapes: x (N, C, H, W), w (O, C/G, KH, KW), y (N, O, OH, OW), G groups. Per image and group, with
 * K = C/G * KH * KW and P = OH * OW:
 * <pre>
 *   cols (K, P)      = im2col(x[n, group channels])
 *   y (O/G, P)       = w_g (O/G, K) · cols                                 forward
 *   cols (K, P)      = w_g^T (K, O/G) · gy (O/G, P);  gx += col2im(cols)   backward input
 *   gw_g^T (K, O/G) += cols (K, P) · gy^T (P, O/G)                          backward weight
 * </pre>
 * The columns are built for a band of output rows at a time, so the buffer stays bounded for large images; the band
 * is large (about 2 MiB) because every GEMM call packs its A operand again and longer panels amortise that (measured
 * with ConvTiming: 256 KiB bands ran 20% slower than whole-image ones, 64 KiB bands half as fast). A 1x1, stride-1, unpadded convolution needs
 * no im2col: the image itself is the (C/G, H*W) column matrix.
 *
 * <p>The batch is split across {@link Parallel} workers, each with its own column buffer, whenever there are at
 * least as many images as threads; otherwise images run one after another and each GEMM is parallel inside.
 */
public final class Conv2dKernel {
    /** Target size in floats of one column block (2 MiB). */
    private static final int BLOCK_FLOATS = 1 << 19;
    /** Each thread's column buffer, grown on demand (a one-slot holder so it can be replaced). */
    private static final ThreadLocal<float[][]> COLUMNS = ThreadLocal.withInitial(() -> new float[1][0]);

    private Conv2dKernel() {
    }

    /**
     * The sizes of one convolution: input (n, c, h, w), weight (o, c / groups, kh, kw), output (n, o, oh, ow).
     * Derived: cg = c / groups and og = o / groups channels per group, k = cg * kh * kw the GEMM depth,
     * p = oh * ow output pixels.
     */
    public record Geometry(int n, int c, int h, int w, int o, int kh, int kw, Conv2dParams params) {
        public int groups() { return params.groups(); }
        public int oh() { return params.outH(h, kh); }
        public int ow() { return params.outW(w, kw); }
        public int cg() { return c / params.groups(); }
        public int og() { return o / params.groups(); }
        public int k() { return cg() * kh * kw; }
        public int p() { return oh() * ow(); }

        /** Output rows per column block: at least one, at most oh, else about {@link #BLOCK_FLOATS} / (k * ow). */
        int band() {
            return Math.max(1, Math.min(oh(), BLOCK_FLOATS / Math.max(1, k() * ow())));
        }

        /**
         * Stride 1 and OW = W (a "same" convolution): consecutive output rows read consecutive input rows at the same
         * row stride, so the valid taps of a whole band form one contiguous stretch of the input.
         */
        boolean rowAligned() {
            return params.strideH() == 1 && params.strideW() == 1 && ow() == w;
        }

        /** 1x1, stride 1, no padding: the input already is the column matrix. */
        boolean pointwise() {
            return kh == 1 && kw == 1 && params.strideH() == 1 && params.strideW() == 1 && params.padH() == 0 && params.padW() == 0;
        }
    }

    /** Image body: runs one image of the batch, using the caller thread's column buffer. */
    private interface ImageBody {
        void run(int image, float[] cols);
    }

    /** Runs body for every image, over the batch in parallel when the batch is at least as large as the pool. */
    private static void forEachImage(Geometry g, ImageBody body) {
        forEachImageChunk(g, (start, end, cols) -> {
            for (int i = start; i < end; i++) body.run(i, cols);
        });
    }

    private static float[] columns(int size) {
        float[][] holder = COLUMNS.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }

    /**
     * Forward: y (N, O, OH, OW) = conv2d(x, w). Writes all of y.
     *
     * @param x input at xOff, contiguous (N, C, H, W)
     * @param w weight at wOff, contiguous (O, C/G, KH, KW)
     * @param y output from 0, contiguous (N, O, OH, OW); overwritten
     */
    public static void forward(float[] x, int xOff, float[] w, int wOff, float[] y, Geometry g) {
        int k = g.k(), p = g.p(), og = g.og(), cg = g.cg(), hw = g.h() * g.w();
        forEachImage(g, (img, cols) -> {
            for (int grp = 0; grp < g.groups(); grp++) {
                int xImg = xOff + (img * g.c() + grp * cg) * hw;
                int yOff = (img * g.o() + grp * og) * p;
                int wg = wOff + grp * og * k;
                if (g.pointwise()) {
                    Sgemm.sgemm(og, p, k, w, wg, k, 1, x, xImg, hw, 1, y, yOff, p, false);
                    continue;
                }
                for (int oy0 = 0; oy0 < g.oh(); oy0 += g.band()) {
                    int oy1 = Math.min(g.oh(), oy0 + g.band()), bp = (oy1 - oy0) * g.ow();
                    im2col(x, xImg, cols, g, oy0, oy1);
                    Sgemm.sgemm(og, bp, k, w, wg, k, 1, cols, 0, bp, 1, y, yOff + oy0 * g.ow(), p, false);
                }
            }
        });
    }

    /**
     * Gradient with respect to the input: gx (N, C, H, W) from gy (N, O, OH, OW) and w.
     *
     * @param gx output from 0, contiguous and zero-filled on entry; accumulated into
     */
    public static void backwardInput(float[] gy, int gyOff, float[] w, int wOff, float[] gx, Geometry g) {
        int k = g.k(), p = g.p(), og = g.og(), cg = g.cg(), hw = g.h() * g.w();
        forEachImage(g, (img, cols) -> {
            for (int grp = 0; grp < g.groups(); grp++) {
                int gyImg = gyOff + (img * g.o() + grp * og) * p;
                int gxImg = (img * g.c() + grp * cg) * hw;
                int wg = wOff + grp * og * k;
                if (g.pointwise()) {
                    Sgemm.sgemm(k, p, og, w, wg, 1, k, gy, gyImg, p, 1, gx, gxImg, hw, false);
                    continue;
                }
                for (int oy0 = 0; oy0 < g.oh(); oy0 += g.band()) {
                    int oy1 = Math.min(g.oh(), oy0 + g.band()), bp = (oy1 - oy0) * g.ow();
                    Sgemm.sgemm(k, bp, og, w, wg, 1, k, gy, gyImg + oy0 * g.ow(), p, 1, cols, 0, bp, false);
                    col2im(cols, gx, gxImg, g, oy0, oy1);
                }
            }
        });
    }

    /**
     * Gradient with respect to the weight: gw (O, C/G, KH, KW) = sum over images of gy · im2col(x)^T. Each chunk of
     * images accumulates the transpose gw_g^T (K, O/G) = cols (K, P) · gy^T (P, O/G), which reads the large column
     * matrix along its rows (the GEMM's fast packing path) and transposes only the small strided gy; the chunks'
     * partial sums are transposed into gw at the end, in chunk order, so the result does not depend on thread timing.
     *
     * @param gw output from 0, contiguous; overwritten
     */
    public static void backwardWeight(float[] x, int xOff, float[] gy, int gyOff, float[] gw, Geometry g) {
        int k = g.k(), p = g.p(), og = g.og(), cg = g.cg(), hw = g.h() * g.w();
        Arrays.fill(gw, 0, g.o() * k, 0f);
        float[][] partials = new float[g.n()][]; // by first image of the chunk, each (G, K, O/G)
        forEachImageChunk(g, (start, end, cols) -> {
            float[] gwT = new float[g.o() * k];
            partials[start] = gwT;
            for (int img = start; img < end; img++) {
                for (int grp = 0; grp < g.groups(); grp++) {
                    int gyImg = gyOff + (img * g.o() + grp * og) * p;
                    int part = grp * k * og;
                    int xImg = xOff + (img * g.c() + grp * cg) * hw;
                    if (g.pointwise()) {
                        Sgemm.sgemm(k, og, p, x, xImg, hw, 1, gy, gyImg, 1, p, gwT, part, og, true);
                        continue;
                    }
                    for (int oy0 = 0; oy0 < g.oh(); oy0 += g.band()) {
                        int oy1 = Math.min(g.oh(), oy0 + g.band()), bp = (oy1 - oy0) * g.ow();
                        im2col(x, xImg, cols, g, oy0, oy1);
                        Sgemm.sgemm(k, og, bp, cols, 0, bp, 1, gy, gyImg + oy0 * g.ow(), 1, p, gwT, part, og, true);
                    }
                }
            }
        });
        for (float[] gwT : partials) {
            if (gwT == null) continue;
            for (int grp = 0; grp < g.groups(); grp++)
                for (int r = 0; r < k; r++)
                    for (int oc = 0; oc < og; oc++) gw[(grp * og + oc) * k + r] += gwT[(grp * k + r) * og + oc];
        }
    }

    /** Chunk body: runs images start..end-1 with the caller thread's column buffer. */
    private interface ChunkBody {
        void run(int start, int end, float[] cols);
    }

    /** Like {@link #forEachImage} but hands whole chunks to body, so it can keep per-chunk partial sums. */
    private static void forEachImageChunk(Geometry g, ChunkBody body) {
        int colSize = g.pointwise() ? 0 : g.k() * g.band() * g.ow();
        if (g.n() >= Parallel.threads() && Parallel.threads() > 1) {
            Parallel.forRange(g.n(), (start, end) -> body.run(start, end, columns(colSize)));
        } else {
            body.run(0, g.n(), columns(colSize));
        }
    }

    /**
     * Unfolds output rows oy0..oy1-1 of one image's group of channels, x at xOff (C/G, H, W), into cols
     * (K, (oy1 - oy0) * OW): row (c, ky, kx), column (oy - oy0, ox) holds x[c, oy*sh - ph + ky*dh, ox*sw - pw + kx*dw],
     * or 0 in the padding. When {@link Geometry#rowAligned} the valid part of a row is one stretch of x, copied at once
     * and then cleared where it ran over the side padding.
     */
    static void im2col(float[] x, int xOff, float[] cols, Geometry g, int oy0, int oy1) {
        Conv2dParams q = g.params();
        int h = g.h(), w = g.w(), ow = g.ow(), sw = q.strideW(), sh = q.strideH(), bp = (oy1 - oy0) * ow;
        boolean aligned = g.rowAligned();
        int row = 0;
        for (int c = 0; c < g.cg(); c++) {
            int xc = xOff + c * h * w;
            for (int ky = 0; ky < g.kh(); ky++) {
                int iyBase = ky * q.dilH() - q.padH();
                int vLo = Math.max(oy0, firstValid(iyBase, sh)), vHi = Math.min(oy1, endValid(iyBase, sh, h, oy1));
                for (int kx = 0; kx < g.kw(); kx++, row++) {
                    int ix0 = kx * q.dilW() - q.padW();
                    int lo = firstValid(ix0, sw), hi = endValid(ix0, sw, w, ow);
                    int dst = row * bp;
                    if (lo >= hi || vLo >= vHi) {
                        Arrays.fill(cols, dst, dst + bp, 0f);
                        continue;
                    }
                    Arrays.fill(cols, dst, dst + (vLo - oy0) * ow, 0f);
                    Arrays.fill(cols, dst + (vHi - oy0) * ow, dst + bp, 0f);
                    if (aligned) {
                        int from = xc + (vLo + iyBase) * w + ix0 + lo, to = dst + (vLo - oy0) * ow + lo;
                        System.arraycopy(x, from, cols, to, (vHi - vLo - 1) * ow + hi - lo);
                    }
                    for (int oy = vLo; oy < vHi; oy++) {
                        int r = dst + (oy - oy0) * ow, src = xc + (oy * sh + iyBase) * w + ix0;
                        if (!aligned) {
                            if (sw == 1) System.arraycopy(x, src + lo, cols, r + lo, hi - lo);
                            else for (int ox = lo; ox < hi; ox++) cols[r + ox] = x[src + ox * sw];
                        }
                        for (int ox = 0; ox < lo; ox++) cols[r + ox] = 0f;
                        for (int ox = hi; ox < ow; ox++) cols[r + ox] = 0f;
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2col}: adds the band cols (K, (oy1 - oy0) * OW) back into gx at gxOff (C/G, H, W).
     * cols is scratch: its padding entries are cleared on the way.
     */
    static void col2im(float[] cols, float[] gx, int gxOff, Geometry g, int oy0, int oy1) {
        Conv2dParams q = g.params();
        int h = g.h(), w = g.w(), ow = g.ow(), sw = q.strideW(), sh = q.strideH(), bp = (oy1 - oy0) * ow;
        boolean aligned = g.rowAligned();
        int row = 0;
        for (int c = 0; c < g.cg(); c++) {
            int xc = gxOff + c * h * w;
            for (int ky = 0; ky < g.kh(); ky++) {
                int iyBase = ky * q.dilH() - q.padH();
                int vLo = Math.max(oy0, firstValid(iyBase, sh)), vHi = Math.min(oy1, endValid(iyBase, sh, h, oy1));
                for (int kx = 0; kx < g.kw(); kx++, row++) {
                    int ix0 = kx * q.dilW() - q.padW();
                    int lo = firstValid(ix0, sw), hi = endValid(ix0, sw, w, ow);
                    if (lo >= hi || vLo >= vHi) continue;
                    int src = row * bp;
                    for (int oy = vLo; oy < vHi; oy++) {
                        int r = src + (oy - oy0) * ow, dst = xc + (oy * sh + iyBase) * w + ix0;
                        if (aligned) {
                            for (int ox = 0; ox < lo; ox++) cols[r + ox] = 0f;
                            for (int ox = hi; ox < ow; ox++) cols[r + ox] = 0f;
                        } else if (sw == 1) {
                            for (int ox = lo; ox < hi; ox++) gx[dst + ox] += cols[r + ox];
                        } else {
                            for (int ox = lo; ox < hi; ox++) gx[dst + ox * sw] += cols[r + ox];
                        }
                    }
                    if (aligned) {
                        int to = xc + (vLo + iyBase) * w + ix0 + lo, from = src + (vLo - oy0) * ow + lo;
                        int len = (vHi - vLo - 1) * ow + hi - lo;
                        for (int i = 0; i < len; i++) gx[to + i] += cols[from + i];
                    }
                }
            }
        }
    }

    /** Smallest output index o with o*stride + i0 >= 0. */
    private static int firstValid(int i0, int stride) {
        return i0 >= 0 ? 0 : (-i0 + stride - 1) / stride;
    }

    /** One past the largest output index o < limit with o*stride + i0 < size (0 when there is none). */
    private static int endValid(int i0, int stride, int size, int limit) {
        if (i0 >= size) return 0;
        return Math.min(limit, (size - 1 - i0) / stride + 1);
    }
}

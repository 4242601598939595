package org.svdd.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.svdd.tensor.Conv2dParams;

/**
 * 2-D convolution (cross-correlation, as in PyTorch) on contiguous float arrays, on the {@link Sgemm} micro-kernel.
 *
 * <p>Three paths, chosen by the shapes ({@link Geometry}) and, for the first two, a batch of at least one image per
 * {@link Parallel} worker (they are parallel over images only):
 * <ul>
 *   <li>direct ({@link Geometry#direct}: unit column stride, output rows of whole vectors or 8-lane stretches, whole
 *   micro-tiles): the forward GEMM's B slivers are packed straight from x (or a zero-bordered copy of it), a slice
 *   of taps at a time, and used at once ({@link #forwardDirect}); a stride-1 input gradient is the forward
 *   convolution of gy with the flipped weight ({@link Geometry#transposed}), so it runs the same way;</li>
 *   <li>channels last ({@link Geometry#channelsLast}: input channels per group a whole number of B slivers): the
 *   weight gradient per kernel tap, on a (H, W, C) copy of x ({@link #backwardWeightChannelsLast});</li>
 *   <li>everything else by im2col + GEMM, as below.</li>
 * </ul>
 *
 * <p>Shapes: x (N, C, H, W), w (O, C/G, KH, KW), y (N, O, OH, OW), G groups. Per group, with K = C/G * KH * KW and
 * P = OH * OW, the GEMMs run on a block of columns: several whole images side by side, or for a large image a band of
 * its output rows (Q columns in all):
 * <pre>
 *   cols (K, Q)      = im2col(x[block, group channels])
 *   y (O/G, Q)       = w_g (O/G, K) · cols                                 forward
 *   cols (K, Q)      = w_g^T (K, O/G) · gy (O/G, Q);  gx += col2im(cols)   backward input
 *   gw_g^T (K, O/G) += cols (K, Q) · gy^T (Q, O/G)                          backward weight
 * </pre>
 * Blocks are large (a column buffer of about 2 MiB) because every GEMM call packs its A operand again and longer
 * panels amortise that (measured with ConvTiming: 256 KiB bands ran 20% slower than whole-image ones, 64 KiB bands half
 * as fast; the UNet's 8x8 and 16x16 layers ran 1.3-1.5x slower one image at a time), but not larger: 8 MiB blocks,
 * which leave the cache between im2col and the GEMM, ran the UNet's 32x32 layers 1.2x slower. With several images in a block, y and gy pass through a staging buffer (O/G, Q) that the GEMM reads or
 * writes whole. A 1x1, stride-1, unpadded convolution needs no im2col: each image itself is the (C/G, H*W) column
 * matrix, so it runs one image at a time.
 *
 * <p>The batch is split across {@link Parallel} workers, each with its own buffers, whenever there are at least as
 * many images as threads; otherwise images run one after another and each GEMM is parallel inside. The blocks depend
 * only on the shapes and the thread count, so results are reproducible.
 */
public final class Conv2dKernel {
    /** Target size in floats of one column block (2 MiB, about what stays in this CPU's caches between im2col and GEMM). */
    private static final int BLOCK_FLOATS = 1 << 19;
    /** Each thread's column and staging buffers, grown on demand. */
    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Half a preferred vector where that is 16 lanes: the loads of {@link #packSliverNarrow}. */
    private static final VectorSpecies<Float> NARROW = FloatVector.SPECIES_256;
    /**
     * Deepest slice of K the direct path packs at once: a B sliver of SLICE x NR floats (40 KiB on AVX-512) stays in
     * L1 while the weight's slivers stream past it.
     */
    private static final int SLICE = 320;

    private static final class Buffers {
        /** a itself when it holds size floats, else a new array of size. */
        private static float[] grown(float[] a, int size) {
            return a.length < size ? new float[size] : a;
        }

        float[] cols = new float[0];
        float[] stage = new float[0];
        /** The direct path's packed weight (all of it) and one packed B sliver (a slice of K x NR). */
        float[] packW = new float[0];
        float[] sliver = new float[0];
        /** The direct path's zero-bordered copy of one image's group of channels. */
        float[] padded = new float[0];

        float[] sliver(int size) {
            return sliver = grown(sliver, size);
        }

        float[] padded(int size) {
            return padded = grown(padded, size);
        }

        float[] packW(int size) {
            return packW = grown(packW, size);
        }

        float[] cols(int size) {
            return cols = grown(cols, size);
        }

        float[] stage(int size) {
            return stage = grown(stage, size);
        }
    }

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

        /** Whole images per column block: 1 when an image needs bands or is pointwise, else up to {@link #BLOCK_FLOATS}. */
        int images() {
            if (pointwise() || band() < oh()) return 1;
            return Math.max(1, Math.min(n, BLOCK_FLOATS / Math.max(1, k() * p())));
        }

        /**
         * Stride 1 and OW = W (a "same" convolution): consecutive output rows read consecutive input rows at the same
         * row stride, so the valid taps of a whole band form one contiguous stretch of the input.
         */
        boolean rowAligned() {
            return params.strideH() == 1 && params.strideW() == 1 && ow() == w;
        }

        /**
         * Unit column stride and output rows a whole number of vectors: every vector of output pixels lies in one row
         * and reads one stretch of an input row, so the GEMM's B operand can be packed straight from x
         * ({@link #forwardDirect}). The output is whole micro-tiles (channels per group a multiple of MR, pixels of
         * NR), so the micro-kernel writes y directly.
         */
        boolean direct() {
            return !pointwise() && params.strideW() == 1 && (ow() % L == 0 || narrowRows()) && og() % Sgemm.MR == 0
                    && p() % Sgemm.NR == 0;
        }

        /** Rows of whole 8-lane stretches where vectors are 16 lanes (8x8 layers on AVX-512): {@link #packSliverNarrow}. */
        boolean narrowRows() {
            return L == 2 * NARROW.length() && ow() % NARROW.length() == 0 && ow() % L != 0;
        }

        /**
         * Input channels per group a whole number of B slivers (NR) and output channels of micro-tile rows (MR): the
         * weight gradient runs per tap on channels-last x ({@link #backwardWeightChannelsLast}), any stride.
         */
        boolean channelsLast() {
            return cg() % Sgemm.NR == 0 && og() % Sgemm.MR == 0 && !pointwise();
        }

        /**
         * The convolution whose forward pass is this one's input gradient, where that is again a convolution: stride 1,
         * "same" padding (p &lt;= dil (k - 1)); null otherwise. gx = conv(gy, w') with w' (C, O/G, KH, KW),
         * w'[g, ci, oc, ky, kx] = w[g, oc, ci, KH-1-ky, KW-1-kx] and padding dil (k - 1) - p.
         */
        Geometry transposed() {
            Conv2dParams q = params;
            int padH = q.dilH() * (kh - 1) - q.padH(), padW = q.dilW() * (kw - 1) - q.padW();
            if (q.strideH() != 1 || q.strideW() != 1 || padH < 0 || padW < 0) return null;
            return new Geometry(n, o, oh(), ow(), c, kh, kw, new Conv2dParams(1, 1, padH, padW, q.dilH(), q.dilW(), q.groups()));
        }

        /** 1x1, stride 1, no padding: the input already is the column matrix. */
        boolean pointwise() {
            return kh == 1 && kw == 1 && params.strideH() == 1 && params.strideW() == 1 && params.padH() == 0 && params.padW() == 0;
        }
    }

    /**
     * One column block: images img0 .. img0 + imgs - 1, output rows oy0 .. oy1 - 1 of each (all rows when imgs &gt; 1
     * or the convolution is pointwise);
     * seg = (oy1 - oy0) * OW columns per image, q = imgs * seg in all; buf is the running thread's.
     */
    private interface BlockBody {
        void run(int img0, int imgs, int oy0, int oy1, int seg, int q, Buffers buf);
    }

    /** Runs body for every column block of images [start, end), in order. */
    private static void forEachBlock(Geometry g, int start, int end, BlockBody body) {
        Buffers buf = BUFFERS.get();
        int per = g.images(), ow = g.ow();
        for (int img0 = start; img0 < end; img0 += per) {
            int imgs = Math.min(per, end - img0);
            if (imgs > 1 || g.pointwise()) {
                body.run(img0, imgs, 0, g.oh(), g.p(), imgs * g.p(), buf);
                continue;
            }
            for (int oy0 = 0; oy0 < g.oh(); oy0 += g.band()) {
                int oy1 = Math.min(g.oh(), oy0 + g.band()), seg = (oy1 - oy0) * ow;
                body.run(img0, 1, oy0, oy1, seg, seg, buf);
            }
        }
    }

    /** Chunk body: runs images start..end-1 on one thread. */
    private interface ChunkBody {
        void run(int start, int end);
    }

    /**
     * Whether every worker gets at least one image (or there is one thread): the direct and channels-last paths are
     * parallel over images only, so a smaller batch keeps the GEMM path, which is parallel inside.
     */
    private static boolean imagesPerThread(Geometry g) {
        return Parallel.threads() == 1 || g.n() >= Parallel.threads();
    }

    /** Hands the batch to body in chunks, one per worker when the batch is at least as large as the pool. */
    private static void forEachImageChunk(Geometry g, ChunkBody body) {
        if (g.n() >= Parallel.threads() && Parallel.threads() > 1) Parallel.forRange(g.n(), body::run);
        else body.run(0, g.n());
    }

    /**
     * Forward: y (N, O, OH, OW) = conv2d(x, w). Writes all of y.
     *
     * @param x input at xOff, contiguous (N, C, H, W)
     * @param w weight at wOff, contiguous (O, C/G, KH, KW)
     * @param y output from 0, contiguous (N, O, OH, OW); overwritten
     */
    public static void forward(float[] x, int xOff, float[] w, int wOff, float[] y, Geometry g) {
        if (g.direct() && imagesPerThread(g)) {
            forEachImageChunk(g, (start, end) -> forwardDirect(x, xOff, w, wOff, y, g, start, end, false));
            return;
        }
        int k = g.k(), p = g.p(), og = g.og(), cg = g.cg(), hw = g.h() * g.w();
        forEachImageChunk(g, (start, end) -> forEachBlock(g, start, end, (img0, imgs, oy0, oy1, seg, q, buf) -> {
            for (int grp = 0; grp < g.groups(); grp++) {
                int wg = wOff + grp * og * k;
                int yOff = (img0 * g.o() + grp * og) * p + oy0 * g.ow();
                if (g.pointwise()) {
                    Sgemm.sgemm(og, p, k, w, wg, k, 1, x, xOff + (img0 * g.c() + grp * cg) * hw, hw, 1, y, yOff, p, false);
                    continue;
                }
                float[] cols = buf.cols(k * q);
                for (int i = 0; i < imgs; i++) im2col(x, xOff + ((img0 + i) * g.c() + grp * cg) * hw, cols, i * seg, q, g, oy0, oy1);
                if (imgs == 1) {
                    Sgemm.sgemm(og, q, k, w, wg, k, 1, cols, 0, q, 1, y, yOff, p, false);
                } else {
                    float[] stage = buf.stage(og * q);
                    Sgemm.sgemm(og, q, k, w, wg, k, 1, cols, 0, q, 1, stage, 0, q, false);
                    for (int i = 0; i < imgs; i++)
                        for (int oc = 0; oc < og; oc++) System.arraycopy(stage, oc * q + i * p, y, yOff + (i * g.o() + oc) * p, p);
                }
            }
        }));
    }

    /**
     * Forward of images [start, end) without a column matrix. Per group the weight is packed once (all of K); then
     * for each sliver of NR output pixels and each KC-deep slice of K the B sliver is packed straight from x
     * ({@link #packSliver}) and every MR-row sliver of the weight runs the GEMM micro-kernel on it while it sits in L1:
     * <pre>
     *   y[img, g] (O/G, P) = w_g (O/G, K) · im2col(x[img, g]) (K, P), one (KC x NR) piece of im2col at a time
     * </pre>
     * The output channels are few (32-128), so a B sliver is used only O/G / MR times: packing it into L1 and using
     * it at once beats the general GEMM, which packs a whole B panel into L3 first. With padding and rows of whole
     * vectors, each image's channels are first copied into a zero-bordered buffer, so that packing needs no masked
     * loads (which ran the 32-channel 32x32 layers about 1.4x slower) and no bounds tests. Rows of 8-lane stretches
     * keep their masked loads from x: with the same copy there, C2 compiled this method, the narrow packing inlined,
     * into code twenty times slower in UNetConvLayers (the cause was not pinned down; with
     * {@code -XX:CompileCommand=dontinline} on the packing it ran fast).
     *
     * @param accumulate y (+)= the convolution instead of y = it
     */
    private static void forwardDirect(float[] x, int xOff, float[] w, int wOff, float[] y, Geometry g, int start,
                                      int end, boolean accumulate) {
        int k = g.k(), p = g.p(), og = g.og(), cg = g.cg(), hw = g.h() * g.w();
        // K in equal slices of whole input channels: no short last slice that reloads C for little work
        int khw = g.kh() * g.kw(), slice = ceil(cg, ceil(k, SLICE)) * khw;
        boolean narrow = g.narrowRows();
        Conv2dParams q = g.params();
        // the source of the slivers: x itself, or with padding a zero-bordered copy (PH, PW) of the group's channels
        boolean pad = !narrow && (q.padH() > 0 || q.padW() > 0);
        int pw = g.w() + 2 * q.padW(), plane = (g.h() + 2 * q.padH()) * pw;
        Buffers buf = BUFFERS.get();
        float[] pa = buf.packW(og * k), pb = buf.sliver(slice * Sgemm.NR);
        float[] xp = pad ? buf.padded(cg * plane) : x;
        if (pad) Arrays.fill(xp, 0, cg * plane, 0f);
        for (int grp = 0; grp < g.groups(); grp++) {
            // slice pc of K: og / MR slivers of MR x kc, starting at og * pc
            for (int pc = 0; pc < k; pc += slice)
                Sgemm.packA(og, Math.min(slice, k - pc), w, wOff + grp * og * k + pc, k, 1, pa, og * pc);
            for (int img = start; img < end; img++) {
                int xImg = xOff + (img * g.c() + grp * cg) * hw, yImg = (img * g.o() + grp * og) * p;
                if (pad) {
                    for (int c = 0; c < cg; c++)
                        for (int r = 0; r < g.h(); r++)
                            System.arraycopy(x, xImg + c * hw + r * g.w(), xp, c * plane + (r + q.padH()) * pw + q.padW(), g.w());
                }
                int src = pad ? 0 : xImg, rs = pad ? pw : g.w(), ps = pad ? plane : hw;
                for (int j0 = 0; j0 < p; j0 += Sgemm.NR)
                    for (int pc = 0; pc < k; pc += slice) {
                        int kc = Math.min(slice, k - pc);
                        if (narrow) packSliverNarrow(x, xImg, g, pc, kc, j0, pb);
                        else packSliver(xp, src, rs, ps, g, pc, kc, j0, pb);
                        for (int i0 = 0; i0 < og; i0 += Sgemm.MR)
                            Sgemm.kernel(kc, pa, og * pc + i0 * kc, pb, 0, y, yImg + i0 * p + j0, p, accumulate || pc > 0);
                    }
            }
        }
    }

    /**
     * Rows pc .. pc + kc - 1 of one image's column matrix (row (c, ky, kx) as in {@link #im2col}; whole input
     * channels), output pixels j0 .. j0 + NR - 1, packed as one B sliver: pb[(r - pc) * NR + jj]. Each of the two
     * vectors of L pixels (NR = 2L) is one stretch of an output row ({@link Geometry#direct}), so it is one plain load
     * of src: x itself (rs = W, ps = H*W) or, for a padded convolution, its zero-bordered copy (rs = W + 2*padW,
     * ps = (H + 2*padH) * rs), where every tap's stretch lies inside a row. img is channel 0 of the image in src.
     */
    private static void packSliver(float[] src, int img, int rs, int ps, Geometry g, int pc, int kc, int j0, float[] pb) {
        Conv2dParams q = g.params();
        int ow = g.ow(), khw = g.kh() * g.kw(), d = 0;
        // start of the sliver's two vectors (a and b) for tap (0, 0) in channel 0
        int a = img + j0 / ow * q.strideH() * rs + j0 % ow, b = img + (j0 + L) / ow * q.strideH() * rs + (j0 + L) % ow;
        for (int c = pc / khw; c < (pc + kc) / khw; c++)
            for (int ky = 0; ky < g.kh(); ky++) {
                int tap = c * ps + ky * q.dilH() * rs;
                for (int kx = 0; kx < g.kw(); kx++, d += Sgemm.NR) {
                    FloatVector.fromArray(S, src, a + tap + kx * q.dilW()).intoArray(pb, d);
                    FloatVector.fromArray(S, src, b + tap + kx * q.dilW()).intoArray(pb, d + L);
                }
            }
    }

    /**
     * {@link #packSliver} for output rows of whole 8-lane stretches ({@link Geometry#narrowRows}): the sliver's NR = 32
     * pixels are four stretches, each one 8-lane load of x, masked where it runs into the side padding; rows in the
     * top or bottom padding are zero.
     */
    private static void packSliverNarrow(float[] x, int xImg, Geometry g, int pc, int kc, int j0, float[] pb) {
        Conv2dParams q = g.params();
        int h = g.h(), w = g.w(), ow = g.ow(), khw = g.kh() * g.kw(), n = NARROW.length(), d = 0;
        int[] iy = new int[4], ix = new int[4];
        for (int s = 0; s < 4; s++) { // input row and column of stretch s for tap (0, 0)
            iy[s] = (j0 + s * n) / ow * q.strideH() - q.padH();
            ix[s] = (j0 + s * n) % ow - q.padW();
        }
        for (int c = pc / khw; c < (pc + kc) / khw; c++) {
            int xc = xImg + c * h * w;
            for (int ky = 0; ky < g.kh(); ky++)
                for (int kx = 0; kx < g.kw(); kx++, d += Sgemm.NR)
                    for (int s = 0; s < 4; s++) {
                        int y = iy[s] + ky * q.dilH(), xx = ix[s] + kx * q.dilW(), row = xc + y * w;
                        FloatVector v = y < 0 || y >= h ? FloatVector.zero(NARROW)
                                : xx >= 0 && xx + n <= w ? FloatVector.fromArray(NARROW, x, row + xx)
                                : FloatVector.fromArray(NARROW, x, row + xx, NARROW.indexInRange(xx, w));
                        v.intoArray(pb, d + s * n);
                    }
        }
    }

    /**
     * Gradient with respect to the input: gx (N, C, H, W) from gy (N, O, OH, OW) and w. Where it is again a
     * convolution that takes the direct path ({@link Geometry#transposed}), it runs as one, with the flipped weight;
     * else by GEMM into a column matrix and {@link #col2im}. The two sum an element's terms in different orders, so
     * the choice depends on the geometry alone, never on the batch: an image's gradient is the same in any batch
     * (the direct path is parallel over images only, so a batch smaller than the pool runs on fewer threads).
     *
     * @param gx output from 0, contiguous and zero-filled on entry; accumulated into
     */
    public static void backwardInput(float[] gy, int gyOff, float[] w, int wOff, float[] gx, Geometry g) {
        Geometry t = g.transposed();
        if (t != null && t.direct()) {
            float[] wt = flipped(w, wOff, g);
            forEachImageChunk(t, (start, end) -> forwardDirect(gy, gyOff, wt, 0, gx, t, start, end, true));
            return;
        }
        int k = g.k(), p = g.p(), og = g.og(), cg = g.cg(), hw = g.h() * g.w();
        forEachImageChunk(g, (start, end) -> forEachBlock(g, start, end, (img0, imgs, oy0, oy1, seg, q, buf) -> {
            for (int grp = 0; grp < g.groups(); grp++) {
                int wg = wOff + grp * og * k;
                int gyBlock = gyOff + (img0 * g.o() + grp * og) * p + oy0 * g.ow();
                if (g.pointwise()) {
                    Sgemm.sgemm(k, p, og, w, wg, 1, k, gy, gyBlock, p, 1, gx, (img0 * g.c() + grp * cg) * hw, hw, false);
                    continue;
                }
                float[] cols = buf.cols(k * q);
                if (imgs == 1) {
                    Sgemm.sgemm(k, q, og, w, wg, 1, k, gy, gyBlock, p, 1, cols, 0, q, false);
                } else {
                    float[] stage = gatherRows(gy, gyBlock, og, imgs, g, buf);
                    Sgemm.sgemm(k, q, og, w, wg, 1, k, stage, 0, q, 1, cols, 0, q, false);
                }
                for (int i = 0; i < imgs; i++) col2im(cols, i * seg, q, gx, ((img0 + i) * g.c() + grp * cg) * hw, g, oy0, oy1);
            }
        }));
    }

    /**
     * Gradient with respect to the weight: gw (O, C/G, KH, KW) = sum over images of gy · im2col(x)^T. Where the
     * input channels per group are whole B slivers ({@link Geometry#channelsLast}) it runs per kernel tap on a
     * channels-last copy of x ({@link #backwardWeightChannelsLast}). Otherwise each chunk of images accumulates the
     * transpose gw_g^T (K, O/G) = cols (K, Q) · gy^T (Q, O/G), which reads the large column matrix along its rows (the
     * GEMM's fast packing path) and transposes only the small strided gy. Either way the chunks' partial sums are added
     * into gw at the end, in chunk order, so the result does not depend on thread timing.
     *
     * @param gw output from 0, contiguous; overwritten
     */
    public static void backwardWeight(float[] x, int xOff, float[] gy, int gyOff, float[] gw, Geometry g) {
        int k = g.k(), p = g.p(), og = g.og(), cg = g.cg(), hw = g.h() * g.w();
        Arrays.fill(gw, 0, g.o() * k, 0f);
        if (g.channelsLast() && imagesPerThread(g)) {
            int taps = g.kh() * g.kw();
            float[][] partials = new float[g.n()][]; // by first image of the chunk, each (G, KH*KW, O/G, C/G)
            forEachImageChunk(g, (start, end) -> {
                float[] part = new float[g.o() * k];
                partials[start] = part;
                backwardWeightChannelsLast(x, xOff, gy, gyOff, part, g, start, end, BUFFERS.get());
            });
            for (float[] part : partials) {
                if (part == null) continue;
                for (int grp = 0; grp < g.groups(); grp++)
                    for (int t = 0; t < taps; t++)
                        for (int oc = 0; oc < og; oc++)
                            for (int c = 0; c < cg; c++)
                                gw[((grp * og + oc) * cg + c) * taps + t] += part[((grp * taps + t) * og + oc) * cg + c];
            }
            return;
        }
        float[][] partials = new float[g.n()][]; // by first image of the chunk, each (G, K, O/G)
        forEachImageChunk(g, (start, end) -> {
            float[] gwT = new float[g.o() * k];
            partials[start] = gwT;
            forEachBlock(g, start, end, (img0, imgs, oy0, oy1, seg, q, buf) -> {
                for (int grp = 0; grp < g.groups(); grp++) {
                    int part = grp * k * og;
                    int gyBlock = gyOff + (img0 * g.o() + grp * og) * p + oy0 * g.ow();
                    if (g.pointwise()) {
                        Sgemm.sgemm(k, og, p, x, xOff + (img0 * g.c() + grp * cg) * hw, hw, 1, gy, gyBlock, 1, p, gwT, part, og, true);
                        continue;
                    }
                    float[] cols = buf.cols(k * q);
                    for (int i = 0; i < imgs; i++) im2col(x, xOff + ((img0 + i) * g.c() + grp * cg) * hw, cols, i * seg, q, g, oy0, oy1);
                    if (imgs == 1) {
                        Sgemm.sgemm(k, og, q, cols, 0, q, 1, gy, gyBlock, 1, p, gwT, part, og, true);
                    } else {
                        float[] stage = gatherRows(gy, gyBlock, og, imgs, g, buf);
                        Sgemm.sgemm(k, og, q, cols, 0, q, 1, stage, 0, 1, q, gwT, part, og, true);
                    }
                }
            });
        });
        for (float[] gwT : partials) {
            if (gwT == null) continue;
            for (int grp = 0; grp < g.groups(); grp++)
                for (int r = 0; r < k; r++)
                    for (int oc = 0; oc < og; oc++) gw[(grp * og + oc) * k + r] += gwT[(grp * k + r) * og + oc];
        }
    }

    /** w' (C, O/G, KH, KW) of {@link Geometry#transposed}: per group, in and out channels swapped, taps reversed. */
    private static float[] flipped(float[] w, int wOff, Geometry g) {
        int og = g.og(), cg = g.cg(), khw = g.kh() * g.kw();
        float[] wt = new float[g.c() * og * khw];
        for (int grp = 0; grp < g.groups(); grp++)
            for (int oc = 0; oc < og; oc++)
                for (int ci = 0; ci < cg; ci++) {
                    int src = wOff + ((grp * og + oc) * cg + ci) * khw, dst = ((grp * cg + ci) * og + oc) * khw;
                    for (int t = 0; t < khw; t++) wt[dst + t] = w[src + khw - 1 - t];
                }
        return wt;
    }

    /**
     * Weight gradient of images [start, end) by kernel tap, accumulated into part (G, KH*KW, O/G, C/G):
     * <pre>
     *   part[g, t] (O/G, C/G) += gy[img, g] (O/G, P) · X_t (P, C/G),  X_t[pixel, c] = x[img, g*C/G + c] at the tap's input pixel
     * </pre>
     * With x copied channels last (H, W, C), row (pixel) of X_t is C/G contiguous floats, so its B slivers (NR channels
     * by a slice of pixels) are plain vector loads, zero where the tap falls in the padding; gy is packed once per
     * slice of pixels and serves every tap and every sliver of channels.
     */
    private static void backwardWeightChannelsLast(float[] x, int xOff, float[] gy, int gyOff, float[] part, Geometry g,
                                                   int start, int end, Buffers buf) {
        Conv2dParams q = g.params();
        int h = g.h(), w = g.w(), c = g.c(), hw = h * w, p = g.p(), ow = g.ow(), og = g.og(), cg = g.cg();
        int nr = Sgemm.NR, taps = g.kh() * g.kw();
        float[] xt = buf.cols(hw * c), pa = buf.packW(og * Sgemm.KC), pb = buf.sliver(Sgemm.KC * nr);
        int[] iy0 = new int[Sgemm.KC], ix0 = new int[Sgemm.KC];
        for (int img = start; img < end; img++) {
            int xImg = xOff + img * c * hw;
            for (int ch = 0; ch < c; ch++) // x (C, H*W) -> xt (H*W, C)
                for (int i = 0; i < hw; i++) xt[i * c + ch] = x[xImg + ch * hw + i];
            for (int p0 = 0; p0 < p; p0 += Sgemm.KC) {
                int kc = Math.min(Sgemm.KC, p - p0);
                for (int j = 0; j < kc; j++) { // top-left input pixel of output pixel p0 + j
                    iy0[j] = (p0 + j) / ow * q.strideH() - q.padH();
                    ix0[j] = (p0 + j) % ow * q.strideW() - q.padW();
                }
                for (int grp = 0; grp < g.groups(); grp++) {
                    Sgemm.packA(og, kc, gy, gyOff + (img * g.o() + grp * og) * p + p0, p, 1, pa, 0);
                    for (int t = 0; t < taps; t++) {
                        int dy = t / g.kw() * q.dilH(), dx = t % g.kw() * q.dilW();
                        for (int c0 = 0; c0 < cg; c0 += nr) {
                            int chan = grp * cg + c0;
                            for (int j = 0; j < kc; j++) {
                                int iy = iy0[j] + dy, ix = ix0[j] + dx, d = j * nr;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                    FloatVector.zero(S).intoArray(pb, d);
                                    FloatVector.zero(S).intoArray(pb, d + L);
                                } else {
                                    int src = (iy * w + ix) * c + chan;
                                    FloatVector.fromArray(S, xt, src).intoArray(pb, d);
                                    FloatVector.fromArray(S, xt, src + L).intoArray(pb, d + L);
                                }
                            }
                            for (int i0 = 0; i0 < og; i0 += Sgemm.MR)
                                Sgemm.kernel(kc, pa, i0 * kc, pb, 0, part, ((grp * taps + t) * og + i0) * cg + c0, cg, true);
                        }
                    }
                }
            }
        }
    }

    /** The staging buffer (O/G, imgs * P) holding gy's og channels of imgs whole images, the first at gyBlock. */
    private static float[] gatherRows(float[] gy, int gyBlock, int og, int imgs, Geometry g, Buffers buf) {
        int p = g.p(), q = imgs * p;
        float[] stage = buf.stage(og * q);
        for (int i = 0; i < imgs; i++)
            for (int oc = 0; oc < og; oc++) System.arraycopy(gy, gyBlock + (i * g.o() + oc) * p, stage, oc * q + i * p, p);
        return stage;
    }

    /**
     * Unfolds output rows oy0..oy1-1 of one image's group of channels, x at xOff (C/G, H, W), into the columns
     * colOff .. colOff + (oy1 - oy0) * OW - 1 of cols (K, ld): row (c, ky, kx), column colOff + (oy - oy0) * OW + ox holds x[c, oy*sh - ph + ky*dh, ox*sw - pw + kx*dw],
     * or 0 in the padding. When {@link Geometry#rowAligned} the valid part of a row is one stretch of x, copied at once
     * and then cleared where it ran over the side padding.
     */
    static void im2col(float[] x, int xOff, float[] cols, int colOff, int ld, Geometry g, int oy0, int oy1) {
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
                    int dst = colOff + row * ld;
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
     * The adjoint of {@link #im2col}: adds the columns colOff .. colOff + (oy1 - oy0) * OW - 1 of cols (K, ld) back
     * into gx at gxOff (C/G, H, W). cols is scratch: its padding entries are cleared on the way.
     */
    static void col2im(float[] cols, int colOff, int ld, float[] gx, int gxOff, Geometry g, int oy0, int oy1) {
        Conv2dParams q = g.params();
        int h = g.h(), w = g.w(), ow = g.ow(), sw = q.strideW(), sh = q.strideH();
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
                    int src = colOff + row * ld;
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

    private static int ceil(int x, int y) {
        return (x + y - 1) / y;
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

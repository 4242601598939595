// im2col / col2im for conv2d (cross-correlation, PyTorch geometry), so that
//   conv2d forward        = im2col + gemm
//   backward w.r.t. input = gemm + col2im
//   backward w.r.t. weight= im2col + gemm
// (exact gemm arguments for each are in README.md).
//
// x is (nb, C, H, W) contiguous; the column buffer is (nb, C*KH*KW, OH*OW) contiguous with
//   row r = (c*KH + ky)*KW + kx, column l = oy*OW + ox,
//   iy = oy*strideH - padH + ky*dilH, ix = ox*strideW - padW + kx*dilW,
// so group g's rows are the contiguous block [g*(C/groups)*KH*KW, (g+1)*(C/groups)*KH*KW), matching the weight
// (O, C/groups, KH, KW) flattened to (O, C/groups*KH*KW). Groups therefore need no special case here.
// OH = (H + 2 padH - dilH (KH - 1) - 1) / strideH + 1, and likewise OW.
//
// Both kernels take the same arguments after their two pointers:
//   (int nb, int C, int H, int W, int KH, int KW, int OH, int OW,
//    int strideH, int strideW, int padH, int padW, int dilH, int dilW)
// Launch: 1-D grid-stride; block 256, grid ceil(total / 256) (capped as you like), with
//   total = nb*C*KH*KW*OH*OW for im2col and nb*C*H*W for col2im. Both totals must be < 2^31: process a
//   large batch in chunks of nb images (offset x and col by whole images).
#include "common.cuh"

// col[n][(c*KH+ky)*KW+kx][oy*OW+ox] = x[n][c][iy][ix], or 0 where (iy, ix) falls in the padding.
extern "C" __global__ void im2col_f32(const float* __restrict__ x, float* __restrict__ col, int nb, int C, int H,
                                      int W, int KH, int KW, int OH, int OW, int strideH, int strideW, int padH,
                                      int padW, int dilH, int dilW) {
    const long long total = (long long)nb * C * KH * KW * OH * OW;
    SVDD_FOR_EACH(e, total) {
        int r = e;
        const int ox = r % OW; r /= OW;
        const int oy = r % OH; r /= OH;
        const int kx = r % KW; r /= KW;
        const int ky = r % KH; r /= KH;
        const int c = r % C;
        const int n = r / C;
        const int iy = oy * strideH - padH + ky * dilH;
        const int ix = ox * strideW - padW + kx * dilW;
        float v = 0.0f;
        if (iy >= 0 && iy < H && ix >= 0 && ix < W) v = x[(((size_t)n * C + c) * H + iy) * W + ix];
        col[e] = v;
    }
}

// x[n][c][iy][ix] = sum of every column entry that im2col would have read from (n, c, iy, ix), in (ky, kx)
// order. Writes every element of x exactly once (no zeroing needed, deterministic, no atomics).
extern "C" __global__ void col2im_f32(const float* __restrict__ col, float* __restrict__ x, int nb, int C, int H,
                                      int W, int KH, int KW, int OH, int OW, int strideH, int strideW, int padH,
                                      int padW, int dilH, int dilW) {
    const long long total = (long long)nb * C * H * W;
    const int L = OH * OW;
    SVDD_FOR_EACH(e, total) {
        int r = e;
        const int ix = r % W; r /= W;
        const int iy = r % H; r /= H;
        const int c = r % C;
        const int n = r / C;
        const float* cc = col + ((size_t)n * C + c) * KH * KW * L;
        float sum = 0.0f;
        for (int ky = 0; ky < KH; ++ky) {
            const int ty = iy + padH - ky * dilH;
            if (ty < 0 || ty % strideH != 0) continue;
            const int oy = ty / strideH;
            if (oy >= OH) continue;
            for (int kx = 0; kx < KW; ++kx) {
                const int tx = ix + padW - kx * dilW;
                if (tx < 0 || tx % strideW != 0) continue;
                const int ox = tx / strideW;
                if (ox >= OW) continue;
                sum += cc[(size_t)(ky * KW + kx) * L + oy * OW + ox];
            }
        }
        x[e] = sum;
    }
}

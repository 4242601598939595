// Row kernels over a contiguous (R, N) matrix, one row per group of blockDim.x threads:
//
//   softmax_f32              : y = exp(x - max) / sum(exp(x - max))            (log != 0: y = x - max - log(sum))
//   normalize_rows_f32       : mean = sum(x)/N, var = sum((x - mean)^2)/N (biased), rstd = 1/sqrt(var + eps),
//                              y = (x - mean) * rstd; rstd is (R) (i.e. (R, 1))
//   normalize_rows_backward_f32: gx = rstd * (gy - mean(gy) - y * mean(gy * y))
//
// Launch (all): block (bx, by, 1) with bx a multiple of 32 (threads per row), bx * by <= 1024 (rows per block);
// grid (min(ceil(R / by), 2^31 - 1), 1, 1); rows are visited with a grid stride. Suggested: bx = 32, by = 8 for
// N <= 1024; bx = 256, by = 1 for larger N (bx = 1024, by = 1 from N ~ 16K). No dynamic shared memory.
// Each row is read from global memory two or three times (it normally stays in L1/L2).
#include "common.cuh"

extern "C" __global__ void softmax_f32(const float* __restrict__ x, float* __restrict__ y, int R, int N, int log) {
    __shared__ float scratch[32];
    for (long long base = (long long)blockIdx.x * blockDim.y; base < R; base += (long long)gridDim.x * blockDim.y) {
        const long long row = base + threadIdx.y;
        const bool ok = row < R;
        const float* xr = x + row * N;
        float* yr = y + row * N;
        float mx = -INFINITY;
        if (ok)
            for (int j = threadIdx.x; j < N; j += blockDim.x) mx = fmaxf(mx, xr[j]);
        mx = row_max(mx, scratch);
        float s = 0.0f;
        if (ok)
            for (int j = threadIdx.x; j < N; j += blockDim.x) s += expf(xr[j] - mx);
        s = row_sum(s, scratch);
        if (!ok) continue;
        if (log) {
            const float ls = logf(s);
            for (int j = threadIdx.x; j < N; j += blockDim.x) yr[j] = (xr[j] - mx) - ls;
        } else {
            for (int j = threadIdx.x; j < N; j += blockDim.x) yr[j] = expf(xr[j] - mx) / s;
        }
    }
}

extern "C" __global__ void normalize_rows_f32(const float* __restrict__ x, float* __restrict__ y,
                                              float* __restrict__ rstd, int R, int N, float eps) {
    __shared__ float scratch[32];
    for (long long base = (long long)blockIdx.x * blockDim.y; base < R; base += (long long)gridDim.x * blockDim.y) {
        const long long row = base + threadIdx.y;
        const bool ok = row < R;
        const float* xr = x + row * N;
        float* yr = y + row * N;
        float s = 0.0f;
        if (ok)
            for (int j = threadIdx.x; j < N; j += blockDim.x) s += xr[j];
        const float mean = row_sum(s, scratch) / N;
        float v = 0.0f;
        if (ok)
            for (int j = threadIdx.x; j < N; j += blockDim.x) {
                const float d = xr[j] - mean;
                v += d * d;
            }
        const float rs = 1.0f / sqrtf(row_sum(v, scratch) / N + eps);
        if (!ok) continue;
        if (threadIdx.x == 0) rstd[row] = rs;
        for (int j = threadIdx.x; j < N; j += blockDim.x) yr[j] = (xr[j] - mean) * rs;
    }
}

extern "C" __global__ void normalize_rows_backward_f32(const float* __restrict__ gy, const float* __restrict__ y,
                                                       const float* __restrict__ rstd, float* __restrict__ gx, int R,
                                                       int N) {
    __shared__ float scratch[32];
    for (long long base = (long long)blockIdx.x * blockDim.y; base < R; base += (long long)gridDim.x * blockDim.y) {
        const long long row = base + threadIdx.y;
        const bool ok = row < R;
        const float* gr = gy + row * N;
        const float* yr = y + row * N;
        float sg = 0.0f, sgy = 0.0f;
        if (ok)
            for (int j = threadIdx.x; j < N; j += blockDim.x) {
                const float g = gr[j];
                sg += g;
                sgy += g * yr[j];
            }
        const float mg = row_sum(sg, scratch) / N;
        const float mgy = row_sum(sgy, scratch) / N;
        if (!ok) continue;
        const float rs = rstd[row];
        float* out = gx + row * N;
        for (int j = threadIdx.x; j < N; j += blockDim.x) out[j] = rs * (gr[j] - mg - yr[j] * mgy);
    }
}

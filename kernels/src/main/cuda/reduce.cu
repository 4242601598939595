// Reductions over one axis of a contiguous tensor viewed as (outer, n, inner):
//
//   reduce_sum_f32   : out[o, i] = sum_j x[o, j, i]
//   reduce_max_f32   : out[o, i] = max_j x[o, j, i]            (NaN if any element is NaN, -inf if n == 0)
//   reduce_argmax_f32: out[o, i] = first j with the maximum    (int64; see argmax_push in common.cuh for NaN)
//
// out is contiguous (outer, inner), i.e. the input shape with the reduced axis of size 1.
//
// Launch (all three): block (32, 8, 1); grid (ceil(inner / 32), min(outer, 65535), 1). The kernel loops over
// outer with a grid stride in y, so a smaller grid.y is also correct.
//  * inner == 1 (the last axis): a block reduces one row at a time with all 256 threads (warp shuffles, then
//    shared memory across the 8 warps);
//  * inner > 1: a block owns 32 adjacent columns (coalesced along inner); its 8 thread rows split n and are
//    combined in shared memory.
// Only 8 thread rows share n when inner > 1: for a huge n with few columns the launcher should reduce in
// two passes (view n as (n1, n2) and reduce n2 first) for SUM and MAX.
#include "common.cuh"

#define RED_BX 32
#define RED_BY 8

struct SumOp {
    static __device__ __forceinline__ float init() { return 0.0f; }
    static __device__ __forceinline__ float apply(float a, float b) { return a + b; }
};

struct MaxOp {  // Java's Math.max: NaN propagates
    static __device__ __forceinline__ float init() { return -INFINITY; }
    static __device__ __forceinline__ float apply(float a, float b) { return (a != a || b != b) ? a + b : fmaxf(a, b); }
};

template <typename Op>
__device__ __forceinline__ float warp_reduce(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = Op::apply(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

template <typename Op>
__device__ __forceinline__ void reduce_body(const float* __restrict__ x, float* __restrict__ out, int outer, int n,
                                            int inner) {
    __shared__ float part[RED_BY][RED_BX + 1];
    const int tx = threadIdx.x, ty = threadIdx.y;
    for (int o = blockIdx.y; o < outer; o += gridDim.y) {
        if (inner == 1) {
            const float* row = x + (size_t)o * n;
            float acc = Op::init();
            for (int j = ty * RED_BX + tx; j < n; j += RED_BX * RED_BY) acc = Op::apply(acc, row[j]);
            acc = warp_reduce<Op>(acc);
            if (tx == 0) part[ty][0] = acc;
            __syncthreads();
            if (ty == 0) {
                acc = tx < RED_BY ? part[tx][0] : Op::init();
                acc = warp_reduce<Op>(acc);
                if (tx == 0) out[o] = acc;
            }
            __syncthreads();
        } else {
            const int col = blockIdx.x * RED_BX + tx;
            float acc = Op::init();
            if (col < inner) {
                const float* p = x + (size_t)o * n * inner + col;
                for (int j = ty; j < n; j += RED_BY) acc = Op::apply(acc, p[(size_t)j * inner]);
            }
            part[ty][tx] = acc;
            __syncthreads();
            if (ty == 0 && col < inner) {
                for (int r = 1; r < RED_BY; ++r) acc = Op::apply(acc, part[r][tx]);
                out[(size_t)o * inner + col] = acc;
            }
            __syncthreads();
        }
    }
}

extern "C" __global__ void __launch_bounds__(RED_BX * RED_BY)
    reduce_sum_f32(const float* __restrict__ x, float* __restrict__ out, int outer, int n, int inner) {
    reduce_body<SumOp>(x, out, outer, n, inner);
}

extern "C" __global__ void __launch_bounds__(RED_BX * RED_BY)
    reduce_max_f32(const float* __restrict__ x, float* __restrict__ out, int outer, int n, int inner) {
    reduce_body<MaxOp>(x, out, outer, n, inner);
}

// Index of the first maximum along n, as int64 (0 when n == 0).
extern "C" __global__ void __launch_bounds__(RED_BX * RED_BY)
    reduce_argmax_f32(const float* __restrict__ x, long long* __restrict__ out, int outer, int n, int inner) {
    __shared__ float pv[RED_BY][RED_BX + 1];
    __shared__ int pi[RED_BY][RED_BX + 1];
    const int tx = threadIdx.x, ty = threadIdx.y;
    for (int o = blockIdx.y; o < outer; o += gridDim.y) {
        if (inner == 1) {
            const float* row = x + (size_t)o * n;
            float bv = 0.0f;
            int bi = -1;
            for (int j = ty * RED_BX + tx; j < n; j += RED_BX * RED_BY) argmax_push(bv, bi, row[j], j);
            block_argmax(bv, bi);
            if (tx == 0 && ty == 0) out[o] = bi < 0 ? 0 : bi;
            __syncthreads();
        } else {
            const int col = blockIdx.x * RED_BX + tx;
            float bv = 0.0f;
            int bi = -1;
            if (col < inner) {
                const float* p = x + (size_t)o * n * inner + col;
                for (int j = ty; j < n; j += RED_BY) argmax_push(bv, bi, p[(size_t)j * inner], j);
            }
            pv[ty][tx] = bv;
            pi[ty][tx] = bi;
            __syncthreads();
            if (ty == 0 && col < inner) {
                for (int r = 1; r < RED_BY; ++r) argmax_merge(bv, bi, pv[r][tx], pi[r][tx]);
                out[(size_t)o * inner + col] = bi < 0 ? 0 : bi;
            }
            __syncthreads();
        }
    }
}

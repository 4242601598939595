// Helpers shared by the svdd CUDA kernels. Included by every .cu file; never compiled on its own.
//
// Conventions used by every kernel (see README.md):
//  * float32 data, int sizes, row-major contiguous buffers unless a kernel takes strides;
//  * strides and offsets are in elements, never bytes; a view's storage offset is added to the
//    pointer by the launcher (kernels take no offset arguments);
//  * 1-D elementwise kernels use grid-stride loops, so any grid size >= 1 is correct.
#ifndef SVDD_COMMON_CUH
#define SVDD_COMMON_CUH

// Up to 6 dimensions, row-major, right-aligned: a rank-r tensor puts its sizes in d[6-r..5] and pads
// d[0..5-r] with size 1 (stride 0). Passed BY VALUE as a kernel parameter: 24 bytes, six int32, which is
// exactly what JCuda's Pointer.to(new int[6]) hands to cuLaunchKernel.
struct Dims6 {
    int d[6];
};

// A compile-time int, for dispatching a runtime op code to a template instantiation.
template <int V>
struct IntC {
    static constexpr int value = V;
};

// Grid-stride loop over [0, n). The counter is 64-bit so that i + stride cannot overflow for n near 2^31.
#define SVDD_FOR_EACH(i, n)                                                                   \
    for (long long i##_ll = (long long)blockIdx.x * blockDim.x + threadIdx.x; i##_ll < (n); \
         i##_ll += (long long)blockDim.x * gridDim.x)                                          \
        if (const int i = (int)i##_ll; true)

// Row-major coordinates of flat index i in shape (sizes of 1 are skipped without a division).
__device__ __forceinline__ void unravel6(int i, const Dims6& shape, int c[6]) {
#pragma unroll
    for (int k = 5; k >= 0; --k) {
        const int n = shape.d[k];
        if (n == 1) {
            c[k] = 0;
        } else {
            c[k] = i % n;
            i /= n;
        }
    }
}

// Element offset of coordinates c under strides s.
__device__ __forceinline__ int offset6(const int c[6], const Dims6& s) {
    int o = 0;
#pragma unroll
    for (int k = 0; k < 6; ++k) o += c[k] * s.d[k];
    return o;
}

// ---- warp and block reductions -------------------------------------------------------------------

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Reduces v over the threadIdx.x dimension of a 2-D block (one "row group" per threadIdx.y); blockDim.x
// must be a multiple of 32 and blockDim.x * blockDim.y <= 1024. Every thread gets its row group's result.
// scratch holds at least 32 floats. Must be reached by every thread of the block (it synchronises when
// blockDim.x > 32).
template <bool MAX>
__device__ __forceinline__ float row_reduce(float v, float* scratch) {
    v = MAX ? warp_max(v) : warp_sum(v);
    const int nw = blockDim.x >> 5;
    if (nw == 1) return v;
    float* s = scratch + threadIdx.y * nw;
    __syncthreads();  // earlier readers of scratch are done
    if ((threadIdx.x & 31) == 0) s[threadIdx.x >> 5] = v;
    __syncthreads();
    v = s[0];
    for (int w = 1; w < nw; ++w) v = MAX ? fmaxf(v, s[w]) : v + s[w];
    return v;
}

__device__ __forceinline__ float row_sum(float v, float* scratch) { return row_reduce<false>(v, scratch); }
__device__ __forceinline__ float row_max(float v, float* scratch) { return row_reduce<true>(v, scratch); }

// ---- argmax with the sequential "first maximum wins" semantics ------------------------------------
//
// Matches a left-to-right scan that seeds with element 0 and takes a later element only when strictly
// greater: NaNs after index 0 are never taken, a NaN at index 0 wins (nothing compares greater than it).
// A thread scans its elements in increasing index order with argmax_push; partial results are merged
// with argmax_merge, which is associative and commutative. i < 0 means "nothing seen yet".

__device__ __forceinline__ void argmax_push(float& bv, int& bi, float v, int j) {
    if (bi < 0) {
        if (j == 0 || v == v) {
            bv = v;
            bi = j;
        }
    } else if (v > bv) {
        bv = v;
        bi = j;
    }
}

__device__ __forceinline__ void argmax_merge(float& av, int& ai, float bv, int bi) {
    if (bi < 0) return;
    if (ai < 0 || bv != bv) {  // a empty, or b holds the NaN of index 0
        av = bv;
        ai = bi;
        return;
    }
    if (av != av) return;  // a holds the NaN of index 0
    if (bv > av || (bv == av && bi < ai)) {
        av = bv;
        ai = bi;
    }
}

__device__ __forceinline__ void warp_argmax(float& v, int& i) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        const float ov = __shfl_xor_sync(0xffffffffu, v, o);
        const int oi = __shfl_xor_sync(0xffffffffu, i, o);
        argmax_merge(v, i, ov, oi);
    }
}

// Block-wide argmax over a 1-D view of the block (all blockDim.x * blockDim.y threads, a multiple of 32,
// at most 1024). Every thread gets the result. Must be reached by every thread of the block.
__device__ __forceinline__ void block_argmax(float& v, int& i) {
    __shared__ float sv[32];
    __shared__ int si[32];
    warp_argmax(v, i);
    const int nthreads = blockDim.x * blockDim.y;
    if (nthreads <= 32) return;
    const int tid = threadIdx.y * blockDim.x + threadIdx.x;
    __syncthreads();
    if ((tid & 31) == 0) {
        sv[tid >> 5] = v;
        si[tid >> 5] = i;
    }
    __syncthreads();
    v = sv[0];
    i = si[0];
    for (int w = 1; w < (nthreads >> 5); ++w) argmax_merge(v, i, sv[w], si[w]);
}

#endif  // SVDD_COMMON_CUH

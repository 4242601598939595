// Indexing kernels. Index tensors are int64 (suffix _i64) or int32 (suffix _i32); everything is contiguous.
//
//   gather       : out[r, c] = x[r, idx[r, c]]                x (R, N), idx (R, J), out (R, J)
//   scatter_add  : out[r, idx[r, c]] += src[r, c]             idx (R, J), src (R, J), out (R, N)
//   index_select : out[l, :] = table[idx[l], :]               table (V, D), idx (L), out (L, D)
//   index_add    : out[idx[l], :] += src[l, :]                idx (L), src (L, D), out (V, D)
//
// index_select moves rows of any type, not converted: float (_f32), int (_i32) and long long (_i64) tables; a double
// table moves as the int64 of its bits.
//
// scatter_add and index_add ACCUMULATE into out with atomicAdd: the launcher zero-fills out first (fill_f32 or
// cuMemsetD32). The order of the additions is not fixed, so results may differ in the last bits between runs.
//
// An out-of-range index (< 0 or >= the indexed size) is skipped (gather/index_select write 0) and, when err is
// not NULL, sets *err = 1: err is an optional int32 device flag the launcher zeroes and reads back to raise
// IndexOutOfBoundsException like the reference backend. Pass a NULL pointer to skip the check.
//
// Signatures (<I> is long long for _i64, int for _i32):
//   gather_f32_<i>      (const float* x, const <I>* idx, float* out, int R, int N, int J, int* err)
//   scatter_add_f32_<i> (const <I>* idx, const float* src, float* out, int R, int N, int J, int* err)
//   index_select_<t>_<i>(const <T>* table, const <I>* idx, <T>* out, int V, int D, int L, int* err)
//                        (<T> is float for _f32, int for _i32, long long for _i64)
//   index_add_f32_<i>   (const <I>* idx, const float* src, float* out, int V, int D, int L, int* err)
// Launch: 1-D grid-stride, one thread per element of src/out (R*J or L*D): block 256, grid ceil(total / 256).
#include "common.cuh"

__device__ __forceinline__ void flag(int* err) {
    if (err != nullptr) *err = 1;  // benign race: every writer stores the same value
}

template <typename I>
__device__ __forceinline__ void gather_body(const float* __restrict__ x, const I* __restrict__ idx,
                                            float* __restrict__ out, int R, int N, int J, int* err) {
    const long long total = (long long)R * J;
    SVDD_FOR_EACH(e, total) {
        const int r = e / J;
        const long long at = idx[e];
        float v = 0.0f;
        if (at >= 0 && at < N) v = x[(size_t)r * N + at];
        else flag(err);
        out[e] = v;
    }
}

template <typename I>
__device__ __forceinline__ void scatter_add_body(const I* __restrict__ idx, const float* __restrict__ src,
                                                 float* __restrict__ out, int R, int N, int J, int* err) {
    const long long total = (long long)R * J;
    SVDD_FOR_EACH(e, total) {
        const int r = e / J;
        const long long at = idx[e];
        if (at >= 0 && at < N) atomicAdd(out + (size_t)r * N + at, src[e]);
        else flag(err);
    }
}

template <typename T, typename I>
__device__ __forceinline__ void index_select_body(const T* __restrict__ table, const I* __restrict__ idx,
                                                  T* __restrict__ out, int V, int D, int L, int* err) {
    const long long total = (long long)L * D;
    SVDD_FOR_EACH(e, total) {
        const int l = e / D, c = e - l * D;
        const long long row = idx[l];
        T v = T(0);
        if (row >= 0 && row < V) v = table[(size_t)row * D + c];
        else if (c == 0) flag(err);
        out[e] = v;
    }
}

template <typename I>
__device__ __forceinline__ void index_add_body(const I* __restrict__ idx, const float* __restrict__ src,
                                               float* __restrict__ out, int V, int D, int L, int* err) {
    const long long total = (long long)L * D;
    SVDD_FOR_EACH(e, total) {
        const int l = e / D, c = e - l * D;
        const long long row = idx[l];
        if (row >= 0 && row < V) atomicAdd(out + (size_t)row * D + c, src[e]);
        else if (c == 0) flag(err);
    }
}

#define SVDD_INDEX_KERNELS(SUFFIX, I)                                                                            \
    extern "C" __global__ void gather_f32_##SUFFIX(const float* __restrict__ x, const I* __restrict__ idx,      \
                                                   float* __restrict__ out, int R, int N, int J, int* err) {    \
        gather_body<I>(x, idx, out, R, N, J, err);                                                               \
    }                                                                                                            \
    extern "C" __global__ void scatter_add_f32_##SUFFIX(const I* __restrict__ idx, const float* __restrict__ src, \
                                                        float* __restrict__ out, int R, int N, int J, int* err) { \
        scatter_add_body<I>(idx, src, out, R, N, J, err);                                                        \
    }                                                                                                            \
    extern "C" __global__ void index_select_f32_##SUFFIX(const float* __restrict__ table,                       \
                                                         const I* __restrict__ idx, float* __restrict__ out,     \
                                                         int V, int D, int L, int* err) {                        \
        index_select_body<float, I>(table, idx, out, V, D, L, err);                                              \
    }                                                                                                            \
    extern "C" __global__ void index_add_f32_##SUFFIX(const I* __restrict__ idx, const float* __restrict__ src,  \
                                                      float* __restrict__ out, int V, int D, int L, int* err) {   \
        index_add_body<I>(idx, src, out, V, D, L, err);                                                          \
    }

SVDD_INDEX_KERNELS(i64, long long)
SVDD_INDEX_KERNELS(i32, int)

// index_select_<t>_<i> for integer tables (token ids): rows moved exactly.
#define SVDD_INDEX_SELECT(TN, T, SUFFIX, I)                                                                     \
    extern "C" __global__ void index_select_##TN##_##SUFFIX(const T* __restrict__ table, const I* __restrict__ idx, \
                                                            T* __restrict__ out, int V, int D, int L, int* err) {  \
        index_select_body<T, I>(table, idx, out, V, D, L, err);                                                 \
    }

SVDD_INDEX_SELECT(i32, int, i64, long long)
SVDD_INDEX_SELECT(i32, int, i32, int)
SVDD_INDEX_SELECT(i64, long long, i64, long long)
SVDD_INDEX_SELECT(i64, long long, i32, int)

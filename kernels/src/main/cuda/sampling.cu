// Sampling kernels for the diffusion sampler. All buffers contiguous; random numbers come from the caller.
//
//   gaussian_step_f32    : out[i] = a*x0[i] + b*eps[i] + c*z[i]        (n); z may be NULL: then out = a*x0 + b*eps
//   categorical_gumbel_f32: out[r] = argmax_j (logits[r, j] + gumbel[r, j])   logits, gumbel (R, N); out (R) int64
//   categorical_exp_f32  : out[r] = argmax_j (p[r, j] / e[r, j])              p, e (R, N) (e ~ Exp(1)); out (R) int64
//
// The argmaxes keep the first maximum, with ReduceOp.ARGMAX's NaN rule (common.cuh, argmax_push).
//
// Signatures:
//   gaussian_step_f32     (const float* x0, const float* eps, const float* z, float* out, int n, float a, float b, float c)
//   categorical_gumbel_f32(const float* logits, const float* gumbel, long long* out, int R, int N)
//   categorical_exp_f32   (const float* p, const float* e, long long* out, int R, int N)
// Launch: gaussian_step_f32: 1-D grid-stride, block 256, grid ceil(n / 256).
//         categorical_*: one block per row (grid-stride over rows): block (256, 1, 1) (any multiple of 32 up to
//         1024), grid (min(R, 2^31 - 1), 1, 1).
#include "common.cuh"

extern "C" __global__ void gaussian_step_f32(const float* __restrict__ x0, const float* __restrict__ eps,
                                             const float* __restrict__ z, float* __restrict__ out, int n, float a,
                                             float b, float c) {
    if (z == nullptr) {
        SVDD_FOR_EACH(i, n) out[i] = a * x0[i] + b * eps[i];
    } else {
        SVDD_FOR_EACH(i, n) out[i] = a * x0[i] + b * eps[i] + c * z[i];
    }
}

// out[r] = argmax_j f(u[r, j], w[r, j]) with f the sum (DIV = false) or the quotient (DIV = true).
template <bool DIV>
__device__ __forceinline__ void row_argmax(const float* __restrict__ u, const float* __restrict__ w,
                                           long long* __restrict__ out, int R, int N) {
    for (int r = blockIdx.x; r < R; r += gridDim.x) {
        const float* ur = u + (size_t)r * N;
        const float* wr = w + (size_t)r * N;
        float bv = 0.0f;
        int bi = -1;
        for (int j = threadIdx.x; j < N; j += blockDim.x) argmax_push(bv, bi, DIV ? ur[j] / wr[j] : ur[j] + wr[j], j);
        block_argmax(bv, bi);
        if (threadIdx.x == 0) out[r] = bi < 0 ? 0 : bi;
        __syncthreads();
    }
}

extern "C" __global__ void categorical_gumbel_f32(const float* __restrict__ logits, const float* __restrict__ gumbel,
                                                  long long* __restrict__ out, int R, int N) {
    row_argmax<false>(logits, gumbel, out, R, N);
}

extern "C" __global__ void categorical_exp_f32(const float* __restrict__ p, const float* __restrict__ e,
                                               long long* __restrict__ out, int R, int N) {
    row_argmax<true>(p, e, out, R, N);
}

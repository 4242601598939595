// Fused scaled dot-product attention with an online softmax (flash-attention style; no S x T buffer):
//
//   out[b, i, :] = sum_j p[b, i, j] v[b, j, :] / sum_j p[b, i, j]
//   p[b, i, j]   = exp(s[b, i, j] - max_j s[b, i, j]),   s = scale * q[b, i, :] . k[b, j, :] + mask[b, i, j]
//
// q (BH, S, D), k (BH, T, D), v (BH, T, E), out (BH, S, E), all contiguous. mask is optional (NULL = none): an
// additive float mask read as mask[b*mBH + i*mS + j*mT] (element strides, 0 to broadcast; -inf blocks a key).
// A row whose keys are all blocked gives 0 (as the reference does). E <= 256; D is limited only by shared memory.
//
// Signature:
//   attention_f32(const float* q, const float* k, const float* v, const float* mask, float* out,
//                 int BH, int S, int T, int D, int E, float scale, int mBH, int mS, int mT)
// Launch: block (128, 1, 1) = 4 warps x 4 query rows = 16 query rows per block;
//         grid (ceil(S / 16), min(BH, 65535), 1) (the kernel loops over BH with a grid stride in y);
//         dynamic shared memory, in bytes:
//           DQ = (D + 3) & ~3
//           smem = 4 * (16*DQ + 32*(DQ + 1) + 32*E + 16*32)
//         When smem > 48 KiB (e.g. D = E = 256: 84,096 bytes), first call once
//           cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem)
//         (sm_80 allows up to 163 KiB, sm_90 up to 227 KiB).
//
// Scheme: the block keeps its 16 query rows in shared memory and walks the keys in tiles of 32 (K tile with an
// odd row pitch, so lane j reading key j is conflict-free; V tile). In a tile, lane j of a warp computes the
// scores of key j for the warp's 4 rows, the warp agrees on the running max, and each lane accumulates output
// columns c = lane + 32*cc of its 4 rows from the tile's probabilities (staged in shared memory).
#include "common.cuh"

#define ATT_WARPS 4
#define ATT_ROWS 4                         // query rows per warp
#define ATT_BQ (ATT_WARPS * ATT_ROWS)      // query rows per block
#define ATT_BK 32                          // keys per tile (one per lane)
#define ATT_THREADS (ATT_WARPS * 32)

template <int EC>  // EC = ceil(E / 32) output columns per lane
__device__ __forceinline__ void attention_body(const float* __restrict__ q, const float* __restrict__ k,
                                               const float* __restrict__ v, const float* __restrict__ mask,
                                               float* __restrict__ out, int BH, int S, int T, int D, int E,
                                               float scale, int mBH, int mS, int mT) {
    extern __shared__ __align__(16) float smem[];
    const int DQ = (D + 3) & ~3, KP = DQ + 1;  // Q row pitch (float4 reads), K row pitch (odd: no bank conflicts)
    float* Qs = smem;                    // [ATT_BQ][DQ]
    float* Ks = Qs + ATT_BQ * DQ;        // [ATT_BK][KP]
    float* Vs = Ks + ATT_BK * KP;        // [ATT_BK][E]
    float* Ps = Vs + ATT_BK * E;         // [ATT_BQ][ATT_BK]

    const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
    const int s0 = blockIdx.x * ATT_BQ;
    const int r0 = warp * ATT_ROWS;  // this warp's first row within the block

    for (int bh = blockIdx.y; bh < BH; bh += gridDim.y) {
        const float* qb = q + (size_t)bh * S * D;
        const float* kb = k + (size_t)bh * T * D;
        const float* vb = v + (size_t)bh * T * E;
        const float* mb = mask == nullptr ? nullptr : mask + (long long)bh * mBH;

        __syncthreads();  // the previous bh is done with shared memory
        for (int e = tid; e < ATT_BQ * DQ; e += ATT_THREADS) {
            const int r = e / DQ, d = e - r * DQ, s = s0 + r;
            Qs[e] = (s < S && d < D) ? qb[(size_t)s * D + d] : 0.0f;
        }

        float m_run[ATT_ROWS], l_run[ATT_ROWS], acc[ATT_ROWS][EC];
#pragma unroll
        for (int r = 0; r < ATT_ROWS; ++r) {
            m_run[r] = -INFINITY;
            l_run[r] = 0.0f;  // this lane's share of the row sum
#pragma unroll
            for (int c = 0; c < EC; ++c) acc[r][c] = 0.0f;
        }

        for (int t0 = 0; t0 < T; t0 += ATT_BK) {
            __syncthreads();  // Q is loaded / the previous tile is consumed
            for (int e = tid; e < ATT_BK * DQ; e += ATT_THREADS) {
                const int j = e / DQ, d = e - j * DQ, t = t0 + j;
                Ks[j * KP + d] = (t < T && d < D) ? kb[(size_t)t * D + d] : 0.0f;
            }
            for (int e = tid; e < ATT_BK * E; e += ATT_THREADS) {
                const int j = e / E, t = t0 + j;
                Vs[e] = t < T ? vb[(size_t)t0 * E + e] : 0.0f;  // zero rows: p = 0 must not meet garbage
            }
            __syncthreads();

            // scores of key t0 + lane for the warp's rows
            float sc[ATT_ROWS];
#pragma unroll
            for (int r = 0; r < ATT_ROWS; ++r) sc[r] = 0.0f;
            const float* kr = Ks + lane * KP;
#pragma unroll 2
            for (int d = 0; d < DQ; d += 4) {
                const float k0 = kr[d], k1 = kr[d + 1], k2 = kr[d + 2], k3 = kr[d + 3];
#pragma unroll
                for (int r = 0; r < ATT_ROWS; ++r) {
                    const float4 qv = *reinterpret_cast<const float4*>(Qs + (r0 + r) * DQ + d);
                    sc[r] = fmaf(qv.x, k0, sc[r]);
                    sc[r] = fmaf(qv.y, k1, sc[r]);
                    sc[r] = fmaf(qv.z, k2, sc[r]);
                    sc[r] = fmaf(qv.w, k3, sc[r]);
                }
            }

            const int t = t0 + lane;
#pragma unroll
            for (int r = 0; r < ATT_ROWS; ++r) {
                const int i = s0 + r0 + r;
                float sv = -INFINITY;
                if (t < T) {
                    sv = sc[r] * scale;
                    if (mb != nullptr && i < S) sv += mb[(long long)i * mS + (long long)t * mT];
                }
                const float m_new = fmaxf(m_run[r], warp_max(sv));
                float p = 0.0f, corr = 1.0f;
                if (m_new != -INFINITY) {  // else every key so far is blocked: nothing to add, nothing to rescale
                    p = expf(sv - m_new);
                    corr = expf(m_run[r] - m_new);
                }
                m_run[r] = m_new;
                l_run[r] = l_run[r] * corr + p;
#pragma unroll
                for (int c = 0; c < EC; ++c) acc[r][c] *= corr;
                Ps[(r0 + r) * ATT_BK + lane] = p;
            }
            __syncwarp();

            // acc[r][c] += sum_j p[r][j] * V[j][lane + 32c]
            for (int j = 0; j < ATT_BK; j += 4) {
                float4 p4[ATT_ROWS];
#pragma unroll
                for (int r = 0; r < ATT_ROWS; ++r) p4[r] = *reinterpret_cast<const float4*>(Ps + (r0 + r) * ATT_BK + j);
#pragma unroll
                for (int c = 0; c < EC; ++c) {
                    const int col = lane + 32 * c;
                    if (col < E) {
                        const float v0 = Vs[(j + 0) * E + col], v1 = Vs[(j + 1) * E + col];
                        const float v2 = Vs[(j + 2) * E + col], v3 = Vs[(j + 3) * E + col];
#pragma unroll
                        for (int r = 0; r < ATT_ROWS; ++r) {
                            acc[r][c] = fmaf(p4[r].x, v0, acc[r][c]);
                            acc[r][c] = fmaf(p4[r].y, v1, acc[r][c]);
                            acc[r][c] = fmaf(p4[r].z, v2, acc[r][c]);
                            acc[r][c] = fmaf(p4[r].w, v3, acc[r][c]);
                        }
                    }
                }
            }
        }

#pragma unroll
        for (int r = 0; r < ATT_ROWS; ++r) {
            const float l = warp_sum(l_run[r]);
            const int i = s0 + r0 + r;
            if (i >= S) continue;
            float* o = out + ((size_t)bh * S + i) * E;
#pragma unroll
            for (int c = 0; c < EC; ++c) {
                const int col = lane + 32 * c;
                if (col < E) o[col] = l == 0.0f ? 0.0f : acc[r][c] / l;
            }
        }
    }
}

extern "C" __global__ void __launch_bounds__(ATT_THREADS)
    attention_f32(const float* __restrict__ q, const float* __restrict__ k, const float* __restrict__ v,
                  const float* __restrict__ mask, float* __restrict__ out, int BH, int S, int T, int D, int E,
                  float scale, int mBH, int mS, int mT) {
    switch ((E + 31) >> 5) {
        case 0:
        case 1: attention_body<1>(q, k, v, mask, out, BH, S, T, D, E, scale, mBH, mS, mT); break;
        case 2: attention_body<2>(q, k, v, mask, out, BH, S, T, D, E, scale, mBH, mS, mT); break;
        case 3: attention_body<3>(q, k, v, mask, out, BH, S, T, D, E, scale, mBH, mS, mT); break;
        case 4: attention_body<4>(q, k, v, mask, out, BH, S, T, D, E, scale, mBH, mS, mT); break;
        case 5: attention_body<5>(q, k, v, mask, out, BH, S, T, D, E, scale, mBH, mS, mT); break;
        case 6: attention_body<6>(q, k, v, mask, out, BH, S, T, D, E, scale, mBH, mS, mT); break;
        case 7: attention_body<7>(q, k, v, mask, out, BH, S, T, D, E, scale, mBH, mS, mT); break;
        case 8: attention_body<8>(q, k, v, mask, out, BH, S, T, D, E, scale, mBH, mS, mT); break;
        default: break;  // E > 256 is not supported
    }
}

// Elementwise kernels: unary ops and their backward, binary ops (with broadcasting strides), comparisons of
// int32, int64 and double operands, where (any condition type, values of any type moved as they are), strided
// copies with dtype conversion, contiguous casts and fills.
//
// Op codes are the ordinals of org.svdd.tensor.UnaryOp / BinaryOp:
//   unary : 0 NEG, 1 EXP, 2 LOG, 3 SQRT, 4 TANH, 5 SIGMOID, 6 RELU, 7 SILU, 8 GELU, 9 ABS
//   binary: 0 ADD, 1 SUB, 2 MUL, 3 DIV, 4 POW, 5 MAX, 6 MIN, 7 EQ, 8 NE, 9 LT, 10 LE, 11 GT, 12 GE
// An unknown op code leaves the output untouched.
//
// Shapes: every kernel works on n elements. "_strided" kernels take the logical shape as a Dims6 (rank <= 6,
// right-aligned, padded with leading 1s) and one Dims6 of element strides per strided operand (0 for a
// broadcast axis); the output is always contiguous in that shape unless it has its own strides.
// Launch: 1-D, any block (256 recommended), any grid (grid-stride loops; ceil(n / 256) recommended).
#include "common.cuh"

enum UnaryCode { U_NEG, U_EXP, U_LOG, U_SQRT, U_TANH, U_SIGMOID, U_RELU, U_SILU, U_GELU, U_ABS };
enum BinaryCode { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE };

// sqrt(2 / pi), the GELU tanh-approximation constant.
#define GELU_C 0.7978845608028654f
#define GELU_A 0.044715f

__device__ __forceinline__ float sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }

// y = f(x), exactly as UnaryOp.apply defines it.
template <int OP>
__device__ __forceinline__ float unary_fn(float x) {
    if constexpr (OP == U_NEG) return -x;
    else if constexpr (OP == U_EXP) return expf(x);
    else if constexpr (OP == U_LOG) return logf(x);
    else if constexpr (OP == U_SQRT) return sqrtf(x);
    else if constexpr (OP == U_TANH) return tanhf(x);
    else if constexpr (OP == U_SIGMOID) return sigmoidf(x);
    else if constexpr (OP == U_RELU) return x > 0.0f ? x : 0.0f;
    else if constexpr (OP == U_SILU) return x / (1.0f + expf(-x));
    else if constexpr (OP == U_GELU) return 0.5f * x * (1.0f + tanhf(GELU_C * (x + GELU_A * x * x * x)));
    else return fabsf(x);  // U_ABS
}

// f'(x), exactly as UnaryOp.derivative defines it.
template <int OP>
__device__ __forceinline__ float unary_grad(float x) {
    if constexpr (OP == U_NEG) return -1.0f;
    else if constexpr (OP == U_EXP) return expf(x);
    else if constexpr (OP == U_LOG) return 1.0f / x;
    else if constexpr (OP == U_SQRT) return 0.5f / sqrtf(x);
    else if constexpr (OP == U_TANH) {
        const float t = tanhf(x);
        return 1.0f - t * t;
    } else if constexpr (OP == U_SIGMOID) {
        const float s = sigmoidf(x);
        return s * (1.0f - s);
    } else if constexpr (OP == U_RELU) return x > 0.0f ? 1.0f : 0.0f;
    else if constexpr (OP == U_SILU) {
        const float s = sigmoidf(x);
        return s * (1.0f + x * (1.0f - s));
    } else if constexpr (OP == U_GELU) {
        const float t = tanhf(GELU_C * (x + GELU_A * x * x * x));
        const float du = GELU_C * (1.0f + 3.0f * GELU_A * x * x);
        return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du;
    } else {  // U_ABS: signum, which keeps 0, -0 and NaN
        return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x);
    }
}

// Java's Math.pow on the edge cases where C's powf differs: a NaN exponent, and |a| = 1 with an infinite one.
__device__ __forceinline__ float java_powf(float a, float b) {
    if (b == 0.0f) return 1.0f;
    if (b != b || (fabsf(a) == 1.0f && isinf(b))) return __int_as_float(0x7fc00000);
    return powf(a, b);
}

// Java's Math.max/min: NaN if either operand is NaN (fmaxf/fminf would return the other one).
__device__ __forceinline__ float java_maxf(float a, float b) { return (a != a || b != b) ? a + b : fmaxf(a, b); }
__device__ __forceinline__ float java_minf(float a, float b) { return (a != a || b != b) ? a + b : fminf(a, b); }

// out = a (op) b, exactly as BinaryOp.apply defines it; comparisons give 1.0f or 0.0f.
template <int OP>
__device__ __forceinline__ float binary_fn(float a, float b) {
    if constexpr (OP == B_ADD) return a + b;
    else if constexpr (OP == B_SUB) return a - b;
    else if constexpr (OP == B_MUL) return a * b;
    else if constexpr (OP == B_DIV) return a / b;
    else if constexpr (OP == B_POW) return java_powf(a, b);
    else if constexpr (OP == B_MAX) return java_maxf(a, b);
    else if constexpr (OP == B_MIN) return java_minf(a, b);
    else if constexpr (OP == B_EQ) return a == b ? 1.0f : 0.0f;
    else if constexpr (OP == B_NE) return a != b ? 1.0f : 0.0f;
    else if constexpr (OP == B_LT) return a < b ? 1.0f : 0.0f;
    else if constexpr (OP == B_LE) return a <= b ? 1.0f : 0.0f;
    else if constexpr (OP == B_GT) return a > b ? 1.0f : 0.0f;
    else return a >= b ? 1.0f : 0.0f;  // B_GE
}

// Calls body(IntC<op>()) so that each op gets its own branch-free loop.
template <typename Body>
__device__ __forceinline__ void with_unary(int op, Body body) {
    switch (op) {
        case U_NEG: body(IntC<U_NEG>()); break;
        case U_EXP: body(IntC<U_EXP>()); break;
        case U_LOG: body(IntC<U_LOG>()); break;
        case U_SQRT: body(IntC<U_SQRT>()); break;
        case U_TANH: body(IntC<U_TANH>()); break;
        case U_SIGMOID: body(IntC<U_SIGMOID>()); break;
        case U_RELU: body(IntC<U_RELU>()); break;
        case U_SILU: body(IntC<U_SILU>()); break;
        case U_GELU: body(IntC<U_GELU>()); break;
        case U_ABS: body(IntC<U_ABS>()); break;
        default: break;
    }
}

template <typename Body>
__device__ __forceinline__ void with_binary(int op, Body body) {
    switch (op) {
        case B_ADD: body(IntC<B_ADD>()); break;
        case B_SUB: body(IntC<B_SUB>()); break;
        case B_MUL: body(IntC<B_MUL>()); break;
        case B_DIV: body(IntC<B_DIV>()); break;
        case B_POW: body(IntC<B_POW>()); break;
        case B_MAX: body(IntC<B_MAX>()); break;
        case B_MIN: body(IntC<B_MIN>()); break;
        case B_EQ: body(IntC<B_EQ>()); break;
        case B_NE: body(IntC<B_NE>()); break;
        case B_LT: body(IntC<B_LT>()); break;
        case B_LE: body(IntC<B_LE>()); break;
        case B_GT: body(IntC<B_GT>()); break;
        case B_GE: body(IntC<B_GE>()); break;
        default: break;
    }
}

// ---- unary ------------------------------------------------------------------------------------------

// y[i] = f(x[i]); x, y contiguous (n).
extern "C" __global__ void unary_f32(const float* __restrict__ x, float* __restrict__ y, int n, int op) {
    with_unary(op, [&](auto c) {
        SVDD_FOR_EACH(i, n) y[i] = unary_fn<decltype(c)::value>(x[i]);
    });
}

// y[i] = f(x[at(i)]); x strided (shape, xs), y contiguous.
extern "C" __global__ void unary_strided_f32(const float* __restrict__ x, float* __restrict__ y, int n, int op,
                                             Dims6 shape, Dims6 xs) {
    with_unary(op, [&](auto c) {
        SVDD_FOR_EACH(i, n) {
            int k[6];
            unravel6(i, shape, k);
            y[i] = unary_fn<decltype(c)::value>(x[offset6(k, xs)]);
        }
    });
}

// gx[i] = gy[i] * f'(x[i]); all contiguous (n).
extern "C" __global__ void unary_backward_f32(const float* __restrict__ x, const float* __restrict__ gy,
                                              float* __restrict__ gx, int n, int op) {
    with_unary(op, [&](auto c) {
        SVDD_FOR_EACH(i, n) gx[i] = gy[i] * unary_grad<decltype(c)::value>(x[i]);
    });
}

// gx[i] = gy[at(i)] * f'(x[at(i)]); x (shape, xs) and gy (shape, gys) strided, gx contiguous.
extern "C" __global__ void unary_backward_strided_f32(const float* __restrict__ x, const float* __restrict__ gy,
                                                      float* __restrict__ gx, int n, int op, Dims6 shape, Dims6 xs,
                                                      Dims6 gys) {
    with_unary(op, [&](auto c) {
        SVDD_FOR_EACH(i, n) {
            int k[6];
            unravel6(i, shape, k);
            gx[i] = gy[offset6(k, gys)] * unary_grad<decltype(c)::value>(x[offset6(k, xs)]);
        }
    });
}

// ---- binary -----------------------------------------------------------------------------------------

// out[i] = a[i] op b[i]; all contiguous (n).
extern "C" __global__ void binary_f32(const float* __restrict__ a, const float* __restrict__ b,
                                      float* __restrict__ out, int n, int op) {
    with_binary(op, [&](auto c) {
        SVDD_FOR_EACH(i, n) out[i] = binary_fn<decltype(c)::value>(a[i], b[i]);
    });
}

// out[i] = a[at_a(i)] op b[at_b(i)]; a (shape, as) and b (shape, bs) strided (stride 0 = broadcast), out contiguous.
extern "C" __global__ void binary_strided_f32(const float* __restrict__ a, const float* __restrict__ b,
                                              float* __restrict__ out, int n, int op, Dims6 shape, Dims6 as,
                                              Dims6 bs) {
    with_binary(op, [&](auto c) {
        SVDD_FOR_EACH(i, n) {
            int k[6];
            unravel6(i, shape, k);
            out[i] = binary_fn<decltype(c)::value>(a[offset6(k, as)], b[offset6(k, bs)]);
        }
    });
}

// ---- comparisons of int32, int64 and double operands ----------------------------------------------------

// a (op) b for a comparison op, 1 or 0 in the operands' type: exact in that type (int64 token ids are never rounded
// to a float). NaN compares as Java does: unequal to everything, NE true.
template <typename T, int OP>
__device__ __forceinline__ T compare_fn(T a, T b) {
    bool r;
    if constexpr (OP == B_EQ) r = a == b;
    else if constexpr (OP == B_NE) r = a != b;
    else if constexpr (OP == B_LT) r = a < b;
    else if constexpr (OP == B_LE) r = a <= b;
    else if constexpr (OP == B_GT) r = a > b;
    else r = a >= b;  // B_GE
    return r ? T(1) : T(0);
}

// out[i] = a[at_a(i)] op b[at_b(i)] for op in EQ..GE (any other op code writes nothing); a (shape, as) and
// b (shape, bs) strided, out contiguous, all T.
#define SVDD_COMPARE_STRIDED(TN, T)                                                                       \
    extern "C" __global__ void compare_strided_##TN(const T* __restrict__ a, const T* __restrict__ b,      \
                                                    T* __restrict__ out, int n, int op, Dims6 shape,       \
                                                    Dims6 as, Dims6 bs) {                                  \
        with_binary(op, [&](auto c) {                                                                     \
            constexpr int OP = decltype(c)::value;                                                        \
            if constexpr (OP >= B_EQ) {                                                                   \
                SVDD_FOR_EACH(i, n) {                                                                     \
                    int k[6];                                                                             \
                    unravel6(i, shape, k);                                                                \
                    out[i] = compare_fn<T, OP>(a[offset6(k, as)], b[offset6(k, bs)]);                     \
                }                                                                                         \
            }                                                                                             \
        });                                                                                               \
    }

SVDD_COMPARE_STRIDED(i32, int)
SVDD_COMPARE_STRIDED(i64, long long)
SVDD_COMPARE_STRIDED(f64, double)

// ---- where ------------------------------------------------------------------------------------------

// out[i] = cond[i] != 0 ? a[i] : b[i]; all contiguous (n). A NaN condition counts as true (NaN != 0).
extern "C" __global__ void where_f32(const float* __restrict__ cond, const float* __restrict__ a,
                                     const float* __restrict__ b, float* __restrict__ out, int n) {
    SVDD_FOR_EACH(i, n) out[i] = cond[i] != 0.0f ? a[i] : b[i];
}

// The same with cond (shape, cs), a (shape, as), b (shape, bs) strided; out contiguous.
extern "C" __global__ void where_strided_f32(const float* __restrict__ cond, const float* __restrict__ a,
                                             const float* __restrict__ b, float* __restrict__ out, int n,
                                             Dims6 shape, Dims6 cs, Dims6 as, Dims6 bs) {
    SVDD_FOR_EACH(i, n) {
        int k[6];
        unravel6(i, shape, k);
        out[i] = cond[offset6(k, cs)] != 0.0f ? a[offset6(k, as)] : b[offset6(k, bs)];
    }
}

// where_strided_<C>_<V>: the same for a condition of type C (f32, f64, i32, i64; nonzero is true, -0.0 is not, NaN
// is) and values of type V (f32, i32, i64), moved, not converted: a double moves as the int64 of its bits.
#define SVDD_WHERE_STRIDED(CN, CT, VN, VT)                                                                  \
    extern "C" __global__ void where_strided_##CN##_##VN(const CT* __restrict__ cond, const VT* __restrict__ a, \
                                                         const VT* __restrict__ b, VT* __restrict__ out, int n,  \
                                                         Dims6 shape, Dims6 cs, Dims6 as, Dims6 bs) {            \
        SVDD_FOR_EACH(i, n) {                                                                               \
            int k[6];                                                                                       \
            unravel6(i, shape, k);                                                                          \
            out[i] = cond[offset6(k, cs)] != (CT)0 ? a[offset6(k, as)] : b[offset6(k, bs)];                 \
        }                                                                                                   \
    }

SVDD_WHERE_STRIDED(f32, float, i32, int)
SVDD_WHERE_STRIDED(f32, float, i64, long long)
SVDD_WHERE_STRIDED(f64, double, f32, float)
SVDD_WHERE_STRIDED(f64, double, i32, int)
SVDD_WHERE_STRIDED(f64, double, i64, long long)
SVDD_WHERE_STRIDED(i32, int, f32, float)
SVDD_WHERE_STRIDED(i32, int, i32, int)
SVDD_WHERE_STRIDED(i32, int, i64, long long)
SVDD_WHERE_STRIDED(i64, long long, f32, float)
SVDD_WHERE_STRIDED(i64, long long, i32, int)
SVDD_WHERE_STRIDED(i64, long long, i64, long long)

// ---- conversions, copies, fills ---------------------------------------------------------------------
//
// Conversions follow Java's casts: float -> int truncates toward zero, saturates, and maps NaN to 0 (PTX
// cvt.rzi does exactly that); int -> float rounds to nearest; int64 -> int32 saturates (as the reference's
// trip through double does).

template <typename D, typename S>
__device__ __forceinline__ D convert(S v);
template <> __device__ __forceinline__ float convert<float, float>(float v) { return v; }
template <> __device__ __forceinline__ int convert<int, float>(float v) { return __float2int_rz(v); }
template <> __device__ __forceinline__ long long convert<long long, float>(float v) { return __float2ll_rz(v); }
template <> __device__ __forceinline__ float convert<float, int>(int v) { return __int2float_rn(v); }
template <> __device__ __forceinline__ int convert<int, int>(int v) { return v; }
template <> __device__ __forceinline__ long long convert<long long, int>(int v) { return v; }
template <> __device__ __forceinline__ float convert<float, long long>(long long v) { return __ll2float_rn(v); }
template <> __device__ __forceinline__ int convert<int, long long>(long long v) {
    return v > 2147483647LL ? 2147483647 : (v < -2147483648LL ? (int)0x80000000 : (int)v);
}
template <> __device__ __forceinline__ long long convert<long long, long long>(long long v) { return v; }

// y[at_y(i)] = convert(x[at_x(i)]): x (shape, xs) -> y (shape, ys). With ys the contiguous strides of shape
// this is "copy a view into a fresh tensor" (Backend.copy); with ys a view's strides it is Backend.assign.
#define SVDD_COPY_STRIDED(SN, ST, DN, DT)                                                                  \
    extern "C" __global__ void copy_strided_##SN##_##DN(const ST* __restrict__ x, DT* __restrict__ y, int n, \
                                                        Dims6 shape, Dims6 xs, Dims6 ys) {                  \
        SVDD_FOR_EACH(i, n) {                                                                              \
            int k[6];                                                                                      \
            unravel6(i, shape, k);                                                                         \
            y[offset6(k, ys)] = convert<DT, ST>(x[offset6(k, xs)]);                                        \
        }                                                                                                  \
    }

SVDD_COPY_STRIDED(f32, float, f32, float)
SVDD_COPY_STRIDED(f32, float, i32, int)
SVDD_COPY_STRIDED(f32, float, i64, long long)
SVDD_COPY_STRIDED(i32, int, f32, float)
SVDD_COPY_STRIDED(i32, int, i32, int)
SVDD_COPY_STRIDED(i32, int, i64, long long)
SVDD_COPY_STRIDED(i64, long long, f32, float)
SVDD_COPY_STRIDED(i64, long long, i32, int)
SVDD_COPY_STRIDED(i64, long long, i64, long long)

// y[i] = convert(x[i]); x, y contiguous (n).
#define SVDD_CAST(SN, ST, DN, DT)                                                                    \
    extern "C" __global__ void cast_##SN##_##DN(const ST* __restrict__ x, DT* __restrict__ y, int n) { \
        SVDD_FOR_EACH(i, n) y[i] = convert<DT, ST>(x[i]);                                            \
    }

SVDD_CAST(f32, float, i32, int)
SVDD_CAST(f32, float, i64, long long)
SVDD_CAST(i32, int, f32, float)
SVDD_CAST(i64, long long, f32, float)
SVDD_CAST(i32, int, i64, long long)
SVDD_CAST(i64, long long, i32, int)

// y[i] = v; y contiguous (n).
extern "C" __global__ void fill_f32(float* __restrict__ y, int n, float v) {
    SVDD_FOR_EACH(i, n) y[i] = v;
}
extern "C" __global__ void fill_i32(int* __restrict__ y, int n, int v) {
    SVDD_FOR_EACH(i, n) y[i] = v;
}
extern "C" __global__ void fill_i64(long long* __restrict__ y, int n, long long v) {
    SVDD_FOR_EACH(i, n) y[i] = v;
}

#!/usr/bin/env python3
"""GPU self-test of the committed PTX kernels (a developer tool; CI never runs it: it needs a GPU).

Loads kernels/src/main/resources/org/svdd/kernels/cuda/*.sm_XX.ptx with the CUDA driver API through ctypes
(cuModuleLoadData + cuLaunchKernel, the same calls JCuda makes, with Dims6 structs passed as int[6]) and checks
every kernel against float64 references computed with PyTorch. Buffers are torch CUDA tensors.

Usage (on a machine with a GPU, PyTorch and a driver that accepts the PTX):
    python3 kernels/scripts/gpu_selftest.py [--arch 90] [--bench]
Exit status 0 when every check passes.
"""
import argparse
import ctypes
import math
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
PTX_DIR = os.path.join(HERE, "..", "src", "main", "resources", "org", "svdd", "kernels", "cuda")

cuda = ctypes.CDLL("libcuda.so.1")
CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8


def check(rc, what):
    if rc != 0:
        name = ctypes.c_char_p()
        cuda.cuGetErrorName(rc, ctypes.byref(name))
        raise RuntimeError(f"{what} failed: {rc} {name.value}")


class Module:
    def __init__(self, family, arch, ptx_dir=PTX_DIR):
        path = os.path.join(ptx_dir, f"{family}.sm_{arch}.ptx")
        with open(path, "rb") as f:
            ptx = f.read() + b"\0"
        self.handle = ctypes.c_void_p()
        check(cuda.cuModuleLoadData(ctypes.byref(self.handle), ctypes.c_char_p(ptx)), f"cuModuleLoadData {path}")
        self.functions = {}

    def fn(self, name):
        if name not in self.functions:
            f = ctypes.c_void_p()
            check(cuda.cuModuleGetFunction(ctypes.byref(f), self.handle, name.encode()), f"cuModuleGetFunction {name}")
            self.functions[name] = f
        return self.functions[name]


class I(int):  # int32 argument
    pass


class L(int):  # int64 argument
    pass


class F(float):  # float32 argument
    pass


class D6(list):  # Dims6 struct argument
    pass


NULL = object()


def dims6(shape):
    shape = list(shape)
    assert len(shape) <= 6
    return D6([1] * (6 - len(shape)) + shape)


def strides6(strides):
    strides = list(strides)
    return D6([0] * (6 - len(strides)) + strides)


def launch(mod, name, grid, block, args, shmem=0):
    keep = []
    for a in args:
        if isinstance(a, torch.Tensor):
            keep.append(ctypes.c_uint64(a.data_ptr()))
        elif a is NULL:
            keep.append(ctypes.c_uint64(0))
        elif isinstance(a, D6):
            keep.append((ctypes.c_int * 6)(*a))
        elif isinstance(a, L):
            keep.append(ctypes.c_longlong(a))
        elif isinstance(a, I):
            keep.append(ctypes.c_int(a))
        elif isinstance(a, F):
            keep.append(ctypes.c_float(a))
        else:
            raise TypeError(f"argument {a!r} of {name} needs a type wrapper")
    params = (ctypes.c_void_p * max(1, len(keep)))(*[ctypes.cast(ctypes.byref(k), ctypes.c_void_p) for k in keep])
    g = list(grid) + [1] * (3 - len(grid))
    b = list(block) + [1] * (3 - len(block))
    f = mod.fn(name)
    if shmem > 48 * 1024:
        check(cuda.cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, shmem), "cuFuncSetAttribute")
    check(cuda.cuLaunchKernel(f, g[0], g[1], g[2], b[0], b[1], b[2], shmem, None, params, None), f"launch {name}")
    check(cuda.cuCtxSynchronize(), f"sync after {name}")


FAILS = []
COUNT = [0]


def expect_close(name, got, want, rtol=1e-5, atol=1e-6):
    COUNT[0] += 1
    got = got.detach().double().cpu()
    want = want.detach().double().cpu()
    if got.shape != want.shape:
        FAILS.append(f"{name}: shape {tuple(got.shape)} != {tuple(want.shape)}")
        print("FAIL", FAILS[-1])
        return
    ok = torch.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    if not bool(ok.all()):
        bad = (~ok).nonzero()[0].tolist()
        err = (got - want).abs()
        err[torch.isnan(err)] = float("inf")
        FAILS.append(f"{name}: {int((~ok).sum())} mismatches, first at {bad}: got {got[tuple(bad)].item()} want "
                     f"{want[tuple(bad)].item()}; max abs err {err.max().item():.3e}")
        print("FAIL", FAILS[-1])


def expect_equal(name, got, want):
    COUNT[0] += 1
    got, want = got.cpu(), want.cpu()
    if got.shape != want.shape or not bool((got == want).all()):
        FAILS.append(f"{name}: got {got.flatten()[:8].tolist()} want {want.flatten()[:8].tolist()}")
        print("FAIL", FAILS[-1])


dev = torch.device("cuda")


def grid1(n, block=256):
    return (max(1, min((n + block - 1) // block, 1 << 20)),)


# ---- elementwise ------------------------------------------------------------------------------------------

UNARY = ["neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "silu", "gelu", "abs"]
GELU_C = math.sqrt(2.0 / math.pi)


def unary_ref(op, x):
    if op == "neg": return -x
    if op == "exp": return torch.exp(x)
    if op == "log": return torch.log(x)
    if op == "sqrt": return torch.sqrt(x)
    if op == "tanh": return torch.tanh(x)
    if op == "sigmoid": return 1 / (1 + torch.exp(-x))
    if op == "relu": return torch.where(x > 0, x, torch.zeros_like(x))
    if op == "silu": return x / (1 + torch.exp(-x))
    if op == "gelu": return 0.5 * x * (1 + torch.tanh(GELU_C * (x + 0.044715 * x ** 3)))
    if op == "abs": return x.abs()


def unary_grad_ref(op, x):
    if op == "neg": return -torch.ones_like(x)
    if op == "exp": return torch.exp(x)
    if op == "log": return 1 / x
    if op == "sqrt": return 0.5 / torch.sqrt(x)
    if op == "tanh": return 1 - torch.tanh(x) ** 2
    if op == "sigmoid":
        s = 1 / (1 + torch.exp(-x)); return s * (1 - s)
    if op == "relu": return (x > 0).double()
    if op == "silu":
        s = 1 / (1 + torch.exp(-x)); return s * (1 + x * (1 - s))
    if op == "gelu":
        t = torch.tanh(GELU_C * (x + 0.044715 * x ** 3))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x)
    if op == "abs": return torch.sign(x)


BINARY = ["add", "sub", "mul", "div", "pow", "max", "min", "eq", "ne", "lt", "le", "gt", "ge"]


def binary_ref(op, a, b):
    return {
        "add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b, "div": lambda: a / b,
        "pow": lambda: torch.pow(a, b), "max": lambda: torch.maximum(a, b), "min": lambda: torch.minimum(a, b),
        "eq": lambda: (a == b).double(), "ne": lambda: (a != b).double(), "lt": lambda: (a < b).double(),
        "le": lambda: (a <= b).double(), "gt": lambda: (a > b).double(), "ge": lambda: (a >= b).double(),
    }[op]()


def test_elementwise(m):
    torch.manual_seed(0)
    n = 100003
    for code, op in enumerate(UNARY):
        x = torch.randn(n, device=dev) * 3
        if op in ("log", "sqrt"):
            x = x.abs() + 1e-3
        x[:4] = torch.tensor([0.0, -0.0, 30.0, -30.0]) if op not in ("log", "sqrt") else x[:4]
        y = torch.empty_like(x)
        launch(m, "unary_f32", grid1(n), (256,), [x, y, I(n), I(code)])
        expect_close(f"unary_f32 {op}", y, unary_ref(op, x.double()), rtol=2e-6, atol=1e-6)
        gy = torch.randn(n, device=dev)
        gx = torch.empty_like(x)
        launch(m, "unary_backward_f32", grid1(n), (256,), [x, gy, gx, I(n), I(code)])
        expect_close(f"unary_backward_f32 {op}", gx, gy.double() * unary_grad_ref(op, x.double()), rtol=1e-5, atol=1e-5)
        # strided: a permuted 4-D view
        base = torch.randn(3, 5, 7, 11, device=dev)
        if op in ("log", "sqrt"):
            base = base.abs() + 1e-2
        xv = base.permute(2, 0, 3, 1)
        yv = torch.empty(xv.shape, device=dev)
        launch(m, "unary_strided_f32", grid1(xv.numel()), (256,),
               [xv, yv, I(xv.numel()), I(code), dims6(xv.shape), strides6(xv.stride())])
        expect_close(f"unary_strided_f32 {op}", yv, unary_ref(op, xv.double()), rtol=2e-6, atol=1e-6)
        gyv = torch.randn(xv.shape[::-1], device=dev).permute(3, 2, 1, 0)
        gxv = torch.empty(xv.shape, device=dev)
        launch(m, "unary_backward_strided_f32", grid1(xv.numel()), (256,),
               [xv, gyv, gxv, I(xv.numel()), I(code), dims6(xv.shape), strides6(xv.stride()), strides6(gyv.stride())])
        expect_close(f"unary_backward_strided_f32 {op}", gxv, gyv.double() * unary_grad_ref(op, xv.double()),
                     rtol=1e-5, atol=1e-5)
    # relu / abs edge values (NaN, -0)
    x = torch.tensor([float("nan"), -0.0, 0.0, float("inf"), -float("inf")], device=dev)
    y = torch.empty_like(x)
    launch(m, "unary_f32", grid1(5), (256,), [x, y, I(5), I(6)])
    expect_equal("relu(NaN) = 0 like Java", torch.isnan(y), torch.zeros(5, dtype=torch.bool))
    launch(m, "unary_backward_f32", grid1(5), (256,), [x, torch.ones_like(x), y, I(5), I(9)])
    expect_close("abs' = signum", y, torch.tensor([float("nan"), -0.0, 0.0, 1.0, -1.0]))

    for code, op in enumerate(BINARY):
        a = torch.randn(n, device=dev)
        b = torch.randn(n, device=dev)
        if op == "pow":
            a = a.abs() + 0.1
        if op in ("eq", "ne", "le", "ge"):
            b[::3] = a[::3]
        out = torch.empty_like(a)
        launch(m, "binary_f32", grid1(n), (256,), [a, b, out, I(n), I(code)])
        expect_close(f"binary_f32 {op}", out, binary_ref(op, a.double(), b.double()), rtol=3e-6)
        # broadcasting: a (4, 1, 6, 5) expanded, b (1, 7, 1, 5) expanded to (4, 7, 6, 5), a also transposed
        ab = torch.randn(4, 1, 5, 6, device=dev).transpose(2, 3)
        bb = torch.randn(1, 7, 1, 5, device=dev)
        if op == "pow":
            ab = ab.abs() + 0.1
        shape = (4, 7, 6, 5)
        av, bv = ab.expand(shape), bb.expand(shape)
        out = torch.empty(shape, device=dev)
        launch(m, "binary_strided_f32", grid1(out.numel()), (256,),
               [av, bv, out, I(out.numel()), I(code), dims6(shape), strides6(av.stride()), strides6(bv.stride())])
        expect_close(f"binary_strided_f32 {op}", out, binary_ref(op, av.double(), bv.double()), rtol=3e-6)
    # Java semantics edge cases
    nan, inf = float("nan"), float("inf")
    a = torch.tensor([1.0, -1.0, 2.0, nan, 1.0, 3.0], device=dev)
    b = torch.tensor([nan, inf, 0.0, 0.0, 2.0, nan], device=dev)
    out = torch.empty_like(a)
    launch(m, "binary_f32", grid1(6), (256,), [a, b, out, I(6), I(4)])
    expect_close("pow Java edge cases", out, torch.tensor([nan, nan, 1.0, 1.0, 1.0, nan]))
    launch(m, "binary_f32", grid1(6), (256,), [a, b, out, I(6), I(5)])
    expect_close("max propagates NaN", out, torch.tensor([nan, inf, 2.0, nan, 2.0, nan]))

    # where
    c = (torch.rand(n, device=dev) > 0.5).float()
    a, b = torch.randn(n, device=dev), torch.randn(n, device=dev)
    out = torch.empty_like(a)
    launch(m, "where_f32", grid1(n), (256,), [c, a, b, out, I(n)])
    expect_close("where_f32", out, torch.where(c != 0, a, b))
    shape = (3, 4, 5)
    cv = (torch.rand(1, 4, 1, device=dev) > 0.5).float().expand(shape)
    av = torch.randn(5, 4, 3, device=dev).permute(2, 1, 0)
    bv = torch.randn(1, device=dev).expand(shape)
    out = torch.empty(shape, device=dev)
    launch(m, "where_strided_f32", grid1(60), (256,), [cv, av, bv, out, I(60), dims6(shape), strides6(cv.stride()),
                                                      strides6(av.stride()), strides6(bv.stride())])
    expect_close("where_strided_f32", out, torch.where(cv != 0, av, bv))

    # strided copies with conversion (view -> contiguous, and contiguous -> view = assign)
    tmap = {"f32": torch.float32, "i32": torch.int32, "i64": torch.int64}
    for sn, st in tmap.items():
        for dn, dt in tmap.items():
            src = (torch.randn(6, 5, 4, device=dev) * 100).to(st).permute(2, 0, 1)[:, 1:, ::2]
            dst = torch.zeros(src.shape, dtype=dt, device=dev)
            launch(m, f"copy_strided_{sn}_{dn}", grid1(src.numel()), (256,),
                   [src, dst, I(src.numel()), dims6(src.shape), strides6(src.stride()), strides6(dst.stride())])
            expect_equal(f"copy_strided_{sn}_{dn} view->contiguous", dst, src.to(dt))
            big = torch.zeros(4, 7, 9, dtype=dt, device=dev)
            view = big[:, 1:6, 2:9:2]  # (4, 5, 4): assign into a view
            s2 = (torch.randn(view.shape, device=dev) * 100).to(st)
            launch(m, f"copy_strided_{sn}_{dn}", grid1(view.numel()), (256,),
                   [s2, view, I(view.numel()), dims6(view.shape), strides6(s2.stride()), strides6(view.stride())])
            want = torch.zeros_like(big)
            want[:, 1:6, 2:9:2] = s2.to(dt)
            expect_equal(f"copy_strided_{sn}_{dn} assign into view", big, want)
    for sn, dn in [("f32", "i32"), ("f32", "i64"), ("i32", "f32"), ("i64", "f32"), ("i32", "i64"), ("i64", "i32")]:
        src = (torch.randn(1000, device=dev) * 1000).to(tmap[sn])
        dst = torch.empty(1000, dtype=tmap[dn], device=dev)
        launch(m, f"cast_{sn}_{dn}", grid1(1000), (256,), [src, dst, I(1000)])
        expect_equal(f"cast_{sn}_{dn}", dst, src.to(tmap[dn]))
    x = torch.tensor([float("nan"), 3e9, -3e9, -2.7, 2.7], device=dev)
    y = torch.empty(5, dtype=torch.int32, device=dev)
    launch(m, "cast_f32_i32", grid1(5), (256,), [x, y, I(5)])
    expect_equal("cast_f32_i32 Java semantics", y, torch.tensor([0, 2147483647, -2147483648, -2, 2], dtype=torch.int32))
    y = torch.empty(n, device=dev)
    launch(m, "fill_f32", grid1(n), (256,), [y, I(n), F(2.5)])
    expect_equal("fill_f32", y, torch.full((n,), 2.5, device=dev))
    yi = torch.empty(n, dtype=torch.int64, device=dev)
    launch(m, "fill_i64", grid1(n), (256,), [yi, I(n), L(-(1 << 40))])
    expect_equal("fill_i64", yi, torch.full((n,), -(1 << 40), dtype=torch.int64, device=dev))
    yi = torch.empty(n, dtype=torch.int32, device=dev)
    launch(m, "fill_i32", (3,), (128,), [yi, I(n), I(-7)])  # tiny grid: grid-stride loop
    expect_equal("fill_i32 small grid", yi, torch.full((n,), -7, dtype=torch.int32, device=dev))


# ---- reduce -----------------------------------------------------------------------------------------------

def test_reduce(m):
    torch.manual_seed(1)
    for outer, n, inner in [(1, 1, 1), (7, 1000, 1), (3, 100000, 1), (5, 33, 70), (2, 1000, 3), (1, 4096, 256),
                            (70000, 3, 1), (4, 0, 5), (130, 17, 33)]:
        x = torch.randn(outer, n, inner, device=dev)
        if n > 3:
            x[:, n // 2, :] = x.max() + 1  # a tie for argmax: first wins
            x[:, n - 1, :] = x.max()
        grid = ((inner + 31) // 32, min(outer, 65535))
        out = torch.empty(outer, inner, device=dev)
        launch(m, "reduce_sum_f32", grid, (32, 8), [x, out, I(outer), I(n), I(inner)])
        expect_close(f"reduce_sum {outer}x{n}x{inner}", out, x.double().sum(1), rtol=1e-5, atol=1e-4)
        if n == 0:
            continue
        launch(m, "reduce_max_f32", grid, (32, 8), [x, out, I(outer), I(n), I(inner)])
        expect_close(f"reduce_max {outer}x{n}x{inner}", out, x.double().amax(1))
        outi = torch.empty(outer, inner, dtype=torch.int64, device=dev)
        launch(m, "reduce_argmax_f32", grid, (32, 8), [x, outi, I(outer), I(n), I(inner)])
        expect_equal(f"reduce_argmax {outer}x{n}x{inner}", outi, x.cpu().argmax(1))  # first maximum
    # NaN rules
    nan = float("nan")
    rows = torch.tensor([[nan, 5.0, 1.0], [1.0, nan, 5.0], [-float("inf")] * 3, [2.0, 7.0, 7.0]], device=dev)
    outi = torch.empty(4, 1, dtype=torch.int64, device=dev)
    launch(m, "reduce_argmax_f32", (1, 4), (32, 8), [rows, outi, I(4), I(3), I(1)])
    expect_equal("reduce_argmax NaN rules (rows)", outi.flatten(), torch.tensor([0, 2, 0, 1]))
    cols = rows.t().contiguous().reshape(1, 3, 4)
    outi = torch.empty(1, 4, dtype=torch.int64, device=dev)
    launch(m, "reduce_argmax_f32", (1, 1), (32, 8), [cols, outi, I(1), I(3), I(4)])
    expect_equal("reduce_argmax NaN rules (cols)", outi.flatten(), torch.tensor([0, 2, 0, 1]))
    out = torch.empty(4, device=dev)
    launch(m, "reduce_max_f32", (1, 4), (32, 8), [rows, out, I(4), I(3), I(1)])
    expect_close("reduce_max NaN propagates", out, torch.tensor([nan, nan, -float("inf"), 7.0]))


# ---- gemm -------------------------------------------------------------------------------------------------

def gemm(m, kernel, A, B, C, alpha=1.0, beta=0.0):
    """A (batch, M, K), B (batch, K, N) views with any strides; C (batch, M, N) with unit column stride."""
    batch, M, K = A.shape
    N = B.shape[2]
    if kernel == "sgemm_naive":
        grid, block = ((N + 15) // 16, (M + 15) // 16, min(batch, 65535)), (16, 16)
    else:
        grid, block = ((N + 127) // 128, (M + 127) // 128, min(batch, 65535)), (256,)
    launch(m, kernel, grid, block, [A, B, C, I(batch), I(M), I(N), I(K), I(A.stride(0)), I(A.stride(1)),
                                    I(A.stride(2)), I(B.stride(0)), I(B.stride(1)), I(B.stride(2)), I(C.stride(0)),
                                    I(C.stride(1)), F(alpha), F(beta)])


def test_gemm(m, bench):
    torch.manual_seed(2)
    cases = [(1, 1, 1, 1), (1, 128, 128, 128), (3, 129, 65, 37), (2, 64, 300, 257), (1, 500, 3, 1000),
             (5, 17, 19, 8), (1, 256, 256, 4), (2, 1, 77, 5), (4, 300, 1, 9)]
    for kernel in ["sgemm_naive", "sgemm_tiled"]:
        for batch, M, N, K in cases:
            for layout in ["nn", "tn", "nt", "tt", "odd", "bcast"]:
                if layout in ("nn", "odd", "bcast"):
                    A = torch.randn(batch, M, K, device=dev)
                else:
                    A = torch.randn(batch, K, M, device=dev).transpose(1, 2)
                if layout in ("nn", "tn", "bcast"):
                    B = torch.randn(batch, K, N, device=dev)
                elif layout == "odd":  # misaligned pointer and odd strides: scalar load paths
                    B = torch.randn(batch, K, N + 3, device=dev)[:, :, 1:N + 1]
                else:
                    B = torch.randn(batch, N, K, device=dev).transpose(1, 2)
                if layout == "bcast":
                    B = torch.randn(1, K, N, device=dev).expand(batch, K, N)
                C = torch.full((batch, M, N), float("nan"), device=dev)  # beta = 0 must not read C
                gemm(m, kernel, A, B, C)
                want = torch.bmm(A.double(), B.double())
                tol = 1e-5 * math.sqrt(K) + 1e-5
                expect_close(f"{kernel} {batch}x{M}x{N}x{K} {layout}", C, want, rtol=tol, atol=tol)
        # alpha, beta and a strided C (row stride > N)
        A = torch.randn(2, 70, 50, device=dev)
        B = torch.randn(2, 50, 90, device=dev)
        Cbig = torch.randn(2, 70, 96, device=dev)
        C = Cbig[:, :, :90]
        C0 = C.double().clone()
        gemm(m, kernel, A, B, C, alpha=0.5, beta=-2.0)
        expect_close(f"{kernel} alpha/beta/ldc", C, 0.5 * torch.bmm(A.double(), B.double()) - 2.0 * C0, rtol=1e-4,
                     atol=1e-4)
    if bench:
        for (M, N, K) in [(4096, 4096, 4096), (8192, 8192, 8192), (1024, 1024, 1024)]:
            A = torch.randn(1, M, K, device=dev)
            B = torch.randn(1, K, N, device=dev)
            C = torch.empty(1, M, N, device=dev)
            for kernel in ["sgemm_tiled"] + (["sgemm_naive"] if M <= 4096 else []):
                gemm(m, kernel, A, B, C)
                reps = 5
                t = time.perf_counter()
                for _ in range(reps):
                    gemm(m, kernel, A, B, C)
                dt = (time.perf_counter() - t) / reps
                print(f"bench {kernel} {M}x{N}x{K}: {dt * 1e3:.2f} ms, {2 * M * N * K / dt / 1e12:.2f} TFLOP/s")
            torch.backends.cuda.matmul.allow_tf32 = False
            torch.matmul(A, B)  # warm-up (cuBLAS heuristics)
            torch.cuda.synchronize()
            t = time.perf_counter()
            for _ in range(5):
                torch.matmul(A, B)
            torch.cuda.synchronize()
            dt = (time.perf_counter() - t) / 5
            print(f"bench torch fp32 (no tf32) {M}x{N}x{K}: {dt * 1e3:.2f} ms, {2 * M * N * K / dt / 1e12:.2f} TFLOP/s")


# ---- conv -------------------------------------------------------------------------------------------------

def conv_geometry(xs, ws, stride, pad, dil):
    N, C, H, W = xs
    O, Cg, KH, KW = ws
    OH = (H + 2 * pad[0] - dil[0] * (KH - 1) - 1) // stride[0] + 1
    OW = (W + 2 * pad[1] - dil[1] * (KW - 1) - 1) // stride[1] + 1
    return OH, OW


def conv_args(nb, C, H, W, KH, KW, OH, OW, stride, pad, dil):
    return [I(nb), I(C), I(H), I(W), I(KH), I(KW), I(OH), I(OW), I(stride[0]), I(stride[1]), I(pad[0]), I(pad[1]),
            I(dil[0]), I(dil[1])]


def test_conv(m_conv, m_gemm):
    torch.manual_seed(3)
    for (N, C, H, W, O, KH, KW, stride, pad, dil, groups) in [
        (2, 3, 9, 11, 4, 3, 3, (1, 1), (1, 1), (1, 1), 1),
        (3, 4, 16, 16, 6, 3, 3, (2, 2), (1, 1), (1, 1), 2),
        (1, 6, 13, 10, 6, 5, 3, (2, 1), (2, 0), (2, 1), 3),
        (2, 8, 8, 8, 16, 1, 1, (1, 1), (0, 0), (1, 1), 1),
        (2, 4, 7, 7, 4, 4, 4, (3, 3), (2, 2), (1, 1), 4),
    ]:
        Cg, Og = C // groups, O // groups
        x = torch.randn(N, C, H, W, device=dev)
        w = torch.randn(O, Cg, KH, KW, device=dev)
        OH, OW = conv_geometry(x.shape, w.shape, stride, pad, dil)
        L, CKK, CgKK = OH * OW, C * KH * KW, Cg * KH * KW
        geo = conv_args(N, C, H, W, KH, KW, OH, OW, stride, pad, dil)
        name = f"conv N{N} C{C} {H}x{W} O{O} k{KH}x{KW} s{stride} p{pad} d{dil} g{groups}"
        col = torch.empty(N, CKK, L, device=dev)
        launch(m_conv, "im2col_f32", grid1(col.numel()), (256,), [x, col] + geo)
        # forward: out[n, g*Og:(g+1)*Og] = W_g (Og, CgKK) . col[n, g*CgKK:(g+1)*CgKK] (CgKK, L), batched over n
        y = torch.empty(N, O, OH, OW, device=dev)
        wf = w.reshape(O, CgKK)
        for g in range(groups):
            A = wf[g * Og:(g + 1) * Og].unsqueeze(0).expand(N, Og, CgKK)  # batch stride 0
            B = col[:, g * CgKK:(g + 1) * CgKK, :]
            Cv = y.reshape(N, O, L)[:, g * Og:(g + 1) * Og, :]
            gemm(m_gemm, "sgemm_tiled", A, B, Cv)
        xd, wd = x.double().requires_grad_(), w.double().requires_grad_()
        yd = torch.nn.functional.conv2d(xd, wd, None, stride, pad, dil, groups)
        expect_close(f"{name} forward", y, yd, rtol=1e-5, atol=1e-4)
        gy = torch.randn(yd.shape, device=dev)
        gx_ref, gw_ref = torch.autograd.grad(yd, (xd, wd), gy.double())
        # backward input: dcol[n, g-rows] = W_g^T (CgKK, Og) . gy[n, g] (Og, L); then col2im
        dcol = torch.empty(N, CKK, L, device=dev)
        gyf = gy.reshape(N, O, L)
        for g in range(groups):
            A = wf[g * Og:(g + 1) * Og].t().unsqueeze(0).expand(N, CgKK, Og)
            B = gyf[:, g * Og:(g + 1) * Og, :]
            Cv = dcol[:, g * CgKK:(g + 1) * CgKK, :]
            gemm(m_gemm, "sgemm_tiled", A, B, Cv)
        gx = torch.full((N, C, H, W), float("nan"), device=dev)
        launch(m_conv, "col2im_f32", grid1(gx.numel()), (256,), [dcol, gx] + geo)
        expect_close(f"{name} backward input", gx, gx_ref, rtol=1e-5, atol=1e-4)
        # backward weight: per image n, gW_g (Og, CgKK) += gy[n, g] (Og, L) . col[n, g-rows]^T (L, CgKK),
        # batched over groups, beta = 0 for n = 0 and 1 after
        gw = torch.full((O, CgKK), float("nan"), device=dev)
        for n in range(N):
            A = gyf[n].reshape(groups, Og, L)
            B = col[n].reshape(groups, CgKK, L).transpose(1, 2)
            Cv = gw.reshape(groups, Og, CgKK)
            gemm(m_gemm, "sgemm_tiled", A, B, Cv, beta=0.0 if n == 0 else 1.0)
        expect_close(f"{name} backward weight", gw.reshape(w.shape), gw_ref, rtol=1e-5, atol=1e-4)


# ---- softmax / normalize ----------------------------------------------------------------------------------

def row_launch(n):
    return (32, 8) if n <= 1024 else (256, 1)


def test_softmax(m):
    torch.manual_seed(4)
    for R, N in [(1, 1), (5, 7), (1000, 64), (3, 1024), (17, 5000), (2, 100000), (70000, 10)]:
        x = torch.randn(R, N, device=dev) * 5
        y = torch.empty_like(x)
        block = row_launch(N)
        grid = (min((R + block[1] - 1) // block[1], 65535),)
        for log in (0, 1):
            launch(m, "softmax_f32", grid, block, [x, y, I(R), I(N), I(log)])
            want = torch.log_softmax(x.double(), -1) if log else torch.softmax(x.double(), -1)
            expect_close(f"softmax log={log} {R}x{N}", y, want, rtol=1e-5, atol=1e-6)
        rstd = torch.empty(R, device=dev)
        launch(m, "normalize_rows_f32", grid, block, [x, y, rstd, I(R), I(N), F(1e-5)])
        xd = x.double()
        mean = xd.mean(-1, keepdim=True)
        var = ((xd - mean) ** 2).mean(-1, keepdim=True)
        rs = 1 / torch.sqrt(var + 1e-5)
        expect_close(f"normalize_rows y {R}x{N}", y, (xd - mean) * rs, rtol=1e-4, atol=1e-4)
        expect_close(f"normalize_rows rstd {R}x{N}", rstd, rs.flatten(), rtol=1e-4)
        gy = torch.randn(R, N, device=dev)
        gx = torch.empty_like(x)
        launch(m, "normalize_rows_backward_f32", grid, block, [gy, y, rstd, gx, I(R), I(N)])
        yd, gyd = y.double(), gy.double()
        want = rstd.double()[:, None] * (gyd - gyd.mean(-1, keepdim=True) - yd * (gyd * yd).mean(-1, keepdim=True))
        expect_close(f"normalize_rows_backward {R}x{N}", gx, want, rtol=1e-4, atol=1e-4)
    # block shapes other than the suggested ones, and a small grid
    x = torch.randn(37, 300, device=dev)
    y = torch.empty_like(x)
    for block, grid in [((64, 4), (3,)), ((1024, 1), (5,)), ((32, 32), (1,)), ((96, 2), (7,))]:
        launch(m, "softmax_f32", grid, block, [x, y, I(37), I(300), I(0)])
        expect_close(f"softmax block {block} grid {grid}", y, torch.softmax(x.double(), -1), rtol=1e-5, atol=1e-6)


# ---- attention --------------------------------------------------------------------------------------------

def attention_smem(D, E):
    DQ = (D + 3) & ~3
    return 4 * (16 * DQ + 32 * (DQ + 1) + 32 * E + 16 * 32)


def run_attention(m, q, k, v, mask, scale):
    BH, S, D = q.shape
    T, E = k.shape[1], v.shape[2]
    out = torch.full((BH, S, E), float("nan"), device=dev)
    ms = mask.stride() if mask is not None else (0, 0, 0)
    launch(m, "attention_f32", ((S + 15) // 16, min(BH, 65535)), (128,),
           [q, k, v, mask if mask is not None else NULL, out, I(BH), I(S), I(T), I(D), I(E), F(scale), I(ms[0]),
            I(ms[1]), I(ms[2])], shmem=attention_smem(D, E))
    return out


def attention_ref(q, k, v, mask, scale):
    s = torch.bmm(q.double(), k.double().transpose(1, 2)) * scale
    if mask is not None:
        s = s + mask.double()
    mx = s.amax(-1, keepdim=True)
    p = torch.where(torch.isinf(mx) & (mx < 0), torch.zeros_like(s), torch.exp(s - mx))
    l = p.sum(-1, keepdim=True)
    o = torch.bmm(p, v.double())
    return torch.where(l == 0, torch.zeros_like(o), o / l)


def test_attention(m, bench):
    torch.manual_seed(5)
    for BH, S, T, D, E, mask_kind in [(1, 1, 1, 1, 1, None), (2, 16, 32, 64, 64, None), (3, 37, 45, 64, 64, "full"),
                                      (4, 50, 70, 33, 17, "causal"), (2, 100, 100, 128, 128, "bcast"),
                                      (2, 40, 77, 256, 256, "rowblock"), (1, 5, 300, 80, 200, None),
                                      (6, 64, 64, 32, 96, "bcast")]:
        q = torch.randn(BH, S, D, device=dev)
        k = torch.randn(BH, T, D, device=dev)
        v = torch.randn(BH, T, E, device=dev)
        scale = 1 / math.sqrt(D)
        mask = None
        if mask_kind == "full":
            mask = torch.randn(BH, S, T, device=dev)
        elif mask_kind == "causal":
            mask = torch.triu(torch.full((S, T), -float("inf"), device=dev), 1).unsqueeze(0).expand(BH, S, T)
        elif mask_kind == "bcast":  # a (1, 1, T) key-padding mask broadcast over heads and queries
            mk = torch.zeros(1, 1, T, device=dev)
            mk[..., T // 2:] = -float("inf")
            mask = mk.expand(BH, S, T)
        elif mask_kind == "rowblock":  # some rows fully blocked -> 0
            mask = torch.zeros(BH, S, T, device=dev)
            mask[:, ::3, :] = -float("inf")
        out = run_attention(m, q, k, v, mask, scale)
        expect_close(f"attention BH{BH} S{S} T{T} D{D} E{E} mask={mask_kind}", out, attention_ref(q, k, v, mask, scale),
                     rtol=1e-4, atol=1e-5)
    if bench:
        BH, S, D = 32, 1024, 64
        q, k, v = (torch.randn(BH, S, D, device=dev) for _ in range(3))
        run_attention(m, q, k, v, None, 0.125)
        t = time.perf_counter()
        for _ in range(5):
            run_attention(m, q, k, v, None, 0.125)
        dt = (time.perf_counter() - t) / 5
        print(f"bench attention BH{BH} S{S} D{D}: {dt * 1e3:.2f} ms, {4 * BH * S * S * D / dt / 1e12:.2f} TFLOP/s")


# ---- index ------------------------------------------------------------------------------------------------

def test_index(m):
    torch.manual_seed(6)
    for it, suffix in [(torch.int64, "i64"), (torch.int32, "i32")]:
        R, N, J = 37, 50, 300
        x = torch.randn(R, N, device=dev)
        idx = torch.randint(0, N, (R, J), device=dev, dtype=it)
        out = torch.empty(R, J, device=dev)
        err = torch.zeros(1, dtype=torch.int32, device=dev)
        launch(m, f"gather_f32_{suffix}", grid1(R * J), (256,), [x, idx, out, I(R), I(N), I(J), err])
        expect_equal(f"gather_{suffix}", out, torch.gather(x, 1, idx.long()))
        expect_equal(f"gather_{suffix} no error", err, torch.zeros(1, dtype=torch.int32, device=dev))
        src = torch.randn(R, J, device=dev)
        acc = torch.zeros(R, N, device=dev)
        launch(m, f"scatter_add_f32_{suffix}", grid1(R * J), (256,), [idx, src, acc, I(R), I(N), I(J), NULL])
        want = torch.zeros(R, N, dtype=torch.float64, device=dev).scatter_add_(1, idx.long(), src.double())
        expect_close(f"scatter_add_{suffix}", acc, want, rtol=1e-5, atol=1e-5)
        V, D, Lr = 1000, 96, 513
        table = torch.randn(V, D, device=dev)
        ids = torch.randint(0, V, (Lr,), device=dev, dtype=it)
        out = torch.empty(Lr, D, device=dev)
        launch(m, f"index_select_f32_{suffix}", grid1(Lr * D), (256,), [table, ids, out, I(V), I(D), I(Lr), err])
        expect_equal(f"index_select_{suffix}", out, table[ids.long()])
        src = torch.randn(Lr, D, device=dev)
        acc = torch.zeros(V, D, device=dev)
        launch(m, f"index_add_f32_{suffix}", grid1(Lr * D), (256,), [ids, src, acc, I(V), I(D), I(Lr), err])
        want = torch.zeros(V, D, dtype=torch.float64, device=dev).index_add_(0, ids.long(), src.double())
        expect_close(f"index_add_{suffix}", acc, want, rtol=1e-5, atol=1e-5)
        expect_equal(f"index_{suffix} no error", err, torch.zeros(1, dtype=torch.int32, device=dev))
        ids[5] = V
        ids[7] = -1
        launch(m, f"index_select_f32_{suffix}", grid1(Lr * D), (256,), [table, ids, out, I(V), I(D), I(Lr), err])
        expect_equal(f"index_select_{suffix} out-of-range flag", err, torch.ones(1, dtype=torch.int32, device=dev))
        expect_equal(f"index_select_{suffix} out-of-range row is 0", out[5], torch.zeros(D, device=dev))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default=None, help="PTX arch to load (80 or 90); default: the newest the GPU runs")
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--ptx-dir", default=PTX_DIR, help="where the <family>.sm_XX.ptx files are")
    ap.add_argument("--only", default=None, help="comma-separated families to test")
    args = ap.parse_args()
    torch.zeros(1, device=dev)  # creates and binds the primary context
    check(cuda.cuInit(0), "cuInit")
    major = torch.cuda.get_device_capability()[0]
    arch = args.arch or ("90" if major >= 9 else "80")
    print(f"device {torch.cuda.get_device_name()} (sm_{major}x), loading sm_{arch} PTX from {os.path.normpath(PTX_DIR)}")
    class Modules(dict):  # loads a family's PTX on first use
        def __missing__(self, family):
            self[family] = Module(family, arch, args.ptx_dir)
            return self[family]

    mods = Modules()
    for name, fn in [("elementwise", lambda: test_elementwise(mods["elementwise"])),
                     ("reduce", lambda: test_reduce(mods["reduce"])),
                     ("gemm", lambda: test_gemm(mods["gemm"], args.bench)),
                     ("conv", lambda: test_conv(mods["conv"], mods["gemm"])),
                     ("softmax", lambda: test_softmax(mods["softmax"])),
                     ("attention", lambda: test_attention(mods["attention"], args.bench)),
                     ("index", lambda: test_index(mods["index"]))]:
        if args.only and name not in args.only.split(","):
            continue
        before = len(FAILS)
        t = time.perf_counter()
        fn()
        print(f"{name}: {'ok' if len(FAILS) == before else f'{len(FAILS) - before} FAILED'} "
              f"({time.perf_counter() - t:.1f} s)")
    print(f"{COUNT[0]} checks, {len(FAILS)} failed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())

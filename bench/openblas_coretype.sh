# Sourced by the PyTorch peer scripts: sets openblas_coretype, the OpenBLAS kernels PyTorch's BLAS is told to use.
# SkylakeX (AVX-512), as in the earlier results, where the CPU has AVX-512; Haswell (AVX2) where it has AVX2 only, since
# SkylakeX there kills the peer with an illegal instruction (exit 132); OpenBLAS's own choice where it has neither.
openblas_coretype=
if grep -qw avx512f /proc/cpuinfo; then openblas_coretype=SkylakeX
elif grep -qw avx2 /proc/cpuinfo; then openblas_coretype=Haswell
fi

#!/usr/bin/env bash
# Compiles every kernels/src/main/cuda/*.cu to PTX for sm_80 and sm_90:
#   kernels/src/main/resources/org/svdd/kernels/cuda/<name>.sm_80.ptx and <name>.sm_90.ptx
# Precise math (no --use_fast_math): the kernels must agree with the reference backend.
# Exits non-zero, naming the file, on the first compile error. Warnings are printed and, with --strict (or
# SVDD_PTX_STRICT=1), fail the build too.
#
# Usage: kernels/scripts/compile-ptx.sh [--strict]     (NVCC=/path/to/nvcc to pick a compiler)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module="$(dirname "$here")"
src="$module/src/main/cuda"
out="$module/src/main/resources/org/svdd/kernels/cuda"
nvcc="${NVCC:-nvcc}"
strict="${SVDD_PTX_STRICT:-0}"
[ "${1:-}" = "--strict" ] && strict=1

# Keep in sync with PtxCompileTest.NVCC_FLAGS and CudaContext.ARCHES.
arches=(80 90)
flags=(-ptx -std=c++17 -O3)

if ! command -v "$nvcc" >/dev/null 2>&1; then
  echo "compile-ptx: nvcc not found (set NVCC or put it on PATH)" >&2
  exit 2
fi
shopt -s nullglob
sources=("$src"/*.cu)
if [ ${#sources[@]} -eq 0 ]; then
  echo "compile-ptx: no .cu files in $src" >&2
  exit 2
fi
mkdir -p "$out"
echo "compile-ptx: $("$nvcc" --version | tail -n 1)"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
warned=0
for cu in "${sources[@]}"; do
  name="$(basename "$cu" .cu)"
  for arch in "${arches[@]}"; do
    ptx="$out/$name.sm_$arch.ptx"
    if ! "$nvcc" "${flags[@]}" -arch="sm_$arch" -I "$src" -o "$ptx.tmp" "$cu" >"$log" 2>&1; then
      cat "$log" >&2
      rm -f "$ptx.tmp"
      echo "compile-ptx: FAILED: $name.cu (sm_$arch)" >&2
      exit 1
    fi
    if [ -s "$log" ]; then
      cat "$log" >&2
      echo "compile-ptx: warnings in $name.cu (sm_$arch)" >&2
      warned=1
    fi
    mv "$ptx.tmp" "$ptx"
    entries=$(grep -c '^\.visible \.entry' "$ptx" || true)
    echo "compile-ptx: $name.cu -> $(basename "$ptx") ($entries kernels)"
  done
done
if [ "$warned" = 1 ] && [ "$strict" = 1 ]; then
  echo "compile-ptx: failing on warnings (--strict)" >&2
  exit 1
fi
echo "compile-ptx: OK"

#!/usr/bin/env bash
# Our Sgemm against numpy's (OpenBLAS) on square float32 matrices, 1 and 2 threads, in one run.
# Usage: bench/gemm_vs_numpy.sh   (builds with the Maven wrapper first; needs python3 with numpy)
# Last line: `ratio <ours/numpy>` for n = 1024 on 1 thread (GFLOP/s over GFLOP/s).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
./mvnw -q -B -pl bench -am package -DskipTests >&2
cp="kernels/target/classes:bench/target/classes:tensor/target/classes"
sizes="256 512 1024 2048"
numpy() { # threads
  OPENBLAS_NUM_THREADS=$1 OMP_NUM_THREADS=$1 python3 - "$1" $sizes <<'PY'
import sys, time, statistics
import numpy as np
t = int(sys.argv[1])
for n in map(int, sys.argv[2:]):
    rng = np.random.default_rng(1)
    a = rng.random((n, n), dtype=np.float32); b = rng.random((n, n), dtype=np.float32)
    runs = max(5, min(50, int(2e10 / (2 * n ** 3))))
    for _ in range(runs): a @ b
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t0)
    print(f"numpy n={n} threads={t} {2 * n ** 3 / statistics.median(ts) / 1e9:.2f}")
PY
}
out=$(mktemp)
for t in 1 2; do
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$cp" org.svdd.bench.GemmGflops $t $sizes 2>/dev/null | tee -a "$out"
  numpy $t | tee -a "$out"
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), numpy $(python3 -c 'import numpy; print(numpy.__version__)')"
for t in 1 2; do
  for n in $sizes; do
    o=$(awk -v n="n=$n" -v t="threads=$t" '$1=="ours" && $2==n && $3==t {print $4}' "$out")
    p=$(awk -v n="n=$n" -v t="threads=$t" '$1=="numpy" && $2==n && $3==t {print $4}' "$out")
    awk -v n=$n -v t=$t -v o=$o -v p=$p 'BEGIN {printf "n=%d threads=%d ours %.1f GFLOP/s numpy %.1f GFLOP/s ratio %.3f\n", n, t, o, p, o / p}'
  done
done
o=$(awk '$1=="ours" && $2=="n=1024" && $3=="threads=1" {print $4}' "$out")
p=$(awk '$1=="numpy" && $2=="n=1024" && $3=="threads=1" {print $4}' "$out")
rm -f "$out"
awk -v o=$o -v p=$p 'BEGIN {printf "ratio %.3f\n", o / p}'

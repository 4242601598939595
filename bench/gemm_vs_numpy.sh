#!/usr/bin/env bash
# Our Sgemm against numpy's matmul (OpenBLAS) on square float32 matrices, C(n x n) = A·B, n = 256, 512, 1024, 2048,
# on 1 and 2 threads. GFLOP/s = 2 n^3 / seconds / 1e9, each the median of timed runs after a warm-up.
#
# Expects the classes built first:   ./mvnw -q -pl bench -am package -DskipTests
# (classpath kernels/target/classes:bench/target/classes:tensor/target/classes, or $SVDD_CLASSPATH), and python3
# with numpy in PATH. Threads: ours through Parallel.setThreads, numpy through OPENBLAS_NUM_THREADS / OMP_NUM_THREADS.
#
# The machine may be shared, so every (n, threads) pair is measured ROUNDS times (default 3), ours and numpy back to
# back each time; a ratio is the median over rounds of ours/numpy from the same round, GFLOP/s are medians too.
# Last line: `ratio <ours/numpy>` for n = 1024 on 1 thread.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
cp="${SVDD_CLASSPATH:-kernels/target/classes:bench/target/classes:tensor/target/classes}"
sizes="256 512 1024 2048"
rounds="${ROUNDS:-3}"
if [[ -z ${SVDD_CLASSPATH:-} && ! -f bench/target/classes/org/svdd/bench/GemmGflops.class ]]; then
  echo "bench classes missing: run ./mvnw -q -pl bench -am package -DskipTests first" >&2
  exit 1
fi

ours() { # threads n
  "$java" --add-modules jdk.incubator.vector -cp "$cp" org.svdd.bench.GemmGflops "$1" "$2" 2>/dev/null
}

numpy() { # threads n
  OPENBLAS_NUM_THREADS=$1 OMP_NUM_THREADS=$1 MKL_NUM_THREADS=$1 python3 - "$1" "$2" <<'PY'
import statistics, sys, time
import numpy as np
t, n = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(1)
a = rng.random((n, n), dtype=np.float32)
b = rng.random((n, n), dtype=np.float32)
start = time.perf_counter()
while time.perf_counter() - start < 2:
    a @ b
times = []
start = time.perf_counter()
while len(times) < 9 or time.perf_counter() - start < 2:
    t0 = time.perf_counter()
    a @ b
    times.append(time.perf_counter() - t0)
print(f"numpy n={n} threads={t} {2 * n ** 3 / statistics.median(times) / 1e9:.2f}")
PY
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
for r in $(seq "$rounds"); do
  for t in 1 2; do
    for n in $sizes; do
      o=$(ours "$t" "$n")
      p=$(numpy "$t" "$n")
      echo "round $r: $o | $p"
      echo "$o $p" | awk '{print "pair", $2, $3, $4, $8, $4 / $8}' >>"$out"
    done
  done
done

# median <field> <n> <threads>: the median over rounds of field 4 (ours), 5 (numpy) or 6 (ratio) of the pair lines
median() {
  awk -v f="$1" -v n="n=$2" -v t="threads=$3" '$2 == n && $3 == t {print $f}' "$out" | sort -g |
    awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "numpy $(python3 -c 'import numpy; print(numpy.__version__)'), $rounds rounds"
for t in 1 2; do
  for n in $sizes; do
    printf 'n=%d threads=%d ours %.1f GFLOP/s numpy %.1f GFLOP/s ratio %.3f\n' "$n" "$t" \
      "$(median 4 "$n" "$t")" "$(median 5 "$n" "$t")" "$(median 6 "$n" "$t")"
  done
done
printf 'ratio %.3f\n' "$(median 6 1024 1)"

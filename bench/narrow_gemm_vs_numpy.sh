#!/usr/bin/env bash
# A linear layer's narrow product (an output head), C(m x n) = X(m x k)·W(n x k)^T with m = 32000, k = 128 and
# n = 4, 5, 8, 16: our Sgemm (NarrowGemm) against numpy's x @ w.T (OpenBLAS), THREADS threads (default 2), ROUNDS
# rounds (default 3), ours and numpy back to back each round. Prints per n the medians in ms and ours/numpy speed.
# Build first: ./mvnw -q -pl bench -am package -DskipTests
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
cp="${SVDD_CLASSPATH:-kernels/target/classes:bench/target/classes:tensor/target/classes}"
threads="${THREADS:-2}" rounds="${ROUNDS:-3}" ns="4 5 8 16"
for r in $(seq "$rounds"); do
  "$java" --add-modules jdk.incubator.vector -cp "$cp" org.svdd.bench.NarrowGemm "$threads" 32000 128 $ns 2>/dev/null
  OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads python3 - $ns <<'PY'
import sys, time
import numpy as np
rng = np.random.default_rng(1)
x = rng.standard_normal((32000, 128), dtype=np.float32)
for n in map(int, sys.argv[1:]):
    w = rng.standard_normal((n, 128), dtype=np.float32)
    for _ in range(200): x @ w.T
    t = []
    for _ in range(15):
        t0 = time.perf_counter()
        for _ in range(10): x @ w.T
        t.append((time.perf_counter() - t0) / 10)
    t.sort()
    print(f"numpy m=32000 k=128 n={n} {t[7] * 1e3:.3f}")
PY
done | python3 -c '
import sys, statistics, collections
runs = collections.defaultdict(lambda: collections.defaultdict(list))
for line in sys.stdin:
    who, m, k, n, ms = line.split()
    runs[n][who].append(float(ms))
for n, d in runs.items():
    o, p = statistics.median(d["ours"]), statistics.median(d["numpy"])
    print(f"{n}: ours {o:.3f} ms, numpy {p:.3f} ms, ours/numpy speed {p / o:.2f}")
'

#!/usr/bin/env bash
# On a GPU machine (no Maven needed): runs the CUDA conformance suite with the JUnit console launcher, then the GPU
# benchmark, from what prepare-gpu-run.sh assembled in kernels/target/gpu-run. Logs and JUnit XML go to $OUT
# (default ./gpu-out). Java: kernels/target/gpu-run/jdk if carried, else $JAVA_HOME, else the temurin 25 default path.
# Usage: gpu-run.sh [tests|bench|all] [JUnit selectors...]; the default selects the CUDA backend's test classes
# (e.g. pass --select-package=org.svdd.kernels.cuda to add PtxCompileTest, which recompiles every .cu with nvcc).
set -uo pipefail
cd "$(dirname "$0")/../.."
RUN=kernels/target/gpu-run
OUT="${OUT:-$PWD/gpu-out}"
mkdir -p "$OUT"
if [[ -x "$RUN/jdk/bin/java" ]]; then JAVA="$RUN/jdk/bin/java"
elif [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"
else JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java; fi
what="${1:-all}"
shift || true
selectors=("$@")
if (( ${#selectors[@]} == 0 )); then
  selectors=(--select-class=org.svdd.kernels.cuda.CudaBackendConformanceTest --select-class=org.svdd.kernels.cuda.CudaGemmLadderTest
             --select-class=org.svdd.kernels.cuda.CudaDims6Test --select-class=org.svdd.kernels.cuda.CudaSelectionTest)
fi
CP=$(ls "$RUN"/cp/*.jar | grep -v junit-platform-console | tr '\n' ':')"$RUN/cp/kernels-test-classes:$RUN/cp/bench-classes"
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx16g)
# JCublas 12.6 links libcublas.so.12 (symbol-versioned, so CUDA 13's libcublas.so.13 cannot stand in): use one if any is installed
cublas12=$(timeout 30 find /usr /opt /root -name 'libcublas.so.12' 2>/dev/null | head -1)
[[ -n "$cublas12" ]] && export LD_LIBRARY_PATH="$(dirname "$cublas12")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

{ "$JAVA" -version 2>&1; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1; } | tee "$OUT/env.log"
rc=0
if [[ $what == all || $what == tests ]]; then
  "$JAVA" "${FLAGS[@]}" -jar "$RUN/cp/junit-platform-console-standalone.jar" execute \
    --class-path "$CP" "${selectors[@]}" --reports-dir "$OUT/junit" --details=summary --disable-banner \
    > "$OUT/conformance.log" 2>&1
  rc=$?
  grep -E "tests (successful|failed|aborted|skipped|found)|containers failed" "$OUT/conformance.log"
  # the first failures, one line each
  grep -E "MethodSource|=> " "$OUT/conformance.log" | head -60
fi
if [[ $what == all || $what == bench ]]; then
  "$JAVA" "${FLAGS[@]}" -cp "$CP" org.svdd.bench.cuda.CudaGemmBench ${BENCH_MAX_N:-8192} 2>&1 | tee "$OUT/bench.log"
  # cuBLAS through PyTorch (FP32, TF32 off) as a second yardstick, for when JCublas cannot load libcublas.so.12
  if command -v python3 >/dev/null; then
    python3 - <<'PY' 2>&1 | tee "$OUT/torch-cublas.log"
import torch
torch.backends.cuda.matmul.allow_tf32 = False
for n in (1024, 2048, 4096, 8192):
    a = torch.rand(n, n, device="cuda") * 2 - 1; b = torch.rand(n, n, device="cuda") * 2 - 1
    for _ in range(2): a @ b
    ts = []
    for _ in range(10 if n < 8192 else 5):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record(); a @ b; e.record(); torch.cuda.synchronize(); ts.append(s.elapsed_time(e))
    ms = sorted(ts)[len(ts) // 2]
    print(f"torch-cublas n={n} {ms:.3f} ms {2 * n**3 / ms / 1e9:.2f} TFLOP/s")
PY
    # when JCublas could not load, the ratio at n = 4096 comes from the torch cuBLAS timing (same GPU, same run)
    if grep -q '^ratio NaN' "$OUT/bench.log"; then
      ours=$(awk '$1 == 4096 {print $3}' "$OUT/bench.log")
      theirs=$(awk '$2 == "n=4096" {print $5}' "$OUT/torch-cublas.log")
      [[ -n "$ours" && -n "$theirs" ]] && awk -v o="$ours" -v t="$theirs" 'BEGIN {printf "ratio %.3f (ours %s TFLOP/s / torch cuBLAS FP32 %s TFLOP/s, n=4096)\n", o / t, o, t}' | tee -a "$OUT/bench.log"
    fi
  fi
fi
exit $rc

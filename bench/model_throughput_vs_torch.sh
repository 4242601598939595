#!/usr/bin/env bash
# Whole-model throughput of the two committed diffusion models, ours (CPU backend, org.svdd.bench.ModelThroughput)
# against the same architectures in PyTorch CPU (bench/torch_models.py; Debian python3-torch 1.13, MKLDNN on), at
# batch 64 on 1 and 2 threads. Java and PyTorch runs alternate within each round; a figure is the median over rounds
# of each run's median (each run: warm-up calls, then timed calls).
#   train  = zero grad + process loss forward + backward + AdamW update (steps/s)
#   sample = one denoiser forward under no-grad; samples/s = batch / (forward s x reverse steps), 50 DDIM steps for
#            the UNet, 128 masked steps for the transformer (the sampler's own draws are not counted)
# Parameter counts of both sides are printed and must be equal (the script stops otherwise).
# Usage: bench/model_throughput_vs_torch.sh [rounds] [warmup] [runs] [threads...]   defaults 2 5 5 1 2
# Needs: apt-get install python3-torch libopenblas0-pthread. JVM options: SVDD_BENCH_JAVA_OPTS (default: none, the
# JVM's own heap sizing; "-Xms6g -Xmx6g", a fixed heap as svdd.sh sets, is 1.5-4x faster, and
# -XX:+UseTransparentHugePages, which svdd.sh adds where the kernel hands out huge pages on request, 1.26x more for
# the UNet; see RESULTS.md). Ratios are speed ratios (ours / torch steps/s).
# SVDD_BENCH_BEFORE=<dir>: another checkout of this repository (say `git worktree add /tmp/before HEAD~1`), built here
# and run first in each round, so a change is measured against its parent in the same job; its lines and a last table
# are labelled "before".
# Last line: `ratio <ours/torch>` for the UNet training step on 1 thread.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. bench/openblas_coretype.sh
rounds=${1:-2}; warmup=${2:-5}; runs=${3:-5}; shift $(( $# < 3 ? $# : 3 ))
threads=("$@"); [ ${#threads[@]} -gt 0 ] || threads=(1 2)
batch=64
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
./mvnw -q -B -pl bench -am package -DskipTests >&2
# the class path of the checkout at $1
classes() {
  local m out=
  for m in kernels bench tensor diffusion; do out+="$1/$m/target/classes:"; done
  echo "${out%:}"
}
cp=$(classes .)
before=${SVDD_BENCH_BEFORE:-}
if [ -n "$before" ]; then
  [ -x "$before/mvnw" ] || { echo "SVDD_BENCH_BEFORE=$before is not a checkout of this repository" >&2; exit 2; }
  (cd "$before" && ./mvnw -q -B -pl bench -am package -DskipTests) >&2
fi
java() {
  # shellcheck disable=SC2086
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -Dsvdd.backend=cpu ${SVDD_BENCH_JAVA_OPTS:-} -cp "$cp" "$@" 2>/dev/null
}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), OpenBLAS core type ${openblas_coretype:-auto}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  for model in unet transformer; do
    for t in "${threads[@]}"; do
      echo "# round $r $model threads $t (load $(cut -d' ' -f1 /proc/loadavg))"
      if [ -n "$before" ]; then
        cp=$(classes "$before") java org.svdd.bench.ModelThroughput "$model" "$t" "$batch" "$warmup" "$runs" |
          sed 's/^java /before /' | tee -a "$out"
      fi
      java org.svdd.bench.ModelThroughput "$model" "$t" "$batch" "$warmup" "$runs" | tee -a "$out"
      OPENBLAS_CORETYPE=$openblas_coretype OMP_NUM_THREADS=$t /usr/bin/python3 bench/torch_models.py "$model" "$t" "$batch" "$warmup" "$runs" | tee -a "$out"
    done
  done
done
echo "machine: load average after $(cut -d' ' -f1-3 /proc/loadavg)"

for model in unet transformer; do
  jp=$(awk -v m=$model '$1=="java" && $2==m && $3=="params" {print $4; exit}' "$out")
  tp=$(awk -v m=$model '$1=="torch" && $2==m && $3=="params" {print $4; exit}' "$out")
  echo "$model parameters: ours $jp, torch $tp"
  [ "$jp" = "$tp" ] || { echo "parameter counts differ for $model: the models are not the same" >&2; exit 1; }
done

# median over rounds of field <key> of lines "<side> <model> <kind> <threads> ... <key> <value> ..."
med() {
  awk -v s="$1" -v m="$2" -v k="$3" -v t="$4" -v key="$5" '$1==s && $2==m && $3==k && $4==t {
      for (i = 5; i < NF; i++) if ($i == key) print $(i + 1) }' "$out" | sort -g |
    awk '{ v[++n] = $1 } END { if (n == 0) print "nan"; else print (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2) }'
}
steps() { case $1 in unet) echo 50 ;; transformer) echo 128 ;; esac; }

echo
echo "training step (batch $batch): steps/s from the median wall time; cpu = median process CPU ms per step"
printf '%-12s %7s %10s %11s %8s %12s %12s\n' model threads "ours st/s" "torch st/s" ratio "ours cpu ms" "torch cpu ms"
for model in unet transformer; do
  for t in "${threads[@]}"; do
    jw=$(med java $model train $t wall); tw=$(med torch $model train $t wall)
    jc=$(med java $model train $t cpu); tc=$(med torch $model train $t cpu)
    awk -v m=$model -v t=$t -v jw=$jw -v tw=$tw -v jc=$jc -v tc=$tc \
      'BEGIN { printf "%-12s %7d %10.3f %11.3f %8.2f %12.0f %12.0f\n", m, t, 1000 / jw, 1000 / tw, tw / jw, jc, tc }'
  done
done
echo
echo "phases of the training step, median ms (forward = loss forward, backward, optimizer = AdamW)"
printf '%-12s %7s %10s %10s %10s %10s %10s %10s\n' model threads "ours fwd" "torch fwd" "ours bwd" "torch bwd" "ours opt" "torch opt"
for model in unet transformer; do
  for t in "${threads[@]}"; do
    printf '%-12s %7d' $model $t
    for k in fwd bwd opt; do printf ' %10.0f %10.0f' "$(med java $model train $t $k)" "$(med torch $model train $t $k)"; done
    echo
  done
done
echo
echo "sampling: one denoiser forward at batch $batch under no-grad; samples/s = $batch / (forward s x steps)"
printf '%-12s %7s %5s %10s %11s %13s %13s %8s\n' model threads steps "ours ms" "torch ms" "ours smp/s" "torch smp/s" ratio
for model in unet transformer; do
  for t in "${threads[@]}"; do
    jw=$(med java $model sample $t wall); tw=$(med torch $model sample $t wall)
    awk -v m=$model -v t=$t -v n=$(steps $model) -v b=$batch -v jw=$jw -v tw=$tw \
      'BEGIN { printf "%-12s %7d %5d %10.1f %11.1f %13.2f %13.2f %8.2f\n", m, t, n, jw, tw, b * 1000 / (jw * n), b * 1000 / (tw * n), tw / jw }'
  done
done
if [ -n "$before" ]; then
  echo
  echo "before ($before) against ours and PyTorch: training steps/s and sampling forward ms"
  printf '%-12s %7s %12s %10s %8s %14s %12s %10s\n' \
    model threads "before st/s" "ours st/s" speedup "before/torch" "before smp ms" "ours smp ms"
  for model in unet transformer; do
    for t in "${threads[@]}"; do
      bw=$(med before $model train $t wall); jw=$(med java $model train $t wall); tw=$(med torch $model train $t wall)
      bs=$(med before $model sample $t wall); js=$(med java $model sample $t wall)
      awk -v m=$model -v t=$t -v bw=$bw -v jw=$jw -v tw=$tw -v bs=$bs -v js=$js \
        'BEGIN { printf "%-12s %7d %12.3f %10.3f %8.2f %14.2f %12.1f %10.1f\n",
                 m, t, 1000 / bw, 1000 / jw, bw / jw, tw / bw, bs, js }'
    done
  done
fi
jw=$(med java unet train 1 wall); tw=$(med torch unet train 1 wall)
awk -v j=$jw -v t=$tw 'BEGIN { if (j == "nan" || t == "nan") print "ratio nan"; else printf "ratio %.3f\n", t / j }'

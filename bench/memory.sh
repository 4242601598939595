#!/usr/bin/env bash
# Memory of svdd jobs: max RSS, wall time and minor page faults, measured in one run.
#   bench/memory.sh [heap options...]          # "" (the default) = the launcher's own heap
#   SVDD_BENCH_BEFORE=<checkout> bench/memory.sh   # the same jobs with another checkout's svdd.sh first, each job in turn
#   bench/memory.sh --soak SECONDS              # a long sampling loop: RSS every 10 s, and its growth
# Jobs: `demo --quick`, a DNA comparison (pretrained + svdd-pm, n 16, M 10, 32 steps) and 20 steps of Fashion UNet
# training at batch 64 (needs the data sets: scripts/fetch-data.sh). The training line adds steps/s from its log and
# minor page faults per step (the JVM's start-up faults included). The soak runs svdd-pm on dna-transformer-conv
# (n 16, M 10, 32 steps) seed after seed in one JVM, stops it after SECONDS, and prints RSS by minute and the growth
# from the second minute to the last.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cd "$root"

if [ "${1:-}" = "--soak" ]; then
  seconds=${2:?--soak needs SECONDS}
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); soak ${seconds} s"
  ./svdd.sh compare --checkpoint models/dna-transformer-conv.safetensors --reward motif:TBP -n 16 -M 10 --steps 32 \
    --methods svdd-pm --seeds 100000 --out "$scratch/soak" > "$scratch/soak.log" 2>&1 &
  pid=$!
  samples=()
  for ((t = 10; t <= seconds; t += 10)); do
    sleep 10
    kill -0 "$pid" 2>/dev/null || { echo "the sampling loop stopped: $(tail -3 "$scratch/soak.log")" >&2; exit 1; }
    samples+=("$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")")
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  per_min=6
  for ((m = 0; m * per_min < ${#samples[@]}; m++)); do
    max=0
    for ((i = m * per_min; i < (m + 1) * per_min && i < ${#samples[@]}; i++)); do (( samples[i] > max )) && max=${samples[i]}; done
    maxes[m]=$max
    printf 'minute %2d  max RSS %6.3f GB\n' "$((m + 1))" "$(echo "$max / 1048576" | bc -l)"
  done
  last=$(( ${#maxes[@]} - 1 ))
  printf 'growth from minute 2 to minute %d: %+.1f MB\n' "$((last + 1))" "$(echo "(${maxes[last]} - ${maxes[1]:-${maxes[0]}}) / 1024" | bc -l)"
  exit 0
fi

before=${SVDD_BENCH_BEFORE:-}
if [ -n "$before" ]; then
  [ -x "$before/svdd.sh" ] || { echo "SVDD_BENCH_BEFORE=$before is not a checkout of this repository" >&2; exit 2; }
  (cd "$before" && ./mvnw -q -B -pl svdd -am package -DskipTests >&2 && touch svdd/target/lib/.built)   # package: ~/.m2 keeps this checkout's modules
fi
[ $# -gt 0 ] || set -- ""
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
run() {   # label, launcher, name, heap options, svdd arguments...
  local label="$1" launcher="$2" name="$3" opts="$4"; shift 4
  local log="$scratch/$name.log"
  rm -rf "$scratch/out" "$scratch/demo" "$scratch/run.safetensors"
  SVDD_JAVA_OPTS="$opts" /usr/bin/time -f "%M %e %R" -o "$scratch/time" "$launcher" "$@" > "$log" 2>&1 || { echo "$name failed: $(tail -3 "$log")" >&2; return 1; }
  read -r rss wall faults < "$scratch/time"
  local rate per_step=""; rate=$(grep -oE '[0-9.]+/s' "$log" | tail -1 || true)
  [ "$name" = train ] && per_step="faults/step $((faults / 20))"
  printf '%-6s %-8s %-22s max RSS %6.2f GB  wall %6.1f s  minor faults %9d  %s %s\n' "$label" "$name" "${opts:-default}" \
    "$(echo "$rss / 1048576" | bc -l)" "$wall" "$faults" "${rate:+steps/s ${rate%/s}}" "$per_step"
}
job() {   # name, heap options, svdd arguments...
  local name="$1" opts="$2"; shift 2
  [ -z "$before" ] || run before "$before/svdd.sh" "$name" "$opts" "$@"
  run after "$root/svdd.sh" "$name" "$opts" "$@"
}
for opts in "$@"; do
  job demo "$opts" demo --quick --out "$scratch/demo"
  job compare "$opts" compare --checkpoint models/dna-transformer.safetensors -n 16 -M 10 --steps 32 --methods pretrained,svdd-pm --out "$scratch/out"
  job train "$opts" train --task fashion --steps 20 --batch 64 --checkpoint-every 1000 --out "$scratch/run.safetensors"
done

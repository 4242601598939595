#!/usr/bin/env bash
# Max RSS, wall time and minor page faults of svdd jobs under several JVM heap settings, measured in one run:
#   bench/memory.sh "" "-Xms2g -Xmx2g" "-Xms3g -Xmx3g"      # "" = the launcher's default heap
# Jobs: `demo --quick`, a DNA comparison (pretrained + svdd-pm) and 20 steps of Fashion UNet training at batch 64 (needs
# the data sets: scripts/fetch-data.sh). Output: one line per job and setting; the training line adds steps/s from its
# log and minor page faults per step (the JVM's start-up faults included).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
[ $# -gt 0 ] || set -- ""
run() {   # name, heap options, svdd arguments...
  local name="$1" opts="$2"; shift 2
  local log="$scratch/$name.log"
  SVDD_JAVA_OPTS="$opts" /usr/bin/time -f "%M %e %R" -o "$scratch/time" "$root/svdd.sh" "$@" > "$log" 2>&1 || { echo "$name failed: $(tail -3 "$log")" >&2; return 1; }
  read -r rss wall faults < "$scratch/time"
  local rate per_step=""; rate=$(grep -oE '[0-9.]+/s' "$log" | tail -1 || true)
  [ "$name" = train ] && per_step="faults/step $((faults / 20))"
  printf '%-10s %-22s max RSS %6.2f GB  wall %6.1f s  minor faults %9d  %s %s\n' "$name" "${opts:-default}" "$(echo "$rss / 1048576" | bc -l)" "$wall" "$faults" "${rate:+steps/s ${rate%/s}}" "$per_step"
}
for opts in "$@"; do
  rm -rf "$scratch/out" "$scratch/demo" "$scratch/run.safetensors"
  run demo "$opts" demo --quick --out "$scratch/demo"
  run compare "$opts" compare --checkpoint models/dna-transformer.safetensors -n 16 -M 10 --steps 32 --methods pretrained,svdd-pm --out "$scratch/out"
  run train "$opts" train --task fashion --steps 20 --batch 64 --checkpoint-every 1000 --out "$scratch/run.safetensors"
done

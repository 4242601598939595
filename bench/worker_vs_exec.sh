#!/usr/bin/env bash
# The worker: reward's speed-up over exec: for a Python reward that sleeps 0.5 s at start-up (a model loading), in
# one run: the same `svdd compare` (SVDD-PM, DNA, 8 samples x M = 4, 16 steps, 8 samples per reward call) with the
# same reward, once as exec: (a process per call) and once as worker: (one process), timed end to end.
# Prints each wall time, how often the reward program started, and the ratio exec / worker.
# Usage: bench/worker_vs_exec.sh            (SVDD="java ... org.svdd.app.Main" runs another launcher than svdd.sh)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
svdd=${SVDD:-"$root/svdd.sh"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/reward.py" <<'PY'
import json, sys, time
open(sys.argv[2], "a").write("start\n")
time.sleep(0.5)
gc = lambda s: sum(c in "GC" for c in s) / max(len(s), 1)
for line in sys.stdin:
    if sys.argv[1] == "exec":
        print(gc(line.strip()))
    else:
        print(json.dumps({"rewards": [gc(s) for s in json.loads(line)["samples"]]}), flush=True)
PY
declare -A wall
for mode in exec worker; do
  t0=$(date +%s.%N)
  $svdd compare --checkpoint models/dna-transformer.safetensors --methods svdd-pm -n 8 -M 4 --steps 16 --exec-batch 8 \
    --reward "$mode:python3 $tmp/reward.py $mode $tmp/$mode.starts" --out "$tmp/$mode" > "$tmp/$mode.log" 2>&1 \
    || { cat "$tmp/$mode.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  wall[$mode]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  echo "$mode: ${wall[$mode]} s, $(wc -l < "$tmp/$mode.starts") reward program starts"
done
cmp -s "$tmp/exec/rewards.csv" "$tmp/worker/rewards.csv" && echo "same rewards.csv" || echo "rewards.csv differ"
awk -v e="${wall[exec]}" -v w="${wall[worker]}" 'BEGIN { printf "speed-up %.2fx (exec / worker)\n", e / w }'

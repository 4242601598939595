#!/usr/bin/env bash
# Throughput of compare on Spark against the same run in-process: samples/s of svdd-pm (DNA: M = 10, 32 steps,
# 16 samples; images: M = 10, 25 steps, 4 samples), in-process, on local[1] and on local[2] at several shard sizes,
# and the per-shard overhead (pretrained, one step: 16 one-sample shards of almost no work). Prints a markdown table.
#   bench/spark_scaling.sh [out-folder]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
secs() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(sum(m['seconds'] for m in j['methods']))" "$1/results.json"; }
ready() { sed -n 's/.*ready in \([0-9.]*\) s.*/\1/p' "$1" | head -1; }
echo "| model | run | shard | wall s | samples/s | vs in-process | Spark start s |"
echo "|---|---|---|---|---|---|---|"
row() {  # model label n run-name shard args...
  local model=$1 label=$2 n=$3 name=$4 shard=$5; shift 5
  local dir="$out/$label-$name-$shard"
  "$root/svdd.sh" compare --checkpoint "$root/models/$model" -n "$n" "$@" --out "$dir" --force > "$dir.log" 2>&1
  local s r; s=$(secs "$dir"); r=$(ready "$dir.log")
  [ "$name" = in-process ] && base=$s
  python3 -c "import sys; s,n,b=float(sys.argv[1]),int(sys.argv[2]),float(sys.argv[3]); print(f'| $label | $name | $shard | {s:.1f} | {n/s:.3f} | {b/s:.2f}x | ${r:--} |')" "$s" "$n" "$base"
}
dna=(-M 10 --steps 32 --methods svdd-pm)
row dna-transformer-conv.safetensors dna 16 in-process - "${dna[@]}"
for cfg in "local[1] 16" "local[1] 4" "local[2] 8" "local[2] 4" "local[2] 2"; do
  set -- $cfg
  row dna-transformer-conv.safetensors dna 16 "$1" "$2" "${dna[@]}" --spark "$1" --shard-size "$2"
done
img=(-M 10 --steps 25 --methods svdd-pm)
row fashion-unet-deep.safetensors images 4 in-process - "${img[@]}"
for cfg in "local[2] 2" "local[2] 1"; do
  set -- $cfg
  row fashion-unet-deep.safetensors images 4 "$1" "$2" "${img[@]}" --spark "$1" --shard-size "$2"
done
# per-shard overhead: 16 shards of one sample, one reverse step each (almost no work)
tiny=(--steps 1 --methods pretrained)
row dna-transformer-conv.safetensors tiny 16 in-process - "${tiny[@]}"
row dna-transformer-conv.safetensors tiny 16 "local[1]" 1 "${tiny[@]}" --spark "local[1]" --shard-size 1
row dna-transformer-conv.safetensors tiny 16 "local[2]" 1 "${tiny[@]}" --spark "local[2]" --shard-size 1

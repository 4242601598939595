#!/usr/bin/env bash
# One GPU session's work, run on the lent GPU machine from the folder that scripts/prepare-gpu-job.sh assembles
# (.gpu/: a jlink'd JDK 25, the svdd jars, and a Fashion-MNIST / promoter subset laid out as under data/root).
# Trains both demo models on the CUDA backend within a time budget (the step count is fixed up front from a
# 20-step timing, so the printed train command reproduces the result exactly), then times sampling on cuda.
# Writes checkpoints and logs to $OUT.
set -uo pipefail
cd "$(dirname "$0")/.."
G=.gpu
JAVA="$G/jdk/bin/java"
OUT="${OUT:-$PWD/gpu-out}"
mkdir -p "$OUT"
export SVDD_DATA="$PWD/$G/data"
svdd() { "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx24g -Dsvdd.backend=${SVDD_BACKEND:-cuda} -cp "$G/cp/*" org.svdd.app.Main "$@"; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/env.log"
budget() { # task seconds -> steps that fit in the budget, from the rate a 40-step probe reports
  svdd train --task "$1" --steps 40 --checkpoint-every 1000 --out "/tmp/probe-$1.safetensors" > "$OUT/probe-$1.log" 2>&1
  local rate=$(tr '\r' '\n' < "$OUT/probe-$1.log" | grep -o '[0-9.]*/s' | tail -1 | tr -d '/s')
  [[ -n "$rate" ]] || rate=1
  awk -v r="$rate" -v t="$2" 'BEGIN {n = int(r * t / 500) * 500; if (n < 500) n = 500; if (ENVIRON["STEPS"] != "") n = ENVIRON["STEPS"]; print n}'
}
fs=${FASHION_STEPS:-$(budget fashion "${FASHION_SECONDS:-300}")}
echo "svdd train --task fashion --steps $fs --batch 64 --seed 1 -Dsvdd.backend=cuda (subset: 20000 train images)" | tee "$OUT/fashion-command.txt"
svdd train --task fashion --steps "$fs" --seed 1 --checkpoint-every ${EVERY:-500} --out "$OUT/fashion-train.safetensors" --export "$OUT/fashion-unet.safetensors" 2>&1 | tr '\r' '\n' | awk 'NR % 50 == 1 || /exported|Exception|error/' | tee "$OUT/fashion-train.log"
ds=${DNA_STEPS:-$(budget dna "${DNA_SECONDS:-120}")}
echo "svdd train --task dna --steps $ds --batch 64 --seed 1 -Dsvdd.backend=cuda" | tee "$OUT/dna-command.txt"
svdd train --task dna --steps "$ds" --seed 1 --checkpoint-every ${EVERY:-500} --out /tmp/dna-train.safetensors --export "$OUT/dna-transformer.safetensors" 2>&1 | tr '\r' '\n' | awk 'NR % 50 == 1 || /exported|Exception|error/' | tee "$OUT/dna-train.log"
rm -f "$OUT/fashion-train.safetensors"
svdd sample --checkpoint "$OUT/fashion-unet.safetensors" -n 64 --batch 64 --steps 50 --seed 0 --timing-only --out /tmp/fs 2>&1 | tr '\r' '\n' | tail -2 | tee "$OUT/sample-speed.log"
svdd sample --checkpoint "$OUT/dna-transformer.safetensors" -n 64 --batch 64 --steps 128 --seed 0 --out "$OUT/dna-samples" 2>&1 | tr '\r' '\n' | tail -2 | tee -a "$OUT/sample-speed.log"
mv "$OUT/dna-samples/samples.fasta" "$OUT/dna-samples.fasta"; rmdir "$OUT/dna-samples"
ls -la "$OUT"

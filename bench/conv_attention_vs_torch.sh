#!/usr/bin/env bash
# conv2d (batch 64, 32->64 channels, 32x32, 3x3, pad 1) and attention (batch 32, 4 heads, seq 200, d = 256)
# forward, ours (CPU backend) against PyTorch CPU (Debian python3-torch, NCHW, MKLDNN on), one thread each, one run.
# Usage: bench/conv_attention_vs_torch.sh [threads]    Needs: apt-get install python3-torch libopenblas0-pthread
# Ratios are speed ratios (torch ms / our ms, higher is better for us). Last line: `ratio <ours/torch>` for conv2d.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. bench/openblas_coretype.sh
threads=${1:-1}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
./mvnw -q -B -pl bench -am package -DskipTests >&2
cp="kernels/target/classes:bench/target/classes:tensor/target/classes"
java() { "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$cp" "$@" 2>/dev/null; }
out=$(mktemp)
java org.svdd.bench.ConvTiming "$threads" | tee -a "$out"
java org.svdd.bench.AttentionTiming "$threads" | tee -a "$out"
OPENBLAS_CORETYPE=$openblas_coretype OMP_NUM_THREADS=$threads /usr/bin/python3 bench/torch_peer.py "$threads" | tee -a "$out"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), threads $threads"
get() { awk -v a="$1" -v b="$2" '$1==a && $2==b && NF==3 {print $3}' "$out"; }
jc=$(get java conv2d); tc=$(get torch conv2d); ja=$(get java attention); ta=$(get torch attention)
rm -f "$out"
awk -v j=$ja -v t=$ta 'BEGIN {printf "attention: ours %.1f ms, torch %.1f ms, speed ratio %.2f\n", j, t, t / j}'
awk -v j=$jc -v t=$tc 'BEGIN {printf "conv2d: ours %.1f ms, torch %.1f ms, speed ratio %.2f\n", j, t, t / j}'
awk -v j=$jc -v t=$tc 'BEGIN {printf "ratio %.3f\n", t / j}'

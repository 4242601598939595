#!/usr/bin/env bash
# The whole SVDD-PM job against PyTorch: `svdd compare --methods svdd-pm` on a committed DNA masked transformer with the
# TBP motif reward, against bench/torch_svdd_pm.py, the same sampler written in PyTorch on the same weights (same
# process, schedule, steps, M, value = reward of the argmax x0 prediction, argmax selection, the kept candidate's pass
# reused, all n chains x M candidates in one batch). Each round runs our compare with --seeds R (R timed runs in one
# JVM) and the peer's R runs in one python process, the same threads each (ours -Dsvdd.threads=T, torch
# set_num_threads(T) and OMP_NUM_THREADS=T); the side that goes first alternates from round to round.
#   samples/s = n / seconds of one run, from the prior to the n kept samples (ours: results.json seconds_per_seed,
#               which times the sampler only; the peer times the same span). The first run of each process includes
#               its warm-up (JIT for ours), so the medians are also given over the later runs ("warm").
#   process  = wall time of the whole command (JVM or python start, model load, R runs, our compare's outputs).
#   rewards  = the median TBP score of each run's n samples; the two sides use different random numbers, so these
#              agree in distribution, not bit for bit (the pre-trained dna-transformer's median is about 4-5).
# First the peer's motif reward is checked against `svdd score --reward motif:TBP` on fixed sequences (max abs
# difference < 1e-4 or the script stops), and both sides' denoiser rows per sample (1 + M (steps - 1)) must agree.
# Usage: bench/svdd_pm_vs_torch.sh [threads] [n] [M] [steps] [checkpoint]     defaults 1 16 10 32
#        models/dna-transformer.safetensors (models/dna-transformer-conv.safetensors: the width-9 conv variant)
# Env: SVDD_BENCH_ROUNDS (default 3), SVDD_BENCH_SEEDS = R (default 3), SVDD_CMD (default ./svdd.sh, which builds
# first if needed), SVDD_JAVA_OPTS (passed on, after -Dsvdd.threads). Needs: apt-get install python3-torch
# libopenblas0-pthread; with the reference BLAS (libblas3 alone) PyTorch's matrix products are ~10x slower and the
# comparison is void, so the script stops unless SVDD_BENCH_ALLOW_REFERENCE_BLAS=1 (smoke tests).
# Ratio = ours / torch samples/s (above 1: we are faster). Last line: `ratio <ours/torch>` over all runs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. bench/openblas_coretype.sh
. scripts/jdk.sh
svdd_find_jdk25 || exit 1
threads=${1:-1}; n=${2:-16}; m=${3:-10}; steps=${4:-32}; checkpoint=${5:-models/dna-transformer.safetensors}
rounds=${SVDD_BENCH_ROUNDS:-3}; seeds=${SVDD_BENCH_SEEDS:-3}
svdd=${SVDD_CMD:-./svdd.sh}
reward=motif:TBP
[ -f "$checkpoint" ] || { echo "no checkpoint $checkpoint" >&2; exit 2; }
py() { OPENBLAS_CORETYPE=$openblas_coretype OMP_NUM_THREADS=$threads /usr/bin/python3 "$@"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/lines

# Which BLAS PyTorch's matrix products run on: the library mapped after a matmul.
blas=$(py -c 'import torch; torch.ones(64, 64) @ torch.ones(64, 64)
print(next((l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.split()[-1]), "none"))')
flags=$(for f in avx512f avx2; do grep -qw $f /proc/cpuinfo && printf ' %s' $f; done; true)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), flags${flags:- neither avx512f nor avx2}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1); torch: $(py -c 'import torch; print(torch.__version__)'), BLAS $blas, OPENBLAS_CORETYPE ${openblas_coretype:-auto}"
echo "job: $checkpoint, reward $reward, n $n, M $m, steps $steps, threads $threads, $rounds rounds x $seeds runs a side"
case "$blas" in
  *openblas*) ;;
  *) echo "PyTorch runs on the reference BLAS ($blas), not OpenBLAS: its timings would be void (apt-get install libopenblas0-pthread)" >&2
     [ "${SVDD_BENCH_ALLOW_REFERENCE_BLAS:-0}" = 1 ] || exit 2 ;;
esac

# Build (svdd.sh builds on first use) outside the timings, then check the peer's reward against ours.
"$svdd" --version >/dev/null 2>&1 || { "$svdd" --version; exit 1; }
py bench/torch_svdd_pm.py --write-check-fasta "$tmp/check.fa"
"$svdd" score --reward "$reward" "$tmp/check.fa" --out "$tmp/check.csv" >/dev/null 2>"$tmp/score.log" || { cat "$tmp/score.log" >&2; exit 1; }
py bench/torch_svdd_pm.py --check-scores "$tmp/check.fa" "$tmp/check.csv"

ours() { # round seed
  local dir=$tmp/ours-$1 t0 t1
  t0=$(date +%s.%N)
  SVDD_JAVA_OPTS="-Dsvdd.threads=$threads ${SVDD_JAVA_OPTS:-}" "$svdd" compare --checkpoint "$checkpoint" --reward "$reward" \
    --methods svdd-pm -n "$n" -M "$m" --steps "$steps" --seeds "$seeds" --seed "$2" --out "$dir" >"$dir.log" 2>&1 ||
    { cat "$dir.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  /usr/bin/python3 - "$dir/results.json" "$n" "$m" "$steps" "$threads" <<'EOF'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["methods"][0]
n, m, steps, threads = sys.argv[2:]
for k, (s, q) in enumerate(zip(r["seconds_per_seed"], r["q50_per_seed"])):
    print(f"ours svdd-pm n {n} M {m} steps {steps} threads {threads} wall_s {s:.3f} samples_per_s {int(n) / s:.4f} "
          f"median_reward {q:.4f} denoiser_rows_per_sample {r['denoiser_rows_per_sample']:g} run {k}")
EOF
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "ours process wall_s %.3f\n", b - a }'
}
torch_peer() { # seed
  local t0 t1
  t0=$(date +%s.%N)
  py bench/torch_svdd_pm.py --checkpoint "$checkpoint" -n "$n" -M "$m" --steps "$steps" --threads "$threads" \
    --seed "$1" --runs "$seeds" | awk '$1 == "torch" && $2 == "svdd-pm" && $3 == "n" { print $0 " run " k++; next } { print }'
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "torch process wall_s %.3f\n", b - a }'
}
for r in $(seq "$rounds"); do
  seed=$(( (r - 1) * seeds ))
  echo "# round $r, seeds $seed.. (load $(cut -d' ' -f1 /proc/loadavg))"
  if (( r % 2 )); then ours "$r" "$seed" | tee -a "$out"; torch_peer "$seed" | tee -a "$out"
  else torch_peer "$seed" | tee -a "$out"; ours "$r" "$seed" | tee -a "$out"; fi
done
echo "machine: load average after $(cut -d' ' -f1-3 /proc/loadavg)"

# values of field <key> on the run lines of side <s>; warm = runs after the first of each process
vals() {
  awk -v s="$1" -v key="$2" -v warm="${3:-0}" '$1 == s && $2 == "svdd-pm" && $3 == "n" && !(warm && $NF == 0) {
      for (i = 4; i < NF; i++) if ($i == key) print $(i + 1) }' "$out"
}
median() { sort -g | awk '{ v[++n] = $1 } END { if (n == 0) print "nan"; else print (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2) }'; }
range() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s..%s", lo, hi }'; }
jr=$(vals ours denoiser_rows_per_sample | sort -u | xargs); tr=$(vals torch denoiser_rows_per_sample | sort -u | xargs)
[ "$jr" = "$tr" ] || { echo "denoiser rows per sample differ: ours $jr, torch $tr: not the same job" >&2; exit 1; }
echo
echo "svdd-pm, $checkpoint, $reward, n $n, M $m, steps $steps, threads $threads: $rounds rounds x $seeds runs, $jr denoiser rows per sample"
printf '%-22s %12s %12s %8s\n' "samples/s (median)" ours torch ratio
row() { # label warm
  local j t
  j=$(vals ours samples_per_s "$2" | median); t=$(vals torch samples_per_s "$2" | median)
  awk -v l="$1" -v j="$j" -v t="$t" 'BEGIN { if (j == "nan" || t == "nan") printf "%-22s %12s %12s %8s\n", l, j, t, "-";
      else printf "%-22s %12.4f %12.4f %8.2f\n", l, j, t, j / t }'
}
row "all runs" 0
(( seeds > 1 )) && row "warm runs (not 1st)" 1
jp=$(awk '$1 == "ours" && $2 == "process" { print $4 }' "$out" | median); tp=$(awk '$1 == "torch" && $2 == "process" { print $4 }' "$out" | median)
awk -v j="$jp" -v t="$tp" -v r="$seeds" -v n="$n" 'BEGIN { printf "%-22s %12.4f %12.4f %8.2f   (whole command: %s s ours, %s s torch, %d runs)\n",
    "process (incl. start)", r * n / j, r * n / t, t / j, j, t, r }'
echo "median reward per run: ours median $(vals ours median_reward | median) (range $(vals ours median_reward | range)), torch median $(vals torch median_reward | median) (range $(vals torch median_reward | range))"
j=$(vals ours samples_per_s | median); t=$(vals torch samples_per_s | median)
awk -v j="$j" -v t="$t" 'BEGIN { if (j == "nan" || t == "nan") print "ratio nan"; else printf "ratio %.3f\n", j / t }'

#!/usr/bin/env bash
# Training speed of `svdd.sh train` as users run it, under given JVM options: starts the command, reads the step
# count from its progress line after a warm-up of W1 seconds and again W2 seconds later, then stops it. Prints the
# steps/s in that window and the user and system CPU seconds the JVM spent in it (system time is the kernel's share:
# page faults, zeroing fresh memory). Only the svdd.sh launcher is timed, JVM flags and all: the thing to compare
# when the launcher changes. Use a copy of a checkpoint for --out with --resume, since the run is cut off.
# Usage: SVDD_JAVA_OPTS="..." bench/train_rate.sh W1 W2 <train arguments...>
# Last line: `rate <steps/s> user_s <s> sys_s <s>`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
w1=$1; w2=$2; shift 2
log=$(mktemp)
setsid "$root/svdd.sh" train "$@" > "$log" 2>&1 < /dev/null &
launcher=$!
trap 'kill -- -$launcher 2>/dev/null || true; rm -f "$log"' EXIT
step() { tail -c 300 "$log" | grep -o 'train [0-9]*' | tail -1 | cut -d' ' -f2; }
cpu() { awk '{print $14, $15}' "/proc/$launcher/stat"; }     # utime, stime in clock ticks (svdd.sh execs java)
sleep "$w1"
s1=$(step); read -r u1 k1 <<<"$(cpu)"; t1=$(date +%s.%N)
sleep "$w2"
s2=$(step); read -r u2 k2 <<<"$(cpu)"; t2=$(date +%s.%N)
[ -n "$s1" ] && [ -n "$s2" ] || { echo "no progress line in the log:" >&2; tail -c 2000 "$log" >&2; exit 1; }
hz=$(getconf CLK_TCK)
awk -v s1="$s1" -v s2="$s2" -v t1="$t1" -v t2="$t2" -v u="$((u2 - u1))" -v k="$((k2 - k1))" -v hz="$hz" \
  'BEGIN { printf "steps %d -> %d in %.0f s\nrate %.3f user_s %.0f sys_s %.0f\n", s1, s2, t2 - t1, (s2 - s1) / (t2 - t1), u / hz, k / hz }'

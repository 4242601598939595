#!/usr/bin/env bash
# Launcher for the svdd command: builds the project on first use (or when sources changed), then runs it.
# Needs JDK 25: JAVA_HOME, or one in /usr/lib/jvm (scripts/jdk.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$root/scripts/jdk.sh"
svdd_find_jdk25 || exit 1
# --spark MASTER draws on Apache Spark: the spark module (and Spark's jars) join the class path, built on first use
spark=""
for a in "$@"; do case "$a" in --spark|--spark=*) spark=1 ;; esac; done
module=svdd
[ -n "$spark" ] && module=spark
stamp="$root/$module/target/lib/.built"
if [ ! -f "$stamp" ] || [ -n "$(find "$root" -path "$root/*/src/main/*" -newer "$stamp" -print -quit 2>/dev/null)" ] \
   || [ -n "$(find "$root" -name pom.xml -newer "$stamp" -print -quit)" ]; then
  echo "svdd: building (first run or sources changed)..." >&2
  (cd "$root" && ./mvnw -q -B -pl $module -am install -DskipTests >&2) && touch "$stamp" "$root/svdd/target/lib/.built"
fi
cp="$root/svdd/target/classes:$root/svdd/target/lib/*"
spark_opts=""
if [ -n "$spark" ]; then
  cp="$cp:$root/spark/target/classes:$root/spark/target/lib/*"
  spark_opts="--sun-misc-unsafe-memory-access=allow"
  # a local master talks to itself over the loopback address (no warning about the host name resolving to it)
  case " $* " in *" --spark local"*|*" --spark=local"*) export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" ;; esac
fi
# The heap: sampling starts at 256 MiB and grows as needed up to 2 GiB (half the memory where that is less; the JVM's
# or a container's limit counts), never shrinking (MaxHeapFreeRatio=100: memory given back and taken again must be
# faulted in and zeroed once more), and grows only when collections take more than a fifth of the time
# (GCTimeRatio=4; G1's default, 12, grows it at 8% and held the demo a quarter higher at the same speed). Training
# fixes it at 1.5 GiB (initial = maximum), the same cap rule: a step's tensors reuse the last step's memory
# (org.svdd.tensor.Memory), so a UNet at batch 64 trains as fast in it as in a 6 GiB heap. bench/memory.sh measures RSS, page faults and speed (bench/RESULTS.md, "Memory").
# A run that would not fit is refused with an estimate before it starts: give it more with SVDD_JAVA_OPTS, which comes
# later on the java command line, so -Xms/-Xmx given there win.
mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null || true)
for f in /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes; do
  lim=$(cat "$f" 2>/dev/null || true)
  if [[ "$lim" =~ ^[0-9]+$ && -n "$mem_kb" ]] && (( lim / 1024 < mem_kb )); then mem_kb=$(( lim / 1024 )); fi
done
max_mb=2048
if [ -n "${mem_kb:-}" ] && (( mem_kb / 2048 < max_mb )); then max_mb=$(( mem_kb / 2048 )); fi
min_mb=$(( max_mb < 256 ? max_mb : 256 ))
growth="-XX:GCTimeRatio=4"
case "${1:-}" in train|train-value|train-classifier|train-oracle) max_mb=$(( max_mb < 1536 ? max_mb : 1536 )); min_mb=$max_mb; growth="" ;; esac
thp=""
grep -qs '\[madvise\]' /sys/kernel/mm/transparent_hugepage/enabled && thp="-XX:+UseTransparentHugePages"
exec "$JAVA_HOME/bin/java" -Dsvdd.home="$root" -Xms${min_mb}m -Xmx${max_mb}m -XX:MaxHeapFreeRatio=100 $growth $thp --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED $spark_opts ${SVDD_JAVA_OPTS:-} \
  -cp "$cp" org.svdd.app.Main "$@"

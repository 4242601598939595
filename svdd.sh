#!/usr/bin/env bash
# Launcher for the svdd command: builds the project on first use (or when sources changed), then runs it.
# Needs JDK 25: JAVA_HOME, or one in /usr/lib/jvm (scripts/jdk.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$root/scripts/jdk.sh"
svdd_find_jdk25 || exit 1
stamp="$root/svdd/target/lib/.built"
if [ ! -f "$stamp" ] || [ -n "$(find "$root" -path "$root/*/src/main/*" -newer "$stamp" -print -quit 2>/dev/null)" ] \
   || [ -n "$(find "$root" -name pom.xml -newer "$stamp" -print -quit)" ]; then
  echo "svdd: building (first run or sources changed)..." >&2
  (cd "$root" && ./mvnw -q -B -pl svdd -am install -DskipTests >&2) && touch "$stamp"
fi
# A fixed heap, initial = maximum, of 2 GiB (half the memory where that is less; the JVM's or a container's limit
# counts). Fixed, because a heap that shrinks and regrows makes the kernel fault in and zero its pages again and again
# (a UNet training run spent 30% of its time there); 2 GiB, because the demo, comparisons and the committed models'
# training fit in it at the speed of a larger heap while holding a third of the memory (bench/RESULTS.md, "JVM options").
# A run that would not fit is refused with an estimate before it starts: give it more with SVDD_JAVA_OPTS, which comes
# later on the java command line, so -Xms/-Xmx given there win.
mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null || true)
for f in /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes; do
  lim=$(cat "$f" 2>/dev/null || true)
  if [[ "$lim" =~ ^[0-9]+$ && -n "$mem_kb" ]] && (( lim / 1024 < mem_kb )); then mem_kb=$(( lim / 1024 )); fi
done
heap_mb=2048
if [ -n "${mem_kb:-}" ] && (( mem_kb / 2048 < heap_mb )); then heap_mb=$(( mem_kb / 2048 )); fi
# Transparent huge pages for the heap where the kernel gives them on request ("madvise"): fewer and cheaper page
# faults as the heap is first touched (a UNet training step 1.26x faster on a 2-core VM, bench/RESULTS.md); with
# "always" the heap gets them anyway, with "never" the flag would only print a warning.
thp=""
grep -qs '\[madvise\]' /sys/kernel/mm/transparent_hugepage/enabled && thp="-XX:+UseTransparentHugePages"
exec "$JAVA_HOME/bin/java" -Dsvdd.home="$root" -Xms${heap_mb}m -Xmx${heap_mb}m $thp --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED ${SVDD_JAVA_OPTS:-} \
  -cp "$root/svdd/target/classes:$root/svdd/target/lib/*" org.svdd.app.Main "$@"

#!/usr/bin/env bash
# Runs examples/QuickStart.java (or the example named as the first argument) with JDK 25's source launcher against
# the built classes, building first where needed. Exits non-zero if the build or the example fails. CI runs it.
#   examples/run.sh                       # examples/QuickStart.java
#   examples/run.sh examples/QuickStart.java models/dna-transformer-conv.safetensors
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

. scripts/jdk.sh
svdd_find_jdk25 || exit 1

# Build as svdd.sh does: on first use, or when sources or poms changed since the last build.
stamp="$root/svdd/target/lib/.built"
if [ ! -f "$stamp" ] || [ -n "$(find "$root" -path "$root/*/src/main/*" -newer "$stamp" -print -quit 2>/dev/null)" ] \
   || [ -n "$(find "$root" -name pom.xml -newer "$stamp" -print -quit)" ]; then
  echo "examples: building..." >&2
  ./mvnw -q -B -pl svdd -am install -DskipTests >&2
  touch "$stamp"
fi

example="${1:-examples/QuickStart.java}"
[ $# -gt 0 ] && shift
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "$root/svdd/target/classes:$root/svdd/target/lib/*" "$example" "$@"

#!/usr/bin/env bash
# spark-submit for svdd: runs `svdd <command> ... --spark` as a Spark application, its samples drawn on the cluster.
#
#   spark/submit.sh [spark-submit options] -- <svdd command and options>
#   spark/submit.sh --master spark://host:7077 --executor-memory 4g -- compare --checkpoint models/dna-transformer.safetensors -n 64 --out out/dna
#
# It sets what svdd needs on JDK 25, so you need not: the application jar (spark/target/svdd-spark-*-all.jar, built on
# first use), the main class, the driver's JVM options (the Vector API module) and --spark itself; the executors' JVM
# options are set by the spark module when it starts. It runs spark-submit from SPARK_HOME or PATH, or, where there is
# no Spark installation, Spark's own submit class from the jars the build fetched (spark/target/lib).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/jdk.sh"
svdd_find_jdk25 || exit 1
submit=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do submit+=("$1"); shift; done
if [ "${1:-}" != "--" ] || [ $# -lt 2 ]; then
  echo "usage: spark/submit.sh [spark-submit options] -- <svdd command and options>" >&2
  exit 2
fi
shift
jar=$(ls "$root"/spark/target/svdd-spark-*-all.jar 2>/dev/null | head -1 || true)
if [ -z "$jar" ] || [ -n "$(find "$root" -path "$root/*/src/main/*" -newer "$jar" -print -quit)" ]; then
  echo "svdd: building the spark module..." >&2
  (cd "$root" && ./mvnw -q -B -pl spark -am install -DskipTests >&2)
  jar=$(ls "$root"/spark/target/svdd-spark-*-all.jar | head -1)
fi
args=("$@")
case " $* " in *" --spark "*|*" --spark="*) ;; *) args+=(--spark) ;; esac
driver="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dsvdd.home=$root"
spark_submit=""
if [ -n "${SPARK_HOME:-}" ] && [ -x "$SPARK_HOME/bin/spark-submit" ]; then spark_submit="$SPARK_HOME/bin/spark-submit"
elif command -v spark-submit >/dev/null; then spark_submit=spark-submit
fi
if [ -n "$spark_submit" ]; then
  exec "$spark_submit" --class org.svdd.app.Main --driver-java-options "$driver" "${submit[@]}" "$jar" "${args[@]}"
fi
# no Spark installation: the class spark-submit runs, in a JVM started with the driver's options
exec "$JAVA_HOME/bin/java" $driver -cp "$root/spark/target/classes:$root/spark/target/lib/*" org.apache.spark.deploy.SparkSubmit \
  --class org.svdd.app.Main "${submit[@]}" "$jar" "${args[@]}"

#!/usr/bin/env bash
# Checks spark/submit.sh against a real Spark cluster on this machine: a standalone master and one worker (executors in
# their own JVMs), started from the jars the build fetched and bound to 127.0.0.1, stopped on exit. A small comparison
# submitted to it must write the rewards.csv of the same comparison run in-process.
#   spark/standalone-check.sh [out-folder]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/jdk.sh"
svdd_find_jdk25 || exit 1
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
(cd "$root" && ./mvnw -q -B -pl spark -am install -DskipTests >&2)
# what a worker needs from a Spark installation: SPARK_HOME/jars (the executors' class path) and the Scala version
home="$out/spark-home"
mkdir -p "$home"
ln -sfn "$root/spark/target/lib" "$home/jars"
export SPARK_HOME="$home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
port=$(( 20000 + RANDOM % 20000 ))
cp="$root/spark/target/lib/*"
opts="--add-modules=jdk.incubator.vector --sun-misc-unsafe-memory-access=allow"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
"$JAVA_HOME/bin/java" $opts -cp "$cp" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port $port --webui-port 0 > "$out/master.log" 2>&1 &
pids+=($!)
"$JAVA_HOME/bin/java" $opts -cp "$cp" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 2 --memory 3g --webui-port 0 \
  --work-dir "$out/work" "spark://127.0.0.1:$port" > "$out/worker.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do grep -q "Successfully registered with master" "$out/worker.log" && break; sleep 1; done
grep -q "Successfully registered with master" "$out/worker.log" || { echo "the worker did not register; see $out/worker.log" >&2; exit 1; }
run=(compare --checkpoint "$root/models/dna-transformer.safetensors" -n 8 -M 3 --steps 8 --methods pretrained,best-of-n,svdd-pm)
"$root/svdd.sh" "${run[@]}" --out "$out/here" > "$out/here.log" 2>&1
t0=$(date +%s)
"$root/spark/submit.sh" --master "spark://127.0.0.1:$port" --executor-memory 2g -- "${run[@]}" --shard-size 2 --out "$out/cluster" > "$out/cluster.log" 2>&1 \
  || { tail -30 "$out/cluster.log" >&2; exit 1; }
echo "submitted to spark://127.0.0.1:$port: $(( $(date +%s) - t0 )) s; executors: $(ls "$out/work"/*/ 2>/dev/null | wc -l)"
cmp "$out/here/rewards.csv" "$out/cluster/rewards.csv" && echo "spark-submit on a standalone cluster: the in-process rewards.csv"

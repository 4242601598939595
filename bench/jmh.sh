#!/usr/bin/env bash
# Runs the JMH benchmarks of the bench module: bench/jmh.sh [JMH options] [benchmark regex], e.g.
#   bench/jmh.sh GemmBench -p n=1024            bench/jmh.sh ConvBench -p threads=1
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
./mvnw -q -B -pl bench -am package -DskipTests >&2
./mvnw -q -B -pl bench dependency:build-classpath -Dmdep.outputFile=target/jmh.cp -Dmdep.includeScope=runtime >&2
cp="bench/target/classes:kernels/target/classes:tensor/target/classes:$(cat bench/target/jmh.cp)"
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$cp" org.openjdk.jmh.Main "$@"

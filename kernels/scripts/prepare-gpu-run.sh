#!/usr/bin/env bash
# Builds svdd here and assembles what gpu-run.sh needs on a GPU machine that has no JDK 25 and no Maven:
#   kernels/target/gpu-run/cp/   jars and classes (tensor, tensor tests, kernels, kernels tests, bench, JCuda +
#                                its driver natives, JCublas, the JUnit console launcher)
#   kernels/target/gpu-run/jdk/  a jlink'd JDK 25 runtime (about 48 MB), skipped with --no-jdk
# Both lie under target/ (git-ignored); carry "kernels/target/gpu-run" to the device. The total must stay under 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
WITH_JDK=1
[[ "${1:-}" == "--no-jdk" ]] && WITH_JDK=0
M2="${M2_REPO:-$HOME/.m2/repository}"
OUTDIR=kernels/target/gpu-run
JCUDA=12.6.0
JUNIT_CONSOLE=1.11.4

mvn -q -o -pl tensor,kernels install -DskipTests
mvn -q -o -pl kernels test-compile
mvn -q -o -pl bench compile
console="$M2/org/junit/platform/junit-platform-console-standalone/$JUNIT_CONSOLE/junit-platform-console-standalone-$JUNIT_CONSOLE.jar"
if [[ ! -f "$console" ]]; then
  mvn -q dependency:get -Dartifact="org.junit.platform:junit-platform-console-standalone:$JUNIT_CONSOLE"
fi

rm -rf "$OUTDIR"
mkdir -p "$OUTDIR/cp"
cp tensor/target/svdd-tensor-*-SNAPSHOT.jar kernels/target/svdd-kernels-*-SNAPSHOT.jar "$OUTDIR/cp/"
cp tensor/target/svdd-tensor-*-tests.jar "$OUTDIR/cp/"
cp -r kernels/target/test-classes "$OUTDIR/cp/kernels-test-classes"
cp -r bench/target/classes "$OUTDIR/cp/bench-classes"
cp "$M2/org/jcuda/jcuda/$JCUDA/jcuda-$JCUDA.jar" "$M2/org/jcuda/jcublas/$JCUDA/jcublas-$JCUDA.jar" "$OUTDIR/cp/"
cp "$M2/org/jcuda/jcublas-natives/$JCUDA/jcublas-natives-$JCUDA-linux-x86_64.jar" "$OUTDIR/cp/"
cp "$console" "$OUTDIR/cp/junit-platform-console-standalone.jar"
# the JCuda natives jar also holds a 24 MB PTX compiler the backend never loads: keep the driver and runtime libraries
tmp=$(mktemp -d)
(cd "$tmp" && unzip -q "$M2/org/jcuda/jcuda-natives/$JCUDA/jcuda-natives-$JCUDA-linux-x86_64.jar" \
  "lib/libJCudaDriver-$JCUDA-linux-x86_64.so" "lib/libJCudaRuntime-$JCUDA-linux-x86_64.so" && jar cf jcuda-natives-slim.jar lib)
cp "$tmp/jcuda-natives-slim.jar" "$OUTDIR/cp/"
rm -rf "$tmp"

if [[ $WITH_JDK == 1 ]]; then
  jlink --add-modules java.base,java.logging,java.xml,jdk.unsupported,jdk.incubator.vector \
    --strip-debug --no-man-pages --no-header-files --compress=zip-9 --output "$OUTDIR/jdk" 2>/dev/null
fi
du -sh "$OUTDIR" "$OUTDIR"/*
total=$(du -sm "$OUTDIR" | cut -f1)
if (( total >= 64 )); then echo "prepare-gpu-run: $OUTDIR is $total MiB, over the 64 MiB carry limit" >&2; exit 1; fi
echo "ready: carry $OUTDIR and run kernels/scripts/gpu-run.sh"

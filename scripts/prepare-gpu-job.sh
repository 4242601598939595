#!/usr/bin/env bash
# Assembles .gpu/ (git-ignored) for scripts/gpu-job.sh: a jlink'd JDK 25, the svdd runtime jars (JCuda natives
# slimmed to the driver library), and a data subset: the first 20,000 Fashion-MNIST training images and the
# promoters cut to their last 200 bp, laid out for SVDD_DATA. Must stay under the device tool's 64 MiB carry limit.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
bash scripts/fetch-data.sh
./mvnw -q -o -B -pl svdd -am install -Dmaven.test.skip=true
rm -rf .gpu && mkdir -p .gpu/cp .gpu/data/fashion-mnist
cp svdd/target/svdd-core-*.jar .gpu/cp/
for j in svdd/target/lib/*.jar; do case "$j" in *jcuda-natives*) ;; *) cp "$j" .gpu/cp/ ;; esac; done
nat=$(ls ~/.m2/repository/org/jcuda/jcuda-natives/12.6.0/jcuda-natives-12.6.0-linux-x86_64.jar)
tmp=$(mktemp -d); (cd "$tmp" && unzip -q "$nat" "lib/libJCudaDriver-12.6.0-linux-x86_64.so" && jar cf jcuda-natives-slim.jar lib); cp "$tmp/jcuda-natives-slim.jar" .gpu/cp/; rm -rf "$tmp"
jlink --add-modules java.base,java.logging,java.xml,jdk.unsupported,jdk.incubator.vector \
  --strip-debug --no-man-pages --no-header-files --compress=zip-9 --output .gpu/jdk 2>/dev/null
src=/usr/share/datasets/fashion-mnist
python3 - "$src" .gpu/data/fashion-mnist <<'PY'
import gzip, struct, sys
src, dst = sys.argv[1], sys.argv[2]
n = 20000
with gzip.open(f"{src}/train-images-idx3-ubyte.gz") as f:
    magic, count, rows, cols = struct.unpack(">IIII", f.read(16)); px = f.read(n * rows * cols)
with gzip.open(f"{dst}/train-images-idx3-ubyte.gz", "wb", 9) as f:
    f.write(struct.pack(">IIII", magic, n, rows, cols) + px)
with gzip.open(f"{src}/train-labels-idx1-ubyte.gz") as f:
    magic, count = struct.unpack(">II", f.read(8)); lb = f.read(n)
with gzip.open(f"{dst}/train-labels-idx1-ubyte.gz", "wb", 9) as f:
    f.write(struct.pack(">II", magic, n) + lb)
PY
python3 - /usr/lib/R/site-library/Biostrings/extdata/dm3_upstream2000.fa.gz .gpu/data/dm3_upstream2000.fa.gz <<'PY'
import gzip, sys
out = gzip.open(sys.argv[2], "wt", 9)
name, seq = None, []
def flush():
    if name: out.write(f">{name}\n{''.join(seq)[-200:]}\n")
for line in gzip.open(sys.argv[1], "rt"):
    if line.startswith(">"):
        flush(); name, seq = line[1:].strip(), []
    else:
        seq.append(line.strip())
flush(); out.close()
PY
cp scripts/gpu-job.sh .gpu/
du -sh .gpu .gpu/*
total=$(du -sm .gpu | cut -f1)
(( total < 64 )) || { echo "prepare-gpu-job: .gpu is $total MiB, over the 64 MiB carry limit" >&2; exit 1; }

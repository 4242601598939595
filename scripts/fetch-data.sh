#!/usr/bin/env bash
# Fetches the offline data sets from Debian packages and unpacks them under data/root (no install, no R):
#   dataset-fashion-mnist  Fashion-MNIST IDX files       data/root/usr/share/datasets/fashion-mnist/
#   r-bioc-biostrings      fruit-fly promoters (FASTA)   .../Biostrings/extdata/dm3_upstream2000.fa.gz
#   r-bioc-pwmenrich       JASPAR motif count matrices   .../PWMEnrich/extdata/
#   rdkit-data             WEHI SMILES, Crippen rules    data/root/usr/share/RDKit/Data/
# Idempotent. Needs apt-get (and root for 'apt-get update' when the package lists are empty). Tests that need the
# data skip with a message when it is absent.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/data/root"
stamp="$root/data/.fetched"
[ -f "$stamp" ] && { echo "fetch-data: data present in $dest"; exit 0; }
command -v apt-get >/dev/null || { echo "fetch-data: apt-get not available" >&2; exit 1; }
mkdir -p "$root/data/debs" "$dest"
cd "$root/data/debs"
packages=(dataset-fashion-mnist r-bioc-biostrings r-bioc-pwmenrich rdkit-data)
if ! apt-get download "${packages[@]}" >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  apt-get download "${packages[@]}" >/dev/null
fi
for deb in *.deb; do dpkg -x "$deb" "$dest"; done
rm -f ./*.deb
touch "$stamp"
echo "fetch-data: unpacked ${packages[*]} into $dest"

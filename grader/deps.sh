#!/usr/bin/env bash
# Makes sure the suite's Debian packages are present.  As root it installs what is missing
# with apt-get; otherwise it prints the exact command and fails.  Used by `make deps`, and
# by every other target through a stamp file.
set -euo pipefail
pkgs=(build-essential pkg-config libcriterion-dev libgsl-dev libjansson-dev zlib1g-dev
      libcsv-dev libopenblas-dev gnuplot-nox fonts-dejavu-core valgrind jq passwd zip unzip bc
      inotify-tools patch binutils similarity-tester)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "mlphys: missing packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  echo "mlphys: installed ${missing[*]}"
else
  echo "mlphys: install them with:"
  echo "    sudo apt-get install -y ${missing[*]}"
  exit 1
fi

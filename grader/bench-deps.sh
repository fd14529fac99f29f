#!/usr/bin/env bash
# make bench: the tools the benchmarks compare with (PyTorch and scikit-learn on the CPU, from
# Debian).  Installed as root; otherwise the exact command is printed and the comparisons that
# need them say they were skipped.  make check never needs them.
set -uo pipefail
pkgs=(python3 python3-numpy python3-torch python3-sklearn)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "bench: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/dev/null 2>&1 \
    || echo "bench: could not install ${missing[*]}; the comparisons that need them will be skipped"
else
  echo "bench: missing ${missing[*]}: sudo apt-get install ${missing[*]} (comparisons that need them are skipped)"
fi
exit 0

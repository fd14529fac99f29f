#!/usr/bin/env bash
# make book needs pandoc, Debian's KaTeX (libjs-katex) and, for the PDF and its checks, headless
# Chromium.  Installed as root; otherwise the exact command is printed.  make grade never needs them.
set -uo pipefail
pkgs=(pandoc libjs-katex chromium)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "book: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/dev/null 2>&1 \
    || { echo "book: could not install ${missing[*]}"; exit 1; }
else
  echo "book: missing ${missing[*]}: sudo apt-get install -y ${missing[*]}"; exit 1
fi

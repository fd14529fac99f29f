#!/usr/bin/env bash
# inject.sh CASE.c OUT.c: the reference solution of 01-svd with the case's HOSTILE_BODY
# inserted at the top of the function its "inject:" line names (or nowhere: "none"), and the
# case file included first (it may define helpers, constructors, a main, ...).
set -euo pipefail
f=$1; out=$2
fn=$(sed -n 's/^ \* inject: //p' "$f")
mkdir -p "$(dirname "$out")"
{ echo '#define _GNU_SOURCE'; echo "#include \"$(cd "$(dirname "$f")" && pwd)/$(basename "$f")\"";
  awk -v fn="$fn" '
    { print }
    $0 ~ "^int " fn "\\(" { want = 1; next }
    want && $0 == "{" { print "    HOSTILE_BODY"; want = 0 }' "$(dirname "$0")/../../solutions/01-svd/svd.c"; } >"$out"

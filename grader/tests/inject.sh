#!/usr/bin/env bash
# inject.sh CASE.c OUT.c: a self-contained student file for a hostile case.  The case's text
# comes first (it may define helpers, constructors, a main, ...; @ROOT@ becomes the project's
# absolute path), then the reference solution of 01-svd with the case's HOSTILE_BODY inserted
# at the top of the function its "inject:" line names ("none": nowhere; "whole": the case is
# the whole file, without the solution).  Inlined, not #included: the compiler runs where the
# project cannot be seen.
set -euo pipefail
f=$1; out=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
fn=$(sed -n 's/^ \* inject: //p' "$f")
mkdir -p "$(dirname "$out")"
if [ "$fn" = whole ]; then sed "s|@ROOT@|$root|g" "$f" >"$out"; exit 0; fi
{ echo '#define _GNU_SOURCE'; echo '#include <gsl/gsl_errno.h>'; echo '#include <gsl/gsl_vector.h>'
  sed "s|@ROOT@|$root|g" "$f"
  awk -v fn="$fn" '
    { print }
    $0 ~ "^int " fn "\\(" { want = 1; next }
    want && $0 == "{" { print "    HOSTILE_BODY"; want = 0 }' "$root/solutions/01-svd/svd.c"; } >"$out"

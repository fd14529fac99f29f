#!/usr/bin/env bash
# collect.sh SUBMISSION TREE CHAPTER...: lay a submission out as a grading tree.
# A submission may be flat (svd.c, losses.c, ...) or keep the course's folders
# (chapters/01-svd/svd.c): for every chapter, the file NAME.c found anywhere in it is copied
# to TREE/NN-slug/NAME.c.  Nothing else is copied; symlinks are not followed.
set -euo pipefail
sub=$1; tree=$2; shift 2
rm -rf "$tree"; mkdir -p "$tree"
for ch in "$@"; do
  name=${ch#*-}; name=${name//-/_}
  mkdir -p "$tree/$ch"
  f=$(find "$sub" -type f -name "$name.c" -print 2>/dev/null | awk '{ print length($0) "\t" $0 }' | sort -n | head -1 | cut -f2-)
  if [ -n "$f" ]; then cp -- "$f" "$tree/$ch/$name.c"; fi
done

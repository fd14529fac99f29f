#!/usr/bin/env bash
# collect.sh SUBMISSION TREE CHAPTER...: lay a submission out as a grading tree.
# A submission may be flat (svd.c, losses.c, ...) or keep the course's folders
# (chapters/01-svd/svd.c): for every chapter, the regular file NAME.c found anywhere in it
# (the shallowest one) is copied to TREE/NN-slug/NAME.c.  Nothing else is copied; symbolic
# links are neither followed nor copied; paths are handled NUL-separated, so no file name
# (newlines included) can make another file be taken for the student's.
set -euo pipefail
sub=$1; tree=$2; shift 2
rm -rf -- "$tree"; mkdir -p -- "$tree"
for ch in "$@"; do
  name=${ch#*-}; name=${name//-/_}
  mkdir -p -- "$tree/$ch"
  best=""; best_depth=1000000
  while IFS= read -r -d '' f; do
    rel=${f#"$sub"/}; slashes=${rel//[^\/]/}
    if [ ${#slashes} -lt $best_depth ]; then best=$f; best_depth=${#slashes}; fi
  done < <(find "$sub" -type f -name "$name.c" -print0 2>/dev/null)
  if [ -n "$best" ]; then cp -P -- "$best" "$tree/$ch/$name.c"; fi
done

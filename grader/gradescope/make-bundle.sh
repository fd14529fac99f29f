#!/usr/bin/env bash
# make gradescope: OUT/autograder.zip with setup.sh and run_autograder at its root and the
# course's source (hidden tests included, solutions not) under source/ as Gradescope unpacks it.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-build/gradescope}"; CHAPTERS="${CHAPTERS:?which chapters this assignment grades}"
rm -rf "$OUT"; mkdir -p "$OUT/stage"
git ls-files -z | while IFS= read -r -d '' f; do
  case "$f" in solutions/*|bench/*|.ci/*|grader/hostile/*|grader/tests/*) continue;; esac
  mkdir -p "$OUT/stage/$(dirname "$f")"; cp -p "$f" "$OUT/stage/$f"
done
echo "$CHAPTERS" >"$OUT/stage/grader/gradescope/chapters"
cp grader/gradescope/setup.sh grader/gradescope/run_autograder "$OUT/stage/"
# Gradescope unpacks the zip into /autograder/source, and runs setup.sh from there
( cd "$OUT/stage" && zip -qr ../autograder.zip . )
echo "gradescope: $OUT/autograder.zip for chapters: $CHAPTERS ($(du -h "$OUT/autograder.zip" | cut -f1))"

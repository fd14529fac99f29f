#!/usr/bin/env bash
# make batch SUBMISSIONS=dir: grade every sub-folder of dir (one per student) in parallel,
# each in its own scratch tree and its own engine (as root, under its own sandbox users), into
#   OUT/gradebook.csv   student, one column per chapter, total, max
#   OUT/STUDENT/        report.json, results.json and the graded sources
set -uo pipefail
cd "$(dirname "$0")/.."
SUBS="${SUBMISSIONS:?SUBMISSIONS=folder with one sub-folder per student}"
OUT="${OUT:-build/batch}"; JOBS="${JOBS:-2}"; B="${BUILD:-build}"
CHAPTERS="${CHAPTERS:?}"
mkdir -p "$OUT"; : >"$OUT/.done"
students=(); for d in "$SUBS"/*/; do [ -d "$d" ] && students+=("$(basename "$d")"); done
n=${#students[@]}
[ "$n" -gt 0 ] || { echo "batch: no sub-folders in $SUBS"; exit 2; }
export OUT B CHAPTERS SUBS
grade_one() {
  s=$1; dir="$OUT/$s"
  grader/collect.sh "$SUBS/$s" "$dir/impl" $CHAPTERS
  timeout 1800 make --no-print-directory -s grade BUILD="$B" IMPL="$dir/impl" CH="$CHAPTERS" \
    GRADE_FLAGS="--out $dir --jobs 1 --quiet" >"$dir/grade.log" 2>&1
  echo "$s" >>"$OUT/.done"
  printf '\r  graded %d/%d (%s: %s)          ' "$(wc -l <"$OUT/.done")" "$N" "$s" \
    "$(jq -r '"\(.score)/\(.max_score)"' "$dir/report.json" 2>/dev/null || echo 'no report')" >&2
}
export -f grade_one; export N=$n
make --no-print-directory -s build BUILD="$B" CH="$CHAPTERS" || exit 1
t0=$(date +%s.%N)
printf '%s\0' "${students[@]}" | xargs -0 -P "$JOBS" -I{} bash -c 'grade_one "$1"' _ {}
dt=$(echo "$(date +%s.%N) - $t0" | bc)
echo >&2
{ printf 'student'; for c in $CHAPTERS; do printf ',%s' "$c"; done; printf ',total,max\n'
  for s in "${students[@]}"; do
    if [ -f "$OUT/$s/report.json" ]; then
      jq -r --arg s "$s" '[$s] + [.chapters[].score] + [.score, .max_score] | @csv' "$OUT/$s/report.json"
    else printf '"%s"%s,0,\n' "$s" "$(for c in $CHAPTERS; do printf ',0'; done)"; fi
  done; } >"$OUT/gradebook.csv"
rate=$(echo "scale=1; 60 * $n / $dt" | bc)
echo "batch: $n submissions in ${dt%.*} s ($rate per minute, JOBS=$JOBS); gradebook: $OUT/gradebook.csv"

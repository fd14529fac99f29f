#!/usr/bin/env bash
# make batch SUBMISSIONS=dir: grade every sub-folder of dir (one per student) in parallel,
# each in its own scratch tree and its own engine (as root: its own sandbox users and private
# namespaces, with the submissions folder hidden from student code), into
#   OUT/gradebook.csv   student, a score and a status per chapter, total, max, graded_at;
#                       a regrade of some students keeps the other rows
#   OUT/STUDENT/        feedback.md (what the terminal showed, to send back), report.json,
#                       results.json and the graded sources
# Without root there is no isolation between submissions (one student's code could read or
# change another's files, or the gradebook): batch refuses unless UNSAFE=1.
set -uo pipefail
cd "$(dirname "$0")/.."
SUBS="${SUBMISSIONS:?SUBMISSIONS=folder with one sub-folder per student}"
OUT="${OUT:-build/batch}"; JOBS="${JOBS:-2}"; B="${BUILD:-build}"
CHAPTERS="${CHAPTERS:?}"
ENGINE_FLAGS="${ENGINE_FLAGS:-}"   # extra engine options (the catalogue's --no-link-check)
uid=${MLPHYS_UID_FOR_TESTS:-$(id -u)}
if [ "$uid" -ne 0 ]; then
  if [ "${UNSAFE:-0}" != 1 ]; then
    echo "batch: not root, so submissions would not be isolated from each other: student code could"
    echo "       read or change other students' files and the gradebook.  Run it as root (sudo make"
    echo "       batch ...), or UNSAFE=1 make batch ... to grade anyway, unisolated."
    exit 2
  fi
  echo "batch: WARNING: UNSAFE=1, grading without isolation between submissions" >&2
fi
safe_name() { [[ $1 =~ ^[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*$ ]]; }
SUBS=$(realpath -e -- "$SUBS") || { echo "batch: no folder $SUBMISSIONS"; exit 2; }
[[ $SUBS =~ ^[A-Za-z0-9._/@+-]+$ ]] || { echo "batch: the submissions folder's path must not contain spaces, quotes or control characters: $SUBS"; exit 2; }
mkdir -p "$OUT"; : >"$OUT/.done"
students=(); refused=()
while IFS= read -r -d '' d; do
  s=${d#"$SUBS"/}
  if safe_name "$s"; then students+=("$s"); else refused+=("$s"); fi
done < <(find "$SUBS" -mindepth 1 -maxdepth 1 -type d -print0 | sort -z)
for s in "${refused[@]}"; do
  printf 'batch: refusing the submission folder %q: a name may hold only letters, digits and . _ @ + - (rename it)\n' "$s" >&2
done
n=${#students[@]}
[ "$n" -gt 0 ] || { echo "batch: no gradable sub-folders in $SUBS"; exit 2; }
export OUT B CHAPTERS SUBS ENGINE_FLAGS
grade_one() {
  s=$1; dir="$OUT/$s"
  rm -rf -- "$dir"; mkdir -p -- "$dir"
  grader/collect.sh "$SUBS/$s" "$dir/impl" $CHAPTERS
  timeout 1800 make --no-print-directory -s grade BUILD="$B" IMPL="$dir/impl" CH="$CHAPTERS" \
    GRADE_FLAGS="--out $dir --jobs 1 --hide $SUBS $ENGINE_FLAGS" >"$dir/grade.log" 2>&1
  # the feedback to send back: exactly what the terminal shows, without the server's paths
  { printf '# Feedback: %s\n\nGraded %s (chapters: %s).\n\n```\n' "$s" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$CHAPTERS"
    grep -v -e '; report: ' -e 'For every test and its feedback' "$dir/grade.log"
    printf '```\n'; } >"$dir/feedback.md"
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
# The gradebook: one row per student, a score and a status per chapter (graded, not gradable,
# refused, missing), the total and when it was graded.  A regrade (a SUBMISSIONS folder holding
# some students) replaces their rows and keeps everyone else's; an old gradebook with other
# columns is kept beside it as gradebook-TIME.csv.
header="student"; for c in $CHAPTERS; do header="$header,$c,$c status"; done; header="$header,total,max,graded_at"
now=$(date -u '+%Y-%m-%dT%H:%M:%SZ')
new_rows="$OUT/.rows"; : >"$new_rows"
for s in "${students[@]}"; do
  if [ -f "$OUT/$s/report.json" ]; then
    jq -r --arg s "$s" --arg t "$now" '[$s] + ([.chapters[] | .score, (if .status == "graded" then "graded"
        elif (.compile_output // "" | startswith("no file")) then "missing" else .status end)]) + [.score, .max_score, $t] | @csv' \
      "$OUT/$s/report.json" >>"$new_rows"
  else
    { printf '"%s"' "$s"; for c in $CHAPTERS; do printf ',0,"no report"'; done; printf ',0,,"%s"\n' "$now"; } >>"$new_rows"
  fi
done
g="$OUT/gradebook.csv"
{ echo "$header"
  if [ -f "$g" ] && [ "$(head -1 "$g")" = "$header" ]; then
    # keep the rows of students not graded this time
    awk -F, 'NR == FNR { graded[$1] = 1; next } FNR > 1 && !($1 in graded)' "$new_rows" "$g"
  elif [ -f "$g" ]; then mv -f "$g" "$OUT/gradebook-$(date -u +%Y%m%dT%H%M%S).csv"; fi
  cat "$new_rows"; } >"$g.tmp"
{ head -1 "$g.tmp"; tail -n +2 "$g.tmp" | sort -t, -k1,1; } >"$g.sorted" && mv -f "$g.sorted" "$g" && rm -f "$g.tmp" "$new_rows"
rate=$(echo "scale=1; 60 * $n / $dt" | bc)
echo "batch: $n submissions in ${dt%.*} s ($rate per minute, JOBS=$JOBS); gradebook: $OUT/gradebook.csv${refused:+ (${#refused[@]} refused by name)}"

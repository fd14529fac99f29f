#!/usr/bin/env bash
# The mutant catalogues: realistic wrong solutions that must lose points.
#
# Every grader/NN-slug/mutants/NAME.patch is a unified diff of the chapter's reference solution
# (solutions/NN-slug/NAME.c; the paths inside the diff are ignored), preceded by two lines:
#     mutant: what the mistake is, in words
#     kills: suite/test [suite/test ...]     the tests that must not pass
# Each mutant is applied to a copy of the solution and graded by the real engine on the tests its
# kills: line names.  It must compile and be gradable (a mutant that does not compile proves
# nothing), and fail every one of them (each worth points, so it cannot score full marks).
# A survivor fails `make check`.
#
# Usage: grader/tests/mutants.sh [CHAPTER...]   (default: every chapter with mutants)
# Environment: BUILD (the build folder, default build/check), JOBS.
# Writes $BUILD/mutants/summary.tsv: chapter, mutant, score, max, killed, the tests that caught it.
set -uo pipefail
cd "$(dirname "$0")/../.."
B="${BUILD:-build/check}"; JOBS="${JOBS:-2}"
chapters=("$@")
if [ ${#chapters[@]} -eq 0 ]; then
  for d in grader/[0-9][0-9]-*/mutants/; do [ -d "$d" ] && chapters+=("$(basename "$(dirname "$d")")"); done
fi
M="$B/mutants"; mkdir -p "$M"
summary="$M/summary.tsv"; : >"$summary"
fails=0
bad() { printf '   FAIL %s\n' "$*"; fails=$((fails + 1)); }
make --no-print-directory -s BUILD="$B" WERROR=-Werror build CH="${chapters[*]}" >"$M/build.log" 2>&1 \
  || { tail -20 "$M/build.log"; echo "mutants: the build failed"; exit 1; }
. grader/tests/engine-env.sh

# One mutant: apply, grade only the tests its kills: line names (they must all fail, and each
# is worth points, so the mutant cannot score full marks), write one summary line.
run_mutant() { # chapter patch
  local ch=$1 p=$2 name=${1#*-}; name=${name//-/_}
  local mname; mname=$(basename "$p" .patch)
  local what kills tree r st caught problems=()
  what=$(sed -n 's/^mutant: //p' "$p" | head -1); kills=$(sed -n 's/^kills: //p' "$p" | head -1)
  tree="$M/$ch/$mname"; rm -rf "$tree"; mkdir -p "$tree/$ch"
  if [ -z "$what" ] || [ -z "$kills" ]; then echo "FAIL	$ch	$mname	needs 'mutant:' and 'kills:' lines"; return; fi
  if ! patch -s -f -o "$tree/$ch/$name.c" "solutions/$ch/$name.c" <"$p" >"$tree/patch.log" 2>&1; then
    echo "FAIL	$ch	$mname	does not apply to solutions/$ch/$name.c ($(head -1 "$tree/patch.log"))"; return; fi
  chmod a+r "$tree/$ch/$name.c"   # patch -o writes mode 0600
  timeout 900 env "${ENGINE_ENV[@]}" "$B/bin/mlphys-grade" --impl "$tree" --out "$tree/out" --jobs 1 --quiet \
    --no-diagnose --tests "$(echo $kills | tr ' ' ',')" "$ch" >"$tree/grade.log" 2>&1
  r="$tree/out/report.json"
  if ! jq -e . "$r" >/dev/null 2>&1; then echo "FAIL	$ch	$mname	no valid report ($(tail -1 "$tree/grade.log"))"; return; fi
  st=$(jq -r '.chapters[0].status' "$r")
  if [ "$st" != graded ]; then
    echo "FAIL	$ch	$mname	$st, so it proves nothing: $(jq -r '.chapters[0].compile_output' "$r" | head -3 | tr '\n\t' '  ')"; return; fi
  caught=$(jq -r '[.chapters[0].tests[] | select(.status != "passed") | .id] | join(" ")' "$r")
  for k in $kills; do
    local s pts
    s=$(jq -r --arg k "$k" '[.chapters[0].tests[] | select(.id == $k) | .status][0] // "no such test"' "$r")
    pts=$(jq -r --arg k "$k" '[.chapters[0].tests[] | select(.id == $k) | .points][0] // 0' "$r")
    [ "$s" = "no such test" ] && problems+=("$k: no such test in the rubric")
    [ "$s" = passed ] && problems+=("SURVIVED: $k passed (its kills: line says it must fail)")
    [ "$s" != passed ] && [ "$s" != "no such test" ] && [ "$(jq -n --argjson p "$pts" '$p > 0')" != true ] && problems+=("$k is worth no points")
  done
  if [ ${#problems[@]} -eq 0 ]; then echo "ok	$ch	$mname	$caught"
  else echo "FAIL	$ch	$mname	$what: $(IFS=';'; echo "${problems[*]}")"; fi
}
export -f run_mutant; export M B
for ch in "${chapters[@]}"; do
  shopt -s nullglob; patches=(grader/"$ch"/mutants/*.patch); shopt -u nullglob
  [ ${#patches[@]} -gt 0 ] || { bad "$ch: no mutants in grader/$ch/mutants/"; continue; }
  t0=$(date +%s)
  # JOBS mutants at a time, each graded with one job
  printf '%s\0' "${patches[@]}" | xargs -0 -P "$JOBS" -I{} bash -c 'ENGINE_ENV=("${@:3}"); run_mutant "$1" "$2"' _ "$ch" {} "${ENGINE_ENV[@]}" >"$M/$ch.results"
  n=${#patches[@]}; killed=$(grep -c '^ok' "$M/$ch.results")
  grep '^FAIL' "$M/$ch.results" | while IFS=$'\t' read -r _ c m why; do printf '   FAIL %s/%s: %s\n' "$c" "$m" "$why"; done
  fails=$((fails + n - killed))
  awk -F'\t' '$1 == "ok" { printf "%s\t%s\t-\t-\tyes\t%s\n", $2, $3, $4 } $1 == "FAIL" { printf "%s\t%s\t-\t-\tno\t%s\n", $2, $3, $4 }' "$M/$ch.results" >>"$summary"
  printf '   %-22s %2d/%-2d mutants killed (%d%%)  %3ds\n' "$ch" "$killed" "$n" $(( n ? 100 * killed / n : 0 )) $(( $(date +%s) - t0 ))
done
[ $fails -eq 0 ]

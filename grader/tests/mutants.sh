#!/usr/bin/env bash
# The mutant catalogues: realistic wrong solutions that must lose points.
#
# Every grader/NN-slug/mutants/NAME.patch is a unified diff of the chapter's reference solution
# (solutions/NN-slug/NAME.c; the paths inside the diff are ignored), preceded by two lines:
#     mutant: what the mistake is, in words
#     kills: suite/test [suite/test ...]     the tests that must not pass
# Each mutant is applied to a copy of the solution and graded by the real engine.  It must
# compile and be gradable (a mutant that does not compile proves nothing), score less than full
# marks, and fail every test on its kills: line.  A survivor fails `make check`.
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
ENGINE_ENV=(MLPHYS_CC=cc "MLPHYS_CFLAGS=-std=c11 -Wall -Wextra -Wpedantic -O2 -g $(pkg-config --cflags gsl criterion jansson zlib)"
            "MLPHYS_LDLIBS=$(pkg-config --libs gsl criterion jansson zlib) -lcsv -lm" "MLPHYS_BUILD=$B")

for ch in "${chapters[@]}"; do
  name=${ch#*-}; name=${name//-/_}
  sol="solutions/$ch/$name.c"
  shopt -s nullglob; patches=(grader/"$ch"/mutants/*.patch); shopt -u nullglob
  n=${#patches[@]}; killed=0; t0=$(date +%s)
  [ "$n" -gt 0 ] || { bad "$ch: no mutants in grader/$ch/mutants/"; continue; }
  for p in "${patches[@]}"; do
    mname=$(basename "$p" .patch)
    what=$(sed -n 's/^mutant: //p' "$p" | head -1)
    kills=$(sed -n 's/^kills: //p' "$p" | head -1)
    tree="$M/$ch/$mname"; rm -rf "$tree"; mkdir -p "$tree/$ch"
    if [ -z "$what" ] || [ -z "$kills" ]; then bad "$ch/$mname: needs 'mutant:' and 'kills:' lines"; continue; fi
    if ! patch -s -f -o "$tree/$ch/$name.c" "$sol" <"$p" >"$tree/patch.log" 2>&1; then
      bad "$ch/$mname: does not apply to $sol ($(head -1 "$tree/patch.log"))"; continue
    fi
    timeout 900 env "${ENGINE_ENV[@]}" "$B/bin/mlphys-grade" --impl "$tree" --out "$tree/out" \
      --jobs "$JOBS" --quiet "$ch" >"$tree/grade.log" 2>&1
    r="$tree/out/report.json"
    if ! jq -e . "$r" >/dev/null 2>&1; then bad "$ch/$mname: no valid report ($(tail -1 "$tree/grade.log"))"; continue; fi
    st=$(jq -r '.chapters[0].status' "$r")
    if [ "$st" != graded ]; then
      bad "$ch/$mname: not gradable, so it proves nothing: $(jq -r '.chapters[0].compile_output' "$r" | head -3 | tr '\n' ' ')"; continue
    fi
    score=$(jq '.chapters[0].score' "$r"); max=$(jq '.chapters[0].max_score' "$r")
    caught=$(jq -r '[.chapters[0].tests[] | select(.status != "passed") | .id] | join(" ")' "$r")
    problems=()
    [ "$(jq '.chapters[0].score < .chapters[0].max_score' "$r")" = true ] || problems+=("SURVIVED at full marks ($score/$max)")
    for k in $kills; do
      s=$(jq -r --arg k "$k" '[.chapters[0].tests[] | select(.id == $k) | .status][0] // "no such test"' "$r")
      [ "$s" != passed ] && [ "$s" != "no such test" ] || problems+=("$k: $s (its kills: line says it must fail)")
    done
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$ch" "$mname" "$score" "$max" "$([ ${#problems[@]} -eq 0 ] && echo yes || echo no)" "$caught" >>"$summary"
    if [ ${#problems[@]} -eq 0 ]; then killed=$((killed + 1))
    else bad "$ch/$mname ($what): $(IFS=';'; echo "${problems[*]}")"; fi
  done
  printf '   %-22s %2d/%-2d mutants killed (%d%%)  %3ds\n' "$ch" "$killed" "$n" $(( n ? 100 * killed / n : 0 )) $(( $(date +%s) - t0 ))
done
[ $fails -eq 0 ]

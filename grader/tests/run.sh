#!/usr/bin/env bash
# The grader's own tests (make check, step 7):
#   1. the data loader (chapters/common/mlphys_data) on well-formed and malformed files;
#   2. the hostile-submission catalogue: every grader/hostile/CASE.c is injected into the
#      reference solution of 01-svd, graded by the real engine together with a healthy second
#      chapter, and must give exactly the outcome its "expect:" line states, within a bounded
#      time, with valid report.json and results.json, the healthy chapter at full marks, and
#      no process of it left running.
# Environment: BUILD (the check build folder), JOBS, CASES (default: all).
set -uo pipefail
cd "$(dirname "$0")/../.."
B="${BUILD:-build/check}"
JOBS="${JOBS:-2}"
fails=0
ok() { printf '   ok   %s\n' "$*"; }
bad() { printf '   FAIL %s\n' "$*"; fails=$((fails + 1)); }

# ---- 1. data loader --------------------------------------------------------------------------
make --no-print-directory BUILD="$B" WERROR=-Werror "$B/lib/libmlphys_common.a" >/dev/null || bad "common library"
mkdir -p "$B/selftest"
if cc -std=c11 -Wall -Wextra -Wpedantic -Werror -O1 -g $(pkg-config --cflags criterion gsl zlib) -Ichapters/common \
      grader/tests/data_tests.c "$B/lib/libmlphys_common.a" -o "$B/selftest/data_tests" \
      $(pkg-config --libs criterion gsl zlib) -lcsv -lm; then
  if "$B/selftest/data_tests" -j2 --color=never >"$B/selftest/data.log" 2>&1; then
    ok "data loader: $(grep -o 'Tested: [0-9]*' "$B/selftest/data.log")"
  else
    grep -E 'FAIL|Assert|----' "$B/selftest/data.log" | head -20; bad "data loader tests"
  fi
else
  bad "data loader tests do not compile"
fi

# ---- 2. hostile catalogue ----------------------------------------------------------------------
# A healthy second chapter graded beside each hostile one: the fastest available.
other=""
for c in 05-numerics 03-woodbury 02-backprop; do [ -d "solutions/$c" ] && { other=$c; break; }; done
[ -n "$other" ] || for d in solutions/[0-9][0-9]-*/; do c=$(basename "$d"); [ "$c" != 01-svd ] && { other=$c; break; }; done
make --no-print-directory BUILD="$B" WERROR=-Werror build CH="01-svd $other" >/dev/null || bad "build for the catalogue"
ENGINE_ENV=(MLPHYS_CC=cc "MLPHYS_CFLAGS=-std=c11 -Wall -Wextra -Wpedantic -O2 -g $(pkg-config --cflags gsl criterion jansson zlib)"
            "MLPHYS_LDLIBS=$(pkg-config --libs gsl criterion jansson zlib) -lcsv -lm" "MLPHYS_BUILD=$B")
root=$([ "$(id -u)" -eq 0 ] && echo yes || echo no)
ntests=$(grep -cvE '^\s*(#|$)' grader/01-svd/rubric)

# memcheck points: the reference solution earns them
timeout 300 env "${ENGINE_ENV[@]}" "$B/bin/mlphys-grade" --impl solutions --out "$B/hostile/clean-pts" --jobs "$JOBS" --quiet --rubric grader/tests/memcheck-rubric 01-svd >/dev/null
[ "$(jq '.chapters[0].score' "$B/hostile/clean-pts/report.json" 2>/dev/null)" = 5 ] && ok "@memcheck points: the clean solution gets 5 of 5" || bad "@memcheck points for the clean solution"

for f in ${CASES:-grader/hostile/*.c}; do
  case_name=$(basename "$f" .c)
  expect=$(sed -n 's/^ \* expect: //p' "$f" | sed 's/ \*\/$//')
  if [[ "$expect" == *root-only* && $root == no ]]; then
    printf '   skip %s (needs root: the process limit only applies to the sandbox user)\n' "$case_name"; continue
  fi
  tree="$B/hostile/$case_name"
  rm -rf "$tree"; mkdir -p "$tree/01-svd"
  ln -s "$PWD/solutions/$other" "$tree/$other"
  grader/tests/inject.sh "$f" "$tree/01-svd/svd.c"
  out="$tree/out"
  mc_flags=(); mem=""
  if [[ "$expect" == *memcheck=* ]]; then mem=${expect##*memcheck=}; mem=${mem%% *}; fi
  t0=$(date +%s)
  timeout 180 env "${ENGINE_ENV[@]}" "$B/bin/mlphys-grade" --impl "$tree" --out "$out" --jobs "$JOBS" --quiet 01-svd "$other"
  rc=$?; dt=$(( $(date +%s) - t0 ))
  problems=()
  [ $rc -eq 0 ] || problems+=("engine exit status $rc")
  [ $dt -le 60 ] || problems+=("took ${dt}s (> 60 s)")
  if ! jq -e . "$out/report.json" >/dev/null 2>&1 || ! jq -e . "$out/results.json" >/dev/null 2>&1; then
    problems+=("report.json or results.json missing or invalid")
  else
    got=$(jq -r '.chapters[0] | (.tests | map(.status | gsub(" "; "_")) | group_by(.) | map("\(.[0])=\(length)") | join(" ")) + " score=\(.score)"' "$out/report.json")
    for want in $expect; do
      case "$want" in root-only|memcheck=*) continue;; esac
      k=${want%%=*}; v=${want#*=}
      if [ "$k" = score ]; then g=$(jq '.chapters[0].score' "$out/report.json")
      else g=$(jq --arg k "${k//_/ }" '[.chapters[0].tests[] | select(.status == $k)] | length' "$out/report.json"); fi
      [ "$(printf '%g' "$g")" = "$(printf '%g' "$v")" ] || problems+=("$k: expected $v, got $g ($got)")
    done
    n=$(jq '[.tests[] | select(.name | startswith("01-svd"))] | length' "$out/results.json")
    [ "$n" = "$ntests" ] || problems+=("results.json has $n tests of 01-svd, the rubric $ntests")
    jq -e '.score == ([.tests[].score] | add)' "$out/results.json" >/dev/null || problems+=("results.json score is not the sum of its tests")
    jq -e --arg o "$other" '.chapters[1] | .chapter == $o and .score == .max_score' "$out/report.json" >/dev/null \
      || problems+=("the healthy chapter $other lost points")
    big=$(stat -c %s "$out/report.json"); [ "$big" -lt 2000000 ] || problems+=("report.json is $big bytes")
    if [ "$case_name" = fork_bomb ]; then
      forks=$(jq -r '.chapters[0].tests[].stderr' "$out/report.json" | sed -n 's/^forked \([0-9]*\)$/\1/p' | sort -n | tail -1)
      if [ -z "$forks" ] || [ "$forks" -ge 100 ]; then problems+=("the process limit did not hold: forked '${forks:-?}'"); fi
    fi
  fi
  sleep 0.2
  if pgrep -f "$tree/" >/dev/null; then problems+=("processes left running: $(pgrep -fa "$tree/" | head -2 | tr '\n' ' ')"); pkill -9 -f "$tree/"; fi
  if [ -n "$mem" ]; then
    # make memcheck names the problem and the student's line; a rubric's @memcheck points
    # are lost while the test itself still passes
    timeout 300 env "${ENGINE_ENV[@]}" "$B/bin/mlphys-grade" --impl "$tree" --out "$out-mc" --jobs "$JOBS" --quiet --memcheck --tests hand_worked 01-svd >/dev/null
    msg=$(jq -r '.chapters[0].tests[0].memcheck // ""' "$out-mc/report.json" 2>/dev/null)
    [[ "$msg" == *"$mem"* && "$msg" == *"svd.c:"* ]] || problems+=("memcheck should report '$mem' at a line of svd.c, said: '$msg'")
    timeout 300 env "${ENGINE_ENV[@]}" "$B/bin/mlphys-grade" --impl "$tree" --out "$out-pts" --jobs "$JOBS" --quiet --rubric grader/tests/memcheck-rubric 01-svd >/dev/null
    pts=$(jq -r '.chapters[0] | "\(.score) \(.tests[] | select(.id == "@memcheck") | .status)"' "$out-pts/report.json" 2>/dev/null)
    [ "$pts" = "2 failed" ] || problems+=("@memcheck points: expected '2 failed', got '$pts'")
  fi
  if [ ${#problems[@]} -eq 0 ]; then ok "$(printf '%-20s %3ss  %s' "$case_name" "$dt" "$expect")"
  else bad "$case_name: $(IFS=';'; echo "${problems[*]}")"; fi
done
[ $fails -eq 0 ]

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

# ---- 1b. the test library's tolerance helpers, and the engine's layers ------------------------
make --no-print-directory BUILD="$B" WERROR=-Werror "$B/lib/libmlphys_test.a" "$B/lib/libmlphys_common.a" >/dev/null || bad "test library"
if cc -std=c11 -Wall -Wextra -Wpedantic -Werror -O1 -g $(pkg-config --cflags criterion gsl) -Igrader/lib \
      grader/tests/lib_tests.c "$B/lib/libmlphys_test.a" -o "$B/selftest/lib_tests" \
      $(pkg-config --libs criterion gsl jansson) -lm && "$B/selftest/lib_tests" -j2 --color=never >"$B/selftest/lib.log" 2>&1; then
  ok "tolerance helpers: NaN and Inf fail in every position ($(grep -o 'Tested: [0-9]*' "$B/selftest/lib.log"))"
else
  grep -E 'FAIL|Assert|error' "$B/selftest/lib.log" 2>/dev/null | head -10; bad "tolerance helper self-tests"
fi
if cc -std=c11 -Wall -Wextra -Wpedantic -Werror -O1 -g $(pkg-config --cflags criterion jansson) -Igrader/engine \
      grader/tests/engine_tests.c grader/engine/util.c grader/engine/rubric.c grader/engine/linkcheck.c \
      grader/engine/memcheck.c -o "$B/selftest/engine_tests" $(pkg-config --libs criterion jansson) \
   && (cd "$B/selftest" && ./engine_tests -j1 --color=never >engine.log 2>&1); then
  ok "engine layers: $(grep -o 'Tested: [0-9]*' "$B/selftest/engine.log") self-tests (rubric, allow-list, valgrind log, file safety)"
else
  grep -E 'FAIL|Assert|error' "$B/selftest/engine.log" 2>/dev/null | head -10; bad "engine self-tests"
fi

# ---- 1c. engine regressions: a private submission folder; an absolute BUILD ---------------------
priv=$(mktemp -d)   # mode 0700, as mktemp makes it: the sandbox user cannot read it
mkdir -p "$priv/02-backprop"; cp solutions/02-backprop/backprop.c "$priv/02-backprop/"
make --no-print-directory -s BUILD="$B" build CH=02-backprop >/dev/null 2>&1
if make --no-print-directory -s BUILD="$B" grade CH=02-backprop IMPL="$priv" GRADE_FLAGS="--quiet --expect full --out $B/priv" >/dev/null 2>&1; then
  ok "a submission in a private folder (mktemp -d) grades at full marks"
else bad "a submission in a private folder does not grade: $(jq -r '.chapters[0].compile_output // .chapters[0].tests[0].message' "$B/priv/report.json" 2>/dev/null | head -2)"; fi
rm -rf "$priv"
abs="$PWD/$B/absolute-build"
if make --no-print-directory -s BUILD="$abs" build CH=02-backprop >/dev/null 2>&1 && \
   make --no-print-directory -s BUILD="$abs" grade CH=02-backprop IMPL=solutions GRADE_FLAGS="--quiet --expect full" >/dev/null 2>&1; then
  ok "BUILD=/an/absolute/path builds and grades at full marks"
else bad "BUILD=/an/absolute/path does not grade"; fi

# ---- 2. hostile catalogue ----------------------------------------------------------------------
# Every case runs through the real engine up to three times, one per set of defence layers:
#   linked:   every layer (the default engine): "refused" (the allow-list stops it at link time),
#             "same" (the case uses only allowed calls: the same outcome as below), or outcomes;
#   expect:   the runtime layers alone (--no-link-check): sandbox users, namespaces, pipes;
#   fallback: the runtime layers without namespaces (--no-link-check --no-namespaces), where
#             a container refuses them; only for the cases whose class it must still stop.
# Outcomes: STATUS=COUNT (or >=, <) and score=...; the counts may name N (the tests that fail
# when the injected function is a stub: measured by a probe), REST (the others), ALL, PROBE
# (the probe's score) and FULL.  noleak: no "MLPHYS-LEAK" in any output; noleftovers: nothing
# planted survives; nonetwork: the host's listener saw no connection; memcheck=WORD: make
# memcheck names WORD at a line of svd.c and the @memcheck points are lost.
other=""
for c in 02-backprop 03-woodbury 05-numerics; do [ -d "solutions/$c" ] && { other=$c; break; }; done   # the quickest first
[ -n "$other" ] || for d in solutions/[0-9][0-9]-*/; do c=$(basename "$d"); [ "$c" != 01-svd ] && { other=$c; break; }; done
make --no-print-directory BUILD="$B" WERROR=-Werror build CH="01-svd $other" >/dev/null || bad "build for the catalogue"
cc -O1 -o "$B/selftest/listen" grader/tests/listen.c || bad "listener"
. grader/tests/engine-env.sh
root=$([ "$(id -u)" -eq 0 ] && echo yes || echo no)
engine() { timeout 300 env "${ENGINE_ENV[@]}" "$B/bin/mlphys-grade" --jobs "$JOBS" --quiet "$@"; }

# memcheck points: the reference solution earns them
engine --impl solutions --out "$B/hostile/clean-pts" --rubric grader/tests/memcheck-rubric 01-svd >/dev/null
[ "$(jq '.chapters[0].score' "$B/hostile/clean-pts/report.json" 2>/dev/null)" = 5 ] && ok "@memcheck points: the clean solution gets 5 of 5" || bad "@memcheck points for the clean solution"

# the probes: each injected function as a stub, to know which tests depend on it
declare -A PN PREST PSCORE
read -r _ _ _ ALL FULL < <(grader/tests/probe.sh svd_low_rank)
for fn in $(sed -n 's/^ \* inject: //p' ${CASES:-grader/hostile/*.c} | sort -u); do
  case $fn in none|whole) continue;; esac
  read -r PN[$fn] PREST[$fn] PSCORE[$fn] _ _ < <(BUILD="$B" JOBS="$JOBS" grader/tests/probe.sh "$fn")
done

# judge ONE run against a list of outcomes; prints problems, one per line
judge_run() { # out-dir expect-words fn [other-chapter-graded]
  local out=$1 words=$2 fn=$3
  if ! jq -e . "$out/report.json" >/dev/null 2>&1 || ! jq -e . "$out/results.json" >/dev/null 2>&1; then
    echo "report.json or results.json missing or invalid"; return; fi
  local got; got=$(jq -r '.chapters[0] | (.tests | map(.status | gsub(" "; "_")) | group_by(.) | map("\(.[0])=\(length)") | join(" ")) + " score=\(.score) status=\(.status)"' "$out/report.json")
  for want in $words; do
    case "$want" in root-only|memcheck=*|noleftovers|nonetwork) continue;; esac
    if [ "$want" = refused ]; then
      [ "$(jq -r '.chapters[0].status' "$out/report.json")" = refused ] && [ "$(jq '.chapters[0].score' "$out/report.json")" = 0 ] \
        || echo "expected the link check to refuse it ($got)"
      jq -r '.chapters[0].compile_output' "$out/report.json" | grep -q '^refused: ' || echo "the refusal does not say what was refused"
      continue; fi
    if [ "$want" = noleak ]; then
      grep -q 'MLPHYS-LEAK' "$out/report.json" && echo "something leaked: $(grep -o 'MLPHYS-LEAK[^"]*' "$out/report.json" | head -2 | tr '\n' ' ')"
      continue; fi
    local k op v
    if [[ $want =~ ^([a-z_]+)(>=|<|=)(.+)$ ]]; then k=${BASH_REMATCH[1]}; op=${BASH_REMATCH[2]}; v=${BASH_REMATCH[3]}
    else echo "cannot read expectation '$want'"; continue; fi
    case $v in N) v=${PN[$fn]:-?};; REST) v=${PREST[$fn]:-?};; PROBE) v=${PSCORE[$fn]:-?};; ALL) v=$ALL;; FULL) v=$FULL;; esac
    local g
    if [ "$k" = score ]; then g=$(jq '.chapters[0].score' "$out/report.json")
    else g=$(jq --arg k "${k//_/ }" '[.chapters[0].tests[] | select(.status == $k)] | length' "$out/report.json"); fi
    local pass=no
    case $op in
      '=') [ "$(printf '%g' "$g")" = "$(printf '%g' "$v")" ] && pass=yes;;
      '>=') awk -v g="$g" -v v="$v" 'BEGIN { exit !(g >= v) }' && pass=yes;;
      '<') awk -v g="$g" -v v="$v" 'BEGIN { exit !(g < v) }' && pass=yes;;
    esac
    [ $pass = yes ] || echo "$k: expected $op$v, got $g ($got)"
  done
  local n; n=$(jq '[.tests[] | select(.name | startswith("01-svd"))] | length' "$out/results.json")
  [ "$n" = "$ALL" ] || echo "results.json has $n tests of 01-svd, the rubric $ALL"
  jq -e '.score == ([.tests[].score] | add)' "$out/results.json" >/dev/null || echo "results.json score is not the sum of its tests"
  if [ -n "$4" ]; then jq -e --arg o "$other" '.chapters[1] | .chapter == $o and .score == .max_score' "$out/report.json" >/dev/null \
    || echo "the healthy chapter $other lost points"; fi
  local big; big=$(stat -c %s "$out/report.json"); [ "$big" -lt 2000000 ] || echo "report.json is $big bytes"
}

planted=(/var/tmp/mlphys-planted /tmp/mlphys-planted /dev/shm/mlphys-planted)
for f in ${CASES:-grader/hostile/*.c}; do
  case_name=$(basename "$f" .c)
  fn=$(sed -n 's/^ \* inject: //p' "$f")
  expect=$(sed -n 's/^ \* expect: //p' "$f" | sed 's/ \*\/$//')
  linked=$(sed -n 's/^ \* linked: //p' "$f" | sed 's/ \*\/$//')
  fallback=$(sed -n 's/^ \* fallback: //p' "$f" | sed 's/ \*\/$//')
  [ "$linked" = same ] && linked=$expect
  if [[ "$expect$linked" == *root-only* && $root == no ]]; then
    printf '   skip %s (needs root: the process limit only applies to the sandbox user)\n' "$case_name"; continue
  fi
  tree="$B/hostile/$case_name"
  rm -rf "$tree"; mkdir -p "$tree/01-svd"
  mkdir -p "$tree/$other"; cp solutions/"$other"/*.c "$tree/$other/"
  grader/tests/inject.sh "$f" "$tree/01-svd/svd.c"
  problems=(); t0=$(date +%s)
  runs=("linked|$linked|")
  [[ "$expect" == skip* ]] || runs+=("runtime|$expect|--no-link-check")
  [ -n "$fallback" ] && [ $root = yes ] && runs+=("fallback|$fallback|--no-link-check --no-namespaces")
  for r in "${runs[@]}"; do
    IFS='|' read -r layer words flags <<<"$r"
    out="$tree/out-$layer"
    rm -f "${planted[@]}" 2>/dev/null
    lpid=""
    if [[ "$words" == *nonetwork* ]]; then
      "$B/selftest/listen" 47123 120 >"$tree/listen-$layer.log" 2>&1 & lpid=$!; sleep 0.3; fi
    t1=$(date +%s)
    # shellcheck disable=SC2086
    # the healthy chapter is graded beside every run in which hostile code executes
    with=("$other"); [ "$words" = refused ] && with=()
    engine --impl "$tree" --out "$out" $flags 01-svd "${with[@]}" >"$tree/engine-$layer.log" 2>&1
    rc=$?; dt=$(( $(date +%s) - t1 ))
    [ $rc -eq 0 ] || problems+=("[$layer] engine exit status $rc: $(tail -1 "$tree/engine-$layer.log")")
    [ $dt -le 90 ] || problems+=("[$layer] took ${dt}s (> 90 s)")
    while IFS= read -r p; do [ -n "$p" ] && problems+=("[$layer] $p"); done < <(judge_run "$out" "$words" "$fn" "${with[*]}")
    if [ -n "$lpid" ]; then
      kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null
      c=$(grep -c '^connection' "$tree/listen-$layer.log"); [ "$c" = 0 ] || problems+=("[$layer] the host's listener received $c connection(s)")
    fi
    if [[ "$words" == *noleftovers* ]]; then
      for p in "${planted[@]}"; do [ -e "$p" ] && problems+=("[$layer] $p survived the job"); done
      n=$(find /dev/shm /tmp -maxdepth 1 -user mlphys-sb0 2>/dev/null | wc -l); [ "$n" = 0 ] || problems+=("[$layer] $n files of the sandbox user survived in /tmp or /dev/shm")
    fi
    if [ "$case_name" = fork_bomb ] && [ -f "$out/report.json" ]; then
      forks=$(jq -r '.chapters[0].tests[].stderr // ""' "$out/report.json" | sed -n 's/^forked \([0-9]*\)$/\1/p' | sort -n | tail -1)
      if [ -n "$forks" ] && [ "$forks" -ge 100 ]; then problems+=("[$layer] the process limit did not hold: forked '$forks'"); fi
    fi
    sleep 0.2
    if pgrep -f "$tree/" >/dev/null; then problems+=("[$layer] processes left running: $(pgrep -fa "$tree/" | head -2 | tr '\n' ' ')"); pkill -9 -f "$tree/"; fi
    if [[ "$words" == *memcheck=* ]]; then
      mem=${words##*memcheck=}; mem=${mem%% *}
      engine --impl "$tree" --out "$out-mc" $flags --memcheck --tests hand_worked 01-svd >/dev/null 2>&1
      msg=$(jq -r '.chapters[0].tests[0].memcheck // ""' "$out-mc/report.json" 2>/dev/null)
      [[ "$msg" == *"$mem"* && "$msg" == *"svd.c:"* ]] || problems+=("[$layer] memcheck should report '$mem' at a line of svd.c, said: '$msg'")
      engine --impl "$tree" --out "$out-pts" $flags --rubric grader/tests/memcheck-rubric 01-svd >/dev/null 2>&1
      pts=$(jq -r '.chapters[0] | "\(.score) \(.tests[] | select(.id == "@memcheck") | .status)"' "$out-pts/report.json" 2>/dev/null)
      [ "$pts" = "2 failed" ] || problems+=("[$layer] @memcheck points: expected '2 failed', got '$pts'")
    fi
  done
  dt=$(( $(date +%s) - t0 ))
  if [ ${#problems[@]} -eq 0 ]; then ok "$(printf '%-22s %3ss  %s' "$case_name" "$dt" "$(printf '%s; ' "${runs[@]%%|*}" | sed 's/; $//')")"
  else bad "$case_name: $(IFS=';'; echo "${problems[*]}")"; fi
done
[ $fails -eq 0 ]

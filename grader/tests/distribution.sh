#!/usr/bin/env bash
# make check, step 8: the student release, the Gradescope autograder and batch grading work
# end to end, from the outside, as an instructor would use them.
set -uo pipefail
cd "$(dirname "$0")/../.."
B="${BUILD:-build/check}"; JOBS="${JOBS:-2}"
fails=0
ok() { printf '   ok   %s\n' "$*"; }
bad() { printf '   FAIL %s\n' "$*"; fails=$((fails + 1)); }
S="$B/dist"; rm -rf "$S"; mkdir -p "$S"
H=grader/hostile

# ---- the student release --------------------------------------------------------------------
if OUT="$S/release" grader/release.sh >"$S/release.log" 2>&1; then
  ok "release: $(tail -1 "$S/release.log" | sed 's/^release: //')"
  R="$S/release/mlphys"
  chs=$(ls -d "$R"/chapters/[0-9][0-9]-*/ | xargs -n1 basename | tr '\n' ' ')
  if (cd "$R" && make --no-print-directory grade CH="$chs" GRADE_FLAGS="--expect stub --quiet" >"../grade.log" 2>&1); then
    ok "release: builds by itself and grades every stub to zero with TODO feedback"
  else tail -5 "$S/release/grade.log"; bad "the release does not grade its stubs to zero"; fi
  if (cd "$R" && make --no-print-directory figures >"../figures.log" 2>&1); then bad "the release rendered figures from solutions it should not have"
  elif grep -q "student release" "$S/release/figures.log"; then ok "release: make figures refuses, saying it is the student release"
  else bad "release: make figures failed without saying why"; fi
  tar -tzf "$S/release/mlphys-student.tar.gz" | grep -qE '(^|/)(solutions/|hidden\.c$)' && bad "the tarball contains solutions or hidden tests" || ok "release: tarball has no solutions/ and no hidden.c"
  grep -q '^# withheld 1 2' "$R/grader/01-svd/rubric" && ok "release: the rubric says one hidden test (2 points) is withheld" || bad "release rubric lost the withheld line"
else
  tail -5 "$S/release.log"; bad "make release failed"
fi

# ---- Gradescope: a simulated /autograder ------------------------------------------------------
if OUT="$S/gs" CHAPTERS="01-svd" grader/gradescope/make-bundle.sh >/dev/null 2>&1; then
  A="$PWD/$S/gs/autograder"; mkdir -p "$A/source"
  unzip -q "$S/gs/autograder.zip" -d "$A/source"
  if AUTOGRADER_ROOT="$A" BUILD=build bash "$A/source/setup.sh" >"$S/gs/setup.log" 2>&1; then ok "gradescope: setup.sh installs and builds"
  else tail -5 "$S/gs/setup.log"; bad "gradescope: setup.sh failed"; fi
  gs_case() { # name, how to fill the submission, expected score, expected text in the output
    rm -rf "$A/submission" "$A/results" "$A/work"; mkdir -p "$A/submission"
    eval "$2"
    AUTOGRADER_ROOT="$A" timeout 300 bash "$A/source/run_autograder"
    r="$A/results/results.json"
    if ! jq -e '.tests | type == "array"' "$r" >/dev/null 2>&1; then bad "gradescope $1: no valid results.json"; return; fi
    got=$(jq '.score' "$r"); n=$(jq '.tests | length' "$r")
    if [ "$(printf '%g' "$got")" = "$3" ] && [ "$n" -eq 22 ] && jq -e --arg t "$4" '[.tests[].output] | join("\n") | contains($t)' "$r" >/dev/null; then
      ok "gradescope: $1 submission scores $got of $(jq '.max_score' "$r") with valid results.json"
    else bad "gradescope $1: score $got (want $3), $n tests, output containing '$4'?"; fi
  }
  gs_case correct 'cp solutions/01-svd/svd.c "$A/submission/"' 33 "singular values"
  gs_case partial 'grader/tests/inject.sh $H/partial.c "$A/submission/chapters/01-svd/svd.c"' 30 "start at TODO(4)"
  gs_case broken 'grader/tests/inject.sh $H/does_not_compile.c "$A/submission/svd.c"' 0 "does not compile"
  gs_case empty ':' 0 "missing from the submission"
else bad "make gradescope failed"; fi

# ---- batch grading ------------------------------------------------------------------------------
Q="$S/submissions"; mkdir -p "$Q"
for s in alice bob carol dave erin; do mkdir -p "$Q/$s"; done
cp solutions/01-svd/svd.c "$Q/alice/"
grader/tests/inject.sh $H/kill_runner.c "$Q/bob/svd.c"
grader/tests/inject.sh $H/endless_loop.c "$Q/carol/svd.c"
grader/tests/inject.sh $H/partial.c "$Q/erin/svd.c"
[ "$(id -u)" -eq 0 ] && grader/tests/inject.sh $H/fork_bomb.c "$Q/dave/svd.c"   # dave: nothing, unless root
if SUBMISSIONS="$Q" OUT="$S/batch" JOBS="$JOBS" BUILD=build CHAPTERS="01-svd" grader/batch.sh >"$S/batch.log" 2>&1; then
  g="$S/batch/gradebook.csv"
  want_dave=$([ "$(id -u)" -eq 0 ] && echo 33 || echo 0)
  expect=$'student,01-svd,total,max\n"alice",33,33,33\n"bob",15,15,33\n"carol",15,15,33\n"dave",'"$want_dave,$want_dave"$',33\n"erin",30,30,33'
  if [ "$(cat "$g")" = "$expect" ]; then ok "batch: $(tail -1 "$S/batch.log" | sed 's/^batch: //')"
  else echo "$expect" | diff - "$g" | head; bad "batch gradebook differs (one submission affected another?)"; fi
else tail -5 "$S/batch.log"; bad "make batch failed"; fi
[ $fails -eq 0 ]

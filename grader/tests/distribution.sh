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
# from a clone of HEAD: what is committed is what ships (the working tree may hold anything)
# Every git command below names the clone's own repository (never found by walking up from a
# folder: a failed clone must not let them reach the project's repository and its working tree).
C="$S/clone"; rm -rf "$C"
if ! git clone -q --no-hardlinks . "$C" 2>/dev/null || [ ! -d "$C/.git" ]; then
  bad "cannot clone the repository for the release tests"; C=""
fi
CG() { git --git-dir="$C/.git" --work-tree="$C" "$@"; }
if [ -n "$C" ]; then
# a dirty chapters/ is refused; a committed solved exercise is refused
echo "/* a student's attempt */" >>"$C/chapters/01-svd/svd.c"
if (cd "$C" && OUT="$PWD/../release-dirty" grader/release.sh >"../release-dirty.log" 2>&1); then bad "release: a dirty chapters/ was not refused"
elif grep -q "uncommitted changes" "$S/release-dirty.log"; then ok "release: refused while chapters/ has uncommitted changes"
else bad "release: failed on a dirty tree without saying why: $(tail -2 "$S/release-dirty.log")"; fi
cp solutions/01-svd/svd.c "$C/chapters/01-svd/svd.c"
CG -c user.email=t@t -c user.name=t commit -qam "a solved exercise"
if (cd "$C" && OUT="$PWD/../release-solved" grader/release.sh >"../release-solved.log" 2>&1); then bad "release: a committed solved exercise shipped"
elif grep -q "not a stub" "$S/release-solved.log"; then ok "release: refused when a committed chapter file is not a stub"
else bad "release: failed on a solved exercise without saying why: $(tail -2 "$S/release-solved.log")"; fi
CG reset -q --hard HEAD~1
if (cd "$C" && OUT="$PWD/../release" grader/release.sh >"../release.log" 2>&1); then
  ok "release: $(tail -1 "$S/release.log" | sed 's/^release: //')"
  R="$S/release/mlphys"
  if command -v pandoc >/dev/null; then
    [ -s "$R/book/index.html" ] && ls "$R"/book/[0-9][0-9]-*/index.html >/dev/null 2>&1 && ok "release: ships the built book (book/index.html)" || bad "release: the book is missing"
  fi
  grep -q "^## Start here" "$R/README.md" && ! grep -qE "make (check|batch|gradescope|release)" "$R/README.md" \
    && ok "release: the README is the student's (their loop first, no instructor command)" || bad "release: README is not the student's"
  (cd "$R" && make --no-print-directory help) | grep -qE "batch|gradescope|release|check" && bad "release: make help lists instructor commands" \
    || ok "release: make help lists only what works there"
  (cd "$R" && make --no-print-directory batch SUBMISSIONS=x >"../batch.log" 2>&1); grep -q "for instructors" "$S/release/batch.log" \
    && ok "release: make batch says it is for instructors" || bad "release: make batch failed obscurely: $(tail -1 "$S/release/batch.log")"
  (cd "$R" && make --no-print-directory grade IMPL=solutions >"../sol.log" 2>&1); grep -q "student release" "$S/release/sol.log" \
    && ok "release: make grade IMPL=solutions says there are no solutions here" || bad "release: IMPL=solutions failed obscurely: $(tail -1 "$S/release/sol.log")"
  chs=$(ls -d "$R"/chapters/[0-9][0-9]-*/ | xargs -n1 basename | tr '\n' ' ')
  if (cd "$R" && make --no-print-directory grade CH="$chs" GRADE_FLAGS="--expect stub --quiet" >"../grade.log" 2>&1); then
    ok "release: builds by itself and grades every stub to zero with TODO feedback"
  else tail -5 "$S/release/grade.log"; bad "the release does not grade its stubs to zero"; fi
  if (cd "$R" && make --no-print-directory figures >"../figures.log" 2>&1); then bad "the release rendered figures from solutions it should not have"
  elif grep -q "student release" "$S/release/figures.log"; then ok "release: make figures refuses, saying it is the student release"
  else bad "release: make figures failed without saying why"; fi
  tar -tzf "$S/release/mlphys-student.tar.gz" | grep -qE '(^|/)(solutions/|hidden\.c$)' && bad "the tarball contains solutions or hidden tests" || ok "release: tarball has no solutions/ and no hidden.c"
  hid=$(awk '!/^[ \t]*(#|$)/ && $3 != "" && $3 != "visible" { n++; p += $2 } END { printf "%d %g", n, p }' grader/01-svd/rubric)
  grep -q "^# withheld $hid " "$R/grader/01-svd/rubric" && ok "release: the rubric says which hidden tests are withheld ($hid points)" || bad "release rubric lost the withheld line ($hid)"
else
  tail -5 "$S/release.log"; bad "make release failed"
fi
fi

# ---- Gradescope: a simulated /autograder ------------------------------------------------------
if OUT="$S/gs" CHAPTERS="01-svd" grader/gradescope/make-bundle.sh >/dev/null 2>&1; then
  A="$PWD/$S/gs/autograder"; mkdir -p "$A/source"
  unzip -q "$S/gs/autograder.zip" -d "$A/source"
  if AUTOGRADER_ROOT="$A" BUILD=build bash "$A/source/setup.sh" >"$S/gs/setup.log" 2>&1; then ok "gradescope: setup.sh installs and builds"
  else tail -5 "$S/gs/setup.log"; bad "gradescope: setup.sh failed"; fi
  read -r _ _ _ ALL FULL < <(BUILD="$B" JOBS="$JOBS" grader/tests/probe.sh svd_low_rank)
  read -r _ _ PARTIAL _ _ < <(BUILD="$B" JOBS="$JOBS" grader/tests/probe.sh svd_low_rank)
  read -r _ _ LOOPING _ _ < <(BUILD="$B" JOBS="$JOBS" grader/tests/probe.sh svd_jacobi)
  gs_case() { # name, how to fill the submission, expected score, expected text in the output
    rm -rf "$A/submission" "$A/results" "$A/work"; mkdir -p "$A/submission"
    eval "$2"
    AUTOGRADER_ROOT="$A" timeout 300 bash "$A/source/run_autograder"
    r="$A/results/results.json"
    if ! jq -e '.tests | type == "array"' "$r" >/dev/null 2>&1; then bad "gradescope $1: no valid results.json"; return; fi
    got=$(jq '.score' "$r"); n=$(jq '.tests | length' "$r")
    if [ "$(printf '%g' "$got")" = "$(printf '%g' "$3")" ] && [ "$n" -eq "$ALL" ] && jq -e --arg t "$4" '[.tests[].output] | join("\n") | contains($t)' "$r" >/dev/null; then
      ok "gradescope: $1 submission scores $got of $(jq '.max_score' "$r") with valid results.json"
    else bad "gradescope $1: score $got (want $3), $n tests (want $ALL), output containing '$4'?"; fi
  }
  gs_case correct 'cp solutions/01-svd/svd.c "$A/submission/"' "$FULL" "singular values"
  gs_case partial 'grader/tests/inject.sh $H/partial.c "$A/submission/chapters/01-svd/svd.c"' "$PARTIAL" "start at TODO(4)"
  gs_case broken 'grader/tests/inject.sh $H/does_not_compile.c "$A/submission/svd.c"' 0 "does not compile"
  gs_case refused 'grader/tests/inject.sh $H/read_instructor_files.c "$A/submission/svd.c"' 0 "refuses to link"
  gs_case incbin 'grader/tests/inject.sh $H/incbin_hidden.c "$A/submission/svd.c"' 0 "does not compile"
  gs_case empty ':' 0 "missing from the submission"
  grep -rq 'MLPHYS-LEAK' "$A/results" && bad "gradescope: something of the instructor's leaked into results.json"
else bad "make gradescope failed"; fi

# ---- batch grading ------------------------------------------------------------------------------
Q="$S/submissions"; mkdir -p "$Q"
for s in alice bob carol dave erin; do mkdir -p "$Q/$s"; done
cp solutions/01-svd/svd.c "$Q/alice/"
grader/tests/inject.sh $H/kill_runner.c "$Q/bob/svd.c"        # refused: kill()
grader/tests/inject.sh $H/endless_loop.c "$Q/carol/svd.c"     # times out where svd_jacobi is called
grader/tests/inject.sh $H/fork_bomb.c "$Q/dave/svd.c"         # refused: fork()
grader/tests/inject.sh $H/partial.c "$Q/erin/svd.c"
# a folder name with a newline whose shallowest "svd.c" path would, split on newlines, name the
# reference solution: refused by name, and nobody's grade changes
evil=$'mallory
'"$PWD/solutions/01-svd"; mkdir -p "$Q/$evil/x"; cp solutions/01-svd/svd.c "$Q/$evil/x/"
[ -n "${LOOPING:-}" ] || read -r _ _ LOOPING _ _ < <(BUILD="$B" JOBS="$JOBS" grader/tests/probe.sh svd_jacobi)
[ -n "${PARTIAL:-}" ] || read -r _ _ PARTIAL _ _ < <(BUILD="$B" JOBS="$JOBS" grader/tests/probe.sh svd_low_rank)
[ -n "${FULL:-}" ] || read -r _ _ _ ALL FULL < <(BUILD="$B" JOBS="$JOBS" grader/tests/probe.sh svd_low_rank)
if SUBMISSIONS="$Q" OUT="$S/batch" JOBS="$JOBS" BUILD="$B" CHAPTERS="01-svd" grader/batch.sh >"$S/batch.log" 2>&1; then
  g="$S/batch/gradebook.csv"
  expect=$'student,01-svd,01-svd status,total,max\n"alice",'"$FULL"$',"graded",'"$FULL,$FULL"$'\n"bob",0,"refused",0,'"$FULL"$'\n"carol",'"$LOOPING"$',"graded",'"$LOOPING,$FULL"$'\n"dave",0,"refused",0,'"$FULL"$'\n"erin",'"$PARTIAL"$',"graded",'"$PARTIAL,$FULL"
  if [ "$(cut -d, -f1-5 "$g")" = "$expect" ]; then ok "batch: $(tail -1 "$S/batch.log" | sed 's/^batch: //')"
  else echo "$expect" | diff - <(cut -d, -f1-5 "$g") | head; bad "batch gradebook differs (one submission affected another?)"; fi
  grep -q "start at TODO" "$S/batch/erin/feedback.md" && grep -q '01-svd' "$S/batch/erin/feedback.md" && ! grep -q 'report.json' "$S/batch/erin/feedback.md" \
    && ok "batch: feedback.md per student, as the terminal shows it" || bad "batch: feedback.md missing or wrong"
  # a regrade of one student keeps the other rows
  Q1="$S/regrade"; mkdir -p "$Q1/erin"; cp solutions/01-svd/svd.c "$Q1/erin/"
  SUBMISSIONS="$Q1" OUT="$S/batch" JOBS="$JOBS" BUILD="$B" CHAPTERS="01-svd" grader/batch.sh >"$S/regrade.log" 2>&1
  want=$(echo "$expect" | sed "s/^\"erin\",.*/\"erin\",$FULL,\"graded\",$FULL,$FULL/")
  if [ "$(cut -d, -f1-5 "$g")" = "$want" ]; then ok "batch: a regrade of one student replaces that row and keeps the others"
  else diff <(echo "$want") <(cut -d, -f1-5 "$g") | head -5; bad "batch: the regrade lost or changed other rows"; fi
  grep -q "refusing the submission folder" "$S/batch.log" && ok "batch: a submission folder named with a newline is refused by name" \
    || bad "batch: the folder with a newline in its name was not refused"
else tail -5 "$S/batch.log"; bad "make batch failed"; fi

# cross-talk through the runtime layers alone (the allow-list off): a student planting
# Criterion's PID-named files between two correct ones; both keep full marks
Q2="$S/submissions-ipc"; mkdir -p "$Q2/ann" "$Q2/planter" "$Q2/zoe"
cp solutions/01-svd/svd.c "$Q2/ann/"; cp solutions/01-svd/svd.c "$Q2/zoe/"
grader/tests/inject.sh $H/plant_ipc_files.c "$Q2/planter/svd.c"
if [ "$(id -u)" -eq 0 ] && SUBMISSIONS="$Q2" OUT="$S/batch-ipc" JOBS="$JOBS" BUILD="$B" CHAPTERS="01-svd" ENGINE_FLAGS="--no-link-check" \
     grader/batch.sh >"$S/batch-ipc.log" 2>&1; then
  if [ "$(grep -c ",$FULL,\"graded\",$FULL,$FULL," "$S/batch-ipc/gradebook.csv")" = 3 ]; then ok "batch: planted IPC files change nobody's grade (runtime layers alone)"
  else cat "$S/batch-ipc/gradebook.csv"; bad "batch: planted IPC files changed a grade"; fi
elif [ "$(id -u)" -eq 0 ]; then tail -3 "$S/batch-ipc.log"; bad "batch with planted IPC files failed"; fi

# without root: refused, unless UNSAFE=1
if MLPHYS_UID_FOR_TESTS=1000 SUBMISSIONS="$Q" OUT="$S/batch-nonroot" CHAPTERS="01-svd" grader/batch.sh >"$S/batch-nonroot.log" 2>&1; then
  bad "batch without root did not refuse"
elif grep -q "not root" "$S/batch-nonroot.log"; then ok "batch: without root it refuses, saying submissions would not be isolated"
else bad "batch without root failed without saying why"; fi
# ---- similarity: planted copies (renamed variables, reordered functions) rank first -----------
Z="$S/similar"; mkdir -p "$Z"/{orig,renamed,reordered,stubby,own}
cp solutions/01-svd/svd.c "$Z/orig/"
sed 's/\bA\b/Mat/g; s/\bV\b/Right/g; s/\bs\b/sig/g; s/\bn\b/cols/g' solutions/01-svd/svd.c >"$Z/renamed/svd.c"
awk 'BEGIN { RS = "\n}\n"; ORS = "\n}\n" } { b[NR] = $0 } END { for (i = NR; i >= 1; i--) if (b[i] ~ /[^ \n]/) print b[i] }' solutions/01-svd/svd.c >"$Z/reordered/svd.c"
cp chapters/01-svd/svd.c "$Z/stubby/"
# an honest, unfinished submission: the stub with a helper of its own
{ cat chapters/01-svd/svd.c; cat <<'OWN'
static void own_sort_descending(double *v, size_t n)
{
    for (size_t pass = 1; pass < n; pass++)
        for (size_t k = 0; k + pass < n; k++)
            if (v[k] < v[k + 1]) {
                double swap = v[k];
                v[k] = v[k + 1];
                v[k + 1] = swap;
            }
}
OWN
} >"$Z/own/svd.c"
if SUBMISSIONS="$Z" OUT="$S/similarity" CHAPTERS=01-svd grader/similarity.sh >"$S/similarity.log" 2>&1; then
  top=$(sed -n '2,4p' "$S/similarity/similarity.csv" | cut -d, -f2,3 | tr '\n' ' ')
  if [[ $top == *orig,renamed* && $top == *orig,reordered* && $top == *renamed,reordered* ]] && ! grep -q stubby "$S/similarity/similarity.csv" \
     && grep -q '<pre>' "$S/similarity/similarity.html"; then
    ok "similarity: the planted copies (renamed, reordered) rank first; the stub's text does not count"
  else cat "$S/similarity/similarity.csv"; bad "similarity: planted copies not ranked first"; fi
else tail -3 "$S/similarity.log"; bad "make similarity failed"; fi
[ $fails -eq 0 ]

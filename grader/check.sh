#!/usr/bin/env bash
# make check: the suite's own tests.  Proves, for every chapter, the promises of the chapter
# contract (../shared/DESIGN.md), mechanically:
#   1. everything compiles warning-free (-Werror): engine, libraries, suites, stubs, solutions, run.c
#   2. the rubric matches the tests exactly, and the solutions score full points
#   3. every stub scores zero, quickly, with "not implemented yet" feedback on every test
#   4. the solutions pass under 20 more seeds (statistical tests are not flaky)
#   5. the solutions are valgrind-clean: 0 errors, 0 definite leaks, in every test
#   6. every figure renders (PNG and PDF) from the solutions' run.c, exactly as committed
#   7. the grader's own tests: data loading, and hostile submissions (grader/hostile/)
#   9. distribution: the student release, the Gradescope autograder, batch grading
#   8. the mutant catalogues: every realistic wrong solution loses points
#  10. the book: HTML pages rendered in headless Chromium, and the PDF
# Environment: BUILD (default build), JOBS, CHAPTERS (default: all), SKIP="memcheck seeds ..."
set -uo pipefail
cd "$(dirname "$0")/.."
B="${BUILD:-build}/check"
JOBS="${JOBS:-$(nproc)}"
CHAPTERS="${CHAPTERS:-$(ls -d chapters/[0-9][0-9]-*/ | xargs -n1 basename | tr '\n' ' ')}"
SKIP="${SKIP:-}"
mkdir -p "$B"
failures=()
checks=0
t_all=$(date +%s)

step() { printf '\n== %s\n' "$*"; t_step=$(date +%s); checks=$((checks + 1)); }
done_step() { printf '   (%ds)\n' $(( $(date +%s) - t_step )); }
fail() { printf '   FAIL: %s\n' "$*"; failures+=("$*"); }
skip() { [[ " $SKIP " == *" $1 "* ]]; }
M() { make --no-print-directory BUILD="$B" WERROR=-Werror JOBS="$JOBS" "$@"; }

step "1. build everything with -Werror (chapters: $CHAPTERS)"
if ! M build CH="$CHAPTERS" >"$B.build.log" 2>&1; then
  tail -30 "$B.build.log"; fail "build"
  printf '\nmake check: FAILED (%s)\n' "${failures[*]}"; exit 1
fi
for impl in chapters solutions; do
  for ch in $CHAPTERS; do
    M "$B/run/$impl/$ch/run" IMPL=$impl >>"$B.build.log" 2>&1 || fail "run.c of $ch does not build warning-free with IMPL=$impl (see $B.build.log)"
  done
done
done_step

step "2. rubric matches tests; solutions score full points"
M grade CH="$CHAPTERS" IMPL=solutions GRADE_FLAGS="--strict --expect full --out $B/solutions" \
  || fail "solutions are not at full points, or a rubric disagrees with its tests"
done_step

step "3. stubs score zero, fast, with 'not implemented yet' feedback"
t0=$(date +%s)
M grade CH="$CHAPTERS" IMPL=chapters GRADE_FLAGS="--expect stub --quiet --out $B/stubs" || fail "a stub does not score zero with TODO feedback"
n=$(echo $CHAPTERS | wc -w); dt=$(( $(date +%s) - t0 ))
echo "   $n stubs graded in ${dt}s"
[ "$dt" -le $(( 10 * n + 10 )) ] || fail "stubs took ${dt}s to grade (more than 10 s per chapter)"
done_step

if ! skip seeds; then
  step "4. solutions pass under seeds 1..20 as well as 42"
  M grade CH="$CHAPTERS" IMPL=solutions GRADE_FLAGS="--seeds 20 --expect full --quiet --out $B/seeds" \
    || fail "a solution fails under some seed (see $B/seeds/report.json: the message names the seed)"
  done_step
fi

if ! skip memcheck; then
  step "5. solutions are valgrind-clean (every test)"
  M memcheck CH="$CHAPTERS" IMPL=solutions GRADE_FLAGS="--expect full --quiet --out $B/memcheck" \
    || { fail "valgrind found memory errors or leaks in a solution, or a test failed under valgrind"; \
         grep -h '"memcheck": "' "$B/memcheck/report.json" | head -5; }
  done_step
fi

if ! skip figures; then
  step "6. every figure renders from the solutions"
  for ch in $CHAPTERS; do
    if ! M plot CH="$ch" IMPL=solutions >"$B.plot.$ch.log" 2>&1; then
      tail -5 "$B.plot.$ch.log"; fail "figures of $ch do not render"; continue
    fi
    for gp in plots/$ch/*.gp; do
      f=$(basename "$gp" .gp)
      for ext in png pdf; do
        [ -s "$B/figures/solutions/$ch/$f.$ext" ] || fail "$ch: $f.$ext was not written"
      done
    done
    grep -qi 'warning' "$B.plot.$ch.log" && { grep -i warning "$B.plot.$ch.log" | head -3; fail "gnuplot warned while rendering $ch"; }
    # the committed PNGs are exactly what make figures produces (run.c is seeded and the font
    # named); a figure of measured timings ("# reproducible: no" in its script) keeps its size
    for gp in plots/$ch/*.gp; do
      f=$(basename "$gp" .gp); new="$B/figures/solutions/$ch/$f.png"; old="chapters/$ch/figures/$f.png"
      [ -f "$old" ] || { fail "$ch: $old is not committed (make figures CH=$ch)"; continue; }
      dims() { od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'; }
      if head -5 "$gp" | grep -q 'reproducible: no'; then
        [ "$(dims "$new")" = "$(dims "$old")" ] || fail "$ch: $f.png is $(dims "$new") rendered, $(dims "$old") committed"
      elif ! cmp -s "$new" "$old"; then
        fail "$ch: $f.png differs from what make figures renders ($(dims "$new") vs $(dims "$old") committed): run make figures CH=$ch and commit"
      fi
    done
  done
  done_step
fi

if ! skip grader; then
  step "7. the grader's own tests"
  BUILD="$B" JOBS="$JOBS" grader/tests/run.sh || fail "grader self-tests (data loader, engine layers, hostile catalogue)"
  BUILD="$B" JOBS="$JOBS" grader/tests/student_loop.sh || fail "the student's loop (hints, watch, crash lines, GSL errors, memcheck output)"
  done_step
fi

if ! skip book; then
  step "10. the book: every page in headless Chromium, formulas, images, links, the PDF"
  BUILD="$B" grader/tests/book.sh || fail "the book (see above)"
  done_step
fi

if ! skip mutants; then
  step "8. every chapter's mutant catalogue: realistic wrong solutions lose points"
  BUILD="$B" JOBS="$JOBS" grader/tests/mutants.sh $CHAPTERS || fail "a mutant survived, or a chapter has no mutant catalogue (see above)"
  [ -s "$B/mutants/summary.tsv" ] && awk -F'\t' '{ n[$1]++; k[$1] += ($5 == "yes") } END { for (c in n) printf "   %-22s %d/%d killed\n", c, k[c], n[c] }' "$B/mutants/summary.tsv" | sort
  done_step
fi

if ! skip distribution; then
  step "9. the student release, the Gradescope autograder, batch grading"
  BUILD="$B" JOBS="$JOBS" grader/tests/distribution.sh || fail "release, Gradescope or batch grading"
  done_step
fi

printf '\nmake check: %d chapters, %ds\n' "$(echo $CHAPTERS | wc -w)" $(( $(date +%s) - t_all ))
if [ ${#failures[@]} -gt 0 ]; then
  printf 'make check: FAILED\n'; printf '  - %s\n' "${failures[@]}"
  printf '%d passed, %d failed\n' $(( checks > ${#failures[@]} ? checks - ${#failures[@]} : 0 )) "${#failures[@]}"
  exit 1
fi
echo "make check: all promises kept"
printf '%d passed, 0 failed\n' "$checks"

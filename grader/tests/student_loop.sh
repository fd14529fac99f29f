#!/usr/bin/env bash
# The student's loop, tested as a student would meet it (make check, step 7):
#   make hint gives one level more each time; make watch, driven in a pseudo-terminal, shows the
#   new result after a save and leaves cleanly on Ctrl-C; a crash names the student's line; a
#   GSL shape error reaches the feedback; compiler messages keep readable quotes; make memcheck
#   prints a planted leak with its line, and "clean" when clean.
set -uo pipefail
cd "$(dirname "$0")/../.."
B="${BUILD:-build/check}"; JOBS="${JOBS:-2}"
fails=0
ok() { printf '   ok   %s\n' "$*"; }
bad() { printf '   FAIL %s\n' "$*"; fails=$((fails + 1)); }
T="$B/student"; rm -rf "$T"; mkdir -p "$T"
M() { make --no-print-directory -s BUILD="$B" "$@"; }

# ---- hints -----------------------------------------------------------------------------------
ch=$(for d in chapters/[0-9][0-9]-*/hints.md; do [ -f "$d" ] && basename "$(dirname "$d")"; done | head -1)
if [ -n "$ch" ]; then
  M hint-reset CH="$ch" >/dev/null
  l1=$(M hint CH="$ch" N=1); l2=$(M hint CH="$ch" N=1); l3=$(M hint CH="$ch" N=1); l4=$(M hint CH="$ch" N=1)
  if [[ $l1 == *"hint 1 of 3"* && $l2 == *"hint 2 of 3"* && $l3 == *"hint 3 of 3"* && $l4 == *"last hint"* && ${#l2} -gt ${#l1} ]]; then
    ok "make hint CH=$ch: a nudge, then the equation, then the pitfall, one level per call"
  else bad "make hint levels: '$(echo "$l1" | head -1)' / '$(echo "$l2" | head -1)' / '$(echo "$l3" | head -1)'"; fi
  M hint CH="$ch" N=99 >/dev/null 2>&1 && bad "make hint accepted a TODO that does not exist" || ok "make hint names the TODOs that exist when asked for another"
else bad "no chapter has a hints.md"; fi
n_hints=$(ls chapters/[0-9][0-9]-*/hints.md 2>/dev/null | wc -l); n_ch=$(ls -d chapters/[0-9][0-9]-*/ | wc -l)
[ "$n_hints" = "$n_ch" ] && ok "every chapter has hints ($n_hints)" || bad "$n_hints of $n_ch chapters have hints.md"

# ---- watch, in a pseudo-terminal -------------------------------------------------------------
w=02-backprop; wn=backprop
if [ -d "chapters/$w" ] && command -v script >/dev/null && command -v inotifywait >/dev/null; then
  tree="$T/watch"; mkdir -p "$tree/$w"; cp "chapters/$w/$wn.c" "$tree/$w/"
  M build CH="$w" >/dev/null 2>&1
  log="$T/watch.log"
  # a background job of a script has SIGINT ignored, and the watch would inherit that: restore it
  setsid script -qefc "env --default-signal=INT make --no-print-directory watch CH=$w IMPL=$tree BUILD=$B" "$log" </dev/null >/dev/null 2>&1 & wpid=$!
  for _ in $(seq 360); do grep -q "points 0/" "$log" 2>/dev/null && break; sleep 0.5; done
  grep -q "points 0/" "$log" && grep -q "next: TODO(1)" "$log" && ok "make watch: the stub shows 0 points and the next TODO" \
    || bad "make watch did not show the stub's result: $(tail -c 300 "$log" | tr -d '\033')"
  cp "solutions/$w/$wn.c" "$tree/$w/$wn.c.tmp" && mv "$tree/$w/$wn.c.tmp" "$tree/$w/$wn.c"
  for _ in $(seq 180); do grep -q "all tests pass" "$log" 2>/dev/null && break; sleep 0.5; done
  grep -q "all tests pass" "$log" && ok "make watch: saving a solution re-grades it to full points" || bad "make watch did not re-grade after a save"
  # Ctrl-C: SIGINT to the terminal's foreground process group, the one watch.sh runs in
  wp=$(pgrep -n -f "^bash grader/student/watch.sh"); pg=$(ps -o pgid= -p "${wp:-1}" | tr -d ' ')
  [ -n "$wp" ] && kill -INT -- -"$pg" 2>/dev/null
  for _ in $(seq 20); do grep -q "watch: bye" "$log" && break; sleep 0.5; done
  grep -q "watch: bye" "$log" && ok "make watch: Ctrl-C leaves cleanly" || bad "make watch did not leave on Ctrl-C"
  sid=$(ps -o sid= -p "${wp:-1}" | tr -d ' '); [ -n "$sid" ] && pkill -9 -s "$sid"; kill -9 -- -"$wpid" 2>/dev/null
else bad "make watch cannot be tested (needs script and inotifywait)"; fi

# ---- a crash names the line; GSL errors reach the feedback; compiler quotes ----------------------
make --no-print-directory -s BUILD="$B" build CH=01-svd >/dev/null 2>&1
for c in segfault:grader/tests/cases/wild_index.c gsl:grader/tests/cases/gsl_shape.c compile:grader/hostile/does_not_compile.c; do
  name=${c%%:*}; f=${c#*:}; tree="$T/$name"; mkdir -p "$tree/01-svd"
  grader/tests/inject.sh "$f" "$tree/01-svd/svd.c"
  M grade CH=01-svd IMPL="$tree" GRADE_FLAGS="--out $tree/out" >"$tree/terminal.log" 2>&1
done
grep -q 'valgrind, running .*svd_jacobi (svd.c:[0-9]*)' "$T/segfault/terminal.log" \
  && ok "a crash: the terminal names the function and line ($(grep -o 'svd_jacobi (svd.c:[0-9]*)' "$T/segfault/terminal.log" | head -1))" \
  || bad "a crash does not name the line: $(grep -m2 -A3 crashed "$T/segfault/terminal.log" | tr '\n' ' ')"
jq -r '.chapters[0].tests[].message // ""' "$T/gsl/out/report.json" | grep -q 'GSL error: invalid length (blas.c' \
  && ok "a GSL shape error reaches the feedback ('GSL error: invalid length (blas.c:...)')" || bad "the GSL error is not in the feedback"
msg=$(jq -r '.chapters[0].compile_output' "$T/compile/out/report.json")
if [[ $msg == *"error:"* ]] && ! grep -q '??' <<<"$msg"; then ok "compiler messages keep readable quotes: $(grep -m1 'error:' <<<"$msg" | cut -c1-80)"
else bad "compiler message unreadable: $msg"; fi

# ---- make memcheck on screen -----------------------------------------------------------------
tree="$T/leak"; mkdir -p "$tree/01-svd"; grader/tests/inject.sh grader/hostile/leaks_memory.c "$tree/01-svd/svd.c"
M memcheck CH=01-svd IMPL="$tree" GRADE_FLAGS="--out $tree/out --tests hand_worked" >"$tree/terminal.log" 2>&1
grep -q 'definitely lost' "$tree/terminal.log" && grep -q 'svd.c:[0-9]' "$tree/terminal.log" \
  && ok "make memcheck prints a planted leak with its line" || bad "make memcheck did not print the leak: $(tail -5 "$tree/terminal.log" | tr '\n' ' ')"
M memcheck CH=01-svd IMPL=solutions GRADE_FLAGS="--out $T/clean --tests hand_worked" >"$T/clean.log" 2>&1
grep -q 'memcheck clean: 0 errors, 0 bytes definitely lost' "$T/clean.log" && ok "make memcheck says 'clean' when clean" \
  || bad "make memcheck did not say clean: $(tail -3 "$T/clean.log" | tr '\n' ' ')"
[ $fails -eq 0 ]

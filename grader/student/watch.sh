#!/usr/bin/env bash
# make watch CH=NN-slug: re-grade the chapter every time one of its files is saved, like
# rustlings' watch mode: the screen is cleared and shows a progress bar (points, TODOs done),
# the first failing test with its full feedback, and the TODO to work on next.  Ctrl-C leaves.
# Uses inotifywait (Debian's inotify-tools); IMPL=dir watches a submission tree instead.
set -uo pipefail
cd "$(dirname "$0")/../.."
CH=${CH:?make watch needs CH=NN-slug}; IMPL=${IMPL:-chapters}; B=${BUILD:-build}
name=${CH#*-}; name=${name//-/_}
dir="$IMPL/$CH"
command -v inotifywait >/dev/null || { echo "watch: needs inotifywait: sudo apt-get install inotify-tools"; exit 2; }
trap 'printf "\nwatch: bye\n"; exit 0' INT TERM
show() {
  out="$B/watch"
  make --no-print-directory -s grade CH="$CH" IMPL="$IMPL" BUILD="$B" GRADE_FLAGS="--out $out --quiet --no-diagnose" >/dev/null 2>&1
  r="$out/report.json"
  [ -t 1 ] && printf '\033[2J\033[H'
  echo "== make watch CH=$CH   ($dir/$name.c; saved $(date +%H:%M:%S); Ctrl-C to leave)"
  if ! [ -f "$r" ]; then echo "   (no report: see make test CH=$CH)"; return; fi
  total=$(grep -oE 'TODO\([0-9]+\)' "chapters/$CH/$name.c" 2>/dev/null | sort -u | wc -l)
  jq -r --argjson total "$total" '.chapters[0] as $c | ($c.score) as $s | ($c.max_score) as $m
    | ([$c.tests[] | select(.status != "passed") | .message // "" | capture("TODO\\((?<n>[0-9]+)\\)")? | .n] | unique | length) as $open
    | (if $m > 0 then (24 * $s / $m | floor) else 0 end) as $w
    | "   points \($s)/\($m)   [" + ("#" * $w) + ("." * (24 - $w)) + "]   TODOs done: \([$total - $open, 0] | max)/\($total)"' "$r"
  st=$(jq -r '.chapters[0].status' "$r")
  if [ "$st" != graded ]; then echo; echo "   $st:"; jq -r '.chapters[0].compile_output' "$r" | sed 's/^/   | /'; return; fi
  first=$(jq -r '[.chapters[0].tests[] | select(.status != "passed")][0] // empty | "\(.id) (\(.status)): \(.description // "")\n\(.message // "")"' "$r")
  if [ -z "$first" ]; then echo; echo "   all tests pass: this chapter is done.  make plot CH=$CH shows your figures."; return; fi
  todo=$(jq -r '[.chapters[0].tests[] | select(.status != "passed") | .message // "" | capture("TODO\\((?<n>[0-9]+)\\)")? | .n | tonumber] | min // empty' "$r")
  [ -n "$todo" ] && echo "   next: TODO($todo) in $dir/$name.c   (make hint CH=$CH N=$todo for a nudge)"
  echo; echo "   first failing test: $first" | sed '2,$s/^/   | /'
}
show
while true; do
  inotifywait -q -q -e close_write,moved_to,create "$dir" 2>/dev/null || sleep 1
  sleep 0.2
  show
done

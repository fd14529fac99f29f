#!/usr/bin/env bash
# make progress: the course at a glance, one line per chapter: points, a bar, the next TODO.
# Reads the report that `make grade` just wrote (the Makefile runs it first, quietly).
set -uo pipefail
cd "$(dirname "$0")/../.."
r="${BUILD:-build}/progress/report.json"
[ -f "$r" ] || { echo "progress: no report (run make progress)"; exit 2; }
jq -r '.chapters[] | [.chapter, .score, .max_score, .status,
        ([.tests[] | select(.status != "passed") | .message // "" | capture("TODO\\((?<n>[0-9]+)\\)")? | .n | tonumber] | min // ""),
        ([.tests[] | select(.status != "passed")] | length)] | @tsv' "$r" |
while IFS=$'\t' read -r ch s m st todo left; do
  w=24; fill=$(awk -v s="$s" -v m="$m" -v w=$w 'BEGIN { printf "%d", (m > 0 ? w * s / m : 0) + 0.5 }')
  bar=$(printf '%*s' "$fill" '' | tr ' ' '#')$(printf '%*s' $((w - fill)) '' | tr ' ' '.')
  if [ "$st" != graded ]; then next="$st: make test CH=$ch"
  elif [ "$left" = 0 ]; then next="done"
  elif [ -n "$todo" ]; then next="next: TODO($todo)"
  else next="$left test(s) to fix: make test CH=$ch"; fi
  printf '  %-22s %5g/%-4g [%s]  %s\n' "$ch" "$s" "$m" "$bar" "$next"
done
jq -r '"\n  total \(.score)/\(.max_score)"' "$r"

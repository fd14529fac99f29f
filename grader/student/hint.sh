#!/usr/bin/env bash
# make hint CH=NN-slug [N=k]: the next hint for TODO(k) of a chapter, one level more each time
# (1: a nudge, 2: the key equation, 3: the pitfall).  Without N, the TODO you are at: the
# lowest one that your last `make grade`/`make test`/`make watch` still reported as not done.
# Hints live beside the chapter, in chapters/NN-slug/hints.md; what you have seen is kept in
# $BUILD/hints/ (make hint-reset CH=... forgets it).
set -uo pipefail
cd "$(dirname "$0")/../.."
CH=${CH:?make hint needs CH=NN-slug}; B=${BUILD:-build}; N=${N:-}
f="chapters/$CH/hints.md"
[ -f "$f" ] || { echo "hint: chapter $CH has no hints (no $f)"; exit 2; }
if [ -z "$N" ]; then
  for r in "$B/watch/report.json" "$B/test/report.json" "$B/grade/report.json"; do
    [ -f "$r" ] || continue
    N=$(jq -r --arg c "$CH" '[.chapters[] | select(.chapter == $c) | .tests[] | select(.status != "passed")
          | .message // "" | capture("TODO\\((?<n>[0-9]+)\\)")? | .n | tonumber] | min // empty' "$r" 2>/dev/null)
    [ -n "$N" ] && break
  done
  N=${N:-1}
fi
[[ $N =~ ^[0-9]+$ ]] || { echo "hint: N must be a TODO number"; exit 2; }
title=$(grep -m1 -E "^## TODO\($N\)" "$f")
[ -n "$title" ] || { echo "hint: $f has no section for TODO($N); it has: $(grep -oE '^## TODO\([0-9]+\)' "$f" | tr '\n' ' ')"; exit 2; }
state="$B/hints/$CH/TODO-$N"; mkdir -p "$(dirname "$state")"
seen=$(cat "$state" 2>/dev/null || echo 0)
level=$(( seen < 3 ? seen + 1 : 3 ))
echo "$level" >"$state"
names=("" "a nudge" "the key equation" "the pitfall")
echo "${title#\#\# } (hint $level of 3: ${names[$level]})"
echo
awk -v n="$N" -v lv="$level" '
  /^## TODO\(/ { insec = ($0 ~ "^## TODO\\(" n "\\)"); next }
  insec && /^### [0-9]/ { cur = $2 + 0; if (cur <= lv && cur > 1) print ""; next }
  insec && cur >= 1 && cur <= lv { print (cur < lv ? "  " : "") $0 }' "$f"
echo
if [ "$level" -lt 3 ]; then echo "(make hint CH=$CH N=$N again for the next level)"
else echo "(that was the last hint for TODO($N); the chapter's README has the full derivation)"; fi

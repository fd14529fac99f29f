#!/usr/bin/env bash
# make similarity SUBMISSIONS=dir: pairwise similarity of the submissions, per chapter, with
# Debian's similarity-tester (sim_c: token-based, so renamed variables and reordered functions
# still match).  Lines of the chapter's stub and header are removed from every file first, so
# the template everyone starts from does not count.  Writes
#   OUT/similarity.csv    chapter, student_a, student_b, percent (the larger of the two
#                         directions: how much of one consists of the other's material), ranked
#   OUT/similarity.html   the ranked pairs, and for the top ones the matching regions
# A high score is a reason to look, not a verdict.
set -uo pipefail
cd "$(dirname "$0")/.."
SUBS="${SUBMISSIONS:?SUBMISSIONS=folder with one sub-folder per student}"
OUT="${OUT:-build/similarity}"; CHAPTERS="${CHAPTERS:?}"; TOP="${TOP:-10}"
command -v sim_c >/dev/null || { echo "similarity: needs sim_c: sudo apt-get install similarity-tester"; exit 2; }
rm -rf "$OUT"; mkdir -p "$OUT/files"
csv="$OUT/similarity.csv"; echo "chapter,student_a,student_b,percent" >"$csv"
students=()
while IFS= read -r -d '' d; do
  s=${d#"$SUBS"/}; [[ $s =~ ^[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*$ ]] && students+=("$s")
done < <(find "$SUBS" -mindepth 1 -maxdepth 1 -type d -print0 | sort -z)
for ch in $CHAPTERS; do
  name=${ch#*-}; name=${name//-/_}
  d="$OUT/files/$ch"; mkdir -p "$d"
  template=$(cat "chapters/$ch/$name.c" "chapters/$ch/$name.h" 2>/dev/null | sed 's/^[ \t]*//; s/[ \t]*$//' | awk 'length($0) > 3' | sort -u)
  n=0
  for s in "${students[@]}"; do
    f=$(grader/collect.sh "$SUBS/$s" "$d/.tree-$s" "$ch" && ls "$d/.tree-$s/$ch/$name.c" 2>/dev/null)
    [ -n "$f" ] || continue
    # drop the template's lines (compared without indentation)
    awk -v tf=<(printf '%s\n' "$template") 'BEGIN { while ((getline l < tf) > 0) t[l] = 1 }
      { k = $0; gsub(/^[ \t]+|[ \t]+$/, "", k); if (!(k in t)) print }' "$f" >"$d/$s.c"
    rm -rf "$d/.tree-$s"; n=$((n + 1))
  done
  [ "$n" -ge 2 ] || continue
  (cd "$d" && sim_c -p -e -s -r12 ./*.c 2>/dev/null) |
    sed -n 's|^\./\(.*\)\.c consists for \([0-9]*\) % of \./\(.*\)\.c material$|\1\t\3\t\2|p' |
    awk -F'\t' -v ch="$ch" '{ a = $1 < $2 ? $1 : $2; b = $1 < $2 ? $2 : $1; k = a "," b; if (!(k in p) || $3 > p[k]) p[k] = $3 }
      END { for (k in p) printf "%s,%s,%d\n", ch, k, p[k] }' >>"$csv"
done
{ head -1 "$csv"; tail -n +2 "$csv" | sort -t, -k4,4nr; } >"$csv.sorted" && mv "$csv.sorted" "$csv"
esc() { sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g'; }
{ echo '<!doctype html><meta charset="utf-8"><title>mlphys: similarity</title>'
  echo '<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}td,th{padding:.2em .8em;text-align:left}pre{background:#f6f6f6;padding:.5em;overflow:auto;font-size:85%}</style>'
  echo "<h1>Similarity of submissions</h1><p>sim_c token runs of at least 12 tokens, the chapter's stub excluded. A high score is a reason to look, not a verdict.</p>"
  echo '<table><tr><th>chapter</th><th>pair</th><th>percent</th></tr>'
  tail -n +2 "$csv" | while IFS=, read -r ch a b p; do echo "<tr><td>$ch</td><td><a href=\"#$ch-$a-$b\">$a &amp; $b</a></td><td>$p %</td></tr>"; done
  echo '</table>'
  tail -n +2 "$csv" | head -n "$TOP" | while IFS=, read -r ch a b p; do
    echo "<h2 id=\"$ch-$a-$b\">$ch: $a &amp; $b ($p %)</h2><pre>"
    (cd "$OUT/files/$ch" && sim_c -d -r12 "$a.c" "$b.c" 2>/dev/null) | esc
    echo '</pre>'
  done; } >"$OUT/similarity.html"
echo "similarity: $(($(wc -l <"$csv") - 1)) pairs ranked in $csv; matching regions in $OUT/similarity.html"

#!/usr/bin/env bash
# make check: the book.  Builds it, then opens every page in headless Chromium (after KaTeX ran)
# and asserts that every formula rendered (no KaTeX error, no raw $$ left in the text, as many
# typeset formulas as TeX spans), that every image and every internal link resolves, and that
# the PDF was printed.  Keeps a screenshot of one chapter page ($B/book/screenshot.png).
set -uo pipefail
cd "$(dirname "$0")/../.."
B="${BUILD:-build/check}"; O="$B/book"
fails=0
ok() { printf '   ok   %s\n' "$*"; }
bad() { printf '   FAIL %s\n' "$*"; fails=$((fails + 1)); }
mkdir -p "$B"
grader/book/deps.sh || { bad "the book's packages are missing"; exit 1; }
OUT="$O" grader/book/build.sh >"$B/book.log" 2>&1 || { tail -5 "$B/book.log"; bad "make book failed"; exit 1; }
ok "$(tail -1 "$B/book.log")"
C=(chromium --headless --no-sandbox --disable-gpu --virtual-time-budget=20000)
pages=("$O/index.html" "$O"/[0-9][0-9]-*/index.html)
probs=0; formulas=0
for p in "${pages[@]}"; do
  abs=$(realpath "$p"); rel=${p#"$O"/}
  dom=$(timeout 120 "${C[@]}" --dump-dom "file://$abs" 2>/dev/null)
  [[ $dom == *'data-math-done="1"'* ]] || { bad "$rel: the page's script did not run"; probs=$((probs + 1)); continue; }
  spans=$(grep -o 'class="math \(inline\|display\)"' <<<"$dom" | wc -l)
  typeset=$(grep -o 'class="katex"' <<<"$dom" | wc -l)
  errs=$(grep -o 'katex-error\|katex-failed' <<<"$dom" | wc -l)
  text=$(sed 's/<pre[^>]*>.*<\/pre>//g; s/<code[^>]*>[^<]*<\/code>//g; s/<annotation[^>]*>[^<]*<\/annotation>//g' <<<"$dom")
  raw=$(grep -c '\$\$' <<<"$text")
  formulas=$((formulas + typeset))
  [ "$errs" = 0 ] && [ "$raw" = 0 ] && [ "$spans" = "$typeset" ] || { bad "$rel: $spans formulas, $typeset typeset, $errs KaTeX errors, $raw lines with raw \$\$"; probs=$((probs + 1)); }
  dir=$(dirname "$p")
  for src in $(grep -o '<img [^>]*src="[^"]*"' "$p" | sed 's/.*src="\([^"]*\)"/\1/'); do
    [ -f "$dir/$src" ] || { bad "$rel: image $src does not exist"; probs=$((probs + 1)); }
  done
  for href in $(grep -o 'href="[^"#][^"]*"' "$p" | sed 's/href="\([^"#]*\).*/\1/' | grep -vE '^(https?:|mailto:)'); do
    [ -e "$dir/$href" ] || { bad "$rel: link $href does not resolve"; probs=$((probs + 1)); }
  done
done
[ $probs = 0 ] && ok "book: ${#pages[@]} pages in headless Chromium, $formulas formulas typeset, no KaTeX error, every image and internal link resolves"
pdf=$(stat -c %s "$O/mlphys.pdf" 2>/dev/null || echo 0)
[ "$pdf" -gt 200000 ] && ok "book: the whole course printed to one PDF ($((pdf / 1024)) KiB)" || bad "book: no PDF ($pdf bytes)"
first=$(ls -d "$O"/[0-9][0-9]-*/ | head -1)
timeout 120 "${C[@]}" --window-size=1200,1700 --screenshot="$PWD/$O/screenshot.png" "file://$(realpath "$first")/index.html" >/dev/null 2>&1
[ -s "$O/screenshot.png" ] && ok "book: screenshot of $(basename "$first") in $O/screenshot.png" || bad "book: no screenshot"
[ $fails -eq 0 ]

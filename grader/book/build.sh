#!/usr/bin/env bash
# make book: the whole course as one static site, $OUT/index.html (a title page with the course
# map) and one page per chapter with its figures, links to its header and stub, previous/next
# navigation and a print stylesheet; then one PDF of the whole book, printed by headless
# Chromium ($OUT/mlphys.pdf).  Formulas are typeset by KaTeX from Debian's libjs-katex, copied
# beside the pages: nothing is fetched from the network.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-build/book}
K=/usr/share/javascript/katex
command -v pandoc >/dev/null && [ -f "$K/katex.min.js" ] || { echo "book: needs pandoc and libjs-katex: sudo apt-get install pandoc libjs-katex"; exit 2; }
rm -rf "$OUT"; mkdir -p "$OUT/katex"
cp -rL "$K/katex.min.js" "$K/katex.min.css" "$K/fonts" "$OUT/katex/"   # -L: Debian ships symlinks
cp grader/book/book.css grader/book/render.js "$OUT/"
chs=(); for d in chapters/[0-9][0-9]-*/; do [ -f "$d/README.md" ] && chs+=("$(basename "$d")"); done
title_of() { sed -n 's/^# //p' "chapters/$1/README.md" | head -1 | sed 's/"/\&quot;/g'; }
export BOOK_OUT="$OUT"
P=(pandoc -f markdown+tex_math_dollars+pipe_tables-implicit_figures --katex -t html5 --standalone
   --template grader/book/template.html --lua-filter grader/book/links.lua)
all="$OUT/.all.md"; : >"$all"
for i in "${!chs[@]}"; do
  ch=${chs[$i]}; name=${ch#*-}; name=${name//-/_}; d="$OUT/$ch"; mkdir -p "$d"
  [ -d "chapters/$ch/figures" ] && cp -r "chapters/$ch/figures" "$d/"
  files=""
  for f in "chapters/$ch/$name.h" "chapters/$ch/$name.c" "chapters/$ch/hints.md"; do
    [ -f "$f" ] || continue
    b=$(basename "$f"); cp "$f" "$d/$b.txt"; files="$files <a href=\"$b.txt\">$b</a>"
  done
  args=(-M "pagetitle=mlphys $ch: $(title_of "$ch")" -V root=../ -V "files=$files")
  if [ "$i" -gt 0 ]; then p=${chs[$((i - 1))]}; args+=(-V "prev=../$p/index.html" -V "prevtitle=$p"); fi
  if [ "$i" -lt $(( ${#chs[@]} - 1 )) ]; then n=${chs[$((i + 1))]}; args+=(-V "next=../$n/index.html" -V "nexttitle=$n"); fi
  "${P[@]}" "${args[@]}" "chapters/$ch/README.md" -o "$d/index.html"
  # the whole book in one page, for the PDF: figure paths made relative to the book's root
  { sed "s#](figures/#]($ch/figures/#g; s#src=\"figures/#src=\"$ch/figures/#g" "chapters/$ch/README.md"; printf '\n\n'; } >>"$all"
done
# the title page: the course map from the top-level README, linked to the chapters
{ echo "# mlphys: Machine Learning for Physicists, in C"; echo
  echo "Lecture notes you can run: each chapter derives its topic, states the exercise, and shows figures computed by the reference solution. The whole book as one PDF: [mlphys.pdf](mlphys.pdf)."; echo
  sed -n '/^## Chapters/,/^## /p' README.md | sed '1d;$d' | sed 's#(chapters/\([0-9][0-9]-[a-z-]*\)/README.md)#(\1/index.html)#g'; } >"$OUT/.index.md"
"${P[@]}" -M "pagetitle=mlphys: Machine Learning for Physicists, in C" -V root= "$OUT/.index.md" -o "$OUT/index.html"
"${P[@]}" -M "pagetitle=mlphys: the book" -V root= "$all" -o "$OUT/all.html"
rm -f "$all" "$OUT/.index.md"
n=$(ls "$OUT"/*/index.html | wc -l)
if command -v chromium >/dev/null; then
  timeout 300 chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer --virtual-time-budget=30000 \
    --print-to-pdf="$PWD/$OUT/mlphys.pdf" "file://$PWD/$OUT/all.html" >/dev/null 2>&1 || true
fi
[ -s "$OUT/mlphys.pdf" ] && pdf="and $OUT/mlphys.pdf" || pdf="(no PDF: chromium is missing: sudo apt-get install chromium)"
echo "book: $OUT/index.html, $n chapters, $pdf"

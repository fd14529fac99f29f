#!/usr/bin/env bash
# make release: the student release, a tree and a tarball without solutions and hidden tests.
#   OUT (default build/release)/mlphys/  and  OUT/mlphys-student.tar.gz
# Made from HEAD (git archive), refused when chapters/ has uncommitted changes or a committed
# chapter file is not a stub.
# Left out: solutions/, grader/NN-slug/hidden.c, the mutant catalogues (patches of the solutions), the hidden rubric lines (replaced by a
# "# withheld N P" line so that feedback can say hidden tests exist), benchmarks and the
# suite's own tests (they need the solutions), .ci/ and .git.  Then it proves that no line of
# any solution (outside the public test suites) and no hidden test name is inside.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-build/release}"
R="$OUT/mlphys"
# The release is built from what is committed (HEAD), never from the working tree: an
# instructor's solved exercises in chapters/ must not ship.  Uncommitted changes there are
# refused outright unless ALLOW_DIRTY=1 (then HEAD ships, and they stay behind).
git rev-parse --verify -q HEAD >/dev/null || { echo "release: not a git checkout with a commit"; exit 2; }
dirty=$(git status --porcelain -- chapters/ | head -5)
if [ -n "$dirty" ] && [ "${ALLOW_DIRTY:-0}" != 1 ]; then
  echo "release: chapters/ has uncommitted changes (solved exercises?), so the release is refused:"
  echo "$dirty" | sed 's/^/    /'
  echo "  The release is made from HEAD; commit or stash them, or ALLOW_DIRTY=1 make release to ship HEAD anyway."
  exit 1
fi
rm -rf "$R" "$OUT/mlphys-student.tar.gz"
mkdir -p "$R"
git archive --format=tar HEAD | tar -x -C "$R"
# what students do not get
rm -rf "$R/solutions" "$R/bench" "$R/.ci" "$R/grader/hostile" "$R/grader/tests" "$R/grader/release.sh" \
       "$R/grader/gradescope" "$R/grader/batch.sh" "$R/grader/similarity.sh" "$R/grader/student-README.md"
rm -f "$R"/grader/*/hidden.c; rm -rf "$R"/grader/*/mutants
# every chapter file in the release must still be a stub
for c in "$R"/chapters/[0-9][0-9]-*/; do
  ch=$(basename "$c"); name=${ch#*-}; name=${name//-/_}
  grep -q 'GSL_EUNIMPL' "$c/$name.c" || { echo "release: chapters/$ch/$name.c in HEAD is not a stub (no GSL_EUNIMPL): a solved exercise was committed"; exit 1; }
done
# the student's README: the student's loop first, no instructor commands
if [ -f grader/student-README.md ]; then
  { cat grader/student-README.md; echo; sed -n '/^## Chapters/,/^## What `make check` proves/p' README.md | sed '$d'; } >"$R/README.md"
fi
# rubrics: drop hidden lines, keep their count and points
for r in "$R"/grader/*/rubric; do
  awk '
    /^[ \t]*#/ || NF == 0 { print; next }
    $3 != "" && $3 != "visible" { n++; p += $2; next }
    { print }
    END { if (n) printf "# withheld %d %g   (hidden tests your instructor grades; not in this release)\n", n, p }' "$r" >"$r.new"
  mv "$r.new" "$r"
done
echo "student release" >"$R/RELEASE"
# the course as a book, when the tools are here (make book): built from the release's own files
if command -v pandoc >/dev/null && [ -f /usr/share/javascript/katex/katex.min.js ]; then
  (cd "$R" && OUT=book BOOK_OUT=book bash grader/book/build.sh >/dev/null 2>&1) && echo "release: the book is in book/index.html" \
    || echo "release: the book could not be built (make book shows why); releasing without it"
fi
tar -C "$OUT" -czf "$OUT/mlphys-student.tar.gz" mlphys

# ---- proof: no solution line, no hidden test -------------------------------------------------
leaks=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
strip() { sed 's/^[ \t]*//' "$@"; }
for sol in solutions/*/*.c; do
  ch=$(basename "$(dirname "$sol")")
  # distinctive lines of a solution: long enough to mean something, not a comment, and not
  # in the chapter's stub or header (those are meant to be shared)
  strip "$sol" | awk 'length($0) >= 40' | grep -vE '^(/\*|\*|//)' | sort -u |
    grep -vxFf <(strip chapters/"$ch"/*.c chapters/"$ch"/*.h | sort -u) >"$tmp/distinct" || true
  [ -s "$tmp/distinct" ] || continue
  # A leak is a pasted block, not an idiom: a release file sharing 3 or more of them.  The
  # shipped suites and their test helpers (grader/NN-slug/) compute some of the same quantities
  # independently, so they are skipped.
  while IFS= read -r -d '' f; do
    n=$(strip "$f" | sort -u | grep -cxFf "$tmp/distinct" || true)
    if [ "$n" -ge 3 ]; then
      echo "release: ${f#$R/} has $n lines of $sol"; leaks=$((leaks + 1))
    fi
  done < <(find "$R" -type f \( -name '*.c' -o -name '*.h' -o -name '*.md' -o -name '*.gp' \) ! -path "$R/grader/[0-9]*" -print0)
done
for h in grader/*/hidden.c; do
  [ -f "$h" ] || continue
  for t in $(sed -n 's/^Test([a-z_0-9]*, *\([a-z_0-9]*\).*/\1/p' "$h"); do
    if grep -rqw -- "$t" "$R"; then echo "release: hidden test $t is named in the release"; leaks=$((leaks + 1)); fi
  done
done
[ ! -e "$R/solutions" ] || { echo "release: solutions/ is in the release"; leaks=$((leaks + 1)); }
if [ $leaks -ne 0 ]; then echo "release: $leaks leak(s); not a valid student release"; exit 1; fi
echo "release: $R and $OUT/mlphys-student.tar.gz ($(du -sh "$OUT/mlphys-student.tar.gz" | cut -f1)); no solution line, no hidden test inside"

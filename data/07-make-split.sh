#!/bin/sh
# Makes data/07-digits-split.csv, the fixed train/test split of data/digits.csv.gz that chapter
# 07-losses (and any later chapter that wants it) uses.  Run once from the repository root:
#
#     sh data/07-make-split.sh > data/07-digits-split.csv
#
# Output: a header "row,split", then one line per row of digits.csv.gz in file order: the
# 0-based row index and "train" or "test".  The split is stratified: within each digit class
# the rows are shuffled and the first round(0.75 n_class) go to training, the rest to test
# (1350 train / 447 test overall).
#
# The shuffle is Fisher-Yates driven by the Park-Miller "minimal standard" generator
# x <- 16807 x mod (2^31 - 1) (Park & Miller, CACM 31, 1192 (1988)), seed 20240707, written out
# here in integer-exact awk arithmetic (every product is < 2^53), so that the file is the same
# with any awk on any machine.  The tests and run.c read the file; they never re-make it.
set -eu
here=$(dirname "$0")
gzip -dc "$here/digits.csv.gz" | awk -F, '
function rnd(   ) { seed = (16807 * seed) % 2147483647; return seed }   # 1 .. 2^31-2
BEGIN { seed = 20240707 }
{
    if (NF != 65) { printf "digits.csv.gz:%d: %d fields, expected 65\n", NR, NF > "/dev/stderr"; exit 1 }
    c = $65 + 0; members[c, count[c]++] = NR - 1; n = NR
}
END {
    for (c = 0; c <= 9; c++) {
        m = count[c]
        for (i = m - 1; i > 0; i--) {          # Fisher-Yates: swap i with j uniform in 0..i
            j = rnd() % (i + 1)
            t = members[c, i]; members[c, i] = members[c, j]; members[c, j] = t
        }
        ntrain = int(0.75 * m + 0.5)
        for (i = 0; i < m; i++) part[members[c, i]] = (i < ntrain) ? "train" : "test"
    }
    print "row,split"
    for (r = 0; r < n; r++) print r "," part[r]
}'

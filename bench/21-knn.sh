#!/usr/bin/env bash
# Chapter 21 benchmark driver (make bench CH=21-knn): the C reference ($1, the built
# bench/21-knn.c) against scikit-learn (bench/21-knn.py) on the same problems, one thread each:
# brute-force and k-d tree queries per second and the 1-NN leave-one-out on the 1797 digits,
# then the crossover dimension where the k-d tree stops beating brute force on uniform points.
# Without python3-sklearn it says so and prints the C numbers alone.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: bench/21-knn.sh path/to/built/21-knn}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
echo "CPU: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1); one thread per tool; best CPU time of repeats"
out=$(mktemp); trap 'rm -f "$out"' EXIT
"$bin" | tee "$out" | grep -v '^[A-Z]' || true
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "bench: the C benchmark failed"; exit 1; }
# Debian's python3-sklearn lives in the system interpreter, which may not be the first python3
# on PATH (pyenv and virtual environments hide it).
py=/usr/bin/python3; [ -x "$py" ] || py=python3
if ! "$py" -c 'import sklearn' 2>/dev/null; then
  echo "bench: python3-sklearn is not installed: scikit-learn skipped (sudo apt-get install python3-sklearn); C numbers only"
else
  "$py" bench/21-knn.py | tee -a "$out" | grep -v '^[A-Z]' || echo "bench: bench/21-knn.py failed"
fi
awk '
  /^RESULT / { t = $2; for (i = 3; i <= NF; i++) { split($i, kv, "="); v[t, kv[1]] = kv[2] } tools[++n] = t }
  /^CROSS /  { t = $2; split($3, dd, "="); d = dd[2]; split($4, b, "="); split($5, k, "=");
               B[t, d] = b[2]; T[t, d] = k[2]; if (!((t) in seen)) { seen[t] = 1; ct[++nc] = t }
               if (t == "c") ds[++nd] = d }
  END {
    printf "\n%-9s %16s %16s %14s %8s\n", "tool", "brute queries/s", "k-d tree q/s", "LOO 1-NN (s)", "right"
    for (i = 1; i <= n; i++) { t = tools[i]
      printf "%-9s %16.0f %16.0f %14.4f %8s\n", t, v[t, "brute_qps"], v[t, "kd_qps"], v[t, "loo_s"], v[t, "loo_right"] }
    if (("sklearn", "brute_qps") in v) {
      printf "\nC / scikit-learn: brute force %.2fx, k-d tree %.2fx, leave-one-out %.2fx (above 1: C faster)\n",
        v["c", "brute_qps"] / v["sklearn", "brute_qps"], v["c", "kd_qps"] / v["sklearn", "kd_qps"],
        v["sklearn", "loo_s"] / v["c", "loo_s"] }
    printf "\nuniform points, n = 20000, 2000 queries, k = 5: queries/s\n"
    printf "%4s %12s %12s %10s", "d", "C brute", "C tree", "tree/brute"
    if (nc > 1) printf " %12s %12s %10s %9s %9s", "skl brute", "skl tree", "tree/brute", "C/skl br", "C/skl kd"
    printf "\n"
    for (j = 1; j <= nd; j++) { d = ds[j]
      printf "%4s %12.0f %12.0f %10.2f", d, B["c", d], T["c", d], T["c", d] / B["c", d]
      if (nc > 1) printf " %12.0f %12.0f %10.2f %9.2f %9.2f", B["sklearn", d], T["sklearn", d], T["sklearn", d] / B["sklearn", d], B["c", d] / B["sklearn", d], T["c", d] / T["sklearn", d]
      printf "\n" }
    for (c = 1; c <= nc; c++) { t = ct[c]; cross = ""
      for (j = 1; j <= nd; j++) { d = ds[j]; if (cross == "" && T[t, d] < B[t, d]) cross = d }
      printf "%s: the k-d tree stops beating brute force at d = %s\n", t, cross == "" ? "(never, up to 32)" : cross }
  }' "$out"

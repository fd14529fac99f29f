#!/usr/bin/env bash
# Chapter 20 benchmark driver (make bench CH=20-clustering): the C reference ($1, the built
# bench/20-clustering.c) against scikit-learn's KMeans (bench/20-clustering.py): the same data,
# the same k, the same k-means++ starting centres, Lloyd's algorithm until no label changes,
# one thread each.  Prints the CPU, both tools' median time to convergence, steps and inertia,
# and the ratios.  Without python3-sklearn it says so and prints the C numbers alone.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: bench/20-clustering.sh path/to/built/20-clustering}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
echo "CPU: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1); one thread per tool; CPU time of the fit"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
out="$tmp/results.txt"
"$bin" "$tmp" | tee "$out" || { echo "bench: the C benchmark failed"; exit 1; }
# Debian's python3-sklearn lives in the system interpreter, which may not be the first python3
# on PATH (pyenv and virtual environments hide it).
py=/usr/bin/python3; [ -x "$py" ] || py=python3
if ! "$py" -c 'import sklearn' 2>/dev/null; then
  echo "bench: python3-sklearn is not installed, so scikit-learn was not run (sudo apt-get install python3-sklearn); C numbers only"
else
  "$py" bench/20-clustering.py "$tmp" | tee -a "$out" || echo "bench: bench/20-clustering.py failed"
fi
awk '
  /^RESULT / { t = $2; s = $3; for (i = 4; i <= NF; i++) { split($i, kv, "="); v[t, s, kv[1]] = kv[2] }
               if (!((s) in seen)) { seen[s] = 1; sets[++ns] = s } has[t] = 1 }
  END {
    printf "\n%-8s %-8s %14s %8s %18s\n", "set", "tool", "ms to converge", "steps", "mean inertia"
    for (i = 1; i <= ns; i++) { s = sets[i]
      for (t in has) if ((t, s, "ms") in v)
        printf "%-8s %-8s %14.3f %8s %18.10g\n", s, t, v[t, s, "ms"], v[t, s, "iters"], v[t, s, "inertia"] }
    printf "\n"
    for (i = 1; i <= ns; i++) { s = sets[i]
      if (("sklearn", s, "ms") in v)
        printf "%s: C / scikit-learn time %.3f (C %.1fx faster); per step %.3f\n", s,
          v["c", s, "ms"] / v["sklearn", s, "ms"], v["sklearn", s, "ms"] / v["c", s, "ms"],
          (v["c", s, "ms"] / v["c", s, "iters"]) / (v["sklearn", s, "ms"] / v["sklearn", s, "iters"]) }
  }' "$out"

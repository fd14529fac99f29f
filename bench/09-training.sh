#!/usr/bin/env bash
# Chapter 09 benchmark driver (make bench CH=09-training): the C reference ($1, the built
# bench/09-training.c) against PyTorch on the CPU and scikit-learn's MLPClassifier
# (bench/09-training.py), the same 64-128-10 MLP, data, optimiser and batch size, one thread
# each.  Prints the CPU, every tool's time per epoch and time to 0.97 test accuracy, and the
# ratios.  Without python3-torch (or python3-sklearn) it says so and prints what it has.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: bench/09-training.sh path/to/built/09-training}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
echo "CPU: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1); one thread per tool; CPU time of the training steps"
out=$(mktemp); trap 'rm -f "$out"' EXIT
"$bin" | tee "$out" || { echo "bench: the C benchmark failed"; exit 1; }
# Debian's python3-torch and python3-sklearn live in the system interpreter, which may not be the
# first python3 on PATH (pyenv and virtual environments hide it).
py=/usr/bin/python3; [ -x "$py" ] || py=python3
if ! "$py" -c 'import numpy' 2>/dev/null; then
  echo "bench: python3-numpy is missing, so PyTorch and scikit-learn were not run (sudo apt-get install python3-torch python3-sklearn)"
else
  "$py" -c 'import torch' 2>/dev/null || echo "bench: python3-torch is not installed: PyTorch skipped (sudo apt-get install python3-torch); C numbers only"
  "$py" bench/09-training.py | tee -a "$out" || echo "bench: bench/09-training.py failed"
fi
awk '
  /^RESULT / { t = $2; for (i = 3; i <= NF; i++) { split($i, kv, "="); v[t, kv[1]] = kv[2] } tools[++n] = t }
  END {
    printf "\n%-15s %12s %14s %10s %10s\n", "tool", "ms / epoch", "s to 0.97", "epochs", "final acc"
    for (i = 1; i <= n; i++) { t = tools[i]
      printf "%-15s %12.2f %14.3f %10s %10s\n", t, v[t, "epoch_ms"], v[t, "to97_s"], v[t, "epochs97"], v[t, "acc"] }
    printf "\n"
    for (i = 1; i <= n; i++) { t = tools[i]; if (t == "c") continue
      printf "C / %-13s per epoch %.3f (C %.1fx faster), to 0.97 %.3f (C %.1fx faster)\n", t,
        v["c", "epoch_ms"] / v[t, "epoch_ms"], v[t, "epoch_ms"] / v["c", "epoch_ms"],
        v["c", "to97_s"] / v[t, "to97_s"], v[t, "to97_s"] / v["c", "to97_s"] }
  }' "$out"

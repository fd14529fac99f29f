#!/usr/bin/env bash
# Chapter 10 benchmark driver: the C reference (the built bench/10-cnn.c, passed as $1) and the
# same CNN in PyTorch (bench/10-cnn.py, one CPU thread, float64 like the C code, then float32),
# one after the other on the same machine; prints time per epoch, time to 0.97 test accuracy and
# the ratios.  Without PyTorch it says so and prints the C numbers only.  Run from the repository
# root (make bench CH=10-cnn does).
set -uo pipefail
cbench=${1:?usage: bench/10-cnn.sh path/to/built/10-cnn}
cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)
echo "CPU: ${cpu:-unknown}, $(nproc) cores; every program single-threaded"
cout=$(OPENBLAS_NUM_THREADS=1 "$cbench") || { echo "bench: $cbench failed"; exit 1; }
echo "$cout" | grep -v '^RESULT'
field() { echo "$1" | sed -n "s/^RESULT.* $2=\([^ ]*\).*/\1/p"; }
c_ep=$(field "$cout" epoch_ms); c_t97=$(field "$cout" t97_s)
py=""
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import torch, numpy' >/dev/null 2>&1; then py=$p; break; fi
done
if [ -z "$py" ]; then
  echo "PyTorch not found (sudo apt-get install python3-torch): only the C numbers above"
  exit 0
fi
for prec in float64 float32; do
  pout=$(OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 "$py" bench/10-cnn.py $([ $prec = float32 ] && echo --float32)) \
    || { echo "bench: bench/10-cnn.py failed"; exit 1; }
  echo "$pout" | grep -v '^RESULT'
  p_ep=$(field "$pout" epoch_ms); p_t97=$(field "$pout" t97_s)
  awk -v ce="$c_ep" -v pe="$p_ep" -v ct="$c_t97" -v pt="$p_t97" -v prec="$prec" 'BEGIN {
    printf "ratio PyTorch (%s) / C: per epoch %.1f ms / %.1f ms = %.1fx", prec, pe, ce, pe / ce
    if (ct + 0 > 0 && pt + 0 > 0) printf ", to 0.97: %.3f s / %.3f s = %.1fx", pt, ct, pt / ct
    printf "\n" }'
done

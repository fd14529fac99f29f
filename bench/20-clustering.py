#!/usr/bin/env python3
"""Chapter 20 benchmark, the Python side: scikit-learn's KMeans (algorithm="lloyd", n_init=1,
tol=0 so that it stops only when no label changes, as the C code does, max_iter=300) on the
data and from the very k-means++ starting centres that bench/20-clustering.c wrote into DIR.
One thread (OMP_NUM_THREADS=1 etc., set by bench/20-clustering.sh).  Times are CPU time
(time.process_time) of KMeans.fit, best of 3 per start, median over the starts; prints
    RESULT sklearn <set> ms=<median ms> iters=<median n_iter_> inertia=<mean inertia_>
Usage: bench/20-clustering.py DIR
"""
import glob
import os
import statistics
import sys
import time
import warnings

import numpy as np


def main(d):
    from sklearn import __version__
    from sklearn.cluster import KMeans
    print(f"scikit-learn {__version__}, numpy {np.__version__}", flush=True)
    for name in ("digits", "blobs"):
        X = np.loadtxt(os.path.join(d, name + ".csv"), delimiter=",")
        inits = sorted(glob.glob(os.path.join(d, name + "_init*.csv")))
        ms, its, inertia = [], [], []
        for r, p in enumerate(inits):
            C0 = np.loadtxt(p, delimiter=",", ndmin=2)
            best = float("inf")
            for _ in range(3):
                km = KMeans(n_clusters=C0.shape[0], init=C0, n_init=1, algorithm="lloyd", tol=0.0, max_iter=300)
                t0 = time.process_time()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    km.fit(X)
                best = min(best, 1e3 * (time.process_time() - t0))
            ms.append(best), its.append(km.n_iter_), inertia.append(km.inertia_)
            print(f"  sklearn {name:7s} start {r + 1}: {best:8.3f} ms, {km.n_iter_:3d} steps, inertia {km.inertia_:.8g}", flush=True)
        print(f"RESULT sklearn {name} ms={statistics.median(ms):.4f} iters={statistics.median(its):g} "
              f"inertia={statistics.mean(inertia):.10g}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])

#!/usr/bin/env python3
"""Chapter 09 benchmark, the Python side: the chapter's 64-128-10 ReLU MLP on the digits in
PyTorch (CPU, one thread; float32, the usual choice, and float64, the C code's precision) and
in scikit-learn's MLPClassifier, with the same data, split, standardisation, optimiser (Adam,
lr 1e-3, betas 0.9/0.999, eps 1e-8, no weight decay), batch size 32 and 30 epochs as
bench/09-training.c.  Times are CPU time (time.process_time) of the training steps alone;
evaluation after each epoch is not counted.  Run by bench/09-training.sh from the repository
root; prints one line per tool:
    RESULT <tool> epoch_ms=<median ms per epoch> to97_s=<median s to 0.97> epochs97=<median> acc=<mean final>
Differences that remain: PyTorch draws its own He-normal weights (torch's generator, seeds
1..5), and scikit-learn initialises with Glorot-uniform weights (it has no other option) and
checks convergence after each epoch.
"""
import csv
import gzip
import statistics
import sys
import time
import warnings

import numpy as np

EPOCHS, REPEATS, BATCH, LR = 30, 5, 32, 1e-3


def load():
    with gzip.open("data/digits.csv.gz", "rt") as f:
        rows = np.array([[float(v) for v in r] for r in csv.reader(f)])
    with open("data/07-digits-split.csv") as f:
        split = [r["split"] for r in csv.DictReader(f)]
    train = np.array([s == "train" for s in split])
    X, y = rows[:, :64], rows[:, 64].astype(np.int64)
    m, sd = X[train].mean(0), X[train].std(0)  # population sd, as in the C code
    s = np.where(sd > 0, 1 / np.where(sd > 0, sd, 1), 0)
    X = (X - m) * s
    return X[train], y[train], X[~train], y[~train]


def summarise(name, epoch_ms, to97, ep97, accs):
    to97 = [t for t in to97 if t is not None]
    ep97 = [e for e in ep97 if e is not None]
    med = lambda v: statistics.median(v) if v else float("nan")
    print(f"RESULT {name} epoch_ms={med(epoch_ms):.4f} to97_s={med(to97):.5f} epochs97={med(ep97):g} "
          f"acc={statistics.mean(accs):.4f}", flush=True)


def bench_torch(Xtr, ytr, Xte, yte, dtype):
    import torch
    name = "torch-" + ("float32" if dtype == torch.float32 else "float64")
    xtr, xte = torch.tensor(Xtr, dtype=dtype), torch.tensor(Xte, dtype=dtype)
    ttr, tte = torch.tensor(ytr), torch.tensor(yte)
    epoch_ms, to97, ep97, accs = [], [], [], []
    for rep in range(REPEATS):
        torch.manual_seed(rep + 1)
        model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)).to(dtype)
        for layer in (model[0], model[2]):
            torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")  # N(0, 2 / fan_in)
            torch.nn.init.zeros_(layer.bias)
        opt = torch.optim.Adam(model.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8)
        lossf = torch.nn.CrossEntropyLoss()
        spent, t97, e97, acc = 0.0, None, None, 0.0
        for e in range(EPOCHS):
            perm = torch.randperm(len(xtr))
            t0 = time.process_time()
            for s in range(0, len(xtr), BATCH):
                idx = perm[s:s + BATCH]
                opt.zero_grad()
                loss = lossf(model(xtr[idx]), ttr[idx])
                loss.backward()
                opt.step()
            t = time.process_time() - t0
            spent += t
            epoch_ms.append(1e3 * t)
            with torch.no_grad():
                acc = (model(xte).argmax(1) == tte).double().mean().item()
            if acc >= 0.97 and t97 is None:
                t97, e97 = spent, e + 1
        print(f"  {name} run {rep + 1}: {1e3 * spent / EPOCHS:.2f} ms/epoch, 0.97 after {e97} epochs "
              f"({t97 if t97 is None else round(t97, 3)} s), final test accuracy {acc:.4f}", flush=True)
        to97.append(t97), ep97.append(e97), accs.append(acc)
    summarise(name, epoch_ms, to97, ep97, accs)


def bench_sklearn(Xtr, ytr, Xte, yte):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    warnings.simplefilter("ignore", ConvergenceWarning)
    epoch_ms, to97, ep97, accs = [], [], [], []
    for rep in range(REPEATS):
        clf = MLPClassifier(hidden_layer_sizes=(128,), activation="relu", solver="adam", alpha=0.0,
                            batch_size=BATCH, learning_rate_init=LR, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                            max_iter=1, shuffle=True, random_state=rep + 1, warm_start=True, tol=0.0,
                            n_iter_no_change=10 ** 9)
        spent, t97, e97, acc = 0.0, None, None, 0.0
        for e in range(EPOCHS):
            t0 = time.process_time()
            clf.fit(Xtr, ytr)  # warm_start + max_iter=1: one more epoch, Adam's state kept
            t = time.process_time() - t0
            spent += t
            epoch_ms.append(1e3 * t)
            acc = clf.score(Xte, yte)
            if acc >= 0.97 and t97 is None:
                t97, e97 = spent, e + 1
        print(f"  sklearn run {rep + 1}: {1e3 * spent / EPOCHS:.2f} ms/epoch, 0.97 after {e97} epochs "
              f"({t97 if t97 is None else round(t97, 3)} s), final test accuracy {acc:.4f}", flush=True)
        to97.append(t97), ep97.append(e97), accs.append(acc)
    summarise("sklearn", epoch_ms, to97, ep97, accs)


def main():
    Xtr, ytr, Xte, yte = load()
    try:
        import torch
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread", flush=True)
        bench_torch(Xtr, ytr, Xte, yte, torch.float32)
        bench_torch(Xtr, ytr, Xte, yte, torch.float64)
    except ImportError:
        print("PyTorch (python3-torch) is not installed: skipped", flush=True)
    try:
        import sklearn
        print(f"scikit-learn {sklearn.__version__}", flush=True)
        bench_sklearn(Xtr, ytr, Xte, yte)
    except ImportError:
        print("scikit-learn (python3-sklearn) is not installed: skipped", flush=True)


if __name__ == "__main__":
    sys.exit(main())

"""Chapter 10 benchmark, the PyTorch side: the chapter's CNN trained on the digits on one CPU thread.

Same network (Conv2d(1, 16, 3, padding=1) -> ReLU -> MaxPool2d(2) -> Linear(256, 10), 2,730
parameters), same data (data/digits.csv.gz, pixels / 16, the fixed split data/07-digits-split.csv),
same optimiser (Adam, lr 0.01, betas 0.9, 0.999, eps 1e-8), batch 32, a fresh shuffle every epoch,
double precision by default (the C code's precision; --float32 for PyTorch's default).
PyTorch initialises with its own defaults (Kaiming-uniform), the C code with He-normal: the
accuracies agree within their seed-to-seed spread.  Times are CPU time (time.process_time), the
same clock as the C benchmark: 5 seeds x 15 epochs; the epoch time is the median, the time to
0.97 is the training time until the first epoch with test accuracy >= 0.97, averaged over seeds.
Last line, for bench/10-cnn.sh:  RESULT epoch_ms=... t97_s=... acc=...
"""
import gzip
import statistics
import sys
import time

import numpy as np
import torch

SEEDS, EPOCHS, BATCH = 5, 15, 32


def main():
    torch.set_num_threads(1)
    dtype = torch.float32 if "--float32" in sys.argv else torch.float64
    with gzip.open("data/digits.csv.gz", "rt") as f:
        data = np.loadtxt(f, delimiter=",")
    split = np.genfromtxt("data/07-digits-split.csv", delimiter=",", dtype=str, skip_header=1)[:, 1]
    X = torch.tensor(data[:, :64] / 16.0, dtype=dtype).reshape(-1, 1, 8, 8)
    y = torch.tensor(data[:, 64].astype(np.int64))
    train = torch.tensor(split == "train")
    Xtr, ytr, Xte, yte = X[train], y[train], X[~train], y[~train]
    epoch_times, t97, accs = [], [], []
    for seed in range(SEEDS):
        torch.manual_seed(100 + seed)
        net = torch.nn.Sequential(torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                  torch.nn.Flatten(), torch.nn.Linear(256, 10)).to(dtype)
        if seed == 0:
            nparams = sum(p.numel() for p in net.parameters())
            print(f"PyTorch {torch.__version__} ({str(dtype).replace('torch.', '')}, 1 thread): {nparams} parameters, "
                  f"Adam lr 0.01, batch {BATCH}, {SEEDS} seeds x {EPOCHS} epochs")
        opt = torch.optim.Adam(net.parameters(), lr=0.01, betas=(0.9, 0.999), eps=1e-8)
        lossf = torch.nn.CrossEntropyLoss()
        spent, hit, acc = 0.0, False, 0.0
        for epoch in range(EPOCHS):
            t0 = time.process_time()
            perm = torch.randperm(len(Xtr))
            for s in range(0, len(Xtr), BATCH):
                idx = perm[s:s + BATCH]
                opt.zero_grad()
                loss = lossf(net(Xtr[idx]), ytr[idx])
                loss.backward()
                opt.step()
            t = time.process_time() - t0
            epoch_times.append(t)
            spent += t
            with torch.no_grad():
                acc = (net(Xte).argmax(1) == yte).double().mean().item()
            if not hit and acc >= 0.97:
                hit = True
                t97.append(spent)
                print(f"  seed {seed}: 0.97 after epoch {epoch + 1}, {spent:.3f} s of training")
        if not hit:
            print(f"  seed {seed}: 0.97 not reached in {EPOCHS} epochs")
        accs.append(acc)
    med = statistics.median(epoch_times)
    t = sum(t97) / len(t97) if t97 else float("nan")
    print(f"  per epoch {1e3 * med:.2f} ms (median), to 0.97: {t:.3f} s (mean of {len(t97)} seeds), "
          f"final test accuracy {sum(accs) / len(accs):.4f} (mean)")
    print(f"RESULT epoch_ms={1e3 * med:.4f} t97_s={t:.5f} acc={sum(accs) / len(accs):.4f}")


if __name__ == "__main__":
    main()

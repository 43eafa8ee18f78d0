#!/usr/bin/env python3
"""bench_torch.py -- the PyTorch side of `make bench` (driven by tests/bench.sh).

    bench_torch.py info THREADS               torch version, BLAS, RSS after import
    bench_torch.py gd DIR M STEPS THREADS     STEPS full-batch GD steps of the two-layer tanh CNN

The gd command reads the data and the initial parameters that `bench prepare` wrote with
libcondense (DIR/x.npy (n, W0, H0, C0), DIR/y.npy (n), DIR/init-M<M>/{W1,b1,a}.npy), runs the
same GD steps as `bench gd` in float64 on the CPU, and writes the parameters after STEPS steps
to DIR/out-torch-M<M>/ in condense's layout, so that `bench compare` can set them side by side.
Like bench.c it prints `key=value` lines; nothing here asserts a time.

The model, in condense's notation (CNN paper eq. (1)-(2), L = 1):
    x1[i, beta, u, v] = sum_{p,q,alpha} x[i, u+p, v+q, alpha] W[p, q, alpha, beta] + b[beta]
which is torch's conv2d (a cross-correlation) on the input permuted to (n, C0, rows, cols) with
the weight permuted to (C_out, C_in, m, m) = W.permute(3, 2, 0, 1);
    f[i] = sum_{u,v,beta} a[u, v, beta] tanh(x1[i, beta, u, v]),
    R_S = mean((f - y)^2) / 2,
and the step theta <- theta - lr grad R_S with lr = 1 / (W1 H1 M), as in bench.c.
"""
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch


def peak_rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux


def mapped_blas():
    """The shared libraries with 'blas' in their name mapped into this process."""
    names = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if "/" in line else ""
                # The last two components: the alternatives' libblas.so.3 is ambiguous alone
                # (e.g. openblas-openmp/libblas.so.3 against blas/libblas.so.3, the reference).
                name = "/".join(path.split("/")[-2:])
                if "blas" in os.path.basename(path) and name not in names:
                    names.append(name)
    except OSError:
        return "unknown"
    return " ".join(names) if names else "none mapped"


def cmd_info(threads):
    rss_import = peak_rss_kb()
    torch.set_num_threads(threads)
    # One float64 matmul and conv2d so that the BLAS torch uses for them is loaded.
    a = torch.ones(64, 64, dtype=torch.float64)
    (a @ a).sum().item()
    torch.nn.functional.conv2d(torch.ones(2, 1, 8, 8, dtype=torch.float64),
                               torch.ones(4, 1, 3, 3, dtype=torch.float64)).sum().item()
    print(f"info.torch={torch.__version__}")
    print(f"info.torch_threads={torch.get_num_threads()}")
    print(f"info.torch_blas={mapped_blas()}")
    print(f"info.torch_import_rss_kb={rss_import}")


def load(path):
    arr = np.load(path)
    if arr.dtype != np.float64:
        raise SystemExit(f"bench_torch: {path}: dtype {arr.dtype}, expected float64")
    return torch.from_numpy(np.ascontiguousarray(arr))


def cmd_gd(directory, M, steps, threads):
    torch.set_num_threads(threads)
    x = load(os.path.join(directory, "x.npy"))  # (n, W0, H0, C0)
    y = load(os.path.join(directory, "y.npy"))  # (n)
    init = os.path.join(directory, f"init-M{M}")
    W = load(os.path.join(init, "W1.npy"))  # (m, m, C0, M)
    b = load(os.path.join(init, "b1.npy"))  # (M)
    a = load(os.path.join(init, "a.npy"))  # (W1, H1, M)
    n, W0, H0, C0 = x.shape
    m = W.shape[0]
    W1, H1 = W0 - m + 1, H0 - m + 1
    if W.shape != (m, m, C0, M) or b.shape != (M,) or a.shape != (W1, H1, M):
        raise SystemExit("bench_torch: parameter shapes do not match the data")
    lr = 1.0 / (W1 * H1 * M)  # the same double as bench.c's 1.0 / (double)(W1 * H1 * M)

    xt = x.permute(0, 3, 1, 2).contiguous()  # (n, C0, rows, cols)
    weight = W.permute(3, 2, 0, 1).contiguous().requires_grad_(True)  # (M, C0, m, m)
    bias = b.clone().requires_grad_(True)
    amp = a.permute(2, 0, 1).contiguous().requires_grad_(True)  # (M, W1, H1)
    params = (weight, bias, amp)

    def risk():
        x1 = torch.nn.functional.conv2d(xt, weight, bias)  # (n, M, W1, H1)
        f = (torch.tanh(x1) * amp).sum(dim=(1, 2, 3))
        return ((f - y) ** 2).mean() / 2

    times = []
    R0 = None
    for k in range(steps):
        t0 = time.perf_counter()
        loss = risk()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-lr)
                p.grad = None
        times.append(time.perf_counter() - t0)
        if k == 0:
            R0 = loss.item()
    with torch.no_grad():
        Rend = risk().item()

    out = os.path.join(directory, f"out-torch-M{M}")
    os.makedirs(out, exist_ok=True)
    with torch.no_grad():
        np.save(os.path.join(out, "W1.npy"),
                np.ascontiguousarray(weight.permute(2, 3, 1, 0).numpy()))
        np.save(os.path.join(out, "b1.npy"), np.ascontiguousarray(bias.numpy()))
        np.save(os.path.join(out, "a.npy"), np.ascontiguousarray(amp.permute(1, 2, 0).numpy()))

    P = n * W1 * H1 * M
    K = C0 * m * m + 1
    flops = 4.0 * P * K + 9.0 * P + 3.0 * n + 2.0 * M * (K + W1 * H1)  # as bench.c's gd_flops
    key = f"gd.torch.{M}"
    print(f"{key}.seconds={statistics.median(times):.6g}")
    print(f"{key}.steps={steps}")
    print(f"{key}.n_timed={n}")
    print(f"{key}.scaled=0")
    print(f"{key}.flops={flops:.6g}")
    print(f"{key}.lr={lr:.17g}")
    print(f"{key}.R0={R0:.17g}")
    print(f"{key}.Rend={Rend:.17g}")
    print(f"{key}.saved=1")
    print(f"{key}.rss_kb={peak_rss_kb()}")


def main(argv):
    if len(argv) == 3 and argv[1] == "info":
        cmd_info(int(argv[2]))
    elif len(argv) == 6 and argv[1] == "gd":
        cmd_gd(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    else:
        print("usage: bench_torch.py info THREADS | gd DIR M STEPS THREADS", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

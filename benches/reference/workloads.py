"""What the reference scripts of `benches/reference/` share with `benches/training.rs`: the
workloads, the FLOP count of a step, the weights `torch.nn.Linear` would draw, the timing
(20 warm-up steps, then the median of 15 runs of about 0.3 s each) and the printed columns
(samples/s, µs/step, GFLOP/s).
"""

import statistics
import time

# name, layer sizes, hidden activation, batch; `recipe` trains with Adam, the others with SGD.
WORKLOADS = [
    ("fmnist", [784, 128, 64, 10], "relu", 64),
    ("tiny", [4, 16, 3], "tanh", 1),
    ("wide", [1024, 1024, 1024, 10], "relu", 256),
    ("recipe", [784, 256, 128, 10], "relu", 64),
]

LR_SGD = 1e-4
# Adam as `torch.optim.Adam` defaults to.
LR_ADAM, BETA1, BETA2, EPS = 1e-3, 0.9, 0.999, 1e-8


def flops_per_step(sizes, batch):
    """2 per weight forward, 4 backward, 2 for the first layer (its input needs no gradient)."""
    weights = [a * b for a, b in zip(sizes, sizes[1:])]
    return batch * sum((4 if l == 0 else 6) * w for l, w in enumerate(weights))


def linear_init(rng, sizes):
    """(W, b) per layer as numpy f32 arrays, W of shape (out, in), drawn from numpy's `rng` as
    torch.nn.Linear draws them: uniform in ±1/√fan_in."""
    import numpy as np

    params = []
    for a, b in zip(sizes, sizes[1:]):
        bound = 1.0 / np.sqrt(a)
        w = rng.uniform(-bound, bound, (b, a)).astype(np.float32)
        bias = rng.uniform(-bound, bound, b).astype(np.float32)
        params.append((w, bias))
    return params


def median_of_runs(run, steps_per_run, runs=15):
    """The median over `runs` calls of `run` (which makes `steps_per_run` steps) of the time per
    step, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) / steps_per_run)
    return statistics.median(times)


def time_steps(steps):
    """The median time per step, in seconds, of `steps(count)` (which makes `count` steps and
    waits for them): 20 warm-up steps, then 15 runs of about 0.3 s."""
    steps(20)
    start = time.perf_counter()
    steps(1)
    per_run = max(1, int(0.3 / max(time.perf_counter() - start, 1e-7)))
    return median_of_runs(lambda: steps(per_run), per_run)


def header(way=False):
    way_column = f"{'way':<5} " if way else ""
    print(f"{'workload':<8} {way_column}{'samples/s':>12} {'µs/step':>10} {'GFLOP/s':>9}")


def row(name, sizes, batch, t, way=None):
    """One line of the table for a step of `t` seconds."""
    label = f"{way:<5} " if way is not None else ""
    print(f"{name:<8} {label}{batch / t:>12.0f} {t * 1e6:>10.3f} {flops_per_step(sizes, batch) / t * 1e-9:>9.1f}")

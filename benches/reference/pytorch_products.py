"""The products of one training step of the workloads of `benches/training.rs` alone, in
`torch.mm` (f32), on one thread and on two: a ceiling for a step on the machine at hand, to set
beside `pytorch_step.py`, `numpy_step.py`, `jax_step.py` and `cargo bench --bench training`.

Per layer of a inputs and b outputs on a batch of n: the forward product (n×a by a×b), the
weights' gradient (b×n by n×a) and, but for the first layer, δ back down (n×b by b×a) — the
FLOP count of `benches/training.rs`. Everything else a step does (σ, σ', softmax, bias sums,
the update) is left out, so no step can be faster than this on the same kernels. Prints the
median over several timed runs of µs per step and GFLOP/s.

    pip install torch
    python3 benches/reference/pytorch_products.py
"""

import statistics
import time

import torch

WORKLOADS = [
    ("fmnist", [784, 128, 64, 10], 64),
    ("tiny", [4, 16, 3], 1),
    ("wide", [1024, 1024, 1024, 10], 256),
    ("recipe", [784, 256, 128, 10], 64),
]


def products(sizes, n):
    """(m, k, p) of each product m×k by k×p of one step."""
    out = []
    for l, (a, b) in enumerate(zip(sizes, sizes[1:])):
        out += [(n, a, b), (b, n, a)] + ([(n, b, a)] if l > 0 else [])
    return out


def main():
    torch.manual_seed(7)
    print(f"PyTorch {torch.__version__}")
    print(f"{'threads':<8} {'workload':<8} {'µs/step':>10} {'GFLOP/s':>9}")
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for name, sizes, n in WORKLOADS:
            shapes = products(sizes, n)
            mats = [(torch.rand(m, k), torch.rand(k, p), torch.empty(m, p)) for m, k, p in shapes]

            def run():
                for a, b, c in mats:
                    torch.mm(a, b, out=c)

            for _ in range(50):
                run()
            start = time.perf_counter()
            run()
            per_run = max(1, int(0.2 / max(time.perf_counter() - start, 1e-7)))
            runs = []
            for _ in range(11):
                start = time.perf_counter()
                for _ in range(per_run):
                    run()
                runs.append((time.perf_counter() - start) / per_run)
            t = statistics.median(runs)
            flops = sum(2 * m * k * p for m, k, p in shapes)
            print(f"{threads:<8} {name:<8} {t * 1e6:>10.3f} {flops / t * 1e-9:>9.1f}")


if __name__ == "__main__":
    main()

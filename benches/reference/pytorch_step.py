"""One training step of the workloads of `benches/training.rs`, in PyTorch on the CPU.

The same math as the Rust benchmark: f32, softmax cross-entropy on the logits (mean over the
batch), plain SGD (lr 1e-4), one step = forward + backward + update; for `recipe` (the
`fashion_mnist` example's network and batch) Adam with lr 1e-3 and the paper's betas and eps,
as `torch.optim.Adam` defaults to. Prints the median time per
step over several timed runs, and samples/s, µs/step and GFLOP/s (the FLOP count of
`benches/training.rs`).

    pip install torch numpy
    python3 benches/reference/pytorch_step.py

Not part of CI: it needs PyTorch, which the library does not.
"""

import statistics
import time

import torch

WORKLOADS = [
    ("fmnist", [784, 128, 64, 10], torch.nn.ReLU, 64),
    ("tiny", [4, 16, 3], torch.nn.Tanh, 1),
    ("wide", [1024, 1024, 1024, 10], torch.nn.ReLU, 256),
    ("recipe", [784, 256, 128, 10], torch.nn.ReLU, 64),
]


def flops_per_step(sizes, batch):
    weights = [a * b for a, b in zip(sizes, sizes[1:])]
    return batch * sum((4 if l == 0 else 6) * w for l, w in enumerate(weights))


def network(sizes, act):
    layers = []
    for l, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if l < len(sizes) - 2:
            layers.append(act())
    return torch.nn.Sequential(*layers)


def main():
    torch.manual_seed(7)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{'workload':<8} {'samples/s':>12} {'µs/step':>10} {'GFLOP/s':>9}")
    for name, sizes, act, batch in WORKLOADS:
        net = network(sizes, act)
        if name == "recipe":
            opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        else:
            opt = torch.optim.SGD(net.parameters(), lr=1e-4)
        loss_fn = torch.nn.CrossEntropyLoss()
        x = torch.rand(batch, sizes[0])
        y = torch.randint(0, sizes[-1], (batch,))

        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()

        for _ in range(20):
            step()
        # Steps per timed run: about 0.3 s each.
        start = time.perf_counter()
        step()
        per_run = max(1, int(0.3 / max(time.perf_counter() - start, 1e-7)))
        runs = []
        for _ in range(15):
            start = time.perf_counter()
            for _ in range(per_run):
                step()
            runs.append((time.perf_counter() - start) / per_run)
        t = statistics.median(runs)
        print(f"{name:<8} {batch / t:>12.0f} {t * 1e6:>10.3f} {flops_per_step(sizes, batch) / t * 1e-9:>9.1f}")


if __name__ == "__main__":
    main()

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

import torch

from workloads import LR_ADAM, LR_SGD, WORKLOADS, header, row, time_steps

ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}


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
    header()
    for name, sizes, act, batch in WORKLOADS:
        net = network(sizes, ACTIVATIONS[act])
        if name == "recipe":
            opt = torch.optim.Adam(net.parameters(), lr=LR_ADAM)
        else:
            opt = torch.optim.SGD(net.parameters(), lr=LR_SGD)
        loss_fn = torch.nn.CrossEntropyLoss()
        x = torch.rand(batch, sizes[0])
        y = torch.randint(0, sizes[-1], (batch,))

        def steps(count):
            for _ in range(count):
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(net(x), y)
                loss.backward()
                opt.step()

        row(name, sizes, batch, time_steps(steps))


if __name__ == "__main__":
    main()

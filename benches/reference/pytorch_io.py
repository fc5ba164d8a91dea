"""Saving and loading the `fashion_mnist` example's network (784-256-128-10, f32) in PyTorch with
safetensors, for comparison with `cargo bench --bench io` on the same machine.

Prints the median over repeated runs of:
- `save_file(model.state_dict(), path)` (no fsync; the library's `save` syncs the file and its folder);
- `save_file` followed by `os.fsync` of the file, the same durability as the library's `save`;
- `load_file(path)` then `model.load_state_dict(...)`, the same work as the library's `load`.

    pip install torch safetensors
    python3 benches/reference/pytorch_io.py

Not part of CI: it needs PyTorch, which the library does not.
"""

import os
import statistics
import tempfile
import time

import torch
from safetensors.torch import load_file, save_file


class Fashion(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden1 = torch.nn.Linear(784, 256)
        self.hidden2 = torch.nn.Linear(256, 128)
        self.logits = torch.nn.Linear(128, 10)

    def forward(self, x):
        return self.logits(torch.relu(self.hidden2(torch.relu(self.hidden1(x)))))


def median_ms(f, repeats=200):
    f()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main():
    torch.set_num_threads(2)
    model = Fashion()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.safetensors")

        def save():
            save_file(model.state_dict(), path)

        def save_synced():
            save_file(model.state_dict(), path)
            fd = os.open(path, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)

        def load():
            model.load_state_dict(load_file(path))

        print(f"torch {torch.__version__}")
        print(f"save_file:                 {median_ms(save):.3f} ms")
        print(f"save_file + fsync:         {median_ms(save_synced):.3f} ms")
        print(f"load_file + load_state_dict: {median_ms(load):.3f} ms")
        print(f"file size: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()

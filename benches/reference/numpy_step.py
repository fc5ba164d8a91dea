"""One training step of the workloads of `benches/training.rs`, in numpy, beside
`pytorch_step.py`.

The same workloads and math as `pytorch_step.py`: f32, softmax cross-entropy on the logits
(mean over the batch), plain SGD (lr 1e-4), one step = forward + backward + update on one
fixed batch; for `recipe` Adam with lr 1e-3 and `torch.optim.Adam`'s defaults (betas 0.9 and
0.999, eps 1e-8, the same bias correction). The backward pass is written by hand: δ of the
logits = (softmax − one-hot) / batch, then per layer ∇W = δᵀ a_prev, ∇b = Σ δ, δ_prev =
(δ W) ⊙ σ'(z); the input's gradient is not computed (as PyTorch skips it). Weights as
`torch.nn.Linear` draws them (uniform in ±1/√fan_in), inputs uniform in [0, 1), labels
uniform, from seed 7. Prints the median time per step over several timed runs, and
samples/s, µs/step and GFLOP/s (the FLOP count of `benches/training.rs`).

Threads: numpy's BLAS (the OpenBLAS wheels of PyPI bundle) is limited to 2 threads by
`OPENBLAS_NUM_THREADS`, `OMP_NUM_THREADS` and `MKL_NUM_THREADS`, set to 2 before numpy is
imported unless already set (`NUMPY_THREADS=n` chooses another count); the header line shows
what threadpoolctl reports if it is installed. The elementwise parts run on one thread.

    pip install numpy threadpoolctl
    python3 benches/reference/numpy_step.py

Not part of CI: it needs numpy, which the library does not.
"""

import os

THREADS = os.environ.get("NUMPY_THREADS", "2")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, THREADS)

import numpy as np  # noqa: E402  (after the thread counts are set)

from workloads import BETA1, BETA2, EPS, LR_ADAM, LR_SGD, WORKLOADS, header, linear_init, row, time_steps  # noqa: E402


def network(rng, sizes):
    return [list(layer) for layer in linear_init(rng, sizes)]


def gradients(params, act, x, y):
    """The mean softmax cross-entropy's gradients, by hand: a list of (∇W, ∇b) per layer."""
    last = len(params) - 1
    zs, acts = [], [x]
    for l, (w, b) in enumerate(params):
        z = acts[-1] @ w.T
        z += b
        zs.append(z)
        if l < last:
            acts.append(np.maximum(z, 0.0) if act == "relu" else np.tanh(z))
    logits = zs[-1]
    n = x.shape[0]
    delta = np.exp(logits - logits.max(axis=1, keepdims=True))
    delta /= delta.sum(axis=1, keepdims=True)
    delta[np.arange(n), y] -= 1.0
    delta /= n
    grads = [None] * len(params)
    for l in range(last, -1, -1):
        grads[l] = (delta.T @ acts[l], delta.sum(axis=0))
        if l > 0:
            back = delta @ params[l][0]
            if act == "relu":
                back *= zs[l - 1] > 0.0
            else:
                back *= 1.0 - acts[l] * acts[l]
            delta = back
    return grads


def sgd_step(params, act, x, y):
    for (w, b), (gw, gb) in zip(params, gradients(params, act, x, y)):
        w -= np.float32(LR_SGD) * gw
        b -= np.float32(LR_SGD) * gb


def adam(params):
    """Adam's state, moments as torch.optim.Adam keeps them, and a step of it."""
    m = [np.zeros_like(p) for layer in params for p in layer]
    v = [np.zeros_like(p) for layer in params for p in layer]
    t = [0]

    def step(params, act, x, y):
        t[0] += 1
        correction1 = 1.0 - BETA1 ** t[0]
        correction2_sqrt = np.sqrt(1.0 - BETA2 ** t[0])
        step_size = np.float32(LR_ADAM / correction1)
        flat = [p for layer in params for p in layer]
        grads = [g for layer in gradients(params, act, x, y) for g in layer]
        for p, g, mi, vi in zip(flat, grads, m, v):
            mi *= np.float32(BETA1)
            mi += np.float32(1.0 - BETA1) * g
            vi *= np.float32(BETA2)
            vi += np.float32(1.0 - BETA2) * (g * g)
            denom = np.sqrt(vi)
            denom /= np.float32(correction2_sqrt)
            denom += np.float32(EPS)
            p -= step_size * (mi / denom)

    return step


def blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}"
    pools = [f"{p['internal_api']} {p.get('version')} {p['num_threads']} threads" for p in threadpool_info()]
    return ", ".join(pools) or "no BLAS pool found"


def main():
    rng = np.random.default_rng(7)
    print(f"numpy {np.__version__}, {blas_info()}")
    header()
    for name, sizes, act, batch in WORKLOADS:
        params = network(rng, sizes)
        update = adam(params) if name == "recipe" else sgd_step
        x = rng.random((batch, sizes[0]), dtype=np.float32)
        y = rng.integers(0, sizes[-1], batch)

        def steps(count):
            for _ in range(count):
                update(params, act, x, y)

        row(name, sizes, batch, time_steps(steps))


if __name__ == "__main__":
    main()

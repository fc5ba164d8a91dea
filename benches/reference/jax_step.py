"""One training step of the workloads of `benches/training.rs`, in JAX on the CPU, beside
`pytorch_step.py`, two ways:

- `jit`: one step (`jax.value_and_grad` of the loss and the update) compiled with `jax.jit`
  (parameters and optimiser state donated) and called from a Python loop;
- `scan`: K steps in one compiled call, `jax.lax.scan` over the steps inside `jax.jit`; the
  time per step is the call's time / K.

The same workloads and math as `pytorch_step.py`: f32, softmax cross-entropy on the logits
(mean over the batch), plain SGD (lr 1e-4), one step = forward + backward + update on one
fixed batch (every step, in both ways, sees the same batch); for `recipe` Adam with lr 1e-3
and `torch.optim.Adam`'s defaults (betas 0.9 and 0.999, eps 1e-8, the same bias correction),
written out here. Weights as `torch.nn.Linear` draws them (uniform in ±1/√fan_in), inputs
uniform in [0, 1), labels uniform, from seed 7 (numpy's generator). Prints, for each way, the
median time per step over several timed runs after warm-up (compilation excluded), and
samples/s, µs/step and GFLOP/s (the FLOP count of `benches/training.rs`). Every timed run
ends with `block_until_ready` on the parameters, so it counts every step it dispatched.

Threads: XLA's CPU client has no switch for its thread count; it sizes its pool to the cores
the process may run on, so on a 2-core machine it uses 2, and under `taskset -c 0,1` (or
`taskset -c 0` for one) it uses those. The header line shows the count it sees.

    pip install "jax[cpu]" numpy
    python3 benches/reference/jax_step.py

Not part of CI: it needs JAX, which the library does not.
"""

import os
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_platforms", "cpu")

WORKLOADS = [
    ("fmnist", [784, 128, 64, 10], jax.nn.relu, 64),
    ("tiny", [4, 16, 3], jnp.tanh, 1),
    ("wide", [1024, 1024, 1024, 10], jax.nn.relu, 256),
    ("recipe", [784, 256, 128, 10], jax.nn.relu, 64),
]

LR_SGD = 1e-4
LR_ADAM, BETA1, BETA2, EPS = 1e-3, 0.9, 0.999, 1e-8


def flops_per_step(sizes, batch):
    weights = [a * b for a, b in zip(sizes, sizes[1:])]
    return batch * sum((4 if l == 0 else 6) * w for l, w in enumerate(weights))


def network(rng, sizes):
    """(W, b) per layer, W of shape (out, in), as torch.nn.Linear draws them."""
    params = []
    for a, b in zip(sizes, sizes[1:]):
        bound = 1.0 / np.sqrt(a)
        w = rng.uniform(-bound, bound, (b, a)).astype(np.float32)
        bias = rng.uniform(-bound, bound, b).astype(np.float32)
        params.append((jnp.asarray(w), jnp.asarray(bias)))
    return params


def make_step(act, optimiser):
    """One step: (params, state, x, y) -> (params, state, loss)."""

    def loss_fn(params, x, y):
        a = x
        for w, b in params[:-1]:
            a = act(a @ w.T + b)
        w, b = params[-1]
        logits = a @ w.T + b
        logp = jax.nn.log_softmax(logits)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    def sgd(params, state, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        params = jax.tree_util.tree_map(lambda p, g: p - LR_SGD * g, params, grads)
        return params, state, loss

    def adam(params, state, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        m, v, t = state
        t = t + 1
        m = jax.tree_util.tree_map(lambda m, g: BETA1 * m + (1.0 - BETA1) * g, m, grads)
        v = jax.tree_util.tree_map(lambda v, g: BETA2 * v + (1.0 - BETA2) * g * g, v, grads)
        tf = t.astype(jnp.float32)
        step_size = LR_ADAM / (1.0 - BETA1**tf)
        correction2_sqrt = jnp.sqrt(1.0 - BETA2**tf)

        def update(p, m, v):
            return p - step_size * m / (jnp.sqrt(v) / correction2_sqrt + EPS)

        params = jax.tree_util.tree_map(update, params, m, v)
        return params, (m, v, t), loss

    return adam if optimiser == "adam" else sgd


def initial_state(params, optimiser):
    if optimiser != "adam":
        return ()
    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    return (zeros, jax.tree_util.tree_map(jnp.zeros_like, params), jnp.zeros((), jnp.int32))


def median_per_step(run, steps_per_run, runs=15):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) / steps_per_run)
    return statistics.median(times)


def main():
    rng = np.random.default_rng(7)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"JAX {jax.__version__}, {jax.devices()[0].platform}, {cores} cores visible")
    print(f"{'workload':<8} {'way':<5} {'samples/s':>12} {'µs/step':>10} {'GFLOP/s':>9}")
    for name, sizes, act, batch in WORKLOADS:
        optimiser = "adam" if name == "recipe" else "sgd"
        params0 = network(rng, sizes)
        x = jnp.asarray(rng.random((batch, sizes[0]), dtype=np.float32))
        y = jnp.asarray(rng.integers(0, sizes[-1], batch).astype(np.int32))
        step = make_step(act, optimiser)
        flops = flops_per_step(sizes, batch)

        def report(way, t):
            print(f"{name:<8} {way:<5} {batch / t:>12.0f} {t * 1e6:>10.3f} {flops / t * 1e-9:>9.1f}")

        # (a) One jitted step called from Python.
        jitted = jax.jit(step, donate_argnums=(0, 1))
        carry = [params0, initial_state(params0, optimiser)]
        # A copy of the parameters for (b): (a) donates its buffers.
        params_scan = jax.tree_util.tree_map(jnp.array, params0)

        def steps(count):
            params, state = carry
            for _ in range(count):
                params, state, _ = jitted(params, state, x, y)
            jax.block_until_ready(params)
            carry[:] = [params, state]

        steps(20)
        # Steps per timed run: about 0.3 s each.
        start = time.perf_counter()
        steps(1)
        per_run = max(1, int(0.3 / max(time.perf_counter() - start, 1e-7)))
        t_jit = median_per_step(lambda: steps(per_run), per_run)
        report("jit", t_jit)

        # (b) K steps in one call: lax.scan over the steps inside jit, K for about 0.3 s.
        k = max(1, int(0.3 / t_jit))

        def many(params, state, x, y):
            def body(carry, _):
                params, state, loss = step(*carry, x, y)
                return (params, state), loss

            (params, state), losses = jax.lax.scan(body, (params, state), None, length=k)
            return params, state, losses[-1]

        scanned = jax.jit(many, donate_argnums=(0, 1))
        carry = [params_scan, initial_state(params_scan, optimiser)]

        def call():
            params, state, _ = scanned(*carry, x, y)
            jax.block_until_ready(params)
            carry[:] = [params, state]

        call()  # compiles, and warms up
        call()
        report("scan", median_per_step(call, k))


if __name__ == "__main__":
    main()

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

Threads: XLA's CPU client has no switch for its thread count; it sizes its pool to the cores the
process may run on (its affinity: jax-ml/jax#1539), so on a 2-core machine it uses 2, and under
`taskset -c 0,1` (or `taskset -c 0` for one) it uses those. The header line shows the count it
sees.

    pip install "jax[cpu]" numpy
    python3 benches/reference/jax_step.py

Not part of CI: it needs JAX, which the library does not.
"""

import os

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_platforms", "cpu")

from workloads import BETA1, BETA2, EPS, LR_ADAM, LR_SGD, WORKLOADS, header, linear_init, median_of_runs, row, time_steps

ACTIVATIONS = {"relu": jax.nn.relu, "tanh": jnp.tanh}


def network(rng, sizes):
    return [(jnp.asarray(w), jnp.asarray(b)) for w, b in linear_init(rng, sizes)]


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


def main():
    rng = np.random.default_rng(7)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"JAX {jax.__version__}, {jax.devices()[0].platform}, {cores} cores visible")
    header(way=True)
    for name, sizes, act, batch in WORKLOADS:
        optimiser = "adam" if name == "recipe" else "sgd"
        params0 = network(rng, sizes)
        x = jnp.asarray(rng.random((batch, sizes[0]), dtype=np.float32))
        y = jnp.asarray(rng.integers(0, sizes[-1], batch).astype(np.int32))
        step = make_step(ACTIVATIONS[act], optimiser)

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

        t_jit = time_steps(steps)
        row(name, sizes, batch, t_jit, "jit")

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
        row(name, sizes, batch, median_of_runs(call, k), "scan")


if __name__ == "__main__":
    main()

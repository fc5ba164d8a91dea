//! Data parallelism inside one machine: a batch cut into shards of a fixed number of samples,
//! each shard's forward and backward pass in a workspace of its own on one of rayon's threads,
//! the shards' gradients summed in shard order, then one update.
//!
//! The cost of a batch of n samples is the mean of the costs of its samples, so with shards of
//! n_s samples whose mean costs are C_s,
//!
//! C = Σ_s (n_s / n) C_s   and   ∂C/∂θ = Σ_s (n_s / n) ∂C_s/∂θ,
//!
//! where each ∂C_s/∂θ comes from the paper's equations (1)–(4) on the shard alone
//! ([`Network::backward_in`]). The shards depend only on n and the shard size, and the sum runs
//! in shard order whatever thread computed each term, so the result is bit for bit the same on
//! one thread as on eight; it differs from one unsharded pass only by rounding.

use ndarray::{ArrayView2, Axis, Slice};

use crate::error::Error;

use crate::float::Float;

use crate::network::Network;

use crate::optim::Optimizer;

use crate::parameters::Gradients;

use crate::targets::Targets;

use crate::workspace::Workspace;

/// Workspaces for data-parallel steps: [`backward`](Shards::backward) and
/// [`train_step`](Shards::train_step) cut the batch into shards of
/// [`shard_rows`](Shards::shard_rows) samples (the last one may be shorter) and run them on
/// rayon's threads.
///
/// It holds one [`Workspace`] per thread of rayon's pool, not per shard: a batch of more shards
/// than threads runs in waves, so memory is bounded by the threads and the shard size, whatever
/// the batch. The workspaces grow to the largest shard they are given, the only time it
/// allocates; a step inside rayon's pool (`ThreadPool::install`, where every rayon task runs)
/// allocates nothing after that (`tests/no_allocation_threads.rs`).
///
/// ```
/// use backprop_core::{Network, Shards, Sgd};
/// # use backprop_core::ndarray::Array2;
/// # fn demo<N: Network<f32> + Sync>(net: &mut N, x: Array2<f32>, labels: &[usize]) -> Result<(), backprop_core::Error> {
/// let mut shards = Shards::<f32, N::Gradients>::new::<N>(32)?;
/// let mut sgd = Sgd::new(0.1)?;
/// let cost = shards.train_step(net, x.view(), labels, &mut sgd)?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Shards<F: Float, G> {
    rows: usize,
    /// One workspace per shard computed at the same time: at most one per thread of rayon's
    /// pool, so that memory does not grow with the number of shards.
    workspaces: Vec<Workspace<F, G>>,
    results: Vec<Result<F, Error>>,
    /// The weighted sum of the shards' gradients.
    total: G,
}

impl<F: Float, G: Gradients<F>> Shards<F, G> {
    /// Workspaces for network `N` that cut batches into shards of `shard_rows` samples.
    ///
    /// Fails with [`Error::InvalidOption`] if `shard_rows` is 0.
    pub fn new<N: Network<F, Gradients = G>>(shard_rows: usize) -> Result<Self, Error> {
        let rows = crate::check::check_count("the samples per shard", shard_rows, "at least 1")?;
        Ok(Shards { rows, workspaces: Vec::new(), results: Vec::new(), total: G::zeros() })
    }

    /// The number of samples per shard.
    pub fn shard_rows(&self) -> usize {
        self.rows
    }

    /// The gradients of the last [`backward`](Shards::backward), summed over its shards:
    /// ∂C/∂W^l and ∂C/∂b^l of the whole batch (unspecified after a `backward` that failed).
    pub fn gradients(&self) -> &G {
        &self.total
    }

    /// The cost C of the batch `x` with targets `y`, and its gradients, left in
    /// [`gradients`](Shards::gradients): each shard's backward pass on a thread of rayon's
    /// pool, then the weighted sum above, in shard order.
    ///
    /// Fails as [`Network::backward_in`] does; a sample named in an error is counted from the
    /// start of the batch.
    pub fn backward<'a, N>(
        &mut self,
        net: &N,
        x: ArrayView2<'_, F>,
        y: impl Into<Targets<'a, F>>,
    ) -> Result<F, Error>
    where
        N: Network<F, Gradients = G> + Sync,
    {
        let y = y.into();
        let n = x.nrows();
        if n == 0 {
            return Err(Error::EmptyBatch);
        }
        y.check(n, N::OUTPUT)?;
        // The shards run in waves of one per thread; the sum runs in shard order, wave after
        // wave, so neither the number of threads nor the waves change a bit of it.
        let (rows, count) = (self.rows, n.div_ceil(self.rows));
        let width = rayon::current_num_threads().clamp(1, count);
        while self.workspaces.len() < width {
            self.workspaces.push(N::workspace());
        }
        self.results.resize_with(width.max(self.results.len()), || Ok(F::zero()));
        let mut cost = F::zero();
        for first in (0..count).step_by(width) {
            let k = width.min(count - first);
            let (workspaces, results) = (&mut self.workspaces[..k], &mut self.results[..k]);
            run(net, x, y, rows, first, workspaces, results);
            for (i, (workspace, result)) in workspaces.iter().zip(results.iter_mut()).enumerate() {
                let s = first + i;
                let shard_cost =
                    core::mem::replace(result, Ok(F::zero())).map_err(|e| e.at_offset(s * rows))?;
                let weight = weight::<F>(s, rows, n);
                cost += weight * shard_cost;
                add_gradients(&mut self.total, workspace.gradients(), weight, s == 0);
            }
        }
        Ok(cost)
    }

    /// One step of `optimizer` on the gradients of [`backward`](Shards::backward): the update
    /// is the optimiser's own [`step`](Optimizer::step), applied once to the summed gradients
    /// (never fused with a shard's backward pass). A step that fails changes nothing.
    pub fn train_step<'a, N, O>(
        &mut self,
        net: &mut N,
        x: ArrayView2<'_, F>,
        y: impl Into<Targets<'a, F>>,
        optimizer: &mut O,
    ) -> Result<F, Error>
    where
        N: Network<F, Gradients = G> + Sync,
        O: Optimizer<F>,
    {
        let cost = self.backward(net, x, y)?;
        optimizer.step(net, self.gradients())?;
        Ok(cost)
    }
}

/// n_s / n for shard `s` of a batch of `n` samples in shards of `rows`.
fn weight<F: Float>(s: usize, rows: usize, n: usize) -> F {
    let size = rows.min(n - s * rows);
    F::of_usize(size) / F::of_usize(n)
}

/// Runs the backward pass of every shard, halving the shards between the two sides of a
/// `rayon::join` until one is left: jobs on the stack, nothing allocated.
fn run<F: Float, N: Network<F> + Sync>(
    net: &N,
    x: ArrayView2<'_, F>,
    y: Targets<'_, F>,
    rows: usize,
    first: usize,
    workspaces: &mut [Workspace<F, N::Gradients>],
    results: &mut [Result<F, Error>],
) {
    if let ([workspace], [result]) = (&mut *workspaces, &mut *results) {
        let start = first * rows;
        let end = (start + rows).min(x.nrows());
        let shard = x.slice_axis(Axis(0), Slice::from(start..end));
        *result = net.backward_in(shard, y.rows(start, end), workspace);
        return;
    }
    let mid = workspaces.len() / 2;
    let (left, right) = workspaces.split_at_mut(mid);
    let (left_results, right_results) = results.split_at_mut(mid);
    rayon::join(
        || run(net, x, y, rows, first, left, left_results),
        || run(net, x, y, rows, first + mid, right, right_results),
    );
}

/// total ← weight · gradients if `first`, else total ← total + weight · gradients, layer by
/// layer, element by element.
fn add_gradients<F: Float, G: Gradients<F>>(total: &mut G, gradients: &G, weight: F, first: bool) {
    let mut layer = 0;
    total.visit_mut(&mut |mut sum| {
        let mut l = 0;
        gradients.visit(&mut |g| {
            if l == layer {
                if first {
                    sum.weight.zip_mut_with(&g.weight, |t, &v| *t = weight * v);
                    sum.bias.zip_mut_with(&g.bias, |t, &v| *t = weight * v);
                } else {
                    sum.weight.scaled_add(weight, &g.weight);
                    sum.bias.scaled_add(weight, &g.bias);
                }
            }
            l += 1;
        });
        layer += 1;
    });
}

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

use crate::{Error, Float, Gradients, Network, Optimizer, Targets, Workspace};

/// Workspaces for data-parallel steps: [`backward`](Shards::backward) and
/// [`train_step`](Shards::train_step) cut the batch into shards of
/// [`shard_rows`](Shards::shard_rows) samples (the last one may be shorter) and run them on
/// rayon's threads.
///
/// Like a [`Workspace`], it grows to the largest batch it is given, the only time it allocates;
/// a step inside rayon's pool (`ThreadPool::install`, where `Trainer` and every rayon task run)
/// allocates nothing after that.
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
    workspaces: Vec<Workspace<F, G>>,
    results: Vec<Result<F, Error>>,
}

impl<F: Float, G: Gradients<F>> Shards<F, G> {
    /// Workspaces for network `N` that cut batches into shards of `shard_rows` samples.
    ///
    /// Fails with [`Error::InvalidOption`] if `shard_rows` is 0.
    pub fn new<N: Network<F, Gradients = G>>(shard_rows: usize) -> Result<Self, Error> {
        let rows = crate::optim::check_count("the samples per shard", shard_rows, "at least 1")?;
        Ok(Shards { rows, workspaces: vec![N::workspace()], results: Vec::new() })
    }

    /// The number of samples per shard.
    pub fn shard_rows(&self) -> usize {
        self.rows
    }

    /// The gradients of the last [`backward`](Shards::backward), summed over its shards:
    /// ∂C/∂W^l and ∂C/∂b^l of the whole batch.
    pub fn gradients(&self) -> &G {
        // `new` makes one workspace, and none is ever removed.
        self.workspaces[0].gradients()
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
        let count = n.div_ceil(self.rows);
        while self.workspaces.len() < count {
            self.workspaces.push(N::workspace());
        }
        self.results.resize_with(count.max(self.results.len()), || Ok(F::zero()));
        let (workspaces, results) = (&mut self.workspaces[..count], &mut self.results[..count]);
        run(net, x, y, self.rows, 0, workspaces, results);
        let mut cost = F::zero();
        for (s, result) in results.iter_mut().enumerate() {
            let shard_cost =
                core::mem::replace(result, Ok(F::zero())).map_err(|e| e.at_offset(s * self.rows))?;
            cost += weight::<F>(s, self.rows, n) * shard_cost;
        }
        let (first, rest) = workspaces.split_at_mut(1);
        sum_gradients(first[0].gradients_mut(), rest, self.rows, n);
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

/// gradients ← (n₀/n)·gradients + Σ_{s ≥ 1} (n_s/n)·(the gradients of shard s), shard by shard in
/// order, layer by layer.
fn sum_gradients<F: Float, G: Gradients<F>>(first: &mut G, rest: &[Workspace<F, G>], rows: usize, n: usize) {
    let scale = weight::<F>(0, rows, n);
    if scale != F::one() {
        first.visit_mut(&mut |p| {
            p.weight.into_iter().chain(p.bias).for_each(|v| *v *= scale);
        });
    }
    for (s, shard) in rest.iter().enumerate() {
        let scale = weight::<F>(s + 1, rows, n);
        let mut layer = 0;
        first.visit_mut(&mut |mut total| {
            let mut l = 0;
            shard.gradients().visit(&mut |g| {
                if l == layer {
                    total.weight.scaled_add(scale, &g.weight);
                    total.bias.scaled_add(scale, &g.bias);
                }
                l += 1;
            });
            layer += 1;
        });
    }
}

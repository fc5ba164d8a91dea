//! Optimisers: rules that update a network's parameters from their gradients, and schedules of
//! the learning rate.
//!
//! Every optimiser updates any generated network through one mechanism the macro generates,
//! [`Network::visit_with_gradients`], which hands over each layer's parameters with their
//! gradients. An optimiser sees the parameters as *tensors* numbered in visit order: the first
//! layer's weight is tensor 0, its bias tensor 1, the second layer's weight tensor 2, and so on.
//! State that an optimiser keeps per parameter (momentum, moment estimates) is kept per tensor in
//! that order, allocated on the first step.
//!
//! | optimiser | update | source |
//! |---|---|---|
//! | [`Sgd`] | θ ← θ − η g, with optional (Nesterov) momentum | Robbins & Monro 1951; Polyak 1964; Sutskever et al. 2013 |
//! | [`Adam`] | θ ← θ − η m̂ / (√v̂ + ε) | Kingma & Ba 2015 |
//! | [`AdamW`] | θ ← θ − ηλθ, then Adam | Loshchilov & Hutter 2019 |
//! | [`WeightDecay`] | g ← g + λθ, then any optimiser | L2 regularisation |
//! | [`ClipGradNorm`] | g ← g · min(1, c / (‖g‖ + 10⁻⁶)), then any optimiser | Pascanu et al. 2013 |
//!
//! [`WeightDecay`] and [`ClipGradNorm`] wrap any optimiser that implements [`UpdateRule`], and
//! nest: `ClipGradNorm::new(WeightDecay::new(Sgd::new(0.1)?, 1e-4)?, 1.0)?` clips the raw
//! gradients, then adds the decay, as PyTorch does when `clip_grad_norm_` precedes
//! `SGD(weight_decay=...).step()`. Schedules ([`Schedule`]: [`Constant`], [`StepDecay`],
//! [`Cosine`]) set the learning rate of any optimiser through
//! [`Optimizer::set_learning_rate`].

mod adam;
mod adamw;
mod clip;
mod schedule;
mod sgd;
mod state;
mod weight_decay;

pub use adam::Adam;
pub use adamw::AdamW;
pub use clip::ClipGradNorm;
pub use schedule::{Constant, Cosine, Schedule, StepDecay};
pub use sgd::Sgd;
pub use state::{OptimizerState, Resumable};
pub use weight_decay::WeightDecay;

use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD};

use crate::{Error, Float, Network};

/// An update rule θ ← θ − (step from ∂C/∂θ), applied to every weight and bias of a network
/// through [`Network::visit_with_gradients`].
pub trait Optimizer<F: Float> {
    /// Updates `net` in place from `gradients`, as returned by [`Network::backward`].
    ///
    /// Fails with [`Error::ParameterShape`] if a gradient's shape differs from its parameter's,
    /// with [`Error::OptimizerState`] if the optimiser keeps state that was built for a
    /// network with other shapes, and with [`Error::NonFiniteUpdate`] (naming the layer) if a
    /// parameter or the optimiser's state would not be finite after the step: a gradient that
    /// holds NaN or an infinity, or an update that overflows. A step that fails changes
    /// nothing, neither the network nor the optimiser's state; one that succeeds leaves every
    /// parameter finite. Every optimiser of this module checks the new values before it writes
    /// any.
    fn step<N: Network<F>>(&mut self, net: &mut N, gradients: &N::Gradients) -> Result<(), Error>;

    /// The learning rate η the next step uses.
    fn learning_rate(&self) -> F;

    /// Sets the learning rate η of the next steps: what a [`Schedule`] or a trainer calls.
    ///
    /// Fails with [`Error::InvalidOption`] unless η is finite and not negative (zero is allowed,
    /// so that a schedule may anneal to it).
    fn set_learning_rate(&mut self, learning_rate: F) -> Result<(), Error>;

    /// The learning rate η if this optimiser's next update is exactly plain gradient descent,
    /// θ ← θ − η ∂C/∂θ, with no state of its own: then [`Network::train_step`] applies it fused
    /// with the backward pass, and does not call [`step`](Optimizer::step). `None` (the
    /// default) for every other rule.
    fn fused_learning_rate(&self) -> Option<F> {
        None
    }
}

/// Calls the function it is given with every parameter tensor of a step and that tensor's
/// gradient, in visit order: `(index, parameter, gradient)`. It may be called more than once per
/// step, and always yields the same tensors in the same order.
pub type Tensors<'a, F> = dyn FnMut(&mut dyn FnMut(usize, ArrayViewD<'_, F>, ArrayViewD<'_, F>)) + 'a;

/// An optimiser that updates one parameter tensor at a time: what [`WeightDecay`] and
/// [`ClipGradNorm`] wrap, and what [`step_with_rule`] applies to a whole network.
///
/// A step is two passes: [`begin`](UpdateRule::begin) sees every (parameter, gradient) pair before
/// anything changes — to allocate or check state, to compute a global statistic such as the
/// gradients' norm, and to check that every value the step will write is finite — and may fail;
/// then [`update`](UpdateRule::update) is called once per tensor, in visit order, and changes the
/// parameters. A wrapper passes its transformed gradients on to the optimiser inside it in both
/// passes.
///
/// A rule of your own keeps the promise of [`Optimizer::step`] by computing, in `begin`, the
/// values `update` will write, with the same arithmetic, and returning
/// [`non_finite_update`]`(index)` for a tensor where one is not finite (see
/// [`updates_are_finite`]).
pub trait UpdateRule<F: Float>: Optimizer<F> {
    /// Prepares a step: `tensors` yields every parameter with its gradient, none changed yet.
    /// Fails, changing nothing, if the step cannot be taken, in particular with
    /// [`Error::NonFiniteUpdate`] if a value it would write is not finite.
    fn begin(&mut self, tensors: &mut Tensors<'_, F>) -> Result<(), Error>;

    /// Updates tensor `index` (in visit order) from its gradient. Only valid after a successful
    /// [`begin`](UpdateRule::begin) of the same step; a tensor whose shape differs from what
    /// `begin` saw is left as it is.
    fn update(&mut self, index: usize, parameter: ArrayViewMutD<'_, F>, gradient: ArrayViewD<'_, F>);

    /// Forgets all state (momentum, moment estimates, the step count), as if no step had been
    /// taken; the options and the learning rate stay.
    fn reset(&mut self);
}

/// One step of `rule` on `net`: checks the gradients' shapes, runs
/// [`UpdateRule::begin`] over every tensor, then [`UpdateRule::update`] on each in visit order.
///
/// This is [`Optimizer::step`] for every optimiser of this module; an optimiser of your own that
/// implements [`UpdateRule`] can use it too, and then composes with the wrappers.
pub fn step_with_rule<F: Float, N: Network<F>, R: UpdateRule<F> + ?Sized>(
    rule: &mut R,
    net: &mut N,
    gradients: &N::Gradients,
) -> Result<(), Error> {
    check_gradient_shapes(net, gradients)?;
    rule.begin(&mut |f| {
        let mut index = 0;
        net.visit_with_gradients(gradients, &mut |p, g| {
            f(index, p.weight.view().into_dyn(), g.weight.into_dyn());
            f(index + 1, p.bias.view().into_dyn(), g.bias.into_dyn());
            index += 2;
        });
    })
    .map_err(name_layer::<F, N>)?;
    let mut index = 0;
    net.visit_with_gradients(gradients, &mut |p, g| {
        rule.update(index, p.weight.into_dyn(), g.weight.into_dyn());
        rule.update(index + 1, p.bias.into_dyn(), g.bias.into_dyn());
        index += 2;
    });
    Ok(())
}

/// The error of a step that would write a non-finite value into parameter tensor `index` (in
/// visit order: the first layer's weight is 0, its bias 1, …) or into the optimiser's state for
/// it. [`step_with_rule`] fills in the layer's name.
pub fn non_finite_update(index: usize) -> Error {
    let parameter = if index % 2 == 0 { "weight" } else { "bias" };
    Error::NonFiniteUpdate { layer: "?", parameter, tensor: index }
}

/// Names the layer of an [`Error::NonFiniteUpdate`] from its tensor's index.
fn name_layer<F: Float, N: Network<F>>(error: Error) -> Error {
    match error {
        Error::NonFiniteUpdate { tensor, parameter, .. } => {
            let layer = N::LAYERS.get(tensor / 2).map_or("?", |l| l.name);
            Error::NonFiniteUpdate { layer, parameter, tensor }
        }
        other => other,
    }
}

/// Whether the new values `f(θ, a, b, g)` of an update — the parameter and two values of state
/// (0 where a rule keeps less) — are finite for every element of a tensor: θ from `parameter`,
/// g from `gradient`, and a and b from `state` (zero when the rule has no state for the tensor
/// yet). `f` must be the arithmetic the rule's `update` does, so that the check sees exactly
/// the values the update will write.
pub fn updates_are_finite<F: Float>(
    parameter: &ArrayViewD<'_, F>,
    state: Option<(&ArrayD<F>, &ArrayD<F>)>,
    gradient: &ArrayViewD<'_, F>,
    f: impl Fn(F, F, F, F) -> (F, F, F),
) -> bool {
    if parameter.shape() != gradient.shape() {
        return true; // left as it is by `update`
    }
    let finite = still_finite::<F>;
    let state = state.filter(|(a, b)| a.shape() == parameter.shape() && b.shape() == parameter.shape());
    // Slices when every tensor is in standard layout (the network's parameters, their gradients
    // and the optimisers' buffers are): a loop LLVM vectorises for the widest vector
    // instructions the CPU has, where ndarray's `Zip` over dynamic dimensions costs an index
    // computation per element.
    if let (Some(ps), Some(gs)) = (parameter.as_slice(), gradient.as_slice()) {
        let state = match state.map(|(a, b)| (a.as_slice(), b.as_slice())) {
            None => Some(None),
            Some((Some(a), Some(b))) => Some(Some((a, b))),
            Some(_) => None,
        };
        if let Some(state) = state {
            return pulp::Arch::new().dispatch(FiniteUpdates { parameter: ps, state, gradient: gs, f });
        }
    }
    match state {
        Some((a, b)) => ndarray::Zip::from(parameter)
            .and(a)
            .and(b)
            .and(gradient)
            .fold(true, |ok, &p, &a, &b, &g| finite(ok, f(p, a, b, g))),
        None => ndarray::Zip::from(parameter)
            .and(gradient)
            .fold(true, |ok, &p, &g| finite(ok, f(p, F::zero(), F::zero(), g))),
    }
}

/// `x`, or 0 where |x| is below the smallest normal float (a subnormal value): what the
/// optimisers of this module store as momentum and moment estimates.
///
/// A moment whose gradient has become 0 only decays, m ← β m, and once it is subnormal it stays
/// there: β times the smallest subnormal rounds back to it for every β > ½. Such a value no
/// longer moves any parameter (it is below 10⁻³⁰ of every normal one), but each operation on it
/// costs x86 CPUs a microcode assist of about a hundred cycles; before this flush, 18 % of the
/// first moments of the `fashion_mnist` example's network were stuck there and made its Adam
/// update several times slower (`BENCHMARKS.md`). NaN and the infinities are kept, so the
/// finiteness checks still see them.
#[inline(always)]
pub(crate) fn flush_subnormal<F: Float>(x: F) -> F {
    if x.abs() < F::min_positive_value() { F::zero() } else { x }
}

/// `ok` and whether the three values are finite: the step of [`updates_are_finite`]'s fold,
/// without branches, so that it vectorises.
#[inline(always)]
fn still_finite<F: Float>(ok: bool, (p, a, b): (F, F, F)) -> bool {
    ok & p.is_finite() & a.is_finite() & b.is_finite()
}

/// [`updates_are_finite`] over slices, as a pulp kernel: compiled for the widest vector
/// instructions the CPU has (chosen at run time), where LLVM vectorises the fold.
struct FiniteUpdates<'a, F, G> {
    parameter: &'a [F],
    state: Option<(&'a [F], &'a [F])>,
    gradient: &'a [F],
    f: G,
}

impl<F: Float, G: Fn(F, F, F, F) -> (F, F, F)> pulp::WithSimd for FiniteUpdates<'_, F, G> {
    type Output = bool;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) -> bool {
        let FiniteUpdates { parameter, state, gradient, f } = self;
        let finite = still_finite::<F>;
        match state {
            None => parameter
                .iter()
                .zip(gradient)
                .fold(true, |ok, (&p, &g)| finite(ok, f(p, F::zero(), F::zero(), g))),
            Some((a, b)) => {
                let elements = parameter.iter().zip(a).zip(b).zip(gradient);
                elements.fold(true, |ok, (((&p, &a), &b), &g)| finite(ok, f(p, a, b, g)))
            }
        }
    }
}

/// Checks that every gradient in `gradients` has the shape of its parameter, before an
/// optimiser changes anything, so that a bad gradient leaves the network as it was.
pub fn check_gradient_shapes<F: Float, N: Network<F>>(
    net: &mut N,
    gradients: &N::Gradients,
) -> Result<(), Error> {
    let mut result = Ok(());
    net.visit_with_gradients(gradients, &mut |p, g| {
        if result.is_err() {
            return;
        }
        let (parameter, expected, found) = if p.weight.dim() != g.weight.dim() {
            ("weight gradient", p.weight.shape(), g.weight.shape())
        } else if p.bias.dim() != g.bias.dim() {
            ("bias gradient", p.bias.shape(), g.bias.shape())
        } else {
            return;
        };
        result = Err(Error::ParameterShape {
            layer: p.layer,
            parameter,
            inputs: p.weight.ncols(),
            outputs: p.weight.nrows(),
            expected: expected.to_vec(),
            found: found.to_vec(),
        });
    });
    result
}

/// Per-tensor state of an optimiser: `K` buffers per tensor, shaped like it, in visit order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Slots<F, const K: usize> {
    pub(crate) buffers: Vec<[ArrayD<F>; K]>,
}

impl<F, const K: usize> Default for Slots<F, K> {
    fn default() -> Self {
        Slots { buffers: Vec::new() }
    }
}

impl<F: Float, const K: usize> Slots<F, K> {
    /// Allocates zero buffers shaped like the tensors on the first step; on later steps checks
    /// that the tensors still have the shapes the buffers were built for.
    pub(crate) fn prepare(&mut self, tensors: &mut Tensors<'_, F>) -> Result<(), Error> {
        if self.buffers.is_empty() {
            let buffers = &mut self.buffers;
            tensors(&mut |_, p, _| buffers.push(core::array::from_fn(|_| ArrayD::zeros(p.raw_dim()))));
            return Ok(());
        }
        self.check_shapes(tensors)
    }

    /// Checks that the tensors have the shapes the buffers were built for (any shapes before
    /// the first step), allocating nothing.
    pub(crate) fn check_shapes(&self, tensors: &mut Tensors<'_, F>) -> Result<(), Error> {
        if self.buffers.is_empty() {
            return Ok(());
        }
        let (mut count, mut same) = (0, true);
        tensors(&mut |i, p, _| {
            same &= self.buffers.get(i).is_some_and(|b| b.iter().all(|b| b.shape() == p.shape()));
            count += 1;
        });
        if same && count == self.buffers.len() {
            return Ok(());
        }
        let mut found = Vec::new();
        tensors(&mut |_, p, _| found.push(p.shape().to_vec()));
        let expected =
            self.buffers.iter().map(|b| b.first().map_or_else(Vec::new, |b| b.shape().to_vec())).collect();
        Err(Error::OptimizerState { expected, found })
    }

    /// The buffers of tensor `index`, if they exist.
    pub(crate) fn get(&self, index: usize) -> Option<&[ArrayD<F>; K]> {
        self.buffers.get(index)
    }

    /// The buffers of tensor `index`, if they exist and have `shape`.
    pub(crate) fn get_mut(&mut self, index: usize, shape: &[usize]) -> Option<&mut [ArrayD<F>; K]> {
        self.buffers.get_mut(index).filter(|b| b.iter().all(|b| b.shape() == shape))
    }

    /// Forgets every buffer.
    pub(crate) fn clear(&mut self) {
        self.buffers.clear();
    }
}

/// A scratch buffer per tensor, for wrappers that pass transformed gradients on: reused from
/// step to step, reallocated only when a tensor's shape changes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scratch<F> {
    buffers: Vec<ArrayD<F>>,
}

impl<F> PartialEq for Scratch<F> {
    /// Always: what a scratch buffer holds between steps is no state of the optimiser (each
    /// step writes it before reading it), so two optimisers that differ only there are equal.
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl<F: Float> Scratch<F> {
    /// The buffer of tensor `index`, shaped like `like` (contents unspecified).
    pub(crate) fn buffer(&mut self, index: usize, like: &ArrayViewD<'_, F>) -> &mut ArrayD<F> {
        if self.buffers.len() <= index {
            self.buffers.resize_with(index + 1, || ArrayD::zeros(ndarray::IxDyn(&[0])));
        }
        let buffer = &mut self.buffers[index];
        if buffer.shape() != like.shape() {
            *buffer = ArrayD::zeros(like.raw_dim());
        }
        buffer
    }
}

/// Runs `f` over the elements of a parameter tensor, its optimiser state `a` and `b`, and its
/// gradient, in step. When all four are in standard layout (as the network's parameters, their
/// gradients and the optimisers' buffers are) it is a loop over slices, which LLVM vectorises;
/// otherwise ndarray's `Zip`, which takes any layout.
pub(crate) fn for_each_element<F: Float>(
    mut parameter: ArrayViewMutD<'_, F>,
    mut a: ArrayViewMutD<'_, F>,
    mut b: ArrayViewMutD<'_, F>,
    gradient: ArrayViewD<'_, F>,
    f: impl Fn(&mut F, &mut F, &mut F, F) + Sync,
) {
    if let (Some(p), Some(a), Some(b), Some(g)) =
        (parameter.as_slice_mut(), a.as_slice_mut(), b.as_slice_mut(), gradient.as_slice())
    {
        let parts = if crate::linalg::busy() { rayon::current_num_threads() } else { 1 };
        split_elements(parts, [p, a, b], g, &|[p, a, b], g| {
            for (((p, a), b), &g) in p.iter_mut().zip(a).zip(b).zip(g) {
                f(p, a, b, g);
            }
        });
    } else {
        ndarray::Zip::from(&mut parameter)
            .and(&mut a)
            .and(&mut b)
            .and(&gradient)
            .for_each(|p, a, b, &g| f(p, a, b, g));
    }
}

/// Elements from which an update of one tensor is split over the threads inside
/// [`with_busy_workers`](crate::linalg::with_busy_workers), where the other threads poll for
/// work: an Adam update of 32 768 elements takes about 17 µs on one core of the machines of
/// `BENCHMARKS.md`, against about a microsecond to hand half of it over.
pub(crate) const BUSY_ELEMENTS: usize = 1 << 15;

/// Runs `f` over the `N` writable slices `outs` and the gradient `g`, element by element, in
/// the widest vector instructions the CPU has: in one piece, or cut into `parts` pieces of
/// about equal size, at the same positions in every slice, run by [`join_spinning`] (each
/// element is computed by the same instructions whatever the cut, so the result is the same
/// bits). Slices longer than the shortest are cut as if they were as short; `f` zips them.
///
/// [`join_spinning`]: crate::linalg::join_spinning
fn split_elements<F: Float, const N: usize>(
    parts: usize,
    outs: [&mut [F]; N],
    g: &[F],
    f: &(impl Fn([&mut [F]; N], &[F]) + Sync),
) {
    let len = outs.iter().map(|s| s.len()).fold(g.len(), usize::min);
    if parts <= 1 || len < BUSY_ELEMENTS {
        pulp::Arch::new().dispatch(|| f(outs, g));
        return;
    }
    let (top_parts, bottom_parts) = (parts / 2, parts - parts / 2);
    let mid = len * top_parts / parts;
    let mut tops: [&mut [F]; N] = std::array::from_fn(|_| Default::default());
    let mut bottoms: [&mut [F]; N] = std::array::from_fn(|_| Default::default());
    for ((out, top), bottom) in outs.into_iter().zip(&mut tops).zip(&mut bottoms) {
        (*top, *bottom) = out.split_at_mut(mid);
    }
    let (g_top, g_bottom) = g.split_at(mid);
    crate::linalg::join_spinning(
        || split_elements(top_parts, tops, g_top, f),
        || split_elements(bottom_parts, bottoms, g_bottom, f),
    );
}

/// [`for_each_element`] for a parameter tensor with one state tensor.
pub(crate) fn for_each_pair<F: Float>(
    mut parameter: ArrayViewMutD<'_, F>,
    mut a: ArrayViewMutD<'_, F>,
    gradient: ArrayViewD<'_, F>,
    f: impl Fn(&mut F, &mut F, F) + Sync,
) {
    if let (Some(p), Some(a), Some(g)) = (parameter.as_slice_mut(), a.as_slice_mut(), gradient.as_slice()) {
        let parts = if crate::linalg::busy() { rayon::current_num_threads() } else { 1 };
        split_elements(parts, [p, a], g, &|[p, a], g| {
            for ((p, a), &g) in p.iter_mut().zip(a).zip(g) {
                f(p, a, g);
            }
        });
    } else {
        ndarray::Zip::from(&mut parameter).and(&mut a).and(&gradient).for_each(|p, a, &g| f(p, a, g));
    }
}

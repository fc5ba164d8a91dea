//! The traits of an optimiser: [`Optimizer`], what a network's `train_step` and the trainer
//! call, and [`UpdateRule`], what the optimisers of this module implement, one parameter tensor
//! at a time. Every update rule is an optimiser, by the blanket impl beside
//! [`step_with_rule`](super::step_with_rule), which drives a rule over a network.

use ndarray::{ArrayViewD, ArrayViewMutD};

use crate::error::Error;
use crate::float::Float;
use crate::parameters::Trainable;

/// An update rule θ ← θ − (step from ∂C/∂θ), applied to every weight and bias of a network
/// (anything [`Trainable`]) through [`Trainable::visit_with_gradients`].
///
/// The optimisers' constructors and options check their values and return a `Result`
/// (`Adam::new(0.01)?`), so that a bad learning rate is reported on the line that wrote it; the
/// error a compiler gives for a `Result` passed as an optimiser says to add the `?`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an optimiser for `{F}`",
    label = "`{Self}` does not implement `Optimizer<{F}>`",
    note = "an optimiser's constructor and its `with_…` options check their values and return a `Result`: add `?` after each call (`Adam::new(0.01)?`) to pass the optimiser itself"
)]
pub trait Optimizer<F: Float> {
    /// Updates `net` in place from `gradients`, as returned by
    /// [`Network::backward`](crate::network::Network::backward).
    ///
    /// Fails with [`Error::ParameterShape`] if a gradient's shape differs from its parameter's,
    /// with [`Error::OptimizerState`] if the optimiser keeps state that was built for a
    /// network with other shapes, and with [`Error::NonFiniteUpdate`] (naming the layer) if a
    /// parameter or the optimiser's state would not be finite after the step: a gradient that
    /// holds NaN or an infinity, or an update that overflows. A step that fails changes
    /// nothing, neither the network nor the optimiser's state; one that succeeds leaves every
    /// parameter finite. Every optimiser of this module checks the new values before it writes
    /// any.
    fn step<T: Trainable<F>>(&mut self, net: &mut T, gradients: &T::Gradients) -> Result<(), Error>;

    /// The learning rate η the next step uses.
    fn learning_rate(&self) -> F;

    /// Sets the learning rate η of the next steps: what a [`Schedule`](super::Schedule) or a
    /// trainer calls.
    ///
    /// Fails with [`Error::InvalidOption`] unless η is finite and not negative (zero is allowed,
    /// so that a schedule may anneal to it).
    fn set_learning_rate(&mut self, learning_rate: F) -> Result<(), Error>;

    /// The learning rate η if this optimiser's next update is exactly plain gradient descent,
    /// θ ← θ − η ∂C/∂θ, with no state of its own: then [`Network::train_step`](crate::network::Network::train_step) applies it fused
    /// with the backward pass, and does not call [`step`](Optimizer::step). `None` (the
    /// default) for every other rule; for an [`UpdateRule`], η when
    /// [`is_plain_descent`](UpdateRule::is_plain_descent).
    fn fused_learning_rate(&self) -> Option<F> {
        None
    }
}

/// Calls the function it is given with every parameter tensor of a step and that tensor's
/// gradient, in visit order: `(index, parameter, gradient)`. It may be called more than once per
/// step, and always yields the same tensors in the same order.
pub type Tensors<'a, F> = dyn FnMut(&mut dyn FnMut(usize, ArrayViewD<'_, F>, ArrayViewD<'_, F>)) + 'a;

/// An optimiser that updates one parameter tensor at a time: what
/// [`WeightDecay`](super::WeightDecay) and [`ClipGradNorm`](super::ClipGradNorm) wrap, and what
/// [`step_with_rule`] applies to a whole network.
///
/// Every `UpdateRule` is an [`Optimizer`], by one blanket impl (as every `Display` type is
/// `ToString`, and as burn's `OptimizerAdaptor` makes a `SimpleOptimizer` an `Optimizer`): its
/// step is [`step_with_rule`], its learning rate is [`eta`](UpdateRule::eta), which
/// [`Optimizer::set_learning_rate`] checks and writes through [`eta_mut`](UpdateRule::eta_mut),
/// and [`Network::train_step`](crate::network::Network::train_step) fuses it with the backward pass when it
/// [`is_plain_descent`](UpdateRule::is_plain_descent). So a rule implements this trait alone,
/// and composes with the wrappers; a type that implements `UpdateRule` cannot also implement
/// [`Optimizer`] by hand.
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
///
/// [`step_with_rule`]: super::step_with_rule
/// [`non_finite_update`]: super::non_finite_update
/// [`updates_are_finite`]: super::updates_are_finite
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an update rule for `{F}`",
    label = "`{Self}` does not implement `UpdateRule<{F}>`",
    note = "an optimiser's constructor and its `with_…` options check their values and return a `Result`: add `?` after each call (`Adam::new(0.01)?`) to pass the optimiser itself"
)]
pub trait UpdateRule<F: Float> {
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

    /// The learning rate η of the next update: what [`Optimizer::learning_rate`] returns. A
    /// wrapper returns the η of the rule inside it.
    fn eta(&self) -> F;

    /// Where the rule keeps η: what [`Optimizer::set_learning_rate`] writes once it has checked
    /// the new value (finite and not negative). A wrapper returns the place of the rule inside
    /// it.
    fn eta_mut(&mut self) -> &mut F;

    /// Whether the next update is exactly plain gradient descent, θ ← θ − η ∂C/∂θ, with no
    /// state of its own: then [`Optimizer::fused_learning_rate`] is η, and
    /// [`Network::train_step`](crate::network::Network::train_step) applies the update fused with the backward pass instead of
    /// calling [`update`](UpdateRule::update). `false` (the default) for every other rule, and
    /// for the wrappers, which change the gradients.
    fn is_plain_descent(&self) -> bool {
        false
    }
}

//! Optimisers: rules that update a network's parameters from their gradients, and schedules of
//! the learning rate.
//!
//! Every optimiser updates any generated network through one mechanism the macro generates,
//! [`Trainable::visit_with_gradients`], which hands over each layer's parameters with their
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
//!
//! The files: `traits.rs` holds [`Optimizer`] and [`UpdateRule`]; `step.rs` the step driver
//! [`step_with_rule`] and the blanket impl that makes every update rule an optimiser; `state.rs`
//! what an optimiser keeps between steps; `elements.rs` the element-wise loops and checks the
//! rules share; then one file per optimiser, wrapper and schedule.
//!
//! [`Trainable::visit_with_gradients`]: crate::parameters::Trainable::visit_with_gradients

mod adam;
mod adamw;
mod clip;
mod elements;
mod schedule;
mod sgd;
mod state;
mod step;
mod traits;
mod weight_decay;

pub use adam::Adam;
pub use adamw::AdamW;
pub use clip::ClipGradNorm;
pub use elements::updates_are_finite;
pub use schedule::{Constant, Cosine, Schedule, StepDecay};
pub use sgd::Sgd;
pub use state::{OptimizerState, Resumable};
pub use step::{check_gradient_shapes, non_finite_update, step_with_rule};
pub use traits::{Optimizer, Tensors, UpdateRule};
pub use weight_decay::WeightDecay;

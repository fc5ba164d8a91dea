//! What is known of a network's layers and parameters apart from the network itself: the
//! layers' sizes ([`LayerInfo`]), views of one layer's weight and bias ([`Parameters`],
//! [`ParametersMut`]) and the gradients of every parameter ([`Gradients`]). The workspace, the
//! optimisers and the files read and write parameters through these.

use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2};

use crate::activation::Init;
use crate::float::Float;

/// What is known of a layer at compile time: its name, its sizes and its activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerInfo {
    /// The layer's field name.
    pub name: &'static str,
    /// Its number of inputs, n_{l−1}.
    pub inputs: usize,
    /// Its number of units, n_l.
    pub outputs: usize,
    /// Its activation, as written in the declaration (`"Identity"` when none is given).
    pub activation: &'static str,
    /// How its activation's weights are initialised ([`Activation::INIT`](crate::activation::Activation::INIT)):
    /// [`Init::He`] marks a ReLU-like σ, whose units can die, which the trainer's diagnostics
    /// watch for.
    pub init: Init,
}

/// One layer's weight and bias (or their gradients), read-only.
#[derive(Clone, Debug)]
pub struct Parameters<'a, F> {
    /// The layer's name.
    pub layer: &'static str,
    /// W^l or ∂C/∂W^l, `OUT × IN`.
    pub weight: ArrayView2<'a, F>,
    /// b^l or ∂C/∂b^l, `OUT` entries.
    pub bias: ArrayView1<'a, F>,
}

/// One layer's weight and bias (or their gradients), writable in place.
#[derive(Debug)]
pub struct ParametersMut<'a, F> {
    /// The layer's name.
    pub layer: &'static str,
    /// W^l or ∂C/∂W^l, `OUT × IN`.
    pub weight: ArrayViewMut2<'a, F>,
    /// b^l or ∂C/∂b^l, `OUT` entries.
    pub bias: ArrayViewMut1<'a, F>,
}

/// The gradients of a network's parameters, generated beside the network.
pub trait Gradients<F: Float>: Sized + Send + Sync {
    /// Zero gradients, shaped like the network's parameters.
    fn zeros() -> Self;

    /// Calls `f` with each layer's gradients, first layer first.
    fn visit(&self, f: &mut dyn FnMut(Parameters<'_, F>));

    /// Calls `f` with each layer's gradients, writable, first layer first, in the order of
    /// [`visit`](Gradients::visit): what a trainer that sums the gradients of several processes
    /// ([`Trainer::mpi`](crate::train::Trainer), with the `mpi` feature) writes the sums through.
    fn visit_mut(&mut self, f: &mut dyn FnMut(ParametersMut<'_, F>));
}

/// What an optimiser updates: parameters, layer by layer, each visited with its gradient.
///
/// Every [`Network`](crate::network::Network) is `Trainable`, by a blanket impl beside the
/// network trait; [`Optimizer::step`](crate::optim::Optimizer::step) takes any `Trainable`, so
/// the optimisers need to know nothing else of a network.
pub trait Trainable<F: Float> {
    /// The gradients of every parameter, one field per layer, named like the layer.
    type Gradients: Gradients<F>;

    /// The layers, first to last.
    fn layers() -> &'static [LayerInfo];

    /// Calls `f` with each layer's parameters, writable, and their gradients in `gradients`,
    /// first layer first.
    fn visit_with_gradients(
        &mut self,
        gradients: &Self::Gradients,
        f: &mut dyn FnMut(ParametersMut<'_, F>, Parameters<'_, F>),
    );
}

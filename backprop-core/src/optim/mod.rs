//! Optimisers: rules that update a network's parameters from their gradients.

mod sgd;

pub use sgd::Sgd;

use crate::{Error, Float, Network};

/// An update rule θ ← θ − (step from ∂C/∂θ), applied to every weight and bias of a network
/// through [`Network::visit_with_gradients`].
pub trait Optimizer<F: Float> {
    /// Updates `net` in place from `gradients`, as returned by [`Network::backward`].
    ///
    /// Fails with [`Error::ParameterShape`] if a gradient's shape differs from its parameter's.
    fn step<N: Network<F>>(&mut self, net: &mut N, gradients: &N::Gradients) -> Result<(), Error>;
}

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

    /// The learning rate η if this optimiser's next update is exactly plain gradient descent,
    /// θ ← θ − η ∂C/∂θ, with no state of its own: then [`Network::train_step`] applies it fused
    /// with the backward pass, and does not call [`step`](Optimizer::step). `None` (the
    /// default) for every other rule.
    fn fused_learning_rate(&self) -> Option<F> {
        None
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

use super::check_gradient_shapes;
use crate::{Error, Float, Network, Optimizer};

/// Plain stochastic gradient descent, θ ← θ − η ∂C/∂θ.
///
/// Robbins & Monro, "A Stochastic Approximation Method", 1951; the update of Nielsen,
/// *Neural Networks and Deep Learning*, ch. 1, eqs. (20)–(21).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd<F> {
    /// The learning rate η.
    pub learning_rate: F,
}

impl<F: Float> Sgd<F> {
    /// SGD with learning rate η = `learning_rate`, which must be positive and finite.
    pub fn new(learning_rate: F) -> Result<Self, Error> {
        if learning_rate > F::zero() && learning_rate.is_finite() {
            Ok(Sgd { learning_rate })
        } else {
            Err(Error::InvalidOption {
                what: "the learning rate",
                expected: "positive and finite",
                found: learning_rate.to_string(),
            })
        }
    }
}

impl<F: Float> Optimizer<F> for Sgd<F> {
    fn step<N: Network<F>>(&mut self, net: &mut N, gradients: &N::Gradients) -> Result<(), Error> {
        check_gradient_shapes(net, gradients)?;
        let eta = self.learning_rate;
        net.visit_with_gradients(gradients, &mut |mut p, g| {
            p.weight.scaled_add(-eta, &g.weight);
            p.bias.scaled_add(-eta, &g.bias);
        });
        Ok(())
    }

    fn fused_learning_rate(&self) -> Option<F> {
        Some(self.learning_rate)
    }
}

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
        let eta = self.learning_rate;
        let mut result = Ok(());
        net.visit_with_gradients(gradients, &mut |mut p, g| {
            if result.is_err() {
                return;
            }
            if p.weight.dim() != g.weight.dim() || p.bias.dim() != g.bias.dim() {
                let (found, expected, parameter) = if p.weight.dim() != g.weight.dim() {
                    (
                        g.weight.shape().to_vec(),
                        p.weight.shape().to_vec(),
                        "weight gradient",
                    )
                } else {
                    (
                        g.bias.shape().to_vec(),
                        p.bias.shape().to_vec(),
                        "bias gradient",
                    )
                };
                result = Err(Error::ParameterShape {
                    layer: p.layer,
                    parameter,
                    inputs: p.weight.ncols(),
                    outputs: p.weight.nrows(),
                    expected,
                    found,
                });
                return;
            }
            p.weight.scaled_add(-eta, &g.weight);
            p.bias.scaled_add(-eta, &g.bias);
        });
        result
    }
}

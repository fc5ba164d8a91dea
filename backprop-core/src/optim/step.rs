//! The step driver: [`step_with_rule`] applies an [`UpdateRule`] to every parameter tensor of a
//! network, in two passes (check, then write), and through it every update rule is an
//! [`Optimizer`].

use super::traits::{Optimizer, UpdateRule};
use crate::check::check_rate;
use crate::error::Error;
use crate::float::Float;
use crate::parameters::Trainable;

/// Every update rule is an optimiser: a step is [`step_with_rule`]; the learning rate is the
/// rule's η, checked (finite and not negative) before it is written; and the update is fused
/// with the backward pass exactly when the rule is plain gradient descent.
impl<F: Float, R: UpdateRule<F>> Optimizer<F> for R {
    fn step<T: Trainable<F>>(&mut self, net: &mut T, gradients: &T::Gradients) -> Result<(), Error> {
        step_with_rule(self, net, gradients)
    }

    fn learning_rate(&self) -> F {
        self.eta()
    }

    fn set_learning_rate(&mut self, learning_rate: F) -> Result<(), Error> {
        *self.eta_mut() = check_rate(learning_rate)?;
        Ok(())
    }

    fn fused_learning_rate(&self) -> Option<F> {
        self.is_plain_descent().then(|| self.eta())
    }
}

/// One step of `rule` on `net`: checks the gradients' shapes, runs
/// [`UpdateRule::begin`] over every tensor, then [`UpdateRule::update`] on each in visit order.
///
/// This is [`Optimizer::step`] of every [`UpdateRule`], by the blanket impl above.
pub fn step_with_rule<F: Float, T: Trainable<F>, R: UpdateRule<F> + ?Sized>(
    rule: &mut R,
    net: &mut T,
    gradients: &T::Gradients,
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
    .map_err(name_layer::<F, T>)?;
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
fn name_layer<F: Float, T: Trainable<F>>(error: Error) -> Error {
    match error {
        Error::NonFiniteUpdate { tensor, parameter, .. } => {
            let layer = T::layers().get(tensor / 2).map_or("?", |l| l.name);
            Error::NonFiniteUpdate { layer, parameter, tensor }
        }
        other => other,
    }
}

/// Checks that every gradient in `gradients` has the shape of its parameter, before an
/// optimiser changes anything, so that a bad gradient leaves the network as it was.
pub fn check_gradient_shapes<F: Float, T: Trainable<F>>(
    net: &mut T,
    gradients: &T::Gradients,
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

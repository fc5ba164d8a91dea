use crate::activation::Activation;
use crate::float::Float;

/// The identity, σ(z) = z, σ'(z) = 1: a layer without an activation.
///
/// The paper's convention for the last layer (section 5): "not applying the activation function
/// on the final layer", so the network's output is z^L. It is the default activation of
/// [`Dense`](crate::Dense).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Identity;

impl<F: Float> Activation<F> for Identity {
    #[inline(always)]
    fn apply(&self, z: F) -> F {
        z
    }

    #[inline(always)]
    fn derivative(&self, _z: F) -> F {
        F::one()
    }
}

use crate::activation::{Activation, Init};
use crate::float::Float;

/// The rectified linear unit, σ(z) = max(0, z), σ'(z) = 1 if z > 0 else 0.
///
/// Nair & Hinton, "Rectified Linear Units Improve Restricted Boltzmann Machines", ICML 2010.
/// At the kink z = 0 the derivative is taken as 0 (the subgradient PyTorch uses).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Relu;

impl<F: Float> Activation<F> for Relu {
    const INIT: Init = Init::He;

    #[inline(always)]
    fn apply(&self, z: F) -> F {
        if z > F::zero() { z } else { F::zero() }
    }

    #[inline(always)]
    fn derivative(&self, z: F) -> F {
        if z > F::zero() { F::one() } else { F::zero() }
    }
}

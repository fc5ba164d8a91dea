use crate::activation::sigmoid;
use crate::activation::{Activation, Init, Sigmoid};
use crate::float::Float;

/// The sigmoid-weighted linear unit (swish with β = 1), σ(z) = z s(z) with s the logistic
/// sigmoid, σ'(z) = s(z) + z s(z)(1 − s(z)).
///
/// Elfwing, Uchibe & Doya, "Sigmoid-Weighted Linear Units for Neural Network Function
/// Approximation in Reinforcement Learning", Neural Networks 107, 2018; the swish of Ramachandran,
/// Zoph & Le, "Searching for Activation Functions", arXiv:1710.05941, 2017, with β = 1. s and
/// s(1 − s) are computed by [`sigmoid`] and [`Sigmoid`]'s stable derivative, so σ and σ' are
/// finite for every finite z: σ'(z) tends to 1 for z → +∞ and to 0 for z → −∞. Weights are
/// initialised with He's rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Silu;

impl<F: Float> Activation<F> for Silu {
    const INIT: Init = Init::He;

    #[inline(always)]
    fn apply(&self, z: F) -> F {
        z * sigmoid(z)
    }

    #[inline(always)]
    fn derivative(&self, z: F) -> F {
        sigmoid(z) + z * <Sigmoid as Activation<F>>::derivative(&Sigmoid, z)
    }
}

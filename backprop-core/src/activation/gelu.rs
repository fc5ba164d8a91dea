use core::f64::consts::{FRAC_2_SQRT_PI, SQRT_2};

use crate::activation::sigmoid;
use crate::activation::{Activation, Init, Sigmoid};
use crate::float::Float;

/// The coefficient of the cubic term of the tanh approximation.
const CUBIC: f64 = 0.044715;

/// The Gaussian error linear unit in its tanh approximation,
/// σ(z) = ½ z (1 + tanh u) with u = √(2/π) (z + 0.044715 z³), and the exact derivative of
/// that formula, σ'(z) = ½ (1 + tanh u) + ½ z sech²(u) √(2/π) (1 + 3 · 0.044715 z²).
///
/// Hendrycks & Gimpel, "Gaussian Error Linear Units (GELUs)", arXiv:1606.08415, 2016, section 2
/// (the approximation of z Φ(z)); the approximation PyTorch's `GELU(approximate="tanh")` and
/// BERT/GPT-2 use. Weights are initialised with He's rule.
///
/// It is computed through the logistic sigmoid s: ½ (1 + tanh u) = s(2u) and
/// ½ sech²(u) = 2 s(2u) s(−2u) = 2 s'(2u), so σ(z) = z s(2u) and
/// σ'(z) = s(2u) + z s'(2u) · 2√(2/π) (1 + 3 · 0.044715 z²). This keeps full relative precision
/// in the negative tail, where 1 + tanh u would cancel, and is finite for every finite z: when
/// |z| is so large that s'(2u) underflows to 0 (above about 21.5 in `f64`, 10.7 in `f32`), the
/// second term is dropped, since it is then 0 in exact arithmetic too but z² may have
/// overflowed (0 · ∞ = NaN); σ' is then its limit, 1 for z → +∞ and 0 for z → −∞.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gelu;

impl<F: Float> Activation<F> for Gelu {
    const INIT: Init = Init::He;

    #[inline(always)]
    fn apply(&self, z: F) -> F {
        z * sigmoid(two_u(z))
    }

    #[inline(always)]
    fn derivative(&self, z: F) -> F {
        let v = two_u(z);
        let s = sigmoid(v);
        let ds = <Sigmoid as Activation<F>>::derivative(&Sigmoid, v);
        if ds == F::zero() {
            return s;
        }
        // d(2u)/dz = 2√(2/π) (1 + 3 · 0.044715 z²).
        let dv = F::of(SQRT_2 * FRAC_2_SQRT_PI) * (F::one() + F::of(3.0 * CUBIC) * z * z);
        s + z * ds * dv
    }
}

/// 2u = 2√(2/π) (z + 0.044715 z³); 2√(2/π) = √2 · 2/√π.
#[inline(always)]
fn two_u<F: Float>(z: F) -> F {
    F::of(SQRT_2 * FRAC_2_SQRT_PI) * (z + F::of(CUBIC) * z * z * z)
}

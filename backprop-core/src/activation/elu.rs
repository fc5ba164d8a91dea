use crate::activation::{Activation, Init};
use crate::float::Float;

/// The exponential linear unit, σ(z) = z if z > 0 else α(e^z − 1), σ'(z) = 1 if z > 0 else
/// α e^z, with α = [`alpha`](Elu::alpha) (1 by default).
///
/// Clevert, Unterthiner & Hochreiter, "Fast and Accurate Deep Network Learning by Exponential
/// Linear Units (ELUs)", ICLR 2016. e^z − 1 is computed with `exp_m1`, exact near 0;
/// for z → −∞ σ tends to −α and σ' to 0 without overflow. At z = 0 the derivative is taken as α
/// (the left derivative; with α = 1 both sides agree). Weights are initialised with He's rule.
///
/// ```
/// use backprop_core::{Activation, Elu};
///
/// assert_eq!(Elu::default().alpha, 1.0);
/// assert_eq!(Elu::new(0.5).apply(-1e4_f64), -0.5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Elu {
    /// The scale α of the negative part, which saturates at −α.
    pub alpha: f64,
}

impl Elu {
    /// An ELU with scale α = `alpha`.
    pub const fn new(alpha: f64) -> Self {
        Elu { alpha }
    }
}

impl Default for Elu {
    /// α = 1.
    fn default() -> Self {
        Elu::new(1.0)
    }
}

impl<F: Float> Activation<F> for Elu {
    const INIT: Init = Init::He;

    #[inline(always)]
    fn apply(&self, z: F) -> F {
        if z > F::zero() { z } else { F::of(self.alpha) * z.exp_m1() }
    }

    #[inline(always)]
    fn derivative(&self, z: F) -> F {
        if z > F::zero() { F::one() } else { F::of(self.alpha) * z.exp() }
    }
}

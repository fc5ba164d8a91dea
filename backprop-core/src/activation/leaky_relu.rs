use crate::activation::{Activation, Init};
use crate::float::Float;

/// The leaky rectified linear unit, σ(z) = z if z > 0 else s·z, σ'(z) = 1 if z > 0 else s, with
/// slope s = [`slope`](LeakyRelu::slope) (0.01 by default).
///
/// Maas, Hannun & Ng, "Rectifier Nonlinearities Improve Neural Network Acoustic Models", ICML
/// 2013 workshop, with their s = 0.01. At the kink z = 0 the derivative is taken as s.
/// Weights are initialised with He's rule, as for [`Relu`](crate::Relu).
///
/// A layer starts with the default slope; set another on the layer's `activation` field:
///
/// ```
/// use backprop_core::{Activation, LeakyRelu};
///
/// assert_eq!(LeakyRelu::default().slope, 0.01);
/// let leaky = LeakyRelu::new(0.2);
/// assert_eq!(leaky.apply(-2.0_f64), -0.4);
/// assert_eq!(leaky.derivative(-2.0_f64), 0.2);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakyRelu {
    /// The slope s for z ≤ 0.
    pub slope: f64,
}

impl LeakyRelu {
    /// A leaky ReLU with slope s = `slope` for z ≤ 0.
    pub const fn new(slope: f64) -> Self {
        LeakyRelu { slope }
    }
}

impl Default for LeakyRelu {
    /// Slope s = 0.01.
    fn default() -> Self {
        LeakyRelu::new(0.01)
    }
}

impl<F: Float> Activation<F> for LeakyRelu {
    const INIT: Init = Init::He;

    #[inline(always)]
    fn apply(&self, z: F) -> F {
        if z > F::zero() { z } else { F::of(self.slope) * z }
    }

    #[inline(always)]
    fn derivative(&self, z: F) -> F {
        if z > F::zero() { F::one() } else { F::of(self.slope) }
    }
}

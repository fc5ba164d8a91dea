use crate::activation::Activation;
use crate::activation::sigmoid;
use crate::float::Float;

/// Softplus, ln(1 + e^z), computed without overflow for any z as max(z, 0) + ln(1 + e^{−|z|}).
///
/// The exponential is of a non-positive number and `ln_1p` keeps the small term exact, so
/// `softplus(1e4)` is 1e4, `softplus(-1e4)` is 0 (the true value e^{−10000} underflows) and
/// `softplus(-30.0)` is e^{−30} to full precision.
///
/// ```
/// use backprop_core::activation::softplus;
///
/// assert_eq!(softplus(1e4_f64), 1e4);
/// assert!((softplus(0.0_f64) - 2.0_f64.ln()).abs() < 1e-15);
/// assert_eq!(softplus(-1e30_f32), 0.0);
/// ```
#[inline(always)]
pub fn softplus<F: Float>(z: F) -> F {
    z.max(F::zero()) + (-z.abs()).exp().ln_1p()
}

/// Softplus, σ(z) = ln(1 + e^z), σ'(z) = 1/(1 + e^{−z}), the logistic sigmoid.
///
/// A smooth ReLU: Dugas, Bengio, Bélisle, Nadeau & Garcia, "Incorporating Second-Order
/// Functional Knowledge for Better Option Pricing", NIPS 2000; compared with the rectifier in
/// Glorot, Bordes & Bengio, "Deep Sparse Rectifier Neural Networks", AISTATS 2011.
/// σ is computed by [`softplus`] and σ' by [`sigmoid`], both stable for any z. Weights are
/// initialised with Glorot's rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Softplus;

impl<F: Float> Activation<F> for Softplus {
    #[inline(always)]
    fn apply(&self, z: F) -> F {
        softplus(z)
    }

    #[inline(always)]
    fn derivative(&self, z: F) -> F {
        sigmoid(z)
    }
}

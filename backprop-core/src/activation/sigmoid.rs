use crate::activation::Activation;
use crate::float::Float;

/// The logistic sigmoid σ(z) = 1/(1 + e^{−z}), computed without overflow for any z.
///
/// For z ≥ 0 it is 1/(1 + e^{−z}); for z < 0 the equal e^z/(1 + e^z). Either way the
/// exponential is of a non-positive number, so it lies in \[0, 1\] and never overflows:
/// `sigmoid(-1e4)` is 0 and `sigmoid(1e4)` is 1, with full relative precision in between.
///
/// ```
/// use backprop_core::activation::sigmoid;
///
/// assert_eq!(sigmoid(0.0_f64), 0.5);
/// assert_eq!(sigmoid(-1e4_f64), 0.0);
/// assert_eq!(sigmoid(1e30_f32), 1.0);
/// ```
#[inline(always)]
pub fn sigmoid<F: Float>(z: F) -> F {
    if z >= F::zero() {
        F::one() / (F::one() + (-z).exp())
    } else {
        let e = z.exp();
        e / (F::one() + e)
    }
}

/// The logistic sigmoid, σ(z) = 1/(1 + e^{−z}), σ'(z) = σ(z)(1 − σ(z)).
///
/// The activation of Nielsen, *Neural Networks and Deep Learning*, ch. 1, eq. (3), which the
/// paper cites as \[2\]; its derivative σ' = σ(1 − σ) is derived in ch. 3 ("The cross-entropy
/// cost function"). σ is computed by [`sigmoid`]; σ' as e^{−|z|}/(1 + e^{−|z|})², which equals
/// σ(z)σ(−z) = σ(z)(1 − σ(z)) but neither overflows nor loses precision to cancellation for
/// large |z| (it tends to 0 on both sides). Weights are initialised with Glorot's rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sigmoid;

impl<F: Float> Activation<F> for Sigmoid {
    #[inline(always)]
    fn apply(&self, z: F) -> F {
        sigmoid(z)
    }

    #[inline(always)]
    fn derivative(&self, z: F) -> F {
        let e = (-z.abs()).exp();
        let d = F::one() + e;
        e / (d * d)
    }

    /// σ'(z) = a(1 − a) from a = σ(z) (Nielsen, ch. 3): no second exponential.
    #[inline(always)]
    fn derivative_at(&self, _z: F, a: F) -> F {
        a * (F::one() - a)
    }
}

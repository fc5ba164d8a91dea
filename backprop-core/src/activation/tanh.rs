use crate::{Activation, Float};

/// The hyperbolic tangent, tanh z = (e^z − e^{−z})/(e^z + e^{−z}), as a function generic over the
/// float type, so that it can be called like [`sigmoid`](crate::activation::sigmoid) and
/// [`softplus`](crate::activation::softplus), as in the body of an `#[activation]` function.
///
/// It is the float method `z.tanh()`.
///
/// ```
/// use backprop_core::activation::tanh;
///
/// assert_eq!(tanh(0.0_f64), 0.0);
/// assert_eq!(tanh(1e4_f32), 1.0);
/// ```
#[inline(always)]
pub fn tanh<F: Float>(z: F) -> F {
    z.tanh()
}

/// The hyperbolic tangent, σ(z) = tanh z = (e^z − e^{−z})/(e^z + e^{−z}),
/// σ'(z) = 1 − tanh² z.
///
/// The sigmoid LeCun, Bottou, Orr & Müller recommend over the logistic function for hidden
/// units, since it is symmetric about 0 ("Efficient BackProp", in *Neural Networks: Tricks of
/// the Trade*, 1998). σ' is computed
/// as sech² z = 4e^{−2|z|}/(1 + e^{−2|z|})², equal to 1 − tanh² z, which keeps full relative
/// precision where tanh z rounds to ±1 and tends to 0 without overflow for large |z|. Weights are
/// initialised with Glorot's rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tanh;

impl<F: Float> Activation<F> for Tanh {
    #[inline(always)]
    fn apply(&self, z: F) -> F {
        z.tanh()
    }

    #[inline(always)]
    fn derivative(&self, z: F) -> F {
        let e = (F::of(-2.0) * z.abs()).exp();
        let d = F::one() + e;
        F::of(4.0) * e / (d * d)
    }
}

//! Activation functions σ and their derivatives σ'.
//!
//! The paper (`a_j^l = σ(z_j^l)`, section 2) assumes nothing about σ but that its derivative can
//! be computed: σ' is the local gradient the activation gate multiplies into δ^l in
//! equation (2), δ^l = σ'(z^l) ⊙ (W^{l+1})ᵀ δ^{l+1}. Each built-in activation lives in its own
//! file, with its formula and its source in its doc comment.

mod elu;
mod gelu;
mod identity;
mod leaky_relu;
mod relu;
mod sigmoid;
mod silu;
mod softplus;
mod tanh;

pub use elu::Elu;
pub use gelu::Gelu;
pub use identity::Identity;
pub use leaky_relu::LeakyRelu;
pub use relu::Relu;
pub use sigmoid::{Sigmoid, sigmoid};
pub use silu::Silu;
pub use softplus::{Softplus, softplus};
pub use tanh::{Tanh, tanh};

use crate::float::Float;

/// How a layer's weights are drawn by `with_seed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// Glorot (Xavier) uniform: W ~ U(−√(6/(n_in + n_out)), +√(6/(n_in + n_out))).
    /// Glorot & Bengio, "Understanding the difficulty of training deep feedforward neural
    /// networks", AISTATS 2010, eq. (16).
    Glorot,
    /// He (Kaiming) uniform: W ~ U(−√(6/n_in), +√(6/n_in)), the variance 2/n_in of
    /// He et al., "Delving Deep into Rectifiers", ICCV 2015, eq. (10). For ReLU-like σ.
    He,
}

/// An activation function σ, applied elementwise: a^l = σ(z^l).
///
/// Implement it for your own type to use it in a network; the derivative must be σ' of the
/// same function (check it with [`gradcheck`](crate::gradcheck())).
///
/// ```
/// use backprop_core::Activation;
///
/// /// σ(z) = z³, σ'(z) = 3z².
/// #[derive(Clone, Copy, Debug, Default)]
/// struct Cube;
///
/// impl Activation<f64> for Cube {
///     fn apply(&self, z: f64) -> f64 { z * z * z }
///     fn derivative(&self, z: f64) -> f64 { 3.0 * z * z }
/// }
/// assert_eq!(Cube.derivative(2.0), 12.0);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an activation function for `{F}`",
    label = "`{Self}` does not implement `Activation<{F}>`",
    note = "use a built-in activation (Identity, Sigmoid, Tanh, Relu, LeakyRelu, Elu, Softplus, Gelu, Silu) or implement `backprop::Activation<{F}>` for `{Self}`"
)]
pub trait Activation<F: Float>: Default {
    /// How `with_seed` initialises the weights of a layer with this activation.
    const INIT: Init = Init::Glorot;

    /// σ(z).
    fn apply(&self, z: F) -> F;

    /// σ'(z), the derivative of [`apply`](Activation::apply) at `z`.
    fn derivative(&self, z: F) -> F;

    /// σ'(z) when a = σ(z) is known too, as it is in the backward pass, which keeps a^l from
    /// the forward pass. Some derivatives are cheaper from a: tanh'(z) = 1 − a² and
    /// sigmoid'(z) = a(1 − a) need no second exponential (the identities of
    /// [`Tanh`] and [`Sigmoid`]). The default ignores `a` and calls
    /// [`derivative`](Activation::derivative).
    #[inline(always)]
    fn derivative_at(&self, z: F, a: F) -> F {
        let _ = a;
        self.derivative(z)
    }
}

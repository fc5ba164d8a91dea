//! The fully connected layer.

mod check;
mod inplace;
mod one;

pub use check::SgdUpdate;
pub use inplace::SMALL_PRODUCT;
#[doc(hidden)]
pub use one::vectorised;

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand_core::RngCore;

use crate::activation::{Activation, Identity, Init};

use crate::error::Error;

use crate::float::Float;

/// A fully connected layer from `IN` units to `OUT` units with activation `A`:
/// z^l = W^l a^{l−1} + b^l and a^l = σ(z^l) (the paper, section 2).
///
/// `weight` has shape `OUT × IN`: `weight[[j, k]]` is the paper's w_jk^l, the weight from unit k
/// of level l−1 to unit j of level l (the layout of PyTorch's `nn.Linear`). `bias` has `OUT`
/// entries. The fields are public so that weights can be read and set; a shape that disagrees
/// with `IN` and `OUT` is reported as [`Error::ParameterShape`] by the network's methods.
///
/// ```
/// use backprop_core::ndarray::array;
/// use backprop_core::{Dense, Relu};
///
/// // One unit with two inputs: z = 0.5·a₁ − 1·a₂ + 0.25, a = max(0, z).
/// let layer = Dense::<f64, 2, 1, Relu>::new(array![[0.5, -1.0]], array![0.25], Relu)?;
/// let z = layer.weighted_input(array![[2.0, 1.0], [0.0, 1.0]].view());
/// assert_eq!(z, array![[0.25], [-0.75]]);
/// assert_eq!(layer.activate(&z), array![[0.25], [0.0]]);
/// # Ok::<(), backprop_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dense<F: Float, const IN: usize, const OUT: usize, A: Activation<F> = Identity> {
    /// W^l, `OUT × IN`.
    pub weight: Array2<F>,
    /// b^l, `OUT` entries.
    pub bias: Array1<F>,
    /// σ of this layer.
    pub activation: A,
}

impl<F: Float, const IN: usize, const OUT: usize, A: Activation<F>> Dense<F, IN, OUT, A> {
    /// The number of inputs, n_{l−1}.
    pub const INPUTS: usize = IN;
    /// The number of units, n_l.
    pub const OUTPUTS: usize = OUT;

    /// A layer from its parameters, checking that `weight` is `OUT × IN` and `bias` has `OUT`
    /// entries.
    pub fn new(weight: Array2<F>, bias: Array1<F>, activation: A) -> Result<Self, Error> {
        let layer = Dense { weight, bias, activation };
        layer.check("dense")?;
        Ok(layer)
    }

    /// A layer of zero weights and biases.
    pub fn zeros() -> Self {
        Dense { weight: Array2::zeros((OUT, IN)), bias: Array1::zeros(OUT), activation: A::default() }
    }

    /// A layer initialised from `rng`: weights uniform with the bound of [`A::INIT`](Activation::INIT)
    /// (He for ReLU-like activations, Glorot otherwise), drawn row by row, and zero biases.
    ///
    /// The draw is a fixed function of the generator's `u64` stream, so the same seed gives
    /// bit-identical weights on every machine.
    pub fn with_rng<R: RngCore>(rng: &mut R) -> Self {
        let fan = match A::INIT {
            Init::Glorot => (IN + OUT) as f64,
            Init::He => IN as f64,
        };
        let bound = if fan > 0.0 { (6.0 / fan).sqrt() } else { 0.0 };
        let weight = Array2::from_shape_simple_fn((OUT, IN), || {
            // 53 random bits give a uniform double in [0, 1), exactly, on every platform.
            let unit = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
            F::of(bound * (2.0 * unit - 1.0))
        });
        Dense { weight, bias: Array1::zeros(OUT), activation: A::default() }
    }

    /// Checks that the parameters have the shapes `IN` and `OUT` declare; `layer` names the
    /// layer in the error.
    pub fn check(&self, layer: &'static str) -> Result<(), Error> {
        let shape_error = |parameter, expected: &[usize], found: &[usize]| Error::ParameterShape {
            layer,
            parameter,
            inputs: IN,
            outputs: OUT,
            expected: expected.to_vec(),
            found: found.to_vec(),
        };
        if self.weight.dim() != (OUT, IN) {
            return Err(shape_error("weight", &[OUT, IN], self.weight.shape()));
        }
        if self.bias.len() != OUT {
            return Err(shape_error("bias", &[OUT], self.bias.shape()));
        }
        Ok(())
    }

    /// z^l = a^{l−1} (W^l)ᵀ + b^l for a batch whose rows are samples: the paper's
    /// z_j^l = Σ_k w_jk^l a_k^{l−1} + b_j^l for every sample at once.
    ///
    /// # Panics
    ///
    /// If `a_prev` does not have `IN` columns or the parameters are misshapen. The generated
    /// networks check both first (and return [`Error`]s), as callers of this method must.
    pub fn weighted_input(&self, a_prev: ArrayView2<'_, F>) -> Array2<F> {
        let mut z = a_prev.dot(&self.weight.t());
        z += &self.bias;
        z
    }

    /// a^l = σ(z^l), elementwise.
    pub fn activate(&self, z: &Array2<F>) -> Array2<F> {
        z.mapv(|v| self.activation.apply(v))
    }

    /// δ^l = σ'(z^l) ⊙ g, where g = (W^{l+1})ᵀ δ^{l+1} is the gradient that reaches a^l
    /// (equation (2)), or g = ∇_a C for an output layer with an activation. Reuses `g`'s buffer.
    ///
    /// # Panics
    ///
    /// If the shapes do not match the layer's; the generated networks check them first.
    pub fn delta(&self, z: &Array2<F>, mut g: Array2<F>) -> Array2<F> {
        g.zip_mut_with(z, |g, &z| *g = self.activation.derivative(z) * *g);
        g
    }

    /// The gradient of this layer's parameters from its δ^l and its input a^{l−1}:
    /// ∂C/∂W^l = (δ^l)ᵀ a^{l−1}, summing δ_j^l a_k^{l−1} over the batch (equation (3)), and
    /// ∂C/∂b^l = Σ_samples δ^l (equation (4)).
    ///
    /// # Panics
    ///
    /// If the shapes do not match the layer's; the generated networks check them first.
    pub fn gradients(&self, delta: &Array2<F>, a_prev: ArrayView2<'_, F>) -> LayerGradients<F> {
        LayerGradients { weight: delta.t().dot(&a_prev), bias: delta.sum_axis(Axis(0)) }
    }

    /// The gradient that reaches a^{l−1}: (W^l)ᵀ δ^l per sample, δ^l W^l for a batch of rows.
    /// The paper's ∂C/∂a_k^{l−1} = Σ_j δ_j^l w_jk^l (section 4).
    ///
    /// # Panics
    ///
    /// If the shapes do not match the layer's; the generated networks check them first.
    pub fn back(&self, delta: &Array2<F>) -> Array2<F> {
        delta.dot(&self.weight)
    }
}

impl<F: Float, const IN: usize, const OUT: usize, A: Activation<F>> Default for Dense<F, IN, OUT, A> {
    fn default() -> Self {
        Self::zeros()
    }
}

/// The gradients of one layer's parameters, shaped like them.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerGradients<F> {
    /// ∂C/∂W^l = δ^l (a^{l−1})ᵀ, equation (3), summed over the samples of the batch; `OUT × IN`.
    /// C is the mean of the samples' costs, so each sample's δ^l carries a factor 1/n and the
    /// sum is the gradient of that mean, not n times it.
    pub weight: Array2<F>,
    /// ∂C/∂b^l = δ^l, equation (4), summed over the samples of the batch (each δ^l scaled by
    /// 1/n, as above); `OUT` entries.
    pub bias: Array1<F>,
}

impl<F: Float> LayerGradients<F> {
    /// Zero gradients of a layer with `inputs` inputs and `outputs` units.
    pub fn zeros(outputs: usize, inputs: usize) -> Self {
        LayerGradients { weight: Array2::zeros((outputs, inputs)), bias: Array1::zeros(outputs) }
    }
}

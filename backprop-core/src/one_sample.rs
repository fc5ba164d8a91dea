//! One sample through a layer, on arrays of the layer's compile-time sizes: the equations of
//! the paper for a batch of one, with no matrix views, no allocation and no standard library.
//!
//! [`OneSample`] sees a layer's parameters as slices and arrays of its sizes, so that each loop's
//! length is a constant the compiler unrolls and vectorises. The std build makes it from a
//! `Dense` layer (`Dense::one_sample`) for the one-sample path that `network!` and
//! `#[derive(Backprop)]` generate for small networks (see `dense/one.rs`); without the standard
//! library it is made from the parameters themselves ([`OneSample::new`]).
//!
//! The arithmetic is that of the general path's loops for small products: both call the same
//! per-sample kernels (`rows.rs`), so both give the same bits.

use crate::activation::Activation;
use crate::float::Float;
use crate::rows;

/// Whether every value is finite: one pass with no early exit, which the compiler vectorises.
#[inline(always)]
fn all_finite<F: Float>(values: &[F]) -> bool {
    values.iter().fold(true, |ok, v| ok & v.is_finite())
}

/// A layer's parameters seen as arrays of its sizes: W^l as `OUT` rows of `IN` weights one
/// after the other (the layout of PyTorch's `nn.Linear` and of `Dense`'s `weight`), b^l, and
/// σ. Nothing is copied.
///
/// ```
/// use backprop_core::{OneSample, Relu};
///
/// // Two units with two inputs: z = W x + b, a = max(0, z).
/// let (weight, bias) = ([0.5, -1.0, 2.0, 0.25], [0.25, -4.0]);
/// let layer = OneSample::<f64, 2, 2, Relu>::new(&weight, &bias, &Relu).unwrap();
/// let (mut z, mut a) = ([0.0; 2], [0.0; 2]);
/// assert!(layer.forward(&[2.0, 1.0], &mut z, &mut a));
/// assert_eq!((z, a), ([0.25, 0.25], [0.25, 0.25]));
/// ```
#[derive(Debug)]
pub struct OneSample<'a, F, const IN: usize, const OUT: usize, A> {
    /// W^l, `IN × OUT` values, row j holding w_j1 … w_jIN.
    weight: &'a [F],
    bias: &'a [F; OUT],
    activation: &'a A,
}

impl<'a, F: Float, const IN: usize, const OUT: usize, A: Activation<F>> OneSample<'a, F, IN, OUT, A> {
    /// A layer from W^l (`OUT` rows of `IN` weights, one after the other: `IN × OUT` values),
    /// b^l and σ: `None` unless `weight` has `IN × OUT` values and `IN` is not 0.
    #[inline(always)]
    pub fn new(weight: &'a [F], bias: &'a [F; OUT], activation: &'a A) -> Option<Self> {
        (IN != 0 && Some(weight.len()) == IN.checked_mul(OUT)).then_some(OneSample {
            weight,
            bias,
            activation,
        })
    }

    /// The forward pass of one sample: z_j = Σ_k w_jk x_k + b_j and a_j = σ(z_j) (the paper,
    /// section 2). Returns whether z is finite, which proves x and the parameters finite (see
    /// `Dense::check_weighted_input`).
    #[inline(always)]
    pub fn forward(&self, x: &[F; IN], z: &mut [F; OUT], a: &mut [F; OUT]) -> bool {
        rows::forward::<F, A, IN>(self.activation, self.weight, self.bias, x, z, a);
        all_finite(z)
    }

    /// The forward pass of one sample for inference: as [`forward`](Self::forward), but with
    /// each sum Σ_k w_jk x_k taken in eight interleaved partial sums added pairwise, an order
    /// the compiler vectorises and that is the same on every target. What `predict_one` and
    /// the fixed-size networks (`FixedDense`) run, which give the same bits; `forward`'s sum,
    /// in one chain, is the training path's. Returns whether every z_j is finite.
    #[inline(always)]
    pub fn infer(&self, x: &[F; IN], z: &mut [F; OUT], a: &mut [F; OUT]) -> bool {
        rows::infer::<F, A, IN>(self.activation, self.weight, self.bias, x, z, a);
        all_finite(z)
    }

    /// δ^L of an output layer that declares an activation, for one sample: δ_j ← σ'(z_j) δ_j,
    /// from ∇_a C that the cost wrote into δ (the chain rule).
    #[inline(always)]
    pub fn output_delta(&self, z: &[F; OUT], a: &[F; OUT], delta: &mut [F; OUT]) {
        rows::scale_by_derivative(self.activation, z, a, delta);
    }

    /// Equation (2) for one sample: δ_k^l = σ'(z_k^l) Σ_j w_jk^{l+1} δ_j^{l+1}, the sum taken
    /// as a sum of the rows of W^{l+1} scaled by δ^{l+1}. `next` is layer l+1.
    #[inline(always)]
    pub fn delta<const NEXT: usize, B>(
        &self,
        z: &[F; OUT],
        a: &[F; OUT],
        delta: &mut [F; OUT],
        next: &OneSample<'_, F, OUT, NEXT, B>,
        next_delta: &[F; NEXT],
    ) {
        rows::delta::<F, A, OUT>(self.activation, next.weight, next_delta, z, a, delta);
    }

    /// Equations (3) and (4) for one sample: ∂C/∂w_jk = δ_j x_k into `weight` (`OUT` rows of
    /// `IN`, as the layer's W) and ∂C/∂b_j = δ_j into `bias`. Returns `false`, writing nothing,
    /// unless `weight` has `IN × OUT` values.
    #[inline(always)]
    pub fn gradients_into(
        &self,
        delta: &[F; OUT],
        x: &[F; IN],
        weight: &mut [F],
        bias: &mut [F; OUT],
    ) -> bool {
        if weight.len() != self.weight.len() {
            return false;
        }
        rows::gradients::<F, IN, OUT>(delta, x, weight, bias);
        true
    }

    /// Whether plain gradient descent on one sample, w_jk ← w_jk − (η δ_j) x_k and
    /// b_j ← b_j − η δ_j (`Dense::sgd_one_sample`), leaves every parameter finite, by the bound
    /// of `Dense::sgd_check` for a batch of one: every new value is at most
    /// max|w, b| + |η| max|δ| max(|x|, 1) in magnitude, up to rounding. When both terms are
    /// below a quarter of the largest float, the update is finite. `false` for a non-finite δ
    /// or learning rate: the general path then checks the step value by value. The parameters
    /// must be finite, as [`forward`](Self::forward) has made sure.
    #[inline(always)]
    pub fn sgd_is_bounded(&self, learning_rate: F, delta: &[F; OUT], x: &[F; IN]) -> bool {
        let limit = F::max_value().to_f64() / 4.0;
        let largest = max(largest_magnitude(self.weight), largest_magnitude(self.bias));
        let delta_max = delta.iter().fold(F::zero(), |m, &d| max(m, d.abs()));
        let x_max = x.iter().fold(F::one(), |m, &x| max(m, x.abs()));
        let step = learning_rate.abs().to_f64() * delta_max.to_f64() * x_max.to_f64();
        all_finite(delta) && step <= limit && largest.to_f64() <= limit
    }
}

/// max |v| over finite `values` (0 for none), in eight lanes that the compiler vectorises.
#[inline(always)]
fn largest_magnitude<F: Float>(values: &[F]) -> F {
    let mut lanes = [F::zero(); 8];
    let mut chunks = values.chunks_exact(8);
    for chunk in &mut chunks {
        lanes.iter_mut().zip(chunk).for_each(|(m, &v)| *m = max(*m, v.abs()));
    }
    let largest = lanes.iter().fold(F::zero(), |m, &v| max(m, v));
    chunks.remainder().iter().fold(largest, |m, &v| max(m, v.abs()))
}

/// The larger of `a` and `b`: one `max` instruction. With a NaN it answers `a` (a NaN `b`
/// compares false), so a NaN can be lost here; [`OneSample::sgd_is_bounded`] therefore asks
/// [`all_finite`] of δ as well, and needs no NaN from the parameters, which the forward pass
/// proved finite.
#[inline(always)]
fn max<F: Float>(a: F, b: F) -> F {
    if b > a { b } else { a }
}

#[cfg(test)]
mod tests {
    use super::OneSample;
    use crate::activation::{Identity, Relu};

    #[test]
    fn a_layer_takes_weights_of_its_sizes_only() {
        let bias = [0.0; 3];
        assert!(OneSample::<f64, 2, 3, Identity>::new(&[0.0; 6], &bias, &Identity).is_some());
        for wrong in [&[0.0; 5][..], &[0.0; 7], &[]] {
            assert!(
                OneSample::<f64, 2, 3, Identity>::new(wrong, &bias, &Identity).is_none(),
                "{}",
                wrong.len()
            );
        }
        // No inputs: no row to cut W into.
        assert!(OneSample::<f64, 0, 3, Identity>::new(&[], &bias, &Identity).is_none());
    }

    /// z = W x + b and a = max(0, z), by hand: z₁ = 0.5·2 − 1·1 + 0.25, z₂ = 2·2 + 0.25·1 − 4.
    #[test]
    fn forward_computes_the_weighted_input_and_says_whether_it_is_finite() {
        let (weight, bias) = ([0.5, -1.0, 2.0, 0.25], [0.25, -4.5]);
        let layer = OneSample::<f64, 2, 2, Relu>::new(&weight, &bias, &Relu);
        let (mut z, mut a) = ([0.0; 2], [0.0; 2]);
        assert_eq!(layer.as_ref().map(|l| l.forward(&[2.0, 1.0], &mut z, &mut a)), Some(true));
        assert_eq!((z, a), ([0.25, -0.25], [0.25, 0.0]));
        for x in [[f64::INFINITY, 0.0], [0.0, f64::NAN], [f64::MAX, f64::MAX]] {
            assert_eq!(layer.as_ref().map(|l| l.forward(&x, &mut z, &mut a)), Some(false), "{x:?}");
        }
    }

    /// ∂C/∂w_jk = δ_j x_k and ∂C/∂b_j = δ_j; weights of the wrong length get nothing written.
    #[test]
    fn gradients_are_delta_times_the_input_or_nothing() {
        let (weight, bias) = ([0.0; 6], [0.0; 2]);
        let layer = OneSample::<f32, 3, 2, Identity>::new(&weight, &bias, &Identity);
        let gradients = |w: &mut [f32], b: &mut [f32; 2]| {
            layer.as_ref().map(|l| l.gradients_into(&[1.0, -2.0], &[3.0, 0.5, -1.0], w, b))
        };
        let (mut w, mut b) = ([9.0; 6], [9.0; 2]);
        assert_eq!(gradients(&mut w, &mut b), Some(true));
        assert_eq!((w, b), ([3.0, 0.5, -1.0, -6.0, -1.0, 2.0], [1.0, -2.0]));
        let (mut short, mut long, mut b) = ([9.0; 5], [9.0; 7], [9.0; 2]);
        assert_eq!(gradients(&mut short, &mut b), Some(false));
        assert_eq!(gradients(&mut long, &mut b), Some(false));
        assert_eq!((short, long, b), ([9.0; 5], [9.0; 7], [9.0; 2]));
    }
}

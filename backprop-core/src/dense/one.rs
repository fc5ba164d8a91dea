//! One sample through a small layer, on arrays of the layer's compile-time sizes: the
//! equations of the paper for a batch of one, with no matrix views, the whole step compiled for
//! the CPU's widest vectors behind one run-time dispatch ([`vectorised`]).
//!
//! A network whose every layer is small (`IN × OUT` below [`SMALL_PRODUCT`](super::SMALL_PRODUCT)
//! multiply-adds) and whose sizes are integer literals gets from `network!` and
//! `#[derive(Backprop)]` a path for batches of one sample built from [`OneSample`]. Every value
//! lives in an array of a layer's `IN` or `OUT` elements, so that each loop's length is a
//! constant the compiler unrolls and vectorises. The path checks what the general one checks,
//! but it only answers whether all is well: on any problem (a non-finite z, a bad target, an
//! update that would not be finite, parameters of the wrong shape) it gives up before anything
//! is written, and the general path runs the step and reports the error.
//!
//! The arithmetic is that of the general path's loops for small products
//! ([`forward_in`](Dense::forward_in), [`delta_in`](Dense::delta_in),
//! [`gradients_in`](Dense::gradients_in), [`sgd_in`](Dense::sgd_in)): both call the same
//! per-sample kernels (`dense/rows.rs`), so both give the same bits.

use super::{Dense, rows};
use crate::activation::Activation;
use crate::dense::LayerGradients;
use crate::float::Float;

/// Runs `step`, the body of a one-sample step that the macros generate, compiled for the widest
/// vector instructions this CPU has (AVX-512 or AVX2, chosen at run time by `pulp`'s
/// `Arch::dispatch`; elsewhere the code as it is): the default x86-64 target gives the inlined
/// loops only 128-bit SSE registers.
///
/// The results are those of the general path to the bit: wider registers change how many
/// lanes one instruction handles, not the operations each lane does, and no sum is
/// reassociated or fused (Rust contracts no `a * b + c` into a fused multiply-add). The step
/// must be an `#[inline(always)]` closure, so that its body is compiled inside the dispatching
/// function.
#[doc(hidden)]
#[inline(always)]
pub fn vectorised<R>(step: impl FnOnce() -> R) -> R {
    pulp::Arch::new().dispatch(step)
}

/// Whether every value is finite: one pass with no early exit, which the compiler vectorises.
#[inline(always)]
fn all_finite<F: Float>(values: &[F]) -> bool {
    values.iter().fold(true, |ok, v| ok & v.is_finite())
}

/// A layer's parameters seen as arrays of its sizes, for the one-sample path: W^l as `OUT` rows
/// of `IN` weights one after the other, b^l, and σ. Made by [`Dense::one_sample`].
#[doc(hidden)]
#[derive(Debug)]
pub struct OneSample<'a, F, const IN: usize, const OUT: usize, A> {
    /// W^l, `IN × OUT` values, row j holding w_j1 … w_jIN.
    weight: &'a [F],
    bias: &'a [F; OUT],
    activation: &'a A,
}

impl<F: Float, const IN: usize, const OUT: usize, A: Activation<F>> Dense<F, IN, OUT, A> {
    /// This layer's parameters as arrays of its sizes: `None` unless W^l is `OUT × IN`, b^l has
    /// `OUT` entries and both lie contiguously in memory.
    #[doc(hidden)]
    #[inline(always)]
    pub fn one_sample(&self) -> Option<OneSample<'_, F, IN, OUT, A>> {
        if IN == 0 || self.weight.dim() != (OUT, IN) {
            return None;
        }
        let weight = self.weight.as_slice()?;
        let bias = self.bias.as_slice()?.try_into().ok()?;
        Some(OneSample { weight, bias, activation: &self.activation })
    }

    /// Plain gradient descent on one sample, fused with equations (3) and (4):
    /// w_jk ← w_jk − (η δ_j) x_k and b_j ← b_j − η δ_j, the gradients never formed. Call it once
    /// [`OneSample::sgd_is_bounded`] has said yes for every layer, and after δ^{l−1} has been
    /// computed from the W^l it changes.
    #[doc(hidden)]
    #[inline(always)]
    pub fn sgd_one_sample(&mut self, learning_rate: F, delta: &[F; OUT], x: &[F; IN]) {
        if IN == 0 {
            return;
        }
        if let (Some(weight), Some(bias)) = (self.weight.as_slice_mut(), self.bias.as_slice_mut()) {
            rows::sgd::<F, IN>(learning_rate, delta, x, weight, bias);
        }
    }
}

impl<F: Float, const IN: usize, const OUT: usize, A: Activation<F>> OneSample<'_, F, IN, OUT, A> {
    /// The forward pass of one sample: z_j = Σ_k w_jk x_k + b_j and a_j = σ(z_j) (the paper,
    /// section 2). Returns whether z is finite, which proves x and the parameters finite (see
    /// [`check_weighted_input`](Dense::check_weighted_input)).
    #[inline(always)]
    pub fn forward(&self, x: &[F; IN], z: &mut [F; OUT], a: &mut [F; OUT]) -> bool {
        rows::forward::<F, A, IN>(self.activation, self.weight, self.bias, x, z, a);
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

    /// Equations (3) and (4) for one sample into `gradients`: ∂C/∂w_jk = δ_j x_k and
    /// ∂C/∂b_j = δ_j. Returns `false`, writing nothing, if `gradients` does not have the
    /// layer's shape or is not contiguous.
    #[inline(always)]
    pub fn gradients(&self, delta: &[F; OUT], x: &[F; IN], gradients: &mut LayerGradients<F>) -> bool {
        if gradients.weight.dim() != (OUT, IN) {
            return false;
        }
        let (Some(g), Some(gb)) = (gradients.weight.as_slice_mut(), gradients.bias.as_slice_mut()) else {
            return false;
        };
        let Ok(gb) = <&mut [F; OUT]>::try_from(gb) else { return false };
        rows::gradients::<F, IN, OUT>(delta, x, g, gb);
        true
    }

    /// Whether plain gradient descent on one sample, w_jk ← w_jk − (η δ_j) x_k and
    /// b_j ← b_j − η δ_j ([`Dense::sgd_one_sample`]), leaves every parameter finite, by the
    /// bound of [`sgd_check`](Dense::sgd_check) for a batch of one: every new value is at most
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

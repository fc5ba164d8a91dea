//! One sample through a small layer, on arrays of the layer's compile-time sizes: the
//! equations of the paper for a batch of one, with no matrix views, the whole step compiled for
//! the CPU's widest vectors behind one run-time dispatch ([`vectorised`]).
//!
//! A network whose every layer is small (`IN × OUT` below [`SMALL_PRODUCT`](super::SMALL_PRODUCT)
//! multiply-adds) and whose sizes are integer literals gets from `network!` and
//! `#[derive(Backprop)]` a path for batches of one sample built from [`OneSample`] (the
//! std-free part of it in `one_sample.rs`; here what needs a [`Dense`] or gradients). Every value
//! lives in an array of a layer's `IN` or `OUT` elements, so that each loop's length is a
//! constant the compiler unrolls and vectorises. The path checks what the general one checks,
//! but it only answers whether all is well: on any problem (a non-finite z, a bad target, an
//! update that would not be finite, parameters of the wrong shape) it gives up before anything
//! is written, and the general path runs the step and reports the error.
//!
//! The arithmetic is that of the general path's loops for small products
//! ([`forward_in`](Dense::forward_in), [`delta_in`](Dense::delta_in),
//! [`gradients_in`](Dense::gradients_in), [`sgd_in`](Dense::sgd_in)): both call the same
//! per-sample kernels (`rows.rs`), so both give the same bits.

use super::Dense;
use crate::activation::Activation;
use crate::dense::LayerGradients;
use crate::float::Float;
use crate::one_sample::OneSample;
use crate::rows;

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

impl<F: Float, const IN: usize, const OUT: usize, A: Activation<F>> Dense<F, IN, OUT, A> {
    /// This layer's parameters as arrays of its sizes: `None` unless W^l is `OUT × IN`, b^l has
    /// `OUT` entries and both lie contiguously in memory.
    #[doc(hidden)]
    #[inline(always)]
    pub fn one_sample(&self) -> Option<OneSample<'_, F, IN, OUT, A>> {
        if self.weight.dim() != (OUT, IN) {
            return None;
        }
        let weight = self.weight.as_slice()?;
        let bias = self.bias.as_slice()?.try_into().ok()?;
        OneSample::new(weight, bias, &self.activation)
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
        self.gradients_into(delta, x, g, gb)
    }
}

//! The in-place passes of a layer: the same equations as `Dense`'s allocating methods, written
//! into a [`Workspace`](crate::Workspace)'s buffers, with the elementwise steps fused into the
//! pass that produces their input.
//!
//! Two kernels serve every step. Products of at least [`SMALL_PRODUCT`] multiply-adds go to the
//! matrix-multiply routine of [`crate::linalg`]; smaller ones (a 4-16-3 network on one sample)
//! run as loops over the layer's compile-time sizes `IN` and `OUT`, which LLVM unrolls and
//! vectorises, because a general routine's set-up costs more than such a product. A network
//! whose layers are all that small gets a path of its own for batches of one sample, on arrays
//! of its sizes rather than matrix views (`dense/one.rs`), with the arithmetic of these loops.

use ndarray::{ArrayView2, ArrayViewMut2, Axis, Zip};

use super::Dense;
use crate::activation::Activation;
use crate::dense::LayerGradients;
use crate::float::Float;
use crate::linalg::gemm;
use crate::rows;
use crate::workspace::LayerBuffers;

/// Products of fewer multiply-adds than this (batch × `IN` × `OUT`) use the fixed-size loops.
///
/// It is also the one threshold of the one-sample path (`dense/one.rs`): the code `network!`
/// and `#[derive(Backprop)]` generate takes that path for a batch of one when every layer's
/// `IN × OUT` is below this constant, which it reads as `::backprop::__private::SMALL_PRODUCT`
/// in a `const` block.
pub const SMALL_PRODUCT: usize = 4096;

impl<F: Float, const IN: usize, const OUT: usize, A: Activation<F>> Dense<F, IN, OUT, A> {
    fn is_small(rows: usize) -> bool {
        IN > 0 && OUT > 0 && rows.saturating_mul(IN).saturating_mul(OUT) < SMALL_PRODUCT
    }

    /// The forward pass of this layer into `out`: z^l = a^{l−1} (W^l)ᵀ + b^l, then
    /// a^l = σ(z^l), with the bias added and σ applied in one pass over z^l (the paper,
    /// section 2). `a_prev` is a^{l−1}, n × `IN`; `out` must be prepared for n rows.
    #[doc(hidden)]
    pub fn forward_in(&self, a_prev: ArrayView2<'_, F>, out: &mut LayerBuffers<F>) {
        let (mut z, mut a) = out.forward_mut();
        if Self::is_small(a_prev.nrows()) {
            if let (Some(x), Some(w), Some(b), Some(z), Some(a)) = (
                a_prev.as_slice(),
                self.weight.as_slice(),
                self.bias.as_slice(),
                z.as_slice_mut(),
                a.as_slice_mut(),
            ) {
                for (x, (z, a)) in
                    x.chunks_exact(IN).zip(z.chunks_exact_mut(OUT).zip(a.chunks_exact_mut(OUT)))
                {
                    rows::forward::<F, A, IN>(&self.activation, w, b, x, z, a);
                }
                return;
            }
        }
        gemm(F::one(), a_prev, self.weight.t(), false, z.view_mut());
        let sigma = &self.activation;
        Zip::from(z.rows_mut()).and(a.rows_mut()).for_each(|mut z, mut a| {
            Zip::from(&mut z).and(&mut a).and(&self.bias).for_each(|z, a, &b| {
                *z += b;
                *a = sigma.apply(*z);
            });
        });
    }

    /// δ^L of an output layer that declares an activation: δ^L = ∇_a C ⊙ σ'(z^L), by the
    /// chain rule, from ∇_a C that the cost wrote into `out`'s δ.
    #[doc(hidden)]
    pub fn output_delta_in(&self, out: &mut LayerBuffers<F>) {
        let (z, a, mut delta) = out.backward_mut();
        self.scale_by_derivative(z, a, delta.view_mut());
    }

    /// δ ← σ'(z) ⊙ δ, elementwise, with σ' from both z and a = σ(z).
    fn scale_by_derivative(&self, z: ArrayView2<'_, F>, a: ArrayView2<'_, F>, delta: ArrayViewMut2<'_, F>) {
        let sigma = &self.activation;
        Zip::from(delta).and(z).and(a).for_each(|d, &z, &a| *d *= sigma.derivative_at(z, a));
    }

    /// Equation (2) into `here`, this layer's buffers: δ^l = σ'(z^l) ⊙ (W^{l+1})ᵀ δ^{l+1},
    /// for a batch δ^{l+1} W^{l+1}, the product and σ' in one pass. `next_weight` is W^{l+1}
    /// (`NEXT × OUT`) and `next_delta` is δ^{l+1} (n × `NEXT`).
    #[doc(hidden)]
    pub fn delta_in(
        &self,
        here: &mut LayerBuffers<F>,
        next_weight: ArrayView2<'_, F>,
        next_delta: ArrayView2<'_, F>,
    ) {
        let (z, a, mut delta) = here.backward_mut();
        let next = next_weight.nrows();
        if OUT > 0 && next > 0 && next_delta.nrows().saturating_mul(next).saturating_mul(OUT) < SMALL_PRODUCT
        {
            if let (Some(w), Some(dn), Some(z), Some(a), Some(d)) = (
                next_weight.as_slice(),
                next_delta.as_slice(),
                z.as_slice(),
                a.as_slice(),
                delta.as_slice_mut(),
            ) {
                let samples = dn
                    .chunks_exact(next)
                    .zip(d.chunks_exact_mut(OUT).zip(z.chunks_exact(OUT).zip(a.chunks_exact(OUT))));
                for (dn, (d, (z, a))) in samples {
                    rows::delta::<F, A, OUT>(&self.activation, w, dn, z, a, d);
                }
                return;
            }
        }
        gemm(F::one(), next_delta, next_weight, false, delta.view_mut());
        self.scale_by_derivative(z, a, delta);
    }

    /// Equations (3) and (4) into `gradients`: ∂C/∂W^l = (δ^l)ᵀ a^{l−1} and
    /// ∂C/∂b^l = Σ_samples δ^l, from this layer's δ^l in `here` and its input a^{l−1}.
    /// `gradients` is reshaped to `OUT × IN` first if it is not.
    #[doc(hidden)]
    pub fn gradients_in(
        &self,
        here: &LayerBuffers<F>,
        a_prev: ArrayView2<'_, F>,
        gradients: &mut LayerGradients<F>,
    ) {
        if gradients.weight.dim() != (OUT, IN) || gradients.bias.len() != OUT {
            *gradients = LayerGradients::zeros(OUT, IN);
        }
        let delta = here.delta();
        if Self::is_small(delta.nrows()) {
            if let (Some(d), Some(x), Some(g), Some(gb)) = (
                delta.as_slice(),
                a_prev.as_slice(),
                gradients.weight.as_slice_mut(),
                gradients.bias.as_slice_mut(),
            ) {
                return rows::gradients::<F, IN, OUT>(d, x, g, gb);
            }
        }
        gemm(F::one(), delta.t(), a_prev, false, gradients.weight.view_mut());
        gradients.bias.fill(F::zero());
        column_sums_into(F::one(), delta, gradients.bias.view_mut());
    }

    /// Equations (3) and (4) fused with the update of plain gradient descent:
    /// W^l ← W^l − η (δ^l)ᵀ a^{l−1} and b^l ← b^l − η Σ_samples δ^l, written straight into the
    /// parameters without forming the gradients. Call it after δ^{l−1} has been computed from
    /// the W^l it changes.
    #[doc(hidden)]
    pub fn sgd_in(&mut self, learning_rate: F, here: &LayerBuffers<F>, a_prev: ArrayView2<'_, F>) {
        let delta = here.delta();
        let eta = learning_rate;
        if Self::is_small(delta.nrows()) {
            if let (Some(d), Some(x), Some(w), Some(b)) =
                (delta.as_slice(), a_prev.as_slice(), self.weight.as_slice_mut(), self.bias.as_slice_mut())
            {
                for (d, x) in d.chunks_exact(OUT).zip(x.chunks_exact(IN)) {
                    rows::sgd::<F, IN>(eta, d, x, w, b);
                }
                return;
            }
        }
        gemm(-eta, delta.t(), a_prev, true, self.weight.view_mut());
        column_sums_into(-eta, delta, self.bias.view_mut());
    }
}

/// `sums ← sums + α Σ_rows m`, row by row so that each row is one vectorised pass.
fn column_sums_into<F: Float>(alpha: F, m: ArrayView2<'_, F>, mut sums: ndarray::ArrayViewMut1<'_, F>) {
    for row in m.axis_iter(Axis(0)) {
        sums.scaled_add(alpha, &row);
    }
}

//! The equations for one sample on slices: the loops that both the general path's small
//! products (`dense/inplace.rs`, sample by sample) and the one-sample path (`one_sample.rs`, on
//! arrays of the layer's sizes) run, so that the two give the same bits by construction. They
//! need neither the standard library nor an allocator.
//!
//! Row lengths are the compile-time `IN` (or the next layer's input width), so that once a
//! kernel is inlined into a caller of known sizes every loop has a constant trip count that
//! the compiler unrolls and vectorises. The other lengths come from the slices, which the
//! callers cut to the layer's sizes.

use crate::activation::Activation;

use crate::float::Float;

/// The forward pass of one sample: z_j = b_j + Σ_k w_jk x_k, then a_j = σ(z_j) (the paper,
/// section 2). `weight` holds W^l's rows of `IN` weights one after the other; `x` is a^{l−1}
/// (`IN` values); `bias`, `z` and `a` have one entry per unit.
#[inline(always)]
pub(crate) fn forward<F: Float, A: Activation<F>, const IN: usize>(
    sigma: &A,
    weight: &[F],
    bias: &[F],
    x: &[F],
    z: &mut [F],
    a: &mut [F],
) {
    for ((w, &b), z) in weight.chunks_exact(IN).zip(bias).zip(z.iter_mut()) {
        *z = w.iter().zip(x).fold(b, |s, (&w, &x)| s + w * x);
    }
    // σ in a pass of its own, which the compiler vectorises across the units.
    a.iter_mut().zip(z.iter()).for_each(|(a, &z)| *a = sigma.apply(z));
}

/// δ_j ← σ'(z_j) δ_j for one sample, with σ' from both z and a = σ(z): the chain rule that
/// ends equations (1), for an output activation, and (2).
#[inline(always)]
pub(crate) fn scale_by_derivative<F: Float, A: Activation<F>>(sigma: &A, z: &[F], a: &[F], delta: &mut [F]) {
    for ((d, &z), &a) in delta.iter_mut().zip(z).zip(a) {
        *d *= sigma.derivative_at(z, a);
    }
}

/// Equation (2) for one sample: δ_k^l = σ'(z_k^l) Σ_j w_jk^{l+1} δ_j^{l+1}, the sum taken as
/// a sum of the rows of W^{l+1} (each of `OUT` weights, this layer's units) scaled by
/// δ^{l+1}. `next_weight` is W^{l+1} and `next_delta` is δ^{l+1}.
#[inline(always)]
pub(crate) fn delta<F: Float, A: Activation<F>, const OUT: usize>(
    sigma: &A,
    next_weight: &[F],
    next_delta: &[F],
    z: &[F],
    a: &[F],
    delta: &mut [F],
) {
    delta.fill(F::zero());
    for (&dj, w) in next_delta.iter().zip(next_weight.chunks_exact(OUT)) {
        delta.iter_mut().zip(w).for_each(|(d, &w)| *d += dj * w);
    }
    scale_by_derivative(sigma, z, a, delta);
}

/// Equations (3) and (4) summed over the samples of a batch, from zero and in sample order:
/// ∂C/∂w_jk = Σ_samples δ_j x_k and ∂C/∂b_j = Σ_samples δ_j. `delta` holds rows of `OUT`
/// values and `x` rows of `IN`, one of each per sample; `weight` holds rows of `IN` values. For
/// a batch of one sample the sums are 0 + δ_j x_k and 0 + δ_j, the same bits as for any batch.
#[inline(always)]
pub(crate) fn gradients<F: Float, const IN: usize, const OUT: usize>(
    delta: &[F],
    x: &[F],
    weight: &mut [F],
    bias: &mut [F],
) {
    weight.fill(F::zero());
    bias.fill(F::zero());
    for (d, x) in delta.chunks_exact(OUT).zip(x.chunks_exact(IN)) {
        for ((&dj, g), gb) in d.iter().zip(weight.chunks_exact_mut(IN)).zip(bias.iter_mut()) {
            g.iter_mut().zip(x).for_each(|(g, &x)| *g += dj * x);
            *gb += dj;
        }
    }
}

/// Plain gradient descent on one sample, fused with equations (3) and (4):
/// w_jk ← w_jk − (η δ_j) x_k and b_j ← b_j − η δ_j, the gradients never formed.
#[inline(always)]
#[cfg_attr(not(feature = "std"), allow(dead_code))] // Only `Dense`'s passes update parameters.
pub(crate) fn sgd<F: Float, const IN: usize>(
    learning_rate: F,
    delta: &[F],
    x: &[F],
    weight: &mut [F],
    bias: &mut [F],
) {
    for ((&dj, w), b) in delta.iter().zip(weight.chunks_exact_mut(IN)).zip(bias.iter_mut()) {
        let step = learning_rate * dj;
        w.iter_mut().zip(x).for_each(|(w, &x)| *w -= step * x);
        *b -= step;
    }
}

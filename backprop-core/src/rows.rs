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
/// section 2), the sum in one chain, in the order of k. `weight` holds W^l's rows of `IN`
/// weights one after the other; `x` is a^{l−1} (`IN` values); `bias`, `z` and `a` have one
/// entry per unit.
#[inline(always)]
pub(crate) fn forward<F: Float, A: Activation<F>, const IN: usize>(
    sigma: &A,
    weight: &[F],
    bias: &[F],
    x: &[F],
    z: &mut [F],
    a: &mut [F],
) {
    forward_by::<F, A, IN>(sigma, weight, bias, z, a, |b, w| {
        w.iter().zip(x).fold(b, |s, (&w, &x)| s + w * x)
    });
}

/// z_j = `sum`(b_j, row j of W), then a_j = σ(z_j): [`forward`] and [`infer`], which differ in
/// the sum.
#[inline(always)]
fn forward_by<F: Float, A: Activation<F>, const IN: usize>(
    sigma: &A,
    weight: &[F],
    bias: &[F],
    z: &mut [F],
    a: &mut [F],
    sum: impl Fn(F, &[F]) -> F,
) {
    for ((w, &b), z) in weight.chunks_exact(IN).zip(bias).zip(z.iter_mut()) {
        *z = sum(b, w);
    }
    // σ in a pass of its own, which the compiler vectorises across the units.
    a.iter_mut().zip(z.iter()).for_each(|(a, &z)| *a = sigma.apply(z));
}

/// The number of partial sums [`dot`] keeps: eight lanes, one vector of f32 in AVX2 and of f64
/// in AVX-512, which the compiler keeps in registers.
pub(crate) const LANES: usize = 8;

/// Σ_k w_k x_k in a fixed order that the compiler can vectorise and that is the same on every
/// target: lane l sums the products of k = l, l + 8, l + 16, … in order (the last, short chunk
/// included), and the lanes are added pairwise, ((s₀ + s₁) + (s₂ + s₃)) + ((s₄ + s₅) + (s₆ + s₇)).
/// Each product is rounded before it is added (no fused multiply-add), so the bits do not
/// depend on the CPU. Over 784 inputs it takes a fraction of the time of a sum in one chain,
/// whose every addition waits for the one before.
#[inline(always)]
pub(crate) fn dot<F: Float>(w: &[F], x: &[F]) -> F {
    let mut lanes = [F::zero(); LANES];
    let (mut w_chunks, mut x_chunks) = (w.chunks_exact(LANES), x.chunks_exact(LANES));
    for (w, x) in (&mut w_chunks).zip(&mut x_chunks) {
        for ((s, &w), &x) in lanes.iter_mut().zip(w).zip(x) {
            *s += w * x;
        }
    }
    for ((s, &w), &x) in lanes.iter_mut().zip(w_chunks.remainder()).zip(x_chunks.remainder()) {
        *s += w * x;
    }
    // An opaque identity between the loop and the pairwise sum, for long rows: without it the
    // compiler packs the lanes in the order the sum adds them, and its loop over 784 inputs does
    // twice the multiplications it needs and a dozen shuffles per chunk (978 k instructions per
    // prediction of the fashion network against 277 k with it: BENCHMARKS.md, "One-sample
    // inference"). The bits are the same; on rows of fewer than 64 inputs it would only add work.
    if x.len() >= 64 {
        lanes = core::hint::black_box(lanes);
    }
    let [s0, s1, s2, s3, s4, s5, s6, s7] = lanes;
    ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
}

/// The forward pass of one sample for inference: z_j = b_j + Σ_k w_jk x_k with the sum taken by
/// [`dot`], then a_j = σ(z_j). The same as [`forward`] but for the order of the sum: what
/// `predict_one` and the fixed-size networks run, which must agree bit for bit on every target
/// and be fast for layers of hundreds of inputs.
#[inline(always)]
pub(crate) fn infer<F: Float, A: Activation<F>, const IN: usize>(
    sigma: &A,
    weight: &[F],
    bias: &[F],
    x: &[F],
    z: &mut [F],
    a: &mut [F],
) {
    forward_by::<F, A, IN>(sigma, weight, bias, z, a, |b, w| b + dot(w, x));
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

#[cfg(test)]
mod tests {
    use super::dot;

    #[test]
    fn dot_sums_eight_lanes_in_order_and_adds_them_pairwise() {
        // Values whose sum depends on the order: the lanes are exact here, the pairing is not.
        let w: [f64; 11] = [1e16, 1.0, -1e16, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 3.0];
        let x = [1.0; 11];
        // Lane l: w[l], then w[8 + l] for the three of the short chunk.
        let lanes: [f64; 8] = [1e16 + 1.0, 1.0 + 2.0, -1e16 + 3.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let expected =
            ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
        assert_eq!(dot(&w, &x).to_bits(), expected.to_bits());
        // Summed in one chain, the 1 after 1e16 is lost: 11, not this order's value.
        let chain = w.iter().fold(0.0, |s, &v| s + v);
        assert_eq!(chain, 11.0);
        assert_ne!(dot(&w, &x), chain);
        assert_eq!(dot(&[2.0_f32, 3.0], &[4.0, 5.0]), 23.0);
        assert_eq!(dot::<f32>(&[], &[]), 0.0);
        assert!(dot(&[1.0, f64::NAN], &[1.0, 1.0]).is_nan());
    }
}

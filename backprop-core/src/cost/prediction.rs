//! What a cost says the network's output means, for one sample on a slice: the predictions of
//! the costs with neither the standard library nor an allocator. With `std`, each built-in
//! cost's [`Cost::predict_in_place`](crate::cost::Cost::predict_in_place) runs the same
//! functions on an ndarray row, so that both give the same bits.

use crate::activation::sigmoid;
use crate::float::Float;

/// A cost's prediction for one sample: what the network's output z^L, the value the cost is
/// taken of, means, computed in place on a slice.
///
/// Every built-in cost implements it: [`SoftmaxCrossEntropy`](crate::cost::SoftmaxCrossEntropy)
/// gives the probabilities softmax(z), [`BinaryCrossEntropy`](crate::cost::BinaryCrossEntropy)
/// the probabilities s(z_j), one per output, and [`Mse`](crate::cost::Mse) and
/// [`MulticlassHinge`](crate::cost::MulticlassHinge) z itself (the default). It needs no
/// standard library and allocates nothing, so that a network's prediction can run where there
/// is neither; with `std`, a built-in cost's `Cost::predict_in_place` gives the same bits.
///
/// ```
/// use backprop_core::{Prediction, SoftmaxCrossEntropy};
///
/// let mut z = [1.0_f32, 1.0, 1.0, 1.0];
/// SoftmaxCrossEntropy.predict_slice(&mut z);
/// assert_eq!(z, [0.25; 4]);
/// ```
pub trait Prediction<F: Float> {
    /// Turns the network's output `z` for one sample into the prediction, in place. The
    /// default leaves `z` as it is: the prediction is z^L itself. An implementation should keep
    /// finite values finite, and its cost's `Cost::predict_in_place` should compute the same.
    #[inline]
    fn predict_slice(&self, z: &mut [F]) {
        let _ = z;
    }

    /// Whether an output `z` whose prediction is `p` says "yes": class 1 for a network with one
    /// output. The default is p > ½, for predictions that are probabilities or values fitted to
    /// 0 and 1; [`BinaryCrossEntropy`](crate::cost::BinaryCrossEntropy) decides on the logit,
    /// z > 0. With `std`, a built-in cost's `Cost::is_positive` answers the same.
    #[inline]
    fn is_positive(&self, z: F, p: F) -> bool {
        let _ = z;
        p > F::of(0.5)
    }
}

/// The index of the largest prediction in `p` (of the largest output in `z` among equal
/// predictions, the first among equal outputs): the class of a sample with several outputs.
/// 0 when every prediction is NaN.
pub(crate) fn argmax<F: Float, P: ?Sized, Z: ?Sized>(p: &P, z: &Z) -> usize
where
    for<'a> &'a P: IntoIterator<Item = &'a F>,
    for<'a> &'a Z: IntoIterator<Item = &'a F>,
{
    let (mut best, mut best_p, mut best_z) = (0, F::neg_infinity(), F::neg_infinity());
    for (j, (&pj, &zj)) in p.into_iter().zip(z).enumerate() {
        if pj > best_p || (pj == best_p && zj > best_z) {
            (best, best_p, best_z) = (j, pj, zj);
        }
    }
    best
}

/// softmax(z)_j = e^{z_j − m} / Σ_k e^{z_k − m} with m = max_k z_k, in place, over anything
/// whose mutable iteration visits z in order (a slice, an ndarray row): the max, then the
/// exponentials summed in order, then the divisions.
#[inline]
pub(crate) fn softmax<F: Float, Z: ?Sized>(z: &mut Z)
where
    for<'a> &'a mut Z: IntoIterator<Item = &'a mut F>,
{
    let m = (&mut *z).into_iter().fold(F::neg_infinity(), |m, v| if *v > m { *v } else { m });
    let mut s = F::zero();
    for v in &mut *z {
        *v = (*v - m).exp();
        s += *v;
    }
    for e in z {
        *e /= s;
    }
}

/// s(z_j) = 1/(1 + e^{−z_j}) of every value, in place, by [`sigmoid`].
#[inline]
pub(crate) fn sigmoid_each<F: Float, Z: ?Sized>(z: &mut Z)
where
    for<'a> &'a mut Z: IntoIterator<Item = &'a mut F>,
{
    for v in z {
        *v = sigmoid(*v);
    }
}

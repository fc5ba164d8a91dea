use crate::cost::Prediction;
use crate::cost::prediction::softmax;
use crate::float::Float;

/// Softmax cross-entropy on logits, C = (1/n) Σ_i C_i with
/// C_i = −Σ_j y_j log softmax(z_i)_j and ∂C_i/∂z_k = (Σ_j y_j) softmax(z_i)_k − y_k,
/// where softmax(z)_j = e^{z_j} / Σ_k e^{z_k}.
///
/// For a class label y (or a one-hot row) this is the log-likelihood cost C_i = −log softmax(z)_y
/// of a softmax output layer, Nielsen, *Neural Networks and Deep Learning*, ch. 3, eq. (80), with
/// ∂C_i/∂z_k = softmax(z)_k − y_k, eq. (81) (the paper's reference \[2\]); the paper names it
/// "cross-entropy" in section 5. Target rows may also be probability distributions (then Σ_j y_j = 1
/// and δ = softmax(z) − y, as for one-hot rows), or any non-negative weights.
///
/// It is computed with the log-sum-exp trick: with m = max_j z_j and S = Σ_k e^{z_k − m} ≥ 1,
/// −log softmax(z)_j = (m − z_j) + ln S and softmax(z)_k = e^{z_k − m} / S. Every exponential is of
/// a non-positive number, so the cost and δ are finite and accurate for any finite logits: for
/// z = (10⁴, −10⁴) the cost of class 0 is 0 and that of class 1 is 2·10⁴.
///
/// Its prediction ([`Prediction::predict_slice`], and with `std` `Cost::predict_in_place`) is
/// the probability of each class, softmax(z), computed the same way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SoftmaxCrossEntropy;

impl<F: Float> Prediction<F> for SoftmaxCrossEntropy {
    /// The probabilities softmax(z)_j = e^{z_j} / Σ_k e^{z_k} (Nielsen, *Neural Networks and
    /// Deep Learning*, ch. 3, eq. (78), the activations a^L of a softmax output layer), computed
    /// as e^{z_j − m} / Σ_k e^{z_k − m} with m = max_k z_k. Subtracting m changes nothing
    /// (numerator and denominator are both multiplied by e^{−m}) but makes every exponential
    /// one of a non-positive number, at most 1, and the denominator at least 1: no overflow for
    /// any finite logits (Goodfellow, Bengio and Courville, *Deep Learning*, §4.1). The
    /// probabilities lie in \[0, 1\] and sum to 1 up to rounding; for z = (10⁴, −10⁴) they are
    /// (1, 0).
    #[inline]
    fn predict_slice(&self, z: &mut [F]) {
        softmax(z);
    }
}

use crate::cost::Prediction;
use crate::cost::prediction::sigmoid_each;
use crate::float::Float;

/// Binary cross-entropy on logits, one independent yes/no per output: C = (1/n) Σ_i C_i with
/// C_i = Σ_j softplus(z_j) − y_j z_j and ∂C_i/∂z_j = s(z_j) − y_j, targets y_j ∈ \[0, 1\].
///
/// Here s is the logistic sigmoid and softplus(z) = ln(1 + e^z). This is the cross-entropy
/// −Σ_j [y_j ln s(z_j) + (1 − y_j) ln(1 − s(z_j))] of sigmoid outputs a_j = s(z_j), written on the
/// logits (ln s(z) = −softplus(−z) and softplus(z) − softplus(−z) = z); its gradient
/// δ = a − y is Nielsen, *Neural Networks and Deep Learning*, ch. 3, "The cross-entropy cost
/// function" (the paper's reference \[2\]); PyTorch calls it `BCEWithLogitsLoss`.
///
/// It is computed as C_i = Σ_j [max(z_j, 0) − y_j z_j] + ln(1 + e^{−|z_j|}), with the first bracket
/// as (1 − y_j) z_j for z_j > 0 and −y_j z_j otherwise: no exponential overflows, and a confident
/// correct output (z = 10⁴, y = 1) costs exactly 0 rather than a rounding error.
///
/// With one output it is binary classification: class labels (`&[usize]`) are the targets 0
/// and 1, and the class is 1 when z > 0 ([`Cost::is_positive`]), that is when s(z) > ½. With
/// several outputs the outputs are independent yes/no labels ([`Cost::MULTI_LABEL`]), any number
/// of which may be on: targets are rows of values in \[0, 1\] (class labels are read as one-hot
/// rows, one-vs-rest), and the accuracy is element-wise, the fraction of all outputs of all
/// samples whose z_j > 0 agrees with y_j > ½.
///
/// Its prediction ([`Prediction::predict_slice`], and with `std` `Cost::predict_in_place`) is
/// the probability s(z_j) of each output being on.
///
/// [`Cost::is_positive`]: crate::cost::Cost::is_positive
/// [`Cost::MULTI_LABEL`]: crate::cost::Cost::MULTI_LABEL
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BinaryCrossEntropy;

impl<F: Float> Prediction<F> for BinaryCrossEntropy {
    /// The probabilities a_j = s(z_j) = 1/(1 + e^{−z_j}), one per output: the sigmoid outputs
    /// whose cross-entropy this cost is (Nielsen, *Neural Networks and Deep Learning*, ch. 1,
    /// eq. (3)). Computed by [`sigmoid`], whose exponential is of −|z_j|, so that it never
    /// overflows: s(10⁴) is 1 and s(−10⁴) is 0.
    ///
    /// [`sigmoid`]: crate::activation::sigmoid
    #[inline]
    fn predict_slice(&self, z: &mut [F]) {
        sigmoid_each(z);
    }

    /// z > 0: the logit decides, exactly, where s(z) may have rounded to ½.
    #[inline]
    fn is_positive(&self, z: F, _p: F) -> bool {
        z > F::zero()
    }
}

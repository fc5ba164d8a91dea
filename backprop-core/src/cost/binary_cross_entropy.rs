use ndarray::{ArrayView1, ArrayViewMut1};

use crate::activation::sigmoid;
use crate::cost::Cost;
use crate::error::Error;
use crate::float::Float;
use crate::targets::Target;

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
/// Its prediction ([`Cost::predict_in_place`]) is the probability s(z_j) of each output being
/// on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BinaryCrossEntropy;

impl<F: Float> Cost<F> for BinaryCrossEntropy {
    const NAME: &'static str = "BinaryCrossEntropy";
    const CLASSIFICATION: bool = true;
    const MULTI_LABEL: bool = true;
    const TAKES_LOGITS: bool = true;

    /// Target values must lie in \[0, 1\].
    fn check_target(&self, sample: usize, target: &Target<'_, F>) -> Result<(), Error> {
        check_labels(<Self as Cost<F>>::NAME, sample, target)
    }

    /// The probabilities a_j = s(z_j) = 1/(1 + e^{−z_j}), one per output: the sigmoid outputs
    /// whose cross-entropy this cost is (Nielsen, *Neural Networks and Deep Learning*, ch. 1,
    /// eq. (3)). Computed by [`sigmoid`], whose exponential is of −|z_j|, so that it never
    /// overflows: s(10⁴) is 1 and s(−10⁴) is 0.
    fn predict_in_place(&self, z: ArrayViewMut1<'_, F>) {
        sigmoid_in_place(z);
    }

    /// z > 0: the logit decides, exactly, where s(z) may have rounded to ½.
    fn is_positive(&self, z: F, _p: F) -> bool {
        z > F::zero()
    }

    fn sample(&self, z: ArrayView1<'_, F>, target: &Target<'_, F>, delta: Option<ArrayViewMut1<'_, F>>) -> F {
        let mut cost = F::zero();
        for (j, &zj) in z.iter().enumerate() {
            let yj = target.value(j);
            // softplus(z) − y z = [max(z, 0) − y z] + ln(1 + e^{−|z|}).
            let linear = if zj > F::zero() { (F::one() - yj) * zj } else { -yj * zj };
            cost += linear + (-zj.abs()).exp().ln_1p();
        }
        if let Some(mut d) = delta {
            for (j, (dj, &zj)) in d.iter_mut().zip(&z).enumerate() {
                *dj = sigmoid(zj) - target.value(j);
            }
        }
        cost
    }
}

/// Checks that the target values of sample `sample` of the cost named `cost`, one yes/no label
/// per output, lie in \[0, 1\]: [`Error::TargetOutOfRange`] names the first that does not. Class
/// labels are checked already. `BinaryCrossEntropy`'s check, a classifying `#[cost]`'s, and one
/// for a classifying cost of one's own.
pub fn check_labels<F: Float>(
    cost: &'static str,
    sample: usize,
    target: &Target<'_, F>,
) -> Result<(), Error> {
    if let Target::Values(row) = target {
        let outside = |v: &F| v.is_nan() || *v < F::zero() || *v > F::one();
        if let Some((output, &v)) = row.iter().enumerate().find(|(_, v)| outside(v)) {
            return Err(Error::TargetOutOfRange {
                cost,
                sample,
                output,
                value: v.to_string(),
                range: "[0, 1]",
            });
        }
    }
    Ok(())
}

/// z_j ← s(z_j), the probability of each output: `BinaryCrossEntropy`'s prediction, and that of
/// a `#[cost(predict = sigmoid)]`.
pub fn sigmoid_in_place<F: Float>(mut z: ArrayViewMut1<'_, F>) {
    z.mapv_inplace(sigmoid);
}

use ndarray::{ArrayView1, ArrayViewMut1};

use crate::activation::sigmoid;
use crate::cost::prediction::sigmoid_each;
use crate::cost::{BinaryCrossEntropy, Cost, Prediction};
use crate::error::Error;
use crate::float::Float;
use crate::targets::Target;

impl<F: Float> Cost<F> for BinaryCrossEntropy {
    const NAME: &'static str = "BinaryCrossEntropy";
    const CLASSIFICATION: bool = true;
    const MULTI_LABEL: bool = true;
    const TAKES_LOGITS: bool = true;

    /// Target values must lie in \[0, 1\].
    fn check_target(&self, sample: usize, target: &Target<'_, F>) -> Result<(), Error> {
        check_labels(<Self as Cost<F>>::NAME, sample, target)
    }

    /// s(z_j) of every output, by the same code as [`Prediction::predict_slice`]: the same bits.
    ///
    /// [`Prediction::predict_slice`]: crate::cost::Prediction::predict_slice
    fn predict_in_place(&self, z: ArrayViewMut1<'_, F>) {
        sigmoid_in_place(z);
    }

    /// z > 0: the logit decides, exactly, where s(z) may have rounded to ½.
    fn is_positive(&self, z: F, p: F) -> bool {
        Prediction::is_positive(self, z, p)
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
/// a `#[cost(predict = sigmoid)]`, by the same code as its
/// [`Prediction::predict_slice`](crate::cost::Prediction::predict_slice): the same bits.
pub fn sigmoid_in_place<F: Float>(mut z: ArrayViewMut1<'_, F>) {
    sigmoid_each(&mut z);
}

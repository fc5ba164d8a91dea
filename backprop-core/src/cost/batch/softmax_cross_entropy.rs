use ndarray::{ArrayView1, ArrayViewMut1};

use crate::cost::prediction::softmax;
use crate::cost::{Cost, SoftmaxCrossEntropy};

use crate::error::Error;

use crate::float::Float;

use crate::targets::Target;

impl<F: Float> Cost<F> for SoftmaxCrossEntropy {
    const NAME: &'static str = "SoftmaxCrossEntropy";
    const CLASSIFICATION: bool = true;
    const TAKES_LOGITS: bool = true;

    /// Target values must be non-negative (probabilities, or one-hot rows).
    fn check_target(&self, sample: usize, target: &Target<'_, F>) -> Result<(), Error> {
        if let Target::Values(row) = target {
            if let Some((output, &v)) = row.iter().enumerate().find(|(_, v)| v.is_nan() || **v < F::zero()) {
                return Err(Error::TargetOutOfRange {
                    cost: <Self as Cost<F>>::NAME,
                    sample,
                    output,
                    value: v.to_string(),
                    range: "[0, ∞) (probabilities or one-hot rows)",
                });
            }
        }
        Ok(())
    }

    /// softmax(z), by the same code as [`Prediction::predict_slice`]: the same bits.
    ///
    /// [`Prediction::predict_slice`]: crate::cost::Prediction::predict_slice
    fn predict_in_place(&self, mut z: ArrayViewMut1<'_, F>) {
        softmax(&mut z);
    }

    fn sample(&self, z: ArrayView1<'_, F>, target: &Target<'_, F>, delta: Option<ArrayViewMut1<'_, F>>) -> F {
        // m = max_j z_j; S = Σ_k e^{z_k − m}, with the maximum's term e^0 = 1, so ln S ≥ 0.
        let m = z.iter().fold(F::neg_infinity(), |m, &v| if v > m { v } else { m });
        // With δ to fill, each e^{z_k − m} is computed once, into δ, and divided by S there.
        let mut delta = delta;
        let s = match delta.as_mut() {
            Some(d) => d.iter_mut().zip(&z).fold(F::zero(), |s, (dk, &zk)| {
                *dk = (zk - m).exp();
                s + *dk
            }),
            None => z.iter().fold(F::zero(), |s, &v| s + (v - m).exp()),
        };
        let ln_s = s.ln();
        // −log softmax(z)_j = (m − z_j) + ln S.
        let neg_log_softmax = |zj: F| (m - zj) + ln_s;
        // softmax(z)_k from e^{z_k − m}, already in δ_k.
        let softmax = |ek: F| ek / s;
        match target {
            Target::Class(c) => {
                let Some(&zc) = z.get(*c) else {
                    // Unreachable through `evaluate`, which checks labels against the width.
                    if let Some(mut d) = delta {
                        d.fill(F::nan());
                    }
                    return F::nan();
                };
                if let Some(mut d) = delta {
                    for (k, dk) in d.iter_mut().enumerate() {
                        let yk = if k == *c { F::one() } else { F::zero() };
                        *dk = softmax(*dk) - yk;
                    }
                }
                neg_log_softmax(zc)
            }
            Target::Values(y) => {
                let mut cost = F::zero();
                let mut total = F::zero();
                for (&zj, &yj) in z.iter().zip(y) {
                    // Terms with y_j = 0 contribute nothing (and could be 0 · ∞ in f32 for
                    // logits near the largest float).
                    if yj != F::zero() {
                        cost += yj * neg_log_softmax(zj);
                        total += yj;
                    }
                }
                if let Some(mut d) = delta {
                    for (dk, &yk) in d.iter_mut().zip(y) {
                        *dk = total * softmax(*dk) - yk;
                    }
                }
                cost
            }
        }
    }
}

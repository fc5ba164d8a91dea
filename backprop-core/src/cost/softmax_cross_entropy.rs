use ndarray::{ArrayView1, ArrayViewMut1};

use crate::cost::Cost;

use crate::error::Error;

use crate::float::Float;

use crate::targets::Target;

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
/// Its prediction ([`Cost::predict_in_place`]) is the probability of each class,
/// softmax(z), computed the same way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SoftmaxCrossEntropy;

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

    /// The probabilities softmax(z)_j = e^{z_j} / Σ_k e^{z_k} (Nielsen, *Neural Networks and
    /// Deep Learning*, ch. 3, eq. (78), the activations a^L of a softmax output layer), computed
    /// as e^{z_j − m} / Σ_k e^{z_k − m} with m = max_k z_k. Subtracting m changes nothing
    /// (numerator and denominator are both multiplied by e^{−m}) but makes every exponential
    /// one of a non-positive number, at most 1, and the denominator at least 1: no overflow for
    /// any finite logits (Goodfellow, Bengio and Courville, *Deep Learning*, §4.1). The
    /// probabilities lie in \[0, 1\] and sum to 1 up to rounding; for z = (10⁴, −10⁴) they are
    /// (1, 0).
    fn predict_in_place(&self, mut z: ArrayViewMut1<'_, F>) {
        let m = z.iter().fold(F::neg_infinity(), |m, &v| if v > m { v } else { m });
        let mut s = F::zero();
        for v in z.iter_mut() {
            *v = (*v - m).exp();
            s += *v;
        }
        z.mapv_inplace(|e| e / s);
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

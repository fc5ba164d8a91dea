use ndarray::{ArrayView1, ArrayViewMut1};

use crate::cost::Cost;

use crate::error::Error;

use crate::float::Float;

use crate::targets::Target;

/// The multiclass hinge (multiclass SVM) loss, C = (1/n) Σ_i C_i with
/// C_i = Σ_{j≠y} max(0, z_j − z_y + 1), where y is the sample's class, and
/// ∂C_i/∂z_j = 1 if z_j − z_y + 1 > 0 else 0 for j ≠ y,
/// ∂C_i/∂z_y = −#{j ≠ y : z_j − z_y + 1 > 0}.
///
/// Weston & Watkins, "Support Vector Machines for Multi-Class Pattern Recognition", ESANN 1999,
/// with margin 1, as in the CS231n notes "Linear classification" (the "multiclass SVM loss" the
/// paper names in section 5). At a margin of exactly 0 the gradient is taken as 0. The cost is
/// piecewise linear in the logits, so it is exact and finite for any finite logits (as long as the
/// differences z_j − z_y are finite).
///
/// Targets are class labels, or one-hot rows (a single 1, the rest 0): any other row is rejected
/// with [`Error::NotOneHot`].
///
/// Its prediction ([`Cost::predict_in_place`]) is the scores z themselves: the largest is the
/// class, but they are not probabilities (the loss only asks the class's score to lead the
/// others by a margin of 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MulticlassHinge;

impl<F: Float> Cost<F> for MulticlassHinge {
    const NAME: &'static str = "MulticlassHinge";
    const CLASSIFICATION: bool = true;

    /// Target rows must be one-hot.
    fn check_target(&self, sample: usize, target: &Target<'_, F>) -> Result<(), Error> {
        match class(target) {
            Some(_) => Ok(()),
            None => Err(Error::NotOneHot { cost: <Self as Cost<F>>::NAME, sample }),
        }
    }

    fn sample(&self, z: ArrayView1<'_, F>, target: &Target<'_, F>, delta: Option<ArrayViewMut1<'_, F>>) -> F {
        let Some((y, zy)) = class(target).and_then(|y| z.get(y).map(|&zy| (y, zy))) else {
            // Unreachable through `evaluate`, which checks the targets first.
            if let Some(mut d) = delta {
                d.fill(F::nan());
            }
            return F::nan();
        };
        let mut cost = F::zero();
        let mut positive = F::zero();
        let margin = |zj: F| zj - zy + F::one();
        for (j, &zj) in z.iter().enumerate() {
            if j != y && margin(zj) > F::zero() {
                cost += margin(zj);
                positive += F::one();
            }
        }
        if let Some(mut d) = delta {
            for (j, (dj, &zj)) in d.iter_mut().zip(&z).enumerate() {
                *dj = if j == y {
                    -positive
                } else if margin(zj) > F::zero() {
                    F::one()
                } else {
                    F::zero()
                };
            }
        }
        cost
    }
}

/// The class of a target: the label itself, or the index of the 1 of a one-hot row (`None` if
/// the row is not one-hot).
fn class<F: Float>(target: &Target<'_, F>) -> Option<usize> {
    match target {
        Target::Class(c) => Some(*c),
        Target::Values(row) => {
            let mut found = None;
            for (j, &v) in row.iter().enumerate() {
                if v == F::one() && found.is_none() {
                    found = Some(j);
                } else if v != F::zero() {
                    return None;
                }
            }
            found
        }
    }
}

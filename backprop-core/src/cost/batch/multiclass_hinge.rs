use ndarray::{ArrayView1, ArrayViewMut1};

use crate::cost::{Cost, MulticlassHinge};

use crate::error::Error;

use crate::float::Float;

use crate::targets::Target;

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

//! Standardisation of features: zero mean and unit variance per column.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Zip};

use crate::check::check_finite;
use crate::error::Error;
use crate::float::Float;

/// Standardises features column by column: z = (x − μ) / σ, where μ and σ are the mean and the
/// standard deviation of the column in the data the standardiser was fitted on (the "z-score";
/// the same as scikit-learn's `StandardScaler`).
///
/// σ is the population standard deviation, σ² = (1/n) Σᵢ (xᵢ − μ)², computed in `f64` by two
/// passes (first μ, then the squares of the deviations). A column whose values are all equal has
/// σ = 0 and is only centred, z = x − μ, so it becomes 0 rather than NaN.
///
/// Fit it on the training set only and transform the training, validation and test sets with
/// it, so that no statistics of the held-out data leak into training.
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer<F> {
    mean: Array1<F>,
    std: Array1<F>,
    /// σ, or 1 where σ = 0: what z divides by.
    scale: Array1<F>,
}

impl<F: Float> Standardizer<F> {
    /// Fits μ and σ of each column of `x` (rows are samples). An empty `x` is
    /// [`Error::EmptyBatch`], a NaN or infinite value [`Error::NonFinite`].
    pub fn fit(x: ArrayView2<'_, F>) -> Result<Self, Error> {
        if x.nrows() == 0 {
            return Err(Error::EmptyBatch);
        }
        check_finite("input", x)?;
        let n = x.nrows() as f64;
        let mut mean = Array1::zeros(x.ncols());
        let mut std = Array1::zeros(x.ncols());
        for (j, column) in x.columns().into_iter().enumerate() {
            let first = column[0];
            if column.iter().all(|&v| v == first) {
                mean[j] = first;
                continue;
            }
            let mu = column.iter().map(|&v| v.to_f64()).sum::<f64>() / n;
            let variance = column.iter().map(|&v| (v.to_f64() - mu).powi(2)).sum::<f64>() / n;
            mean[j] = F::of(mu);
            std[j] = F::of(variance.sqrt());
        }
        let scale = std.mapv(|s: F| if s > F::zero() { s } else { F::one() });
        Ok(Standardizer { mean, std, scale })
    }

    /// μ of each column.
    pub fn mean(&self) -> ArrayView1<'_, F> {
        self.mean.view()
    }

    /// σ of each column: 0 for a column whose values were all equal.
    pub fn std(&self) -> ArrayView1<'_, F> {
        self.std.view()
    }

    /// The standardised copy of `x`, z = (x − μ) / σ per column. `x` must have as many columns
    /// as the data fitted on ([`Error::ColumnCount`]).
    pub fn transform(&self, x: ArrayView2<'_, F>) -> Result<Array2<F>, Error> {
        let mut z = x.to_owned();
        self.transform_in_place(&mut z)?;
        Ok(z)
    }

    /// Standardises `x` in place, z = (x − μ) / σ per column; see [`transform`](Self::transform).
    pub fn transform_in_place<'a>(&self, x: impl Into<ArrayViewMut2<'a, F>>) -> Result<(), Error> {
        let mut x = x.into();
        self.check_width("the matrix to standardise", x.ncols())?;
        for mut row in x.rows_mut() {
            Zip::from(&mut row).and(&self.mean).and(&self.scale).for_each(|v, &mu, &s| *v = (*v - mu) / s);
        }
        Ok(())
    }

    /// The inverse of [`transform`](Self::transform): x = z σ + μ per column.
    pub fn inverse_transform(&self, z: ArrayView2<'_, F>) -> Result<Array2<F>, Error> {
        self.check_width("the matrix to map back", z.ncols())?;
        let mut x = z.to_owned();
        for mut row in x.rows_mut() {
            Zip::from(&mut row).and(&self.mean).and(&self.scale).for_each(|v, &mu, &s| *v = *v * s + mu);
        }
        Ok(x)
    }

    /// Checks that a matrix has as many columns as the data fitted on.
    fn check_width(&self, what: &'static str, columns: usize) -> Result<(), Error> {
        if columns == self.mean.len() {
            return Ok(());
        }
        Err(Error::ColumnCount { what, expected: self.mean.len(), found: columns })
    }
}

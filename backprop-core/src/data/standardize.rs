//! Standardisation of features: zero mean and unit variance per column, and the standardiser
//! on disk, as the tensors `input.mean` and `input.std` of a safetensors file.

use std::collections::HashMap;
use std::path::Path;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Ix1, Zip};

use crate::check::check_finite;
use crate::error::{Error, SafetensorsProblem};
use crate::float::Float;
use crate::io::tensors::{Tensor, TensorFile};
use crate::io::weights::{FLOAT_KEY, VERSION_KEY};
use crate::io::{INPUT_MEAN, INPUT_STD};

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
///
/// [`save`](Standardizer::save) writes it to a safetensors file, as two tensors of one value per
/// column: `input.mean`, μ, and `input.std`, what z divides by (σ, or 1 where σ = 0), so that
/// z = (x − mean) / std in any language gives the same values. [`load`](Standardizer::load)
/// reads it back, from that file or from a model's that carries it
/// ([`Standardized`](crate::Standardized)); the standardiser it gives transforms bit for bit
/// as the one saved.
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer<F> {
    mean: Array1<F>,
    std: Array1<F>,
    /// σ, or 1 where σ = 0: what z divides by.
    scale: Array1<F>,
}

impl<F: Float> Standardizer<F> {
    /// Fits μ and σ of each column of `x` (rows are samples). An empty `x` is
    /// [`Error::EmptyBatch`], a NaN or infinite value [`Error::NonFinite`], and values so large
    /// that their mean or σ overflows `f64` [`Error::StatisticOverflow`].
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
            mean[j] = finite_statistic(j, "mean", F::of(mu))?;
            std[j] = finite_statistic(j, "standard deviation", F::of(variance.sqrt()))?;
        }
        let scale = std.mapv(|s: F| if s > F::zero() { s } else { F::one() });
        Ok(Standardizer { mean, std, scale })
    }

    /// μ of each column.
    pub fn mean(&self) -> ArrayView1<'_, F> {
        self.mean.view()
    }

    /// σ of each column: 0 for a column whose values were all equal when fitted. Loaded from a
    /// file, what the file holds, what z divides by: 1 for such a column.
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

    /// The number of columns it standardises: that of the data it was fitted on.
    pub fn len(&self) -> usize {
        self.mean.len()
    }

    /// Whether it standardises no column (fitted on data with no columns).
    pub fn is_empty(&self) -> bool {
        self.mean.is_empty()
    }

    /// Writes the standardiser to the safetensors file at `path`, replacing it atomically as
    /// [`Persist::save`](crate::io::Persist::save) does: the tensors `input.mean` and
    /// `input.std` (shape `[columns]`, in `F`'s element type), which PyTorch's
    /// `safetensors.torch.load_file` returns as a dictionary.
    ///
    /// # Errors
    ///
    /// Those of [`Persist::save`](crate::io::Persist::save) for writing the file.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        crate::io::file::write_atomic(path.as_ref(), &self.to_bytes()?)
    }

    /// The bytes of the safetensors file [`save`](Standardizer::save) writes.
    pub fn to_safetensors(&self) -> Vec<u8> {
        // Serialising two tensors with fixed names cannot fail; see `Persist::to_safetensors`.
        self.to_bytes().unwrap_or_default()
    }

    /// The standardiser saved in the safetensors file at `path` by
    /// [`save`](Standardizer::save), or carried by a model saved by
    /// [`Standardized::save`](crate::Standardized::save) (its other tensors are left alone).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read, and [`Error::Safetensors`] naming the file for
    /// one that is not a safetensors file or has no `input.mean` or no `input.std`
    /// ([`SafetensorsProblem::MissingStandardization`]), tensors of other shapes than `[n]`
    /// and `[n]` ([`SafetensorsProblem::Shape`]), a value that is NaN or infinite
    /// ([`SafetensorsProblem::NonFinite`]), or a standard deviation that is 0 or negative
    /// ([`SafetensorsProblem::NotPositive`]).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let bytes = crate::io::file::read(path)?;
        Self::read(&TensorFile::parse(&bytes, Some(path))?, None)
    }

    /// [`load`](Standardizer::load) from the bytes of a safetensors file.
    pub fn from_safetensors(bytes: &[u8]) -> Result<Self, Error> {
        Self::read(&TensorFile::parse(bytes, None)?, None)
    }

    /// The two tensors that hold it in a file: `input.mean`, and `input.std`, what z divides by.
    pub(crate) fn tensors(&self) -> [Tensor; 2] {
        [
            Tensor::of(INPUT_MEAN.to_owned(), self.mean.view().into_dyn()),
            Tensor::of(INPUT_STD.to_owned(), self.scale.view().into_dyn()),
        ]
    }

    /// The standardiser a parsed file holds, of `columns` columns if given (a network's input
    /// size), else of as many as `input.mean` has values; see [`load`](Standardizer::load).
    pub(crate) fn read(file: &TensorFile<'_>, columns: Option<usize>) -> Result<Self, Error> {
        let missing: Vec<String> = [INPUT_MEAN, INPUT_STD]
            .into_iter()
            .filter(|name| file.shape(name).is_none())
            .map(str::to_owned)
            .collect();
        if !missing.is_empty() {
            return Err(file.error(SafetensorsProblem::MissingStandardization { missing }));
        }
        // One value per column: a mean of another rank is refused as not of shape [its length].
        let columns = columns.unwrap_or_else(|| file.shape(INPUT_MEAN).map_or(0, |s| s.iter().product()));
        let read = |name: &str| {
            let values = file.read::<F>(name, &[columns])?;
            values.into_dimensionality::<Ix1>().map_err(|e| {
                file.error(SafetensorsProblem::Format { message: format!("tensor `{name}`: {e}") })
            })
        };
        let mean = read(INPUT_MEAN)?;
        let std = read(INPUT_STD)?;
        // `read` refused NaN and infinities; a divisor must also be greater than 0.
        if let Some((j, value)) = std.iter().enumerate().find(|&(_, &s)| s <= F::zero()) {
            return Err(file.error(SafetensorsProblem::NotPositive {
                tensor: INPUT_STD.to_owned(),
                index: vec![j],
                value: value.to_string(),
            }));
        }
        Ok(Standardizer { mean, scale: std.clone(), std })
    }

    /// The bytes of the file [`save`](Standardizer::save) writes, or the serialiser's error.
    fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let metadata = HashMap::from([
            ("format".to_owned(), "pt".to_owned()),
            (VERSION_KEY.to_owned(), env!("CARGO_PKG_VERSION").to_owned()),
            (FLOAT_KEY.to_owned(), F::NAME.to_owned()),
        ]);
        crate::io::tensors::serialize(&self.tensors(), metadata)
    }

    /// Checks that a matrix has as many columns as the data fitted on.
    fn check_width(&self, what: &'static str, columns: usize) -> Result<(), Error> {
        if columns == self.mean.len() {
            return Ok(());
        }
        Err(Error::ColumnCount { what, expected: self.mean.len(), found: columns })
    }
}

/// `value`, the `statistic` of column `column` as fitted, if it is finite; otherwise
/// [`Error::StatisticOverflow`] (finite values whose sum or squares overflow `f64`).
fn finite_statistic<F: Float>(column: usize, statistic: &'static str, value: F) -> Result<F, Error> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::StatisticOverflow { column, statistic, value: value.to_string() })
    }
}

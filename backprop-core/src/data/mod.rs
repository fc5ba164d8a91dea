//! Data sets and what prepares them for a network: readers for IDX files (MNIST, Fashion-MNIST)
//! and CSV files, the bundled Fashion-MNIST subset and iris data set, standardisation, one-hot
//! targets and a seeded train/validation split.
//!
//! Every reader returns a typed [`Error`] naming the file and what was wrong with it (a wrong
//! magic number, a file shorter than its header promises, a bad number on line 12), never a
//! panic, and never allocates more than the data it actually reads, whatever a corrupt header
//! claims.
//!
//! ```
//! use backprop_core::data::{Standardizer, iris};
//!
//! # fn main() -> Result<(), backprop_core::Error> {
//! let data = iris::load::<f64>()?;
//! let (mut train, mut test) = data.split(0.2, 7)?;        // 120 training, 30 test samples
//! let standardizer = Standardizer::fit(train.x.view())?;  // μ and σ of the training set only
//! standardizer.transform_in_place(&mut train.x)?;
//! standardizer.transform_in_place(&mut test.x)?;
//! let targets = train.one_hot()?;                         // 120 × 3, for costs that want rows
//! assert_eq!((train.len(), test.len(), targets.ncols()), (120, 30, 3));
//! # Ok(())
//! # }
//! ```

use std::path::Path;

use ndarray::{Array2, Axis};

use crate::error::Error;

use crate::float::Float;

pub mod csv;
pub mod fashion_mnist;
pub mod idx;
pub mod iris;
mod one_hot;
mod split;
mod standardize;

pub use crate::rng::shuffle;
pub use one_hot::one_hot;
pub use split::{permutation, split, split_indices};
pub use standardize::Standardizer;

/// A labelled data set for classification: one sample per row of `x`, one class label per
/// sample, and the names of the classes.
///
/// The fields are public so that a data set can be taken apart and built by hand; the methods
/// check what they rely on (a label per row, labels below the number of classes) and return an
/// [`Error`] when it does not hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<F> {
    /// The samples, one per row; the columns are the features (for images, the pixels).
    pub x: Array2<F>,
    /// The class of each sample, an index into `classes`.
    pub labels: Vec<usize>,
    /// The names of the classes; their number is the number of outputs a classifier needs.
    pub classes: Vec<String>,
}

impl<F: Float> Dataset<F> {
    /// A data set of the samples `x` (one per row) with `labels`, checked with
    /// [`check`](Dataset::check).
    pub fn new(x: Array2<F>, labels: Vec<usize>, classes: Vec<String>) -> Result<Self, Error> {
        let data = Dataset { x, labels, classes };
        data.check()?;
        Ok(data)
    }

    /// Checks that there is one label per row of `x` ([`Error::TargetCount`]) and that every
    /// label is below the number of classes ([`Error::LabelOutOfRange`]).
    pub fn check(&self) -> Result<(), Error> {
        if self.labels.len() != self.x.nrows() {
            return Err(Error::TargetCount { expected: self.x.nrows(), found: self.labels.len() });
        }
        check_labels(&self.labels, self.classes.len())
    }

    /// The number of samples.
    pub fn len(&self) -> usize {
        self.x.nrows()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of features of a sample (columns of `x`): a network's input size.
    pub fn features(&self) -> usize {
        self.x.ncols()
    }

    /// The number of classes: a classifier's output size.
    pub fn num_classes(&self) -> usize {
        self.classes.len()
    }

    /// How many samples each class has, indexed by class; labels out of range are not counted.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes.len()];
        for &label in &self.labels {
            if let Some(count) = counts.get_mut(label) {
                *count += 1;
            }
        }
        counts
    }

    /// The samples at `indices`, in that order (an index may repeat), with their labels and
    /// the same classes. An index not below [`len`](Dataset::len) is
    /// [`Error::IndexOutOfRange`].
    pub fn select(&self, indices: &[usize]) -> Result<Self, Error> {
        self.check()?;
        if let Some(&index) = indices.iter().find(|&&i| i >= self.len()) {
            return Err(Error::IndexOutOfRange { what: "a data set", index, len: self.len() });
        }
        Ok(Dataset {
            x: self.x.select(Axis(0), indices),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            classes: self.classes.clone(),
        })
    }

    /// The labels as one-hot rows, [`one_hot`]`(labels, classes)`.
    pub fn one_hot(&self) -> Result<Array2<F>, Error> {
        one_hot(&self.labels, self.classes.len())
    }

    /// Splits the data set into a training and a validation set, [`split`]`(self, ...)`.
    pub fn split(&self, validation_fraction: f64, seed: u64) -> Result<(Self, Self), Error> {
        split(self, validation_fraction, seed)
    }
}

/// Checks that every label is below `classes`.
pub(crate) fn check_labels(labels: &[usize], classes: usize) -> Result<(), Error> {
    match labels.iter().position(|&label| label >= classes) {
        Some(sample) => Err(Error::LabelOutOfRange { sample, label: labels[sample], classes }),
        None => Ok(()),
    }
}

/// The [`Error::Io`] for `error`, met while reading `path`.
pub(crate) fn io_error(path: &Path, error: &std::io::Error) -> Error {
    Error::Io { path: path.to_path_buf(), kind: error.kind(), message: error.to_string() }
}

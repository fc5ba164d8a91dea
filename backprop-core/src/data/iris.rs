//! The iris data set (R. A. Fisher, 1936), bundled with the crate: 150 flowers of three species,
//! 50 of each, described by four measurements in centimetres.
//!
//! The file is `data/iris.csv` in the `backprop-core` crate, with the values of Fisher's paper
//! as scikit-learn ships them (two samples differ from the copy in the UCI repository, which
//! has two errors); `data/README.md` beside it gives its source and licence.

use std::path::PathBuf;

use super::Dataset;
use super::csv::{self, Column, CsvOptions};
use crate::error::Error;
use crate::float::Float;

/// The species, in the order of their class indices.
pub const CLASSES: [&str; 3] = ["setosa", "versicolor", "virginica"];

/// The features, in the order of the columns of `x`, in centimetres.
pub const FEATURES: [&str; 4] = ["sepal_length", "sepal_width", "petal_length", "petal_width"];

/// The path of the bundled CSV file.
pub fn path() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv"))
}

/// Reads the bundled iris data set: 150 samples in the order of the file (the 50 setosa, then
/// the 50 versicolor, then the 50 virginica), 4 features ([`FEATURES`]), labels indexing
/// [`CLASSES`]. Shuffle or [`split`](super::split) it before training.
pub fn load<F: Float>() -> Result<Dataset<F>, Error> {
    csv::read(path(), &Column::Name("species".into()), &CsvOptions::new())
}

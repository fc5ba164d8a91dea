//! The seeded train/validation split, drawn with the library's one shuffle ([`crate::rng`]).

use crate::error::Error;
use crate::float::Float;
use crate::rng::{seeded_rng, shuffle};

use super::Dataset;

/// The numbers `0..n` in an order drawn by [`shuffle`] from [`seeded_rng`]`(seed)`.
pub fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..n).collect();
    shuffle(&mut indices, &mut seeded_rng(seed));
    indices
}

/// Splits the indices `0..n` into training and validation indices: the [`permutation`] of
/// `n` for `seed`, whose first round(`validation_fraction` · n) entries are the validation
/// indices and the rest the training indices. Returns `(train, validation)`, disjoint, together
/// `0..n`, each in shuffled order.
///
/// `validation_fraction` must be in [0, 1] ([`Error::InvalidOption`] otherwise).
pub fn split_indices(
    n: usize,
    validation_fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>), Error> {
    if !(0.0..=1.0).contains(&validation_fraction) {
        return Err(Error::InvalidOption {
            what: "the validation fraction",
            expected: "in [0, 1]",
            found: validation_fraction.to_string(),
        });
    }
    let mut train = permutation(n, seed);
    let validation_len = ((validation_fraction * n as f64).round() as usize).min(n);
    let validation = train.drain(..validation_len).collect();
    Ok((train, validation))
}

/// Splits `data` into a training and a validation set by [`split_indices`]: the same seed gives
/// the same split on every machine. Returns `(train, validation)`; both keep the classes of
/// `data`.
///
/// ```
/// use backprop_core::data::{Dataset, split};
/// use backprop_core::ndarray::Array2;
///
/// let x = Array2::from_shape_fn((10, 2), |(i, j)| (i * 2 + j) as f64);
/// let data = Dataset::new(x, vec![0, 1, 0, 1, 0, 1, 0, 1, 0, 1], vec!["a".into(), "b".into()])?;
/// let (train, validation) = split(&data, 0.3, 42)?;
/// assert_eq!((train.len(), validation.len()), (7, 3));
/// # Ok::<(), backprop_core::Error>(())
/// ```
pub fn split<F: Float>(
    data: &Dataset<F>,
    validation_fraction: f64,
    seed: u64,
) -> Result<(Dataset<F>, Dataset<F>), Error> {
    let (train, validation) = split_indices(data.len(), validation_fraction, seed)?;
    Ok((data.select(&train)?, data.select(&validation)?))
}

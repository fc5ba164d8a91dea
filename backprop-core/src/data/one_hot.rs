//! Class labels as one-hot rows.

use ndarray::Array2;

use crate::error::Error;

use crate::float::Float;

use super::check_labels;

/// The one-hot rows of `labels`: a `labels.len() × classes` matrix whose row i is 1 in column
/// `labels[i]` and 0 elsewhere, the targets `Mse` or `BinaryCrossEntropy` compare a classifier's
/// outputs with. A label not below `classes` is [`Error::LabelOutOfRange`], and a matrix too
/// large to allocate (`one_hot(&[0], usize::MAX)`) is [`Error::TooLarge`].
///
/// ```
/// use backprop_core::data::one_hot;
/// use backprop_core::ndarray::array;
///
/// let y = one_hot::<f32>(&[2, 0], 3)?;
/// assert_eq!(y, array![[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]);
/// assert!(one_hot::<f32>(&[0], usize::MAX).is_err());
/// # Ok::<(), backprop_core::Error>(())
/// ```
pub fn one_hot<F: Float>(labels: &[usize], classes: usize) -> Result<Array2<F>, Error> {
    check_labels(labels, classes)?;
    let too_large = || Error::TooLarge {
        what: "one-hot targets",
        found: format!("{} × {classes} values", labels.len()),
    };
    let len = labels
        .len()
        .checked_mul(classes)
        .filter(|&n| n.checked_mul(size_of::<F>()).is_some_and(|bytes| bytes <= isize::MAX as usize))
        .ok_or_else(too_large)?;
    let mut values = Vec::new();
    values.try_reserve_exact(len).map_err(|_| too_large())?;
    values.resize(len, F::zero());
    for (row, &label) in values.chunks_exact_mut(classes.max(1)).zip(labels) {
        if let Some(v) = row.get_mut(label) {
            *v = F::one();
        }
    }
    Ok(Array2::from_shape_vec((labels.len(), classes), values)?)
}

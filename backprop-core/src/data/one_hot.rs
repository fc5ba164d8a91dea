//! Class labels as one-hot rows.

use ndarray::Array2;

use crate::{Error, Float};

use super::check_labels;

/// The one-hot rows of `labels`: a `labels.len() × classes` matrix whose row i is 1 in column
/// `labels[i]` and 0 elsewhere, the targets `Mse` or `BinaryCrossEntropy` compare a classifier's
/// outputs with. A label not below `classes` is [`Error::LabelOutOfRange`].
///
/// ```
/// use backprop_core::data::one_hot;
/// use backprop_core::ndarray::array;
///
/// let y = one_hot::<f32>(&[2, 0], 3)?;
/// assert_eq!(y, array![[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]);
/// # Ok::<(), backprop_core::Error>(())
/// ```
pub fn one_hot<F: Float>(labels: &[usize], classes: usize) -> Result<Array2<F>, Error> {
    check_labels(labels, classes)?;
    let mut rows = Array2::zeros((labels.len(), classes));
    for (mut row, &label) in rows.rows_mut().into_iter().zip(labels) {
        row[label] = F::one();
    }
    Ok(rows)
}

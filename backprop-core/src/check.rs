//! The checks of what a user passes in: input batches, and (with the optimisers' and the
//! trainer's options) counts, rates and finite values. Each returns the typed [`Error`] that
//! says what was expected and what was found.

use ndarray::{ArrayView2, Zip};

use crate::error::Error;
use crate::float::Float;

/// Checks that `x` is a batch for a network with `inputs` inputs: at least one row, `inputs`
/// columns, finite values.
pub fn check_input<F: Float>(x: ArrayView2<'_, F>, inputs: usize) -> Result<(), Error> {
    check_input_shape(x, inputs)?;
    check_finite("input", x)
}

/// Checks that `x` has at least one row and `inputs` columns; its values are checked by the
/// first layer once it has seen them: a non-finite x_k makes every z_j^1 non-finite, so a
/// finite z^1 proves x finite.
pub fn check_input_shape<F: Float>(x: ArrayView2<'_, F>, inputs: usize) -> Result<(), Error> {
    if x.nrows() == 0 {
        return Err(Error::EmptyBatch);
    }
    if x.ncols() != inputs {
        return Err(Error::InputWidth { expected: inputs, found: x.ncols() });
    }
    Ok(())
}

/// Returns an error naming the first non-finite value of `values`, if any.
///
/// The common case, all finite, is one vectorised pass with no early exit
/// ([`Float::all_finite`], in the widest vector instructions the CPU has); only a failing batch
/// is searched again for the position to report.
pub fn check_finite<F: Float>(what: &'static str, values: ArrayView2<'_, F>) -> Result<(), Error> {
    if values.as_slice_memory_order().is_some_and(F::all_finite) {
        return Ok(());
    }
    let mut found = None;
    Zip::indexed(values).for_each(|(i, j), &v| {
        if found.is_none() && !v.is_finite() {
            found = Some((i, j, v));
        }
    });
    match found {
        Some((sample, column, v)) => Err(Error::NonFinite { what, sample, column, value: v.to_string() }),
        None => Ok(()),
    }
}

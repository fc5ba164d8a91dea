//! The checks of values a user passes in, each returning the typed [`Error`] that says what was
//! expected and what was found: an option of a constructor or a builder (a float in a range, a
//! count of at least 1, a learning rate), and the finiteness of a batch.
//!
//! One home for them, as serde_derive's `internals/check.rs`: optimisers, schedules, the trainer,
//! the data readers, inference and the layers all call these, so none of them reaches into
//! another's module for a check. This module sits low: it uses only the error and float types.

use ndarray::{ArrayView2, Zip};

use crate::error::Error;
use crate::float::Float;

/// Returns `value` if it is finite and `valid`, else [`Error::InvalidOption`] naming `what` and
/// saying it should be `expected`.
pub(crate) fn check_option<F: Float>(
    what: &'static str,
    value: F,
    expected: &'static str,
    valid: impl Fn(F) -> bool,
) -> Result<F, Error> {
    if value.is_finite() && valid(value) {
        Ok(value)
    } else {
        Err(Error::InvalidOption { what, expected, found: value.to_string() })
    }
}

/// Returns `count` if it is at least 1, else [`Error::InvalidOption`].
pub(crate) fn check_count(what: &'static str, count: usize, expected: &'static str) -> Result<usize, Error> {
    if count >= 1 {
        Ok(count)
    } else {
        Err(Error::InvalidOption { what, expected, found: count.to_string() })
    }
}

/// Checks a learning rate given to a constructor: positive and finite.
pub(crate) fn check_initial_rate<F: Float>(learning_rate: F) -> Result<F, Error> {
    check_option("the learning rate", learning_rate, "positive and finite", |v| v > F::zero())
}

/// Checks a learning rate set during training: finite and not negative (zero is allowed, so
/// that a schedule may anneal to it).
pub(crate) fn check_rate<F: Float>(learning_rate: F) -> Result<F, Error> {
    check_option("the learning rate", learning_rate, "finite and not negative", |v| v >= F::zero())
}

/// Returns an error naming the first non-finite value of `values`, if any.
///
/// The common case, all finite, is one vectorised pass with no early exit
/// ([`Reductions::all_finite`], in the widest vector instructions the CPU has); only a failing
/// batch is searched again for the position to report.
///
/// [`Reductions::all_finite`]: crate::reductions::Reductions::all_finite
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

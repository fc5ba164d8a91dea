//! What a cost compares the network's output with: one target per sample.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, Slice};

use crate::error::Error;

use crate::float::Float;

/// The targets of a batch: one per sample (row of the input).
///
/// Build it with `.into()` from what you have: a matrix with one row per sample (`ArrayView2`,
/// `&Array2`: regression targets, or one-hot rows for classification), one value per sample
/// for a network with one output (`ArrayView1`, `&Array1`, `&[F]`, `&Vec<F>`, `&[F; N]`: the
/// same targets as the matrix of one column), or class labels (`&[usize]`, `&Vec<usize>`,
/// `&[usize; N]`).
///
/// What a label means depends on the network's number of outputs:
///
/// - with several outputs, label c is class c: the one-hot row with a 1 at output c, which the
///   cost sees as [`Target::Class`], and labels must lie in `0..outputs`;
/// - with one output, the label is the target value itself, 0 or 1 (binary classification:
///   `BinaryCrossEntropy` on the logit, or `Mse` fitted to 0 and 1), which the cost sees as
///   the row `[0.0]` or `[1.0]` of [`Target::Values`]; any other label is
///   [`Error::BinaryLabel`].
#[derive(Clone, Copy, Debug)]
pub enum Targets<'a, F> {
    /// One row of target values per sample.
    Values(ArrayView2<'a, F>),
    /// One target value per sample, for a network with one output: the same targets as
    /// [`Values`](Targets::Values) with one column. A network with several outputs refuses them
    /// with [`Error::OneValuePerSample`].
    Column(ArrayView1<'a, F>),
    /// One class index per sample, in `0..outputs`.
    Classes(&'a [usize]),
}

/// The target of one sample, as a cost sees it.
#[derive(Clone, Debug)]
pub enum Target<'a, F> {
    /// The target values of the sample, one per output.
    Values(ArrayView1<'a, F>),
    /// The sample's class index, already checked to be below the number of outputs, for a
    /// network with several outputs (a network with one output sees a label as the value 0 or
    /// 1 in [`Target::Values`]).
    Class(usize),
}

impl<F: Float> Target<'_, F> {
    /// The target value for output `j`: the value itself, or 1 for the class and 0 elsewhere.
    /// NaN if `j` is past the end of a row of values (which [`Targets::check`] rules out), so
    /// that a misuse shows as a non-finite cost rather than a panic.
    #[inline]
    pub fn value(&self, j: usize) -> F {
        match self {
            Target::Values(row) => row.get(j).copied().unwrap_or_else(F::nan),
            Target::Class(c) => {
                if *c == j {
                    F::one()
                } else {
                    F::zero()
                }
            }
        }
    }
}

impl<'a, F: Float> Targets<'a, F> {
    /// The number of samples these targets are for.
    pub fn len(&self) -> usize {
        match self {
            Targets::Values(y) => y.nrows(),
            Targets::Column(y) => y.len(),
            Targets::Classes(c) => c.len(),
        }
    }

    /// Whether there are no targets.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The target of sample `i` for a network with `outputs` outputs, or `None` if `i` is not
    /// below [`len`](Targets::len): a row of values (of one value for [`Column`](Targets::Column)),
    /// a label as a class, or (with one output) a label as the value 0 or 1. `None` too for a
    /// label of one output that is neither, which [`check`](Targets::check) rules out.
    #[inline]
    pub fn get(&self, i: usize, outputs: usize) -> Option<Target<'a, F>> {
        match *self {
            Targets::Values(y) => (i < y.nrows()).then(|| Target::Values(y.index_axis_move(Axis(0), i))),
            Targets::Column(y) => {
                (i < y.len()).then(|| Target::Values(y.slice_axis_move(Axis(0), Slice::from(i..=i))))
            }
            Targets::Classes(c) if outputs == 1 => {
                let value = c.get(i).and_then(|&label| F::zero_and_one().get(label..=label))?;
                Some(Target::Values(ArrayView1::from(value)))
            }
            Targets::Classes(c) => c.get(i).map(|&c| Target::Class(c)),
        }
    }

    /// The targets of samples `start..end`, which must lie within [`len`](Targets::len).
    pub(crate) fn rows(&self, start: usize, end: usize) -> Targets<'a, F> {
        match *self {
            Targets::Values(y) => Targets::Values(y.slice_axis_move(Axis(0), Slice::from(start..end))),
            Targets::Column(y) => Targets::Column(y.slice_axis_move(Axis(0), Slice::from(start..end))),
            Targets::Classes(c) => Targets::Classes(c.get(start..end).unwrap_or_default()),
        }
    }

    /// Checks that these are targets for `samples` samples of a network with `outputs` outputs:
    /// one per sample, rows as wide as the output, values finite, labels in `0..outputs`, or 0
    /// or 1 for one output; one value per sample only for one output.
    pub fn check(&self, samples: usize, outputs: usize) -> Result<(), Error> {
        // Before the count: one value per sample is the wrong kind of targets, whatever their number.
        if let Targets::Column(y) = self
            && outputs != 1
        {
            return Err(Error::OneValuePerSample { samples: y.len(), outputs });
        }
        if self.len() != samples {
            return Err(Error::TargetCount { expected: samples, found: self.len() });
        }
        match self {
            Targets::Values(y) => {
                if y.ncols() != outputs {
                    return Err(Error::TargetWidth { expected: outputs, found: y.ncols() });
                }
                crate::check::check_finite("targets", *y)
            }
            Targets::Column(y) => crate::check::check_finite("targets", y.insert_axis(Axis(1))),
            Targets::Classes(c) if outputs == 1 => match c.iter().position(|&label| label > 1) {
                Some(sample) => Err(Error::BinaryLabel { sample, label: c[sample] }),
                None => Ok(()),
            },
            Targets::Classes(c) => match c.iter().position(|&label| label >= outputs) {
                Some(sample) => Err(Error::LabelOutOfRange { sample, label: c[sample], classes: outputs }),
                None => Ok(()),
            },
        }
    }
}

impl<'a, F> From<ArrayView2<'a, F>> for Targets<'a, F> {
    fn from(y: ArrayView2<'a, F>) -> Self {
        Targets::Values(y)
    }
}

impl<'a, F> From<&'a Array2<F>> for Targets<'a, F> {
    fn from(y: &'a Array2<F>) -> Self {
        Targets::Values(y.view())
    }
}

impl<'a, F> From<ArrayView1<'a, F>> for Targets<'a, F> {
    fn from(y: ArrayView1<'a, F>) -> Self {
        Targets::Column(y)
    }
}

impl<'a, F> From<&'a Array1<F>> for Targets<'a, F> {
    fn from(y: &'a Array1<F>) -> Self {
        Targets::Column(y.view())
    }
}

impl<'a, F: Float> From<&'a [F]> for Targets<'a, F> {
    fn from(y: &'a [F]) -> Self {
        Targets::Column(ArrayView1::from(y))
    }
}

impl<'a, F: Float> From<&'a Vec<F>> for Targets<'a, F> {
    fn from(y: &'a Vec<F>) -> Self {
        Targets::Column(ArrayView1::from(y.as_slice()))
    }
}

impl<'a, F: Float, const N: usize> From<&'a [F; N]> for Targets<'a, F> {
    fn from(y: &'a [F; N]) -> Self {
        Targets::Column(ArrayView1::from(y.as_slice()))
    }
}

impl<'a, F> From<&'a [usize]> for Targets<'a, F> {
    fn from(labels: &'a [usize]) -> Self {
        Targets::Classes(labels)
    }
}

impl<'a, F> From<&'a Vec<usize>> for Targets<'a, F> {
    fn from(labels: &'a Vec<usize>) -> Self {
        Targets::Classes(labels)
    }
}

impl<'a, F, const N: usize> From<&'a [usize; N]> for Targets<'a, F> {
    fn from(labels: &'a [usize; N]) -> Self {
        Targets::Classes(labels)
    }
}

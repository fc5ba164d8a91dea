//! What a failed training run returns: the error, and the history of the epochs before it.

use super::history::History;
use crate::error::Error;

/// What [`Trainer::fit`](super::Trainer::fit) and [`Trainer::resume`](super::Trainer::resume)
/// return when training fails: the error, and the history of the epochs finished before it,
/// which would otherwise be lost with the network's record of how it got where it is.
///
/// `?` in a function that returns [`Error`] keeps the error and drops the history (through
/// `From<FitError<F>> for Error`); a function that returns `Box<dyn std::error::Error>` keeps
/// both.
#[derive(Clone, Debug, PartialEq)]
pub struct FitError<F> {
    /// What went wrong: for a failure in training, an [`Error::Training`] naming the epoch and
    /// the batch.
    pub error: Error,
    /// Every epoch finished before the error, as [`Trainer::fit`](super::Trainer::fit) would
    /// have returned them (with [`History::best_epoch`] when there is a validation set).
    pub history: History<F>,
}

impl<F> FitError<F> {
    /// A failure before the first step: no history.
    pub(super) fn before_training(error: Error) -> Self {
        FitError { error, history: History::empty(0) }
    }
}

impl<F> core::fmt::Display for FitError<F> {
    /// The error, then how many epochs were finished before it: `epoch 4, batch 7 of 8: the
    /// cost is not finite (inf): … (3 epochs finished)`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let n = self.history.epochs.len();
        write!(f, "{} ({n} epoch{} finished)", self.error, if n == 1 { "" } else { "s" })
    }
}

impl<F: core::fmt::Debug> std::error::Error for FitError<F> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl<F> From<FitError<F>> for Error {
    /// The error, without the history.
    fn from(failure: FitError<F>) -> Self {
        failure.error
    }
}

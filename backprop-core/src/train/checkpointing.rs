//! What a trainer needs to write checkpoints: where, how often, and how to read its
//! optimiser's state. `checkpoint.rs` writes and reads the files; the plan takes the path for
//! the run and says when one is due.

use std::path::PathBuf;

use crate::float::Float;
use crate::optim::{OptimizerState, Resumable};

/// Where and how often [`Trainer::checkpoint`](super::Trainer::checkpoint) writes, and how to
/// read the optimiser's state: functions, so that [`Trainer::fit`](super::Trainer::fit) needs
/// no [`Resumable`] bound of its own.
#[derive(Debug)]
pub(crate) struct Checkpointing<F, O> {
    /// The checkpoint's path.
    pub(crate) path: PathBuf,
    /// The number of epochs between checkpoints, as set (checked by the plan).
    pub(crate) every: usize,
    /// The optimiser's state, which a checkpoint holds.
    pub(crate) snapshot: fn(&O) -> OptimizerState<F>,
    /// The optimiser's kind and options, which a checkpoint records.
    pub(crate) describe: fn(&O) -> String,
}

impl<F: Float, O: Resumable<F>> Checkpointing<F, O> {
    /// Checkpoints to `path` every `every` epochs.
    pub(crate) fn new(path: PathBuf, every: usize) -> Self {
        Checkpointing {
            path,
            every,
            snapshot: <O as Resumable<F>>::state,
            describe: <O as Resumable<F>>::describe,
        }
    }
}

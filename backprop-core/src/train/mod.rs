//! Training: a [`Trainer`] that runs epochs of shuffled mini-batches through any optimiser and
//! returns a [`History`], with [`diagnostics`] of every layer (gradient, weight and update
//! norms, dead units) and [`Warning`]s when a layer is dead or its gradient vanishes or explodes;
//! measurements of a network on a data set ([`evaluate`], [`predict_classes`],
//! [`confusion_matrix`]).
//!
//! With the default features, the trainer shows a progress bar on a terminal (`progress`,
//! through indicatif), and a history can be drawn as an SVG plot (`plot`, through plotters).
//! With the `mpi` feature, a trainer trains across the processes of an MPI run
//! (`Trainer::mpi` and the module `distributed`).

// The trainer, top down: `trainer` (the builder, `fit`, `resume`, `resume_or_fit`) → `run_loop`
// (the epochs of a run and their bookkeeping) → `epoch` (one epoch on one `Context`) →
// `buffers`; beside them `plan` (the options, checked), `state` (a run's `Run` and `Setup`,
// which checkpoints hold), `early_stopping`, `hook` (what `on_epoch` calls after each epoch),
// `checkpointing` (the checkpoint options) and `checkpoint` (the files), `group` (the processes
// of an MPI run, or stubs without the feature) and `fit_error`.
mod buffers;
mod checkpoint;
mod checkpointing;
pub mod diagnostics;
#[cfg(feature = "mpi")]
pub mod distributed;
mod early_stopping;
mod epoch;
mod fit_error;
mod group;
mod history;
mod hook;
pub(crate) mod metrics;
mod plan;
#[cfg(feature = "plot")]
mod plot;
mod progress;
mod run_loop;
mod state;
mod trainer;

pub use crate::inference::EVALUATION_BATCH;
pub use diagnostics::{LayerDiagnostics, Problem, Warning};
#[cfg(feature = "mpi")]
pub use distributed::Mpi;
pub use fit_error::FitError;
pub use history::{CSV_HEADER, Epoch, History, StopReason};
pub use hook::{EpochHook, NoHook, OnEpoch};
pub use metrics::{ConfusionMatrix, Metrics, confusion_matrix, evaluate, predict_classes};
pub use progress::Progress;
pub use trainer::Trainer;

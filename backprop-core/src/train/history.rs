//! What a training run returns: one record per epoch.

use core::fmt;
use std::path::Path;

use super::diagnostics::{LayerDiagnostics, Warning};
use super::progress::loss;
use crate::error::Error;
use crate::float::Float;

/// The measurements of one epoch of training.
#[derive(Clone, Debug, PartialEq)]
pub struct Epoch<F> {
    /// The epoch's number, counted from 1.
    pub epoch: usize,
    /// The learning rate η the epoch trained with.
    pub learning_rate: F,
    /// The cost on the training set: the mean of the mini-batch costs of the epoch, each taken
    /// just before its step, weighted by the batch's size.
    pub train_loss: F,
    /// For classification costs, the accuracy on the training set with the weights at the end
    /// of the epoch (one extra forward pass over the training set); `None` otherwise or when
    /// switched off with [`Trainer::training_accuracy`](super::Trainer::training_accuracy).
    pub train_accuracy: Option<f64>,
    /// The cost on the validation set with the weights at the end of the epoch, if there is one.
    pub validation_loss: Option<F>,
    /// The accuracy on the validation set, for classification costs.
    pub validation_accuracy: Option<f64>,
    /// The wall-clock time of the epoch, evaluation included, in seconds.
    pub seconds: f64,
    /// Training samples per second of the epoch's training steps (evaluation excluded).
    pub samples_per_second: f64,
    /// Per layer, first layer first: the gradient, weight and update norms of the epoch's first
    /// step and, for ReLU-like layers, the fraction of units that never fired in the epoch (see
    /// [`diagnostics`](super::diagnostics)). Empty when
    /// [`Trainer::diagnostics`](super::Trainer::diagnostics) is off.
    pub diagnostics: Vec<LayerDiagnostics>,
}

/// The record of a training run, returned by [`Trainer::fit`](super::Trainer::fit).
#[derive(Clone, Debug, PartialEq)]
pub struct History<F> {
    /// One record per epoch trained, in order.
    pub epochs: Vec<Epoch<F>>,
    /// The epoch (counted from 1) with the lowest validation loss, if there was a validation
    /// set: the first of equal losses, and with early stopping the last that improved on the
    /// best before it by more than `min_delta`. With early stopping, the network ends with
    /// that epoch's weights.
    pub best_epoch: Option<usize>,
    /// Whether early stopping or the [`on_epoch`](super::Trainer::on_epoch) hook ended the run
    /// before its last epoch; [`stopped_by`](History::stopped_by) says which.
    pub stopped_early: bool,
    /// What ended the run before its last epoch, if anything did.
    pub stopped_by: Option<StopReason>,
    /// The problems the trainer found in layers, each reported once (the first epoch it was seen
    /// in): a dead layer, a vanishing or an exploding gradient.
    pub warnings: Vec<Warning>,
}

/// What ended a training run before its last epoch ([`History::stopped_by`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// Early stopping: the validation loss had not improved for `patience` epochs
    /// ([`Trainer::early_stopping`](super::Trainer::early_stopping)).
    EarlyStopping,
    /// The [`on_epoch`](super::Trainer::on_epoch) hook returned `ControlFlow::Break`.
    Hook,
}

impl StopReason {
    /// Its name in a checkpoint: `early_stopping` or `hook`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            StopReason::EarlyStopping => "early_stopping",
            StopReason::Hook => "hook",
        }
    }
}

/// The first columns of the header line of [`History::to_csv`]; with diagnostics, four columns
/// per layer follow.
pub const CSV_HEADER: &str = "epoch,learning_rate,train_loss,train_accuracy,validation_loss,validation_accuracy,seconds,samples_per_second";

impl<F> History<F> {
    /// The history of a run before its first epoch, with room for `epochs` records (up to 1024).
    pub(crate) fn empty(epochs: usize) -> Self {
        History {
            epochs: Vec::with_capacity(epochs.min(1024)),
            best_epoch: None,
            stopped_early: false,
            stopped_by: None,
            warnings: Vec::new(),
        }
    }
}

impl<F: Float> History<F> {
    /// The record of the last epoch trained.
    pub fn last(&self) -> Option<&Epoch<F>> {
        self.epochs.last()
    }

    /// The history as CSV: the header, then one line per epoch; a value that was not measured is
    /// an empty field. Floats are written in Rust's shortest round-trip form.
    ///
    /// The header is [`CSV_HEADER`], followed, when the epochs have
    /// [`diagnostics`](Epoch::diagnostics), by `<layer>.gradient_norm`, `<layer>.weight_norm`,
    /// `<layer>.update_ratio` and `<layer>.dead_fraction` for each layer.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(CSV_HEADER);
        let layers: Vec<&str> = self
            .epochs
            .iter()
            .find(|e| !e.diagnostics.is_empty())
            .map(|e| e.diagnostics.iter().map(|d| d.layer.as_str()).collect())
            .unwrap_or_default();
        for layer in &layers {
            for column in ["gradient_norm", "weight_norm", "update_ratio", "dead_fraction"] {
                out.push_str(&format!(",{layer}.{column}"));
            }
        }
        out.push('\n');
        let opt = |v: Option<String>| v.unwrap_or_default();
        for e in &self.epochs {
            let fields = [
                e.epoch.to_string(),
                e.learning_rate.to_string(),
                e.train_loss.to_string(),
                opt(e.train_accuracy.map(|v| v.to_string())),
                opt(e.validation_loss.map(|v| v.to_string())),
                opt(e.validation_accuracy.map(|v| v.to_string())),
                e.seconds.to_string(),
                e.samples_per_second.to_string(),
            ];
            out.push_str(&fields.join(","));
            for layer in &layers {
                match e.diagnostics.iter().find(|d| d.layer == *layer) {
                    Some(d) => out.push_str(&format!(
                        ",{},{},{},{}",
                        d.gradient_norm,
                        d.weight_norm,
                        d.update_ratio,
                        opt(d.dead_fraction.map(|v| v.to_string()))
                    )),
                    None => out.push_str(",,,,"),
                }
            }
            out.push('\n');
        }
        out
    }

    /// Writes [`to_csv`](History::to_csv) to the file at `path`, replacing it.
    pub fn write_csv(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_file(path.as_ref(), &self.to_csv())
    }
}

/// Writes `contents` to `path`, reporting a failure as [`Error::Io`].
pub(crate) fn write_file(path: &Path, contents: &str) -> Result<(), Error> {
    std::fs::write(path, contents).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        kind: e.kind(),
        message: e.to_string(),
    })
}

impl<F: Float> Epoch<F> {
    /// The epoch's summary line, with `epoch 3/15` when the number of epochs is given.
    pub(crate) fn summary(&self, epochs: Option<usize>) -> String {
        let mut line = match epochs {
            Some(total) => format!("epoch {}/{total}  loss {}", self.epoch, loss(self.train_loss)),
            None => format!("epoch {}  loss {}", self.epoch, loss(self.train_loss)),
        };
        if let Some(a) = self.train_accuracy {
            line += &format!("  accuracy {a:.4}");
        }
        if let Some(l) = self.validation_loss {
            line += &format!("  validation loss {}", loss(l));
        }
        if let Some(a) = self.validation_accuracy {
            line += &format!("  accuracy {a:.4}");
        }
        line += &format!(
            "  lr {:.1e}  {:.2} s  {:.0} samples/s",
            self.learning_rate.to_f64(),
            self.seconds,
            self.samples_per_second
        );
        line
    }
}

impl<F: Float> fmt::Display for Epoch<F> {
    /// One line: `epoch 3  loss 0.3412  accuracy 0.8812  validation loss 0.3711  accuracy
    /// 0.8655  lr 1.0e-3  1.21 s  49500 samples/s`, leaving out what was not measured.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary(None))
    }
}

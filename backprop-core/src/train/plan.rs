//! The options of a trainer as set ([`Options`]), checked into the plan of a run ([`Plan`])
//! against the training data ([`Data`]) before the first step.

use std::fmt;

use ndarray::ArrayView2;

use super::checkpointing::Checkpointing;
use super::progress::Progress;
use crate::check::{check_count, check_option};
use crate::cost::Cost;
use crate::error::Error;
use crate::float::Float;
use crate::io::file::Target;
use crate::network::Network;
use crate::optim::{Constant, Optimizer, Schedule};
use crate::targets::Targets;

/// How many epochs' learning rates [`Options::plan`] checks before the first step; the rates of
/// later epochs (of a run with more epochs than this, such as one that relies on early stopping)
/// are checked as each epoch starts.
const SCHEDULE_CHECKED: usize = 1 << 20;

/// A data set: the samples `x`, one per row, and their targets `y`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Data<'a, F> {
    /// The samples, one per row.
    pub(crate) x: ArrayView2<'a, F>,
    /// One target per sample.
    pub(crate) y: Targets<'a, F>,
}

impl<'d, F: Float> Data<'d, F> {
    /// The samples `x` and their targets `y`, viewed for as long as both live (a view's
    /// lifetime cannot shrink by itself: ndarray's views are invariant over it).
    pub(crate) fn new<'x: 'd, 'y: 'd>(x: ArrayView2<'x, F>, y: Targets<'y, F>) -> Self {
        let y = match y {
            Targets::Values(v) => Targets::Values(v.reborrow()),
            Targets::Column(v) => Targets::Column(v.reborrow()),
            Targets::Classes(c) => Targets::Classes(c),
        };
        Data { x: x.reborrow(), y }
    }

    /// Checks the data before training: inputs as wide as the network's input, finite; one
    /// target per sample, valid for the network's cost.
    pub(crate) fn check<N: Network<F>>(self) -> Result<(), Error> {
        crate::check::check_input(self.x, N::INPUT)?;
        self.y.check(self.x.nrows(), N::OUTPUT)?;
        let cost = N::Cost::default();
        for i in 0..self.y.len() {
            if let Some(target) = self.y.get(i, N::OUTPUT) {
                cost.check_target(i, &target)?;
            }
        }
        Ok(())
    }

    /// A 64-bit fingerprint of the data, inputs and targets: FNV-1a over the bits of every value
    /// and label. Equal data give equal fingerprints on every machine, and one value per sample
    /// gives that of the same values as a matrix of one column.
    pub(crate) fn fingerprint(self) -> u64 {
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        let mix = |h: u64, v: u64| (h ^ v).wrapping_mul(PRIME);
        let Data { x, y } = self;
        let h = x
            .iter()
            .fold(mix(0xcbf2_9ce4_8422_2325, x.ncols() as u64), |h, v| mix(h, Float::to_f64(*v).to_bits()));
        match y {
            Targets::Values(v) => v.iter().fold(mix(h, 1), |h, v| mix(h, Float::to_f64(*v).to_bits())),
            Targets::Column(v) => v.iter().fold(mix(h, 1), |h, v| mix(h, Float::to_f64(*v).to_bits())),
            Targets::Classes(c) => c.iter().fold(mix(h, 2), |h, &c| mix(h, c as u64)),
        }
    }
}

/// The options of a trainer as its methods of the same names set them, unchecked.
pub(crate) struct Options<'v, F> {
    /// The number of passes over the training set.
    pub(crate) epochs: usize,
    /// The number of samples per step.
    pub(crate) batch_size: usize,
    /// The seed of the order of the samples.
    pub(crate) seed: u64,
    /// The learning rate of each epoch, from η₀.
    pub(crate) schedule: Box<dyn Schedule<F> + Send>,
    /// η₀, the optimiser's rate when the first plan was made.
    pub(crate) initial_rate: Option<F>,
    /// The validation set, measured after each epoch.
    pub(crate) validation: Option<Data<'v, F>>,
    /// Patience and `min_delta`.
    pub(crate) early_stopping: Option<(usize, F)>,
    /// What to show while training.
    pub(crate) progress: Progress,
    /// Whether to measure the accuracy on the training set after each epoch.
    pub(crate) training_accuracy: bool,
    /// Whether to record the diagnostics of every layer in each epoch.
    pub(crate) diagnostics: bool,
    /// Whether a resume may go on with a schedule that gives the epochs done other rates.
    pub(crate) allow_schedule_change: bool,
}

impl<F: Float> Default for Options<'_, F> {
    /// The defaults the `Trainer` documents.
    fn default() -> Self {
        Options {
            epochs: 10,
            batch_size: 32,
            seed: 0,
            schedule: Box::new(Constant),
            initial_rate: None,
            validation: None,
            early_stopping: None,
            progress: Progress::Auto,
            training_accuracy: true,
            diagnostics: true,
            allow_schedule_change: false,
        }
    }
}

/// The options of a run, checked.
pub(crate) struct Plan<F> {
    /// The number of epochs, at least 1.
    pub(crate) epochs: usize,
    /// The number of samples per step: the batch size, or all samples if there are fewer.
    pub(crate) batch: usize,
    /// The batch size as set.
    pub(crate) batch_size: usize,
    /// Patience and `min_delta`.
    pub(crate) early_stopping: Option<(usize, F)>,
    /// η₀, the rate the schedule starts from.
    pub(crate) initial_rate: F,
    /// The number of epochs between checkpoints, if the trainer writes any.
    pub(crate) checkpoint_every: Option<usize>,
    /// The checkpoint's path, held by the process that writes it until the run ends.
    pub(crate) checkpoint: Option<Target>,
}

impl<F: Float> Plan<F> {
    /// Whether a checkpoint is due after `epoch` (from 1): every `checkpoint_every` epochs,
    /// after the last, and when early stopping has ended the run (`stopped`).
    pub(crate) fn checkpoint_due(&self, epoch: usize, stopped: bool) -> bool {
        self.checkpoint_every
            .is_some_and(|every| stopped || epoch == self.epochs || epoch % every.max(1) == 0)
    }
}

impl<F: Float> Options<'_, F> {
    /// Checks every option, the training `data` and the validation set; takes the path of the
    /// `checkpoint`, if any, when this process `writes` it (its folder is checked now, and no
    /// other writer can take it until the run ends); fixes the schedule's initial rate from the
    /// `optimizer`'s, at the first call; and checks the rates the schedule gives.
    pub(crate) fn plan<N: Network<F>, O: Optimizer<F>>(
        &mut self,
        data: Data<'_, F>,
        optimizer: &O,
        checkpoint: Option<&Checkpointing<F, O>>,
        writes: bool,
    ) -> Result<Plan<F>, Error> {
        let epochs = check_count("the number of epochs", self.epochs, "at least 1")?;
        let batch_size = check_count("the batch size", self.batch_size, "at least 1")?;
        data.check::<N>()?;
        if let Some(validation) = self.validation {
            validation.check::<N>()?;
        }
        let early_stopping = match self.early_stopping {
            None => None,
            Some(_) if self.validation.is_none() => {
                return Err(Error::InvalidOption {
                    what: "early stopping",
                    expected: "a validation set to watch (set one with `validation`)",
                    found: "none".to_owned(),
                });
            }
            Some((patience, min_delta)) => Some((
                check_count("the patience of early stopping", patience, "at least 1 epoch")?,
                check_option("min_delta of early stopping", min_delta, "finite and not negative", |d| {
                    d >= F::zero()
                })?,
            )),
        };
        let (checkpoint_every, checkpoint) = match checkpoint {
            Some(checkpoint) => {
                let every =
                    check_count("the number of epochs between checkpoints", checkpoint.every, "at least 1")?;
                (Some(every), if writes { Some(Target::lock(&checkpoint.path)?) } else { None })
            }
            None => (None, None),
        };
        let initial_rate = *self.initial_rate.get_or_insert(optimizer.learning_rate());
        for epoch in 0..epochs.min(SCHEDULE_CHECKED) {
            let rate = self.schedule.rate(initial_rate, epoch);
            if !(rate.is_finite() && rate >= F::zero()) {
                return Err(Error::InvalidOption {
                    what: "the learning rate the schedule gives",
                    expected: "finite and not negative, for every epoch",
                    found: format!("{rate} for epoch {}", epoch + 1),
                });
            }
        }
        Ok(Plan {
            epochs,
            batch: batch_size.min(data.x.nrows()),
            batch_size,
            early_stopping,
            initial_rate,
            checkpoint_every,
            checkpoint,
        })
    }

    /// Adds the options to `debug`, the `Debug` of a trainer, as fields of their own, in the
    /// order the trainer has always shown them.
    pub(crate) fn debug_fields(&self, debug: &mut fmt::DebugStruct<'_, '_>) {
        debug
            .field("epochs", &self.epochs)
            .field("batch_size", &self.batch_size)
            .field("seed", &self.seed)
            .field("schedule", &self.schedule)
            .field("initial_rate", &self.initial_rate)
            .field("validation", &self.validation.map(|v| (v.x, v.y)))
            .field("early_stopping", &self.early_stopping)
            .field("progress", &self.progress)
            .field("training_accuracy", &self.training_accuracy)
            .field("diagnostics", &self.diagnostics)
            .field("allow_schedule_change", &self.allow_schedule_change);
    }
}

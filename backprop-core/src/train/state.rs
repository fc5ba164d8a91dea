//! The state of a training run, shared by the run loop and checkpoints: where the run stands
//! after an epoch ([`Run`]), and what a checkpoint records of the trainer and its data
//! ([`Setup`]).

use super::early_stopping::EarlyStopping;
use super::history::History;
use super::plan::{Data, Options, Plan};
use crate::float::Float;
use crate::rng::{Rng, shuffle};

/// Where a run stands after an epoch: with the network and the optimiser's state, what a
/// checkpoint holds.
pub(crate) struct Run<F> {
    /// The epochs done.
    pub(crate) epoch: usize,
    /// The order of the samples, shuffled again each epoch.
    pub(crate) order: Vec<usize>,
    /// The generator of the shuffles.
    pub(crate) rng: Rng,
    /// Early stopping's policy and its best epoch so far.
    pub(crate) early_stopping: EarlyStopping<F>,
    pub(crate) history: History<F>,
}

impl<F: Float> Run<F> {
    /// A run of `epochs` epochs with `early_stopping` (patience and `min_delta`, if any), before
    /// its first epoch.
    pub(crate) fn new(seed: u64, samples: usize, epochs: usize, early_stopping: Option<(usize, F)>) -> Self {
        Run {
            epoch: 0,
            order: (0..samples).collect(),
            rng: crate::rng::seeded_rng(seed),
            early_stopping: EarlyStopping::new(early_stopping),
            history: History::empty(epochs),
        }
    }

    /// The order of the samples and the generator after `epochs` epochs: the same shuffles
    /// replayed from the seed.
    pub(crate) fn replay(
        seed: u64,
        samples: usize,
        epochs: usize,
        early_stopping: Option<(usize, F)>,
    ) -> Self {
        let mut run = Run::new(seed, samples, epochs, early_stopping);
        for _ in 0..epochs {
            shuffle(&mut run.order, &mut run.rng);
        }
        run.epoch = epochs;
        run
    }
}

/// What a checkpoint records of the trainer and the data it was written with.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Setup<F> {
    /// The number of epochs planned (may differ on resume).
    pub(crate) epochs: usize,
    pub(crate) batch_size: usize,
    pub(crate) seed: u64,
    pub(crate) initial_rate: F,
    /// The schedule, as `Debug` prints it (may differ on resume).
    pub(crate) schedule: String,
    pub(crate) samples: usize,
    /// [`Data::fingerprint`] of the training data.
    pub(crate) data: u64,
    /// The number of validation samples and their fingerprint.
    pub(crate) validation: Option<(usize, u64)>,
    /// Patience and `min_delta`.
    pub(crate) early_stopping: Option<(usize, F)>,
    /// [`Resumable::describe`](crate::optim::Resumable::describe) of the optimiser.
    pub(crate) optimizer: String,
}

impl<F: Float> Setup<F> {
    /// What a checkpoint records of a run with `options`, checked into `plan`, on `data`, with
    /// the optimiser that `optimizer` describes
    /// ([`Resumable::describe`](crate::optim::Resumable::describe)).
    pub(crate) fn new(
        options: &Options<'_, F>,
        plan: &Plan<F>,
        data: Data<'_, F>,
        optimizer: String,
    ) -> Self {
        Setup {
            epochs: plan.epochs,
            batch_size: plan.batch_size,
            seed: options.seed,
            initial_rate: plan.initial_rate,
            schedule: format!("{:?}", options.schedule),
            samples: data.x.nrows(),
            data: data.fingerprint(),
            validation: options.validation.map(|v| (v.x.nrows(), v.fingerprint())),
            early_stopping: plan.early_stopping,
            optimizer,
        }
    }
}

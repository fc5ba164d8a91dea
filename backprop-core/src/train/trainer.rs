//! The trainer: its options, set one method at a time, and the three ways to train with them,
//! [`fit`](Trainer::fit), [`resume`](Trainer::resume) and
//! [`resume_or_fit`](Trainer::resume_or_fit). The checked plan is in `plan.rs`, the run loop in
//! `run_loop.rs`, one epoch in `epoch.rs`, the hook in `hook.rs`, the processes of a
//! distributed run in `group.rs`.

use std::fmt;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use ndarray::ArrayView2;

use super::checkpoint;
use super::checkpointing::Checkpointing;
use super::epoch::{Context, Start};
use super::fit_error::FitError;
use super::group::{Distributed, agree, debug_field};
use super::history::{Epoch, History};
use super::hook::{EpochHook, NoHook, OnEpoch};
use super::plan::{Data, Options};
use super::progress::Progress;
use super::run_loop;
use super::state::{Run, Setup};
use crate::error::Error;
use crate::float::Float;
use crate::network::Network;
use crate::optim::{Optimizer, Resumable, Schedule};
use crate::targets::Targets;

/// Trains a network with an optimiser: epochs of mini-batches drawn in a seeded random order,
/// an optional validation set measured after each epoch, an optional learning-rate schedule and
/// early stopping, and a [`History`] of every epoch.
///
/// The `backprop` crate's documentation shows it training a network declared with `network!`.
///
/// Every option has a default (10 epochs, batches of 32, seed 0, constant learning rate, no
/// validation, no early stopping, [`Progress::Auto`], no hook) and is checked by
/// [`fit`](Trainer::fit), which returns [`Error::InvalidOption`] for a bad one.
///
/// `H` is what runs after each epoch: [`NoHook`], or the closure of
/// [`on_epoch`](Trainer::on_epoch).
pub struct Trainer<'v, F: Float, O, H = NoHook> {
    /// The optimiser, with its state.
    optimizer: O,
    /// Every option but the checkpoint and MPI.
    options: Options<'v, F>,
    /// Where and how often to write checkpoints. No field is named like a method (`checkpoint`,
    /// `mpi`): when a method cannot be called (a `Result` passed as the optimiser), rustc would
    /// label the call "private field, not a method".
    checkpointing: Option<Checkpointing<F, O>>,
    /// The processes to train across (none without the `mpi` feature).
    distributed: Option<Distributed<F, O>>,
    /// What runs after each epoch.
    hook: H,
}

impl<F: Float, O: fmt::Debug, H: fmt::Debug> fmt::Debug for Trainer<'_, F, O, H> {
    /// The optimiser and every option, as fields of the trainer.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Trainer");
        debug.field("optimizer", &self.optimizer);
        self.options.debug_fields(&mut debug);
        debug.field("checkpoint", &self.checkpointing);
        debug_field(&mut debug, &self.distributed);
        debug.field("on_epoch", &self.hook);
        debug.finish()
    }
}

impl<'v, F: Float, O: Optimizer<F>> Trainer<'v, F, O> {
    /// A trainer that updates with `optimizer`, with every other option at its default.
    pub fn new(optimizer: O) -> Self {
        Trainer {
            optimizer,
            options: Options::default(),
            checkpointing: None,
            distributed: None,
            hook: NoHook,
        }
    }
}

impl<'v, F: Float, O: Optimizer<F>, H> Trainer<'v, F, O, H> {
    /// The number of passes over the training set (at least 1; default 10).
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.options.epochs = epochs;
        self
    }

    /// The number of samples per step (at least 1; default 32). The last batch of an epoch holds
    /// what is left, so every sample is used once per epoch; a batch size above the number of
    /// samples gives full-batch gradient descent.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.options.batch_size = batch_size;
        self
    }

    /// The seed of the order of the samples (default 0). The order is a Fisher–Yates shuffle
    /// per epoch from ChaCha8 seeded with `seed`, the same on every machine, so that a network
    /// from the same `with_seed` trained with the same options and data ends with bit-identical
    /// weights.
    pub fn seed(mut self, seed: u64) -> Self {
        self.options.seed = seed;
        self
    }

    /// The learning rate of each epoch, from the optimiser's rate when training starts
    /// (default [`Constant`](crate::optim::Constant)). The schedule must be `Send`, so that a
    /// trainer can be moved to another thread (a `Trainer` is `Send` when its optimiser is, and
    /// its [`on_epoch`](Trainer::on_epoch) hook, if any).
    pub fn schedule(mut self, schedule: impl Schedule<F> + Send + 'static) -> Self {
        self.options.schedule = Box::new(schedule);
        self
    }

    /// A validation set, on which the cost (and accuracy, for classification costs) is measured
    /// after every epoch.
    pub fn validation(mut self, x: ArrayView2<'v, F>, y: impl Into<Targets<'v, F>>) -> Self {
        self.options.validation = Some(Data { x, y: y.into() });
        self
    }

    /// Stops when the validation loss has not fallen below its best by more than `min_delta`
    /// for `patience` (at least 1) epochs in a row, and in any case ends training with the
    /// weights of the epoch of that best validation loss ([`History::best_epoch`]). Needs a
    /// [`validation`](Trainer::validation) set; `min_delta` must be finite and not negative.
    pub fn early_stopping(mut self, patience: usize, min_delta: F) -> Self {
        self.options.early_stopping = Some((patience, min_delta));
        self
    }

    /// What to show while training (default [`Progress::Auto`]: a bar on a terminal, nothing
    /// otherwise).
    pub fn progress(mut self, progress: Progress) -> Self {
        self.options.progress = progress;
        self
    }

    /// Whether to measure the accuracy on the training set after each epoch, for
    /// classification costs (default true). It costs one forward pass over the training set
    /// per epoch.
    pub fn training_accuracy(mut self, measure: bool) -> Self {
        self.options.training_accuracy = measure;
        self
    }

    /// Whether to record the [`diagnostics`](super::diagnostics) of every layer in each epoch
    /// (default true): the gradient, weight and update norms of the epoch's first step, and
    /// for ReLU-like layers the units that never fired; and to warn, once per layer and
    /// problem, when a layer is dead or its gradient vanishes or explodes (in
    /// [`History::warnings`], and on standard error unless [`Progress::Off`]).
    ///
    /// They cost, per epoch, a copy of the weights and a few passes over them (and with plain
    /// gradient descent, which never forms the gradients, one extra backward pass), and after
    /// each step a look at z^l of the units that have not fired yet: 1.7 % of an epoch of 79
    /// batches of Fashion-MNIST in `BENCHMARKS.md`, less for longer epochs. They never change
    /// the training: the weights are the same bits either way.
    pub fn diagnostics(mut self, record: bool) -> Self {
        self.options.diagnostics = record;
        self
    }

    /// Calls `hook` after each epoch with the epoch's record (its number, training loss,
    /// validation loss and accuracy when measured, learning rate, …) and the network with the
    /// weights of the epoch's end: to log, to save the best network one's own way, or to stop.
    /// `ControlFlow::Break(())` ends training after that epoch, and the [`History`] says so
    /// ([`stopped_early`](History::stopped_early), and [`stopped_by`](History::stopped_by)
    /// [`StopReason::Hook`](super::StopReason::Hook), unless it was the last epoch). The hook
    /// runs after early stopping has looked at the epoch, and is called for every epoch that
    /// [`fit`](Trainer::fit), [`resume`](Trainer::resume) or
    /// [`resume_or_fit`](Trainer::resume_or_fit) trains, not for those a checkpoint holds. It
    /// sees the network and the record only: returning `Continue` leaves the training the same
    /// bits as without a hook. A second `on_epoch` replaces the first. The closure may borrow
    /// what it writes to (the trainer then holds the borrow), and need be neither `Send` nor
    /// `'static`: the trainer is `Send` when it is.
    ///
    /// - With [early stopping](Trainer::early_stopping), the run still ends with the weights of
    ///   the best epoch, as when early stopping ends it.
    /// - With [checkpoints](Trainer::checkpoint), a `Break` writes one after its epoch, due or
    ///   not, holding the weights the network has then. It ends the call, not the run:
    ///   [`resume`](Trainer::resume) goes on from that epoch up to
    ///   [`epochs`](Trainer::epochs), with the bits of a run that never stopped (a hook that
    ///   stops a job before its time limit, and a `resume_or_fit` in the next job).
    /// - In a distributed run (`mpi`, with the `mpi` feature) the hook runs on rank 0 only, as
    ///   progress and checkpoints do, and its decision is sent to every process (one byte per
    ///   epoch), so that all stop after the same epoch; the other processes' hooks are never
    ///   called.
    ///
    /// ```
    /// # use backprop_core::{Network, Sgd, Trainer, train::Progress};
    /// # fn train<N: Network<f32>>(net: &mut N, x: ndarray::ArrayView2<'_, f32>, y: &[usize])
    /// # -> Result<(), backprop_core::Error> {
    /// use std::ops::ControlFlow;
    /// let mut losses = Vec::new();
    /// let mut trainer = Trainer::new(Sgd::new(0.1)?).epochs(100).progress(Progress::Off).on_epoch(
    ///     |epoch, _net: &N| {
    ///         losses.push(epoch.train_loss);
    ///         if epoch.train_loss < 0.01 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    ///     },
    /// );
    /// let history = trainer.fit(net, x, y)?;
    /// drop(trainer);
    /// assert_eq!(losses.len(), history.epochs.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn on_epoch<N, G>(self, hook: G) -> Trainer<'v, F, O, OnEpoch<N, G>>
    where
        N: Network<F>,
        G: FnMut(&Epoch<F>, &N) -> ControlFlow<()>,
    {
        let Trainer { optimizer, options, checkpointing, distributed, hook: _ } = self;
        Trainer { optimizer, options, checkpointing, distributed, hook: OnEpoch::new(hook) }
    }

    /// Trains data-parallel across the processes of an MPI run (the `mpi` feature): every
    /// process runs the same program with the same options and data, and each computes the
    /// gradient of its shard of every batch; the gradients are summed over the processes in
    /// rank order, and every process takes the same step, so that all hold the same network.
    /// [`fit`](Trainer::fit) starts every process from rank 0's weights; only rank 0 shows
    /// progress and warnings, writes checkpoints and calls the [`on_epoch`](Trainer::on_epoch)
    /// hook, whose decision every process takes (and a program should plot and save from rank 0
    /// only: [`Mpi::is_root`](super::Mpi::is_root)). [`resume`](Trainer::resume) reads the
    /// checkpoint on rank 0 and sends it to the others. The measurements after each epoch
    /// (training accuracy, validation) are shared too: each process evaluates its share of the
    /// samples, and the sums are added in rank order, so every process records the same
    /// history. See [`distributed`](super::distributed) for how the batch is split and summed.
    ///
    /// The result is that of one process training with the same batch size, up to the order
    /// of the sums (the gradient of a batch, summed over shards): `tests/mpi.rs` checks that 2
    /// processes end within 10⁻¹² (f64) and 10⁻⁶ (f32) of 1, relative to the largest weight of
    /// each tensor, with [`Sgd`](crate::Sgd) and [`Adam`](crate::Adam).
    ///
    /// A process that fails (its data is bad, its step is not finite, its checkpoint cannot
    /// be written) makes every process stop with an error at the same point, the others with
    /// [`Error::Distributed`]. Processes whose network, data, options (all but
    /// [`progress`](Trainer::progress), the checkpoint's path and the
    /// [`on_epoch`](Trainer::on_epoch) hook, which runs on rank 0) or optimiser (its kind,
    /// options and state) differ all stop before the first step with the same
    /// [`Error::Distributed`], which names the setting and both values (see
    /// [`distributed`](super::distributed)); for that the optimiser must be [`Resumable`], as
    /// every optimiser of the library is. A process that dies ends the run without an error
    /// on the others (see [`Mpi`](super::Mpi)'s "When a process dies").
    ///
    /// ```no_run
    /// # use backprop_core::{Network, Sgd, Trainer, train::Mpi};
    /// # fn train<N: Network<f32>>(net: &mut N, x: ndarray::ArrayView2<'_, f32>, y: &[usize])
    /// # -> Result<(), Box<dyn std::error::Error>> {
    /// use backprop_core::mpi::Threading;
    /// // Once per process; MPI is finalised when `universe` is dropped. The trainer calls MPI
    /// // from this thread only; the matrix products may use rayon's threads.
    /// let (universe, _) = backprop_core::mpi::initialize_with_threading(Threading::Funneled)
    ///     .ok_or("MPI could not be initialised")?;
    /// let mpi = Mpi::world(&universe);
    /// let history = Trainer::new(Sgd::new(0.1)?).mpi(mpi).fit(net, x, y)?;
    /// if mpi.is_root() {
    ///     println!("{} epochs", history.epochs.len());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "mpi")]
    pub fn mpi(self, mpi: super::distributed::Mpi) -> Self
    where
        O: Resumable<F>,
    {
        Trainer { distributed: Some(Distributed::new(mpi)), ..self }
    }

    /// The optimiser, with its state.
    pub fn optimizer(&self) -> &O {
        &self.optimizer
    }

    /// The optimiser, writable.
    pub fn optimizer_mut(&mut self) -> &mut O {
        &mut self.optimizer
    }

    /// Unwraps the optimiser.
    pub fn into_optimizer(self) -> O {
        self.optimizer
    }

    /// Trains `net` on the samples `x` (one per row) and their targets `y` (labels or rows),
    /// and returns the history of the epochs.
    ///
    /// Each epoch sets the optimiser's learning rate from the schedule, shuffles the samples,
    /// and takes one optimiser step per mini-batch; then it measures the validation set, if
    /// any, checks for early stopping, and writes a [`checkpoint`](Trainer::checkpoint) when
    /// one is due. Every option, the data and the validation set are checked before the first
    /// step, and so is the learning rate the schedule gives for every epoch. The optimiser
    /// keeps its state between calls; the schedule starts again from the learning rate the
    /// optimiser had at the first call.
    ///
    /// # Errors
    ///
    /// A [`FitError`]: the [`Error`], and the [`History`] of the epochs finished before it (none
    /// for a bad option or bad data, found before the first step). An error of a training step
    /// (a cost or an update that is not finite, a non-finite parameter) or of the measurements
    /// after an epoch is an [`Error::Training`] that names the epoch and the batch. The failed
    /// step changed nothing (see [`Optimizer::step`]), so the network has the weights of the
    /// last step taken, or, with [early stopping](Trainer::early_stopping), the weights of the
    /// best epoch so far. `?` turns a `FitError` into its `Error`.
    // A FitError is returned at most once per training run, so its size costs nothing.
    #[allow(clippy::result_large_err)]
    pub fn fit<'a, N: Network<F>>(
        &mut self,
        net: &mut N,
        x: ArrayView2<'_, F>,
        y: impl Into<Targets<'a, F>>,
    ) -> Result<History<F>, FitError<F>>
    where
        H: EpochHook<F, N>,
    {
        let mut start = self.start::<N>("fit", Data::new(x, y.into())).map_err(FitError::before_training)?;
        let run = self.first_epoch(&mut start, net);
        run_loop::run(
            Context::new(net, &mut self.optimizer, &self.options, start, run),
            self.checkpointing.as_ref(),
            &mut self.hook,
        )
    }

    /// Where a run that starts from `net` stands before its first epoch; in a distributed run,
    /// after every process has taken rank 0's weights into `net`.
    fn first_epoch<N: Network<F>>(&self, start: &mut Start<'_, F>, net: &mut N) -> Run<F> {
        if let Some(group) = &mut start.group {
            group.broadcast_parameters(net);
        }
        Run::new(self.options.seed, start.data.x.nrows(), start.plan.epochs, start.plan.early_stopping)
    }

    /// Checks the options and `data` before `call` (`fit`, `resume` or `resume_or_fit`) takes
    /// its first step:
    /// the plan, which every process of a distributed run must reach too, and that every process
    /// has the same settings.
    fn start<'d, N: Network<F>>(
        &mut self,
        call: &'static str,
        data: Data<'d, F>,
    ) -> Result<Start<'d, F>, Error> {
        let group = self.distributed.as_ref().map(Distributed::group::<N>).transpose()?;
        let writes = self.distributed.as_ref().is_none_or(Distributed::writes);
        let checked = self.options.plan::<N, O>(data, &self.optimizer, self.checkpointing.as_ref(), writes);
        let plan = agree(&group, checked)?;
        if let (Some(group), Some(distributed)) = (&group, &self.distributed) {
            group.check_settings(&distributed.settings::<N>(
                call,
                data,
                &self.options,
                &plan,
                &self.optimizer,
            ))?;
        }
        Ok(Start { data, plan, group })
    }
}

impl<'v, F: Float, O: Resumable<F>, H> Trainer<'v, F, O, H> {
    /// Writes a checkpoint to `path` every `every` epochs (at least 1), and after the last
    /// epoch: one safetensors file that holds the network, the optimiser's state, and in
    /// its metadata the epoch, the schedule's position, the shuffling generator's state, the
    /// early-stopping best (with its weights) and the history so far. Each write replaces the
    /// file atomically (see [`Persist::save`](crate::io::Persist::save)), so a process killed at any moment leaves the
    /// previous checkpoint whole. [`resume`](Trainer::resume) continues from it.
    ///
    /// The network's tensors have the names [`Persist::save`](crate::io::Persist::save) gives them, so
    /// [`Persist::load`](crate::io::Persist::load) reads the weights of a checkpoint too.
    ///
    /// One writer per path: from the start of [`fit`](Trainer::fit) or
    /// [`resume`](Trainer::resume) to its end, the trainer (rank 0 of a distributed run) holds
    /// an advisory lock on `<name>.lock` beside the checkpoint, as [`Persist::save`](crate::io::Persist::save) does while
    /// it writes. Before the first epoch it checks that the folder exists and that a file can be
    /// created in it, that the path holds a regular file or nothing (a symbolic link is
    /// followed), and takes the lock: any of these failing, or another trainer or process
    /// holding the path ([`Error::Io`] of kind `WouldBlock`), is a [`FitError`] with no epoch
    /// trained.
    pub fn checkpoint(self, path: impl Into<PathBuf>, every: usize) -> Self {
        Trainer { checkpointing: Some(Checkpointing::new(path.into(), every)), ..self }
    }

    /// Continues the training that wrote the checkpoint at `path`: loads the network into
    /// `net` and the optimiser's state into this trainer's, then runs the remaining epochs up
    /// to [`epochs`](Trainer::epochs), writing checkpoints as [`fit`](Trainer::fit) does.
    /// Returns the history of every epoch, those before the checkpoint included.
    ///
    /// The trainer must be configured as the one that wrote the checkpoint, with the same
    /// data: the same optimiser with the same options and initial learning rate, batch size,
    /// seed, training and validation data, and early stopping. The number of epochs may be
    /// raised to train longer, and the schedule changed for the epochs to come. Then the
    /// result is bit for bit that of a run that never stopped (for a schedule that depends on
    /// the epoch only, as every built-in one does). Only the times in the history differ. A
    /// schedule that gives the epochs done other rates than they trained with (a
    /// [`Cosine`](crate::Cosine) schedule whose total changed) is an error unless
    /// [`allow_schedule_change`](Trainer::allow_schedule_change) allows it.
    ///
    /// No file at `path` is an [`Error::Io`] of kind `NotFound` that names the path and says
    /// how to start without a checkpoint: [`fit`](Trainer::fit), or
    /// [`resume_or_fit`](Trainer::resume_or_fit), which resumes when there is one.
    ///
    /// A checkpoint of another network, written by another optimiser or configuration, or for
    /// other data, is an [`Error::Safetensors`] that says which, and changes neither the
    /// network nor the optimiser.
    ///
    /// A checkpoint cannot lie:
    /// - its digest ([`DIGEST_KEY`](crate::io::DIGEST_KEY)) is checked before anything else in
    ///   it is trusted: a file changed or damaged since it was written (one byte of a tensor, one
    ///   metadata value) is a [`SafetensorsProblem::Digest`] error. A checkpoint written by a
    ///   version from before checkpoints had a digest is refused with
    ///   [`SafetensorsProblem::NoDigest`], since nothing tells whether it was changed since: its
    ///   weights still load with [`Persist::load`](crate::io::Persist::load).
    /// - What a digest cannot vouch for (whoever edits a file can recompute it) is checked too:
    ///   the float type, which must be the network's (an f32 checkpoint does not resume into
    ///   the network declared in f64); the optimiser's buffers, one per parameter tensor for
    ///   each of its slots (Adam's m and v, with every v ≥ 0); its step count, one step per
    ///   batch of every epoch done; and that the run was stopped exactly when early stopping's
    ///   patience ran out. Otherwise the error is [`SafetensorsProblem::Inconsistent`].
    /// - A run that early stopping ended stays ended: resuming it returns its history as it
    ///   is, and leaves the network with the weights of its best epoch, as the run returned.
    ///   A run that the [`on_epoch`](Trainer::on_epoch) hook stopped goes on.
    /// - Resuming with fewer [`epochs`](Trainer::epochs) than the checkpoint has done is an
    ///   error ([`SafetensorsProblem::CheckpointMismatch`]); with as many, it returns the
    ///   history as it is.
    ///
    /// [`SafetensorsProblem::Digest`]: crate::io::SafetensorsProblem::Digest
    /// [`SafetensorsProblem::NoDigest`]: crate::io::SafetensorsProblem::NoDigest
    /// [`SafetensorsProblem::Inconsistent`]: crate::io::SafetensorsProblem::Inconsistent
    /// [`SafetensorsProblem::CheckpointMismatch`]: crate::io::SafetensorsProblem::CheckpointMismatch
    ///
    /// # Errors
    ///
    /// A [`FitError`], as for [`fit`](Trainer::fit): its history is empty for an error found
    /// before training (an option, the data, the checkpoint), and holds every epoch, those of
    /// the checkpoint included, for an error in training.
    // A FitError is returned at most once per training run, so its size costs nothing.
    #[allow(clippy::result_large_err)]
    pub fn resume<'a, N: Network<F>>(
        &mut self,
        path: impl AsRef<Path>,
        net: &mut N,
        x: ArrayView2<'_, F>,
        y: impl Into<Targets<'a, F>>,
    ) -> Result<History<F>, FitError<F>>
    where
        H: EpochHook<F, N>,
    {
        self.continue_from(path.as_ref(), false, net, x, y.into())
    }

    /// [`resume`](Trainer::resume) from the checkpoint at `path` if there is one, and
    /// [`fit`](Trainer::fit) otherwise: the one call of a program that may have been stopped
    /// (killed, or ended by its time limit or by the [`on_epoch`](Trainer::on_epoch) hook) and
    /// is started again as it was, with the same arguments and the same
    /// [`checkpoint`](Trainer::checkpoint):
    ///
    /// ```no_run
    /// # use backprop_core::{Adam, Network, Trainer};
    /// # fn train<N: Network<f32>>(net: &mut N, x: ndarray::ArrayView2<'_, f32>, y: &[usize])
    /// # -> Result<(), backprop_core::Error> {
    /// let mut trainer = Trainer::new(Adam::new(1e-3)?).epochs(20).checkpoint("run.safetensors", 1);
    /// let history = trainer.resume_or_fit("run.safetensors", net, x, y)?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// "No checkpoint" is nothing at `path` (an error of kind `NotFound`); any other file there,
    /// or a path that cannot be read, is resumed and its error returned, so that a checkpoint
    /// that does not match is never trained over: remove it to start again. A checkpoint of a
    /// finished run resumes to its history as it is. In a distributed run rank 0 looks for the
    /// checkpoint, and every process starts or resumes as it finds.
    ///
    /// # Errors
    ///
    /// Those of [`fit`](Trainer::fit) and [`resume`](Trainer::resume).
    // A FitError is returned at most once per training run, so its size costs nothing.
    #[allow(clippy::result_large_err)]
    pub fn resume_or_fit<'a, N: Network<F>>(
        &mut self,
        path: impl AsRef<Path>,
        net: &mut N,
        x: ArrayView2<'_, F>,
        y: impl Into<Targets<'a, F>>,
    ) -> Result<History<F>, FitError<F>>
    where
        H: EpochHook<F, N>,
    {
        self.continue_from(path.as_ref(), true, net, x, y.into())
    }

    /// Whether [`resume`](Trainer::resume) may go on with a schedule that gives the epochs the
    /// checkpoint has done other learning rates than they trained with (default false). A
    /// checkpoint records the rate of every epoch done, and resuming compares them with the
    /// rates the trainer's schedule gives those epochs: equal, the resumed run gives the bits
    /// of a run that never stopped, with this trainer's options; different (a
    /// [`Cosine`](crate::Cosine) schedule whose total follows the number of epochs, raised for
    /// the resume), it would not, and resuming is an error that names the first epoch that
    /// differs, both rates and both schedules ([`SafetensorsProblem::ScheduleChanged`]), before
    /// anything changes. `allow_schedule_change(true)` goes on instead, with the new schedule's
    /// rates from the next epoch on. A schedule changed only for the epochs to come needs no
    /// permission.
    ///
    /// [`SafetensorsProblem::ScheduleChanged`]: crate::io::SafetensorsProblem::ScheduleChanged
    pub fn allow_schedule_change(mut self, allow: bool) -> Self {
        self.options.allow_schedule_change = allow;
        self
    }

    /// [`resume`](Trainer::resume) from the checkpoint at `path`, or, when there is none and
    /// `or_fit`, [`fit`](Trainer::fit).
    // A FitError is returned at most once per training run, so its size costs nothing.
    #[allow(clippy::result_large_err)]
    fn continue_from<N: Network<F>>(
        &mut self,
        path: &Path,
        or_fit: bool,
        net: &mut N,
        x: ArrayView2<'_, F>,
        y: Targets<'_, F>,
    ) -> Result<History<F>, FitError<F>>
    where
        H: EpochHook<F, N>,
    {
        let call = if or_fit { "resume_or_fit" } else { "resume" };
        let mut start = self.start::<N>(call, Data::new(x, y)).map_err(FitError::before_training)?;
        let read = || match crate::io::file::read(path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(Error::Io { kind: std::io::ErrorKind::NotFound, .. }) if or_fit => Ok(None),
            Err(error) => Err(no_checkpoint(error)),
        };
        // A distributed run reads the checkpoint on rank 0, which wrote it, and sends it on.
        let bytes = match &start.group {
            Some(group) => group.bytes_from_root(read),
            None => read(),
        }
        .map_err(FitError::before_training)?;
        let run = match bytes {
            None => self.first_epoch(&mut start, net),
            Some(bytes) => {
                let setup = Setup::new(&self.options, &start.plan, start.data, self.optimizer.describe());
                let schedule: Option<&dyn Schedule<F>> =
                    if self.options.allow_schedule_change { None } else { Some(&*self.options.schedule) };
                let read = checkpoint::read(&bytes, path, &setup, schedule, net, &mut self.optimizer);
                agree(&start.group, read).map_err(FitError::before_training)?
            }
        };
        run_loop::run(
            Context::new(net, &mut self.optimizer, &self.options, start, run),
            self.checkpointing.as_ref(),
            &mut self.hook,
        )
    }
}

/// `error`, and for a checkpoint that is not there, how to start without one.
fn no_checkpoint(error: Error) -> Error {
    match error {
        Error::Io { path, kind: kind @ std::io::ErrorKind::NotFound, message } => Error::Io {
            path,
            kind,
            message: format!(
                "no checkpoint to resume from ({message}); to start training without one, call `fit`, or `resume_or_fit`, which resumes when the checkpoint exists and starts otherwise"
            ),
        },
        other => other,
    }
}

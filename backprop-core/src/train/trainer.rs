//! The training loop: epochs of shuffled mini-batches.

use std::path::{Path, PathBuf};
use std::time::Instant;

use ndarray::{Array2, ArrayView2, Axis, Slice};

use super::diagnostics::{Diagnostics, report};
#[cfg(feature = "mpi")]
use super::distributed::{Group, Mpi};
use super::fit_error::FitError;
use super::history::{Epoch, History};
use super::metrics::{Metrics, evaluate};
use super::progress::{Display, Progress};
use super::state::{Run, Setup, fingerprint};
use crate::check::{check_count, check_option};
use crate::cost::Cost;
use crate::error::Error;
use crate::float::Float;
use crate::io::file::Target;
use crate::network::Network;
use crate::optim::{Constant, Optimizer, OptimizerState, Resumable, Schedule};
use crate::rng::shuffle;
use crate::targets::Targets;
use crate::workspace::Workspace;

/// Trains a network with an optimiser: epochs of mini-batches drawn in a seeded random order,
/// an optional validation set measured after each epoch, an optional learning-rate schedule and
/// early stopping, and a [`History`] of every epoch.
///
/// The `backprop` crate's documentation shows it training a network declared with `network!`.
///
/// Every option has a default (10 epochs, batches of 32, seed 0, constant learning rate, no
/// validation, no early stopping, [`Progress::Auto`]) and is checked by [`fit`](Trainer::fit),
/// which returns [`Error::InvalidOption`] for a bad one.
#[derive(Debug)]
pub struct Trainer<'v, F: Float, O> {
    optimizer: O,
    epochs: usize,
    batch_size: usize,
    seed: u64,
    schedule: Box<dyn Schedule<F> + Send>,
    initial_rate: Option<F>,
    validation: Option<(ArrayView2<'v, F>, Targets<'v, F>)>,
    early_stopping: Option<(usize, F)>,
    progress: Progress,
    training_accuracy: bool,
    diagnostics: bool,
    checkpoint: Option<Checkpointing<F, O>>,
    #[cfg(feature = "mpi")]
    mpi: Option<Distributed<F, O>>,
}

impl<'v, F: Float, O: Optimizer<F>> Trainer<'v, F, O> {
    /// A trainer that updates with `optimizer`, with every other option at its default.
    pub fn new(optimizer: O) -> Self {
        Trainer {
            optimizer,
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
            checkpoint: None,
            #[cfg(feature = "mpi")]
            mpi: None,
        }
    }

    /// The number of passes over the training set (at least 1; default 10).
    pub fn epochs(self, epochs: usize) -> Self {
        Trainer { epochs, ..self }
    }

    /// The number of samples per step (at least 1; default 32). The last batch of an epoch holds
    /// what is left, so every sample is used once per epoch; a batch size above the number of
    /// samples gives full-batch gradient descent.
    pub fn batch_size(self, batch_size: usize) -> Self {
        Trainer { batch_size, ..self }
    }

    /// The seed of the order of the samples (default 0). The order is a Fisher–Yates shuffle
    /// per epoch from ChaCha8 seeded with `seed`, the same on every machine, so that a network
    /// from the same `with_seed` trained with the same options and data ends with bit-identical
    /// weights.
    pub fn seed(self, seed: u64) -> Self {
        Trainer { seed, ..self }
    }

    /// The learning rate of each epoch, from the optimiser's rate when training starts
    /// (default [`Constant`]). The schedule must be `Send`, so that a trainer can be moved to
    /// another thread (a `Trainer` is `Send` when its optimiser is).
    pub fn schedule(self, schedule: impl Schedule<F> + Send + 'static) -> Self {
        Trainer { schedule: Box::new(schedule), ..self }
    }

    /// A validation set, on which the cost (and accuracy, for classification costs) is measured
    /// after every epoch.
    pub fn validation(self, x: ArrayView2<'v, F>, y: impl Into<Targets<'v, F>>) -> Self {
        Trainer { validation: Some((x, y.into())), ..self }
    }

    /// Stops when the validation loss has not fallen below its best by more than `min_delta`
    /// for `patience` (at least 1) epochs in a row, and in any case ends training with the
    /// weights of the epoch of that best validation loss ([`History::best_epoch`]). Needs a
    /// [`validation`](Trainer::validation) set; `min_delta` must be finite and not negative.
    pub fn early_stopping(self, patience: usize, min_delta: F) -> Self {
        Trainer { early_stopping: Some((patience, min_delta)), ..self }
    }

    /// What to show while training (default [`Progress::Auto`]: a bar on a terminal, nothing
    /// otherwise).
    pub fn progress(self, progress: Progress) -> Self {
        Trainer { progress, ..self }
    }

    /// Whether to measure the accuracy on the training set after each epoch, for
    /// classification costs (default true). It costs one forward pass over the training set
    /// per epoch.
    pub fn training_accuracy(self, measure: bool) -> Self {
        Trainer { training_accuracy: measure, ..self }
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
    pub fn diagnostics(self, record: bool) -> Self {
        Trainer { diagnostics: record, ..self }
    }

    /// Trains data-parallel across the processes of an MPI run (the `mpi` feature): every
    /// process runs the same program with the same options and data, and each computes the
    /// gradient of its shard of every batch; the gradients are summed over the processes in
    /// rank order, and every process takes the same step, so that all hold the same network.
    /// [`fit`](Trainer::fit) starts every process from rank 0's weights; only rank 0 shows
    /// progress and warnings and writes checkpoints (and a program should plot and save from
    /// rank 0 only: [`Mpi::is_root`]). [`resume`](Trainer::resume) reads the checkpoint on
    /// rank 0 and sends it to the others. The measurements after each epoch (training
    /// accuracy, validation) are shared too: each process evaluates its share of the samples,
    /// and the sums are added in rank order, so every process records the same history. See
    /// [`distributed`](super::distributed) for how the batch is split and summed.
    ///
    /// The result is that of one process training with the same batch size, up to the order
    /// of the sums (the gradient of a batch, summed over shards): `tests/mpi.rs` checks that 2
    /// processes end within 10⁻¹² (f64) and 10⁻⁶ (f32) of 1, relative to the largest weight of
    /// each tensor, with [`Sgd`](crate::Sgd) and [`Adam`](crate::Adam).
    ///
    /// A process that fails (its data is bad, its step is not finite, its checkpoint cannot
    /// be written) makes every process stop with an error at the same point, the others with
    /// [`Error::Distributed`]. Processes whose network, data, options (all but
    /// [`progress`](Trainer::progress) and the checkpoint's path) or optimiser (its kind,
    /// options and state) differ all stop before the first step with the same
    /// [`Error::Distributed`], which names the setting and both values (see
    /// [`distributed`](super::distributed)); for that the optimiser must be [`Resumable`], as
    /// every optimiser of the library is. A process that dies ends the run without an error
    /// on the others (see [`Mpi`]'s "When a process dies").
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
    pub fn mpi(self, mpi: Mpi) -> Self
    where
        O: Resumable<F>,
    {
        let distributed =
            Distributed { mpi, describe: <O as Resumable<F>>::describe, state: <O as Resumable<F>>::state };
        Trainer { mpi: Some(distributed), ..self }
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
    ) -> Result<History<F>, FitError<F>> {
        let y = y.into();
        #[cfg_attr(not(feature = "mpi"), allow(unused_mut))]
        let mut group = self.group::<N>().map_err(FitError::before_training)?;
        let plan = agree(&group, self.plan::<N>(x, y)).map_err(FitError::before_training)?;
        #[cfg(feature = "mpi")]
        if let Some(group) = &mut group {
            self.check_same::<N>(group, "fit", x, y, &plan).map_err(FitError::before_training)?;
            group.broadcast_parameters(net);
        }
        let run = Run::new(self.seed, x.nrows(), plan.epochs, plan.early_stopping);
        self.run(net, x, y, &plan, run, group)
    }

    /// The processes of a distributed run, if this trainer has any.
    #[cfg(feature = "mpi")]
    fn group<N: Network<F>>(&self) -> Result<Option<Group<F>>, Error> {
        let parameters = super::distributed::parameters::<F, N>();
        self.mpi.as_ref().map(|d| Group::new(d.mpi, parameters)).transpose()
    }

    /// The processes of a distributed run: none without the `mpi` feature. (The same
    /// signature as with it, so that callers need no `cfg`.)
    #[cfg(not(feature = "mpi"))]
    #[allow(clippy::extra_unused_type_parameters)]
    fn group<N: Network<F>>(&self) -> Result<Option<Group<F>>, Error> {
        Ok(None)
    }

    /// Checks that every process of a distributed run has the same settings
    /// ([`settings`](Trainer::settings)), before `call` (`fit` or `resume`) takes its first
    /// step. A collective.
    #[cfg(feature = "mpi")]
    fn check_same<N: Network<F>>(
        &self,
        group: &Group<F>,
        call: &'static str,
        x: ArrayView2<'_, F>,
        y: Targets<'_, F>,
        plan: &Plan<F>,
    ) -> Result<(), Error> {
        group.check_settings(&self.settings::<N>(call, x, y, plan))
    }

    /// Everything that decides which collectives a process of a distributed run calls, or
    /// the result, named: the call, the network, the data, every option of the trainer but
    /// [`progress`](Trainer::progress) and the checkpoint's path (which only rank 0 uses), and
    /// the optimiser with its options and state.
    #[cfg(feature = "mpi")]
    fn settings<N: Network<F>>(
        &self,
        call: &'static str,
        x: ArrayView2<'_, F>,
        y: Targets<'_, F>,
        plan: &Plan<F>,
    ) -> Vec<super::distributed::Setting> {
        let none = || "none".to_owned();
        let layers: Vec<String> = N::LAYERS
            .iter()
            .map(|l| format!("{} {} → {} {}", l.name, l.inputs, l.outputs, l.activation))
            .collect();
        let (describe, state) = match &self.mpi {
            Some(d) => ((d.describe)(&self.optimizer), describe_state(&(d.state)(&self.optimizer))),
            None => (none(), none()),
        };
        vec![
            ("call", call.to_owned()),
            ("float type", F::NAME.to_owned()),
            ("cost", <N::Cost as Cost<F>>::NAME.to_owned()),
            ("layers", layers.join(", ")),
            ("training samples", x.nrows().to_string()),
            ("training data", format!("fingerprint {:016x}", fingerprint(x, y))),
            (
                "validation set",
                self.validation.map_or_else(none, |(xv, yv)| {
                    format!("{} samples, fingerprint {:016x}", xv.nrows(), fingerprint(xv, yv))
                }),
            ),
            ("epochs", plan.epochs.to_string()),
            ("batch size", plan.batch_size.to_string()),
            ("seed", self.seed.to_string()),
            ("initial learning rate", plan.initial_rate.to_string()),
            ("schedule", format!("{:?}", self.schedule)),
            (
                "early stopping",
                plan.early_stopping.map_or_else(none, |(p, d)| format!("patience {p}, min_delta {d}")),
            ),
            ("training accuracy", self.training_accuracy.to_string()),
            ("diagnostics", self.diagnostics.to_string()),
            (
                "checkpoint",
                self.checkpoint.as_ref().map_or_else(none, |c| match c.every {
                    1 => "every epoch".to_owned(),
                    n => format!("every {n} epochs"),
                }),
            ),
            ("optimizer", describe),
            ("optimizer state", state),
        ]
    }

    /// Checks every option and the data, and fixes the schedule's initial rate.
    fn plan<N: Network<F>>(&mut self, x: ArrayView2<'_, F>, y: Targets<'_, F>) -> Result<Plan<F>, Error> {
        let epochs = check_count("the number of epochs", self.epochs, "at least 1")?;
        let batch_size = check_count("the batch size", self.batch_size, "at least 1")?;
        check_data::<F, N>(x, y)?;
        if let Some((xv, yv)) = self.validation {
            check_data::<F, N>(xv, yv)?;
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
        // The process that writes the checkpoints (rank 0 of a distributed run) takes their path
        // for the run: its folder is checked now, and no other writer can take it until the end.
        #[cfg(feature = "mpi")]
        let writes = self.mpi.as_ref().is_none_or(|d| d.mpi.is_root());
        #[cfg(not(feature = "mpi"))]
        let writes = true;
        let checkpoint = match &self.checkpoint {
            Some(checkpoint) => {
                check_count("the number of epochs between checkpoints", checkpoint.every, "at least 1")?;
                if writes { Some(Target::lock(&checkpoint.path)?) } else { None }
            }
            None => None,
        };
        let initial_rate = *self.initial_rate.get_or_insert(self.optimizer.learning_rate());
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
            batch: batch_size.min(x.nrows()),
            batch_size,
            early_stopping,
            initial_rate,
            checkpoint,
        })
    }

    /// Trains epoch after epoch from where `run` stands until the plan's last epoch or early
    /// stopping, writing checkpoints when they are due.
    // A FitError is returned at most once per training run, so its size costs nothing.
    #[allow(clippy::result_large_err)]
    fn run<N: Network<F>>(
        &mut self,
        net: &mut N,
        x: ArrayView2<'_, F>,
        y: Targets<'_, F>,
        plan: &Plan<F>,
        mut run: Run<F>,
        group: Option<Group<F>>,
    ) -> Result<History<F>, FitError<F>> {
        // Only rank 0 of a distributed run shows progress and warnings.
        let root = group.as_ref().is_none_or(Group::is_root);
        let mut buffers = Buffers::<F, N>::new(y, plan.batch, group);
        let mut display = Display::new(if root { self.progress } else { Progress::Off });
        match self.train_epochs(net, x, y, plan, &mut run, &mut buffers, &mut display) {
            Ok(()) => {
                display.finish();
                run.early_stopping.finish(net, &run.history);
                Ok(run.history)
            }
            Err(error) => {
                display.finish();
                run.early_stopping.abandon(net);
                Err(FitError { error, history: run.history })
            }
        }
    }

    /// The epochs of [`run`](Trainer::run), each followed by its bookkeeping: the history, the
    /// early-stopping best, and a checkpoint when one is due.
    #[allow(clippy::too_many_arguments)]
    fn train_epochs<N: Network<F>>(
        &mut self,
        net: &mut N,
        x: ArrayView2<'_, F>,
        y: Targets<'_, F>,
        plan: &Plan<F>,
        run: &mut Run<F>,
        buffers: &mut Buffers<F, N>,
        display: &mut Display,
    ) -> Result<(), Error> {
        // What checkpoints record of the configuration and the data: the same for every epoch,
        // and its fingerprints read all the data, so it is computed once.
        let setup = self.checkpoint.as_ref().map(|_| self.setup(x, y, plan));
        let mut stop = run.early_stopping.stopped();
        while run.epoch < plan.epochs && !stop {
            let record = self.epoch(net, x, y, plan, run, buffers, display)?;
            display.end_epoch(&record.summary(Some(plan.epochs)));
            let validation_loss = record.validation_loss;
            run.history.epochs.push(record);
            run.epoch += 1;
            if let Some(loss) = validation_loss {
                stop = run.early_stopping.observe(run.epoch, plan.epochs, loss, net, &mut run.history);
            }
            if let (Some(checkpoint), Some(setup)) = (&self.checkpoint, &setup) {
                if stop || run.epoch == plan.epochs || run.epoch % checkpoint.every.max(1) == 0 {
                    // Rank 0 of a distributed run, which holds the path, writes; every rank
                    // learns whether it could.
                    let written = if let Some(target) = &plan.checkpoint {
                        let optimizer = (checkpoint.snapshot)(&self.optimizer);
                        super::checkpoint::write(target, net, setup, &optimizer, run)
                    } else {
                        Ok(())
                    };
                    agree(&buffers.group, written)?;
                }
            }
        }
        Ok(())
    }

    /// One epoch: the learning rate from the schedule, a shuffle, one step per mini-batch, and
    /// the measurements of the epoch's record.
    #[allow(clippy::too_many_arguments)]
    fn epoch<N: Network<F>>(
        &mut self,
        net: &mut N,
        x: ArrayView2<'_, F>,
        y: Targets<'_, F>,
        plan: &Plan<F>,
        run: &mut Run<F>,
        buffers: &mut Buffers<F, N>,
        display: &mut Display,
    ) -> Result<Epoch<F>, Error> {
        let epoch = run.epoch + 1;
        let n = x.nrows();
        let batches = n.div_ceil(plan.batch);
        let at = |batch: usize| {
            move |error: Error| Error::Training { epoch, batch, batches, source: Box::new(error) }
        };
        let learning_rate = self.schedule.rate(plan.initial_rate, run.epoch);
        self.optimizer.set_learning_rate(learning_rate).map_err(at(0))?;
        shuffle(&mut run.order, &mut run.rng);
        display.start_epoch(epoch, plan.epochs, batches);
        let diagnose = self.diagnostics;
        if diagnose {
            buffers.diagnostics.start_epoch(N::LAYERS);
        }
        let start = Instant::now();
        let (mut total, mut seen) = (F::zero(), 0usize);
        for (b, batch) in run.order.chunks(plan.batch).enumerate() {
            let m = batch.len();
            // A process of a distributed run computes its shard of the batch.
            let indices = match &buffers.group {
                Some(group) => batch.get(group.shard(m)).unwrap_or_default(),
                None => batch,
            };
            for (row, &i) in indices.iter().enumerate() {
                buffers.x.row_mut(row).assign(&x.row(i));
            }
            let targets = buffers.y.gather(y, indices);
            let x_batch = buffers.x.slice_axis(Axis(0), Slice::from(..indices.len()));
            let (workspace, group) = (&mut buffers.workspace, &mut buffers.group);
            let distributed = group.is_some();
            let mut step =
                |net: &mut N, workspace: &mut Workspace<F, N::Gradients>, optimizer: &mut O| match group {
                    Some(group) => distributed_step(group, net, x_batch, targets, workspace, optimizer, m),
                    None => net.train_step(x_batch, targets, workspace, optimizer),
                };
            let loss = if diagnose && b == 0 {
                let loss = buffers
                    .diagnostics
                    .measured_step(net, x_batch, targets, workspace, &mut self.optimizer, distributed, step)
                    .map_err(at(b + 1))?;
                let found = buffers.diagnostics.gradient_problems(N::LAYERS, epoch);
                report(&mut run.history.warnings, found, display);
                loss
            } else {
                step(net, workspace, &mut self.optimizer).map_err(at(b + 1))?
            };
            if diagnose {
                buffers.diagnostics.observe(workspace);
            }
            total += loss * F::of_usize(m);
            seen += m;
            let running = (total / F::of_usize(seen)).to_f64();
            display.batch_done(b + 1, running, seen as f64 / start.elapsed().as_secs_f64().max(1e-9));
        }
        let train_seconds = start.elapsed().as_secs_f64();
        #[cfg(feature = "mpi")]
        if let (true, Some(group)) = (diagnose, &buffers.group) {
            // A unit is dead if it fired on no process's shards.
            let mut flags = buffers.diagnostics.unfired_flags(N::LAYERS);
            group.never_fired_anywhere(&mut flags);
            buffers.diagnostics.set_unfired(N::LAYERS, &flags);
        }
        let diagnostics = if diagnose {
            let (records, found) = buffers.diagnostics.finish_epoch(N::LAYERS, epoch);
            report(&mut run.history.warnings, found, display);
            records
        } else {
            Vec::new()
        };
        let classify = <N::Cost as Cost<F>>::CLASSIFICATION;
        let group = &buffers.group;
        let train_accuracy = if classify && self.training_accuracy {
            measure(group, net, x, y).map_err(at(0))?.accuracy
        } else {
            None
        };
        let validation = match self.validation {
            Some((xv, yv)) => Some(measure(group, net, xv, yv).map_err(at(0))?),
            None => None,
        };
        Ok(Epoch {
            epoch,
            learning_rate,
            train_loss: total / F::of_usize(seen.max(1)),
            train_accuracy,
            validation_loss: validation.map(|v: Metrics<F>| v.loss),
            validation_accuracy: validation.and_then(|v| v.accuracy),
            seconds: start.elapsed().as_secs_f64(),
            samples_per_second: n as f64 / train_seconds.max(1e-9),
            diagnostics,
        })
    }

    /// What a checkpoint records of this trainer and its data, to be compared on resume.
    fn setup(&self, x: ArrayView2<'_, F>, y: Targets<'_, F>, plan: &Plan<F>) -> Setup<F> {
        Setup {
            epochs: plan.epochs,
            batch_size: plan.batch_size,
            seed: self.seed,
            initial_rate: plan.initial_rate,
            schedule: format!("{:?}", self.schedule),
            samples: x.nrows(),
            data: fingerprint(x, y),
            validation: self.validation.map(|(xv, yv)| (xv.nrows(), fingerprint(xv, yv))),
            early_stopping: plan.early_stopping,
            optimizer: self.checkpoint.as_ref().map(|c| (c.describe)(&self.optimizer)).unwrap_or_default(),
        }
    }
}

impl<'v, F: Float, O: Resumable<F>> Trainer<'v, F, O> {
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
        let checkpoint = Checkpointing {
            path: path.into(),
            every,
            snapshot: <O as Resumable<F>>::state,
            describe: <O as Resumable<F>>::describe,
        };
        Trainer { checkpoint: Some(checkpoint), ..self }
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
    /// the epoch only, as every built-in one does; a [`Cosine`](crate::Cosine) schedule
    /// depends on its total, which must then be unchanged). Only the times in the history
    /// differ.
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
    ) -> Result<History<F>, FitError<F>> {
        let y = y.into();
        let path = path.as_ref();
        let group = self.group::<N>().map_err(FitError::before_training)?;
        let plan = agree(&group, self.plan::<N>(x, y)).map_err(FitError::before_training)?;
        #[cfg(feature = "mpi")]
        if let Some(group) = &group {
            self.check_same::<N>(group, "resume", x, y, &plan).map_err(FitError::before_training)?;
        }
        let setup = Setup { optimizer: self.optimizer.describe(), ..self.setup(x, y, &plan) };
        // A distributed run reads the checkpoint on rank 0, which wrote it, and sends it on.
        let bytes = match &group {
            Some(group) => group.bytes_from_root(|| crate::io::file::read(path)),
            None => crate::io::file::read(path),
        }
        .map_err(FitError::before_training)?;
        let run = agree(&group, super::checkpoint::read(&bytes, path, &setup, net, &mut self.optimizer))
            .map_err(FitError::before_training)?;
        self.run(net, x, y, &plan, run, group)
    }
}

/// How many epochs' learning rates [`Trainer::fit`] checks before the first step; the rates of
/// later epochs (of a run with more epochs than this, such as one that relies on early stopping)
/// are checked as each epoch starts.
const SCHEDULE_CHECKED: usize = 1 << 20;

/// The options of a run, checked.
struct Plan<F> {
    epochs: usize,
    /// The number of samples per step: the batch size, or all samples if there are fewer.
    batch: usize,
    /// The batch size as set.
    batch_size: usize,
    early_stopping: Option<(usize, F)>,
    /// η₀, the rate the schedule starts from.
    initial_rate: F,
    /// The checkpoint's path, held by the process that writes it until the run ends.
    checkpoint: Option<Target>,
}

/// Where and how often [`Trainer::checkpoint`] writes, and how to read the optimiser's state:
/// functions, so that [`Trainer::fit`] needs no [`Resumable`] bound of its own.
#[derive(Debug)]
struct Checkpointing<F, O> {
    path: PathBuf,
    every: usize,
    snapshot: fn(&O) -> OptimizerState<F>,
    describe: fn(&O) -> String,
}

/// The processes [`Trainer::mpi`] trains across, and how to describe the optimiser, whose
/// options and state they compare before the first step: functions, as in [`Checkpointing`],
/// so that [`Trainer::fit`] needs no [`Resumable`] bound of its own.
#[cfg(feature = "mpi")]
#[derive(Debug)]
struct Distributed<F, O> {
    mpi: Mpi,
    describe: fn(&O) -> String,
    state: fn(&O) -> OptimizerState<F>,
}

/// An optimiser's state in a line: its counters, and the number and fingerprint of the
/// buffers of its slots, `steps = 14; m, v: 4 buffers, fingerprint 0123456789abcdef`.
#[cfg(feature = "mpi")]
fn describe_state<F: Float>(state: &OptimizerState<F>) -> String {
    use super::distributed::{FNV_BASIS, fnv1a};
    let mut parts: Vec<String> =
        state.counters.iter().map(|(name, value)| format!("{name} = {value}")).collect();
    if !state.slots.is_empty() {
        let names: Vec<&str> = state.slots.iter().map(|(name, _)| name.as_str()).collect();
        let buffers: usize = state.slots.iter().map(|(_, b)| b.len()).sum();
        let hash = state.slots.iter().flat_map(|(_, b)| b).fold(FNV_BASIS, |h, buffer| {
            let h = buffer.shape().iter().fold(h, |h, &n| fnv1a(h, &(n as u64).to_le_bytes()));
            buffer.iter().fold(h, |h, v| fnv1a(h, &Float::to_f64(*v).to_bits().to_le_bytes()))
        });
        parts.push(format!("{}: {buffers} buffers, fingerprint {hash:016x}", names.join(", ")));
    }
    if parts.is_empty() { "none".to_owned() } else { parts.join("; ") }
}

/// Checks a data set before training: inputs as wide as the network's input, finite; one target
/// per sample, valid for the network's cost.
fn check_data<F: Float, N: Network<F>>(x: ArrayView2<'_, F>, y: Targets<'_, F>) -> Result<(), Error> {
    crate::check::check_input(x, N::INPUT)?;
    y.check(x.nrows(), N::OUTPUT)?;
    let cost = N::Cost::default();
    for i in 0..y.len() {
        if let Some(target) = y.get(i, N::OUTPUT) {
            cost.check_target(i, &target)?;
        }
    }
    Ok(())
}

/// The buffers of a run, reused from batch to batch: the inputs and targets of the current
/// mini-batch, the network's workspace, and the diagnostics' state.
struct Buffers<F: Float, N: Network<F>> {
    x: Array2<F>,
    y: BatchTargets<F>,
    workspace: Workspace<F, N::Gradients>,
    diagnostics: Diagnostics<F>,
    /// The processes of a distributed run, with the buffers of their collectives.
    group: Option<Group<F>>,
}

impl<F: Float, N: Network<F>> Buffers<F, N> {
    fn new(y: Targets<'_, F>, batch: usize, group: Option<Group<F>>) -> Self {
        Buffers {
            x: Array2::zeros((batch, N::INPUT)),
            y: BatchTargets::new(y, batch, N::OUTPUT),
            workspace: N::workspace(),
            diagnostics: Diagnostics::new(N::LAYERS),
            group,
        }
    }
}

/// [`evaluate`] of `net` on `x` and `y`, shared by the processes of a distributed run, if any.
fn measure<F: Float, N: Network<F>>(
    group: &Option<Group<F>>,
    net: &N,
    x: ArrayView2<'_, F>,
    y: Targets<'_, F>,
) -> Result<Metrics<F>, Error> {
    match group {
        Some(group) => group.evaluate(net, x, y),
        None => evaluate(net, x, y),
    }
}

/// `local`, if every process of a distributed run succeeded too (a collective); `local` itself
/// without one.
fn agree<F: Float, T>(group: &Option<Group<F>>, local: Result<T, Error>) -> Result<T, Error> {
    match group {
        Some(group) => group.agree(local),
        None => local,
    }
}

/// One step of a distributed run on this process's shard `(x, y)` of a global batch of `batch`
/// samples: the shard's gradient by [`Network::backward_in`], summed over the processes into
/// the workspace ([`Group::sum_gradients`]), then [`Optimizer::step`], which every process
/// takes with the same bits. Returns the cost of the global batch.
#[cfg(feature = "mpi")]
fn distributed_step<F: Float, N: Network<F>, O: Optimizer<F>>(
    group: &mut Group<F>,
    net: &mut N,
    x: ArrayView2<'_, F>,
    y: Targets<'_, F>,
    workspace: &mut Workspace<F, N::Gradients>,
    optimizer: &mut O,
    batch: usize,
) -> Result<F, Error> {
    let shard = x.nrows();
    let local = if shard == 0 { Ok(F::zero()) } else { net.backward_in(x, y, workspace) };
    let cost = group.sum_gradients(local, shard, batch, workspace)?;
    optimizer.step(net, workspace.gradients())?;
    Ok(cost)
}

/// Without the `mpi` feature there is no distributed step.
#[cfg(not(feature = "mpi"))]
fn distributed_step<F: Float, N: Network<F>, O: Optimizer<F>>(
    group: &mut Group<F>,
    _: &mut N,
    _: ArrayView2<'_, F>,
    _: Targets<'_, F>,
    _: &mut Workspace<F, N::Gradients>,
    _: &mut O,
    _: usize,
) -> Result<F, Error> {
    match group.0 {}
}

/// Without the `mpi` feature there are no processes to train with: a group that cannot exist,
/// so that the trainer's code is the same with and without the feature.
#[cfg(not(feature = "mpi"))]
struct Group<F>(core::convert::Infallible, core::marker::PhantomData<F>);

#[cfg(not(feature = "mpi"))]
impl<F> Group<F> {
    fn is_root(&self) -> bool {
        match self.0 {}
    }

    fn shard(&self, _: usize) -> core::ops::Range<usize> {
        match self.0 {}
    }

    fn agree<T>(&self, _: Result<T, Error>) -> Result<T, Error> {
        match self.0 {}
    }

    fn bytes_from_root(&self, _: impl FnOnce() -> Result<Vec<u8>, Error>) -> Result<Vec<u8>, Error> {
        match self.0 {}
    }

    fn evaluate<N: Network<F>>(
        &self,
        _: &N,
        _: ArrayView2<'_, F>,
        _: Targets<'_, F>,
    ) -> Result<Metrics<F>, Error>
    where
        F: Float,
    {
        match self.0 {}
    }
}

/// The targets of the current mini-batch, gathered into a buffer reused from batch to batch.
enum BatchTargets<F> {
    Values(Array2<F>),
    Classes(Vec<usize>),
}

impl<F: Float> BatchTargets<F> {
    fn new(y: Targets<'_, F>, batch: usize, outputs: usize) -> Self {
        match y {
            Targets::Values(_) => BatchTargets::Values(Array2::zeros((batch, outputs))),
            Targets::Classes(_) => BatchTargets::Classes(Vec::with_capacity(batch)),
        }
    }

    /// Copies the targets of the samples `indices` (in `y`, which [`check_data`] has checked)
    /// into the buffer and returns them.
    fn gather<'b>(&'b mut self, y: Targets<'_, F>, indices: &[usize]) -> Targets<'b, F> {
        match (self, y) {
            (BatchTargets::Values(buffer), Targets::Values(v)) => {
                for (row, &i) in indices.iter().enumerate() {
                    buffer.row_mut(row).assign(&v.row(i));
                }
                Targets::Values(buffer.slice_axis(Axis(0), Slice::from(..indices.len())))
            }
            (BatchTargets::Classes(buffer), Targets::Classes(c)) => {
                buffer.clear();
                buffer.extend(indices.iter().filter_map(|&i| c.get(i)));
                Targets::Classes(buffer)
            }
            // `new` made the buffer for the kind of `y`; an empty batch fails in `backward`.
            (BatchTargets::Values(buffer), _) => {
                Targets::Values(buffer.slice_axis(Axis(0), Slice::from(..0)))
            }
            (BatchTargets::Classes(_), _) => Targets::Classes(&[]),
        }
    }
}

#[cfg(all(test, feature = "mpi"))]
mod tests {
    use super::*;

    #[test]
    fn optimizer_states_are_described_by_their_values() {
        use ndarray::ArrayD;
        let state = |v: f64| OptimizerState {
            counters: vec![("steps".to_owned(), 3)],
            slots: vec![("m".to_owned(), vec![ArrayD::from_elem(vec![2, 2], v)])],
        };
        let (a, b) = (describe_state(&state(0.5)), describe_state(&state(0.25)));
        assert!(a.starts_with("steps = 3; m: 1 buffers, fingerprint "), "{a}");
        assert_ne!(a, b);
        assert_eq!(describe_state::<f64>(&OptimizerState::default()), "none");
    }
}

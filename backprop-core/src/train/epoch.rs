//! One epoch of a run: the learning rate from the schedule, a shuffle, one step per
//! mini-batch, and the measurements of the epoch's record; on a [`Context`] that holds all it
//! works on.

use std::time::Instant;

use ndarray::{Axis, Slice};

use super::buffers::Buffers;
use super::diagnostics::report;
use super::group::{Group, distributed_step, measure, share_unfired};
use super::history::Epoch;
use super::metrics::Metrics;
use super::plan::{Data, Options, Plan};
use super::progress::{Display, Progress};
use super::state::Run;
use crate::cost::Cost;
use crate::error::Error;
use crate::float::Float;
use crate::network::Network;
use crate::optim::Optimizer;
use crate::rng::shuffle;
use crate::workspace::Workspace;

/// What a run starts from, once checked: the training data, the plan, and the processes of a
/// distributed run, if any.
pub(crate) struct Start<'d, F> {
    /// The training data, checked.
    pub(crate) data: Data<'d, F>,
    /// The options, checked.
    pub(crate) plan: Plan<F>,
    /// The processes of a distributed run.
    pub(crate) group: Option<Group<F>>,
}

/// Everything an epoch works on: the network, the trainer's optimiser and options, the data
/// and the plan, and the run's state, buffers and display.
pub(crate) struct Context<'c, 'v, F: Float, N: Network<F>, O> {
    /// The network being trained.
    pub(crate) net: &'c mut N,
    /// The trainer's optimiser.
    pub(crate) optimizer: &'c mut O,
    /// The trainer's options (for the schedule, the measurements and the validation set).
    pub(crate) options: &'c Options<'v, F>,
    /// The training data.
    pub(crate) data: Data<'c, F>,
    /// The options of the run, checked.
    pub(crate) plan: Plan<F>,
    /// Where the run stands.
    pub(crate) run: Run<F>,
    /// The buffers reused from batch to batch.
    pub(crate) buffers: Buffers<F, N>,
    /// What the run shows while it trains.
    pub(crate) display: Display,
}

impl<'c, 'v, F: Float, N: Network<F>, O: Optimizer<F>> Context<'c, 'v, F, N, O> {
    /// The context of training `net` with `optimizer` and `options` from `start`, where `run`
    /// stands. Only rank 0 of a distributed run shows progress and warnings.
    pub(crate) fn new(
        net: &'c mut N,
        optimizer: &'c mut O,
        options: &'c Options<'v, F>,
        start: Start<'c, F>,
        run: Run<F>,
    ) -> Self {
        let Start { data, plan, group } = start;
        let root = group.as_ref().is_none_or(Group::is_root);
        let buffers = Buffers::new(data.y, plan.batch, group);
        let display = Display::new(if root { options.progress } else { Progress::Off });
        Context { net, optimizer, options, data, plan, run, buffers, display }
    }
}

/// One epoch of `cx`'s run, after `cx.run.epoch` epochs: the learning rate from the schedule, a
/// shuffle, one step per mini-batch, and the measurements of the epoch's record.
pub(crate) fn epoch<F: Float, N: Network<F>, O: Optimizer<F>>(
    cx: &mut Context<'_, '_, F, N, O>,
) -> Result<Epoch<F>, Error> {
    let Context { net, optimizer, options, data, plan, run, buffers, display } = cx;
    let epoch = run.epoch + 1;
    let n = data.x.nrows();
    let batches = n.div_ceil(plan.batch);
    let at =
        |batch: usize| move |error: Error| Error::Training { epoch, batch, batches, source: Box::new(error) };
    let learning_rate = options.schedule.rate(plan.initial_rate, run.epoch);
    optimizer.set_learning_rate(learning_rate).map_err(at(0))?;
    shuffle(&mut run.order, &mut run.rng);
    display.start_epoch(epoch, plan.epochs, batches);
    let diagnose = options.diagnostics;
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
            buffers.x.row_mut(row).assign(&data.x.row(i));
        }
        let targets = buffers.y.gather(data.y, indices);
        let x_batch = buffers.x.slice_axis(Axis(0), Slice::from(..indices.len()));
        let (workspace, group) = (&mut buffers.workspace, &mut buffers.group);
        let distributed = group.is_some();
        let mut step =
            |net: &mut N, workspace: &mut Workspace<F, N::Gradients>, optimizer: &mut O| match group {
                Some(group) => {
                    distributed_step(group, net, Data { x: x_batch, y: targets }, m, workspace, optimizer)
                }
                None => net.train_step(x_batch, targets, workspace, optimizer),
            };
        let loss = if diagnose && b == 0 {
            let loss = buffers
                .diagnostics
                .measured_step(&mut **net, x_batch, targets, workspace, &mut **optimizer, distributed, step)
                .map_err(at(b + 1))?;
            let found = buffers.diagnostics.gradient_problems(N::LAYERS, epoch);
            report(&mut run.history.warnings, found, display);
            loss
        } else {
            step(net, workspace, optimizer).map_err(at(b + 1))?
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
    if let (true, Some(group)) = (diagnose, &buffers.group) {
        share_unfired(group, &mut buffers.diagnostics, N::LAYERS);
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
    let train_accuracy = if classify && options.training_accuracy {
        measure(group, &**net, *data).map_err(at(0))?.accuracy
    } else {
        None
    };
    let validation = match options.validation {
        Some(validation) => Some(measure(group, &**net, validation).map_err(at(0))?),
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

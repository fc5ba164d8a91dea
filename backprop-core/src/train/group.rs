//! The processes a run trains across, as the trainer sees them. With the `mpi` feature:
//! `distributed.rs`'s `Group`, and the glue around it (what the trainer keeps of
//! [`Trainer::mpi`](super::Trainer::mpi), the settings the processes compare, one distributed
//! step). Without it: a `Group` and a `Distributed` that cannot exist, with the
//! same methods, so that the trainer's code is the same with and without the feature. The
//! trainer's `cfg`s are here, but for [`Trainer::mpi`](super::Trainer::mpi) itself.

use std::fmt;

use super::diagnostics::Diagnostics;
#[cfg(feature = "mpi")]
pub(crate) use super::distributed::Group;
#[cfg(feature = "mpi")]
use super::distributed::{FNV_BASIS, Mpi, fnv1a};
use super::metrics::{Metrics, evaluate};
use super::plan::{Data, Options, Plan};
#[cfg(feature = "mpi")]
use crate::cost::Cost;
use crate::error::Error;
use crate::float::Float;
use crate::network::Network;
use crate::optim::Optimizer;
#[cfg(feature = "mpi")]
use crate::optim::{OptimizerState, Resumable};
use crate::parameters::LayerInfo;
use crate::workspace::Workspace;

/// A setting the processes of a distributed run compare: its name and its value.
pub(crate) type Setting = (&'static str, String);

/// `local`, if every process of a distributed run succeeded too (a collective); `local` itself
/// without one.
pub(crate) fn agree<F: Float, T>(group: &Option<Group<F>>, local: Result<T, Error>) -> Result<T, Error> {
    match group {
        Some(group) => group.agree(local),
        None => local,
    }
}

/// What `decide` returns on rank 0 of a distributed run, on every process (a collective; the
/// other processes do not call it); what it returns without one.
pub(crate) fn on_root<F: Float>(group: &Option<Group<F>>, decide: impl FnOnce() -> bool) -> bool {
    match group {
        Some(group) => group.decision_from_root(decide),
        None => decide(),
    }
}

/// [`evaluate`] of `net` on `data`, shared by the processes of a distributed run, if any.
pub(crate) fn measure<F: Float, N: Network<F>>(
    group: &Option<Group<F>>,
    net: &N,
    data: Data<'_, F>,
) -> Result<Metrics<F>, Error> {
    match group {
        Some(group) => group.evaluate(net, data.x, data.y),
        None => evaluate(net, data.x, data.y),
    }
}

/// The processes [`Trainer::mpi`](super::Trainer::mpi) trains across, and how to describe the
/// optimiser, whose options and state they compare before the first step: functions, as in
/// `Checkpointing`, so that [`Trainer::fit`](super::Trainer::fit) needs no [`Resumable`] bound
/// of its own.
#[cfg(feature = "mpi")]
#[derive(Debug)]
pub(crate) struct Distributed<F, O> {
    /// The processes.
    mpi: Mpi,
    /// The optimiser's kind and options.
    describe: fn(&O) -> String,
    /// The optimiser's state.
    state: fn(&O) -> OptimizerState<F>,
}

#[cfg(feature = "mpi")]
impl<F: Float, O: Resumable<F>> Distributed<F, O> {
    /// Training across the processes of `mpi`.
    pub(crate) fn new(mpi: Mpi) -> Self {
        Distributed { mpi, describe: <O as Resumable<F>>::describe, state: <O as Resumable<F>>::state }
    }
}

#[cfg(feature = "mpi")]
impl<F: Float, O> Distributed<F, O> {
    /// Whether this process writes the checkpoints: rank 0.
    pub(crate) fn writes(&self) -> bool {
        self.mpi.is_root()
    }

    /// The processes, with the buffers of their collectives for a network `N`.
    pub(crate) fn group<N: Network<F>>(&self) -> Result<Group<F>, Error> {
        Group::new(self.mpi, super::distributed::parameters::<F, N>())
    }

    /// Everything that decides which collectives a process of a distributed run calls, or
    /// the result, named: the `call` (`fit`, `resume` or `resume_or_fit`), the network, the
    /// `data` and the validation set, every option but `progress`, the checkpoint's path and the
    /// `on_epoch` hook (which only rank 0 uses), and the `optimizer` with its options and state. [`Group::check_settings`]
    /// compares them.
    pub(crate) fn settings<N: Network<F>>(
        &self,
        call: &'static str,
        data: Data<'_, F>,
        options: &Options<'_, F>,
        plan: &Plan<F>,
        optimizer: &O,
    ) -> Vec<Setting> {
        let none = || "none".to_owned();
        let layers: Vec<String> = N::LAYERS
            .iter()
            .map(|l| format!("{} {} → {} {}", l.name, l.inputs, l.outputs, l.activation))
            .collect();
        vec![
            ("call", call.to_owned()),
            ("float type", F::NAME.to_owned()),
            ("cost", <N::Cost as Cost<F>>::NAME.to_owned()),
            ("layers", layers.join(", ")),
            ("training samples", data.x.nrows().to_string()),
            ("training data", format!("fingerprint {:016x}", data.fingerprint())),
            (
                "validation set",
                options.validation.map_or_else(none, |v| {
                    format!("{} samples, fingerprint {:016x}", v.x.nrows(), v.fingerprint())
                }),
            ),
            ("epochs", plan.epochs.to_string()),
            ("batch size", plan.batch_size.to_string()),
            ("seed", options.seed.to_string()),
            ("initial learning rate", plan.initial_rate.to_string()),
            ("schedule", format!("{:?}", options.schedule)),
            (
                "early stopping",
                plan.early_stopping.map_or_else(none, |(p, d)| format!("patience {p}, min_delta {d}")),
            ),
            ("training accuracy", options.training_accuracy.to_string()),
            ("diagnostics", options.diagnostics.to_string()),
            ("schedule change allowed", options.allow_schedule_change.to_string()),
            (
                "checkpoint",
                plan.checkpoint_every.map_or_else(none, |every| match every {
                    1 => "every epoch".to_owned(),
                    n => format!("every {n} epochs"),
                }),
            ),
            ("optimizer", (self.describe)(optimizer)),
            ("optimizer state", describe_state(&(self.state)(optimizer))),
        ]
    }
}

/// An optimiser's state in a line: its counters, and the number and fingerprint of the
/// buffers of its slots, `steps = 14; m, v: 4 buffers, fingerprint 0123456789abcdef`.
#[cfg(feature = "mpi")]
fn describe_state<F: Float>(state: &OptimizerState<F>) -> String {
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

/// Adds `mpi`, the processes a trainer trains across, to `debug`, the `Debug` of a trainer.
#[cfg(feature = "mpi")]
pub(crate) fn debug_field<F: Float, O: fmt::Debug>(
    debug: &mut fmt::DebugStruct<'_, '_>,
    mpi: &Option<Distributed<F, O>>,
) {
    debug.field("mpi", mpi);
}

/// One step of a distributed run on this process's shard `batch` of a global batch of `size`
/// samples: the shard's gradient by [`Network::backward_in`], summed over the processes into
/// the workspace ([`Group::sum_gradients`]), then [`Optimizer::step`], which every process
/// takes with the same bits. Returns the cost of the global batch.
#[cfg(feature = "mpi")]
pub(crate) fn distributed_step<F: Float, N: Network<F>, O: Optimizer<F>>(
    group: &mut Group<F>,
    net: &mut N,
    batch: Data<'_, F>,
    size: usize,
    workspace: &mut Workspace<F, N::Gradients>,
    optimizer: &mut O,
) -> Result<F, Error> {
    let shard = batch.x.nrows();
    let local = if shard == 0 { Ok(F::zero()) } else { net.backward_in(batch.x, batch.y, workspace) };
    let cost = group.sum_gradients(local, shard, size, workspace)?;
    optimizer.step(net, workspace.gradients())?;
    Ok(cost)
}

/// After an epoch of a distributed run with diagnostics: a unit is dead only if it fired on no
/// process's shards. A collective.
#[cfg(feature = "mpi")]
pub(crate) fn share_unfired<F: Float>(
    group: &Group<F>,
    diagnostics: &mut Diagnostics<F>,
    layers: &[LayerInfo],
) {
    let mut flags = diagnostics.unfired_flags(layers);
    group.never_fired_anywhere(&mut flags);
    diagnostics.set_unfired(layers, &flags);
}

/// Without the `mpi` feature there are no processes to train with: a group that cannot exist.
#[cfg(not(feature = "mpi"))]
pub(crate) struct Group<F>(core::convert::Infallible, core::marker::PhantomData<F>);

#[cfg(not(feature = "mpi"))]
impl<F: Float> Group<F> {
    /// Whether this process is rank 0.
    pub(crate) fn is_root(&self) -> bool {
        match self.0 {}
    }

    /// This process's shard of a batch.
    pub(crate) fn shard(&self, _: usize) -> core::ops::Range<usize> {
        match self.0 {}
    }

    /// A result every process agrees on.
    pub(crate) fn agree<T>(&self, _: Result<T, Error>) -> Result<T, Error> {
        match self.0 {}
    }

    /// Bytes read on rank 0 (or none), on every process.
    pub(crate) fn bytes_from_root(
        &self,
        _: impl FnOnce() -> Result<Option<Vec<u8>>, Error>,
    ) -> Result<Option<Vec<u8>>, Error> {
        match self.0 {}
    }

    /// A decision taken on rank 0, on every process.
    pub(crate) fn decision_from_root(&self, _: impl FnOnce() -> bool) -> bool {
        match self.0 {}
    }

    /// Rank 0's parameters on every process.
    pub(crate) fn broadcast_parameters<N: Network<F>>(&mut self, _: &mut N) {
        match self.0 {}
    }

    /// Checks that every process has the same settings.
    pub(crate) fn check_settings(&self, _: &[Setting]) -> Result<(), Error> {
        match self.0 {}
    }

    /// An evaluation shared by the processes.
    fn evaluate<N: Network<F>>(
        &self,
        _: &N,
        _: ndarray::ArrayView2<'_, F>,
        _: crate::targets::Targets<'_, F>,
    ) -> Result<Metrics<F>, Error> {
        match self.0 {}
    }
}

/// Without the `mpi` feature a trainer trains across no processes: a `Distributed` that
/// cannot exist.
#[cfg(not(feature = "mpi"))]
#[derive(Debug)]
pub(crate) struct Distributed<F, O>(core::convert::Infallible, core::marker::PhantomData<fn(&O) -> F>);

// The same signatures as with the feature, so that callers need no `cfg`.
#[cfg(not(feature = "mpi"))]
#[allow(clippy::extra_unused_type_parameters)]
impl<F: Float, O> Distributed<F, O> {
    /// Whether this process writes the checkpoints.
    pub(crate) fn writes(&self) -> bool {
        match self.0 {}
    }

    /// The processes.
    pub(crate) fn group<N: Network<F>>(&self) -> Result<Group<F>, Error> {
        match self.0 {}
    }

    /// The settings the processes compare.
    pub(crate) fn settings<N: Network<F>>(
        &self,
        _: &'static str,
        _: Data<'_, F>,
        _: &Options<'_, F>,
        _: &Plan<F>,
        _: &O,
    ) -> Vec<Setting> {
        match self.0 {}
    }
}

/// Without the `mpi` feature a trainer's `Debug` has no `mpi` field.
#[cfg(not(feature = "mpi"))]
pub(crate) fn debug_field<F: Float, O: fmt::Debug>(
    _: &mut fmt::DebugStruct<'_, '_>,
    _: &Option<Distributed<F, O>>,
) {
}

/// Without the `mpi` feature there is no distributed step.
#[cfg(not(feature = "mpi"))]
pub(crate) fn distributed_step<F: Float, N: Network<F>, O: Optimizer<F>>(
    group: &mut Group<F>,
    _: &mut N,
    _: Data<'_, F>,
    _: usize,
    _: &mut Workspace<F, N::Gradients>,
    _: &mut O,
) -> Result<F, Error> {
    match group.0 {}
}

/// Without the `mpi` feature there are no other processes' units.
#[cfg(not(feature = "mpi"))]
pub(crate) fn share_unfired<F: Float>(group: &Group<F>, _: &mut Diagnostics<F>, _: &[LayerInfo]) {
    match group.0 {}
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

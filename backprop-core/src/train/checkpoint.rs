//! Checkpoints: a network and the state of its training in one safetensors file.
//!
//! The tensors are the network's (`hidden1.weight`, as [`Persist::save`](crate::io::Persist::save) names them), the
//! optimiser's buffers (`optimizer.hidden1.weight.m`) and, with early stopping, the weights of
//! the best epoch (`best.hidden1.weight`). The header's `__metadata__` holds the network's
//! description (as for weights) and, under [`CHECKPOINT_KEY`], the training state as JSON: the
//! epochs done, the configuration the run was written with, the optimiser's counters, the
//! shuffling generator's position, the early-stopping best and the history so far. Floats are
//! written in the shortest form that reads back to the same bits. Under [`DIGEST_KEY`], the
//! SHA-256 of all of that, checked first on resume; then [`read`] checks what a digest cannot.

use std::path::Path;

use ndarray::ArrayD;
use serde_json::{Value, json};

use super::diagnostics::{LayerDiagnostics, Problem, Warning};
use super::early_stopping::{Best, EarlyStopping};
use super::history::{Epoch, History, StopReason};
use super::state::{Run, Setup};
use crate::error::Error;
use crate::float::Float;
use crate::io::file::Target;
use crate::io::tensors::{Tensor, TensorFile};
use crate::io::weights::{
    assign, check_metadata, check_names, network_metadata, parameter_tensors, read_parameters,
};
use crate::io::{CHECKPOINT_KEY, DIGEST_KEY, FLOAT_KEY, SafetensorsProblem, VERSION_KEY};
use crate::network::Network;
use crate::optim::{OptimizerState, Resumable, Schedule};

/// Writes the checkpoint of `run` (after its last epoch) to `target`, atomically.
pub(crate) fn write<F: Float, N: Network<F>>(
    target: &Target,
    net: &N,
    setup: &Setup<F>,
    optimizer: &OptimizerState<F>,
    run: &Run<F>,
) -> Result<(), Error> {
    let mut tensors = parameter_tensors(net, "");
    for (slot, buffers) in &optimizer.slots {
        for (index, buffer) in buffers.iter().enumerate() {
            tensors.push(Tensor::of(optimizer_tensor_name::<F, N>(index, slot), buffer.view()));
        }
    }
    for (layer, (w, b)) in N::LAYERS.iter().zip(&run.early_stopping.best.weights) {
        tensors.push(Tensor::of(format!("best.{}.weight", layer.name), w.view().into_dyn()));
        tensors.push(Tensor::of(format!("best.{}.bias", layer.name), b.view().into_dyn()));
    }
    let mut metadata = network_metadata::<F, N>();
    metadata.insert(CHECKPOINT_KEY.to_owned(), state_json(setup, optimizer, run).to_string());
    let pairs = metadata.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let digest = crate::io::digest::digest(pairs, tensors.iter().map(|t| (t.name.as_str(), t)));
    metadata.insert(DIGEST_KEY.to_owned(), digest);
    let bytes = crate::io::tensors::serialize(&tensors, metadata)?;
    target.replace(&bytes)
}

/// Reads the checkpoint `bytes` (from `path`) for a run configured as `setup`: checks its
/// digest before anything else, then that it was written for this network (its float type
/// included), optimiser, configuration and data, with no more epochs than `setup` asks for,
/// that its state is consistent (see [`check_consistent`]), and, given a `schedule`, that it
/// gives every epoch done the rate it trained with (see [`check_rates`]); then sets `net` and
/// `optimizer` from it and returns where the run stands, ready to go on (a stop by the
/// `on_epoch` hook is over). On any error neither changes.
pub(crate) fn read<F: Float, N: Network<F>, O: Resumable<F>>(
    bytes: &[u8],
    path: &Path,
    setup: &Setup<F>,
    schedule: Option<&dyn Schedule<F>>,
    net: &mut N,
    optimizer: &mut O,
) -> Result<Run<F>, Error> {
    let file = TensorFile::parse(bytes, Some(path))?;
    let state =
        file.metadata(CHECKPOINT_KEY).ok_or_else(|| file.error(SafetensorsProblem::NotACheckpoint))?;
    if !file.check_digest()? {
        let version = file.metadata(VERSION_KEY).unwrap_or("unknown").to_owned();
        return Err(file.error(SafetensorsProblem::NoDigest { version }));
    }
    let float = file.metadata(FLOAT_KEY).unwrap_or("none recorded");
    if float != F::NAME {
        return Err(file.error(SafetensorsProblem::CheckpointMismatch {
            what: "the float type",
            checkpoint: float.to_owned(),
            trainer: F::NAME.to_owned(),
        }));
    }
    check_metadata::<F, N>(&file, true)?;
    let bad = |message: String| {
        file.error(SafetensorsProblem::BadMetadata { key: CHECKPOINT_KEY.to_owned(), message })
    };
    let state: Value = serde_json::from_str(state).map_err(|e| bad(e.to_string()))?;
    let state = State(&state);
    let recorded = state.get("setup").map_err(&bad)?;
    compare_setup(&file, &recorded, setup)?;

    let epoch = state.usize("epoch").map_err(&bad)?;
    if epoch > setup.epochs {
        return Err(file.error(SafetensorsProblem::CheckpointMismatch {
            what: "a number of epochs done of",
            checkpoint: epoch.to_string(),
            trainer: format!("epochs({}): resuming it needs at least {epoch}", setup.epochs),
        }));
    }

    let parameters = read_parameters::<F, N>(&file, "")?;
    let optimizer_json = state.get("optimizer").map_err(&bad)?;
    let optimizer_state = read_optimizer_state::<F, N>(&file, &optimizer_json).map_err(|e| e.or(&bad))?;
    let best = read_best::<F, N>(&file, &state.get("best").map_err(&bad)?).map_err(|e| e.or(&bad))?;
    // Every tensor is one read above: the network's, the optimiser's slots', the best weights.
    let optimizer_names: Vec<String> = optimizer_state
        .slots
        .iter()
        .flat_map(|(slot, buffers)| (0..buffers.len()).map(|i| optimizer_tensor_name::<F, N>(i, slot)))
        .collect();
    let best_names: Vec<String> = N::LAYERS
        .iter()
        .filter(|_| !best.weights.is_empty())
        .flat_map(|l| [format!("best.{}.weight", l.name), format!("best.{}.bias", l.name)])
        .collect();
    check_names::<F, N>(&file, |name| optimizer_names.iter().chain(&best_names).any(|n| n == name))?;
    let mut history = read_history::<F>(&state.get("history").map_err(&bad)?).map_err(&bad)?;
    let stopped = state.bool("stopped").map_err(&bad)?;
    if history.epochs.len() != epoch {
        return Err(bad(format!(
            "the history has {} epochs, but the checkpoint is after epoch {epoch}",
            history.epochs.len()
        )));
    }
    let steps_before = optimizer_json.0.get("steps_before").and_then(Value::as_u64);
    let early_stopping = EarlyStopping::resumed(setup.early_stopping, best, stopped);
    check_consistent(&file, setup, epoch, &optimizer_state, steps_before, &early_stopping, &history)?;
    if let Some(schedule) = schedule {
        check_rates(&file, &recorded.string("schedule").map_err(&bad)?, setup, schedule, &history)?;
    }
    // The hook's stop ended the call that wrote the checkpoint, not the run: it goes on.
    if history.stopped_by == Some(StopReason::Hook) {
        history.stopped_early = false;
        history.stopped_by = None;
    }
    let mut run = Run::replay(setup.seed, setup.samples, epoch, setup.early_stopping);
    let position = state.get("rng").and_then(|rng| rng.string("word_pos")).map_err(&bad)?;
    if position != run.rng.get_word_pos().to_string() {
        return Err(file.error(SafetensorsProblem::CheckpointMismatch {
            what: "the shuffling generator at position",
            checkpoint: position,
            trainer: format!(
                "{} after replaying {epoch} epochs from seed {}",
                run.rng.get_word_pos(),
                setup.seed
            ),
        }));
    }
    run.early_stopping = early_stopping;
    run.history = history;

    optimizer.set_state(optimizer_state)?;
    assign(net, parameters);
    Ok(run)
}

/// Checks that `schedule`, from the initial rate of `setup`, gives every epoch of `history` the
/// learning rate it trained with: then resuming with it gives the bits of a run that never
/// stopped. Otherwise (a [`Cosine`](crate::Cosine) schedule whose total changed with the
/// epochs) the error names the first epoch that differs, both rates and both schedules (the
/// checkpoint's as it `recorded` it).
fn check_rates<F: Float>(
    file: &TensorFile<'_>,
    recorded: &str,
    setup: &Setup<F>,
    schedule: &dyn Schedule<F>,
    history: &History<F>,
) -> Result<(), Error> {
    for (done, e) in history.epochs.iter().enumerate() {
        let rate = schedule.rate(setup.initial_rate, done);
        if rate != e.learning_rate {
            return Err(file.error(SafetensorsProblem::ScheduleChanged {
                epoch: done + 1,
                checkpoint: format!("{} (schedule {recorded})", e.learning_rate),
                trainer: format!("{rate} (schedule {})", setup.schedule),
            }));
        }
    }
    Ok(())
}

/// The name of the counter of optimiser steps ([`Adam`](crate::Adam)'s t).
const STEPS: &str = "steps";

/// The optimiser steps of one epoch: one per batch.
fn steps_per_epoch<F>(setup: &Setup<F>) -> usize {
    setup.samples.div_ceil(setup.batch_size.min(setup.samples).max(1))
}

/// Checks what a digest cannot vouch for, since whoever edits a file can recompute it: that
/// the training state agrees with itself and with the trainer resuming it.
///
/// - The optimiser's step count, if it keeps one, is the steps it had taken before the run
///   (recorded beside it, 0 unless it was used before `fit`) plus one per batch of every epoch
///   done (a distributed run's processes take every step together, so the count is theirs).
/// - `stopped`, which ends the run, is true exactly when early stopping's patience ran out; the
///   history says the run stopped early when, and only when, it records what stopped it, and
///   early stopping did only if `stopped`, the hook only if not.
/// - The epochs of the history are 1, 2, … up to the epoch done, which is at least 1.
///
/// The optimiser's buffers are checked by [`Resumable::set_state`] (Adam's v ≥ 0), and their
/// number by [`read_optimizer_state`].
fn check_consistent<F: Float>(
    file: &TensorFile<'_>,
    setup: &Setup<F>,
    epoch: usize,
    optimizer: &OptimizerState<F>,
    steps_before: Option<u64>,
    early_stopping: &EarlyStopping<F>,
    history: &History<F>,
) -> Result<(), Error> {
    let inconsistent = |what, expected: String, found: String| {
        Err(file.error(SafetensorsProblem::Inconsistent { what, expected, found }))
    };
    if epoch == 0 || history.epochs.iter().enumerate().any(|(i, e)| e.epoch != i + 1) {
        let epochs: Vec<usize> = history.epochs.iter().map(|e| e.epoch).collect();
        return inconsistent(
            "the history's epochs",
            format!("1 to {epoch}, at least 1"),
            format!("{epochs:?}"),
        );
    }
    if let Some(&(_, steps)) = optimizer.counters.iter().find(|(name, _)| name == STEPS) {
        let per_epoch = steps_per_epoch(setup);
        let expected =
            steps_before.and_then(|before| before.checked_add((epoch as u64).checked_mul(per_epoch as u64)?));
        if expected != Some(steps) {
            return inconsistent(
                "the optimiser's step count",
                format!(
                    "{} after {epoch} epochs of {per_epoch} batches ({} samples in batches of {}), and {} steps before the run",
                    expected.map_or("not a count".to_owned(), |e| e.to_string()),
                    setup.samples,
                    setup.batch_size,
                    steps_before.map_or("no count of".to_owned(), |b| b.to_string()),
                ),
                steps.to_string(),
            );
        }
    }
    let (patience, since, stopped) =
        (early_stopping.patience(), early_stopping.best.since, early_stopping.stopped());
    let ran_out = early_stopping.ran_out();
    let reason_contradicts = match history.stopped_by {
        None => history.stopped_early,
        Some(StopReason::EarlyStopping) => !history.stopped_early || !stopped,
        Some(StopReason::Hook) => !history.stopped_early || stopped,
    };
    if stopped != ran_out || reason_contradicts {
        let why = match patience {
            None => "the run has no early stopping".to_owned(),
            Some(patience) => format!("{since} epochs since the best, with a patience of {patience}"),
        };
        return inconsistent(
            "`stopped`",
            format!("{ran_out}, since {why}"),
            format!(
                "{stopped} (and `stopped_early` {}, `stopped_by` {})",
                history.stopped_early,
                history.stopped_by.map_or("none", StopReason::name)
            ),
        );
    }
    Ok(())
}

/// The name of buffer `slot` of parameter tensor `index` (in visit order) in a checkpoint:
/// `optimizer.hidden1.weight.m`.
fn optimizer_tensor_name<F: Float, N: Network<F>>(index: usize, slot: &str) -> String {
    let layer = N::LAYERS.get(index / 2).map_or("?", |l| l.name);
    let parameter = if index % 2 == 0 { "weight" } else { "bias" };
    format!("optimizer.{layer}.{parameter}.{slot}")
}

/// The shape of parameter tensor `index` (in visit order) of `N`.
fn parameter_shape<F: Float, N: Network<F>>(index: usize) -> Vec<usize> {
    match N::LAYERS.get(index / 2) {
        Some(layer) if index % 2 == 0 => vec![layer.outputs, layer.inputs],
        Some(layer) => vec![layer.outputs],
        None => Vec::new(),
    }
}

/// The JSON of the training state.
fn state_json<F: Float>(setup: &Setup<F>, optimizer: &OptimizerState<F>, run: &Run<F>) -> Value {
    let counters: serde_json::Map<String, Value> =
        optimizer.counters.iter().map(|(name, v)| (name.clone(), json!(v))).collect();
    let slots: Vec<&str> = optimizer.slots.iter().map(|(name, _)| name.as_str()).collect();
    let tensors = optimizer.slots.first().map_or(0, |(_, b)| b.len());
    // The steps the optimiser had taken before this run's first epoch (0 unless it was used
    // before `fit`), so that resuming can check its step count: see [`check_consistent`].
    let steps_before = optimizer.counters.iter().find(|(name, _)| name == STEPS).and_then(|&(_, steps)| {
        steps.checked_sub((run.epoch as u64).checked_mul(steps_per_epoch(setup) as u64)?)
    });
    json!({
        "epoch": run.epoch,
        "stopped": run.early_stopping.stopped(),
        "setup": setup_json(setup),
        "optimizer": { "counters": counters, "slots": slots, "tensors": tensors, "steps_before": steps_before },
        "rng": { "word_pos": run.rng.get_word_pos().to_string() },
        "best": {
            "loss": run.early_stopping.best.loss.map(Float::to_f64),
            "epoch": run.early_stopping.best.epoch,
            "since": run.early_stopping.best.since,
            "weights": !run.early_stopping.best.weights.is_empty(),
        },
        "history": {
            "best_epoch": run.history.best_epoch,
            "stopped_early": run.history.stopped_early,
            "stopped_by": run.history.stopped_by.map(StopReason::name),
            "epochs": run.history.epochs.iter().map(epoch_json).collect::<Vec<_>>(),
            "warnings": run.history.warnings.iter().map(warning_json).collect::<Vec<_>>(),
        },
    })
}

fn setup_json<F: Float>(setup: &Setup<F>) -> Value {
    json!({
        "epochs": setup.epochs,
        "batch_size": setup.batch_size,
        "seed": setup.seed,
        "initial_rate": setup.initial_rate.to_f64(),
        "schedule": setup.schedule,
        "samples": setup.samples,
        "data": format!("{:016x}", setup.data),
        "validation": setup.validation.map(|(n, h)| json!({ "samples": n, "data": format!("{h:016x}") })),
        "early_stopping": setup.early_stopping.map(|(p, d)| json!({ "patience": p, "min_delta": d.to_f64() })),
        "optimizer": setup.optimizer,
    })
}

fn epoch_json<F: Float>(e: &Epoch<F>) -> Value {
    json!({
        "epoch": e.epoch,
        "learning_rate": e.learning_rate.to_f64(),
        "train_loss": e.train_loss.to_f64(),
        "train_accuracy": e.train_accuracy,
        "validation_loss": e.validation_loss.map(Float::to_f64),
        "validation_accuracy": e.validation_accuracy,
        "seconds": e.seconds,
        "samples_per_second": e.samples_per_second,
        "diagnostics": e.diagnostics.iter().map(|d| json!({
            "layer": d.layer,
            "gradient_norm": number(d.gradient_norm),
            "weight_norm": number(d.weight_norm),
            "update_ratio": number(d.update_ratio),
            "dead_fraction": d.dead_fraction,
        })).collect::<Vec<_>>(),
    })
}

fn warning_json(w: &Warning) -> Value {
    let problem = match w.problem {
        Problem::Dead { never_fired, units } => json!({ "never_fired": never_fired, "units": units }),
        Problem::Vanishing { gradient_norm, output_gradient_norm } => json!({
            "gradient_norm": number(gradient_norm),
            "output_gradient_norm": number(output_gradient_norm),
        }),
        Problem::Exploding { gradient_norm, weight_norm } => {
            json!({ "gradient_norm": number(gradient_norm), "weight_norm": number(weight_norm) })
        }
    };
    json!({ "epoch": w.epoch, "layer": w.layer, "kind": w.problem.kind(), "problem": problem })
}

/// A measurement as JSON: a number, or for one that is not finite (a gradient that exploded),
/// the string Rust writes for it (`NaN`, `inf`, `-inf`), which JSON has no number for.
fn number(v: f64) -> Value {
    if v.is_finite() { json!(v) } else { json!(v.to_string()) }
}

/// Compares the configuration a checkpoint records with the resuming trainer's: everything
/// that decides the steps to come must be equal; the number of epochs and the schedule may
/// differ.
fn compare_setup<F: Float>(
    file: &TensorFile<'_>,
    recorded: &State<'_>,
    setup: &Setup<F>,
) -> Result<(), Error> {
    let bad = |message: String| {
        file.error(SafetensorsProblem::BadMetadata { key: CHECKPOINT_KEY.to_owned(), message })
    };
    let found = setup_json(setup);
    let found = State(&found);
    for (key, what) in [
        ("optimizer", "the optimiser"),
        ("initial_rate", "the initial learning rate"),
        ("batch_size", "the batch size"),
        ("seed", "the seed"),
        ("samples", "a number of training samples of"),
        ("data", "training data whose fingerprint is"),
        ("validation", "the validation set"),
        ("early_stopping", "early stopping"),
    ] {
        let checkpoint = recorded.get(key).map_err(&bad)?;
        let trainer = found.get(key).map_err(&bad)?;
        if checkpoint.0 != trainer.0 {
            return Err(file.error(SafetensorsProblem::CheckpointMismatch {
                what,
                checkpoint: checkpoint.0.to_string(),
                trainer: trainer.0.to_string(),
            }));
        }
    }
    Ok(())
}

/// A problem reading the state: a typed error already, or a message for [`BadMetadata`].
///
/// [`BadMetadata`]: SafetensorsProblem::BadMetadata
enum ReadError {
    Typed(Error),
    Message(String),
}

impl ReadError {
    fn or(self, bad: &impl Fn(String) -> Error) -> Error {
        match self {
            ReadError::Typed(e) => e,
            ReadError::Message(m) => bad(m),
        }
    }
}

impl From<Error> for ReadError {
    fn from(e: Error) -> Self {
        ReadError::Typed(e)
    }
}

impl From<String> for ReadError {
    fn from(m: String) -> Self {
        ReadError::Message(m)
    }
}

impl From<&str> for ReadError {
    fn from(m: &str) -> Self {
        ReadError::Message(m.to_owned())
    }
}

/// The optimiser's state: counters from the JSON, buffers from the tensors, shaped like the
/// network's parameters.
fn read_optimizer_state<F: Float, N: Network<F>>(
    file: &TensorFile<'_>,
    state: &State<'_>,
) -> Result<OptimizerState<F>, ReadError> {
    let counters = state
        .get("counters")?
        .0
        .as_object()
        .ok_or("`counters` is not an object")?
        .iter()
        .map(|(name, v)| {
            v.as_u64().map(|v| (name.clone(), v)).ok_or(format!("counter `{name}` is not a count"))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let tensors = state.usize("tensors")?;
    let names = state.get("slots")?.0.as_array().ok_or("`slots` is not an array")?;
    // A checkpoint is written after an epoch, whose steps gave every slot its buffers: one per
    // parameter tensor.
    let expected = if names.is_empty() { 0 } else { 2 * N::LAYERS.len() };
    if tensors != expected {
        return Err(file
            .error(SafetensorsProblem::Inconsistent {
                what: "the optimiser's number of tensors per slot",
                expected: format!(
                    "{expected}: one per parameter tensor of the network, for each of the {} slots",
                    names.len()
                ),
                found: tensors.to_string(),
            })
            .into());
    }
    let mut slots = Vec::new();
    for slot in names {
        let slot = slot.as_str().ok_or("a slot name is not a string")?;
        let buffers = (0..tensors)
            .map(|i| file.read::<F>(&optimizer_tensor_name::<F, N>(i, slot), &parameter_shape::<F, N>(i)))
            .collect::<Result<Vec<ArrayD<F>>, Error>>()?;
        slots.push((slot.to_owned(), buffers));
    }
    Ok(OptimizerState { counters, slots })
}

/// The early-stopping best: its loss, epoch and age from the JSON, its weights from the
/// `best.` tensors if it kept them.
fn read_best<F: Float, N: Network<F>>(
    file: &TensorFile<'_>,
    state: &State<'_>,
) -> Result<Best<F>, ReadError> {
    let loss = state.optional_float("loss")?;
    let weights = if state.bool("weights")? { read_parameters::<F, N>(file, "best.")? } else { Vec::new() };
    Ok(Best { loss, epoch: state.usize("epoch")?, since: state.usize("since")?, weights })
}

fn read_history<F: Float>(state: &State<'_>) -> Result<History<F>, String> {
    let best_epoch = match &state.get("best_epoch")?.0 {
        Value::Null => None,
        v => Some(v.as_u64().and_then(|v| usize::try_from(v).ok()).ok_or("`best_epoch` is not an epoch")?),
    };
    let epochs = state
        .get("epochs")?
        .0
        .as_array()
        .ok_or("`epochs` is not an array")?
        .iter()
        .map(|e| {
            let e = State(e);
            Ok(Epoch {
                epoch: e.usize("epoch")?,
                learning_rate: F::of(e.float("learning_rate")?),
                train_loss: F::of(e.float("train_loss")?),
                train_accuracy: e.optional_float("train_accuracy")?,
                validation_loss: e.optional_float("validation_loss")?,
                validation_accuracy: e.optional_float("validation_accuracy")?,
                seconds: e.float("seconds")?,
                samples_per_second: e.float("samples_per_second")?,
                diagnostics: e
                    .list("diagnostics")?
                    .iter()
                    .map(read_layer_diagnostics)
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let warnings = state.list("warnings")?.iter().map(read_warning).collect::<Result<_, _>>()?;
    let stopped_early = state.bool("stopped_early")?;
    // A checkpoint written before the hook existed has no `stopped_by`: only early stopping
    // stopped runs then.
    let stopped_by = match state.0.get("stopped_by") {
        None => stopped_early.then_some(StopReason::EarlyStopping),
        Some(Value::Null) => None,
        Some(Value::String(name)) if name == StopReason::EarlyStopping.name() => {
            Some(StopReason::EarlyStopping)
        }
        Some(Value::String(name)) if name == StopReason::Hook.name() => Some(StopReason::Hook),
        Some(other) => {
            return Err(format!("`stopped_by` is {other}, not \"early_stopping\", \"hook\" or null"));
        }
    };
    Ok(History { epochs, best_epoch, stopped_early, stopped_by, warnings })
}

fn read_layer_diagnostics(d: &State<'_>) -> Result<LayerDiagnostics, String> {
    Ok(LayerDiagnostics {
        layer: d.string("layer")?,
        gradient_norm: d.measurement("gradient_norm")?,
        weight_norm: d.measurement("weight_norm")?,
        update_ratio: d.measurement("update_ratio")?,
        dead_fraction: d.optional_float("dead_fraction")?,
    })
}

fn read_warning(w: &State<'_>) -> Result<Warning, String> {
    let p = w.get("problem")?;
    let problem = match w.string("kind")?.as_str() {
        "dead" => Problem::Dead { never_fired: p.usize("never_fired")?, units: p.usize("units")? },
        "vanishing" => Problem::Vanishing {
            gradient_norm: p.measurement("gradient_norm")?,
            output_gradient_norm: p.measurement("output_gradient_norm")?,
        },
        "exploding" => Problem::Exploding {
            gradient_norm: p.measurement("gradient_norm")?,
            weight_norm: p.measurement("weight_norm")?,
        },
        other => return Err(format!("a warning of an unknown kind `{other}`")),
    };
    Ok(Warning { epoch: w.usize("epoch")?, layer: w.string("layer")?, problem })
}

/// A JSON object of the state, read with messages that name the missing or mistyped key.
struct State<'a>(&'a Value);

impl<'a> State<'a> {
    fn get(&self, key: &str) -> Result<State<'a>, String> {
        self.0.get(key).map(State).ok_or_else(|| format!("no `{key}`"))
    }

    fn usize(&self, key: &str) -> Result<usize, String> {
        self.get(key)?
            .0
            .as_u64()
            .and_then(|v| usize::try_from(v).ok())
            .ok_or_else(|| format!("`{key}` is not a count"))
    }

    fn bool(&self, key: &str) -> Result<bool, String> {
        self.get(key)?.0.as_bool().ok_or_else(|| format!("`{key}` is not true or false"))
    }

    fn string(&self, key: &str) -> Result<String, String> {
        self.get(key)?.0.as_str().map(str::to_owned).ok_or_else(|| format!("`{key}` is not a string"))
    }

    /// The array at `key`, as states; an empty one when the key is absent (a checkpoint written
    /// before the key existed).
    fn list(&self, key: &str) -> Result<Vec<State<'a>>, String> {
        match self.0.get(key) {
            None => Ok(Vec::new()),
            Some(v) => Ok(v
                .as_array()
                .ok_or_else(|| format!("`{key}` is not an array"))?
                .iter()
                .map(State)
                .collect()),
        }
    }

    /// A measurement written by [`number`]: a number, or the name of a value that is not finite.
    fn measurement(&self, key: &str) -> Result<f64, String> {
        let v = &self.get(key)?.0;
        v.as_f64()
            .or_else(|| v.as_str().and_then(|s| s.parse::<f64>().ok()).filter(|v| !v.is_finite()))
            .ok_or_else(|| format!("`{key}` is not a number"))
    }

    fn float(&self, key: &str) -> Result<f64, String> {
        self.get(key)?.0.as_f64().ok_or_else(|| format!("`{key}` is not a number"))
    }

    fn optional_float<T: Float>(&self, key: &str) -> Result<Option<T>, String> {
        match &self.get(key)?.0 {
            Value::Null => Ok(None),
            v => v.as_f64().map(|v| Some(T::of(v))).ok_or_else(|| format!("`{key}` is not a number")),
        }
    }
}

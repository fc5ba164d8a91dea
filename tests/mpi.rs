//! Data-parallel training on MPI (the `mpi` feature): P processes training with a global batch
//! of B samples end with the weights of one process training alone with batch B, with SGD and
//! with Adam, in f64 and f32; a process with bad data, or whose step fails, makes every process
//! stop with an error; only rank 0 writes checkpoints, and a run resumed from one continues as
//! if it had not stopped; the `on_epoch` hook runs on rank 0 and every process stops when it
//! says; the diagnostics are those of the whole batch; a step allocates
//! nothing; and processes that differ in any option of `Trainer` (the `option_*` cases, one per
//! builder option and way of setting it), in the network or in the call (`fit`, `resume`) all
//! stop before the first step with the same error naming it, while those whose progress or
//! checkpoint path differ train as one.
//!
//! Each case computes the one-process reference in the same program (a trainer without
//! `mpi`), then the distributed run, and compares. Run it on two processes as `.ci/run` does:
//!
//! ```text
//! cargo test --features mpi --test mpi --no-run
//! mpirun -np 2 target/debug/deps/mpi-<hash>
//! ```
//!
//! (as root, Open MPI also wants `--allow-run-as-root`; on fewer cores than processes,
//! `--oversubscribe`). Started alone (`cargo test --features mpi --test mpi`) it runs the same
//! cases on one process. It has its own `main` (`harness = false`): MPI is initialised once per
//! process, from one thread, and a failed check must not stop one process while the others wait
//! in a collective, so every case runs on every process, failures are counted, and the counts
//! are summed over the processes at the end. Arguments choose the cases whose names contain
//! one of them: `mpirun -np 2 target/debug/deps/mpi-<hash> option_`.

#![allow(clippy::unwrap_used)]

use std::ops::ControlFlow;
use std::process::ExitCode;

use backprop::mpi::collective::CommunicatorCollectives;
use backprop::ndarray::{Array2, Axis};
use backprop::prelude::*;
use backprop::train::{Mpi, Progress, StopReason};
use backprop::{Error, Float, History};

network! {
    /// Six inputs, sixteen tanh units, three classes.
    #[derive(Clone, Debug)]
    pub struct Small<f64> {
        input: 6,
        hidden: 16 => Tanh,
        logits: 3,
        cost: SoftmaxCrossEntropy,
    }
}

network! {
    /// The same in f32, with ReLU.
    #[derive(Clone, Debug)]
    pub struct Small32<f32> {
        input: 6,
        hidden: 16 => Relu,
        logits: 3,
        cost: SoftmaxCrossEntropy,
    }
}

network! {
    /// Linear regression, whose cost overflows on a huge target.
    #[derive(Clone, Debug)]
    pub struct Line<f64> { input: 6, out: 1, cost: Mse }
}

/// The samples of every case; odd, so that the last batch of 33 has one sample and one of two
/// processes has none of it.
const SAMPLES: usize = 199;

#[path = "support/split_mix.rs"]
mod split_mix;

use split_mix::SplitMix;

/// `SAMPLES` samples of 6 features in [−1, 1] and a class from their signs.
fn data<F: Float>() -> (Array2<F>, Vec<usize>) {
    let mut rng = SplitMix(7);
    let x = Array2::from_shape_fn((SAMPLES, 6), |_| F::of(2.0 * rng.next() - 1.0));
    let labels = x
        .rows()
        .into_iter()
        .map(|r| usize::from(r[0] + r[1] > F::zero()) + usize::from(r[2] > r[3]))
        .collect();
    (x, labels)
}

/// The largest difference between the parameters of `a` and `b`, relative to the largest
/// magnitude of `b`'s tensor, over every weight and bias tensor.
fn relative_difference<F: Float, N: Network<F>>(a: &N, b: &N) -> f64 {
    let mut tensors = Vec::new();
    a.visit_parameters(&mut |p| tensors.push((p.weight.to_owned(), p.bias.to_owned())));
    let mut worst = 0.0f64;
    let mut index = 0;
    b.visit_parameters(&mut |p| {
        let (w, bias) = &tensors[index];
        for (x, y) in
            [(w.view().into_dyn(), p.weight.into_dyn()), (bias.view().into_dyn(), p.bias.into_dyn())]
        {
            let scale = y.iter().fold(0.0f64, |m, v| m.max(Float::to_f64(*v).abs())).max(f64::MIN_POSITIVE);
            let diff = x
                .iter()
                .zip(y.iter())
                .fold(0.0f64, |m, (u, v)| m.max((Float::to_f64(*u) - Float::to_f64(*v)).abs()));
            worst = worst.max(diff / scale);
        }
        index += 1;
    });
    worst
}

/// What a case found: a note on success, what is wrong otherwise.
type Outcome = Result<String, String>;

/// A case, run on every process.
type Case = fn(Mpi) -> Outcome;

/// Trains a copy of `start` alone and one across the processes with `trainer`'s options (the
/// same function builds both trainers), and checks that their weights agree within
/// `tolerance` and their losses nearly so.
fn equivalent<F: Float, N: Network<F> + Clone, O: Resumable<F>>(
    mpi: Mpi,
    start: &N,
    trainer: impl Fn() -> Trainer<'static, F, O>,
    tolerance: f64,
) -> Outcome {
    let (x, labels) = data::<F>();
    let mut alone = start.clone();
    let reference: History<F> = trainer().fit(&mut alone, x.view(), &labels).map_err(|e| e.to_string())?;
    // Every process but rank 0 starts from other weights: `fit` must give it rank 0's.
    let mut together = start.clone();
    if !mpi.is_root() {
        together.visit_parameters_mut(&mut |mut p| p.weight.fill(F::of(0.25)));
    }
    let history = trainer().mpi(mpi).fit(&mut together, x.view(), &labels).map_err(|e| e.to_string())?;
    let difference = relative_difference(&together, &alone);
    if difference > tolerance {
        return Err(format!("the weights differ by {difference:e} relative, more than {tolerance:e}"));
    }
    // The evaluations after each epoch, which the processes share, are those of one process.
    for (a, b) in history.epochs.iter().zip(&reference.epochs) {
        if a.train_accuracy != b.train_accuracy || a.validation_accuracy != b.validation_accuracy {
            return Err(format!(
                "accuracy {:?} and {:?} (validation), alone {:?} and {:?}",
                a.train_accuracy, a.validation_accuracy, b.train_accuracy, b.validation_accuracy
            ));
        }
        let losses =
            [(a.train_loss, b.train_loss)].into_iter().chain(a.validation_loss.zip(b.validation_loss));
        for (a, b) in losses {
            let (a, b) = (Float::to_f64(a), Float::to_f64(b));
            if (a - b).abs() > 1e3 * tolerance * b.abs() {
                return Err(format!("a loss is {a}, alone {b}"));
            }
        }
    }
    if history.epochs.len() != reference.epochs.len() {
        return Err(format!("{} epochs, alone {}", history.epochs.len(), reference.epochs.len()));
    }
    // The diagnostics speak of the whole batch: the norm of its gradient, and the units that
    // fired on no process's samples.
    for (epoch, (a, b)) in history.epochs.iter().zip(&reference.epochs).enumerate() {
        for (a, b) in a.diagnostics.iter().zip(&b.diagnostics) {
            if a.dead_fraction != b.dead_fraction {
                return Err(format!(
                    "epoch {}, layer {}: dead fraction {:?}, alone {:?}",
                    epoch + 1,
                    a.layer,
                    a.dead_fraction,
                    b.dead_fraction
                ));
            }
            if (a.gradient_norm - b.gradient_norm).abs() > 1e3 * tolerance * b.gradient_norm {
                return Err(format!(
                    "layer {}: gradient norm {}, alone {}",
                    a.layer, a.gradient_norm, b.gradient_norm
                ));
            }
        }
    }
    Ok(format!("weights within {difference:.1e} of one process's, relative"))
}

/// The options of the equivalence cases: 4 epochs of batches of 32 (the last one 7), quiet.
fn options<F: Float, O: Optimizer<F>>(optimizer: O, batch: usize) -> Trainer<'static, F, O> {
    Trainer::new(optimizer).epochs(4).batch_size(batch).seed(11).progress(Progress::Off)
}

fn sgd_f64(mpi: Mpi) -> Outcome {
    equivalent(mpi, &Small::with_seed(1), || options(Sgd::new(0.1).unwrap(), 32), 1e-12)
}

fn adam_f64(mpi: Mpi) -> Outcome {
    equivalent(mpi, &Small::with_seed(2), || options(Adam::new(1e-2).unwrap(), 32), 1e-12)
}

fn sgd_f32(mpi: Mpi) -> Outcome {
    equivalent(mpi, &Small32::with_seed(3), || options(Sgd::new(0.1).unwrap(), 32), 1e-6)
}

fn adam_f32(mpi: Mpi) -> Outcome {
    equivalent(mpi, &Small32::with_seed(4), || options(Adam::new(1e-2).unwrap(), 32), 1e-6)
}

/// Batches of 33: shards of 16 and 17 samples, and a last batch of 1, which one process
/// computes while the other has none; momentum, no diagnostics, a validation set (of 99
/// samples: shares of 49 and 50) and early stopping.
fn uneven_shards(mpi: Mpi) -> Outcome {
    let (x, labels) = data::<f64>();
    // The trainer borrows the validation set for as long as the test runs.
    let validation: &'static (Array2<f64>, Vec<usize>) =
        Box::leak(Box::new((x.slice_axis(Axis(0), (..99).into()).to_owned(), labels[..99].to_vec())));
    equivalent(
        mpi,
        &Small::with_seed(5),
        || {
            options(Sgd::new(0.05).unwrap().with_momentum(0.9).unwrap(), 33)
                .diagnostics(false)
                .validation(validation.0.view(), &validation.1)
                .early_stopping(2, 0.0)
        },
        1e-12,
    )
}

/// A ReLU unit that fires on one sample only, which only one process's shard holds in each
/// epoch: it is not dead, as one process training alone sees.
fn rare_unit(mpi: Mpi) -> Outcome {
    let (x, _) = data::<f32>();
    let mut column: Vec<f32> = x.column(0).to_vec();
    column.sort_by(f32::total_cmp);
    let (largest, next) = (column[SAMPLES - 1], column[SAMPLES - 2]);
    let mut start = Small32::with_seed(10);
    // z_0 = x_0 − (largest + next) / 2: positive for the sample with the largest x_0 only.
    start.hidden.weight.row_mut(0).fill(0.0);
    start.hidden.weight[[0, 0]] = 1.0;
    start.hidden.bias[0] = -(largest + next) / 2.0;
    equivalent(mpi, &start, || options(Sgd::new(1e-3).unwrap(), 32).epochs(2), 1e-6)
}

/// The last process has a label out of range: every process fails before the first step,
/// the last with its own error, the others naming it.
fn bad_label_on_one_process(mpi: Mpi) -> Outcome {
    let (x, mut labels) = data::<f64>();
    let last = mpi.size() - 1;
    if mpi.rank() == last {
        labels[5] = 7;
    }
    let mut net = Small::with_seed(6);
    let trainer = options(Sgd::new(0.1).unwrap(), 32).mpi(mpi);
    let error = match trainer_fit(trainer, &mut net, &x, &labels) {
        Ok(()) => return Err("training succeeded".to_owned()),
        Err(error) => error,
    };
    match (&error, mpi.rank() == last) {
        (Error::LabelOutOfRange { .. }, true) | (Error::Distributed { .. }, false) => Ok(error.to_string()),
        _ => Err(format!("unexpected error: {error}")),
    }
}

/// One sample's target is so large that its squared error overflows: the process whose shard
/// holds it fails in the middle of training, and every process stops at the same step.
fn step_fails_on_one_process(mpi: Mpi) -> Outcome {
    let (x, _) = data::<f64>();
    let mut y = Array2::from_shape_fn((SAMPLES, 1), |(i, _)| x[[i, 0]] - x[[i, 1]]);
    y[[100, 0]] = 1e300;
    let mut net = Line::with_seed(7);
    let mut trainer = options(Sgd::new(0.01).unwrap(), 32).mpi(mpi);
    let error = match trainer.fit(&mut net, x.view(), y.view()) {
        Ok(_) => return Err("training succeeded".to_owned()),
        Err(failure) => failure.error,
    };
    let Error::Training { epoch, batch, source, .. } = &error else {
        return Err(format!("unexpected error: {error}"));
    };
    // Every process reports the same step.
    let at = [*epoch as u64, *batch as u64];
    let world = backprop::mpi::topology::SimpleCommunicator::world();
    let mut all = vec![0u64; 2 * mpi.size()];
    world.all_gather_into(&at[..], &mut all[..]);
    if all.chunks(2).any(|c| c != at) {
        return Err(format!("the processes stopped at different steps: {all:?}"));
    }
    match source.as_ref() {
        Error::NonFiniteCost { .. } => Ok(error.to_string()),
        Error::Distributed { message, .. } if message.contains("not finite") => Ok(error.to_string()),
        other => Err(format!("unexpected error: {other}")),
    }
}

/// A process whose data differ from rank 0's stops before the first step, and so do the
/// others.
fn different_data(mpi: Mpi) -> Outcome {
    let (mut x, labels) = data::<f64>();
    if mpi.rank() == mpi.size() - 1 && mpi.size() > 1 {
        x[[3, 3]] += 1e-9;
    }
    let mut net = Small::with_seed(8);
    let trainer = options(Sgd::new(0.1).unwrap(), 32).mpi(mpi);
    match (trainer_fit(trainer, &mut net, &x, &labels), mpi.size()) {
        (Ok(()), 1) => Ok("one process: nothing to differ".to_owned()),
        (Err(error @ Error::Distributed { .. }), _) if error.to_string().contains("training data") => {
            Ok(error.to_string())
        }
        (Ok(()), _) => Err("training succeeded".to_owned()),
        (Err(error), _) => Err(format!("unexpected error: {error}")),
    }
}

/// Rank 0 alone writes the checkpoint; resuming from it (read on rank 0, sent to the others)
/// gives the weights of a run that never stopped.
fn checkpoint_and_resume(mpi: Mpi) -> Outcome {
    let (x, labels) = data::<f64>();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    // Each process names its own file; only rank 0's may appear.
    let path = dir.join(format!("mpi-checkpoint-{}.safetensors", mpi.rank()));
    std::fs::remove_file(&path).ok();
    let trainer = |epochs| {
        Trainer::new(Adam::new(1e-2).unwrap())
            .epochs(epochs)
            .batch_size(32)
            .seed(11)
            .progress(Progress::Off)
            .checkpoint(&path, 1)
            .mpi(mpi)
    };
    let mut straight = Small::with_seed(9);
    trainer(4).fit(&mut straight, x.view(), &labels).map_err(|e| e.to_string())?;
    let mut stopped = Small::with_seed(9);
    trainer(2).fit(&mut stopped, x.view(), &labels).map_err(|e| e.to_string())?;
    if path.exists() != mpi.is_root() {
        return Err(format!("rank {} wrote a checkpoint: {}", mpi.rank(), path.exists()));
    }
    let mut resumed = Small::zeros();
    let history = trainer(4).resume(&path, &mut resumed, x.view(), &labels).map_err(|e| e.to_string())?;
    std::fs::remove_file(&path).ok();
    let difference = relative_difference(&resumed, &straight);
    if difference != 0.0 || history.epochs.len() != 4 {
        return Err(format!(
            "resumed: {} epochs, weights {difference:e} from a straight run",
            history.epochs.len()
        ));
    }
    Ok("the same bits as a run that never stopped".to_owned())
}

/// Resuming from a checkpoint that rank 0 cannot read stops every process with an error.
fn resume_without_checkpoint(mpi: Mpi) -> Outcome {
    let (x, labels) = data::<f64>();
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("mpi-no-such-checkpoint.safetensors");
    std::fs::remove_file(&path).ok();
    let mut net = Small::with_seed(13);
    let mut trainer = options(Adam::new(1e-2).unwrap(), 32).checkpoint(&path, 1).mpi(mpi);
    match (trainer.resume(&path, &mut net, x.view(), &labels).map_err(|f| f.error), mpi.is_root()) {
        (Err(error @ Error::Io { .. }), true) | (Err(error @ Error::Distributed { rank: 0, .. }), false) => {
            Ok(error.to_string())
        }
        (Ok(_), _) => Err("resumed from no checkpoint".to_owned()),
        (Err(error), _) => Err(format!("unexpected error: {error}")),
    }
}

/// The `on_epoch` hook runs on rank 0 only, and every process takes its decision: rank 0's
/// stops after epoch 2 of 4, the others' would never stop (and must never be called); every
/// process ends after epoch 2, says the hook stopped it, and holds the same weights. Then
/// `resume_or_fit` from rank 0's checkpoint (the others have none at their paths) resumes on
/// every process, to the bits of a run that never stopped.
fn hook_on_rank_0(mpi: Mpi) -> Outcome {
    let (x, labels) = data::<f64>();
    let path = checkpoint_path(mpi, "hook");
    std::fs::remove_file(&path).ok();
    let trainer = || options(Adam::new(1e-2).unwrap(), 32).checkpoint(&path, 1).mpi(mpi);
    let mut straight = Small::with_seed(16);
    trainer().fit(&mut straight, x.view(), &labels).map_err(|e| e.to_string())?;
    std::fs::remove_file(&path).ok();

    let mut calls = 0;
    let mut net = Small::with_seed(16);
    let history = trainer()
        .on_epoch(|e, _: &Small| {
            calls += 1;
            if mpi.is_root() && e.epoch == 2 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
        })
        .resume_or_fit(&path, &mut net, x.view(), &labels)
        .map_err(|e| e.to_string())?;
    let expected_calls = if mpi.is_root() { 2 } else { 0 };
    if calls != expected_calls || history.epochs.len() != 2 || history.stopped_by != Some(StopReason::Hook) {
        return Err(format!(
            "{calls} calls of the hook (expected {expected_calls}), {} epochs, stopped by {:?}",
            history.epochs.len(),
            history.stopped_by
        ));
    }
    if !all_same(mpi, fnv(&net.to_safetensors())) {
        return Err("the processes stopped with different weights".to_owned());
    }
    let mut resumed = Small::zeros();
    let history =
        trainer().resume_or_fit(&path, &mut resumed, x.view(), &labels).map_err(|e| e.to_string())?;
    std::fs::remove_file(&path).ok();
    let difference = relative_difference(&resumed, &straight);
    if difference != 0.0 || history.epochs.len() != 4 || history.stopped_by.is_some() {
        return Err(format!(
            "resumed: {} epochs, stopped by {:?}, weights {difference:e} from a straight run",
            history.epochs.len(),
            history.stopped_by
        ));
    }
    Ok("every process stopped after rank 0's hook did, and resumed to the bits of a straight run".to_owned())
}

/// A distributed step allocates nothing: an epoch of twice as many steps allocates as often as
/// one of half as many (counted with `allocation_counter`, on this thread, which makes every
/// MPI call; Open MPI's own buffers are C's and not counted).
fn steps_allocate_nothing(mpi: Mpi) -> Outcome {
    let (x, labels) = data::<f32>();
    let mut allocations = Vec::new();
    for samples in [96, 192] {
        let (x, labels) = (x.slice_axis(Axis(0), (..samples).into()), &labels[..samples]);
        let mut net = Small32::with_seed(12);
        let mut trainer = options(Sgd::new(0.01).unwrap(), 16)
            .epochs(1)
            .diagnostics(false)
            .training_accuracy(false)
            .mpi(mpi);
        let mut result = Ok(());
        let counted = allocation_counter::measure(|| {
            result = trainer.fit(&mut net, x, labels).map(|_| ()).map_err(|e| e.to_string());
        });
        result?;
        allocations.push(counted.count_total);
    }
    if allocations[0] != allocations[1] {
        return Err(format!("6 steps allocated {} times, 12 steps {} times", allocations[0], allocations[1]));
    }
    Ok(format!("{} allocations per fit, for 6 steps and for 12", allocations[0]))
}

/// Whether this process is the one that sets an option differently: the last, when there are
/// several.
fn differs(mpi: Mpi) -> bool {
    mpi.size() > 1 && mpi.rank() == mpi.size() - 1
}

/// A 64-bit FNV-1a fingerprint of some bytes, to compare what the processes found.
fn fnv(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// Whether every process found the same `value` (a collective).
fn all_same(mpi: Mpi, value: u64) -> bool {
    let world = backprop::mpi::topology::SimpleCommunicator::world();
    let mut all = vec![0u64; mpi.size()];
    world.all_gather_into(&value, &mut all[..]);
    all.iter().all(|&v| v == value)
}

/// The base trainer of the option cases: 2 epochs of batches of 32, quiet, every other option
/// at its default.
fn base<O: Optimizer<f64>>(optimizer: O) -> Trainer<'static, f64, O> {
    Trainer::new(optimizer).epochs(2).batch_size(32).seed(11).progress(Progress::Off)
}

/// The validation set of the option cases: the first 99 samples, borrowed for as long as the
/// test runs.
fn validation_set() -> &'static (Array2<f64>, Vec<usize>) {
    let (x, labels) = data::<f64>();
    Box::leak(Box::new((x.slice_axis(Axis(0), (..99).into()).to_owned(), labels[..99].to_vec())))
}

/// Trains `Small` with `trainer` across the processes, on the shared data.
fn train_small<O: Resumable<f64>>(mpi: Mpi, trainer: Trainer<'static, f64, O>) -> Result<u64, Error> {
    let (x, labels) = data::<f64>();
    let mut net = Small::with_seed(14);
    trainer.mpi(mpi).fit(&mut net, x.view(), &labels).map_err(|f| f.error)?;
    Ok(fnv(&net.to_safetensors()))
}

/// `run(differs)` on every process, where the last one gets `true` and sets `setting`
/// differently: every process must return the same [`Error::Distributed`], which names the
/// setting and gives both values. (Started alone there is nothing to differ, and it must
/// succeed.)
fn must_disagree(mpi: Mpi, setting: &str, run: impl FnOnce(bool) -> Result<u64, Error>) -> Outcome {
    let result = run(differs(mpi));
    let text = match &result {
        Ok(_) => String::new(),
        Err(error) => error.to_string(),
    };
    if !all_same(mpi, fnv(text.as_bytes())) {
        return Err(format!("the processes returned different outcomes; this one: {result:?}"));
    }
    match (result, mpi.size()) {
        (Ok(_), 1) => Ok("one process: nothing to differ".to_owned()),
        (Ok(_), _) => Err(format!("training succeeded though the {setting} differs")),
        (Err(Error::Distributed { message, .. }), _)
            if message.starts_with(&format!("{setting}: process 0 has "))
                && message.contains(&format!(", process {} has ", mpi.size() - 1)) =>
        {
            Ok(text)
        }
        (Err(error), _) => Err(format!("unexpected error, not naming the {setting}: {error}")),
    }
}

/// `run(differs)` on every process, where the last one sets an option that does not shape
/// the training differently: every process must succeed and end with the same weights.
fn may_differ(mpi: Mpi, run: impl FnOnce(bool) -> Result<u64, Error>) -> Outcome {
    let result = run(differs(mpi));
    let weights = *result.as_ref().unwrap_or(&0);
    let same = all_same(mpi, weights);
    match result {
        Ok(_) if same => Ok("every process trained, to the same weights".to_owned()),
        Ok(_) => Err("the processes ended with different weights".to_owned()),
        Err(error) => Err(format!("failed: {error}")),
    }
}

// Every builder option of `Trainer`, set differently on the last process. `mpi` itself is the
// one left out: a process without it trains alone and never calls MPI, so the others wait for
// it in their first collective (see `Trainer::mpi`).

fn option_epochs(mpi: Mpi) -> Outcome {
    must_disagree(mpi, "epochs", |d| train_small(mpi, base(Sgd::new(0.1)?).epochs(if d { 3 } else { 2 })))
}

fn option_batch_size(mpi: Mpi) -> Outcome {
    must_disagree(mpi, "batch size", |d| {
        train_small(mpi, base(Sgd::new(0.1)?).batch_size(if d { 16 } else { 32 }))
    })
}

fn option_seed(mpi: Mpi) -> Outcome {
    must_disagree(mpi, "seed", |d| train_small(mpi, base(Sgd::new(0.1)?).seed(if d { 12 } else { 11 })))
}

/// The issue's case: a `StepDecay` schedule on one process only trained both to different
/// weights, and both returned `Ok`.
fn option_schedule(mpi: Mpi) -> Outcome {
    must_disagree(mpi, "schedule", |d| {
        let trainer = base(Sgd::new(0.1)?);
        train_small(mpi, if d { trainer.schedule(StepDecay::new(1, 0.5)?) } else { trainer })
    })
}

fn option_validation(mpi: Mpi) -> Outcome {
    let set = validation_set();
    must_disagree(mpi, "validation set", |d| {
        let trainer = base(Sgd::new(0.1)?);
        train_small(mpi, if d { trainer.validation(set.0.view(), &set.1) } else { trainer })
    })
}

fn option_validation_data(mpi: Mpi) -> Outcome {
    let set = validation_set();
    let (x, labels) = data::<f64>();
    let other: &'static (Array2<f64>, Vec<usize>) =
        Box::leak(Box::new((x.slice_axis(Axis(0), (100..199).into()).to_owned(), labels[100..].to_vec())));
    must_disagree(mpi, "validation set", |d| {
        let (xv, yv) = if d { other } else { set };
        train_small(mpi, base(Sgd::new(0.1)?).validation(xv.view(), yv))
    })
}

fn option_early_stopping(mpi: Mpi) -> Outcome {
    let set = validation_set();
    must_disagree(mpi, "early stopping", |d| {
        let trainer = base(Sgd::new(0.1)?).validation(set.0.view(), &set.1);
        train_small(mpi, if d { trainer.early_stopping(1, 0.0) } else { trainer })
    })
}

/// Only rank 0 shows progress: the others' setting changes nothing.
fn option_progress(mpi: Mpi) -> Outcome {
    may_differ(mpi, |d| {
        train_small(mpi, base(Sgd::new(0.1)?).progress(if d { Progress::Lines } else { Progress::Off }))
    })
}

/// The issue's case: with `training_accuracy(false)` on one process only, the other made a
/// collective call it skipped, and crashed.
fn option_training_accuracy(mpi: Mpi) -> Outcome {
    must_disagree(mpi, "training accuracy", |d| train_small(mpi, base(Sgd::new(0.1)?).training_accuracy(!d)))
}

fn option_diagnostics(mpi: Mpi) -> Outcome {
    must_disagree(mpi, "diagnostics", |d| train_small(mpi, base(Sgd::new(0.1)?).diagnostics(!d)))
}

fn option_allow_schedule_change(mpi: Mpi) -> Outcome {
    must_disagree(mpi, "schedule change allowed", |d| {
        train_small(mpi, base(Sgd::new(0.1)?).allow_schedule_change(d))
    })
}

/// A checkpoint path for this process.
fn checkpoint_path(mpi: Mpi, name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("mpi-{name}-{}.safetensors", mpi.rank()))
}

fn option_checkpoint(mpi: Mpi) -> Outcome {
    let path = checkpoint_path(mpi, "option-checkpoint");
    let outcome = must_disagree(mpi, "checkpoint", |d| {
        let trainer = base(Adam::new(1e-2)?);
        train_small(mpi, if d { trainer } else { trainer.checkpoint(&path, 1) })
    });
    std::fs::remove_file(&path).ok();
    outcome
}

fn option_checkpoint_interval(mpi: Mpi) -> Outcome {
    let path = checkpoint_path(mpi, "option-checkpoint-interval");
    let outcome = must_disagree(mpi, "checkpoint", |d| {
        train_small(mpi, base(Adam::new(1e-2)?).epochs(4).checkpoint(&path, if d { 3 } else { 1 }))
    });
    std::fs::remove_file(&path).ok();
    outcome
}

/// Only rank 0 writes checkpoints: where the others would is theirs to differ in.
fn option_checkpoint_path(mpi: Mpi) -> Outcome {
    let path = checkpoint_path(mpi, "option-checkpoint-path");
    let outcome = may_differ(mpi, |_| train_small(mpi, base(Adam::new(1e-2)?).checkpoint(&path, 1)));
    std::fs::remove_file(&path).ok();
    outcome
}

/// The issue's case: Adam on one process and Sgd on the other trained both to different
/// weights, and both returned `Ok`.
fn option_optimizer(mpi: Mpi) -> Outcome {
    must_disagree(mpi, "optimizer", |d| {
        if d { train_small(mpi, base(Sgd::new(1e-2)?)) } else { train_small(mpi, base(Adam::new(1e-2)?)) }
    })
}

fn option_optimizer_options(mpi: Mpi) -> Outcome {
    must_disagree(mpi, "optimizer", |d| {
        let sgd = Sgd::new(0.1)?;
        train_small(mpi, base(if d { sgd.with_momentum(0.9)? } else { sgd }))
    })
}

fn option_optimizer_wrapper(mpi: Mpi) -> Outcome {
    must_disagree(mpi, "optimizer", |d| {
        if d {
            train_small(mpi, base(ClipGradNorm::new(Sgd::new(0.1)?, 1.0)?))
        } else {
            train_small(mpi, base(Sgd::new(0.1)?))
        }
    })
}

fn option_learning_rate(mpi: Mpi) -> Outcome {
    must_disagree(mpi, "initial learning rate", |d| {
        train_small(mpi, base(Sgd::new(if d { 0.2 } else { 0.1 })?))
    })
}

/// The optimiser's state (`optimizer_mut`, or a trainer that trained before): Adam that has
/// taken steps on one process only.
fn option_optimizer_state(mpi: Mpi) -> Outcome {
    must_disagree(mpi, "optimizer state", |d| {
        let mut adam = Adam::new(1e-2)?;
        if d {
            let (x, labels) = data::<f64>();
            let mut net = Small::with_seed(15);
            let mut alone = base(adam);
            alone.fit(&mut net, x.view(), &labels).map_err(|f| f.error)?;
            adam = alone.into_optimizer();
        }
        train_small(mpi, base(adam))
    })
}

network! {
    /// `Small` with ReLU in place of tanh: the same sizes, another network.
    #[derive(Clone, Debug)]
    pub struct SmallRelu<f64> {
        input: 6,
        hidden: 16 => Relu,
        logits: 3,
        cost: SoftmaxCrossEntropy,
    }
}

fn option_network(mpi: Mpi) -> Outcome {
    must_disagree(mpi, "layers", |d| {
        let (x, labels) = data::<f64>();
        let mut trainer = base(Sgd::new(0.1)?).mpi(mpi);
        if d {
            let mut net = SmallRelu::with_seed(14);
            trainer.fit(&mut net, x.view(), &labels).map_err(|f| f.error)?;
        } else {
            let mut net = Small::with_seed(14);
            trainer.fit(&mut net, x.view(), &labels).map_err(|f| f.error)?;
        }
        Ok(0)
    })
}

/// `fit` on one process and `resume` on another.
fn fit_and_resume(mpi: Mpi) -> Outcome {
    let path = checkpoint_path(mpi, "fit-and-resume");
    let (x, labels) = data::<f64>();
    let outcome = must_disagree(mpi, "call", |d| {
        let mut trainer = base(Adam::new(1e-2)?).checkpoint(&path, 1).mpi(mpi);
        let mut net = Small::with_seed(14);
        if d {
            trainer.resume(&path, &mut net, x.view(), &labels).map_err(|f| f.error)?;
        } else {
            trainer.fit(&mut net, x.view(), &labels).map_err(|f| f.error)?;
        }
        Ok(0)
    });
    std::fs::remove_file(&path).ok();
    outcome
}

fn trainer_fit<O: Optimizer<f64>>(
    mut trainer: Trainer<'static, f64, O>,
    net: &mut Small,
    x: &Array2<f64>,
    labels: &[usize],
) -> Result<(), Error> {
    trainer.fit(net, x.view(), labels).map(|_| ()).map_err(|f| f.error)
}

fn main() -> ExitCode {
    let Some((universe, _)) = backprop::mpi::initialize_with_threading(backprop::mpi::Threading::Funneled)
    else {
        eprintln!("MPI could not be initialised");
        return ExitCode::FAILURE;
    };
    let mpi = Mpi::world(&universe);
    let cases: [(&str, Case); 34] = [
        ("sgd_f64", sgd_f64),
        ("adam_f64", adam_f64),
        ("sgd_f32", sgd_f32),
        ("adam_f32", adam_f32),
        ("uneven_shards", uneven_shards),
        ("rare_unit", rare_unit),
        ("bad_label_on_one_process", bad_label_on_one_process),
        ("step_fails_on_one_process", step_fails_on_one_process),
        ("different_data", different_data),
        ("checkpoint_and_resume", checkpoint_and_resume),
        ("resume_without_checkpoint", resume_without_checkpoint),
        ("hook_on_rank_0", hook_on_rank_0),
        ("steps_allocate_nothing", steps_allocate_nothing),
        ("option_epochs", option_epochs),
        ("option_batch_size", option_batch_size),
        ("option_seed", option_seed),
        ("option_schedule", option_schedule),
        ("option_validation", option_validation),
        ("option_validation_data", option_validation_data),
        ("option_early_stopping", option_early_stopping),
        ("option_progress", option_progress),
        ("option_training_accuracy", option_training_accuracy),
        ("option_diagnostics", option_diagnostics),
        ("option_allow_schedule_change", option_allow_schedule_change),
        ("option_checkpoint", option_checkpoint),
        ("option_checkpoint_interval", option_checkpoint_interval),
        ("option_checkpoint_path", option_checkpoint_path),
        ("option_optimizer", option_optimizer),
        ("option_optimizer_options", option_optimizer_options),
        ("option_optimizer_wrapper", option_optimizer_wrapper),
        ("option_learning_rate", option_learning_rate),
        ("option_optimizer_state", option_optimizer_state),
        ("option_network", option_network),
        ("fit_and_resume", fit_and_resume),
    ];
    // Arguments, if any, choose the cases whose names contain one of them (the same on every
    // process, as mpirun gives every process the same arguments).
    let filters: Vec<String> = std::env::args().skip(1).collect();
    let cases: Vec<(&str, Case)> = cases
        .into_iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str())))
        .collect();
    if mpi.is_root() {
        println!("\nrunning {} tests on {} processes", cases.len(), mpi.size());
    }
    let world = universe.world();
    let mut failed = 0u64;
    for &(name, case) in &cases {
        let outcome = case(mpi);
        // A case fails if it failed on any process.
        let flag = u64::from(outcome.is_err());
        let mut flags = vec![0u64; mpi.size()];
        world.all_gather_into(&flag, &mut flags[..]);
        match &outcome {
            Err(message) => eprintln!("rank {}: {name}: {message}", mpi.rank()),
            // Each process says what it found (its own error, or the other's).
            Ok(note) => println!("rank {}: {name}: {note}", mpi.rank()),
        }
        if flags.iter().any(|&f| f != 0) {
            failed += 1;
        }
        if mpi.is_root() {
            println!("test {name} ... {}", if flags.iter().all(|&f| f == 0) { "ok" } else { "FAILED" });
        }
    }
    world.barrier();
    if mpi.is_root() {
        println!("\n{} passed, {failed} failed", cases.len() as u64 - failed);
    }
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

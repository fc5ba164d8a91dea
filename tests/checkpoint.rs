//! Checkpoints: training k epochs, stopping, and resuming from the checkpoint gives the same bits
//! as training straight through — for SGD with momentum and for Adam, with a step schedule and
//! with a cosine schedule whose total is unchanged, with early stopping and its best weights —
//! also when the first process is killed (SIGKILL) at a random moment, 200 times. A checkpoint
//! of another network, optimiser, configuration or data set is a typed error that changes
//! nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use backprop::io::SafetensorsProblem;
use backprop::ndarray::{Array2, Axis, Slice};
use backprop::prelude::*;
use backprop::train::{Progress, StopReason};
use backprop::{Error, FitError, History};

use crate::times::without_times;

/// Starts this test binary again as a child that runs only the test `name` (a filter, not
/// `--exact`: the test's full name depends on the binary it is in, such as
/// `checkpoint::child_trains_with_checkpoints` in tests/integration.rs), with `var` set to `path`.
fn spawn_child(exe: &Path, name: &str, var: &str, path: &Path) -> std::process::Child {
    Command::new(exe)
        .args([name, "--test-threads=1"])
        .env(var, path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits until `child` has written its first checkpoint at `path`, failing if it ends first.
/// The child trains a bounded number of epochs, so it either writes one or ends; a child that
/// hung would show as this test not ending, which the harness reports and CI's `timeout` fails.
fn wait_for_first_checkpoint(child: &mut std::process::Child, path: &Path, who: &str) {
    while !path.exists() {
        assert!(child.try_wait().unwrap().is_none(), "{who}: the child ended before its first checkpoint");
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Asserts that `failure` is the error of a trainer whose checkpoint path another writer holds
/// (`WouldBlock`, saying so), refused before `who` trained an epoch.
fn assert_held_by_another_writer(failure: &FitError<f32>, who: &str) {
    assert!(
        matches!(&failure.error, Error::Io { kind: std::io::ErrorKind::WouldBlock, message, .. }
            if message.contains("another")),
        "{who}: {:?}",
        failure.error
    );
    assert!(failure.history.epochs.is_empty(), "{who} trained");
}

network! {
    /// Two inputs, two hidden layers, three classes.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Spiral<f32> {
        input: 2,
        hidden1: 24 => Tanh,
        hidden2: 16 => Relu,
        logits: 3,
        cost: SoftmaxCrossEntropy,
    }
}

network! {
    /// Another network: one hidden layer of another size.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Other<f32> { input: 2, hidden1: 8 => Tanh, logits: 3, cost: SoftmaxCrossEntropy }
}

/// Three interleaved spiral arms of `n` points each, in a fixed order (no randomness).
fn spiral(n: usize) -> (Array2<f32>, Vec<usize>) {
    let mut x = Array2::zeros((3 * n, 2));
    let mut labels = Vec::with_capacity(3 * n);
    for class in 0..3 {
        for i in 0..n {
            let r = i as f32 / n as f32;
            let t = class as f32 * 2.1 + 4.0 * r + ((i * 7919 + class * 104_729) % 97) as f32 / 97.0 * 0.3;
            x[[class * n + i, 0]] = r * t.sin();
            x[[class * n + i, 1]] = r * t.cos();
            labels.push(class);
        }
    }
    (x, labels)
}

/// A folder of its own for each test.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("backprop-checkpoint-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The weights of a network, as their bits.
fn bits<N: Network<f32>>(net: &N) -> Vec<u32> {
    let mut bits = Vec::new();
    net.visit_parameters(&mut |p| {
        bits.extend(p.weight.iter().map(|v| v.to_bits()));
        bits.extend(p.bias.iter().map(|v| v.to_bits()));
    });
    bits
}

/// The learning-rate schedule of a run.
#[derive(Clone, Copy)]
enum Rates {
    Constant,
    /// Halved every 2 epochs.
    Step,
    /// Cosine over this many epochs.
    Cosine(usize),
}

/// Trains `total` epochs straight, then `stop` epochs with checkpoints followed by a resume
/// with a new trainer (as a new process would build it) up to `total`, and checks that both
/// end with the same bits.
fn stop_and_resume<O: Resumable<f32> + Clone>(
    name: &str,
    optimizer: O,
    schedule: Rates,
    stop: usize,
    total: usize,
    early_stopping: bool,
) {
    let (x, labels) = spiral(40);
    let (xv, lv) = spiral(11);
    let configure = |epochs: usize| {
        let trainer = Trainer::new(optimizer.clone())
            .epochs(epochs)
            .batch_size(16)
            .seed(5)
            .progress(Progress::Off)
            .validation(xv.view(), &lv);
        let trainer = if early_stopping { trainer.early_stopping(100, 0.0) } else { trainer };
        match schedule {
            Rates::Constant => trainer,
            Rates::Step => trainer.schedule(StepDecay::new(2, 0.5).unwrap()),
            Rates::Cosine(total) => trainer.schedule(Cosine::new(total, 1e-4).unwrap()),
        }
    };

    let mut straight = Spiral::with_seed(3);
    let expected = configure(total).fit(&mut straight, x.view(), &labels).unwrap();

    let path = folder(name).join("run.safetensors");
    let mut first = Spiral::with_seed(3);
    let partial = configure(stop).checkpoint(&path, 1).fit(&mut first, x.view(), &labels).unwrap();
    assert_eq!(partial.epochs.len(), stop);

    let mut resumed = Spiral::with_seed(99); // weights from the checkpoint, not from here
    let history =
        configure(total).checkpoint(&path, 1).resume(&path, &mut resumed, x.view(), &labels).unwrap();

    assert_eq!(history.epochs.len(), total, "{name}: every epoch, those before the checkpoint included");
    assert_eq!(without_times(&history), without_times(&expected), "{name}: history");
    assert_eq!(bits(&resumed), bits(&straight), "{name}: weights");
    assert_ne!(bits(&resumed), bits(&first), "{name}: the resumed run trained further");
    std::fs::remove_dir_all(path.parent().unwrap()).ok();
}

#[test]
fn momentum_with_a_step_schedule_resumes_bit_for_bit() {
    let sgd = Sgd::new(0.05).unwrap().with_momentum(0.9).unwrap();
    stop_and_resume("momentum", sgd, Rates::Step, 3, 7, false);
}

#[test]
fn nesterov_resumes_bit_for_bit() {
    let sgd = Sgd::new(0.05).unwrap().with_nesterov(0.9).unwrap();
    stop_and_resume("nesterov", sgd, Rates::Constant, 2, 5, false);
}

#[test]
fn adam_with_a_cosine_schedule_of_unchanged_total_resumes_bit_for_bit() {
    let adam = Adam::new(0.01).unwrap();
    stop_and_resume("adam-cosine", adam, Rates::Cosine(6), 3, 6, false);
}

#[test]
fn wrapped_adamw_with_early_stopping_resumes_bit_for_bit() {
    let adamw = ClipGradNorm::new(AdamW::new(0.02, 1e-3).unwrap(), 1.0).unwrap();
    stop_and_resume("adamw-early", adamw, Rates::Step, 4, 8, true);
}

#[test]
fn plain_sgd_on_the_fused_path_resumes_bit_for_bit() {
    stop_and_resume("sgd", Sgd::new(0.1).unwrap(), Rates::Constant, 1, 4, false);
}

#[test]
fn a_checkpoint_holds_the_named_tensors_and_loads_as_weights() {
    let (x, labels) = spiral(10);
    let path = folder("named").join("run.safetensors");
    let mut net = Spiral::with_seed(1);
    let mut trainer =
        Trainer::new(Adam::new(0.01).unwrap()).epochs(2).progress(Progress::Off).checkpoint(&path, 1);
    trainer.fit(&mut net, x.view(), &labels).unwrap();

    let bytes = std::fs::read(&path).unwrap();
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + header_len]).unwrap();
    let mut names: Vec<&str> = header.as_object().unwrap().keys().map(String::as_str).collect();
    names.sort_unstable();
    let mut expected = vec!["__metadata__"];
    for layer in ["hidden1", "hidden2", "logits"] {
        for parameter in ["weight", "bias"] {
            expected.push(Box::leak(format!("{layer}.{parameter}").into_boxed_str()));
            for slot in ["m", "v"] {
                expected.push(Box::leak(format!("optimizer.{layer}.{parameter}.{slot}").into_boxed_str()));
            }
        }
    }
    expected.sort_unstable();
    assert_eq!(names, expected);
    let state: serde_json::Value =
        serde_json::from_str(header["__metadata__"]["backprop.checkpoint"].as_str().unwrap()).unwrap();
    assert_eq!(state["epoch"], 2);
    assert_eq!(state["optimizer"]["counters"]["steps"], 2 * 30_usize.div_ceil(32));

    // The weights of a checkpoint load as a network.
    assert_eq!(Spiral::load(&path).unwrap(), net);
    std::fs::remove_dir_all(path.parent().unwrap()).ok();
}

/// Writes a checkpoint of `Spiral` trained 2 epochs by Adam (η = 0.01, batch 16, seed 5).
fn adam_checkpoint(path: &Path) -> (Array2<f32>, Vec<usize>) {
    let (x, labels) = spiral(20);
    let mut net = Spiral::with_seed(1);
    let mut trainer = Trainer::new(Adam::new(0.01).unwrap())
        .epochs(2)
        .batch_size(16)
        .seed(5)
        .progress(Progress::Off)
        .checkpoint(path, 1);
    trainer.fit(&mut net, x.view(), &labels).unwrap();
    (x, labels)
}

/// The problem of an [`Error::Safetensors`].
fn problem(error: impl Into<Error>) -> SafetensorsProblem {
    match error.into() {
        Error::Safetensors { problem, .. } => problem,
        other => panic!("expected Error::Safetensors, got {other:?}"),
    }
}

#[test]
fn resuming_with_another_network_optimiser_setup_or_data_is_an_error_that_changes_nothing() {
    let dir = folder("mismatch");
    let path = dir.join("run.safetensors");
    let (x, labels) = adam_checkpoint(&path);
    let adam =
        || Trainer::new(Adam::new(0.01).unwrap()).epochs(4).batch_size(16).seed(5).progress(Progress::Off);

    // Another network: the file's layers are not this network's.
    let mut other = Other::with_seed(2);
    let before = other.clone();
    let error = adam().resume(&path, &mut other, x.view(), &labels).unwrap_err();
    println!("{error}");
    assert!(matches!(problem(error), SafetensorsProblem::Metadata { what: "layers", ref file, ref network }
            if file.contains("`hidden2` 24→16 Relu") && network.contains("`hidden1` 2→8 Tanh")),);
    assert_eq!(other, before);

    let mut net = Spiral::with_seed(7);
    let before = net.clone();
    let mismatch = |error: FitError<f32>| match problem(error) {
        SafetensorsProblem::CheckpointMismatch { what, checkpoint, trainer } => (what, checkpoint, trainer),
        other => panic!("expected a mismatch, got {other:?}"),
    };

    // Another optimiser.
    let mut sgd = Trainer::new(Sgd::new(0.01).unwrap().with_momentum(0.9).unwrap())
        .epochs(4)
        .batch_size(16)
        .seed(5)
        .progress(Progress::Off);
    let error = sgd.resume(&path, &mut net, x.view(), &labels).unwrap_err();
    println!("{error}");
    let (what, checkpoint, trainer) = mismatch(error);
    assert_eq!(what, "the optimiser");
    assert!(checkpoint.contains("Adam(β₁ = 0.9, β₂ = 0.999"), "{checkpoint}");
    assert!(trainer.contains("Sgd(momentum μ = 0.9)"), "{trainer}");
    assert_eq!(sgd.optimizer().momentum(), 0.9);
    assert_eq!(net, before);

    // Other options of the same optimiser.
    let mut betas = Trainer::new(Adam::new(0.01).unwrap().with_betas(0.8, 0.999).unwrap())
        .epochs(4)
        .batch_size(16)
        .seed(5)
        .progress(Progress::Off);
    assert_eq!(mismatch(betas.resume(&path, &mut net, x.view(), &labels).unwrap_err()).0, "the optimiser");
    assert_eq!(betas.optimizer().steps(), 0, "the optimiser's state is unchanged");

    // Another initial rate, batch size, seed.
    let mut rate =
        Trainer::new(Adam::new(0.02).unwrap()).epochs(4).batch_size(16).seed(5).progress(Progress::Off);
    assert_eq!(
        mismatch(rate.resume(&path, &mut net, x.view(), &labels).unwrap_err()).0,
        "the initial learning rate"
    );
    let error = adam().batch_size(8).resume(&path, &mut net, x.view(), &labels).unwrap_err();
    let (what, checkpoint, trainer) = mismatch(error);
    assert_eq!((what, checkpoint.as_str(), trainer.as_str()), ("the batch size", "16", "8"));
    assert_eq!(
        mismatch(adam().seed(6).resume(&path, &mut net, x.view(), &labels).unwrap_err()).0,
        "the seed"
    );

    // Other data: as many samples, one label changed; or fewer samples.
    let mut changed = labels.clone();
    changed[0] = 2;
    let error = adam().resume(&path, &mut net, x.view(), &changed).unwrap_err();
    println!("{error}");
    assert_eq!(mismatch(error).0, "training data whose fingerprint is");
    let error =
        adam().resume(&path, &mut net, x.slice_axis(Axis(0), Slice::from(..50)), &labels[..50]).unwrap_err();
    assert_eq!(mismatch(error).0, "a number of training samples of");

    // Early stopping that the first run did not have.
    let error = adam().validation(x.view(), &labels).early_stopping(3, 0.0).resume(
        &path,
        &mut net,
        x.view(),
        &labels,
    );
    assert_eq!(mismatch(error.unwrap_err()).0, "the validation set");
    assert_eq!(net, before, "no error changed the network");

    // A file of weights is not a checkpoint; a missing file is an I/O error.
    let weights = dir.join("weights.safetensors");
    Spiral::with_seed(1).save(&weights).unwrap();
    let error = adam().resume(&weights, &mut net, x.view(), &labels).unwrap_err();
    println!("{error}");
    assert_eq!(problem(error), SafetensorsProblem::NotACheckpoint);
    let error = adam().resume(dir.join("none.safetensors"), &mut net, x.view(), &labels).unwrap_err().error;
    assert!(matches!(error, Error::Io { kind: std::io::ErrorKind::NotFound, .. }), "{error:?}");
    assert_eq!(net, before);

    // The right trainer resumes.
    let history = adam().resume(&path, &mut net, x.view(), &labels).unwrap();
    assert_eq!(history.epochs.len(), 4);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn resuming_a_finished_run_trains_no_further_and_more_epochs_train_longer() {
    let dir = folder("finished");
    let path = dir.join("run.safetensors");
    let (x, labels) = adam_checkpoint(&path);
    let trainer = |epochs| {
        Trainer::new(Adam::new(0.01).unwrap()).epochs(epochs).batch_size(16).seed(5).progress(Progress::Off)
    };
    let mut net = Spiral::with_seed(1);
    let history = trainer(2).resume(&path, &mut net, x.view(), &labels).unwrap();
    assert_eq!(history.epochs.len(), 2);
    assert_eq!(net, Spiral::load(&path).unwrap());
    let history = trainer(3).resume(&path, &mut net, x.view(), &labels).unwrap();
    assert_eq!(history.epochs.iter().map(|e| e.epoch).collect::<Vec<_>>(), [1, 2, 3]);
    std::fs::remove_dir_all(&dir).ok();
}

/// The environment variable that makes [`child_trains_with_checkpoints`] train: the path of
/// the checkpoint to write.
const CHILD: &str = "BACKPROP_CHECKPOINT_CHILD";
/// Epochs of the killed run and of the reference it is compared with.
const KILL_EPOCHS: usize = 24;

/// The trainer of the kill test: Adam on a step schedule.
fn kill_trainer() -> Trainer<'static, f32, Adam<f32>> {
    Trainer::new(Adam::new(0.01).unwrap())
        .epochs(KILL_EPOCHS)
        .batch_size(32)
        .seed(11)
        .schedule(StepDecay::new(10, 0.5).unwrap())
        .training_accuracy(false)
        .progress(Progress::Off)
}

/// Run by the kill test in a child process: trains with a checkpoint after every epoch until
/// it is killed. Does nothing in a normal test run.
#[test]
fn child_trains_with_checkpoints() {
    let Some(path) = std::env::var_os(CHILD) else { return };
    let (x, labels) = spiral(20);
    let mut net = Spiral::with_seed(4);
    kill_trainer().checkpoint(path, 1).fit(&mut net, x.view(), &labels).unwrap();
}

#[test]
fn a_process_killed_while_writing_checkpoints_leaves_one_that_resumes_bit_for_bit() {
    let (x, labels) = spiral(20);
    let dir = folder("kill");
    let mut reference = Spiral::with_seed(4);
    let expected = kill_trainer().fit(&mut reference, x.view(), &labels).unwrap();

    let exe = std::env::current_exe().unwrap();
    let path = dir.join("run.safetensors");
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let (mut resumed, mut partials) = (0, 0);
    const KILLS: usize = 200;
    for kill in 0..KILLS {
        std::fs::remove_file(&path).ok();
        let mut child = spawn_child(&exe, "child_trains_with_checkpoints", CHILD, &path);
        // Once the first checkpoint is there, the child goes on training and writing one after
        // every epoch; it is killed 0–20 ms later (xorshift64), at a random point of that.
        wait_for_first_checkpoint(&mut child, &path, &format!("kill {kill}"));
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        std::thread::sleep(Duration::from_micros(rng % 20_000));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        partials += usize::from(partial_files(&dir) > 0);

        let mut net = Spiral::with_seed(0);
        let history = kill_trainer()
            .resume(&path, &mut net, x.view(), &labels)
            .unwrap_or_else(|e| panic!("kill {kill}: the checkpoint left does not resume: {e}"));
        assert_eq!(without_times(&history), without_times(&expected), "kill {kill}");
        assert_eq!(bits(&net), bits(&reference), "kill {kill}");
        resumed += 1;
    }
    println!(
        "{KILLS} kills: {resumed} left a checkpoint that resumed bit for bit; {partials} were killed while writing (a .partial file was left)"
    );
    assert_eq!(resumed, KILLS);
    std::fs::remove_dir_all(&dir).ok();
}

/// How many temporary files, written before they are renamed over the checkpoint
/// (`run.safetensors.<pid>-<random>.partial`), are in `dir`: a killed writer's, which the next
/// writer of the path removes.
fn partial_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension() == Some("partial".as_ref()))
        .count()
}

#[test]
fn a_checkpoint_interval_of_zero_and_an_unwritable_path_are_errors() {
    let (x, labels) = spiral(5);
    let mut net = Spiral::with_seed(1);
    let error = Trainer::new(Sgd::new(0.1).unwrap())
        .progress(Progress::Off)
        .checkpoint("unused.safetensors", 0)
        .fit(&mut net, x.view(), &labels)
        .unwrap_err()
        .error;
    assert!(
        matches!(error, Error::InvalidOption { what: "the number of epochs between checkpoints", .. }),
        "{error:?}"
    );
    assert_eq!(net, Spiral::with_seed(1), "an invalid option is found before the first step");

    let path = std::env::temp_dir().join("backprop-no-such-folder").join("run.safetensors");
    let error = Trainer::new(Sgd::new(0.1).unwrap())
        .epochs(1)
        .progress(Progress::Off)
        .checkpoint(&path, 1)
        .fit(&mut net, x.view(), &labels)
        .unwrap_err()
        .error;
    println!("{error}");
    assert!(
        matches!(&error, Error::Io { path: p, kind: std::io::ErrorKind::NotFound, .. } if p.starts_with(path.parent().unwrap())),
        "{error:?}"
    );
}

#[test]
fn a_checkpoint_path_that_cannot_be_written_fails_before_the_first_epoch() {
    let (x, labels) = spiral(5);
    let dir = folder("unwritable");
    std::fs::write(dir.join("a-file"), b"kept").unwrap();
    std::fs::create_dir_all(dir.join("a-folder.safetensors")).unwrap();
    let cases = [
        ("a missing folder", dir.join("missing").join("run.safetensors"), std::io::ErrorKind::NotFound),
        ("a file as folder", dir.join("a-file").join("run.safetensors"), std::io::ErrorKind::NotADirectory),
        ("a folder as the file", dir.join("a-folder.safetensors"), std::io::ErrorKind::IsADirectory),
    ];
    for (case, path, expected) in cases {
        for resume in [false, true] {
            let mut net = Spiral::with_seed(1);
            let mut trainer =
                Trainer::new(Sgd::new(0.1).unwrap()).epochs(3).progress(Progress::Off).checkpoint(&path, 1);
            let failure = if resume {
                trainer.resume(&path, &mut net, x.view(), &labels)
            } else {
                trainer.fit(&mut net, x.view(), &labels)
            }
            .unwrap_err();
            println!("{case}: {failure}");
            assert!(
                matches!(&failure.error, Error::Io { kind, .. } if *kind == expected),
                "{case}, resume {resume}: {:?}",
                failure.error
            );
            assert!(failure.history.epochs.is_empty(), "{case}, resume {resume}: an epoch was trained");
            assert_eq!(net, Spiral::with_seed(1), "{case}, resume {resume}: the network changed");
        }
    }
    assert_eq!(std::fs::read(dir.join("a-file")).unwrap(), b"kept");
    assert!(std::fs::read_dir(dir.join("a-folder.safetensors")).unwrap().next().is_none());
}

/// What the second writer of [`SecondWriter`] got: the second trainer's `fit`, then `save`.
type SecondOutcome = Option<(Result<History<f32>, FitError<f32>>, Result<(), Error>)>;

/// A schedule that, once the first trainer's checkpoint exists (so the first trainer is in its
/// epochs, its checkpoint file its own), runs a second trainer and a `save` to the same path,
/// and keeps what they returned.
#[derive(Debug)]
struct SecondWriter {
    path: PathBuf,
    outcome: std::sync::Arc<std::sync::Mutex<SecondOutcome>>,
}

impl Schedule<f32> for SecondWriter {
    fn rate(&self, initial: f32, _epoch: usize) -> f32 {
        let mut outcome = self.outcome.lock().unwrap();
        if outcome.is_none() && self.path.exists() {
            let (x, labels) = spiral(5);
            let mut net = Spiral::with_seed(9);
            let fit = Trainer::new(Sgd::new(0.1).unwrap())
                .epochs(2)
                .progress(Progress::Off)
                .checkpoint(&self.path, 1)
                .fit(&mut net, x.view(), &labels);
            *outcome = Some((fit, Spiral::with_seed(9).save(&self.path)));
        }
        initial
    }
}

#[test]
fn a_second_trainer_checkpointing_to_the_same_path_is_refused_before_training() {
    let (x, labels) = spiral(5);
    let dir = folder("second_writer");
    let path = dir.join("run.safetensors");
    let outcome = std::sync::Arc::default();
    let mut net = Spiral::with_seed(2);
    let history = Trainer::new(Sgd::new(0.1).unwrap())
        .epochs(3)
        .progress(Progress::Off)
        .schedule(SecondWriter { path: path.clone(), outcome: std::sync::Arc::clone(&outcome) })
        .checkpoint(&path, 1)
        .fit(&mut net, x.view(), &labels)
        .unwrap();
    assert_eq!(history.epochs.len(), 3);
    let (fit, save) = outcome.lock().unwrap().take().expect("the second writer ran");
    let failure = fit.unwrap_err();
    println!("the second trainer: {failure}");
    assert_held_by_another_writer(&failure, "the second trainer");
    let save = save.unwrap_err();
    assert!(matches!(&save, Error::Io { kind: std::io::ErrorKind::WouldBlock, .. }), "{save:?}");
    // The checkpoint is the first trainer's last, and once it has finished the path is free.
    assert_eq!(Spiral::load(&path).unwrap(), net);
    Spiral::with_seed(9).save(&path).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["run.safetensors"]);
}

#[test]
fn a_network_that_holds_nan_stops_training_before_any_checkpoint_is_written() {
    let (x, labels) = spiral(5);
    let dir = folder("nan");
    let path = dir.join("run.safetensors");
    let mut net = Spiral::with_seed(3);
    net.hidden2.weight[[0, 0]] = f32::NAN;
    let failure = Trainer::new(Sgd::new(0.1).unwrap())
        .epochs(2)
        .progress(Progress::Off)
        .checkpoint(&path, 1)
        .fit(&mut net, x.view(), &labels)
        .unwrap_err();
    assert!(
        matches!(&failure.error, Error::Training { epoch: 1, batch: 1, source, .. }
            if matches!(**source, Error::NonFiniteParameter { layer: "hidden2", .. })),
        "{:?}",
        failure.error
    );
    assert!(!path.exists(), "a checkpoint of a network that holds NaN was written");
}

/// The environment variable that makes [`child_holds_a_checkpoint_path`] train: the path of the
/// checkpoint to write.
const HOLDER: &str = "BACKPROP_CHECKPOINT_HOLDER";

/// Run by the two-process test in a child process: trains for (practically) ever with a
/// checkpoint after every epoch, until it is killed. Does nothing in a normal test run.
#[test]
fn child_holds_a_checkpoint_path() {
    let Some(path) = std::env::var_os(HOLDER) else { return };
    let (x, labels) = spiral(5);
    let mut net = Spiral::with_seed(5);
    let _ = Trainer::new(Sgd::new(0.01).unwrap())
        .epochs(1 << 30)
        .training_accuracy(false)
        .progress(Progress::Off)
        .checkpoint(path, 1)
        .fit(&mut net, x.view(), &labels);
}

#[test]
fn a_trainer_of_another_process_holds_its_checkpoint_path_until_it_ends() {
    let (x, labels) = spiral(5);
    let dir = folder("another_process");
    let path = dir.join("run.safetensors");
    std::fs::remove_file(&path).ok();
    let exe = std::env::current_exe().unwrap();
    let mut child = spawn_child(&exe, "child_holds_a_checkpoint_path", HOLDER, &path);
    wait_for_first_checkpoint(&mut child, &path, "the holder");
    // The child is in its epochs: its trainer holds the path.
    let mut net = Spiral::with_seed(6);
    let failure = Trainer::new(Sgd::new(0.1).unwrap())
        .epochs(2)
        .progress(Progress::Off)
        .checkpoint(&path, 1)
        .fit(&mut net, x.view(), &labels)
        .unwrap_err();
    let still_training = child.try_wait().unwrap().is_none();
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(still_training, "the child ended");
    println!("{failure}");
    assert_held_by_another_writer(&failure, "this process");
    assert_eq!(net, Spiral::with_seed(6));
    // The lock died with the child: the checkpoint it left is whole, and the path is free.
    Spiral::load(&path).unwrap();
    Trainer::new(Sgd::new(0.1).unwrap())
        .epochs(2)
        .progress(Progress::Off)
        .checkpoint(&path, 1)
        .fit(&mut net, x.view(), &labels)
        .unwrap();
    assert_eq!(Spiral::load(&path).unwrap(), net);
    std::fs::remove_dir_all(&dir).ok();
}

// ---------------------------------------------------------------------------------------------
// Checkpoints that cannot lie: a digest of the content, and checks of what a digest cannot
// vouch for (someone who edits a file can recompute it).

network! {
    /// `Spiral` declared in f64: the same layers, another float type.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Spiral64<f64> {
        input: 2,
        hidden1: 24 => Tanh,
        hidden2: 16 => Relu,
        logits: 3,
        cost: SoftmaxCrossEntropy,
    }
}

/// The `__metadata__` key of a checkpoint's digest.
const DIGEST_KEY: &str = "backprop.digest";

/// A safetensors file taken apart: its header as JSON and its data.
struct Parts {
    header: serde_json::Value,
    data: Vec<u8>,
}

impl Parts {
    fn read(path: &Path) -> Parts {
        let bytes = std::fs::read(path).unwrap();
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        Parts { header: serde_json::from_slice(&bytes[8..8 + n]).unwrap(), data: bytes[8 + n..].to_vec() }
    }

    /// Edits the training state, the JSON under `backprop.checkpoint`.
    fn state(&mut self, edit: impl FnOnce(&mut serde_json::Value)) {
        let metadata = &mut self.header["__metadata__"];
        let mut state: serde_json::Value =
            serde_json::from_str(metadata["backprop.checkpoint"].as_str().unwrap()).unwrap();
        edit(&mut state);
        metadata["backprop.checkpoint"] = state.to_string().into();
    }

    /// Sets value `index` (row-major) of the F32 tensor `name`.
    fn set_f32(&mut self, name: &str, index: usize, value: f32) {
        let entry = &self.header[name];
        assert_eq!(entry["dtype"], "F32");
        let start = entry["data_offsets"][0].as_u64().unwrap() as usize + 4 * index;
        self.data[start..start + 4].copy_from_slice(&value.to_le_bytes());
    }

    /// The digest of the content as the library defines it (`backprop::io::DIGEST_KEY`),
    /// computed here independently: SHA-256 of the metadata entries but the digest, in the order
    /// of their keys, then the tensors in the order of their names, each string and byte string
    /// preceded by its length as a little-endian u64.
    fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        let mut put = |bytes: &[u8]| {
            hash.update((bytes.len() as u64).to_le_bytes());
            hash.update(bytes);
        };
        put(b"backprop.digest/1");
        let metadata = self.header["__metadata__"].as_object().unwrap();
        let mut keys: Vec<&String> = metadata.keys().filter(|k| *k != DIGEST_KEY).collect();
        keys.sort();
        put(&(keys.len() as u64).to_le_bytes());
        for key in keys {
            put(key.as_bytes());
            put(metadata[key].as_str().unwrap().as_bytes());
        }
        let tensors = self.header.as_object().unwrap();
        let mut names: Vec<&String> = tensors.keys().filter(|k| *k != "__metadata__").collect();
        names.sort();
        put(&(names.len() as u64).to_le_bytes());
        for name in names {
            let entry = &tensors[name];
            put(name.as_bytes());
            put(entry["dtype"].as_str().unwrap().as_bytes());
            let shape: Vec<u8> = entry["shape"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|d| d.as_u64().unwrap().to_le_bytes())
                .collect();
            put(&shape);
            let (start, end) =
                (entry["data_offsets"][0].as_u64().unwrap(), entry["data_offsets"][1].as_u64().unwrap());
            put(&self.data[start as usize..end as usize]);
        }
        let digest = hash.finalize();
        format!("sha256:{}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>())
    }

    /// Writes the file to `path` with its digest recomputed, as someone who knows the format
    /// would forge it.
    fn forge(mut self, path: &Path) {
        let digest = self.digest();
        self.header["__metadata__"][DIGEST_KEY] = digest.into();
        self.write(path);
    }

    /// Writes the file to `path` as it is, digest included.
    fn write(&self, path: &Path) {
        let mut header = self.header.to_string();
        while header.len() % 8 != 0 {
            header.push(' ');
        }
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(&self.data);
        std::fs::write(path, bytes).unwrap();
    }
}

/// The trainer [`adam_checkpoint`] wrote with, for `epochs` epochs.
fn adam_trainer<'v>(epochs: usize) -> Trainer<'v, f32, Adam<f32>> {
    Trainer::new(Adam::new(0.01).unwrap()).epochs(epochs).batch_size(16).seed(5).progress(Progress::Off)
}

/// Resumes the checkpoint at `path` with [`adam_trainer`] for 4 epochs into a network, and
/// checks that an error leaves it unchanged.
fn resume_adam(path: &Path, x: &Array2<f32>, labels: &[usize]) -> Result<History<f32>, SafetensorsProblem> {
    let mut net = Spiral::with_seed(7);
    let result = adam_trainer(4).resume(path, &mut net, x.view(), labels).map_err(problem);
    if result.is_err() {
        assert_eq!(net, Spiral::with_seed(7), "an error changes nothing");
    }
    result
}

#[test]
fn a_forged_checkpoint_that_changes_nothing_resumes() {
    // The forging helper of these tests computes the digest as the library does: a file it
    // rewrites without an edit resumes, so the refusals below are the checks', not a digest
    // that the helper got wrong.
    let dir = folder("forge-nothing");
    let path = dir.join("run.safetensors");
    let (x, labels) = adam_checkpoint(&path);
    let parts = Parts::read(&path);
    assert_eq!(parts.header["__metadata__"][DIGEST_KEY].as_str(), Some(parts.digest().as_str()));
    let forged = dir.join("forged.safetensors");
    Parts::read(&path).forge(&forged);
    let expected = resume_adam(&path, &x, &labels).unwrap();
    let history = resume_adam(&forged, &x, &labels).unwrap();
    assert_eq!(without_times(&history), without_times(&expected));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_checkpoint_changed_after_it_was_written_is_refused_as_changed_or_damaged() {
    let dir = folder("digest");
    let path = dir.join("run.safetensors");
    let (x, labels) = adam_checkpoint(&path);
    let edited = dir.join("edited.safetensors");
    let digest_error = |problem: SafetensorsProblem| match problem {
        SafetensorsProblem::Digest { recorded, computed } => {
            assert_ne!(recorded, computed);
            println!("{}", SafetensorsProblem::Digest { recorded, computed });
        }
        other => panic!("expected a digest error, got {other:?}"),
    };

    // One bit of a weight (its lowest mantissa bit: still a finite number close to the old).
    let mut parts = Parts::read(&path);
    let offset = parts.header["hidden1.weight"]["data_offsets"][0].as_u64().unwrap() as usize;
    parts.data[offset] ^= 1;
    parts.write(&edited);
    digest_error(resume_adam(&edited, &x, &labels).unwrap_err());

    // A value of the metadata: the training loss of the first epoch in the history.
    let mut parts = Parts::read(&path);
    parts.state(|state| state["history"]["epochs"][0]["train_loss"] = 0.5.into());
    parts.write(&edited);
    digest_error(resume_adam(&edited, &x, &labels).unwrap_err());

    // Another metadata entry: one added.
    let mut parts = Parts::read(&path);
    parts.header["__metadata__"]["note"] = "added".into();
    parts.write(&edited);
    digest_error(resume_adam(&edited, &x, &labels).unwrap_err());

    // The digest itself.
    let mut parts = Parts::read(&path);
    parts.header["__metadata__"][DIGEST_KEY] = format!("sha256:{}", "0".repeat(64)).into();
    parts.write(&edited);
    digest_error(resume_adam(&edited, &x, &labels).unwrap_err());

    // Weights loaded from a damaged checkpoint are refused too.
    let mut parts = Parts::read(&path);
    parts.data[offset] ^= 1;
    parts.write(&edited);
    digest_error(problem(Spiral::load(&edited).unwrap_err()));
    std::fs::remove_dir_all(&dir).ok();
}

/// The problem of resuming the checkpoint of [`adam_checkpoint`] after `edit`, its digest
/// recomputed.
fn forged(name: &str, edit: impl FnOnce(&mut Parts)) -> SafetensorsProblem {
    let dir = folder(name);
    let path = dir.join("run.safetensors");
    let (x, labels) = adam_checkpoint(&path);
    let mut parts = Parts::read(&path);
    edit(&mut parts);
    parts.forge(&path);
    let problem = resume_adam(&path, &x, &labels).expect_err(name);
    println!("{name}: {problem}");
    std::fs::remove_dir_all(&dir).ok();
    problem
}

/// Whether `problem` is an inconsistent checkpoint whose `what` contains `about`.
fn inconsistent(problem: &SafetensorsProblem, about: &str) -> bool {
    matches!(problem, SafetensorsProblem::Inconsistent { what, .. } if what.contains(about))
}

#[test]
fn an_adam_step_count_other_than_the_steps_taken_is_refused() {
    // 2 epochs of 60 samples in batches of 16: 8 steps.
    for steps in [0, 1, 9, 1 << 31, u64::MAX] {
        let problem = forged(&format!("steps-{steps}"), |parts| {
            parts.state(|state| {
                assert_eq!(state["optimizer"]["counters"]["steps"], 8);
                state["optimizer"]["counters"]["steps"] = steps.into();
            });
        });
        assert!(inconsistent(&problem, "step count"), "steps = {steps}: {problem:?}");
    }
}

#[test]
fn an_optimiser_state_without_its_tensors_is_refused() {
    let problem = forged("tensors-0", |parts| parts.state(|state| state["optimizer"]["tensors"] = 0.into()));
    assert!(inconsistent(&problem, "optimiser"), "{problem:?}");
}

#[test]
fn a_negative_adam_second_moment_is_refused() {
    let dir = folder("v-negative");
    let path = dir.join("run.safetensors");
    let (x, labels) = adam_checkpoint(&path);
    let mut parts = Parts::read(&path);
    parts.set_f32("optimizer.hidden2.weight.v", 5, -1.0);
    parts.forge(&path);
    let mut net = Spiral::with_seed(7);
    let error = adam_trainer(4).resume(&path, &mut net, x.view(), &labels).unwrap_err().error;
    println!("{error}");
    assert!(
        matches!(&error, Error::InvalidOption { what: "the optimiser's state", found, .. }
            if found.contains("-1") && found.contains("v")),
        "{error:?}"
    );
    assert_eq!(net, Spiral::with_seed(7));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_stopped_run_without_early_stopping_is_refused() {
    let problem = forged("stopped", |parts| parts.state(|state| state["stopped"] = true.into()));
    assert!(inconsistent(&problem, "stopped"), "{problem:?}");
}

#[test]
fn a_run_that_early_stopping_ended_resumes_to_the_same_history() {
    // A min_delta no loss can beat: epoch 1 is the best, epoch 2 ends the run (patience 1).
    let dir = folder("early-stopped");
    let path = dir.join("run.safetensors");
    let (x, labels) = spiral(20);
    let trainer =
        || adam_trainer(6).validation(x.view(), &labels).early_stopping(1, 1000.0).checkpoint(&path, 1);
    let mut net = Spiral::with_seed(1);
    let first = trainer().fit(&mut net, x.view(), &labels).unwrap();
    assert_eq!((first.epochs.len(), first.stopped_early, first.best_epoch), (2, true, Some(1)));
    let mut resumed = Spiral::with_seed(9);
    let history = trainer().resume(&path, &mut resumed, x.view(), &labels).unwrap();
    assert_eq!(without_times(&history), without_times(&first));
    assert_eq!(resumed, net, "the weights of the best epoch, as the run that stopped returned");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_f32_checkpoint_into_the_same_network_in_f64_is_refused() {
    // A learning rate exact in both types, so that only the float type differs.
    let dir = folder("float");
    let path = dir.join("run.safetensors");
    let (x, labels) = spiral(20);
    let trainer32 = Trainer::new(Adam::new(0.015625_f32).unwrap()).epochs(2).batch_size(16).seed(5);
    trainer32
        .progress(Progress::Off)
        .checkpoint(&path, 1)
        .fit(&mut Spiral::with_seed(1), x.view(), &labels)
        .unwrap();
    let x64 = x.mapv(f64::from);
    let mut net = Spiral64::with_seed(7);
    let mut trainer64 = Trainer::new(Adam::new(0.015625_f64).unwrap())
        .epochs(4)
        .batch_size(16)
        .seed(5)
        .progress(Progress::Off);
    let error = trainer64.resume(&path, &mut net, x64.view(), &labels).unwrap_err().error;
    println!("{error}");
    assert!(
        matches!(&error, Error::Safetensors { problem: SafetensorsProblem::CheckpointMismatch { what: "the float type", checkpoint, trainer }, .. }
            if checkpoint == "f32" && trainer == "f64"),
        "{error:?}"
    );
    assert_eq!(net, Spiral64::with_seed(7));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn resuming_for_fewer_epochs_than_the_checkpoint_holds_is_refused() {
    let dir = folder("fewer");
    let path = dir.join("run.safetensors");
    let (x, labels) = adam_checkpoint(&path);
    let mut net = Spiral::with_seed(7);
    let error = adam_trainer(1).resume(&path, &mut net, x.view(), &labels).unwrap_err();
    println!("{}", error.error);
    assert!(
        matches!(problem(error), SafetensorsProblem::CheckpointMismatch { what: "a number of epochs done of", ref checkpoint, ref trainer }
            if checkpoint == "2" && trainer.contains("epochs(1)")),
    );
    assert_eq!(net, Spiral::with_seed(7));
    std::fs::remove_dir_all(&dir).ok();
}

/// A checkpoint written before checkpoints had a digest: [`adam_checkpoint`]'s (2 epochs of
/// Adam), written by this file's `adam_checkpoint` with the library at commit c7d5072.
const OLD_CHECKPOINT: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/checkpoint/no-digest.safetensors");

#[test]
fn a_checkpoint_written_before_digests_is_refused_and_its_weights_still_load() {
    let (x, labels) = spiral(20);
    let problem = resume_adam(Path::new(OLD_CHECKPOINT), &x, &labels).unwrap_err();
    println!("{problem}");
    assert!(
        matches!(&problem, SafetensorsProblem::NoDigest { version } if version == "0.1.0"),
        "{problem:?}"
    );
    assert!(problem.to_string().contains("older version"), "{problem}");
    // Its weights are those of the run that wrote it.
    let path = folder("old").join("run.safetensors");
    adam_checkpoint(&path);
    assert_eq!(Spiral::load(OLD_CHECKPOINT).unwrap(), Spiral::load(&path).unwrap());
    std::fs::remove_dir_all(path.parent().unwrap()).ok();
}

#[test]
fn a_checkpoint_of_an_optimiser_used_before_fit_resumes_bit_for_bit() {
    // The step count checked on resume counts the steps taken before the run too: a trainer
    // that trained once, then again with checkpoints, writes checkpoints that resume.
    let dir = folder("used-before");
    let path = dir.join("run.safetensors");
    let (x, labels) = spiral(20);
    let mut straight = Spiral::with_seed(1);
    let mut trainer = adam_trainer(1);
    trainer.fit(&mut straight, x.view(), &labels).unwrap();
    let expected = trainer.epochs(3).fit(&mut straight, x.view(), &labels).unwrap();

    let mut first = Spiral::with_seed(1);
    let mut trainer = adam_trainer(1);
    trainer.fit(&mut first, x.view(), &labels).unwrap();
    trainer.epochs(2).checkpoint(&path, 1).fit(&mut first, x.view(), &labels).unwrap();
    let state = std::fs::read(&path).unwrap();
    assert!(String::from_utf8_lossy(&state).contains(r#"\"steps\":12"#), "4 steps before, 8 in the run");

    let mut resumed = Spiral::with_seed(9);
    let history = adam_trainer(3).resume(&path, &mut resumed, x.view(), &labels).unwrap();
    assert_eq!(without_times(&history), without_times(&expected));
    assert_eq!(bits(&resumed), bits(&straight));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_checkpoint_with_a_tensor_it_does_not_use_is_refused() {
    for name in ["optimizer.hidden1.weight.w", "best.hidden1.weight"] {
        let problem = forged(&format!("extra-{name}"), |parts| {
            let end = parts.data.len() as u64;
            parts.header[name] =
                serde_json::json!({ "dtype": "F32", "shape": [1], "data_offsets": [end, end + 4] });
            parts.data.extend_from_slice(&1.0_f32.to_le_bytes());
        });
        assert!(
            matches!(&problem, SafetensorsProblem::UnexpectedTensors { unexpected, .. } if unexpected == &[name]),
            "{name}: {problem:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The `on_epoch` hook with checkpoints, `resume_or_fit`, and resuming without surprises: a
// schedule that would give the epochs done other rates, and a checkpoint that is not there.

/// `adam_trainer(epochs)` with a validation set, for the tests of the hook.
fn watched_trainer<'v>(
    epochs: usize,
    x: &'v Array2<f32>,
    labels: &'v [usize],
) -> Trainer<'v, f32, Adam<f32>> {
    adam_trainer(epochs).validation(x.view(), labels)
}

#[test]
fn a_run_the_hook_stopped_leaves_a_checkpoint_of_its_weights_and_resumes_bit_for_bit() {
    let dir = folder("hook-stop");
    let path = dir.join("run.safetensors");
    let (x, labels) = spiral(20);
    let mut straight = Spiral::with_seed(2);
    let expected = watched_trainer(7, &x, &labels).fit(&mut straight, x.view(), &labels).unwrap();

    // Checkpoints every 2 epochs; the hook stops after epoch 3, when none is due.
    let mut stopped = Spiral::with_seed(2);
    let history = watched_trainer(7, &x, &labels)
        .checkpoint(&path, 2)
        .on_epoch(
            |e, _: &Spiral| if e.epoch == 3 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) },
        )
        .fit(&mut stopped, x.view(), &labels)
        .unwrap();
    assert_eq!((history.epochs.len(), history.stopped_by), (3, Some(StopReason::Hook)));
    assert_eq!(Spiral::load(&path).unwrap(), stopped, "the checkpoint holds the weights returned");
    let state = Parts::read(&path);
    let state: serde_json::Value =
        serde_json::from_str(state.header["__metadata__"]["backprop.checkpoint"].as_str().unwrap()).unwrap();
    assert_eq!(state["epoch"], 3);
    assert_eq!(state["history"]["stopped_by"], "hook");

    // Resuming goes on to epoch 7 (the hook's stop ended the call, not the run): the bits and
    // the history of the run that never stopped.
    let mut calls = Vec::new();
    let mut resumed = Spiral::with_seed(9);
    let history = watched_trainer(7, &x, &labels)
        .checkpoint(&path, 2)
        .on_epoch(|e, _: &Spiral| {
            calls.push(e.epoch);
            ControlFlow::Continue(())
        })
        .resume(&path, &mut resumed, x.view(), &labels)
        .unwrap();
    assert_eq!(calls, [4, 5, 6, 7], "the hook sees the epochs this call trains");
    assert_eq!(without_times(&history), without_times(&expected));
    assert_eq!((history.stopped_early, history.stopped_by), (false, None));
    assert_eq!(bits(&resumed), bits(&straight));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn resume_or_fit_starts_without_a_checkpoint_and_resumes_with_one() {
    let dir = folder("resume-or-fit");
    let path = dir.join("run.safetensors");
    let (x, labels) = spiral(20);
    let mut straight = Spiral::with_seed(2);
    let expected = adam_trainer(4).fit(&mut straight, x.view(), &labels).unwrap();

    // No checkpoint: it trains from the network's weights, as `fit` does, and writes one.
    let mut net = Spiral::with_seed(2);
    let stop_at_2 = |e: &backprop::train::Epoch<f32>, _: &Spiral| {
        if e.epoch == 2 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    };
    let first = adam_trainer(4)
        .checkpoint(&path, 1)
        .on_epoch(stop_at_2)
        .resume_or_fit(&path, &mut net, x.view(), &labels)
        .unwrap();
    assert_eq!(first.epochs.len(), 2);
    assert_eq!(without_times(&first).epochs, without_times(&expected).epochs[..2]);
    assert!(path.exists());

    // The same call again, as a program started again would make it: it resumes.
    let mut again = Spiral::with_seed(9);
    let history =
        adam_trainer(4).checkpoint(&path, 1).resume_or_fit(&path, &mut again, x.view(), &labels).unwrap();
    assert_eq!(without_times(&history), without_times(&expected));
    assert_eq!(bits(&again), bits(&straight));

    // A file that is not a checkpoint is not trained over.
    let weights = dir.join("weights.safetensors");
    Spiral::with_seed(1).save(&weights).unwrap();
    let mut net = Spiral::with_seed(3);
    let error = adam_trainer(4).resume_or_fit(&weights, &mut net, x.view(), &labels).unwrap_err();
    assert_eq!(problem(error), SafetensorsProblem::NotACheckpoint);
    assert_eq!(net, Spiral::with_seed(3));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn resuming_without_a_checkpoint_names_the_path_and_how_to_start() {
    let (x, labels) = spiral(5);
    let path = folder("missing").join("none.safetensors");
    let mut net = Spiral::with_seed(1);
    let failure = adam_trainer(2).resume(&path, &mut net, x.view(), &labels).unwrap_err();
    println!("{failure}");
    let Error::Io { path: named, kind: std::io::ErrorKind::NotFound, message } = &failure.error else {
        panic!("expected a NotFound I/O error, got {:?}", failure.error)
    };
    assert_eq!(named, &path);
    assert!(message.contains("no checkpoint"), "{message}");
    assert!(message.contains("`fit`") && message.contains("`resume_or_fit`"), "{message}");
    assert!(failure.to_string().starts_with(&path.display().to_string()), "{failure}");
    assert_eq!(net, Spiral::with_seed(1));
    std::fs::remove_dir_all(path.parent().unwrap()).ok();
}

/// Cosine annealing from η₀ = 0.01 to 10⁻⁴ over `total` epochs, at `epoch` (from 0), computed
/// here in f64 from the formula.
fn cosine_rate(total: usize, epoch: usize) -> f64 {
    1e-4 + (0.01 - 1e-4) * (1.0 + (std::f64::consts::PI * epoch as f64 / total as f64).cos()) / 2.0
}

#[test]
fn a_resume_whose_schedule_rewrites_the_epochs_done_is_an_error_unless_allowed() {
    let dir = folder("schedule-change");
    let path = dir.join("run.safetensors");
    let (x, labels) = spiral(20);
    let cosine = |total| adam_trainer(total).schedule(Cosine::new(total, 1e-4).unwrap());
    let mut first = Spiral::with_seed(2);
    cosine(3).checkpoint(&path, 1).fit(&mut first, x.view(), &labels).unwrap();

    // Three more epochs, and the cosine's total follows them: epoch 1 has η₀ either way,
    // epoch 2 does not.
    let mut net = Spiral::with_seed(7);
    let error = cosine(6).resume(&path, &mut net, x.view(), &labels).unwrap_err();
    println!("{error}");
    let SafetensorsProblem::ScheduleChanged { epoch, checkpoint, trainer } = problem(error) else {
        panic!("expected a schedule change")
    };
    assert_eq!(epoch, 2);
    let rate = |text: &str| text.split(' ').next().unwrap().parse::<f64>().unwrap();
    let (then, now) = (rate(&checkpoint), rate(&trainer));
    assert!((then - cosine_rate(3, 1)).abs() < 1e-8, "{then}, expected about 0.007525");
    assert!((now - cosine_rate(6, 1)).abs() < 1e-8, "{now}, expected about 0.0093368");
    assert!(checkpoint.contains("(schedule Cosine { total: 3,"), "{checkpoint}");
    assert!(trainer.contains("(schedule Cosine { total: 6,"), "{trainer}");
    assert_eq!(net, Spiral::with_seed(7), "an error changes nothing");

    // Allowed: the epochs done keep their rates, the next ones get the new schedule's.
    let history = cosine(6).allow_schedule_change(true).resume(&path, &mut net, x.view(), &labels).unwrap();
    let rates: Vec<f64> = history.epochs.iter().map(|e| f64::from(e.learning_rate)).collect();
    for (e, rate) in rates.iter().enumerate() {
        let total = if e < 3 { 3 } else { 6 };
        assert!((rate - cosine_rate(total, e)).abs() < 1e-8, "epoch {}: {rates:?}", e + 1);
    }

    // A schedule changed only for the epochs to come needs no permission: a step decay whose
    // first step comes after the checkpoint gives the epochs done η₀, as the constant rate did.
    let path = dir.join("constant.safetensors");
    adam_trainer(3).checkpoint(&path, 1).fit(&mut Spiral::with_seed(2), x.view(), &labels).unwrap();
    let history = adam_trainer(6)
        .schedule(StepDecay::new(4, 0.5).unwrap())
        .resume(&path, &mut net, x.view(), &labels)
        .unwrap();
    assert_eq!(history.epochs[5].learning_rate, 0.005);
    std::fs::remove_dir_all(&dir).ok();
}

//! The trainer: it lowers the loss, is reproducible bit for bit from its seed, stops early,
//! reports its history as CSV and SVG, and rejects bad options with typed errors. Every test
//! trains for at most a few hundred small steps. A failed fit returns its history and the epoch
//! and batch of the failure, and a trainer moves to another thread.

#![allow(clippy::unwrap_used, clippy::panic)]

use backprop::ndarray::{Array2, ArrayView2, array};
use backprop::prelude::*;
use backprop::train::{CSV_HEADER, Progress, StopReason, confusion_matrix, evaluate, predict_classes};
use backprop::{Error, History};

use crate::times::without_times;

network! {
    /// Two inputs, eight tanh units, two classes.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Blobs<f64> {
        input: 2,
        hidden: 8 => Tanh,
        logits: 2,
        cost: SoftmaxCrossEntropy,
    }
}

network! {
    /// Linear regression on two inputs.
    pub struct Line<f64> { input: 2, out: 1, cost: Mse }
}

type TestResult = Result<(), Error>;

#[path = "support/split_mix.rs"]
mod split_mix;

use split_mix::SplitMix;

impl SplitMix {
    /// A standard normal draw (Box–Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-300), self.next());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// `n` samples of two Gaussian blobs, σ = 0.5, centred on (−1, −1) (class 0) and (1, 1)
/// (class 1), alternating: separable but for a few samples in the tails.
fn blobs(n: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut rng = SplitMix(seed);
    let labels: Vec<usize> = (0..n).map(|i| i % 2).collect();
    let x = Array2::from_shape_fn((n, 2), |(i, _)| {
        let centre = if labels[i] == 1 { 1.0 } else { -1.0 };
        centre + 0.5 * rng.normal()
    });
    (x, labels)
}

fn bits(net: &impl Network<f64>) -> Vec<u64> {
    let mut out = Vec::new();
    net.visit_parameters(&mut |p| out.extend(p.weight.iter().chain(p.bias.iter()).map(|v| v.to_bits())));
    out
}

fn train_blobs(seed: u64) -> Result<(Blobs, History<f64>), Error> {
    let (x, labels) = blobs(96, 1);
    let mut net = Blobs::with_seed(3);
    let optimizer = Sgd::new(0.1)?.with_momentum(0.9)?;
    let mut trainer = Trainer::new(optimizer).epochs(4).batch_size(10).seed(seed).progress(Progress::Off);
    let history = trainer.fit(&mut net, x.view(), &labels)?;
    Ok((net, history))
}

#[test]
fn training_lowers_the_loss_and_separates_two_blobs() -> TestResult {
    let (x, labels) = blobs(200, 1);
    let (x_val, labels_val) = blobs(100, 2);
    let mut net = Blobs::with_seed(3);
    let before = evaluate(&net, x_val.view(), &labels_val)?;
    let mut trainer = Trainer::new(Adam::new(0.02)?)
        .epochs(8)
        .batch_size(16)
        .seed(7)
        .schedule(Cosine::new(8, 0.001)?)
        .validation(x_val.view(), &labels_val)
        .progress(Progress::Off);
    let history = trainer.fit(&mut net, x.view(), &labels)?;

    assert_eq!(history.epochs.len(), 8);
    assert!(!history.stopped_early);
    let (first, last) = (&history.epochs[0], &history.epochs[7]);
    assert!(last.train_loss < 0.5 * first.train_loss, "{} → {}", first.train_loss, last.train_loss);
    let after = evaluate(&net, x_val.view(), &labels_val)?;
    assert!(after.loss < 0.5 * before.loss, "{} → {}", before.loss, after.loss);
    assert!(after.accuracy.unwrap_or(0.0) > 0.95, "{after:?}");
    assert_eq!(last.validation_loss, Some(after.loss), "the history measures the final weights");
    assert_eq!(last.validation_accuracy, after.accuracy);
    assert!(last.train_accuracy.unwrap_or(0.0) > 0.95);
    // The cosine schedule set each epoch's rate from Adam's initial 0.02.
    assert_eq!(first.learning_rate, 0.02);
    assert!((history.epochs[4].learning_rate - Cosine::new(8, 0.001)?.rate(0.02, 4)).abs() < 1e-18);
    assert_eq!(trainer.optimizer().learning_rate(), last.learning_rate);
    assert!(history.epochs.iter().all(|e| e.samples_per_second > 0.0 && e.seconds >= 0.0));
    Ok(())
}

#[test]
fn the_same_seed_gives_bit_identical_weights_and_another_seed_does_not() -> TestResult {
    let (a, history_a) = train_blobs(11)?;
    let (b, history_b) = train_blobs(11)?;
    let (c, _) = train_blobs(12)?;
    assert_eq!(bits(&a), bits(&b));
    let losses = |h: &History<f64>| h.epochs.iter().map(|e| e.train_loss.to_bits()).collect::<Vec<_>>();
    assert_eq!(losses(&history_a), losses(&history_b));
    assert_ne!(bits(&a), bits(&c), "the seed changes the order of the batches");
    Ok(())
}

#[test]
fn full_batch_training_is_gradient_descent_on_the_whole_set() -> TestResult {
    // A batch larger than the data set: each epoch is one step on all samples (in a shuffled
    // order, which changes only the order of the sums).
    let (x, labels) = blobs(12, 4);
    let mut trained = Blobs::with_seed(5);
    Trainer::new(Sgd::new(0.3)?).epochs(3).batch_size(100).progress(Progress::Off).fit(
        &mut trained,
        x.view(),
        &labels,
    )?;
    let mut manual = Blobs::with_seed(5);
    let mut sgd = Sgd::new(0.3)?;
    for _ in 0..3 {
        let (_, g) = manual.backward(x.view(), &labels)?;
        sgd.step(&mut manual, &g)?;
    }
    let close = |a: &Array2<f64>, b: &Array2<f64>| a.iter().zip(b).all(|(a, b)| (a - b).abs() < 1e-13);
    assert!(close(&trained.hidden.weight, &manual.hidden.weight));
    assert!(close(&trained.logits.weight, &manual.logits.weight));
    Ok(())
}

#[test]
fn the_last_partial_batch_is_trained_on() -> TestResult {
    // 7 samples in batches of 3: batches of 3, 3 and 1. With one sample per batch of 1 the
    // mean cost of the epoch weighs every sample once: the epoch's loss is the mean over 7.
    let x = array![[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [2.0, 0.0], [0.0, 2.0], [1.0, 2.0], [2.0, 1.0]];
    let y =
        x.map_axis(backprop::ndarray::Axis(1), |r| r[0] - 2.0 * r[1]).insert_axis(backprop::ndarray::Axis(1));
    let mut net = Line::with_seed(1);
    net.out.weight.fill(0.0);
    // A learning rate so small that the weights barely move: the epoch's loss is then the
    // initial cost of all 7 samples, which a dropped last batch would change.
    let initial = net.cost(x.view(), &y)?;
    let history = Trainer::new(Sgd::new(1e-12)?).epochs(1).batch_size(3).progress(Progress::Off).fit(
        &mut net,
        x.view(),
        &y,
    )?;
    assert!(
        (history.epochs[0].train_loss - initial).abs() < 1e-9,
        "{} vs {initial}",
        history.epochs[0].train_loss
    );
    assert_eq!(history.epochs[0].train_accuracy, None, "Mse does not classify");
    Ok(())
}

network! {
    /// `Blobs` in single precision.
    pub struct Blobs32<f32> { input: 2, hidden: 8 => Tanh, logits: 2, cost: SoftmaxCrossEntropy }
}

#[test]
fn f32_networks_train_too() -> TestResult {
    let (x, labels) = blobs(64, 1);
    let x = x.mapv(|v| v as f32);
    let mut net = Blobs32::with_seed(3);
    let mut trainer = Trainer::new(AdamW::new(0.02, 0.01)?).epochs(4).batch_size(8).progress(Progress::Off);
    let history = trainer.fit(&mut net, x.view(), &labels)?;
    assert!(history.epochs[3].train_loss < history.epochs[0].train_loss);
    assert!(evaluate(&net, x.view(), &labels)?.accuracy > Some(0.9));
    Ok(())
}

#[test]
fn regression_targets_train_too() -> TestResult {
    let (x, _) = blobs(64, 6);
    let y = x
        .map_axis(backprop::ndarray::Axis(1), |r| 0.5 * r[0] - r[1] + 0.25)
        .insert_axis(backprop::ndarray::Axis(1));
    let mut net = Line::with_seed(2);
    let history = Trainer::new(Sgd::new(0.1)?).epochs(20).batch_size(8).progress(Progress::Off).fit(
        &mut net,
        x.view(),
        &y,
    )?;
    let (first, last) = (history.epochs[0].train_loss, net.cost(x.view(), &y)?);
    assert!(last < 1e-4 && last < first / 100.0, "{first} → {last}");
    assert!(history.epochs.iter().all(|e| e.train_accuracy.is_none() && e.validation_loss.is_none()));
    assert_eq!(history.best_epoch, None, "no validation set, no best epoch");
    Ok(())
}

#[test]
fn early_stopping_stops_and_restores_the_best_weights() -> TestResult {
    // The validation set has the training samples with their labels swapped: the better the
    // network learns, the worse it does there, so the first epoch stays the best.
    let (x, labels) = blobs(60, 3);
    let swapped: Vec<usize> = labels.iter().map(|l| 1 - l).collect();
    let mut net = Blobs::with_seed(4);
    let mut trainer = Trainer::new(Sgd::new(0.2)?)
        .epochs(50)
        .batch_size(6)
        .seed(9)
        .validation(x.view(), &swapped)
        .early_stopping(2, 0.0)
        .progress(Progress::Off);
    let history = trainer.fit(&mut net, x.view(), &labels)?;
    assert!(history.stopped_early);
    assert_eq!(history.stopped_by, Some(StopReason::EarlyStopping));
    assert_eq!(history.epochs.len(), 3, "epoch 1 is best, then 2 epochs without improvement");
    assert_eq!(history.best_epoch, Some(1));
    let losses: Vec<f64> = history.epochs.iter().filter_map(|e| e.validation_loss).collect();
    assert!(losses[1] > losses[0] && losses[2] > losses[0], "{losses:?}");

    // The network has the weights of the end of epoch 1: what one epoch with the same seed gives.
    let mut one_epoch = Blobs::with_seed(4);
    Trainer::new(Sgd::new(0.2)?).epochs(1).batch_size(6).seed(9).progress(Progress::Off).fit(
        &mut one_epoch,
        x.view(),
        &labels,
    )?;
    assert_eq!(bits(&net), bits(&one_epoch));
    Ok(())
}

/// A history of 3 epochs with every measurement, and the data it was trained on.
fn three_epochs_with_validation() -> Result<(Array2<f64>, History<f64>), Error> {
    let (x, labels) = blobs(40, 8);
    let mut net = Blobs::with_seed(1);
    let history = Trainer::new(Sgd::new(0.1)?)
        .epochs(3)
        .batch_size(8)
        .validation(x.view(), &labels)
        .progress(Progress::Off)
        .fit(&mut net, x.view(), &labels)?;
    Ok((x, history))
}

#[test]
fn history_as_csv_has_a_header_and_one_row_per_epoch() -> TestResult {
    let (x, history) = three_epochs_with_validation()?;
    let csv = history.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        CSV_HEADER,
        "epoch,learning_rate,train_loss,train_accuracy,validation_loss,validation_accuracy,seconds,samples_per_second"
    );
    // Then the diagnostics, four columns per layer; the tanh layers have no dead units to count.
    assert_eq!(
        lines[0],
        format!(
            "{CSV_HEADER},hidden.gradient_norm,hidden.weight_norm,hidden.update_ratio,hidden.dead_fraction,\
             logits.gradient_norm,logits.weight_norm,logits.update_ratio,logits.dead_fraction"
        )
    );
    for (i, line) in lines[1..].iter().enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 16, "{line}");
        assert_eq!(fields[0], (i + 1).to_string());
        assert_eq!(fields[1], "0.1");
        assert_eq!(fields[2].parse::<f64>().ok(), Some(history.epochs[i].train_loss), "round trip");
        assert_eq!(fields[8].parse::<f64>().ok(), Some(history.epochs[i].diagnostics[0].gradient_norm));
        let empty: Vec<usize> = (0..16).filter(|&f| fields[f].is_empty()).collect();
        assert_eq!(empty, [11, 15], "everything was measured but dead units of tanh layers: {line}");
    }

    let path = std::env::temp_dir().join(format!("backprop-history-{}.csv", std::process::id()));
    history.write_csv(&path)?;
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    assert_eq!(written, csv);

    // Unmeasured values are empty fields.
    let mut net = Line::with_seed(1);
    let y = Array2::zeros((40, 1));
    let history =
        Trainer::new(Sgd::new(0.1)?).epochs(1).progress(Progress::Off).fit(&mut net, x.view(), &y)?;
    let row = history.to_csv().lines().nth(1).map(str::to_owned).unwrap_or_default();
    let fields: Vec<&str> = row.split(',').collect();
    assert_eq!((fields[3], fields[4], fields[5]), ("", "", ""), "{row}");
    Ok(())
}

#[test]
fn an_unwritable_path_is_an_io_error() -> TestResult {
    let history: History<f64> = History {
        epochs: Vec::new(),
        best_epoch: None,
        stopped_early: false,
        stopped_by: None,
        warnings: Vec::new(),
    };
    let path = std::env::temp_dir().join("backprop-no-such-directory").join("h.csv");
    assert!(matches!(history.write_csv(&path), Err(Error::Io { .. })));
    Ok(())
}

#[cfg(feature = "plot")]
#[test]
fn history_plots_as_svg_with_its_text() -> TestResult {
    let (x, history) = three_epochs_with_validation()?;
    let path = std::env::temp_dir().join(format!("backprop-history-{}.svg", std::process::id()));
    history.plot_svg(&path)?;
    let svg = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);
    for text in ["loss per epoch", "accuracy per epoch", "\nepoch\n", "\ntraining\n", "\nvalidation\n"] {
        assert!(svg.contains(text), "the plot lacks {text:?}");
    }
    assert!(svg.matches("<polyline").count() >= 4, "two curves per panel");
    // The diagnostics' row: gradient norms and update ratios per layer; no ReLU-like layer, so
    // no panel of dead units.
    assert!(svg.contains("per layer (first batch)") && svg.contains("per layer (first step)"));
    assert!(!svg.contains("units that never fired"));

    // One epoch, no validation, no accuracy: one panel, still a valid plot.
    let mut line = Line::with_seed(1);
    let y = Array2::zeros((40, 1));
    let history =
        Trainer::new(Sgd::new(0.1)?).epochs(1).progress(Progress::Off).fit(&mut line, x.view(), &y)?;
    let svg = history.to_svg()?;
    assert!(svg.contains("loss per epoch") && !svg.contains("accuracy per epoch"));
    Ok(())
}

fn fit_with(
    trainer: Trainer<'_, f64, Sgd<f64>>,
    x: ArrayView2<'_, f64>,
    labels: &[usize],
) -> Result<History<f64>, Error> {
    let mut net = Blobs::with_seed(1);
    let mut trainer = trainer.progress(Progress::Off);
    let result = trainer.fit(&mut net, x, labels);
    assert_eq!(net, Blobs::with_seed(1), "a rejected fit changes nothing");
    if let Err(failure) = &result {
        assert!(failure.history.epochs.is_empty(), "found before the first epoch");
    }
    result.map_err(Error::from)
}

#[test]
fn bad_options_and_data_are_typed_errors() -> TestResult {
    let (x, labels) = blobs(20, 1);
    let sgd = || Sgd::new(0.1);
    let option = |r: Result<History<f64>, Error>, what: &str| {
        assert!(matches!(&r, Err(Error::InvalidOption { what: w, .. }) if *w == what), "{what}: {r:?}");
    };
    option(fit_with(Trainer::new(sgd()?).batch_size(0), x.view(), &labels), "the batch size");
    option(fit_with(Trainer::new(sgd()?).epochs(0), x.view(), &labels), "the number of epochs");
    option(fit_with(Trainer::new(sgd()?).early_stopping(3, 0.0), x.view(), &labels), "early stopping");
    let with_validation = || Ok::<_, Error>(Trainer::new(sgd()?).validation(x.view(), &labels));
    option(
        fit_with(with_validation()?.early_stopping(0, 0.0), x.view(), &labels),
        "the patience of early stopping",
    );
    option(
        fit_with(with_validation()?.early_stopping(2, f64::NAN), x.view(), &labels),
        "min_delta of early stopping",
    );

    let narrow = Array2::zeros((5, 3));
    let five = [0usize; 5];
    assert_eq!(
        fit_with(Trainer::new(sgd()?).validation(narrow.view(), &five), x.view(), &labels),
        Err(Error::InputWidth { expected: 2, found: 3 })
    );
    assert_eq!(
        fit_with(Trainer::new(sgd()?), x.view(), &labels[..19]),
        Err(Error::TargetCount { expected: 20, found: 19 })
    );
    let mut bad = labels.clone();
    bad[4] = 2;
    assert_eq!(
        fit_with(Trainer::new(sgd()?), x.view(), &bad),
        Err(Error::LabelOutOfRange { sample: 4, label: 2, classes: 2 })
    );
    assert_eq!(
        fit_with(Trainer::new(sgd()?), x.slice_axis(backprop::ndarray::Axis(0), (0..0).into()), &[]),
        Err(Error::EmptyBatch)
    );
    Ok(())
}

#[test]
fn evaluation_prediction_and_confusion_matrix() -> TestResult {
    // A linear classifier by hand: class 1 when x₀ > x₁ (z₁ − z₀ = 2(x₀ − x₁)).
    let mut net = Blobs::with_seed(1);
    net.hidden.weight = Array2::zeros((8, 2));
    net.hidden.weight[[0, 0]] = 1.0;
    net.hidden.weight[[0, 1]] = -1.0;
    net.logits.weight = Array2::zeros((2, 8));
    net.logits.weight[[1, 0]] = 2.0;
    let x = array![[1.0, 0.0], [0.0, 1.0], [2.0, 1.0], [0.0, 0.5], [0.5, 0.0]];
    assert_eq!(predict_classes(&net, x.view())?, vec![1, 0, 1, 0, 1]);

    let labels = [1, 0, 0, 0, 1];
    let metrics = evaluate(&net, x.view(), &labels)?;
    assert_eq!(metrics.accuracy, Some(0.8));
    assert!((metrics.loss - net.cost(x.view(), &labels)?).abs() < 1e-15);
    let one_hot = Array2::from_shape_fn((5, 2), |(i, j)| f64::from(u8::from(labels[i] == j)));
    assert_eq!(evaluate(&net, x.view(), &one_hot)?, metrics);

    let matrix = confusion_matrix(&net, x.view(), &labels)?;
    assert_eq!(
        (matrix.count(0, 0), matrix.count(0, 1), matrix.count(1, 0), matrix.count(1, 1)),
        (2, 1, 0, 2)
    );
    assert_eq!(matrix.total(), 5);
    assert_eq!(matrix.accuracy(), 0.8);
    assert_eq!(matrix.recall(0), 2.0 / 3.0);
    assert_eq!(matrix.precision(1), 2.0 / 3.0);
    let table = matrix.with_names(&["left", "right"])?.to_string();
    let expected = "\
actual ↓  predicted →
         left right  recall
left        2     1  0.6667
right       0     2  1.0000
accuracy 0.8000 (4 of 5)";
    assert_eq!(table, expected, "\n{table}");
    assert!(matches!(
        confusion_matrix(&net, x.view(), &labels)?.with_names(&["one"]),
        Err(Error::InvalidOption { .. })
    ));
    Ok(())
}

#[test]
fn an_epoch_prints_as_one_summary_line() -> TestResult {
    let (x, labels) = blobs(20, 1);
    let mut net = Blobs::with_seed(1);
    let history = Trainer::new(Sgd::new(0.1)?)
        .epochs(1)
        .validation(x.view(), &labels)
        .progress(Progress::Off)
        .fit(&mut net, x.view(), &labels)?;
    let line = history.epochs[0].to_string();
    assert!(line.starts_with("epoch 1  loss "), "{line}");
    for part in ["  accuracy ", "  validation loss ", "  lr 1.0e-1  ", " samples/s"] {
        assert!(line.contains(part), "{line} lacks {part:?}");
    }
    assert!(!line.contains('\n'));
    Ok(())
}

/// A regression that diverges: gradient descent with η = 10⁴ on a line, each step multiplying
/// the error by about 10⁴, until the cost or an update is no longer finite (in epoch 9 or so).
/// Inputs, targets, and a trainer for them.
type Setup<'v> = (Array2<f64>, Array2<f64>, Trainer<'v, f64, Sgd<f64>>);

fn diverging<'v>() -> Result<Setup<'v>, Error> {
    let (x, _) = blobs(64, 6);
    let y = x
        .map_axis(backprop::ndarray::Axis(1), |r| 0.5 * r[0] - r[1] + 0.25)
        .insert_axis(backprop::ndarray::Axis(1));
    let trainer = Trainer::new(Sgd::new(1e4)?).epochs(100).batch_size(8).seed(5).progress(Progress::Off);
    Ok((x, y, trainer))
}

#[test]
fn a_diverging_fit_says_in_which_epoch_and_batch() -> TestResult {
    let (x, y, mut trainer) = diverging()?;
    let mut net = Line::with_seed(2);
    let error = trainer.fit(&mut net, x.view(), &y).unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with("epoch ") && message.contains(", batch "), "{message}");
    Ok(())
}

#[test]
fn a_failed_fit_keeps_the_best_weights_of_early_stopping() -> TestResult {
    let (x, y, trainer) = diverging()?;
    let mut net = Line::with_seed(2);
    let mut trainer = trainer.validation(x.view(), &y).early_stopping(1000, 0.0);
    assert!(trainer.fit(&mut net, x.view(), &y).is_err());
    // The loss grows from the first step on, so epoch 1 is the best: the network has its weights.
    let mut one_epoch = Line::with_seed(2);
    let (_, _, trainer) = diverging()?;
    trainer.epochs(1).fit(&mut one_epoch, x.view(), &y)?;
    assert_eq!(bits(&net), bits(&one_epoch));
    Ok(())
}

/// A schedule that gives NaN from the third epoch on.
#[derive(Debug)]
struct BrokenSchedule;

impl Schedule<f64> for BrokenSchedule {
    fn rate(&self, initial: f64, epoch: usize) -> f64 {
        if epoch >= 2 { f64::NAN } else { initial }
    }
}

#[test]
fn a_schedule_that_gives_nan_is_found_before_the_first_step() -> TestResult {
    let (x, labels) = blobs(20, 1);
    let mut net = Blobs::with_seed(1);
    let mut trainer = Trainer::new(Sgd::new(0.1)?).epochs(5).schedule(BrokenSchedule).progress(Progress::Off);
    let error = trainer.fit(&mut net, x.view(), &labels).unwrap_err();
    assert_eq!(net, Blobs::with_seed(1), "no step was taken");
    assert!(error.to_string().contains("epoch 3"), "{error}");
    Ok(())
}

#[test]
fn a_failed_fit_returns_the_history_of_the_epochs_it_finished() -> TestResult {
    let (x, y, trainer) = diverging()?;
    let mut net = Line::with_seed(2);
    let mut trainer = trainer.validation(x.view(), &y).early_stopping(1000, 0.0);
    let failure = trainer.fit(&mut net, x.view(), &y).unwrap_err();
    let Error::Training { epoch, batch, .. } = &failure.error else {
        panic!("a training error, naming the step: {:?}", failure.error)
    };
    assert!(*epoch > 1 && *batch >= 1, "{}", failure.error);
    assert_eq!(failure.history.epochs.len(), epoch - 1, "every finished epoch");
    assert_eq!(failure.history.best_epoch, Some(1));
    assert_eq!(failure.to_string(), format!("{} ({} epochs finished)", failure.error, epoch - 1));
    // `?` turns the failure into the error, for functions that return `backprop::Error`.
    let error: Error = failure.into();
    assert!(matches!(error, Error::Training { .. }));
    Ok(())
}

#[test]
fn a_trainer_moves_to_another_thread() -> TestResult {
    fn send<T: Send>(t: T) -> T {
        t
    }
    let (x, labels) = blobs(40, 2);
    let trainer = send(Trainer::new(Adam::new(0.02)?).epochs(2).schedule(Cosine::new(2, 0.0)?));
    let history = std::thread::scope(|s| {
        s.spawn(move || {
            let mut trainer = trainer.progress(Progress::Off);
            let mut net = Blobs::with_seed(1);
            trainer.fit(&mut net, x.view(), &labels).map_err(Error::from)
        })
        .join()
    });
    assert_eq!(history.ok().and_then(Result::ok).map(|h| h.epochs.len()), Some(2));
    Ok(())
}

/// A trainer with every measurement and a schedule, for the hook's tests: Adam on a cosine
/// schedule over 6 epochs, watching `validation`.
fn watched<'v>(validation: &'v (Array2<f64>, Vec<usize>)) -> Result<Trainer<'v, f64, Adam<f64>>, Error> {
    Ok(Trainer::new(Adam::new(0.02)?)
        .epochs(6)
        .batch_size(10)
        .seed(4)
        .schedule(Cosine::new(6, 0.001)?)
        .validation(validation.0.view(), &validation.1)
        .progress(Progress::Off))
}

#[test]
fn a_hook_that_continues_leaves_every_bit_as_it_was() -> TestResult {
    let (x, labels) = blobs(80, 2);
    let validation = blobs(30, 3);
    let mut plain = Blobs::with_seed(6);
    let expected = watched(&validation)?.fit(&mut plain, x.view(), &labels)?;

    let mut seen = Vec::new();
    let mut hooked = Blobs::with_seed(6);
    let mut trainer = watched(&validation)?.on_epoch(|epoch, net: &Blobs| {
        seen.push((epoch.clone(), bits(net)));
        std::ops::ControlFlow::Continue(())
    });
    let history = trainer.fit(&mut hooked, x.view(), &labels)?;
    drop(trainer);

    assert_eq!(bits(&hooked), bits(&plain), "the weights");
    assert_eq!(without_times(&history), without_times(&expected), "the history");
    assert_eq!((history.stopped_early, history.stopped_by), (false, None));
    // The hook saw each epoch's record as the history has it, and the weights of its end.
    assert_eq!(seen.len(), 6);
    for ((record, _), kept) in seen.iter().zip(&history.epochs) {
        assert_eq!(record, kept);
    }
    assert_eq!(seen[5].1, bits(&hooked));
    assert_ne!(seen[4].1, seen[5].1, "each epoch's own weights");
    Ok(())
}

#[test]
fn a_hook_that_breaks_stops_after_that_epoch_and_says_so() -> TestResult {
    let (x, labels) = blobs(80, 2);
    let validation = blobs(30, 3);
    let mut calls = 0;
    let mut net = Blobs::with_seed(6);
    let mut trainer = watched(&validation)?.on_epoch(|epoch, _: &Blobs| {
        calls += 1;
        if epoch.epoch == 3 { std::ops::ControlFlow::Break(()) } else { std::ops::ControlFlow::Continue(()) }
    });
    let history = trainer.fit(&mut net, x.view(), &labels)?;
    drop(trainer);
    assert_eq!(calls, 3, "no call after the break");
    assert_eq!(history.epochs.len(), 3);
    assert!(history.stopped_early);
    assert_eq!(history.stopped_by, Some(StopReason::Hook));

    // The weights of the end of epoch 3 of the same run (the schedule still that of 6 epochs).
    let mut six = Blobs::with_seed(6);
    let mut at_three = Vec::new();
    watched(&validation)?
        .on_epoch(|epoch, net: &Blobs| {
            if epoch.epoch == 3 {
                at_three = bits(net);
            }
            std::ops::ControlFlow::Continue(())
        })
        .fit(&mut six, x.view(), &labels)?;
    assert_eq!(bits(&net), at_three);

    // A break after the last epoch stops nothing early.
    let mut net = Blobs::with_seed(6);
    let history = watched(&validation)?
        .on_epoch(|_, _: &Blobs| std::ops::ControlFlow::Break(()))
        .epochs(1)
        .fit(&mut net, x.view(), &labels)?;
    assert_eq!((history.epochs.len(), history.stopped_early, history.stopped_by), (1, false, None));
    Ok(())
}

#[test]
fn a_hook_that_stops_a_run_with_early_stopping_leaves_the_best_weights() -> TestResult {
    // As in the early-stopping test: the labels swapped in the validation set make epoch 1 the
    // best; a patience of 100 would never stop, the hook stops after epoch 4.
    let (x, labels) = blobs(60, 3);
    let swapped: Vec<usize> = labels.iter().map(|l| 1 - l).collect();
    let trainer = || {
        Ok::<_, Error>(Trainer::new(Sgd::new(0.2)?).epochs(50).batch_size(6).seed(9).progress(Progress::Off))
    };
    let mut net = Blobs::with_seed(4);
    let history = trainer()?
        .validation(x.view(), &swapped)
        .early_stopping(100, 0.0)
        .on_epoch(|epoch, _: &Blobs| {
            if epoch.epoch == 4 {
                std::ops::ControlFlow::Break(())
            } else {
                std::ops::ControlFlow::Continue(())
            }
        })
        .fit(&mut net, x.view(), &labels)?;
    assert_eq!((history.epochs.len(), history.best_epoch), (4, Some(1)));
    assert_eq!((history.stopped_early, history.stopped_by), (true, Some(StopReason::Hook)));
    let mut one_epoch = Blobs::with_seed(4);
    trainer()?.epochs(1).fit(&mut one_epoch, x.view(), &labels)?;
    assert_eq!(bits(&net), bits(&one_epoch), "the weights of the best epoch, 1");
    Ok(())
}

//! Classifies Fashion-MNIST with a 784-256-128-10 ReLU network declared with `network!`, trained
//! by Adam with a cosine schedule on 90 % of the training images and watched on the other 10 %;
//! then prints the test accuracy, a confusion matrix and the training speed, writes the
//! learning curves to `target/fashion_mnist.svg` and `target/fashion_mnist.csv`, and saves the
//! trained network to `target/fashion_mnist.safetensors`, which the `predict` example loads
//! (and PyTorch can read).
//!
//! Run it with `cargo run --release --example fashion_mnist` (an argument sets the number of
//! epochs: `-- 3`). It writes a checkpoint after every epoch to
//! `target/fashion_mnist.checkpoint.safetensors`; `-- --resume` (or `-- 20 --resume` for a run
//! of 20) continues an interrupted run from it, with the same result as if it had not stopped
//! (with more epochs than the run had, the cosine schedule would give the epochs done other
//! rates, which `resume` refuses and names). It reads the full
//! data set from the folder named by `BACKPROP_FASHION_MNIST` or from Debian's package
//! `dataset-fashion-mnist`, and otherwise the subset bundled with the library;
//! `BACKPROP_FASHION_MNIST=bundled` picks the subset even where the full set is.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use backprop::data::fashion_mnist;
use backprop::prelude::*;
use backprop::train::{Progress, confusion_matrix, evaluate};

#[path = "shared/fashion.rs"]
mod fashion;

use fashion::Fashion;

/// Passes over the training images, unless the first argument says otherwise.
const EPOCHS: usize = 15;
/// Adam's step size η at the start of the cosine schedule, which lowers it to 0 at the end.
const LEARNING_RATE: f32 = 1e-3;
/// Samples per step.
const BATCH_SIZE: usize = 64;
/// The seed of the weights, the validation split and the order of the batches: the same seed
/// gives the same numbers on every run.
const SEED: u64 = 1;

/// Runs the example and prints an error as its message, not as a debug dump.
fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let (mut epochs, mut resume) = (EPOCHS, false);
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--resume" => resume = true,
            _ => {
                epochs = arg.parse().map_err(|_| {
                    format!("the arguments are the number of epochs and `--resume`, not `{arg}`")
                })?
            }
        }
    }
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&target)?;
    let checkpoint = target.join("fashion_mnist.checkpoint.safetensors");

    let data = fashion_mnist::load::<f32>()?; // pixels scaled to [0, 1]
    println!("{} training and {} test images from {}", data.train.len(), data.test.len(), data.source);
    if data.source.is_bundled() {
        println!("({})", fashion_mnist::HOW_TO_GET_FULL);
    }
    let (train, validation) = data.train.split(0.1, SEED)?;

    let mut net = Fashion::with_seed(SEED);
    let layers: Vec<String> =
        Fashion::LAYERS.iter().map(|l| format!("{}: {} {}", l.name, l.outputs, l.activation)).collect();
    let parameters: usize = Fashion::LAYERS.iter().map(|l| (l.inputs + 1) * l.outputs).sum();
    println!("network: {} inputs → {} ({parameters} parameters)", Fashion::INPUT, layers.join(" → "));
    println!(
        "training on {} images, validating on {}: Adam, η = {LEARNING_RATE:e} on a cosine schedule, \
         batches of {BATCH_SIZE}, {epochs} epochs",
        train.len(),
        validation.len()
    );

    // A bar on a terminal; one line per epoch in a log.
    let progress = if std::io::stderr().is_terminal() { Progress::Auto } else { Progress::Lines };
    let mut trainer = Trainer::new(Adam::new(LEARNING_RATE)?)
        .epochs(epochs)
        .batch_size(BATCH_SIZE)
        .seed(SEED)
        .schedule(Cosine::new(epochs, 0.0)?)
        .validation(validation.x.view(), &validation.labels)
        .progress(progress)
        .checkpoint(&checkpoint, 1);
    let history = if resume {
        println!("resuming from {}", checkpoint.display());
        trainer.resume(&checkpoint, &mut net, train.x.view(), &train.labels)?
    } else {
        trainer.fit(&mut net, train.x.view(), &train.labels)?
    };

    let test = evaluate(&net, data.test.x.view(), &data.test.labels)?;
    let confusion = confusion_matrix(&net, data.test.x.view(), &data.test.labels)?;
    println!("\n{}\n", confusion.with_names(&data.test.classes)?);
    let accuracy = test.accuracy.unwrap_or_default();
    println!("test accuracy {accuracy:.4} (loss {:.4}) after {} epochs", test.loss, history.epochs.len());
    let speed =
        history.epochs.iter().map(|e| e.samples_per_second).sum::<f64>() / history.epochs.len() as f64;
    println!("training: {speed:.0} samples/s; wall time {:.1} s", start.elapsed().as_secs_f64());

    let (svg, csv) = (target.join("fashion_mnist.svg"), target.join("fashion_mnist.csv"));
    history.plot_svg(&svg)?;
    history.write_csv(&csv)?;
    println!("learning curves: {} and {}", svg.display(), csv.display());

    let model = target.join("fashion_mnist.safetensors");
    let saving = Instant::now();
    net.save(&model)?;
    let saved = saving.elapsed();
    let loading = Instant::now();
    let loaded = Fashion::load(&model)?;
    let loaded_in = loading.elapsed();
    if loaded.forward(data.test.x.view())? != net.forward(data.test.x.view())? {
        return Err("the saved network predicts differently from the trained one".into());
    }
    println!(
        "model: {} ({} bytes; saved in {:.1} ms, loaded in {:.1} ms); `cargo run --release --example predict` uses it",
        model.display(),
        std::fs::metadata(&model)?.len(),
        saved.as_secs_f64() * 1e3,
        loaded_in.as_secs_f64() * 1e3
    );
    Ok(())
}

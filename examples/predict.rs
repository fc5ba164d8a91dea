//! Loads the network that the `fashion_mnist` example trained and saved, and classifies test
//! images with it: the three most likely classes of a few images, with their probabilities,
//! and the accuracy on the whole test set.
//!
//! Run `cargo run --release --example fashion_mnist` first, which writes
//! `target/fashion_mnist.safetensors`; then `cargo run --release --example predict`. A path
//! as the argument loads another file with the same layers, for example one written by
//! PyTorch (`safetensors.torch.save_file(model.state_dict(), path)` for a module whose
//! `nn.Linear` attributes are `hidden1`, `hidden2` and `logits`).

use std::path::{Path, PathBuf};

use backprop::data::fashion_mnist;
use backprop::prelude::*;

#[path = "shared/fashion.rs"]
mod fashion;

use fashion::Fashion;

/// How many test images to show.
const SHOWN: usize = 5;

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
    let path = match std::env::args_os().nth(1) {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("fashion_mnist.safetensors"),
    };
    if !path.exists() {
        return Err(format!(
            "{} does not exist: run `cargo run --release --example fashion_mnist` first, which trains the network and saves it there",
            path.display()
        )
        .into());
    }
    let net = Fashion::load(&path)?;
    println!("loaded {} from {}", Fashion::NAME, path.display());

    let data = fashion_mnist::load::<f32>()?;
    let test = &data.test;
    let names = &test.classes;
    let shown = SHOWN.min(test.len());

    // Probabilities: softmax of the logits, as the network's cost (softmax cross-entropy) says.
    let probabilities = net.predict(test.x.slice_axis(backprop::ndarray::Axis(0), (..shown).into()))?;
    for (i, p) in probabilities.rows().into_iter().enumerate() {
        let mut ranked: Vec<(usize, f32)> = p.iter().copied().enumerate().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let top: Vec<String> =
            ranked.iter().take(3).map(|&(class, p)| format!("{} {:.1} %", names[class], 100.0 * p)).collect();
        println!("test image {i} ({}): {}", names[test.labels[i]], top.join(", "));
    }

    // One image without building a matrix: the sizes are the network's own, checked at compile
    // time.
    let pixels: &[f32; 784] =
        test.x.row(0).to_slice().and_then(|row| row.try_into().ok()).ok_or("a row of 784 pixels")?;
    let p: [f32; 10] = net.predict_one(pixels)?;
    println!("predict_one on test image 0: {} with {:.1} %", names[argmax(&p)], 100.0 * p[argmax(&p)]);

    let classes = net.classify(test.x.view())?;
    let correct = classes.iter().zip(&test.labels).filter(|(a, b)| a == b).count();
    println!(
        "accuracy on the {} test images: {:.4} ({correct} of {})",
        test.len(),
        correct as f64 / test.len() as f64,
        test.len()
    );
    Ok(())
}

/// The index of the largest value (the first on ties).
fn argmax(values: &[f32]) -> usize {
    values.iter().enumerate().fold(0, |best, (i, &v)| if v > values[best] { i } else { best })
}

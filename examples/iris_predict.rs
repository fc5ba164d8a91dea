//! Loads the network that the `iris` example trained, with the standardisation of its inputs,
//! and classifies a few flowers measured in centimetres: the model standardises them itself,
//! with the mean and standard deviation of the training flowers saved in its file.
//!
//! Run `cargo run --release --example iris` first, which writes `target/iris.safetensors`; then
//! `cargo run --release --example iris_predict`. A path as the argument loads another file.

use std::path::PathBuf;

use backprop::data::iris::CLASSES;
use backprop::ndarray::array;
use backprop::{Network, Standardized};

#[path = "shared/iris.rs"]
mod shared;

use shared::{Iris, model_path};

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
    let path = std::env::args_os().nth(1).map_or_else(model_path, PathBuf::from);
    if !path.exists() {
        return Err(format!(
            "{} does not exist: run `cargo run --release --example iris` first, which trains the network and saves it there",
            path.display()
        )
        .into());
    }
    let model = Standardized::<Iris, f64>::load(&path)?;
    println!("loaded {} and its input standardisation from {}", Iris::NAME, path.display());
    let means: Vec<String> = model.standardizer().mean().iter().map(|m| format!("{m:.2}")).collect();
    println!("means of the training flowers: {} cm", means.join(", "));

    // Sepal length, sepal width, petal length, petal width, in centimetres, as measured.
    let flowers =
        array![[5.0, 3.6, 1.3, 0.3], [6.1, 2.8, 4.2, 1.3], [7.0, 3.1, 6.0, 2.2], [6.3, 2.7, 5.0, 1.7]];
    let species = model.classify(flowers.view())?;
    let probabilities = model.predict(flowers.view())?;
    for ((flower, class), p) in flowers.rows().into_iter().zip(&species).zip(probabilities.rows()) {
        let p: Vec<String> = p.iter().zip(CLASSES).map(|(p, name)| format!("{name} {p:.3}")).collect();
        let size = format!(
            "sepal {:.1} × {:.1} cm, petal {:.1} × {:.1} cm",
            flower[0], flower[1], flower[2], flower[3]
        );
        println!("{size}: {:<10} ({})", CLASSES[*class], p.join(", "));
    }

    // One flower as an array, as the network's generated `predict_one` takes it.
    let p: [f64; 3] = model.predict_one(&[5.9, 3.0, 5.1, 1.8])?;
    println!("sepal 5.9 × 3.0 cm, petal 5.1 × 1.8 cm: virginica with probability {:.3}", p[2]);
    Ok(())
}

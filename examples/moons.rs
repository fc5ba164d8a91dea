//! Binary classification: two interleaving half circles ("two moons"), generated here, told
//! apart by a 2-16-16-1 tanh network with one output under binary cross-entropy. The labels,
//! 0 and 1, are the output's targets; the network says 1 where its logit z is above 0, that is
//! where the probability s(z) it predicts is above ½. Prints the test accuracy and a confusion
//! matrix.
//!
//! Run it with `cargo run --release --example moons`.

use backprop::ndarray::{Array2, ArrayView2};
use backprop::prelude::*;
use backprop::train::{Progress, confusion_matrix, evaluate};

network! {
    /// A point of the plane in, the logit of "upper moon" out.
    pub struct Moons<f64> {
        input: 2,
        hidden1: 16 => Tanh,
        hidden2: 16 => Tanh,
        out: 1,
        cost: BinaryCrossEntropy,
    }
}

/// `n` points of two moons with Gaussian noise of standard deviation `noise`: the upper half
/// circle of radius 1 around (0, 0) is class 0, the lower one around (1, 0.5) class 1, as
/// scikit-learn's `make_moons` draws them; the points alternate between the two.
fn moons(n: usize, noise: f64, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut state = seed;
    // SplitMix64 for uniform draws, Box–Muller for normal ones.
    let mut uniform = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut x = Array2::zeros((n, 2));
    let mut labels = Vec::with_capacity(n);
    for (i, mut point) in x.rows_mut().into_iter().enumerate() {
        let class = i % 2;
        let t = std::f64::consts::PI * uniform();
        let (px, py) = if class == 0 { (t.cos(), t.sin()) } else { (1.0 - t.cos(), 0.5 - t.sin()) };
        let mut normal = || {
            let (u, v) = (uniform().max(1e-300), uniform());
            (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
        };
        point[0] = px + noise * normal();
        point[1] = py + noise * normal();
        labels.push(class);
    }
    (x, labels)
}

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
    let (x, labels) = moons(1000, 0.1, 1);
    let (test_x, test_labels) = moons(500, 0.1, 2);
    let mut net = Moons::with_seed(0);
    let mut trainer = Trainer::new(Adam::new(0.01)?).epochs(40).batch_size(32).progress(Progress::Off);
    let history = trainer.fit(&mut net, x.view(), &labels)?;
    if let Some(last) = history.last() {
        println!("training: {last}");
    }
    let metrics = evaluate(&net, test_x.view(), &test_labels)?;
    println!("test accuracy {:.4} (loss {:.4})\n", metrics.accuracy.unwrap_or_default(), metrics.loss);
    println!("{}", confusion_matrix(&net, test_x.view(), &test_labels)?.with_names(&["upper", "lower"])?);
    let points: ArrayView2<'_, f64> = test_x.view();
    let p: [f64; 1] = net.predict_one(&[points[[0, 0]], points[[0, 1]]])?;
    println!(
        "\nthe first test point, ({:.2}, {:.2}), is lower with probability {:.3}",
        points[[0, 0]],
        points[[0, 1]],
        p[0]
    );
    Ok(())
}

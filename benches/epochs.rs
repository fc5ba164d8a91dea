//! Epochs of the `fmnist-epoch` workload of `benches/training.rs`, with or without the trainer's
//! diagnostics, and nothing else: a program for a tool that counts the work a run does rather
//! than its time, which the load of a shared machine does not change. With valgrind installed:
//!
//! ```sh
//! CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="valgrind --tool=callgrind --callgrind-out-file=target/plain.4" \
//!     cargo bench --bench epochs -- plain 4
//! ```
//!
//! then the same with `diagnosed 4` and `plain 0` (loading the data only), and compare the
//! instructions per epoch, `(Ir(4) − Ir(0)) / 4`. `BENCHMARKS.md` has the figures.

use backprop::data::fashion_mnist;
use backprop::prelude::*;
use backprop::train::Progress;

network! {
    /// The `fmnist` workload's network.
    pub struct Fmnist<f32> { input: 784, hidden1: 128 => Relu, hidden2: 64 => Relu, logits: 10, cost: SoftmaxCrossEntropy }
}

fn main() -> Result<(), backprop::Error> {
    // `cargo bench` adds `--bench`; the positional arguments are the mode and the epochs.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let (Some(mode), Some(epochs)) = (args.first(), args.get(1).and_then(|e| e.parse::<usize>().ok())) else {
        eprintln!("usage: epochs plain|diagnosed <epochs>");
        return Ok(());
    };
    let (train, _) = fashion_mnist::load_dir::<f32>(fashion_mnist::bundled_dir())?;
    let mut net = Fmnist::with_seed(1);
    // As in `benches/training.rs`: SGD at the steps' small rate, batches of 64, one epoch per
    // call of `fit`, no training accuracy.
    let mut trainer = Trainer::new(Sgd::new(1e-4)?)
        .epochs(1)
        .batch_size(64)
        .training_accuracy(false)
        .diagnostics(mode == "diagnosed")
        .progress(Progress::Off);
    for _ in 0..epochs {
        trainer.fit(&mut net, train.x.view(), &train.labels)?;
    }
    Ok(())
}

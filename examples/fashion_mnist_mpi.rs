//! The `fashion_mnist` example's network and recipe (784-256-128-10 ReLU, Adam with a cosine
//! schedule, batches of 64, 10 % of the training images held out for validation), trained
//! data-parallel across the processes of an MPI run: each process computes the gradient of its
//! share of every batch, the gradients are summed over the processes in rank order, and every
//! process takes the same step. Rank 0 prints, writes the learning curves to
//! `target/fashion_mnist_mpi.svg` and the network to `target/fashion_mnist_mpi.safetensors`.
//!
//! Needs an MPI library (Debian: `apt-get install openmpi-bin libopenmpi-dev libclang-dev`) and
//! the `mpi` feature. On this machine, two processes:
//!
//! ```text
//! cargo build --release --features mpi --example fashion_mnist_mpi
//! mpirun -np 2 target/release/examples/fashion_mnist_mpi
//! ```
//!
//! (as root, Open MPI wants `--allow-run-as-root`, and with fewer cores than processes
//! `--oversubscribe`). Across machines, with the same binary and data at the same path on each,
//! a hostfile names the hosts and their slots (`host1 slots=2` per line):
//! `mpirun -np 4 --hostfile hosts target/release/examples/fashion_mnist_mpi`.
//!
//! An argument, after the program's path, sets the number of epochs:
//! `mpirun -np 2 target/release/examples/fashion_mnist_mpi 3`. It reads the data as the
//! `fashion_mnist` example does: every process must read the same data.

use std::path::Path;
use std::time::Instant;

use backprop::data::fashion_mnist;
use backprop::mpi::Threading;
use backprop::prelude::*;
use backprop::train::distributed::bytes_per_step;
use backprop::train::{Mpi, Progress, evaluate};

#[path = "shared/fashion.rs"]
mod fashion;

use fashion::Fashion;

/// Passes over the training images, unless the first argument says otherwise.
const EPOCHS: usize = 15;
/// Adam's step size η at the start of the cosine schedule, which lowers it to 0 at the end.
const LEARNING_RATE: f32 = 1e-3;
/// Samples per step, over all processes together.
const BATCH_SIZE: usize = 64;
/// The seed of the weights, the validation split and the order of the batches.
const SEED: u64 = 1;

/// Runs the example and prints an error as its message, not as a debug dump.
fn main() -> std::process::ExitCode {
    // The trainer calls MPI from this thread only, while rayon's threads may multiply matrices.
    let Some((universe, _)) = backprop::mpi::initialize_with_threading(Threading::Funneled) else {
        eprintln!("error: MPI could not be initialised");
        return std::process::ExitCode::FAILURE;
    };
    let mpi = Mpi::world(&universe);
    match run(mpi) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error on rank {}: {error}", mpi.rank());
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(mpi: Mpi) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let epochs = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|_| format!("the argument is the number of epochs, not `{arg}`"))?,
        None => EPOCHS,
    };
    let root = mpi.is_root();

    let data = fashion_mnist::load::<f32>()?; // pixels scaled to [0, 1]
    let (train, validation) = data.train.split(0.1, SEED)?;
    let mut net = Fashion::with_seed(SEED);
    let parameters: usize = Fashion::LAYERS.iter().map(|l| (l.inputs + 1) * l.outputs).sum();
    if root {
        println!("{} training and {} test images from {}", data.train.len(), data.test.len(), data.source);
        println!(
            "{} processes; batches of {BATCH_SIZE} split among them; each step gathers {} bytes from each \
             process ({parameters} gradients, the cost and a status, f32)",
            mpi.size(),
            bytes_per_step::<f32, Fashion>()
        );
    }

    let mut trainer = Trainer::new(Adam::new(LEARNING_RATE)?)
        .epochs(epochs)
        .batch_size(BATCH_SIZE)
        .seed(SEED)
        .schedule(Cosine::new(epochs, 0.0)?)
        .validation(validation.x.view(), &validation.labels)
        .progress(Progress::Lines)
        .mpi(mpi);
    let history = trainer.fit(&mut net, train.x.view(), &train.labels)?;

    // Every process holds the same network; rank 0 reports and writes.
    if root {
        let test = evaluate(&net, data.test.x.view(), &data.test.labels)?;
        let accuracy = test.accuracy.unwrap_or_default();
        println!("test accuracy {accuracy:.4} (loss {:.4}) after {} epochs", test.loss, history.epochs.len());
        let speed =
            history.epochs.iter().map(|e| e.samples_per_second).sum::<f64>() / history.epochs.len() as f64;
        println!(
            "training: {speed:.0} samples/s over {} processes; wall time {:.1} s",
            mpi.size(),
            start.elapsed().as_secs_f64()
        );
        let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
        std::fs::create_dir_all(&target)?;
        let (svg, model) =
            (target.join("fashion_mnist_mpi.svg"), target.join("fashion_mnist_mpi.safetensors"));
        history.plot_svg(&svg)?;
        net.save(&model)?;
        println!("learning curves: {}; model: {}", svg.display(), model.display());
    }
    Ok(())
}

//! Saving and loading the network of the `fashion_mnist` example (784-256-128-10, f32,
//! 235 146 parameters, a 941 kB file), against baselines that do the least the same job needs,
//! measured in the same run:
//!
//! | benchmark | what | baseline |
//! |---|---|---|
//! | `to_safetensors` | the file's bytes in memory | copying every parameter into one `Vec<u8>` |
//! | `from_safetensors` | a new network from those bytes, every check included | `clone` of the network |
//! | `save` | the bytes written to a file, synced, renamed, folder synced | `std::fs::write` of the same bytes, then `sync_all` |
//! | `load` | a new network from the file | `std::fs::read` of the file |
//! | `checkpoint` | one Adam step on one sample, its checkpoint written (weights, m and v: 2.8 MB, SHA-256 digest included), then resumed (digest and state checked) | `save` |
//! | `checkpoint_digest` | SHA-256 of the checkpoint's bytes twice, what the digest adds to a write and a resume | `save` |
//!
//! `cargo bench --bench io` prints criterion's estimates, then each median and its ratio to
//! its baseline's median.

use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

use backprop::prelude::*;
use criterion::Criterion;

network! {
    /// The network of the `fashion_mnist` example.
    #[derive(Clone)]
    pub struct Fashion<f32> { input: 784, hidden1: 256 => Relu, hidden2: 128 => Relu, logits: 10, cost: SoftmaxCrossEntropy }
}

/// Every parameter's bytes, little-endian, in one vector: the least a file of them needs.
fn raw_bytes(net: &Fashion) -> Vec<u8> {
    let mut bytes = Vec::new();
    net.visit_parameters(&mut |p| {
        p.weight.iter().chain(p.bias.iter()).for_each(|v| bytes.extend_from_slice(&v.to_le_bytes()));
    });
    bytes
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let net = Fashion::with_seed(1);
    let bytes = net.to_safetensors();
    let dir = std::env::temp_dir().join(format!("backprop-bench-io-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok();
    let (model, plain) = (dir.join("model.safetensors"), dir.join("plain.bin"));

    let mut group = criterion.benchmark_group("io");
    group.bench_function("to_safetensors", |b| b.iter(|| black_box(&net).to_safetensors()));
    group.bench_function("to_safetensors_baseline", |b| b.iter(|| raw_bytes(black_box(&net))));
    group.bench_function("from_safetensors", |b| b.iter(|| Fashion::from_safetensors(black_box(&bytes))));
    group.bench_function("from_safetensors_baseline", |b| b.iter(|| black_box(&net).clone()));
    group.bench_function("save", |b| b.iter(|| black_box(&net).save(&model)));
    group.bench_function("save_baseline", |b| {
        b.iter(|| {
            let mut file = std::fs::File::create(&plain)?;
            file.write_all(black_box(&bytes))?;
            file.sync_all()
        })
    });
    group.bench_function("load", |b| b.iter(|| Fashion::load(&model)));
    group.bench_function("load_baseline", |b| b.iter(|| std::fs::read(&model)));
    // A checkpoint written by a run of one step on one sample, then resumed: the run is done,
    // so resuming reads and checks the file and trains nothing.
    let checkpoint = dir.join("run.safetensors");
    let (x, labels) = (backprop::ndarray::Array2::<f32>::zeros((1, 784)), [0_usize]);
    let Ok(adam) = Adam::new(1e-3) else { return };
    let trainer = || {
        Trainer::new(adam.clone())
            .epochs(1)
            .batch_size(1)
            .progress(backprop::train::Progress::Off)
            .training_accuracy(false)
    };
    let mut trained = net.clone();
    // Once before measuring: both must succeed, or the measurement would be of an error.
    let once = trainer().checkpoint(&checkpoint, 1).fit(&mut trained, x.view(), &labels).map_err(|e| e.error);
    if let Err(error) =
        once.and_then(|_| trainer().resume(&checkpoint, &mut trained, x.view(), &labels).map_err(|e| e.error))
    {
        println!("checkpoint: {error}");
        return;
    }
    group.bench_function("checkpoint", |b| {
        b.iter(|| {
            let written = trainer().checkpoint(&checkpoint, 1).fit(&mut trained, x.view(), &labels);
            (written.is_ok(), trainer().resume(&checkpoint, &mut trained, x.view(), &labels).is_ok())
        })
    });
    let checkpoint_bytes = std::fs::read(&checkpoint).unwrap_or_default();
    println!("checkpoint: {} bytes", checkpoint_bytes.len());
    group.bench_function("checkpoint_digest", |b| {
        b.iter(|| {
            use sha2::Digest;
            (
                sha2::Sha256::digest(black_box(&checkpoint_bytes)),
                sha2::Sha256::digest(black_box(&checkpoint_bytes)),
            )
        })
    });
    group.finish();
    criterion.final_summary();
    std::fs::remove_dir_all(&dir).ok();

    println!("\n| benchmark | median | baseline | ratio |\n|---|---|---|---|");
    for (name, baseline) in [
        ("to_safetensors", "to_safetensors_baseline"),
        ("from_safetensors", "from_safetensors_baseline"),
        ("save", "save_baseline"),
        ("load", "load_baseline"),
        ("checkpoint", "save"),
        ("checkpoint_digest", "save"),
    ] {
        let median = |id: &str| backprop_benches::median_ns(&format!("io/{id}"));
        if let (Some(ours), Some(base)) = (median(name), median(baseline)) {
            println!("| {name} | {:.3} ms | {:.3} ms | {:.2} |", ours / 1e6, base / 1e6, ours / base);
        }
    }
}

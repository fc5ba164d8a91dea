//! One training step (forward + backward + SGD update, f32, softmax cross-entropy on the
//! logits) of three networks, generated code against a straightforward hand-written ndarray
//! implementation of the same math, measured in the same run:
//!
//! | workload | network | batch |
//! |---|---|---|
//! | `fmnist` | 784-128-64-10, ReLU | 64 |
//! | `tiny` | 4-16-3, tanh | 1 |
//! | `wide` | 1024-1024-1024-10, ReLU | 256 |
//!
//! `cargo bench --bench training` prints criterion's estimates, then a table of samples/s,
//! µs/step, GFLOP/s and the ratio generated/baseline from the medians it just measured. Beside
//! each step it measures the plain `backward` (a workspace made per call) against `backward_in`
//! (one workspace reused), and prints their ratio.
//!
//! The `recipe` workload is the `fashion_mnist` example's: 784-256-128-10 ReLU, batch 64, an
//! Adam step (`train_step`), with Adam's update and its finiteness check measured beside it.
//! FLOPs of a step: 2 per weight forward, 4 per weight backward, 2 for the first layer (whose
//! input needs no gradient).
//!
//! A fourth workload, `fmnist-epoch`, measures what the trainer's diagnostics cost: one epoch
//! of `Trainer::fit` on the bundled Fashion-MNIST subset (5000 images, 79 batches of 64) with
//! the `fmnist` network and the same SGD, with diagnostics (`diagnosed`) and without
//! (`plain`, the baseline). Criterion measures the two one after the other, so a change of the
//! machine's load between them shows as a difference; the ratio printed at the end is
//! therefore measured in pairs: epochs with and without diagnostics alternate, and the median
//! of the ratios of the pairs is reported with its quartiles, in the CPU time of the thread
//! (from Linux's `/proc/thread-self/schedstat`, which leaves out the time other processes had
//! the core) and in wall-clock time.

use std::hint::black_box;
use std::time::Duration;

use backprop::__private::SgdUpdate;
use backprop::data::fashion_mnist;
use backprop::ndarray::{Array1, Array2, ArrayView2, ArrayViewD, Axis};
use backprop::parallel::Shards;
use backprop::prelude::*;
use backprop::rng::seeded_rng;
use backprop::train::Progress;
use backprop::{LayerGradients, Network, UpdateRule};
use criterion::{BenchmarkId, Criterion, Throughput};
use rand_core::RngCore;

network! {
    /// The `fmnist` workload.
    #[derive(Clone)]
    pub struct Fmnist<f32> { input: 784, hidden1: 128 => Relu, hidden2: 64 => Relu, logits: 10, cost: SoftmaxCrossEntropy }
}

network! {
    /// The `tiny` workload.
    #[derive(Clone)]
    pub struct Tiny<f32> { input: 4, hidden: 16 => Tanh, logits: 3, cost: SoftmaxCrossEntropy }
}

network! {
    /// The `recipe` workload: the network of the `fashion_mnist` example.
    #[derive(Clone)]
    pub struct Recipe<f32> { input: 784, hidden1: 256 => Relu, hidden2: 128 => Relu, logits: 10, cost: SoftmaxCrossEntropy }
}

network! {
    /// The `wide` workload.
    #[derive(Clone)]
    pub struct Wide<f32> { input: 1024, hidden1: 1024 => Relu, hidden2: 1024 => Relu, logits: 10, cost: SoftmaxCrossEntropy }
}

/// The hidden activation of the baseline.
#[derive(Clone, Copy)]
enum Act {
    Relu,
    Tanh,
}

/// The baseline: the same network as plain ndarray code, written the way one would by hand —
/// `dot` for every product, `mapv` for σ, a new matrix for every intermediate.
#[derive(Clone)]
struct Baseline {
    layers: Vec<(Array2<f32>, Array1<f32>)>,
    act: Act,
}

impl Baseline {
    fn from_network<N: Network<f32>>(net: &N, act: Act) -> Self {
        let mut layers = Vec::new();
        net.visit_parameters(&mut |p| layers.push((p.weight.to_owned(), p.bias.to_owned())));
        Baseline { layers, act }
    }

    /// z = a Wᵀ + b and a = σ(z) per layer; softmax cross-entropy on the logits; δ back down
    /// by (2); W −= η δᵀ a_prev and b −= η Σ δ. Returns the mean cost.
    fn step(&mut self, x: ArrayView2<'_, f32>, labels: &[usize], eta: f32) -> f32 {
        let n = x.nrows() as f32;
        let last = self.layers.len() - 1;
        let mut zs = Vec::with_capacity(self.layers.len());
        let mut acts: Vec<Array2<f32>> = vec![x.to_owned()];
        for (l, (w, b)) in self.layers.iter().enumerate() {
            let z = acts[l].dot(&w.t()) + b;
            let a = if l == last {
                z.clone()
            } else {
                match self.act {
                    Act::Relu => z.mapv(|v| v.max(0.0)),
                    Act::Tanh => z.mapv(f32::tanh),
                }
            };
            zs.push(z);
            acts.push(a);
        }
        // Softmax cross-entropy: δ^L = (softmax(z) − onehot(y)) / n.
        let mut delta = acts[last + 1].clone();
        let mut cost = 0.0;
        for (mut row, &y) in delta.axis_iter_mut(Axis(0)).zip(labels) {
            let max = row.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
            row.mapv_inplace(|v| (v - max).exp());
            let sum = row.sum();
            cost -= (row[y] / sum).ln();
            row.mapv_inplace(|v| v / sum / n);
            row[y] -= 1.0 / n;
        }
        for l in (0..=last).rev() {
            let grad_w = delta.t().dot(&acts[l]);
            let grad_b = delta.sum_axis(Axis(0));
            if l > 0 {
                let back = delta.dot(&self.layers[l].0);
                let d = match self.act {
                    Act::Relu => zs[l - 1].mapv(|z| if z > 0.0 { 1.0 } else { 0.0 }),
                    Act::Tanh => acts[l].mapv(|a| 1.0 - a * a),
                };
                delta = back * d;
            }
            let (w, b) = &mut self.layers[l];
            w.scaled_add(-eta, &grad_w);
            b.scaled_add(-eta, &grad_b);
        }
        cost / n
    }
}

/// A workload: a name, its sizes, a batch.
struct Workload {
    name: &'static str,
    sizes: &'static [usize],
    batch: usize,
}

impl Workload {
    fn flops_per_step(&self) -> f64 {
        let weights = self.sizes.windows(2).map(|w| (w[0] * w[1]) as f64);
        let per_sample: f64 = weights.enumerate().map(|(l, w)| if l == 0 { 4.0 * w } else { 6.0 * w }).sum();
        per_sample * self.batch as f64
    }

    fn data(&self) -> (Array2<f32>, Vec<usize>) {
        let mut rng = seeded_rng(7);
        let x = Array2::from_shape_simple_fn((self.batch, self.sizes[0]), || {
            (rng.next_u32() >> 8) as f32 / (1 << 24) as f32
        });
        let classes = self.sizes[self.sizes.len() - 1] as u32;
        let labels = (0..self.batch).map(|_| (rng.next_u32() % classes) as usize).collect();
        (x, labels)
    }
}

const FMNIST: Workload = Workload { name: "fmnist", sizes: &[784, 128, 64, 10], batch: 64 };
const TINY: Workload = Workload { name: "tiny", sizes: &[4, 16, 3], batch: 1 };
const RECIPE: Workload = Workload { name: "recipe", sizes: &[784, 256, 128, 10], batch: 64 };
const WIDE: Workload = Workload { name: "wide", sizes: &[1024, 1024, 1024, 10], batch: 256 };

/// A small learning rate: the weights move little over millions of steps, so every step does
/// the same work on the same kind of numbers.
const ETA: f32 = 1e-4;

fn bench_workload<N: Network<f32> + Clone + Send + Sync>(
    c: &mut Criterion,
    w: &Workload,
    net: N,
    act: Act,
    time: Duration,
) {
    let (x, labels) = w.data();
    let mut group = c.benchmark_group(w.name);
    group.throughput(Throughput::Elements(w.batch as u64));
    group.measurement_time(time).warm_up_time(Duration::from_secs(1));
    if w.batch > 64 {
        group.sample_size(10);
    }
    let mut generated = net.clone();
    let mut ws = N::workspace();
    let Ok(mut sgd) = Sgd::new(ETA) else { return };
    group.bench_function(BenchmarkId::new("generated", w.batch), |b| {
        b.iter(|| generated.train_step(black_box(x.view()), labels.as_slice(), &mut ws, &mut sgd))
    });
    // The same steps with rayon's other workers kept polling (`parallel::with_busy_workers`), as
    // `Trainer::fit` runs its epochs: products from `BUSY_PARALLEL_FLOPS` on use both cores.
    group.bench_function(BenchmarkId::new("generated-busy", w.batch), |b| {
        backprop::parallel::with_busy_workers(|| {
            b.iter(|| generated.train_step(black_box(x.view()), labels.as_slice(), &mut ws, &mut sgd))
        })
    });
    let mut baseline = Baseline::from_network(&net, act);
    group.bench_function(BenchmarkId::new("baseline", w.batch), |b| {
        b.iter(|| baseline.step(black_box(x.view()), &labels, ETA))
    });
    // Data parallelism: the batch in two shards, one per core, with the step's SGD applied to
    // the summed gradients (not fused).
    if w.batch >= 2 {
        let mut sharded = net.clone();
        let Ok(mut shards) = Shards::new::<N>(w.batch.div_ceil(2)) else { return };
        group.bench_function(BenchmarkId::new("sharded", w.batch), |b| {
            b.iter(|| shards.train_step(&mut sharded, black_box(x.view()), labels.as_slice(), &mut sgd))
        });
        group.bench_function(BenchmarkId::new("sharded-busy", w.batch), |b| {
            backprop::parallel::with_busy_workers(|| {
                b.iter(|| shards.train_step(&mut sharded, black_box(x.view()), labels.as_slice(), &mut sgd))
            })
        });
    }
    // The plain `backward`, which makes a workspace for each call, against `backward_in` with
    // one reused: the price of the convenient API.
    group.bench_function(BenchmarkId::new("backward", w.batch), |b| {
        b.iter(|| net.backward(black_box(x.view()), labels.as_slice()).map(|(cost, _)| cost))
    });
    group.bench_function(BenchmarkId::new("backward_in", w.batch), |b| {
        b.iter(|| net.backward_in(black_box(x.view()), labels.as_slice(), &mut ws))
    });
    group.finish();
}

/// The name of the diagnostics' workload.
const EPOCH: &str = "fmnist-epoch";

/// One epoch of `Trainer::fit` on the bundled Fashion-MNIST subset, with and without
/// diagnostics. The network keeps training from iteration to iteration, at the small rate of the
/// step benchmarks, so every epoch does the same work; the training accuracy (an extra forward
/// pass over the set, the same in both) is switched off, so the ratio is that of the epoch's
/// steps alone.
fn bench_epoch(c: &mut Criterion) {
    let Ok((train, _)) = fashion_mnist::load_dir::<f32>(fashion_mnist::bundled_dir()) else {
        eprintln!("{EPOCH}: the bundled Fashion-MNIST subset could not be read");
        return;
    };
    let mut group = c.benchmark_group(EPOCH);
    group.throughput(Throughput::Elements(train.x.nrows() as u64));
    group.measurement_time(Duration::from_secs(8)).warm_up_time(Duration::from_secs(2)).sample_size(30);
    for (name, diagnostics) in [("plain", false), ("diagnosed", true)] {
        let mut net = Fmnist::with_seed(1);
        let Ok(sgd) = Sgd::new(ETA) else { return };
        let mut trainer = Trainer::new(sgd)
            .epochs(1)
            .batch_size(64)
            .training_accuracy(false)
            .diagnostics(diagnostics)
            .progress(Progress::Off);
        group.bench_function(BenchmarkId::new(name, 64), |b| {
            b.iter(|| trainer.fit(&mut net, black_box(train.x.view()), &train.labels).is_ok())
        });
    }
    group.finish();
}

/// The finiteness checks of one `fmnist` step on their own, measured beside the step: each
/// layer's check of its weighted input z (the first layer's existed before; it also proves the
/// input finite) and each layer's check of its fused gradient-descent update, on the buffers a
/// step left in the workspace.
fn bench_checks(c: &mut Criterion, time: Duration) {
    let (x, labels) = FMNIST.data();
    let mut net = Fmnist::with_seed(1);
    let mut ws = Fmnist::workspace();
    let Ok(mut sgd) = Sgd::new(ETA) else { return };
    if net.train_step(x.view(), labels.as_slice(), &mut ws, &mut sgd).is_err() {
        return;
    }
    let mut g =
        [LayerGradients::zeros(128, 784), LayerGradients::zeros(64, 128), LayerGradients::zeros(10, 64)];
    let mut group = c.benchmark_group("fmnist");
    group.throughput(Throughput::Elements(FMNIST.batch as u64));
    group.measurement_time(time).warm_up_time(Duration::from_secs(1));
    group.bench_function(BenchmarkId::new("checks", FMNIST.batch), |b| {
        b.iter(|| {
            let [l1, l2, l3] = ws.layers() else { return false };
            let [g1, g2, g3] = &mut g;
            let z = [
                net.hidden1.check_weighted_input("hidden1", l1.z(), Some(black_box(x.view()))),
                net.hidden2.check_weighted_input("hidden2", l2.z(), None),
                net.logits.check_weighted_input("logits", l3.z(), None),
            ];
            let updates = [
                net.hidden1.sgd_check("hidden1", 0, ETA, l1, x.view(), g1),
                net.hidden2.sgd_check("hidden2", 2, ETA, l2, l1.a(), g2),
                net.logits.sgd_check("logits", 4, ETA, l3, l2.a(), g3),
            ];
            z.iter().all(Result::is_ok) && updates.iter().all(|u| matches!(u, Ok(SgdUpdate::Fused)))
        })
    });
    group.finish();
}

/// The `fashion_mnist` example's recipe: one Adam step (η = 10⁻³, the paper's β and ε) of
/// the example's network, as `train_step` takes it (`generated`); beside it, on the gradients
/// that step left, Adam's whole update of the parameters (`adam-step`) and its check that every
/// value it will write is finite on its own (`adam-check`, [`UpdateRule::begin`]); and both the
/// step and the update inside `with_busy_workers` (`generated-busy`, `adam-step-busy`).
fn bench_recipe(c: &mut Criterion, time: Duration) {
    let (x, labels) = RECIPE.data();
    let mut net = Recipe::with_seed(1);
    let mut ws = Recipe::workspace();
    let Ok(mut adam) = Adam::new(1e-3) else { return };
    let mut group = c.benchmark_group(RECIPE.name);
    group.throughput(Throughput::Elements(RECIPE.batch as u64));
    group.measurement_time(time).warm_up_time(Duration::from_secs(1));
    group.bench_function(BenchmarkId::new("generated", RECIPE.batch), |b| {
        b.iter(|| net.train_step(black_box(x.view()), labels.as_slice(), &mut ws, &mut adam))
    });
    group.bench_function(BenchmarkId::new("generated-busy", RECIPE.batch), |b| {
        backprop::parallel::with_busy_workers(|| {
            b.iter(|| net.train_step(black_box(x.view()), labels.as_slice(), &mut ws, &mut adam))
        })
    });
    let Ok((_, gradients)) = net.backward(x.view(), labels.as_slice()) else { return };
    group.bench_function(BenchmarkId::new("adam-step", RECIPE.batch), |b| {
        b.iter(|| adam.step(&mut net, black_box(&gradients)))
    });
    // Inside `with_busy_workers`, the update of each tensor of at least `BUSY_ELEMENTS`
    // elements is split over the threads.
    group.bench_function(BenchmarkId::new("adam-step-busy", RECIPE.batch), |b| {
        backprop::parallel::with_busy_workers(|| b.iter(|| adam.step(&mut net, black_box(&gradients))))
    });
    type View<'a> = ArrayViewD<'a, f32>;
    let mut tensors = |f: &mut dyn FnMut(usize, View<'_>, View<'_>)| {
        let mut index = 0;
        net.visit_with_gradients(&gradients, &mut |p, g| {
            f(index, p.weight.view().into_dyn(), g.weight.into_dyn());
            f(index + 1, p.bias.view().into_dyn(), g.bias.into_dyn());
            index += 2;
        });
    };
    group.bench_function(BenchmarkId::new("adam-check", RECIPE.batch), |b| {
        b.iter(|| adam.begin(black_box(&mut tensors)))
    });
    group.finish();
}

/// The median time per step, in seconds, that criterion just wrote for `group/function/batch`.
const HANDOFF: &str = "handoff";

/// About 75 µs of integer work that the compiler cannot remove: one side of a `rayon::join`.
fn handoff_work() -> u64 {
    (0..70_000u64).fold(1u64, |x, i| black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(i)))
}

/// What it costs to hand half of a job to the second core, the price a step split over two
/// threads pays each time: `rayon::join` of two halves after the calling thread ran alone for a
/// gap (the sequential part of a step, during which rayon's idle worker goes to sleep), against
/// one half on the calling thread. Only the join or the half is timed, not the gap.
fn bench_handoff(c: &mut Criterion) {
    let mut group = c.benchmark_group(HANDOFF);
    group.measurement_time(Duration::from_secs(3));
    group.bench_function(BenchmarkId::new("one-half", "alone"), |b| b.iter(handoff_work));
    for gap in [0u64, 20, 150] {
        group.bench_function(BenchmarkId::new("join-after-gap-us", gap), |b| {
            b.iter_custom(|iterations| {
                let mut joined = Duration::ZERO;
                for _ in 0..iterations {
                    let start = std::time::Instant::now();
                    while start.elapsed() < Duration::from_micros(gap) {
                        std::hint::spin_loop();
                    }
                    let start = std::time::Instant::now();
                    black_box(rayon::join(handoff_work, handoff_work));
                    joined += start.elapsed();
                }
                joined
            })
        });
    }
    group.finish();
    if let Some(half) = median_seconds(HANDOFF, "one-half", "alone") {
        for gap in [0, 20, 150] {
            if let Some(join) = median_seconds(HANDOFF, "join-after-gap-us", gap) {
                println!(
                    "handoff: two halves in parallel after {gap} µs alone: {:.1} µs, one half {:.1} µs: {:.1} µs of hand-off",
                    join * 1e6,
                    half * 1e6,
                    (join - half) * 1e6
                );
            }
        }
    }
}

fn median_seconds(group: &str, function: &str, parameter: impl std::fmt::Display) -> Option<f64> {
    Some(backprop_benches::median_ns(&format!("{group}/{function}/{parameter}"))? * 1e-9)
}

/// The pairs of epochs (with and without diagnostics, in alternating order) of the paired
/// measurement, after three pairs of warm-up.
const PAIRS: usize = 60;

/// The epoch with diagnostics against the epoch without: criterion's medians, then the paired
/// measurement, which a load that changes over the run does not bias.
fn epoch_summary() {
    if let (Some(plain), Some(diagnosed)) =
        (median_seconds(EPOCH, "plain", 64), median_seconds(EPOCH, "diagnosed", 64))
    {
        println!(
            "\n{EPOCH}: criterion's medians: {:.2} ms per epoch without diagnostics, {:.2} ms with ({:+.2} %)",
            plain * 1e3,
            diagnosed * 1e3,
            (diagnosed / plain - 1.0) * 100.0
        );
    }
    let Ok((train, _)) = fashion_mnist::load_dir::<f32>(fashion_mnist::bundled_dir()) else { return };
    let (Ok(sgd_plain), Ok(sgd_diagnosed)) = (Sgd::new(ETA), Sgd::new(ETA)) else { return };
    let trainer = |sgd, diagnostics| {
        Trainer::new(sgd)
            .epochs(1)
            .batch_size(64)
            .training_accuracy(false)
            .diagnostics(diagnostics)
            .progress(Progress::Off)
    };
    let mut runs = [
        (Fmnist::with_seed(1), trainer(sgd_plain, false)),
        (Fmnist::with_seed(1), trainer(sgd_diagnosed, true)),
    ];
    let (mut cpu, mut wall) = (Vec::with_capacity(PAIRS), Vec::with_capacity(PAIRS));
    for pair in 0..PAIRS + 3 {
        let (mut cpu_seconds, mut wall_seconds) = ([0.0; 2], [0.0; 2]);
        let order = if pair % 2 == 0 { [0, 1] } else { [1, 0] };
        for k in order {
            let (net, trainer) = &mut runs[k];
            let (start, start_cpu) = (std::time::Instant::now(), thread_cpu_seconds());
            if trainer.fit(net, black_box(train.x.view()), &train.labels).is_err() {
                return;
            }
            wall_seconds[k] = start.elapsed().as_secs_f64();
            cpu_seconds[k] = thread_cpu_seconds().zip(start_cpu).map_or(f64::NAN, |(end, start)| end - start);
        }
        if pair >= 3 {
            cpu.push(cpu_seconds[1] / cpu_seconds[0]);
            wall.push(wall_seconds[1] / wall_seconds[0]);
        }
    }
    for (clock, ratios) in [("CPU time", &mut cpu), ("wall-clock time", &mut wall)] {
        if ratios.iter().any(|r| !r.is_finite()) {
            continue;
        }
        ratios.sort_by(f64::total_cmp);
        let percent = |q: f64| (ratios[((ratios.len() - 1) as f64 * q).round() as usize] - 1.0) * 100.0;
        println!(
            "{EPOCH}: diagnostics cost {:+.2} % of an epoch in {clock} (median of {PAIRS} pairs; quartiles {:+.2} % and {:+.2} %)",
            percent(0.5),
            percent(0.25),
            percent(0.75)
        );
    }
}

/// The CPU time the current thread has run, in seconds, from Linux's
/// `/proc/thread-self/schedstat` (nanoseconds on the CPU, first field); `None` elsewhere.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(stat.split_whitespace().next()?.parse::<f64>().ok()? * 1e-9)
}

fn summary(workloads: &[&Workload]) {
    let ran = |w: &Workload| workloads.iter().any(|r| r.name == w.name);
    if let (true, Some(checks), Some(step)) = (
        ran(&FMNIST),
        median_seconds("fmnist", "checks", FMNIST.batch),
        median_seconds("fmnist", "generated", FMNIST.batch),
    ) {
        println!(
            "\nfmnist finiteness checks: {:.2} µs, {:.2} % of the generated step ({:.1} µs)",
            checks * 1e6,
            100.0 * checks / step,
            step * 1e6
        );
    }
    if let (true, Some(check), Some(update), Some(step)) = (
        ran(&RECIPE),
        median_seconds(RECIPE.name, "adam-check", RECIPE.batch),
        median_seconds(RECIPE.name, "adam-step", RECIPE.batch),
        median_seconds(RECIPE.name, "generated", RECIPE.batch),
    ) {
        println!(
            "\nrecipe: {:.0} samples/s; Adam's update {:.1} µs ({:.1} % of the step, {:.1} µs), \
             of which its finiteness check {:.1} µs ({:.1} % of the step)",
            RECIPE.batch as f64 / step,
            update * 1e6,
            100.0 * update / step,
            step * 1e6,
            check * 1e6,
            100.0 * check / step
        );
    }
    for w in workloads {
        if let (Some(sharded), Some(fused)) =
            (median_seconds(w.name, "sharded", w.batch), median_seconds(w.name, "generated", w.batch))
        {
            println!(
                "{}: two shards {:.0} samples/s, one fused step {:.0} samples/s: {:.3}×",
                w.name,
                w.batch as f64 / sharded,
                w.batch as f64 / fused,
                fused / sharded
            );
        }
        if let (Some(plain), Some(reused)) =
            (median_seconds(w.name, "backward", w.batch), median_seconds(w.name, "backward_in", w.batch))
        {
            println!(
                "{}: backward {:.2} µs, backward_in {:.2} µs: {:.3}×",
                w.name,
                plain * 1e6,
                reused * 1e6,
                plain / reused
            );
        }
    }
    println!(
        "\n{:<8} {:<10} {:>14} {:>10} {:>9} {:>16}",
        "workload", "code", "samples/s", "µs/step", "GFLOP/s", "generated/base"
    );
    for w in workloads {
        let (Some(generated), Some(baseline)) =
            (median_seconds(w.name, "generated", w.batch), median_seconds(w.name, "baseline", w.batch))
        else {
            continue;
        };
        for (code, t) in [("generated", generated), ("baseline", baseline)] {
            let ratio =
                if code == "generated" { format!("{:.2}×", baseline / generated) } else { String::new() };
            println!(
                "{:<8} {:<10} {:>14.0} {:>10.3} {:>9.1} {:>16}",
                w.name,
                code,
                w.batch as f64 / t,
                t * 1e6,
                w.flops_per_step() / t * 1e-9,
                ratio
            );
        }
    }
}

/// The filter criterion was given: the first argument that is neither an option nor the
/// value of one.
fn positional_filter() -> Option<String> {
    const WITH_VALUE: &[&str] = &[
        "--profile-time",
        "--save-baseline",
        "--baseline",
        "--load-baseline",
        "--sample-size",
        "--warm-up-time",
        "--measurement-time",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--output-format",
        "--plotting-backend",
        "--color",
        "-c",
        "-s",
        "-b",
    ];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if WITH_VALUE.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            return Some(arg);
        }
    }
    None
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    // `cargo bench --bench training -- fmnist` (or `fmnist/generated`) runs one workload.
    let filter = positional_filter();
    let selected_name =
        |name: &str| filter.as_deref().is_none_or(|f| name.contains(f.split('/').next().unwrap_or(f)));
    let selected = |w: &Workload| selected_name(w.name);
    let mut ran = Vec::new();
    if selected(&FMNIST) {
        bench_workload(&mut c, &FMNIST, Fmnist::with_seed(1), Act::Relu, Duration::from_secs(5));
        bench_checks(&mut c, Duration::from_secs(3));
        ran.push(&FMNIST);
    }
    if selected(&TINY) {
        bench_workload(&mut c, &TINY, Tiny::with_seed(1), Act::Tanh, Duration::from_secs(3));
        ran.push(&TINY);
    }
    if selected(&RECIPE) {
        bench_recipe(&mut c, Duration::from_secs(3));
        ran.push(&RECIPE);
    }
    if selected(&WIDE) {
        bench_workload(&mut c, &WIDE, Wide::with_seed(1), Act::Relu, Duration::from_secs(8));
        ran.push(&WIDE);
    }
    if selected_name(EPOCH) {
        bench_epoch(&mut c);
    }
    if selected_name(HANDOFF) {
        bench_handoff(&mut c);
    }
    c.final_summary();
    summary(&ran);
    // The paired measurement only when benchmarking (`cargo bench`), not when `cargo test`
    // runs the benchmarks once to check them.
    if selected_name(EPOCH) && std::env::args().any(|a| a == "--bench") {
        epoch_summary();
    }
}

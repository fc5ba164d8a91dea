//! One-sample inference (issue 26, point 6): the prediction for one sample of the `fashion_mnist`
//! example's network (784-256-128-10 ReLU, `SoftmaxCrossEntropy`, f32) and of `tiny`
//! (4-16-3 tanh, the workload of `benches/training.rs`), five ways, in the same run:
//!
//! | variant | what it runs |
//! |---|---|
//! | `fixed` | `NameFixed::predict_one`: the fixed-size network, weights in arrays |
//! | `std` | the network's own `predict_one`, which returns a `Result` |
//! | `forward_in` | `forward_in` of a batch of one row in a reused workspace, then the cost's prediction (`Cost::predict_in_place`, softmax) of its output copied into an array: what `Predict::predict` does, without its allocations |
//! | `predict` | `Predict::predict` of a batch of one row (`backprop::inference::predict_one`): the path the std `predict_one` took before the fixed-size networks, a workspace and the arrays it returns allocated per call |
//! | `by_hand` | a hand-written forward pass on the fixed network's `[[f32; IN]; OUT]` arrays (`benches/one_sample.rs`): plain loops, each sum one chain, then softmax, no checks |
//!
//! Each iteration predicts the next of 64 inputs. `cargo bench --bench fixed` prints
//! criterion's estimates, then a summary from the medians it just measured: inferences per
//! second and each variant's time as a ratio to the fixed path's. `benches/callgrind_fixed.rs`
//! counts the instructions of the same functions.

use std::hint::black_box;
use std::time::Duration;

use backprop::prelude::*;
use backprop_benches::median_ns;
use criterion::{BenchmarkId, Criterion, Throughput};

#[path = "one_sample.rs"]
mod one_sample;
use one_sample::{
    Fashion, SAMPLES, Tiny, fashion_by_hand, fashion_fixed, fashion_forward_in, fashion_predict, fashion_std,
    inputs, tiny_by_hand, tiny_fixed, tiny_forward_in, tiny_predict, tiny_std,
};

/// The variants, in the order measured.
const VARIANTS: [&str; 5] = ["fixed", "std", "forward_in", "predict", "by_hand"];

/// Panics unless the five predictions of an input agree: the fixed path and the std
/// `predict_one` bit for bit, the others to rounding (their sums run in other orders). A benchmark of different computations would measure nothing.
fn agree<const OUT: usize>(name: &str, predictions: [Result<[f32; OUT], backprop::Error>; 5]) {
    let [fixed, std, forward_in, predict, by_hand] = predictions.map(|p| p.unwrap_or([f32::NAN; OUT]));
    assert_eq!(fixed.map(f32::to_bits), std.map(f32::to_bits), "{name}: fixed and std differ");
    for other in [forward_in, predict, by_hand] {
        assert!(
            fixed.iter().zip(&other).all(|(a, b)| (a - b).abs() <= 1e-5),
            "{name}: {fixed:?} vs {other:?}"
        );
    }
}

/// Measures `predict` on the cycled inputs as `one_sample/<variant>/<network>`.
fn measure<X, R>(
    c: &mut Criterion,
    network: &str,
    variant: &str,
    xs: &[X],
    mut predict: impl FnMut(&X) -> R,
) {
    let mut group = c.benchmark_group("one_sample");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    let mut i = 0;
    group.bench_function(BenchmarkId::new(variant, network), |b| {
        b.iter(|| {
            i = (i + 1) % SAMPLES;
            predict(black_box(&xs[i]))
        })
    });
    group.finish();
}

fn main() -> Result<(), backprop::Error> {
    let tiny = Tiny::with_seed(1);
    let tiny_arrays = tiny.to_fixed()?;
    let mut tiny_ws = Tiny::workspace();
    let tiny_xs = inputs::<4>(2.0, 0.0);
    let fashion = Fashion::with_seed(1);
    let fashion_arrays = fashion.to_fixed()?;
    let mut fashion_ws = Fashion::workspace();
    let fashion_xs = inputs::<784>(0.5, 0.5);
    for x in &tiny_xs {
        let fixed = tiny_fixed(&tiny_arrays, x);
        agree(
            "tiny",
            [
                Ok(fixed),
                tiny_std(&tiny, x),
                tiny_forward_in(&tiny, x, &mut tiny_ws),
                tiny_predict(&tiny, x),
                Ok(tiny_by_hand(&tiny_arrays, x)),
            ],
        );
    }
    for x in &fashion_xs {
        agree(
            "fashion",
            [
                Ok(fashion_fixed(&fashion_arrays, x)),
                fashion_std(&fashion, x),
                fashion_forward_in(&fashion, x, &mut fashion_ws),
                fashion_predict(&fashion, x),
                Ok(fashion_by_hand(&fashion_arrays, x)),
            ],
        );
    }

    let mut c = Criterion::default().configure_from_args();
    let (tn, fnet) = (black_box(&tiny), black_box(&fashion));
    let (ta, fa) = (black_box(&tiny_arrays), black_box(&fashion_arrays));
    measure(&mut c, "tiny", "fixed", &tiny_xs, |x| tiny_fixed(ta, x));
    measure(&mut c, "tiny", "std", &tiny_xs, |x| tiny_std(tn, x));
    measure(&mut c, "tiny", "forward_in", &tiny_xs, |x| tiny_forward_in(tn, x, &mut tiny_ws));
    measure(&mut c, "tiny", "predict", &tiny_xs, |x| tiny_predict(tn, x));
    measure(&mut c, "tiny", "by_hand", &tiny_xs, |x| tiny_by_hand(ta, x));
    measure(&mut c, "fashion", "fixed", &fashion_xs, |x| fashion_fixed(fa, x));
    measure(&mut c, "fashion", "std", &fashion_xs, |x| fashion_std(fnet, x));
    measure(&mut c, "fashion", "forward_in", &fashion_xs, |x| fashion_forward_in(fnet, x, &mut fashion_ws));
    measure(&mut c, "fashion", "predict", &fashion_xs, |x| fashion_predict(fnet, x));
    measure(&mut c, "fashion", "by_hand", &fashion_xs, |x| fashion_by_hand(fa, x));
    c.final_summary();

    println!("\nsummary (criterion's medians of this run; one f32 sample, its prediction):");
    for network in ["tiny", "fashion"] {
        let medians = VARIANTS.map(|v| median_ns(&format!("one_sample/{v}/{network}")));
        let Some(fixed) = medians[0] else { continue };
        for (variant, median) in VARIANTS.iter().zip(medians) {
            if let Some(ns) = median {
                println!(
                    "{network:<8} {variant:<11} {:10.1} ns   {:12.0} inferences/s   / fixed = {:.2}",
                    ns,
                    1e9 / ns,
                    ns / fixed
                );
            }
        }
    }
    Ok(())
}

//! One-sample predictions in a loop and nothing else, for valgrind's callgrind, which counts
//! instructions rather than time, so that the load of a shared machine does not change the
//! figure: `callgrind_fixed <network> <variant> <n>` predicts `n` samples (cycling through the
//! 64 inputs of `benches/fixed.rs`) of `tiny` or `fashion` by `fixed`, `std`, `forward_in` or
//! `by_hand` (the variants of `benches/fixed.rs`, the same functions). With valgrind installed:
//!
//! ```sh
//! CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="valgrind --tool=callgrind --callgrind-out-file=target/cg.fixed.100000" \
//!     cargo bench --bench callgrind_fixed -- tiny fixed 100000
//! ```
//!
//! then the same with `n` = 0, and divide the difference of the two totals by `n`: the
//! instructions of one prediction, the setup (weights, inputs, workspace) excluded. Or count the
//! variant's function alone: `--collect-atstart=no --toggle-collect='*one_sample::tiny_fixed*'`.
//! `BENCHMARKS.md` has the figures.

use std::hint::black_box;

use backprop::prelude::*;

#[path = "one_sample.rs"]
mod one_sample;
use one_sample::{
    Fashion, SAMPLES, Tiny, fashion_by_hand, fashion_fixed, fashion_forward_in, fashion_predict, fashion_std,
    inputs, tiny_by_hand, tiny_fixed, tiny_forward_in, tiny_predict, tiny_std,
};

/// `n` predictions of `predict` on the cycled inputs: the sum of their first outputs.
fn run<X, const OUT: usize>(
    n: usize,
    xs: &[X],
    mut predict: impl FnMut(&X) -> Result<[f32; OUT], backprop::Error>,
) -> f32 {
    (0..n).map(|i| predict(black_box(&xs[i % SAMPLES])).map_or(f32::NAN, |p| p[0])).sum()
}

fn main() -> Result<(), backprop::Error> {
    // `cargo bench` adds `--bench`; the positional arguments are the network, the variant and n.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let (Some(network), Some(variant), Some(n)) =
        (args.first(), args.get(1), args.get(2).and_then(|n| n.parse::<usize>().ok()))
    else {
        eprintln!("usage: callgrind_fixed tiny|fashion fixed|std|forward_in|predict|by_hand <n>");
        return Ok(());
    };
    let sum = match network.as_str() {
        "tiny" => {
            let net = Tiny::with_seed(1);
            let arrays = net.to_fixed()?;
            let mut workspace = Tiny::workspace();
            let xs = inputs::<4>(2.0, 0.0);
            let (net, arrays) = (black_box(&net), black_box(&arrays));
            match variant.as_str() {
                "fixed" => run(n, &xs, |x| Ok(tiny_fixed(arrays, x))),
                "std" => run(n, &xs, |x| tiny_std(net, x)),
                "forward_in" => run(n, &xs, |x| tiny_forward_in(net, x, &mut workspace)),
                "predict" => run(n, &xs, |x| tiny_predict(net, x)),
                _ => run(n, &xs, |x| Ok(tiny_by_hand(arrays, x))),
            }
        }
        _ => {
            let net = Fashion::with_seed(1);
            let arrays = net.to_fixed()?;
            let mut workspace = Fashion::workspace();
            let xs = inputs::<784>(0.5, 0.5);
            let (net, arrays) = (black_box(&net), black_box(&arrays));
            match variant.as_str() {
                "fixed" => run(n, &xs, |x| Ok(fashion_fixed(arrays, x))),
                "std" => run(n, &xs, |x| fashion_std(net, x)),
                "forward_in" => run(n, &xs, |x| fashion_forward_in(net, x, &mut workspace)),
                "predict" => run(n, &xs, |x| fashion_predict(net, x)),
                _ => run(n, &xs, |x| Ok(fashion_by_hand(arrays, x))),
            }
        }
    };
    println!("{network} {variant} {n}: sum of the first outputs {sum}");
    Ok(())
}

//! Prints, one line per value, σ, σ' and σ'(z, σ(z)) of every built-in activation on a grid of
//! inputs, in f32 and f64, and [`tiny_predict`] on a grid of points, as bits: run once with
//! `backprop` built without `std` (libm's functions) and once with it (the standard library's),
//! and compare the two outputs, which measures where the two builds give other bits.
//!
//! ```text
//! cargo run -p backprop-no-std-check --features grid --bin grid > no-std.txt
//! cargo run -p backprop-no-std-check --features grid,backprop/std --bin grid > std.txt
//! diff no-std.txt std.txt | grep -c '^>'
//! ```
//!
//! The program itself uses `std` (to print); the library and `backprop` do not, unless the
//! second command asks for it.

use backprop::{Activation, Elu, Float, Gelu, Identity, LeakyRelu, Relu, Sigmoid, Silu, Softplus, Tanh};
use backprop_no_std_check::{activation, tiny_predict};

/// Zeros, subnormals, extremes, infinities, NaN, and a sweep of [−20, 20] in steps of 1/256.
fn grid() -> Vec<f64> {
    let mut z = vec![0.0, -0.0, 1e-310, -1e-310, 1e-40, -1e-40, f64::MAX, f64::MIN];
    z.extend([f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 1e4, -1e4, 100.0, -100.0]);
    z.extend((-5120..=5120).map(|i| f64::from(i) / 256.0 + 1.0 / 65536.0));
    z
}

fn print<F: Float, A: Activation<F>>(name: &str, sigma: A) {
    for z in grid() {
        let z = F::of(z);
        let bits = activation(&sigma, z).map(|v| Float::to_f64(v).to_bits());
        println!("{name} {} {z:e} {bits:x?}", F::NAME);
    }
}

fn every<F: Float>() {
    print::<F, _>("identity", Identity);
    print::<F, _>("sigmoid", Sigmoid);
    print::<F, _>("tanh", Tanh);
    print::<F, _>("relu", Relu);
    print::<F, _>("leaky_relu", LeakyRelu::default());
    print::<F, _>("elu", Elu::default());
    print::<F, _>("softplus", Softplus);
    print::<F, _>("gelu", Gelu);
    print::<F, _>("silu", Silu);
    for i in -32..=32 {
        for j in -32..=32 {
            let x = [F::of(f64::from(i) / 8.0), F::of(f64::from(j) / 8.0 + 1.0 / 64.0)];
            let p = tiny_predict(&x).map(|p| p.map(|v| Float::to_f64(v).to_bits()));
            println!("tiny_predict {} {:e} {:e} {p:x?}", F::NAME, x[0], x[1]);
        }
    }
}

fn main() {
    every::<f32>();
    every::<f64>();
}

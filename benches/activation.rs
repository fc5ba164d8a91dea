//! The derivative `#[activation]` generates against hand-written ones, for swish and mish, over
//! 4096 values in f32 and f64.
//!
//! Run it with `cargo bench --bench activation`. Criterion measures every variant; then a
//! summary measured in the same run prints each hand-written variant's time as a ratio to the
//! generated derivative's (generated / hand-written: below 1 the generated one is faster).
//!
//! The hand-written variants: swish' as one would write it from s = sigmoid(z),
//! s (1 + z (1 − s)), and the library's `Silu`; mish' as the formula reads,
//! tanh(sp) + z sigmoid(z) sech²(sp) with sp = softplus(z), and Mish's closed form
//! e^z ω / δ² with ω = 4(z + 1) + 4e^{2z} + e^{3z} + e^z (4z + 6), δ = 2e^z + e^{2z} + 2
//! (Misra, "Mish: A Self Regularized Non-Monotonic Activation Function", BMVC 2020, eq. (3)),
//! which needs one exponential but overflows for large z, so it is guarded there.

use std::hint::black_box;
use std::time::{Duration, Instant};

use backprop::activation::{sigmoid, softplus};
use backprop::prelude::*;
use backprop::{Float, Silu};
use criterion::{BenchmarkId, Criterion};

/// Swish: z·sigmoid(z).
#[activation]
fn swish(z: f64) -> f64 {
    z / (1.0 + (-z).exp())
}

/// Mish: z·tanh(softplus(z)).
#[activation]
fn mish(z: f64) -> f64 {
    z * softplus(z).tanh()
}

/// swish' written by hand from s = sigmoid(z): s (1 + z (1 − s)).
#[inline(always)]
fn swish_by_hand<F: Float>(z: F) -> F {
    let s = F::one() / (F::one() + (-z).exp());
    s * (F::one() + z * (F::one() - s))
}

/// mish' written by hand as the formula reads: tanh(sp) + z sigmoid(z) (1 − tanh²(sp)).
#[inline(always)]
fn mish_by_hand<F: Float>(z: F) -> F {
    let t = softplus(z).tanh();
    t + z * sigmoid(z) * (F::one() - t * t)
}

/// mish' in closed form, e^z ω / δ², with one exponential; for z > 15 it is 1 to within
/// rounding in f32 and f64 alike, and e^{3z} would overflow f32 above z ≈ 29.
#[inline(always)]
fn mish_closed_form<F: Float>(z: F) -> F {
    if z > F::of(15.0) {
        return F::one();
    }
    let e = z.exp();
    let (e2, four) = (e * e, F::of(4.0));
    let omega = four * (z + F::one()) + four * e2 + e2 * e + e * (four * z + F::of(6.0));
    let delta = F::of(2.0) * e + e2 + F::of(2.0);
    e * omega / (delta * delta)
}

/// The number of values each derivative is applied to.
const N: usize = 4096;

/// `N` values spread over [−6, 6].
fn inputs<F: Float>() -> Vec<F> {
    (0..N).map(|i| F::of(-6.0 + 12.0 * (i as f64 + 0.5) / N as f64)).collect()
}

/// Applies `f` to every input.
#[inline(always)]
fn apply<F: Float>(f: impl Fn(F) -> F, xs: &[F], out: &mut [F]) {
    for (o, &x) in out.iter_mut().zip(xs) {
        *o = f(x);
    }
}

/// The variants of one derivative: a name and the function.
type Variants<F> = Vec<(&'static str, fn(F) -> F)>;

fn swish_variants<F: Float>() -> Variants<F>
where
    Swish: Activation<F>,
{
    vec![("generated", |z| Swish.derivative(z)), ("by hand", swish_by_hand), ("Silu", |z| Silu.derivative(z))]
}

fn mish_variants<F: Float>() -> Variants<F>
where
    Mish: Activation<F>,
{
    vec![("generated", |z| Mish.derivative(z)), ("by hand", mish_by_hand), ("closed form", mish_closed_form)]
}

/// Criterion's measurement of every variant.
fn measure<F: Float>(c: &mut Criterion, name: &str, variants: &Variants<F>) {
    let xs = inputs::<F>();
    let mut out = vec![F::zero(); N];
    let mut group = c.benchmark_group(format!("{name}/{}", F::NAME));
    for &(variant, f) in variants {
        group.bench_function(BenchmarkId::from_parameter(variant), |b| {
            b.iter(|| apply(f, black_box(&xs), black_box(&mut out)));
        });
    }
    group.finish();
}

/// The shortest of 31 timings of `f` over the inputs, each of enough repetitions to last about
/// 2 ms: the least disturbed by the other work of the machine.
fn fastest<F: Float>(f: fn(F) -> F, xs: &[F]) -> Duration {
    let mut out = vec![F::zero(); N];
    let start = Instant::now();
    let mut reps = 0u32;
    while start.elapsed() < Duration::from_millis(2) {
        apply(f, black_box(xs), black_box(&mut out));
        reps += 1;
    }
    (0..31)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..reps {
                apply(f, black_box(xs), black_box(&mut out));
            }
            start.elapsed() / reps
        })
        .min()
        .unwrap_or_default()
}

/// Prints the time of each variant per value, and the generated variant's over each other's.
fn summary<F: Float>(name: &str, variants: &Variants<F>) {
    let xs = inputs::<F>();
    let times: Vec<(&str, Duration)> = variants.iter().map(|&(v, f)| (v, fastest(f, &xs))).collect();
    let Some(&(_, generated)) = times.first() else { return };
    for (variant, time) in &times {
        let per_value = time.as_secs_f64() * 1e9 / N as f64;
        let ratio = generated.as_secs_f64() / time.as_secs_f64();
        println!(
            "{name}' {:<4} {variant:<12} {per_value:6.2} ns/value   generated / this = {ratio:.2}",
            F::NAME
        );
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    measure::<f32>(&mut c, "swish", &swish_variants());
    measure::<f64>(&mut c, "swish", &swish_variants());
    measure::<f32>(&mut c, "mish", &mish_variants());
    measure::<f64>(&mut c, "mish", &mish_variants());
    c.final_summary();

    println!("\nsummary (the fastest of 31 runs of each, in this process):");
    summary::<f32>("swish", &swish_variants());
    summary::<f64>("swish", &swish_variants());
    summary::<f32>("mish", &mish_variants());
    summary::<f64>("mish", &mish_variants());
}

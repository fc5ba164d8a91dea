//! The cost `#[cost]` generates against hand-written `Cost` impls of the same loss: C and
//! δ^L = ∂C/∂z^L of a batch of 256 outputs of 10 units (`cost::evaluate` with a δ buffer, as a
//! training step calls it), in f64, for the Huber, pseudo-Huber and log-cosh losses.
//!
//! Run it with `cargo bench --bench cost`. Criterion measures every variant; then a summary
//! prints, from the medians criterion measured in this run, each generated cost's time as a
//! ratio to the hand-written one's (generated / hand-written: below 1 the generated one is
//! faster).
//!
//! The hand-written impls compute r = z − y once per output and both c and δ from it, in one
//! loop over the output, δ and target zipped: what one would write by hand. log-cosh's is
//! written with tanh, the closed form of its derivative, where `#[cost]` derives sinh/cosh.

use std::hint::black_box;

use backprop::cost::evaluate;
use backprop::ndarray::{Array2, ArrayView1, ArrayViewMut1};
use backprop::prelude::*;
use backprop::{Target, Targets};
use backprop_benches::median_ns;
use criterion::{BenchmarkId, Criterion};

/// Huber's threshold.
const DELTA: f64 = 1.0;
/// The pseudo-Huber loss's scale.
const PH: f64 = 1.5;

/// The Huber loss.
#[cost]
fn huber(z: f64, y: f64) -> f64 {
    let r = z - y;
    if r.abs() <= DELTA { 0.5 * r * r } else { DELTA * (r.abs() - 0.5 * DELTA) }
}

/// The pseudo-Huber loss.
#[cost]
fn pseudo_huber(z: f64, y: f64) -> f64 {
    let u = (z - y) / PH;
    PH * PH * ((1.0 + u * u).sqrt() - 1.0)
}

/// log cosh(z − y).
#[cost]
fn log_cosh(z: f64, y: f64) -> f64 {
    (z - y).cosh().ln()
}

/// The sum over a sample's outputs of c(z_j − y_j), with δ_j written when asked, `per_output`
/// giving c and δ of one output from r = z − y: the loop a hand-written per-output cost has.
#[inline(always)]
fn by_hand(
    z: ArrayView1<'_, f64>,
    target: &Target<'_, f64>,
    delta: Option<ArrayViewMut1<'_, f64>>,
    per_output: impl Fn(f64) -> (f64, f64),
) -> f64 {
    let mut cost = 0.0;
    match (delta, target) {
        (Some(mut delta), Target::Values(y)) => {
            for ((d, &zj), &yj) in delta.iter_mut().zip(&z).zip(y) {
                let (c, dc) = per_output(zj - yj);
                cost += c;
                *d = dc;
            }
        }
        _ => {
            for (j, &zj) in z.iter().enumerate() {
                cost += per_output(zj - target.value(j)).0;
            }
        }
    }
    cost
}

/// Defines a hand-written cost from the c and δ of one output.
macro_rules! hand_written {
    ($name:ident, $per_output:expr) => {
        #[doc = concat!("The ", stringify!($name), " loss written by hand.")]
        #[derive(Clone, Copy, Debug, Default)]
        struct $name;

        impl Cost<f64> for $name {
            const NAME: &'static str = stringify!($name);
            const CLASSIFICATION: bool = false;

            fn sample(
                &self,
                z: ArrayView1<'_, f64>,
                target: &Target<'_, f64>,
                delta: Option<ArrayViewMut1<'_, f64>>,
            ) -> f64 {
                by_hand(z, target, delta, $per_output)
            }
        }
    };
}

hand_written!(HuberByHand, |r| if r.abs() <= DELTA {
    (0.5 * r * r, r)
} else {
    (DELTA * (r.abs() - 0.5 * DELTA), DELTA * r.signum())
});
hand_written!(PseudoHuberByHand, |r| {
    let s = (1.0 + (r / PH) * (r / PH)).sqrt();
    (PH * PH * (s - 1.0), r / s)
});
hand_written!(LogCoshByHand, |r| (r.cosh().ln(), r.tanh()));

/// The batch's rows and outputs.
const SHAPE: (usize, usize) = (256, 10);

/// Outputs and targets spread so that both branches of Huber's loss are taken.
fn batch() -> (Array2<f64>, Array2<f64>) {
    let z = Array2::from_shape_fn(SHAPE, |(i, j)| ((i * 10 + j) as f64 * 0.37).sin() * 3.0);
    let y = Array2::from_shape_fn(SHAPE, |(i, j)| ((i + 7 * j) as f64 * 0.91).cos());
    (z, y)
}

/// The losses, each generated and by hand.
const LOSSES: [&str; 3] = ["huber", "pseudo_huber", "log_cosh"];

/// Measures C and δ of the batch under cost `C`, as `cost/<loss>/<variant>`.
fn measure<C: Cost<f64>>(c: &mut Criterion, loss: &str, variant: &str) {
    let (z, y) = batch();
    let mut delta = Array2::zeros(SHAPE);
    let mut group = c.benchmark_group("cost");
    group.bench_function(BenchmarkId::new(loss, variant), |b| {
        b.iter(|| {
            evaluate(&C::default(), black_box(z.view()), Targets::from(black_box(&y)), Some(delta.view_mut()))
        });
    });
    group.finish();
}

/// C and δ of the batch under cost `C`.
fn values<C: Cost<f64>>() -> (f64, Array2<f64>) {
    let (z, y) = batch();
    let mut delta = Array2::zeros(SHAPE);
    let cost =
        evaluate(&C::default(), z.view(), Targets::from(&y), Some(delta.view_mut())).unwrap_or(f64::NAN);
    (cost, delta)
}

/// Panics unless the generated and the hand-written cost agree to rounding: a benchmark of two
/// different computations would measure nothing.
fn agree<A: Cost<f64>, B: Cost<f64>>() {
    let ((ca, da), (cb, db)) = (values::<A>(), values::<B>());
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + b.abs());
    assert!(
        close(ca, cb) && da.iter().zip(&db).all(|(&a, &b)| close(a, b)),
        "{} and {} differ",
        A::NAME,
        B::NAME
    );
}

fn main() {
    agree::<Huber, HuberByHand>();
    agree::<PseudoHuber, PseudoHuberByHand>();
    agree::<LogCosh, LogCoshByHand>();
    let mut c = Criterion::default().configure_from_args();
    measure::<Huber>(&mut c, "huber", "generated");
    measure::<HuberByHand>(&mut c, "huber", "by_hand");
    measure::<PseudoHuber>(&mut c, "pseudo_huber", "generated");
    measure::<PseudoHuberByHand>(&mut c, "pseudo_huber", "by_hand");
    measure::<LogCosh>(&mut c, "log_cosh", "generated");
    measure::<LogCoshByHand>(&mut c, "log_cosh", "by_hand");
    c.final_summary();

    println!("\nsummary (criterion's medians of this run; C and δ of a 256×10 batch, f64):");
    for loss in LOSSES {
        let [generated, hand] = ["generated", "by_hand"].map(|v| median_ns(&format!("cost/{loss}/{v}")));
        if let (Some(g), Some(h)) = (generated, hand) {
            println!(
                "{loss:<13} generated {:8.2} µs   by hand {:8.2} µs   generated / by hand = {:.2}",
                g / 1e3,
                h / 1e3,
                g / h
            );
        }
    }
}

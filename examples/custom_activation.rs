//! Declares two activations with `#[activation]`, prints the derivatives the macro derived from
//! their bodies, checks them against finite differences at a few points, then trains a small
//! network with one of them to fit sin x on [−π, π].
//!
//! Run it with `cargo run --release --example custom_activation`.

use std::f64::consts::PI;

use backprop::activation::softplus;
use backprop::ndarray::Array2;
use backprop::prelude::*;

/// Swish (Ramachandran, Zoph & Le, "Searching for Activation Functions", 2017): z·sigmoid(z).
#[activation]
pub fn swish(z: f64) -> f64 {
    z / (1.0 + (-z).exp())
}

/// Mish (Misra, "Mish: A Self Regularized Non-Monotonic Activation Function", BMVC 2020):
/// z·tanh(softplus(z)).
#[activation]
pub fn mish(z: f64) -> f64 {
    z * softplus(z).tanh()
}

network! {
    /// One input, sixteen swish units, one output.
    pub struct Sine<f64> {
        input: 1,
        hidden: 16 => Swish,
        out: 1,
        cost: Mse,
    }
}

/// Full-batch gradient-descent steps.
const EPOCHS: usize = 5000;

/// The derivative of `f` at `z` by the central difference (f(z + h) − f(z − h)) / 2h.
fn central_difference(f: fn(f64) -> f64, z: f64) -> f64 {
    let h = 1e-5;
    (f(z + h) - f(z - h)) / (2.0 * h)
}

/// Prints the formulas of `activation`, and σ, σ' and a finite difference of `f` at a few points.
fn show<A: Activation<f64>>(activation: A, f: fn(f64) -> f64, formula: &str, derivative: &str) {
    println!("{formula}\n{derivative}\n");
    println!("     z       σ(z)      σ'(z)  finite difference");
    for z in [-3.0, -1.0, 0.0, 0.5, 2.0] {
        let (a, d, fd) = (activation.apply(z), activation.derivative(z), central_difference(f, z));
        println!("{z:>6.2} {a:>10.6} {d:>10.6} {fd:>18.6}");
    }
    println!();
}

fn main() -> Result<(), backprop::Error> {
    show(Swish, swish, Swish::FORMULA, Swish::DERIVATIVE);
    show(Mish, mish, Mish::FORMULA, Mish::DERIVATIVE);

    // 64 points of sin x on [−π, π].
    let x = Array2::from_shape_fn((64, 1), |(i, _)| -PI + 2.0 * PI * i as f64 / 63.0);
    let y = x.mapv(f64::sin);
    let mut net = Sine::with_seed(7);
    let mut sgd = Sgd::new(0.05)?;
    println!("epoch  cost");
    for epoch in 0..=EPOCHS {
        let (cost, gradients) = net.backward(x.view(), &y)?;
        if epoch % 1000 == 0 {
            println!("{epoch:>5}  {cost:.3e}");
        }
        sgd.step(&mut net, &gradients)?;
    }

    let prediction = net.forward(x.view())?;
    println!("\n     x    sin x  prediction");
    for i in (0..64).step_by(9) {
        println!("{:>6.2} {:>8.4} {:>11.4}", x[[i, 0]], y[[i, 0]], prediction[[i, 0]]);
    }
    println!("\nfinal cost: {:.3e}", net.cost(x.view(), &y)?);
    Ok(())
}

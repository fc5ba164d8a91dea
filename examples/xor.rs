//! Learns XOR with a 2-4-1 network declared with `network!`, trained by plain gradient descent
//! on the four points, then prints the four predictions and the final cost.
//!
//! Run it with `cargo run --release --example xor`.

use backprop::ndarray::array;
use backprop::prelude::*;

network! {
    /// Two inputs, four tanh units, one output: the smallest network that learns XOR.
    pub struct Xor<f64> {
        input: 2,
        hidden: 4 => Tanh,
        out: 1,
        cost: Mse,
    }
}

/// Full-batch gradient-descent steps.
const EPOCHS: usize = 1000;

fn main() -> Result<(), backprop::Error> {
    let x = array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
    let y = array![[0.0], [1.0], [1.0], [0.0]];

    let mut net = Xor::with_seed(42);
    // η = 0.2: with η = 0.5 the cost first falls faster, then climbs again from 1e-16, because
    // the curvature of the cost at the minimum it finds exceeds 2/η, the limit of stability of
    // gradient descent.
    let mut sgd = Sgd::new(0.2)?;
    println!("epoch  cost");
    for epoch in 0..=EPOCHS {
        let (cost, gradients) = net.backward(x.view(), &y)?;
        if epoch % 100 == 0 {
            println!("{epoch:>5}  {cost:.3e}");
        }
        sgd.step(&mut net, &gradients)?;
    }

    let prediction = net.forward(x.view())?;
    println!("\n x1  x2  target  prediction");
    for ((input, target), output) in x.rows().into_iter().zip(y.rows()).zip(prediction.rows()) {
        println!("{:>3} {:>3} {:>7} {:>11.4}", input[0], input[1], target[0], output[0]);
    }
    println!("\nfinal cost: {:.3e}", net.cost(x.view(), &y)?);
    Ok(())
}

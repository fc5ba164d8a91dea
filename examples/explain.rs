//! Shows what the xor network computes, in the paper's terms: its equations, its circuit of
//! gates, and the values of z, a and δ of every layer for one sample, to read beside them.
//!
//! Run it with `cargo run --release --example explain`. It writes the circuit to
//! `target/xor-circuit.dot` and, if Graphviz's `dot` is installed (Debian: `apt install
//! graphviz`), draws it as `target/xor-circuit.svg` (the picture in the README).

use std::path::Path;
use std::process::Command;

use backprop::ndarray::array;
use backprop::prelude::*;

network! {
    /// Two inputs, four tanh units, one output: the network of the `xor` example.
    pub struct Xor<f64> {
        input: 2,
        hidden: 4 => Tanh,
        out: 1,
        cost: Mse,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("{}", Xor::equations());

    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&target)?;
    let (dot, svg) = (target.join("xor-circuit.dot"), target.join("xor-circuit.svg"));
    std::fs::write(&dot, Xor::circuit_dot())?;
    println!("The circuit: {}", dot.display());
    match Command::new("dot").arg("-Tsvg").arg(&dot).arg("-o").arg(&svg).status() {
        Ok(status) if status.success() => println!("drawn by Graphviz: {}", svg.display()),
        Ok(status) => println!("Graphviz's dot failed ({status}); the DOT file is above"),
        Err(_) => println!("(install Graphviz, e.g. `apt install graphviz`, to draw it as an SVG)"),
    }

    // The values the equations take for one sample, before training: a⁰ = x = (1, 0), y = 1.
    let net = Xor::with_seed(42);
    let (x, y) = (array![[1.0, 0.0]], array![[1.0]]);
    println!("\nThe forward pass for x = (1, 0), with the weights of Xor::with_seed(42):");
    print!("{}", net.forward_trace(x.view())?);
    println!("\nThe backward pass for the target y = 1, from δ² down:");
    print!("{}", net.backward_trace(x.view(), &y)?);
    Ok(())
}

use backprop::prelude::*;

#[activation]
fn clipped(z: f64) -> f64 {
    let y = if z > 0.0 { z } else if z > -1.0 { 0.5 * z };
    y
}

fn main() {}

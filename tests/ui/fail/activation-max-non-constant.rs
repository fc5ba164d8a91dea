use backprop::prelude::*;

#[activation]
fn leaky(z: f64) -> f64 {
    z.max(0.01 * z)
}

fn main() {}

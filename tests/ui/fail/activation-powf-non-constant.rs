use backprop::prelude::*;

/// An exponent: `powi` needs it written as a literal.
const N: i32 = 3;

#[activation]
fn self_power(z: f64) -> f64 {
    z.powf(z)
}

#[activation]
fn cubed(z: f64) -> f64 {
    z.powi(N)
}

fn main() {}

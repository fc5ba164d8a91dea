use backprop::prelude::*;

#[activation]
fn sign(z: f64) -> f64 {
    match z > 0.0 {
        true => z,
        false => 0.0,
    }
}

fn main() {}

use backprop::prelude::*;

#[activation]
fn rebinding(z: f64) -> f64 {
    let (a, b) = (z, 2.0 * z);
    let mut c = a;
    c = c + b;
    c
}

fn main() {}

use backprop::prelude::*;

#[activation]
fn twice(z: f64) -> f64 {
    let square = |x: f64| x * x;
    square(z)
}

fn main() {}

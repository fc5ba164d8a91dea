use backprop::prelude::*;

#[activation]
fn by_ref(z: &f64) -> f64 {
    *z
}

#[activation]
fn integer(n: i32) -> f64 {
    n as f64
}

#[activation]
fn generic<F: backprop::Float>(z: F) -> F {
    z
}

fn main() {}

use backprop::prelude::*;

#[activation]
fn series(z: f64) -> f64 {
    let mut sum = 0.0;
    for k in 1..4 {
        sum += z / k as f64;
    }
    sum
}

#[activation]
fn spin(z: f64) -> f64 {
    loop {
        return z;
    }
}

#[activation]
fn wait(z: f64) -> f64 {
    while z > 0.0 {}
    z
}

fn main() {}

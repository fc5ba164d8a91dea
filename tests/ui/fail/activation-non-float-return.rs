use backprop::prelude::*;

#[activation]
fn positive(z: f64) -> bool {
    z > 0.0
}

#[activation]
fn narrowed(z: f64) -> f32 {
    z as f32
}

#[activation]
fn unit(z: f64) {
    let _ = z;
}

fn main() {}

use backprop::prelude::*;

#[activation]
fn stepped(z: f64) -> f64 {
    z.floor() + z.exp_m1() + z.atan2(1.0)
}

fn main() {}

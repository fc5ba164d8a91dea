use backprop::prelude::*;

#[activation(int = He)]
fn misspelled(z: f64) -> f64 {
    z
}

#[activation(init = Xavier)]
fn unknown_rule(z: f64) -> f64 {
    z
}

#[activation(derivative = 1.0)]
fn by_hand(z: f64) -> f64 {
    z
}

fn main() {}

use backprop::prelude::*;

struct NotAnActivation;

#[derive(Backprop)]
#[backprop(cost = Mse)]
struct Net {
    hidden: Dense<f32, 4, 8, NotAnActivation>,
    out: Dense<f32, 8, 2>,
}

fn main() {}

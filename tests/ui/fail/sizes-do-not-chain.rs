use backprop::prelude::*;

#[derive(Backprop)]
#[backprop(cost = Mse)]
struct Net {
    hidden: Dense<f32, 4, 8, Relu>,
    out: Dense<f32, 16, 2>,
}

fn main() {}

use backprop::prelude::*;

#[derive(Backprop)]
#[backprop(cost = Mse)]
struct Net {
    hidden: Dense<f32, 4, 8, Relu>,
    x: Vec<f32>,
    out: Dense<f32, 8, 2>,
}

fn main() {}

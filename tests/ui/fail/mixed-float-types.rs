use backprop::prelude::*;

#[derive(Backprop)]
#[backprop(cost = Mse)]
struct Net {
    hidden: Dense<f32, 4, 8, Relu>,
    out: Dense<f64, 8, 2>,
}

fn main() {}

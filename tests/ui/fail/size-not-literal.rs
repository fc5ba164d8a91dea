use backprop::prelude::*;

const N: usize = 8;

#[derive(Backprop)]
#[backprop(cost = Mse)]
struct Net {
    hidden: Dense<f32, N, 4, Relu>,
    out: Dense<f32, 4, 2>,
}

fn main() {}

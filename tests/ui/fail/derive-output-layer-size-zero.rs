use backprop::prelude::*;

#[derive(Backprop)]
#[backprop(cost = Mse)]
struct Net {
    hidden: Dense<f32, 4, 8, Relu>,
    out: Dense<f32, 8, 0>,
}

fn main() {}

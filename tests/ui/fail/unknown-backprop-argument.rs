use backprop::prelude::*;

#[derive(Backprop)]
#[backprop(cots = Mse)]
struct Misspelled {
    hidden: Dense<f32, 4, 8, Relu>,
    out: Dense<f32, 8, 2>,
}

#[derive(Backprop)]
#[backprop(cost = Mse, lr = 0.1)]
struct Extra {
    hidden: Dense<f32, 4, 8, Relu>,
    out: Dense<f32, 8, 2>,
}

#[derive(Backprop)]
#[backprop(learning_rate = 0.1)]
struct NoCost {
    hidden: Dense<f32, 4, 8, Relu>,
    out: Dense<f32, 8, 2>,
}

fn main() {}

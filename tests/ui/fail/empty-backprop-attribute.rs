use backprop::prelude::*;

#[derive(Backprop)]
#[backprop()]
struct Empty {
    out: Dense<f32, 4, 2>,
}

#[derive(Backprop)]
#[backprop]
struct Bare {
    out: Dense<f32, 4, 2>,
}

#[derive(Backprop)]
#[backprop(cost)]
struct NoValue {
    out: Dense<f32, 4, 2>,
}

fn main() {}

use backprop::prelude::*;

struct NotACost;

#[derive(Backprop)]
#[backprop(cost = NotACost)]
struct Net {
    hidden: Dense<f64, 4, 8, Relu>,
    out: Dense<f64, 8, 2>,
}

fn main() {}

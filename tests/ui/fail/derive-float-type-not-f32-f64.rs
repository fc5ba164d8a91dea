use backprop::prelude::*;

#[derive(Backprop)]
#[backprop(cost = Mse)]
struct Net {
    hidden: Dense<i32, 4, 8, Relu>,
    out: Dense<i32, 8, 2>,
}

fn main() {}

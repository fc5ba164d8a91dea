use backprop::prelude::*;

#[derive(Backprop)]
#[backprop(cost = Mse)]
struct Net<F> {
    hidden: Dense<F, 4, 8, Relu>,
    out: Dense<F, 8, 2>,
}

fn main() {}

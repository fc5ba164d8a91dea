use backprop::prelude::*;

#[derive(Backprop)]
struct Net {
    hidden: Dense<f32, 4, 8, Relu>,
    out: Dense<f32, 8, 2>,
}

fn main() {}

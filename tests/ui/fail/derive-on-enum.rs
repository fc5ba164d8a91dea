use backprop::prelude::*;

#[derive(Backprop)]
#[backprop(cost = Mse)]
enum Net {
    Hidden(Dense<f32, 4, 8, Relu>),
    Out(Dense<f32, 8, 2>),
}

fn main() {}

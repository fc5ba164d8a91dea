use backprop::prelude::*;

#[derive(Backprop)]
#[backprop(cost = Mse)]
struct Net(Dense<f32, 4, 8, Relu>, Dense<f32, 8, 2>);

fn main() {}

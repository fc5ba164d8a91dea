use backprop::prelude::*;

#[derive(Backprop)]
#[backprop(cost = Mse)]
struct Net {}

fn main() {}

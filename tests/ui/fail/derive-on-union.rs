use backprop::prelude::*;

#[derive(Backprop)]
#[backprop(cost = Mse)]
union Net {
    a: u32,
    b: f32,
}

fn main() {}

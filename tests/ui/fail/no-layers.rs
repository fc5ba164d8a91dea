use backprop::prelude::*;

network! {
    struct Net<f32> {
        input: 4,
        cost: Mse,
    }
}

fn main() {}

use backprop::prelude::*;

network! {
    struct Net<f32> {
        input: 4,
        hidden: Relu,
        out: 2,
        cost: Mse,
    }
}

fn main() {}

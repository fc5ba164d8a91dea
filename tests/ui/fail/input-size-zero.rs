use backprop::prelude::*;

network! {
    struct Net<f32> {
        input: 0,
        hidden: 8 => Relu,
        out: 2,
        cost: Mse,
    }
}

fn main() {}

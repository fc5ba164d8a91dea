use backprop::prelude::*;

network! {
    struct Net<f32> {
        input: 4,
        hidden: 8 => Relu,
        out: 2,
        cots: Mse,
    }
}

fn main() {}

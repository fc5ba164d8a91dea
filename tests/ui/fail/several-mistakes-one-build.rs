use backprop::prelude::*;

network! {
    struct Net<f32> {
        inptu: 4,
        hidden: 0 => Relu,
        hidden: 8 => Relu,
        out: 2,
        cost: Mse,
    }
}

fn main() {}

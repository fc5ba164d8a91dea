use backprop::prelude::*;

struct NotAnActivation;

network! {
    struct Net<f32> {
        input: 4,
        hidden: 8 => NotAnActivation,
        out: 2,
        cost: Mse,
    }
}

fn main() {}

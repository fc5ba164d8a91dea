use backprop::prelude::*;

network! {
    struct Net<f32> {
        input: 4,
        hidden: 8 => Reul,
        out: 2,
        cost: Mse,
    }
}

fn main() {}

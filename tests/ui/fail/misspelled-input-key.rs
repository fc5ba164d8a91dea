use backprop::prelude::*;

network! {
    struct Net<f32> {
        inptu: 784,
        hidden: 128 => Relu,
        out: 10,
        cost: SoftmaxCrossEntropy,
    }
}

fn main() {}

//! The network of the `fashion_mnist` and `predict` examples, declared once for both.

use backprop::prelude::*;

network! {
    /// A 28×28 grey image in, one logit per class out.
    pub struct Fashion<f32> {
        input: 784,
        hidden1: 256 => Relu,
        hidden2: 128 => Relu,
        logits: 10,
        cost: SoftmaxCrossEntropy,
    }
}

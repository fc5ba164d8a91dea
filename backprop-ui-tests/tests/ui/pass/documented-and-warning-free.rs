//! A crate that denies missing docs and every warning, and forbids unsafe code, can declare
//! public networks: everything the macros generate is documented, lint-free and safe (the
//! one-sample path of these small networks included, whose dispatch to wider vector
//! instructions lives in the library).
#![deny(missing_docs, warnings)]
#![forbid(unsafe_code)]

use backprop::prelude::*;

network! {
    /// A documented network.
    pub struct Declared<f64> {
        input: 3,
        hidden: 5 => LeakyRelu,
        out: 2,
        cost: BinaryCrossEntropy,
    }
}

/// A documented derived network.
#[derive(Backprop)]
#[backprop(cost = MulticlassHinge)]
pub struct Derived {
    /// The hidden layer.
    pub hidden: Dense<f32, 3, 5, Elu>,
    /// The output layer.
    pub out: Dense<f32, 5, 2>,
}

/// A private network, used only through its trait.
#[derive(Backprop)]
#[backprop(cost = Mse)]
struct Private {
    only: Dense<f32, 2, 1>,
}

fn main() {
    let _ = Declared::with_seed(0);
    let _ = Derived::with_seed(0);
    let private = Private::with_seed(0);
    let _ = private.forward(backprop::ndarray::Array2::zeros((1, 2)).view());
}

//! The network of the `iris` and `iris_predict` examples, declared once for both, and the file
//! the one saves and the other loads.

use std::path::PathBuf;

use backprop::prelude::*;

network! {
    /// Sepal length and width, petal length and width in (standardised); one logit per species
    /// out.
    pub struct Iris<f64> {
        input: 4,
        hidden: 16 => Tanh,
        logits: 3,
        cost: SoftmaxCrossEntropy,
    }
}

/// `target/iris.safetensors`: the trained network and its input standardisation.
pub fn model_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("iris.safetensors")
}

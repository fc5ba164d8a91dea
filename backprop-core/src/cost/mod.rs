//! Costs C and their gradients δ^L = ∂C/∂z^L, the paper's equation (1).
//!
//! The paper leaves the cost open ("like cross-entropy or multiclass SVM loss", section 5) and
//! only needs δ^L from it. A cost here is defined per sample and averaged over the batch,
//! C = (1/n) Σ_i C_i, so δ^L of sample i is (1/n) ∂C_i/∂z_i^L. Each built-in cost lives in its
//! own file with its formula; all of them take the logits z^L directly and are stable for any
//! finite logits.
//!
//! Each cost is in two halves, split along what needs the standard library: its type, formula
//! and [`Prediction`] (on a slice, no allocation) in `cost/<name>.rs`, and its [`Cost`]
//! implementation (C_i and δ on ndarray rows, for training) in `cost/batch/<name>.rs`, with
//! the `std` feature.

mod binary_cross_entropy;
mod mse;
mod multiclass_hinge;
mod prediction;
mod softmax_cross_entropy;

#[cfg(feature = "std")]
mod batch;

pub use binary_cross_entropy::BinaryCrossEntropy;
pub use mse::Mse;
pub use multiclass_hinge::MulticlassHinge;
pub use prediction::Prediction;
pub(crate) use prediction::argmax;
pub use softmax_cross_entropy::SoftmaxCrossEntropy;

#[cfg(feature = "std")]
pub(crate) use batch::cost_in;
#[cfg(feature = "std")]
pub use batch::{Cost, CostFormulas, check_labels, evaluate, sigmoid_in_place};

//! What `benches/fixed.rs` and `benches/callgrind_fixed.rs` share (included by `#[path]`): the
//! two networks, the inputs, and the hand-written forward pass of a network on fixed-size arrays
//! that both measure the generated code against.
//!
//! The hand-written pass is the plain loops one would write for inference on `[[f32; IN]; OUT]`
//! arrays: each z_j = b_j + Σ_k w_jk x_k as a straightforward dot product (one chain, in the
//! order of k), then σ, then softmax (the cost's prediction), with no checks. It computes the
//! same function as `predict_one`: ReLU as `max(z, 0)`, tanh by the library's `Tanh` (the
//! rational approximation every `f32` network uses, not the C library's `tanhf`), and softmax
//! as `SoftmaxCrossEntropy` predicts it (e^{z_j − m} / Σ_k e^{z_k − m}); only the order of each
//! sum differs.
//!
//! Every way of predicting is a function of its own, never inlined, so that each pays the same
//! call and none is folded into the loop that measures it (and callgrind can count each on its
//! own, `--toggle-collect`).

use backprop::Workspace;
use backprop::ndarray::{ArrayView2, ArrayViewMut1};
use backprop::prelude::*;

#[path = "../examples/shared/fashion.rs"]
mod fashion;
pub use fashion::{Fashion, FashionFixed};

network! {
    /// The `tiny` workload of `benches/training.rs`.
    #[derive(Clone)]
    pub struct Tiny<f32> { input: 4, hidden: 16 => Tanh, logits: 3, cost: SoftmaxCrossEntropy }
}

/// The number of different inputs a benchmark cycles through.
pub const SAMPLES: usize = 64;

/// `SAMPLES` inputs of `N` values, deterministic: in [−2, 2] for `tiny` (`scale` 2, `offset`
/// 0), in [0, 1] for the Fashion images (`scale` 0.5, `offset` 0.5).
pub fn inputs<const N: usize>(scale: f32, offset: f32) -> Vec<[f32; N]> {
    (0..SAMPLES)
        .map(|i| core::array::from_fn(|k| offset + scale * ((i * N + k) as f32 * 0.618).sin()))
        .collect()
}

/// One layer by hand: σ(b_j + Σ_k w_jk x_k) for each unit j, the sum in one chain.
#[inline(always)]
fn layer<const IN: usize, const OUT: usize>(
    weight: &[[f32; IN]; OUT],
    bias: &[f32; OUT],
    x: &[f32; IN],
    sigma: impl Fn(f32) -> f32,
) -> [f32; OUT] {
    let mut a = [0.0; OUT];
    for ((a, row), &b) in a.iter_mut().zip(weight).zip(bias) {
        let z = row.iter().zip(x).fold(b, |s, (&w, &x)| s + w * x);
        *a = sigma(z);
    }
    a
}

/// softmax(z) by hand: e^{z_j − m} / Σ_k e^{z_k − m}, m = max_k z_k.
#[inline(always)]
fn softmax<const N: usize>(mut z: [f32; N]) -> [f32; N] {
    let m = z.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    let mut sum = 0.0;
    for v in &mut z {
        *v = (*v - m).exp();
        sum += *v;
    }
    z.map(|v| v / sum)
}

/// The ReLU of the hand-written pass.
#[inline(always)]
fn relu(z: f32) -> f32 {
    z.max(0.0)
}

/// `tiny`'s prediction by the fixed-size network, `TinyFixed::predict_one`.
#[inline(never)]
pub fn tiny_fixed(net: &TinyFixed, x: &[f32; 4]) -> [f32; 3] {
    net.predict_one(x)
}

/// `tiny`'s prediction by the network's own `predict_one`.
#[inline(never)]
pub fn tiny_std(net: &Tiny, x: &[f32; 4]) -> Result<[f32; 3], backprop::Error> {
    net.predict_one(x)
}

/// The Fashion network's prediction by the fixed-size network, `FashionFixed::predict_one`.
#[inline(never)]
pub fn fashion_fixed(net: &FashionFixed, x: &[f32; 784]) -> [f32; 10] {
    net.predict_one(x)
}

/// The Fashion network's prediction by the network's own `predict_one`.
#[inline(never)]
pub fn fashion_std(net: &Fashion, x: &[f32; 784]) -> Result<[f32; 10], backprop::Error> {
    net.predict_one(x)
}

/// `tiny`'s prediction by `Predict::predict` of a batch of one row: the path `predict_one`
/// took before the fixed-size networks, and still takes for what its fast path refuses.
#[inline(never)]
pub fn tiny_predict(net: &Tiny, x: &[f32; 4]) -> Result<[f32; 3], backprop::Error> {
    backprop::inference::predict_one::<f32, Tiny, 4, 3>(net, x)
}

/// The Fashion network's prediction by `Predict::predict` of a batch of one row.
#[inline(never)]
pub fn fashion_predict(net: &Fashion, x: &[f32; 784]) -> Result<[f32; 10], backprop::Error> {
    backprop::inference::predict_one::<f32, Fashion, 784, 10>(net, x)
}

/// `tiny`'s prediction by hand, on the arrays of `net`.
#[inline(never)]
pub fn tiny_by_hand(net: &TinyFixed, x: &[f32; 4]) -> [f32; 3] {
    let a1 = layer(&net.hidden.weight, &net.hidden.bias, x, |z| Tanh.apply(z));
    softmax(layer(&net.logits.weight, &net.logits.bias, &a1, |z| z))
}

/// The Fashion network's prediction by hand, on the arrays of `net`.
#[inline(never)]
pub fn fashion_by_hand(net: &FashionFixed, x: &[f32; 784]) -> [f32; 10] {
    let a1 = layer(&net.hidden1.weight, &net.hidden1.bias, x, relu);
    let a2 = layer(&net.hidden2.weight, &net.hidden2.bias, &a1, relu);
    softmax(layer(&net.logits.weight, &net.logits.bias, &a2, |z| z))
}

/// A prediction as `Predict::predict` makes it for a batch of one row, without the allocations:
/// `forward_in` of the row in the reused `workspace`, then the cost's prediction of its output
/// (`Cost::predict_in_place`, softmax here) in an array.
#[inline(always)]
fn forward_in_predict<N: Network<f32>, const IN: usize, const OUT: usize>(
    net: &N,
    x: &[f32; IN],
    workspace: &mut Workspace<f32, N::Gradients>,
) -> Result<[f32; OUT], backprop::Error> {
    let z = net.forward_in(ArrayView2::from_shape((1, IN), x.as_slice())?, workspace)?;
    let mut p = [0.0; OUT];
    p.iter_mut().zip(&z).for_each(|(p, &z)| *p = z);
    N::Cost::default().predict_in_place(ArrayViewMut1::from(&mut p[..]));
    Ok(p)
}

/// `tiny`'s prediction by `forward_in` of a batch of one row, in a reused workspace.
#[inline(never)]
pub fn tiny_forward_in(
    net: &Tiny,
    x: &[f32; 4],
    workspace: &mut Workspace<f32, <Tiny as Network<f32>>::Gradients>,
) -> Result<[f32; 3], backprop::Error> {
    forward_in_predict(net, x, workspace)
}

/// The Fashion network's prediction by `forward_in` of a batch of one row, in a reused workspace.
#[inline(never)]
pub fn fashion_forward_in(
    net: &Fashion,
    x: &[f32; 784],
    workspace: &mut Workspace<f32, <Fashion as Network<f32>>::Gradients>,
) -> Result<[f32; 10], backprop::Error> {
    forward_in_predict(net, x, workspace)
}

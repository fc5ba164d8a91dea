//! Proves that `backprop` builds with neither the standard library nor an allocator.
//!
//! This crate is `#![no_std]`, has no `extern crate alloc`, and depends on `backprop` with
//! `default-features = false`, so that `backprop` and `backprop-core` are built without their
//! `std` feature, `#![no_std]` themselves. It uses what that build offers: [`Float`], the
//! activations (σ and σ'), a cost's prediction on an array ([`Prediction`]) and the kernels of
//! a layer for one sample ([`OneSample`]), put together as the forward pass of a small
//! classifier, [`tiny_predict`]; and the same classifier declared with `network!`, whose
//! fixed-size network, [`TINY`], is a `static`.
//!
//! A `#![no_std]` library still compiles on the host when a dependency links `std`; with the
//! feature `panic-handler` it defines the panic handler a program without `std` must, and then
//! it does not: `cargo build -p backprop-no-std-check --features panic-handler` is the proof on
//! any target, which `.ci/run` builds.
//!
//! Its tests (`tests/`) run with `std` and compare these results with the `std` build's API bit
//! for bit, and measure where `libm`'s functions, which this build's `Float` calls, differ from
//! the standard library's; the program `grid` (feature `grid`) prints the activations and
//! [`tiny_predict`] on a grid, to compare the two builds. On a target without `std`, where it
//! is installed:
//!
//! ```text
//! cargo build -p backprop-no-std-check --target thumbv7em-none-eabihf
//! ```

#![no_std]

use backprop::{
    Activation, FixedDense, FixedNetwork, Float, Identity, OneSample, Prediction, Relu, SoftmaxCrossEntropy,
    Tanh, network,
};

/// σ(z), σ'(z), and σ'(z) from a = σ(z) as the backward pass computes it
/// ([`Activation::derivative_at`]).
pub fn activation<F: Float, A: Activation<F>>(sigma: &A, z: F) -> [F; 3] {
    let a = sigma.apply(z);
    [a, sigma.derivative(z), sigma.derivative_at(z, a)]
}

/// What `cost` predicts for the output `z` of one sample ([`Prediction::predict_slice`]).
pub fn prediction<F: Float, C: Prediction<F>, const N: usize>(cost: &C, mut z: [F; N]) -> [F; N] {
    cost.predict_slice(&mut z);
    z
}

/// W¹ of [`tiny_predict`]'s hidden layer: 3 units, 2 inputs (row j holds w_j1, w_j2).
pub const HIDDEN_WEIGHT: [[f64; 2]; 3] = [[0.5, -1.25], [2.0, 0.75], [-0.375, 1.5]];
/// b¹ of [`tiny_predict`]'s hidden layer.
pub const HIDDEN_BIAS: [f64; 3] = [0.125, -0.5, 0.25];
/// W² of [`tiny_predict`]'s output layer: 2 units, 3 inputs.
pub const OUTPUT_WEIGHT: [[f64; 3]; 2] = [[1.0, -0.5, 0.625], [-1.5, 0.25, 2.0]];
/// b² of [`tiny_predict`]'s output layer.
pub const OUTPUT_BIAS: [f64; 2] = [0.0, -0.25];

/// The prediction of a 2 → 3 (tanh) → 2 classifier with softmax cross-entropy for one sample:
/// the probabilities of its two classes. The weights are the constants above, in `F`; every
/// value lives on the stack.
///
/// `None` if a layer's weighted input z is not finite, as for a non-finite input (where the
/// `std` network's `predict_one` returns an error; the kernels report it, see
/// [`OneSample::infer`], the kernel of `predict_one`), or if a layer's weights did not have its
/// sizes, which they do.
pub fn tiny_predict<F: Float>(x: &[F; 2]) -> Option<[F; 2]> {
    let w1: [F; 6] = core::array::from_fn(|i| F::of(HIDDEN_WEIGHT[i / 2][i % 2]));
    let b1 = HIDDEN_BIAS.map(F::of);
    let w2: [F; 6] = core::array::from_fn(|i| F::of(OUTPUT_WEIGHT[i / 3][i % 3]));
    let b2 = OUTPUT_BIAS.map(F::of);
    let hidden = OneSample::<F, 2, 3, Tanh>::new(&w1, &b1, &Tanh)?;
    let output = OneSample::<F, 3, 2, Identity>::new(&w2, &b2, &Identity)?;
    let (mut z1, mut a1) = ([F::zero(); 3], [F::zero(); 3]);
    let (mut z2, mut a2) = ([F::zero(); 2], [F::zero(); 2]);
    let finite = hidden.infer(x, &mut z1, &mut a1) && output.infer(&a1, &mut z2, &mut a2);
    finite.then(|| prediction(&SoftmaxCrossEntropy, a2))
}

/// The panic handler a program without `std` defines (the feature `panic-handler`): a second
/// one, `std`'s, anywhere in the dependency graph is a compile error.
#[cfg(feature = "panic-handler")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}

network! {
    /// [`tiny_predict`]'s classifier, declared as a `std` crate declares it: without `std`,
    /// `network!` generates only `TinyFixed`, the network with its weights in arrays.
    pub struct Tiny<f64> { input: 2, hidden: 3 => Tanh, out: 2, cost: SoftmaxCrossEntropy }
}

/// [`tiny_predict`]'s weights as a `TinyFixed` in a `static`: in read-only memory, built when the
/// crate compiles.
pub static TINY: TinyFixed = TinyFixed {
    hidden: FixedDense { weight: HIDDEN_WEIGHT, bias: HIDDEN_BIAS, activation: Tanh },
    out: FixedDense { weight: OUTPUT_WEIGHT, bias: OUTPUT_BIAS, activation: Identity },
};

/// What [`TINY`] predicts for one sample: the probabilities of its two classes, NaN for a
/// non-finite input ([`FixedNetwork::predict_one`]).
pub fn tiny_fixed_predict(x: &[f64; 2]) -> [f64; 2] {
    TINY.predict_one(x)
}

network! {
    /// PyTorch's `hidden: Linear(4, 8)`, tanh, `out: Linear(8, 3)` of the repository's fixtures.
    pub struct Torch<f32> { input: 4, hidden: 8 => Tanh, out: 3, cost: SoftmaxCrossEntropy }
}

/// The weights PyTorch wrote (`tests/fixtures/pytorch/mlp_f32.safetensors`), embedded when the
/// crate compiles.
pub static TORCH: TorchFixed =
    backprop::include_weights!(Torch, "../tests/fixtures/pytorch/mlp_f32.safetensors");

network! {
    /// The `fashion_mnist` example's network.
    pub struct Fashion<f32> {
        input: 784,
        hidden1: 256 => Relu,
        hidden2: 128 => Relu,
        logits: 10,
        cost: SoftmaxCrossEntropy,
    }
}

/// The network the `fashion_mnist` example trained and saved in `target/`, embedded when the crate
/// compiles (the feature `fashion`, which `.ci/run` builds after running the example).
#[cfg(feature = "fashion")]
pub static FASHION: FashionFixed = backprop::include_weights!(Fashion, "../target/fashion_mnist.safetensors");

/// The quantile of [`pinball`].
pub const TAU: f64 = 0.9;

/// The pinball loss of the 0.9-quantile, a cost of one's own: without `std`, `#[cost]` generates
/// its type and its prediction (the output itself) but not its `Cost` impl, which is for training.
#[backprop::cost]
pub fn pinball(z: f64, y: f64) -> f64 {
    let r = y - z;
    if r > 0.0 { TAU * r } else { (TAU - 1.0) * r }
}

network! {
    /// An upper-quantile regressor under [`pinball`].
    pub struct Upper<f64> { input: 2, hidden: 3 => Tanh, out: 1, cost: Pinball }
}

/// [`Upper`] with [`tiny_predict`]'s hidden weights and an output of their sum.
pub static UPPER: UpperFixed = UpperFixed {
    hidden: FixedDense { weight: HIDDEN_WEIGHT, bias: HIDDEN_BIAS, activation: Tanh },
    out: FixedDense { weight: [[1.0, 1.0, 1.0]], bias: [0.0], activation: Identity },
};

/// Swish, z·s(z), an activation of one's own: without `std`, its body's `exp` is `libm`'s, as the
/// derivative `#[activation]` writes from it.
#[backprop::activation]
pub fn swish(z: f64) -> f64 {
    z / (1.0 + (-z).exp())
}

/// The Huber loss, a cost of one's own whose body calls `abs`.
#[backprop::cost]
pub fn huber(z: f64, y: f64) -> f64 {
    let r = z - y;
    if r.abs() <= 1.0 { 0.5 * r * r } else { r.abs() - 0.5 }
}

network! {
    /// A regressor with a hidden layer of [`swish`], under [`huber`].
    pub struct Smooth<f64> { input: 2, hidden: 3 => Swish, out: 1, cost: Huber }
}

/// [`Smooth`] with [`tiny_predict`]'s hidden weights and an output of their sum.
pub static SMOOTH: SmoothFixed = SmoothFixed {
    hidden: FixedDense { weight: HIDDEN_WEIGHT, bias: HIDDEN_BIAS, activation: Swish },
    out: FixedDense { weight: [[1.0, 1.0, 1.0]], bias: [0.0], activation: Identity },
};

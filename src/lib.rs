//! Fully connected neural networks whose forward and backward passes are generated at compile
//! time, as plain Rust, from the backpropagation equations.
//!
//! You declare a network — its input size, its layers with their sizes and activations, and its
//! cost — and the [`network!`] macro (or [`#[derive(Backprop)]`](derive@Backprop) on a struct of
//! [`Dense`] layers) writes its forward pass and its backward pass as straight-line code, one
//! block per layer, in the order of the four equations of backpropagation. In the passes of
//! `backward_in`, which `backward` runs in a workspace it keeps for its thread, level l's z^l,
//! a^l and δ^l live in the [`Workspace`]'s buffers `level_l`, `layer_l` is the layer's field,
//! and `a_prev` is a^{l−1} (the input, for the first layer):
//!
//! | equation | meaning | generated as |
//! |---|---|---|
//! | z^l = W^l a^{l−1} + b^l, a^l = σ(z^l) | forward pass, level by level | `layer_l.forward_in(a_prev, level_l)` |
//! | (1) δ^L = ∂C/∂z^L | the cost's gradient at the output | `cost_in_of::<F, Self>(level_L, y)` |
//! | (2) δ^l = σ'(z^l) ⊙ (W^{l+1})ᵀ δ^{l+1} | back through layer l+1 and σ | `layer_l.delta_in(level_l, W^{l+1}, δ^{l+1})` |
//! | (3) ∂C/∂W^l = δ^l (a^{l−1})ᵀ | weight gradient | `layer_l.gradients_in(level_l, a_prev, &mut gradients.layer_l)` |
//! | (4) ∂C/∂b^l = δ^l | bias gradient | the same `gradients_in` |
//!
//! `forward` calls `weighted_input` and `activate` of each layer instead; a last layer that
//! declares an activation adds `output_delta_in` after (1); [`Network::train_step`] with plain
//! [`Sgd`] replaces (3) and (4) by `sgd_check` and `sgd_apply`, the update fused into the
//! backward pass; and a network whose layers are all small runs a batch of one sample through
//! `cost_one_of`, `delta` and `gradients` on arrays of its own sizes. [`guide::equations`]
//! shows these statements as they are generated for one network.
//!
//! ```
//! use backprop::prelude::*;
//! use backprop::ndarray::array;
//!
//! network! {
//!     /// Learns XOR.
//!     pub struct Xor<f64> {
//!         input: 2,
//!         hidden: 4 => Tanh,
//!         out: 1,
//!         cost: Mse,
//!     }
//! }
//!
//! # fn main() -> Result<(), backprop::Error> {
//! let mut net = Xor::with_seed(42);
//! let x = array![[0., 0.], [0., 1.], [1., 0.], [1., 1.]];
//! let y = array![[0.], [1.], [1.], [0.]];
//! let mut sgd = Sgd::new(0.2)?;
//! for _ in 0..1000 {
//!     let (_cost, gradients) = net.backward(x.view(), &y)?;
//!     sgd.step(&mut net, &gradients)?;
//! }
//! assert!(net.cost(x.view(), &y)? < 1e-6);
//! # Ok(())
//! # }
//! ```
//!
//! A [`Trainer`] runs the steps for you: epochs of shuffled mini-batches, a learning-rate
//! [`Schedule`], a validation set and early stopping, a progress bar on a terminal, and a
//! [`History`] that can be written as CSV or drawn as an SVG plot:
//!
//! ```
//! use backprop::prelude::*;
//! use backprop::ndarray::Array2;
//! use backprop::train::Progress;
//!
//! network! {
//!     /// Two classes, told apart by the sign of x₀ + x₁.
//!     pub struct Sign<f64> { input: 2, hidden: 4 => Tanh, logits: 2, cost: SoftmaxCrossEntropy }
//! }
//!
//! # fn main() -> Result<(), backprop::Error> {
//! let x = Array2::from_shape_fn((80, 2), |(i, j)| ((i * 7 + j * 3) % 11) as f64 / 5.0 - 1.0);
//! let labels: Vec<usize> = x.rows().into_iter().map(|r| usize::from(r[0] + r[1] > 0.0)).collect();
//! let (x_train, x_val) = x.view().split_at(backprop::ndarray::Axis(0), 64);
//!
//! let mut net = Sign::with_seed(1);
//! let mut trainer = Trainer::new(Adam::new(0.05)?)
//!     .epochs(20)
//!     .batch_size(16)
//!     .seed(7)                                // the same seed gives the same weights
//!     .schedule(Cosine::new(20, 0.0)?)
//!     .validation(x_val, &labels[64..])
//!     .early_stopping(5, 0.0)
//!     .progress(Progress::Off);               // the default shows a bar on a terminal
//! let history = trainer.fit(&mut net, x_train, &labels[..64])?;
//! // history.write_csv("history.csv")? and history.plot_svg("history.svg")? save it.
//! let (first, last) = (&history.epochs[0], &history.epochs[history.epochs.len() - 1]);
//! assert!(last.train_loss < first.train_loss);
//! assert!(last.validation_accuracy > Some(0.9));
//! # Ok(())
//! # }
//! ```
//!
//! For training, the in-place variants do the same work without allocating: a [`Workspace`]
//! holds z^l, a^l and δ^l of every layer for the batch, and [`Network::train_step`] runs the
//! forward pass, the backward pass and the optimiser's update in it (fused into the backward
//! pass for plain gradient descent).
//!
//! ```
//! # use backprop::prelude::*;
//! # use backprop::ndarray::array;
//! # network! { pub struct Xor<f64> { input: 2, hidden: 4 => Tanh, out: 1, cost: Mse } }
//! # fn main() -> Result<(), backprop::Error> {
//! # let x = array![[0., 0.], [0., 1.], [1., 0.], [1., 1.]];
//! # let y = array![[0.], [1.], [1.], [0.]];
//! let mut net = Xor::with_seed(42);
//! let mut ws = Xor::workspace();
//! let mut sgd = Sgd::new(0.2)?;
//! for _ in 0..1000 {
//!     net.train_step(x.view(), &y, &mut ws, &mut sgd)?;
//! }
//! assert!(net.cost(x.view(), &y)? < 1e-6);
//! # Ok(())
//! # }
//! ```
//!
//! A trained network predicts: [`Predict::predict`] gives what the cost says the output means
//! (softmax probabilities for [`SoftmaxCrossEntropy`], sigmoid probabilities for
//! [`BinaryCrossEntropy`], z^L otherwise; see [`Cost::predict_in_place`]),
//! [`Predict::classify`] one class per sample, and the generated `predict_one` the prediction
//! for one sample, taken and returned as arrays of the network's own sizes:
//!
//! ```
//! # use backprop::prelude::*;
//! # use backprop::ndarray::array;
//! # network! { pub struct Sign<f64> { input: 2, hidden: 4 => Tanh, logits: 2, cost: SoftmaxCrossEntropy } }
//! # fn main() -> Result<(), backprop::Error> {
//! let net = Sign::with_seed(1);
//! let p = net.predict(array![[0.5, 1.0], [-1.0, 0.2]].view())?; // 2 × 2, rows sum to 1
//! let classes = net.classify(array![[0.5, 1.0], [-1.0, 0.2]].view())?;
//! let one: [f64; 2] = net.predict_one(&[0.5, 1.0])?;
//! assert!((p.row(0).sum() - 1.0).abs() < 1e-12 && classes.len() == 2);
//! assert!((one[0] - p[[0, 0]]).abs() < 1e-12);
//! # Ok(())
//! # }
//! ```
//!
//! Every network shows what it computes, in the paper's notation, for its own layers:
//! [`Network::equations`] returns the forward and backward passes as the paper's equations,
//! numbered (1)–(4), written at compile time (the network's documentation shows them too),
//! [`Network::equations_latex`] the same as LaTeX, and [`Network::circuit_dot`] the circuit of
//! gates in Graphviz's DOT language. [`Network::forward_trace`] and
//! [`Network::backward_trace`] return the values of z^l, a^l, δ^l and the gradients of every
//! layer, named by layer, and equal to those of `forward` and `backward` bit for bit:
//!
//! ```
//! use backprop::prelude::*;
//! use backprop::ndarray::array;
//!
//! network! {
//!     pub struct Xor<f64> { input: 2, hidden: 4 => Tanh, out: 1, cost: Mse }
//! }
//!
//! # fn main() -> Result<(), backprop::Error> {
//! assert_eq!(Xor::equations(), "\
//! Xor: 2 inputs → hidden: 4 tanh → out: 1, cost Mse
//! For one sample x with target y: a⁰ = x, and ⊙ is the elementwise product.
//! For a batch, C and its gradients are the means over its samples.
//!
//! Forward pass
//!   hidden  z¹ = W¹ a⁰ + b¹   (W¹: 4×2, b¹: 4)
//!           a¹ = tanh(z¹)
//!   out     z² = W² a¹ + b²   (W²: 1×4, b²: 1)
//!   cost    C = ½ ‖z² − y‖²
//!
//! Backward pass
//!   out     δ² = ∂C/∂z² = z² − y        (1)
//!           ∂C/∂W² = δ² (a¹)ᵀ           (3)
//!           ∂C/∂b² = δ²                 (4)
//!   hidden  δ¹ = tanh'(z¹) ⊙ (W²)ᵀ δ²   (2)
//!           ∂C/∂W¹ = δ¹ (a⁰)ᵀ           (3)
//!           ∂C/∂b¹ = δ¹                 (4)
//! ");
//! assert!(Xor::circuit_dot().starts_with("digraph \"Xor\" {"));
//!
//! let net = Xor::with_seed(42);
//! let (x, y) = (array![[1.0, 0.0]], array![[1.0]]);
//! let trace = net.backward_trace(x.view(), &y)?;
//! let (cost, gradients) = net.backward(x.view(), &y)?;
//! assert_eq!((trace.cost, &trace.layers[0].gradients), (cost, &gradients.hidden));
//! # Ok(())
//! # }
//! ```
//!
//! A [`Trainer`] records diagnostics of every layer in each epoch of its [`History`] (gradient,
//! weight and update norms, and the units of ReLU-like layers that never fired), and warns
//! once when a layer is dead or its gradient vanishes or explodes: see
//! [`train::diagnostics`].
//!
//! The notation is that of J. Koushik, *Deriving the Backpropagation Equations*: w_jk^l is the
//! weight from unit k of level l−1 to unit j of level l (so `weight` is `OUT × IN`), z^l the
//! weighted input, a^l = σ(z^l) the activation, a^0 the input and z^L the output. Batches have
//! one sample per row.
//!
//! A new activation needs only σ, written as a Rust function under
//! [`#[activation]`](macro@activation): the macro derives σ' from its body at compile time.
//!
//! The [guide] goes on from here, a chapter a topic: declaring a network and its mistakes, the
//! equations and the generated code, training, inference, saving and resuming, speed, MPI,
//! data, custom activations and the examples.
//!
//! # Without the standard library
//!
//! With `default-features = false` (no `std` feature, which `faer`, `progress`, `plot` and `mpi`
//! imply), the crate is `#![no_std]` and needs no allocator. It keeps [`Float`] (its `exp`,
//! `tanh`, ... then from `libm`), the activations (σ and σ'), the costs' predictions on slices
//! ([`Prediction`]: softmax, sigmoid, identity) and the kernels of one layer for one sample
//! ([`OneSample`]): the same code as the `std` build runs, with `libm`'s functions for the
//! standard library's (which may round differently in the last bit). Networks, training and
//! files need `std`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate self as backprop;

#[cfg(feature = "std")]
pub mod guide;

pub use backprop_core::{
    Activation, BinaryCrossEntropy, ConstDefault, Elu, FixedDense, FixedNetwork, Float, Gelu, Identity, Init,
    LeakyRelu, Mse, MulticlassHinge, OneSample, Prediction, Relu, Sigmoid, Silu, SoftmaxCrossEntropy,
    Softplus, Tanh,
};
pub use backprop_core::{activation, cost};

#[cfg(feature = "std")]
pub use backprop_core::{
    Adam, AdamW, ClipGradNorm, ConfusionMatrix, Constant, Cosine, FitError, History, Metrics, OptimizerState,
    Progress, Resumable, Schedule, StepDecay, Trainer, UpdateRule, WeightDecay,
};
#[cfg(feature = "std")]
pub use backprop_core::{BackwardTrace, ForwardTrace};
#[cfg(feature = "std")]
pub use backprop_core::{
    Cost, Dense, Error, GradCheck, Gradients, LayerBuffers, LayerCheck, LayerGradients, LayerInfo,
    LoadOptions, Network, Optimizer, Parameters, ParametersMut, Persist, Predict, Sgd, Standardized, Target,
    Targets, Trainable, Workspace, gradcheck, gradcheck_with_step,
};
#[cfg(feature = "std")]
pub use backprop_core::{data, inference, io, optim, parallel, rng, trace, train};

/// The version of [ndarray](https://docs.rs/ndarray) the library uses, so that you need no second
/// dependency pinned to a matching version.
#[cfg(feature = "std")]
pub use backprop_core::ndarray;

/// The version of [rsmpi](https://docs.rs/mpi) the distributed trainer uses (the `mpi` feature):
/// `backprop::mpi::initialize()` starts MPI, and [`train::Mpi::world`] names its processes for
/// [`Trainer::mpi`].
#[cfg(feature = "mpi")]
pub use backprop_core::mpi;

/// Declares a fully connected network and generates its forward and backward passes.
///
/// ```
/// use backprop::prelude::*;
///
/// network! {
///     /// Classifies Fashion-MNIST images.
///     #[derive(Clone, Debug)]                 // attributes pass through to the struct
///     pub struct Fashion<f32> {               // f32 or f64
///         input: 784,                         // the size of a^0
///         hidden1: 128 => Relu,               // name: units => activation (σ^l)
///         hidden2: 64 => Relu,
///         logits: 10,                         // no activation: the output is z^L
///         cost: SoftmaxCrossEntropy,
///     }
/// }
///
/// let net = Fashion::with_seed(1);
/// assert_eq!(net.hidden1.weight.dim(), (128, 784));
/// assert_eq!(<Fashion as Network<f32>>::OUTPUT, 10);
/// ```
///
/// It generates the struct, with one [`Dense`] field per layer as visible as the struct; a
/// `<Name>Gradients` struct with one [`LayerGradients`] field per layer; `with_seed`;
/// `predict_one`, the prediction for one sample as an array of the network's input size,
/// returning an array of its output size, allocating nothing (see the guide's
/// [inference](crate::guide::inference) chapter); `<Name>Fixed`, the network with its weights in
/// arrays ([`FixedDense`], [`FixedNetwork`]), with `to_fixed` and `from_fixed`, which is all a
/// `#![no_std]` build generates; `impl Network<F>` with the forward and backward
/// passes; and `impl Debug`, which prints what `#[derive(Debug)]` would (each layer's weights,
/// biases and activation), unless the attributes derive `Debug` themselves, and which a layer
/// whose activation is not `Debug` leaves out. A layer may be preceded by doc
/// comments. The last layer may declare an activation; then the network's output is a^L = σ(z^L),
/// the cost is taken of a^L, and δ^L = ∇_a C ⊙ σ'(z^L).
///
/// # Grammar
///
/// ```text
/// network! {
///     #[attributes] and /// docs              optional; passed on to the struct
///     VIS struct NAME<FLOAT> {                FLOAT: f32 or f64
///         input: SIZE,                        first, once: the size of a^0
///         /// docs                            optional, per layer
///         LAYER: SIZE => ACTIVATION,          one or more layers, in order; `=> ACTIVATION`
///         LAYER: SIZE,                        may be left out (Identity); the last is the output
///         cost: COST,                         last, once
///     }
/// }
/// ```
///
/// - Entries end with `,` (the last one may omit it); the order is enforced: `input` first, the
///   layers, `cost` last. Each mistake is a compile error on the offending token.
/// - `SIZE` is greater than 0: an integer literal (`784`, `0x100`, `1_000`), `+ - * / %` and
///   parentheses on integer literals (`28 * 28`), which the macro computes and checks, or a
///   constant expression the compiler computes (`HIDDEN`, `2 * HIDDEN`, a `const fn` call), whose
///   checks are `const` assertions in the generated code, each an error on the size that names
///   the layer. A constant is written like one (`HIDDEN`): a name like a type's (`Relu`) is read
///   as an activation without its size. A layer takes as many inputs as the
///   entry before it has units, and its weight matrix (units × inputs values of `FLOAT`) must fit
///   in `isize::MAX` bytes.
/// - `LAYER` is any identifier but the keywords `input` and `cost`, and each layer's is its own:
///   it names the struct's field, the field of `<NAME>Gradients` and the tensors
///   (`LAYER.weight`, `LAYER.bias`) in saved files.
/// - `ACTIVATION` is a type that implements [`Activation`]`<FLOAT>`: a built-in one
///   ([`Identity`], [`Sigmoid`], [`Tanh`], [`Relu`], [`LeakyRelu`], [`Elu`], [`Softplus`],
///   [`Gelu`], [`Silu`]), one made by [`#[activation]`](macro@activation), or your own impl.
///   There is no softmax activation: softmax is part of [`SoftmaxCrossEntropy`].
///
///   A macro cannot see which names resolve where it is called, so it checks names only this
///   far: another spelling of a built-in activation (`ReLU`, `RELU`, `relu`, `LeakyReLU`,
///   `leaky_relu`, `TanH`, `GELU`, `SiLU`, …) and `Softmax` or `LogSoftmax` are its errors, on
///   the name, naming the built-in meant and listing them all; the same for the costs (`MSE`).
///   Any other name is left to the compiler: one that does not resolve (`Swsh`) is its one
///   error on that name, and one that is not an [`Activation`] (or [`Cost`]) its trait error,
///   which lists the built-in ones.
/// - `COST` is a type that implements [`Cost`]`<FLOAT>`: [`Mse`], [`SoftmaxCrossEntropy`],
///   [`BinaryCrossEntropy`], [`MulticlassHinge`] or your own. [`SoftmaxCrossEntropy`] and
///   [`BinaryCrossEntropy`] take logits and apply softmax and σ themselves
///   ([`Cost::TAKES_LOGITS`]), so with them the output layer declares no activation: one there
///   is a compile error.
/// - Generated names: the struct `NAME`, the structs `<NAME>Gradients` and `<NAME>Fixed`, and
///   `NAME::with_seed`, `NAME::predict_one`, `NAME::to_fixed` and `NAME::from_fixed`.
pub use backprop_macros::network;

/// Generates the forward and backward passes of a struct of [`Dense`] layers.
///
/// ```
/// use backprop::prelude::*;
///
/// #[derive(Clone, Debug, Backprop)]
/// #[backprop(cost = SoftmaxCrossEntropy)]
/// pub struct Fashion {
///     pub hidden1: Dense<f32, 784, 128, Relu>,
///     pub hidden2: Dense<f32, 128, 64, Relu>,
///     pub logits: Dense<f32, 64, 10>,         // the activation defaults to Identity
/// }
///
/// let net = Fashion::with_seed(1);
/// assert_eq!(<Fashion as Network<f32>>::INPUT, 784);
/// ```
///
/// The fields are the layers, in order; each layer's number of inputs must be the number of
/// units of the layer before it, and all layers use one float type, `f32` or `f64`. What is
/// generated is what [`network!`] generates, but for the struct itself.
///
/// # Grammar
///
/// ```text
/// #[derive(Backprop)]
/// #[backprop(cost = COST)]                    required, with `cost` its only argument
/// VIS struct NAME {                           named fields, no generic parameters
///     VIS LAYER: Dense<FLOAT, IN, OUT, ACTIVATION>,   one or more, in order; the last is the
///     VIS LAYER: Dense<FLOAT, IN, OUT>,               output layer; no ACTIVATION: Identity
/// }
/// ```
///
/// - Every field is a layer, written `Dense<...>` or `backprop::Dense<...>`.
/// - `FLOAT` is `f32` or `f64`, the same in every layer.
/// - `IN` and `OUT` are sizes greater than 0 as in [`network!`], written as Rust writes const
///   generic arguments: `784`, `{ 28 * 28 }`, `N`, `{ 2 * N }`; each
///   layer's `IN` is the `OUT` of the layer before it, and `OUT × IN` values of `FLOAT` must fit
///   in `isize::MAX` bytes.
/// - `ACTIVATION` and `COST` are as in [`network!`]: with [`SoftmaxCrossEntropy`] or
///   [`BinaryCrossEntropy`] (which take logits, [`Cost::TAKES_LOGITS`]) the output layer has no
///   activation.
/// - Generated names: the structs `<NAME>Gradients` and `<NAME>Fixed`, and `NAME::with_seed`,
///   `NAME::predict_one`, `NAME::to_fixed` and `NAME::from_fixed`.
pub use backprop_macros::Backprop;

/// Turns a function σ of one float argument into an activation type, whose derivative σ' is
/// derived from the function's body symbolically, at compile time.
///
/// ```
/// use backprop::prelude::*;
///
/// /// Swish: z·sigmoid(z).
/// #[activation]
/// fn swish(z: f64) -> f64 {
///     z / (1.0 + (-z).exp())
/// }
///
/// network! {
///     pub struct Net<f32> { input: 4, hidden: 16 => Swish, out: 3, cost: SoftmaxCrossEntropy }
/// }
///
/// assert_eq!(swish(0.0), 0.0);                         // the function stays callable
/// assert_eq!(Swish.apply(0.0_f32), 0.0);               // σ, in f32 and f64
/// assert_eq!(Swish.derivative(0.0_f64), 0.5);          // σ', derived from the body
/// let _ = Net::with_seed(1);
/// ```
///
/// It keeps the function as written and generates a unit struct named after it in
/// UpperCamelCase (`gelu_tanh` gives `GeluTanh`), as visible as the function and documented with
/// the function's documentation and the formulas of σ and σ', which implements
/// [`Activation<f32>`](Activation) and [`Activation<f64>`](Activation). `apply` is the
/// function's body (the function itself, for its own float type) and `derivative` the
/// derivative of that body, taken by the local rules of the paper's gates (section 4: an add gate
/// passes the gradient on, a multiply gate swaps its inputs, a function gate multiplies by its
/// local derivative, the chain rule joins them), then simplified: constants folded, `x·1`,
/// `x+0`, `x·0` removed, and every repeated subexpression computed once.
///
/// The body may use float literals, named constants and paths to constants (possibly cast to
/// `f32` or `f64` with `as`), the argument,
/// `+ - * /`, unary `-`, parentheses, `let name = ...;` bindings, the methods `exp`, `ln`,
/// `log2`, `log10`, `sqrt`, `powi` (an integer literal exponent), `powf` (a constant exponent),
/// `sin`, `cos`, `tan`, `tanh`, `sinh`, `cosh`, `abs`, `signum`, `recip`, `max` and `min` (with a
/// constant), the functions [`sigmoid`](activation::sigmoid),
/// [`softplus`](activation::softplus) and [`tanh`](activation::tanh) of
/// [`backprop::activation`](mod@activation), and `if`/`else` on comparisons of such
/// expressions, joined by `&&`, `||` and `!`: a piecewise σ, whose derivative is taken branch by
/// branch (at a kink, σ' is that of the branch the condition selects). Anything else (a loop, a
/// call of another function, another method, a second argument, a non-float type) is a compile
/// error on that construct; implement [`Activation`] by hand for such a σ.
///
/// The formulas are also the type's constants `FORMULA` and `DERIVATIVE`:
///
/// ```
/// # use backprop::prelude::*;
/// # #[activation]
/// # fn swish(z: f64) -> f64 {
/// #     z / (1.0 + (-z).exp())
/// # }
/// assert_eq!(Swish::FORMULA, "σ(z)  = z / (1 + exp(-z))");
/// assert_eq!(Swish::DERIVATIVE, "σ'(z) = (t2 + z * t1) / (t2 * t2)
///   where t1 = exp(-z)
///         t2 = 1 + t1");
/// ```
///
/// σ' is the formula the rules give, simplified, not rewritten for numerical stability: where
/// that formula cancels or overflows, so does σ' (the derivative of `sigmoid(u)` is
/// s(1 − s), which is 0 once s rounds to 1; the built-in activations are written to avoid this).
///
/// `#[activation(init = He)]` makes layers with this activation initialise their weights with
/// He's rule (for ReLU-like σ) instead of Glorot's, the default.
pub use backprop_macros::activation;

/// Turns a loss c(z, y) of one output z and its target y into a regression cost type, whose
/// gradient δ = ∂c/∂z is derived from the function's body symbolically, at compile time, by the
/// engine of [`#[activation]`](macro@activation).
///
/// ```
/// use backprop::prelude::*;
///
/// /// Huber's threshold.
/// const DELTA: f64 = 1.0;
///
/// /// The Huber loss: quadratic near the target, linear beyond `DELTA`.
/// #[cost]
/// pub fn huber(z: f64, y: f64) -> f64 {
///     let r = z - y;
///     if r.abs() <= DELTA { 0.5 * r * r } else { DELTA * (r.abs() - 0.5 * DELTA) }
/// }
///
/// network! {
///     pub struct Net<f32> { input: 4, hidden: 16 => Tanh, out: 1, cost: Huber }
/// }
///
/// assert_eq!(Huber::FORMULA, "c(z, y) = if u2 <= DELTA then u1 * (0.5 * u1) else DELTA * (u2 - 0.5 * DELTA)
///   where u1 = z - y
///         u2 = abs(u1)");
/// assert_eq!(Huber::DERIVATIVE, "∂c/∂z   = if abs(t1) <= DELTA then t1 else DELTA * signum(t1)
///   where t1 = z - y");
/// let _ = Net::with_seed(1);
/// ```
///
/// It keeps the function as written and generates a unit struct named after it in
/// UpperCamelCase (`log_cosh` gives `LogCosh`), documented with the formulas of c and ∂c/∂z
/// (also its constants `FORMULA` and `DERIVATIVE`), which implements [`Cost<f32>`](Cost) and
/// [`Cost<f64>`](Cost). The cost of a sample is Σ_j c(z_j, y_j) over its outputs and δ_j is
/// ∂c/∂z_j; [`cost::evaluate`] averages both over the batch, as for the built-in costs. The
/// cost does not classify (`CLASSIFICATION` is `false`) and predicts the output itself, as
/// [`Mse`]. The body may contain what an `#[activation]` function's may, with the target as a
/// constant (`z.max(y)` is allowed); anything else is a compile error on that construct.
/// Constants such as Huber's threshold are `const` items. For a classifying cost, implement
/// [`Cost`] by hand.
pub use backprop_macros::cost;

/// A network's weights, read from a safetensors file when the crate compiles, as a value of its
/// fixed-size type: `static NET: FashionFixed = include_weights!(Fashion, "model/fashion.safetensors");`
/// keeps them in read-only memory, in a `#![no_std]` crate too.
///
/// The path is relative to the crate's `Cargo.toml` (its `CARGO_MANIFEST_DIR`); the file's bytes
/// are included with `include_bytes!`, so that editing it rebuilds the crate. The file is checked
/// when the crate compiles, each problem a compile error on the path: it must exist and be a
/// safetensors file, every tensor F16, BF16, F32 or F64 with finite values, each layer's
/// `<layer>.weight` (OUT × IN, as PyTorch's `nn.Linear` stores it: a transposed one is named as
/// such) and `<layer>.bias` present with the declared shape, and no other tensor. Values are
/// converted to the network's float type as [`Persist::load`] converts them. Each layer's
/// activation is its default (as `load` gives it), built in `const` evaluation: the built-in
/// activations and those of `#[activation]` implement [`ConstDefault`], and an activation written
/// by hand implements it to be embedded.
///
/// ```
/// use backprop::prelude::*;
///
/// network! {
///     pub struct Mlp<f32> { input: 4, hidden: 8 => Tanh, out: 3, cost: SoftmaxCrossEntropy }
/// }
///
/// // Written by PyTorch (`safetensors.torch.save_file`): `hidden` and `out` are `nn.Linear`s.
/// static MLP: MlpFixed = backprop::include_weights!(Mlp, "tests/fixtures/pytorch/mlp_f32.safetensors");
///
/// let p = MLP.predict_one(&[0.5, -1.0, 0.25, 2.0]);
/// assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
/// ```
pub use backprop_macros::include_weights;

/// Everything a user of the library needs in scope: the macros, the traits, [`Dense`], the
/// built-in activations and costs, the optimisers, the learning-rate schedules and [`Trainer`].
pub mod prelude {
    #[doc(hidden)]
    pub use crate::__spellings::*;
    pub use crate::{
        Activation, Backprop, BinaryCrossEntropy, Elu, FixedNetwork, Gelu, Identity, LeakyRelu, Mse,
        MulticlassHinge, Relu, Sigmoid, Silu, SoftmaxCrossEntropy, Softplus, Tanh, network,
    };
    #[cfg(feature = "std")]
    pub use crate::{
        Adam, AdamW, ClipGradNorm, Constant, Cosine, Cost, Dense, Gradients, LoadOptions, Network, Optimizer,
        Persist, Predict, Resumable, Schedule, Sgd, StepDecay, Trainer, WeightDecay,
    };
    /// The attribute macro only: the module `backprop::activation` stays out of the prelude.
    pub use backprop_macros::activation;
    /// The attribute macro only: the module `backprop::cost` stays out of the prelude.
    pub use backprop_macros::cost;
}

/// Other spellings of built-in activations, as other libraries write them (`ReLU`, `GELU`, …),
/// each an alias of the built-in one. `network!` and `#[derive(Backprop)]` reject these names with
/// an error that names the built-in; the aliases exist so that a derive's field that writes one
/// resolves, and that error is the only one. Softmax has none: no activation computes it.
#[doc(hidden)]
#[allow(clippy::upper_case_acronyms)]
pub mod __spellings {
    /// [`Relu`](crate::Relu).
    pub type ReLU = crate::Relu;
    /// [`Relu`](crate::Relu).
    pub type RELU = crate::Relu;
    /// [`LeakyRelu`](crate::LeakyRelu).
    pub type LeakyReLU = crate::LeakyRelu;
    /// [`Tanh`](crate::Tanh).
    pub type TanH = crate::Tanh;
    /// [`Gelu`](crate::Gelu).
    pub type GELU = crate::Gelu;
    /// [`Silu`](crate::Silu).
    pub type SiLU = crate::Silu;
    /// [`Elu`](crate::Elu).
    pub type ELU = crate::Elu;
    /// [`Softplus`](crate::Softplus).
    pub type SoftPlus = crate::Softplus;
}

/// The items it is given with the `std` feature of `backprop` (this crate's, not the calling
/// crate's), nothing without it: how the code `network!` generates keeps what needs the standard
/// library (the `Network` impl, training, ndarray) out of a `#![no_std]` build of the same
/// declaration. Reached as `::backprop::__private::if_std!`.
#[cfg(feature = "std")]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_std {
    ($($items:tt)*) => { $($items)* };
}

/// Without `std`: nothing (see the `std` version).
#[cfg(not(feature = "std"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_std {
    ($($items:tt)*) => {};
}

/// What the generated code calls and a user does not: not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::__if_std as if_std;
    /// The float methods as a trait (`num_traits::Float`): `#[activation]` and `#[cost]` put it
    /// in scope, so that `z.exp()` is the standard library's with `std` (an inherent method wins)
    /// and `libm`'s without.
    pub use backprop_core::__FloatMethods as FloatMethods;
    pub use backprop_core::embed::{
        ConstDefault, Dtype, Recorded, Tensor, bias_f32, bias_f64, check_no_other, check_recorded,
        weight_f32, weight_f64,
    };

    // What the code the macros generate calls, and nothing else: the macros name the library's
    // glue only through this module (the public types, traits and activations they name by their
    // public paths). It is the core's `private` module, plus the two helpers below.
    #[cfg(feature = "std")]
    pub use backprop_core::private::*;

    /// `<PhantomData<A> as Unwrap>::Inner` is `A`: how a derive's generated code names a layer's
    /// activation through one alias of its own (see the macro's `expand`).
    pub trait Unwrap {
        /// The wrapped type.
        type Inner: ?Sized;
    }

    impl<T: ?Sized> Unwrap for ::core::marker::PhantomData<T> {
        type Inner = T;
    }

    /// The names of the items of a generated network's checked impl, for every type.
    /// (`FixedFallback` names those of the fixed-size network's.)
    ///
    /// `network!` and `#[derive(Backprop)]` write what needs each activation to be an
    /// [`Activation`](crate::Activation) (the layers' methods, the passes, `with_seed`) as private
    /// items of an impl of the network whose where clause says so, and the public items (the
    /// `Network` impl, `with_seed`) call them with this trait in scope. An inherent item is
    /// preferred to a trait's, so when every activation is one, the impl applies and its items
    /// are called. When one is not, the layer's field type (`Dense<F, IN, OUT, A>`) is already
    /// an error on the user's token; the impl does not apply, the names resolve to these items
    /// instead, and the program type-checks: that error is the only one. So these items are
    /// never called: a crate in which they would be does not compile.
    #[cfg(feature = "std")]
    pub trait Fallback {
        /// Stands for the checked `__LAYERS`.
        const __LAYERS: &'static [crate::LayerInfo] = &[];

        /// Stands for the checked `__with_seed`.
        fn __with_seed(_: u64) -> Self
        where
            Self: Sized,
        {
            unreachable!("the checked impl of a network applies wherever it compiles")
        }

        /// Stands for the checked `__zeros`.
        fn __zeros() -> Self
        where
            Self: Sized,
        {
            unreachable!("the checked impl of a network applies wherever it compiles")
        }

        /// Stands for the checked `__forward`.
        fn __forward<X, R>(&self, _: X) -> R {
            unreachable!("the checked impl of a network applies wherever it compiles")
        }

        /// Stands for the checked `__forward_in`.
        fn __forward_in<X, W, R>(&self, _: X, _: W) -> R {
            unreachable!("the checked impl of a network applies wherever it compiles")
        }

        /// Stands for the checked `__backward_in`.
        fn __backward_in<X, Y, W, R>(&self, _: X, _: Y, _: W) -> R {
            unreachable!("the checked impl of a network applies wherever it compiles")
        }

        /// Stands for the checked `__train_step`.
        fn __train_step<X, Y, W, O, R>(&mut self, _: X, _: Y, _: W, _: O) -> R {
            unreachable!("the checked impl of a network applies wherever it compiles")
        }

        /// Stands for the checked `__forward_trace`.
        fn __forward_trace<X, R>(&self, _: X) -> R {
            unreachable!("the checked impl of a network applies wherever it compiles")
        }
    }

    #[cfg(feature = "std")]
    impl<T: ?Sized> Fallback for T {}

    /// The names of the items of a generated fixed-size network's checked impl, for every type:
    /// [`Fallback`]'s counterpart for the `…Fixed` type, which exists without `std` too.
    pub trait FixedFallback {
        /// Stands for the checked `__forward_one`.
        fn __forward_one<X, R>(&self, _: X) -> R {
            unreachable!("the checked impl of a network applies wherever it compiles")
        }

        /// Stands for the checked `__predict_one_fast`.
        fn __predict_one_fast<X, R>(&self, _: X) -> R {
            unreachable!("the checked impl of a network applies wherever it compiles")
        }
    }

    impl<T: ?Sized> FixedFallback for T {}
}

/// The README's examples, compiled and run as documentation tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

//! The one-sample path of small networks: `network!` gives a network whose sizes are integer
//! literals and whose layers are small a path of its own for batches of one sample, on arrays
//! of the layers' sizes. It must give the bits of the general path, which the same network
//! declared with constants for its sizes takes (the macro cannot compute those, so it gives
//! such a network no one-sample path), and leave every error to the general path.
//!
//! Each test also calls the path itself (`__train_one`, `__backward_one`, private items of the
//! generated type, which this module defines), so that a comparison is known to be of the
//! one-sample path and not of the general path it falls back to.

#![allow(clippy::unwrap_used)]

use backprop::ndarray::{Array2, ArrayView2, array};
use backprop::prelude::*;
use backprop::{Error, Float, Gradients, Parameters, Targets, Workspace};

const FOUR: usize = 4;
const SIXTEEN: usize = 16;
const THREE: usize = 3;
const FIVE: usize = 5;
const TWO: usize = 2;
const ONE: usize = 1;

network! {
    /// 4-16-3, tanh, softmax cross-entropy on labels: sizes the macro computes.
    #[derive(Clone)]
    struct Tiny<f32> { input: 4, hidden: 16 => Tanh, logits: 3, cost: SoftmaxCrossEntropy }
}
network! {
    /// `Tiny` with constants for sizes: the general path only.
    #[derive(Clone)]
    struct TinyGeneral<f32> { input: FOUR, hidden: SIXTEEN => Tanh, logits: THREE, cost: SoftmaxCrossEntropy }
}
/// `Tiny` by `#[derive(Backprop)]`: the sizes are literals in the layers' types, so the derive
/// gives it the one-sample path too.
#[derive(Clone, Backprop)]
#[backprop(cost = SoftmaxCrossEntropy)]
struct TinyDerived {
    hidden: Dense<f32, 4, 16, Tanh>,
    logits: Dense<f32, 16, 3>,
}
network! {
    /// Three layers and an output activation (δ^L = ∇_a C ⊙ σ'(z^L)), fitted to values.
    #[derive(Clone)]
    struct Deep<f64> { input: 3, h1: 5 => Relu, h2: 4 => Sigmoid, out: 2 => Softplus, cost: Mse }
}
network! {
    #[derive(Clone)]
    struct DeepGeneral<f64> { input: THREE, h1: FIVE => Relu, h2: FOUR => Sigmoid, out: TWO => Softplus, cost: Mse }
}
network! {
    /// One output: labels are the values 0 and 1.
    #[derive(Clone)]
    struct Binary<f64> { input: 2, hidden: 3 => Tanh, out: 1, cost: BinaryCrossEntropy }
}
network! {
    #[derive(Clone)]
    struct BinaryGeneral<f64> { input: TWO, hidden: THREE => Tanh, out: ONE, cost: BinaryCrossEntropy }
}

/// Sample `i` of a deterministic stream of `width` features in about [−2, 2].
fn sample<F: Float>(i: usize, width: usize) -> Array2<F> {
    Array2::from_shape_fn((1, width), |(_, j)| F::of(2.0 * ((7 * i + 3 * j) as f64 * 0.731 + 0.4).sin()))
}

fn parameter_bits<F: Float, N: Network<F>>(net: &N) -> Vec<u64> {
    let mut bits = Vec::new();
    net.visit_parameters(&mut |p| {
        bits.extend(p.weight.iter().chain(p.bias).map(|&v| Float::to_f64(v).to_bits()))
    });
    bits
}

fn gradient_bits<F: Float, G: Gradients<F>>(g: &G) -> Vec<u64> {
    let mut bits = Vec::new();
    g.visit(&mut |p: Parameters<'_, F>| {
        bits.extend(p.weight.iter().chain(p.bias).map(|&v| Float::to_f64(v).to_bits()))
    });
    bits
}

/// z^l, a^l and δ^l of every layer, as the last step left them.
fn buffer_bits<F: Float, G: Gradients<F>>(ws: &Workspace<F, G>) -> Vec<u64> {
    let mut bits = Vec::new();
    for l in ws.layers() {
        bits.extend(l.z().iter().chain(l.a()).chain(l.delta()).map(|&v| Float::to_f64(v).to_bits()));
    }
    bits
}

/// `general` with the parameters of `net`.
fn twin<F: Float, N: Network<F>, G: Network<F>>(net: &N, mut general: G) -> G {
    let mut tensors = Vec::new();
    net.visit_parameters(&mut |p| tensors.push((p.weight.to_owned(), p.bias.to_owned())));
    let mut it = tensors.into_iter();
    general.visit_parameters_mut(&mut |mut p| {
        let (w, b) = it.next().unwrap();
        p.weight.assign(&w);
        p.bias.assign(&b);
    });
    assert_eq!(parameter_bits(net), parameter_bits(&general));
    general
}

/// Trains `net` and `general` side by side, one sample a step, and checks that every step
/// gives the same cost, buffers and parameters, bit for bit; then the same for `backward_in`
/// and `backward`.
fn same_bits<'y, F: Float, N: Network<F>, G: Network<F>>(
    mut net: N,
    mut general: G,
    eta: f64,
    target: impl Fn(usize) -> Targets<'y, F>,
) where
    N::Gradients: Clone + 'static,
    G::Gradients: Clone + 'static,
{
    let (mut ws, mut ws_general) = (N::workspace(), G::workspace());
    let (mut sgd, mut sgd_general) = (Sgd::new(F::of(eta)).unwrap(), Sgd::new(F::of(eta)).unwrap());
    for i in 0..40 {
        let x = sample::<F>(i, N::INPUT);
        let cost = net.train_step(x.view(), target(i), &mut ws, &mut sgd).unwrap();
        let cost_general =
            general.train_step(x.view(), target(i), &mut ws_general, &mut sgd_general).unwrap();
        assert_eq!(Float::to_f64(cost).to_bits(), Float::to_f64(cost_general).to_bits(), "step {i}: cost");
        assert_eq!(buffer_bits(&ws), buffer_bits(&ws_general), "step {i}: z, a and δ");
        assert_eq!(parameter_bits(&net), parameter_bits(&general), "step {i}: parameters");

        let cost = net.backward_in(x.view(), target(i), &mut ws).unwrap();
        let cost_general = general.backward_in(x.view(), target(i), &mut ws_general).unwrap();
        assert_eq!(Float::to_f64(cost).to_bits(), Float::to_f64(cost_general).to_bits(), "sample {i}: cost");
        assert_eq!(buffer_bits(&ws), buffer_bits(&ws_general), "sample {i}: z, a and δ");
        assert_eq!(
            gradient_bits(ws.gradients()),
            gradient_bits(ws_general.gradients()),
            "sample {i}: gradients"
        );
        let (_, gradients) = net.backward(x.view(), target(i)).unwrap();
        assert_eq!(gradient_bits(&gradients), gradient_bits(ws.gradients()), "sample {i}: backward");
    }
}

const LABELS: [usize; 7] = [0, 2, 1, 1, 0, 2, 2];
const BITS: [usize; 5] = [0, 1, 1, 0, 1];

#[test]
fn tiny_steps_give_the_bits_of_the_general_path() {
    let net = Tiny::with_seed(3);
    let general = twin(&net, TinyGeneral::zeros());
    same_bits(net, general, 0.1, |i| Targets::Classes(&LABELS[i % 7..i % 7 + 1]));
}

#[test]
fn derived_steps_give_the_bits_of_the_general_path() {
    let net = TinyDerived::with_seed(3);
    let general = twin(&net, TinyGeneral::zeros());
    let mut probe = net.clone();
    let x = sample::<f32>(0, 4);
    let answer =
        probe.__train_one(x.view(), Targets::Classes(&LABELS[..1]), &mut TinyDerived::workspace(), 0.1);
    assert!(answer.is_some(), "the derive gives a small network of literal sizes the one-sample path");
    same_bits(net, general, 0.1, |i| Targets::Classes(&LABELS[i % 7..i % 7 + 1]));
}

#[test]
fn deep_steps_with_an_output_activation_give_the_bits_of_the_general_path() {
    let net = Deep::with_seed(5);
    let general = twin(&net, DeepGeneral::zeros());
    let targets: Vec<Array2<f64>> = (0..40).map(|i| sample::<f64>(i + 100, 2).mapv(|v| v.abs())).collect();
    same_bits(net, general, 0.05, |i| Targets::Values(targets[i].view()));
}

#[test]
fn binary_steps_give_the_bits_of_the_general_path() {
    let net = Binary::with_seed(9);
    let general = twin(&net, BinaryGeneral::zeros());
    same_bits(net, general, 0.2, |i| Targets::Classes(&BITS[i % 5..i % 5 + 1]));
}

/// The comparisons above are of the one-sample path: it answers for these steps, and its
/// answer is the one `train_step` and `backward_in` return.
#[test]
fn the_one_sample_path_answers_for_ordinary_steps() {
    let mut net = Tiny::with_seed(3);
    let mut ws = Tiny::workspace();
    let mut copy = net.clone();
    let mut ws_copy = Tiny::workspace();
    let mut sgd = Sgd::new(0.1).unwrap();
    for i in 0..10 {
        let x = sample::<f32>(i, 4);
        let y = Targets::Classes(&LABELS[i % 7..i % 7 + 1]);
        let answer = copy.__train_one(x.view(), y, &mut ws_copy, 0.1).unwrap();
        let cost = net.train_step(x.view(), y, &mut ws, &mut sgd).unwrap();
        assert_eq!(answer.to_bits(), cost.to_bits());
        assert_eq!(parameter_bits(&copy), parameter_bits(&net));
        let answer = copy.__backward_one(x.view(), y, &mut ws_copy).unwrap();
        assert_eq!(answer.to_bits(), net.backward_in(x.view(), y, &mut ws).unwrap().to_bits());
        assert_eq!(gradient_bits(ws_copy.gradients()), gradient_bits(ws.gradients()));
    }
}

/// Every error of a batch of one is the general path's: the one-sample path gives up, writing
/// nothing, and the general path names the problem. Each case runs on both networks, which
/// must return the same error and keep their parameters.
#[test]
fn errors_of_one_sample_are_the_general_paths_and_change_nothing() {
    let good = sample::<f32>(1, 4);
    let nan = array![[0.5f32, f32::NAN, 0.0, 1.0]];
    let wide = sample::<f32>(1, 5);
    // What goes wrong, the input, the targets, the learning rate, and a weight of the hidden
    // layer to set (its index and value).
    type Case<'a> = (&'a str, ArrayView2<'a, f32>, Targets<'a, f32>, f32, Option<(usize, f32)>);
    let cases: Vec<Case<'_>> = vec![
        ("a NaN input", nan.view(), Targets::Classes(&[0]), 0.1, None),
        ("a label out of range", good.view(), Targets::Classes(&[3]), 0.1, None),
        ("two labels for one sample", good.view(), Targets::Classes(&[0, 1]), 0.1, None),
        ("an input of the wrong width", wide.view(), Targets::Classes(&[0]), 0.1, None),
        ("a NaN weight", good.view(), Targets::Classes(&[0]), 0.1, Some((5, f32::NAN))),
        ("an infinite weight", good.view(), Targets::Classes(&[0]), 0.1, Some((0, f32::INFINITY))),
        ("an update that overflows", good.view(), Targets::Classes(&[0]), 3e38, Some((7, 3e38))),
        ("a learning rate of infinity", good.view(), Targets::Classes(&[0]), f32::INFINITY, None),
    ];
    for (what, x, y, eta, poison) in cases {
        let mut net = Tiny::with_seed(2);
        if let Some((index, value)) = poison {
            if let Some(w) = net.hidden.weight.as_slice_mut() {
                w[index] = value;
            }
        }
        let mut general = twin(&net, TinyGeneral::zeros());
        let before = parameter_bits(&net);
        let mut ws = Tiny::workspace();
        let mut ws_general = TinyGeneral::workspace();
        let step = Sgd::new(eta).map(|mut sgd| net.train_step(x, y, &mut ws, &mut sgd));
        let step_general = Sgd::new(eta).map(|mut sgd| general.train_step(x, y, &mut ws_general, &mut sgd));
        let error: Option<Error> = step.and_then(|s| s.map(f32::to_bits)).err();
        let error_general: Option<Error> = step_general.and_then(|s| s.map(f32::to_bits)).err();
        assert!(error.is_some(), "{what}: no error");
        assert_eq!(error, error_general, "{what}");
        assert_eq!(parameter_bits(&net), before, "{what}: the step changed the network");
        let mut copy = net.clone();
        assert_eq!(copy.__train_one(x, y, &mut ws, eta), None, "{what}: the one-sample path answered");
        assert_eq!(parameter_bits(&copy), before, "{what}: the one-sample path changed the network");

        // `backward_in` fails as the general path does, and where it succeeds (the update of
        // a step was the problem, not the gradients) the one-sample path answers the same.
        let backward = net.backward_in(x, y, &mut ws).map(f32::to_bits);
        let backward_general = general.backward_in(x, y, &mut ws_general).map(f32::to_bits);
        assert_eq!(backward, backward_general, "{what}: backward_in");
        let answer = copy.__backward_one(x, y, &mut ws).map(f32::to_bits);
        assert_eq!(answer, backward_general.ok(), "{what}: the one-sample path's backward");
    }
}

/// Weights far from any step's reach but finite: the update may still be finite, and the
/// general path, which checks such a step value by value, decides. Both networks agree.
#[test]
fn huge_finite_weights_go_to_the_general_path_and_agree() {
    for scale in [1e30f32, 1e37, 3e38] {
        let mut net = Tiny::with_seed(4);
        net.logits.weight.mapv_inplace(|w| w * scale);
        let mut general = twin(&net, TinyGeneral::zeros());
        let (mut ws, mut ws_general) = (Tiny::workspace(), TinyGeneral::workspace());
        let mut sgd = Sgd::new(0.5).unwrap();
        let mut sgd_general = Sgd::new(0.5).unwrap();
        let x = sample::<f32>(2, 4);
        let step = net.train_step(x.view(), &[1], &mut ws, &mut sgd);
        let step_general = general.train_step(x.view(), &[1], &mut ws_general, &mut sgd_general);
        assert_eq!(step.map(f32::to_bits), step_general.map(f32::to_bits), "scale {scale}");
        assert_eq!(parameter_bits(&net), parameter_bits(&general), "scale {scale}");
    }
}

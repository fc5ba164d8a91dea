//! The in-place variants `forward_in`, `backward_in` and `train_step` compute what the plain
//! `forward`, `backward` and `Optimizer::step` compute, on both of their kernels (the
//! fixed-size loops for tiny products, the matrix-multiply routine for larger ones), for every
//! activation and cost, any batch layout, and a workspace reused across batch sizes.

#![allow(clippy::unwrap_used)]

use backprop::__private::SMALL_PRODUCT;
use backprop::ndarray::{Array2, ArrayView2, ShapeBuilder};
use backprop::prelude::*;
use backprop::{Error, Float, Gradients, Parameters, Targets, Trainable, Workspace};

/// A deterministic batch of `rows` samples × `width` features in about [−2, 2].
fn batch(rows: usize, width: usize) -> Array2<f64> {
    Array2::from_shape_fn((rows, width), |(i, j)| 2.0 * ((7 * i + 3 * j) as f64 * 0.731 + 0.4).sin())
}

/// Targets in [0, 1] (accepted by every cost) for `rows` samples × `width` outputs.
fn values(rows: usize, width: usize) -> Array2<f64> {
    Array2::from_shape_fn((rows, width), |(i, j)| 0.5 + 0.45 * ((5 * i + j) as f64 * 1.37).cos())
}

fn labels(rows: usize, classes: usize) -> Vec<usize> {
    (0..rows).map(|i| (i * 7 + 3) % classes).collect()
}

/// |a − b| ≤ 1e-12 · max(1, |a|, |b|) for every pair, in f64 (the two paths sum in different
/// orders, so they agree to rounding, not bit for bit).
fn assert_all_close(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>, what: &str) {
    assert_eq!(a.dim(), b.dim(), "{what}: shapes differ");
    for ((i, j), &x) in a.indexed_iter() {
        let y = b[[i, j]];
        let scale = 1f64.max(x.abs()).max(y.abs());
        assert!((x - y).abs() <= 1e-12 * scale, "{what}[{i}, {j}]: {x} vs {y}");
    }
}

fn gradients_of<F: Float, G: Gradients<F>>(g: &G) -> Vec<(Array2<F>, Vec<F>)> {
    let mut all = Vec::new();
    g.visit(&mut |p: Parameters<'_, F>| all.push((p.weight.to_owned(), p.bias.to_vec())));
    all
}

fn parameters_of<F: Float, N: Network<F>>(net: &N) -> Vec<(Array2<F>, Vec<F>)> {
    let mut all = Vec::new();
    net.visit_parameters(&mut |p| all.push((p.weight.to_owned(), p.bias.to_vec())));
    all
}

fn assert_same_tensors(a: &[(Array2<f64>, Vec<f64>)], b: &[(Array2<f64>, Vec<f64>)], what: &str) {
    assert_eq!(a.len(), b.len());
    for (l, ((wa, ba), (wb, bb))) in a.iter().zip(b).enumerate() {
        assert_all_close(wa.view(), wb.view(), &format!("{what}, layer {l} weight"));
        let (ba, bb) = (
            Array2::from_shape_vec((1, ba.len()), ba.clone()),
            Array2::from_shape_vec((1, bb.len()), bb.clone()),
        );
        assert_all_close(
            ba.as_ref().unwrap().view(),
            bb.as_ref().unwrap().view(),
            &format!("{what}, layer {l} bias"),
        );
    }
}

/// Checks every in-place variant of `net` against the plain ones on the batch `(x, y)`,
/// reusing `ws` (so a test can pass one that served other batch sizes before).
fn check<'y, N: Network<f64> + Clone>(
    net: &N,
    x: ArrayView2<'_, f64>,
    y: impl Into<Targets<'y, f64>> + Copy,
    ws: &mut Workspace<f64, N::Gradients>,
    what: &str,
) {
    let plain = net.forward(x).unwrap();
    let fast = net.forward_in(x, ws).unwrap().to_owned();
    assert_all_close(fast.view(), plain.view(), &format!("{what}: forward_in"));

    let (cost, gradients) = net.backward(x, y).unwrap();
    let fast_cost = net.backward_in(x, y, ws).unwrap();
    assert!((cost - fast_cost).abs() <= 1e-12 * cost.abs().max(1.0), "{what}: cost {cost} vs {fast_cost}");
    assert_same_tensors(
        &gradients_of(ws.gradients()),
        &gradients_of(&gradients),
        &format!("{what}: backward_in"),
    );

    // Plain gradient descent: fused into the backward pass.
    let (mut plain_net, mut fast_net) = (net.clone(), net.clone());
    let mut sgd = Sgd::new(0.1).unwrap();
    sgd.step(&mut plain_net, &gradients).unwrap();
    let step_cost = fast_net.train_step(x, y, ws, &mut sgd).unwrap();
    assert!((cost - step_cost).abs() <= 1e-12 * cost.abs().max(1.0), "{what}: train_step cost");
    assert_same_tensors(
        &parameters_of(&fast_net),
        &parameters_of(&plain_net),
        &format!("{what}: fused train_step"),
    );

    // Momentum is not fused: two steps, so that the velocity matters.
    let (mut plain_net, mut fast_net) = (net.clone(), net.clone());
    let (mut plain_sgd, mut fast_sgd) =
        (sgd.clone().with_momentum(0.9).unwrap(), sgd.with_momentum(0.9).unwrap());
    for _ in 0..2 {
        let (_, g) = plain_net.backward(x, y).unwrap();
        plain_sgd.step(&mut plain_net, &g).unwrap();
        fast_net.train_step(x, y, ws, &mut fast_sgd).unwrap();
    }
    assert_same_tensors(&parameters_of(&fast_net), &parameters_of(&plain_net), &format!("{what}: momentum"));

    // Any other optimiser: backward_in, then its own step.
    let (mut plain_net, mut fast_net) = (net.clone(), net.clone());
    HalfStep.step(&mut plain_net, &gradients).unwrap();
    fast_net.train_step(x, y, ws, &mut HalfStep).unwrap();
    assert_same_tensors(
        &parameters_of(&fast_net),
        &parameters_of(&plain_net),
        &format!("{what}: unfused train_step"),
    );
}

/// An optimiser that is not plain gradient descent: θ ← θ − ½ sign(∂C/∂θ)·|∂C/∂θ|^½.
struct HalfStep;

impl Optimizer<f64> for HalfStep {
    fn step<T: Trainable<f64>>(&mut self, net: &mut T, gradients: &T::Gradients) -> Result<(), Error> {
        net.visit_with_gradients(gradients, &mut |mut p, g| {
            p.weight.zip_mut_with(&g.weight, |w, &g| *w -= 0.5 * g.signum() * g.abs().sqrt());
            p.bias.zip_mut_with(&g.bias, |b, &g| *b -= 0.5 * g.signum() * g.abs().sqrt());
        });
        Ok(())
    }

    fn learning_rate(&self) -> f64 {
        0.5
    }

    fn set_learning_rate(&mut self, _: f64) -> Result<(), Error> {
        Ok(())
    }
}

/// Declares a small and a large network with hidden activation `$act` and cost `$cost`, and
/// checks them on batches that select each kernel.
macro_rules! check_network {
    ($test:ident, $act:ty, $cost:ty, $targets:expr) => {
        #[test]
        fn $test() {
            network! {
                #[derive(Clone)]
                struct Small<f64> { input: 4, hidden: 6 => $act, second: 5 => $act, out: 3, cost: $cost }
            }
            network! {
                #[derive(Clone)]
                struct Large<f64> { input: 40, hidden: 64 => $act, second: 32 => $act, out: 3, cost: $cost }
            }
            let small = Small::with_seed(1);
            let large = Large::with_seed(2);
            let mut small_ws = Small::workspace();
            let mut large_ws = Large::workspace();
            // Grow, shrink, grow again: the workspace serves every size from its buffers.
            for rows in [1, 7, 2, 33, 5] {
                let targets: fn(usize) -> Array2<f64> = $targets;
                let y = targets(rows);
                let what = format!("{} / {} with {rows} rows", stringify!($act), stringify!($cost));
                check(&small, batch(rows, 4).view(), &y, &mut small_ws, &format!("small, {what}"));
                check(&large, batch(rows, 40).view(), &y, &mut large_ws, &format!("large, {what}"));
            }
        }
    };
}

check_network!(identity_mse, Identity, Mse, |n| values(n, 3));
check_network!(sigmoid_mse, Sigmoid, Mse, |n| values(n, 3));
check_network!(tanh_mse, Tanh, Mse, |n| values(n, 3));
check_network!(relu_softmax, Relu, SoftmaxCrossEntropy, |n| values(n, 3));
check_network!(leaky_relu_bce, LeakyRelu, BinaryCrossEntropy, |n| values(n, 3));
check_network!(elu_mse, Elu, Mse, |n| values(n, 3));
check_network!(softplus_mse, Softplus, Mse, |n| values(n, 3));
check_network!(gelu_mse, Gelu, Mse, |n| values(n, 3));
check_network!(silu_mse, Silu, Mse, |n| values(n, 3));

#[test]
fn class_labels_and_the_hinge_loss() {
    network! {
        #[derive(Clone)]
        struct Hinge<f64> { input: 40, hidden: 64 => Relu, out: 5, cost: MulticlassHinge }
    }
    network! {
        #[derive(Clone)]
        struct Softmax<f64> { input: 4, hidden: 8 => Tanh, out: 5, cost: SoftmaxCrossEntropy }
    }
    for rows in [1, 3, 40] {
        let y = labels(rows, 5);
        check(&Hinge::with_seed(3), batch(rows, 40).view(), y.as_slice(), &mut Hinge::workspace(), "hinge");
        check(
            &Softmax::with_seed(4),
            batch(rows, 4).view(),
            y.as_slice(),
            &mut Softmax::workspace(),
            "softmax",
        );
    }
}

#[test]
fn an_output_activation() {
    network! {
        #[derive(Clone)]
        struct Squashed<f64> { input: 4, hidden: 8 => Tanh, out: 3 => Sigmoid, cost: Mse }
    }
    network! {
        #[derive(Clone)]
        struct Wide<f64> { input: 40, hidden: 64 => Relu, out: 3 => Softplus, cost: Mse }
    }
    for rows in [1, 9, 40] {
        let y = values(rows, 3);
        check(
            &Squashed::with_seed(5),
            batch(rows, 4).view(),
            &y,
            &mut Squashed::workspace(),
            "sigmoid output",
        );
        check(&Wide::with_seed(6), batch(rows, 40).view(), &y, &mut Wide::workspace(), "softplus output");
    }
}

/// Inputs that are not a contiguous row-major matrix: column-major, and every other row of a
/// larger one. The fast kernels need slices, so these take the general route.
#[test]
fn inputs_in_any_layout() {
    network! {
        #[derive(Clone)]
        struct Tiny<f64> { input: 4, hidden: 6 => Tanh, out: 3, cost: Mse }
    }
    let y = values(6, 3);
    let column_major = {
        let mut m = Array2::zeros((6, 4).f());
        m.assign(&batch(6, 4));
        m
    };
    let every_other_row = batch(12, 4);
    let every_other_row =
        every_other_row.slice_axis(backprop::ndarray::Axis(0), backprop::ndarray::Slice::from(..).step_by(2));
    let net = Tiny::with_seed(7);
    check(&net, column_major.view(), &y, &mut Tiny::workspace(), "column-major input");
    check(&net, every_other_row, &y, &mut Tiny::workspace(), "strided input");
    // And a transposed weight: the parameters are public, so any layout can be set.
    let mut transposed = net.clone();
    let mut w = Array2::zeros((6, 4).f());
    w.assign(&net.hidden.weight);
    transposed.hidden.weight = w;
    assert!(transposed.hidden.weight.as_slice().is_none());
    check(&transposed, batch(6, 4).view(), &y, &mut Tiny::workspace(), "column-major weight");
}

/// The sizes above exercise both kernels; checked when this file compiles.
const _: () = {
    assert!(4 * 6 < SMALL_PRODUCT, "the small network's first product uses the fixed-size loops");
    assert!(33 * 40 * 64 >= SMALL_PRODUCT, "the large network's first product uses the matrix routine");
};

/// The same in f32: the fused step of a network like the `fmnist` benchmark's agrees with
/// `backward` then `Sgd::step` to f32 rounding.
#[test]
fn f32_train_step_matches_backward_then_step() {
    network! {
        #[derive(Clone)]
        struct Fashion<f32> { input: 784, h1: 128 => Relu, h2: 64 => Relu, logits: 10, cost: SoftmaxCrossEntropy }
    }
    let x = Array2::from_shape_fn((64, 784), |(i, j)| ((i * 31 + j * 17) % 256) as f32 / 255.0);
    let y = labels(64, 10);
    let mut plain = Fashion::with_seed(8);
    let mut fast = plain.clone();
    let mut sgd = Sgd::new(0.05_f32).unwrap();
    let mut ws = Fashion::workspace();
    for _ in 0..3 {
        let (cost, g) = plain.backward(x.view(), y.as_slice()).unwrap();
        sgd.step(&mut plain, &g).unwrap();
        let fast_cost = fast.train_step(x.view(), y.as_slice(), &mut ws, &mut sgd).unwrap();
        assert!((cost - fast_cost).abs() <= 1e-5 * cost.abs(), "cost {cost} vs {fast_cost}");
    }
    for ((wa, ba), (wb, bb)) in parameters_of(&fast).iter().zip(&parameters_of(&plain)) {
        for (a, b) in wa.iter().chain(ba).zip(wb.iter().chain(bb)) {
            assert!((a - b).abs() <= 1e-5 * a.abs().max(1.0), "{a} vs {b}");
        }
    }
}

/// A workspace made for other layers is an error, not a panic.
#[test]
fn a_workspace_for_other_layers_is_an_error() {
    network! {
        struct Net<f64> { input: 2, hidden: 3 => Tanh, out: 1, cost: Mse }
    }
    let net = Net::with_seed(0);
    let mut wrong = Workspace::<f64, NetGradients>::new(&[]);
    let x = batch(2, 2);
    assert!(matches!(net.forward_in(x.view(), &mut wrong), Err(Error::BufferShape { .. })));
    assert!(matches!(net.backward_in(x.view(), &values(2, 1), &mut wrong), Err(Error::BufferShape { .. })));
    // Bad data is reported as by the plain methods.
    let mut ws = Net::workspace();
    assert_eq!(
        net.forward_in(batch(2, 3).view(), &mut ws).unwrap_err(),
        Error::InputWidth { expected: 2, found: 3 }
    );
    assert_eq!(
        net.backward_in(x.view(), &values(3, 1), &mut ws).unwrap_err(),
        Error::TargetCount { expected: 2, found: 3 }
    );
}

/// A non-finite input is reported by the in-place variants exactly as by the plain ones, and a
/// failed `train_step` leaves the network as it was.
#[test]
fn non_finite_inputs_are_the_same_error() {
    network! {
        #[derive(Clone, Debug, PartialEq)]
        struct Net<f64> { input: 3, hidden: 4 => Relu, out: 2, cost: Mse }
    }
    let net = Net::with_seed(0);
    let y = values(3, 2);
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        for (i, j) in [(0, 0), (1, 2), (2, 1)] {
            let mut x = batch(3, 3);
            x[[i, j]] = bad;
            let expected = net.backward(x.view(), &y).unwrap_err();
            assert!(
                matches!(expected, Error::NonFinite { what: "input", sample, column, .. } if (sample, column) == (i, j))
            );
            let mut ws = Net::workspace();
            assert_eq!(net.forward_in(x.view(), &mut ws).unwrap_err(), expected);
            assert_eq!(net.backward_in(x.view(), &y, &mut ws).unwrap_err(), expected);
            let mut trained = net.clone();
            assert_eq!(
                trained.train_step(x.view(), &y, &mut ws, &mut Sgd::new(0.1).unwrap()).unwrap_err(),
                expected
            );
            assert_eq!(trained, net);
        }
    }
}

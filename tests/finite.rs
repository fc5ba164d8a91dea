//! No non-finite value enters a parameter: every optimiser, the fused gradient descent of
//! `train_step` included, either returns `Ok` with every parameter finite or an error naming the
//! layer, and then the network and the optimiser's state are exactly as they were. A parameter
//! that holds NaN or an infinity anyway (set by hand) is reported by `forward`, `cost`,
//! `evaluate`, `predict` and training, even where a ReLU would hide it (`Relu::apply(NaN)` is 0).
//! The edges attacked: NaN, ±∞, finite gradients and weights so large that the update overflows,
//! and products large enough to run on two threads.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Debug;

use backprop::ndarray::{Array2, ArrayView2};
use backprop::prelude::*;
use backprop::train::{Progress, evaluate};
use backprop::{Error, Float, OptimizerState};

network! {
    /// 4·8 + 8 + 8·2 + 2 = 58 parameters.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Small<f32> { input: 4, hidden: 8 => Tanh, out: 2, cost: SoftmaxCrossEntropy }
}

network! {
    /// ReLU hides a NaN in z: a NaN weight of `hidden` gives a = 0.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Rectified<f64> { input: 3, hidden: 4 => Relu, out: 2, cost: SoftmaxCrossEntropy }
}

network! {
    /// Products of at least 4096 multiply-adds: the matrix-multiply kernel.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Large<f32> { input: 64, hidden: 128 => Relu, out: 10, cost: SoftmaxCrossEntropy }
}

network! {
    /// 1-2-3, softmax: output weights ±3e38 that cancel give finite logits and a finite cost.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Tiny<f32> { input: 1, hidden: 2 => Tanh, out: 3, cost: SoftmaxCrossEntropy }
}

network! {
    /// Products of 32 × 1024 × 1024 multiply-adds, 67 MFLOP: split over rayon's threads.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Wide<f32> { input: 1024, hidden: 1024 => Relu, out: 2, cost: SoftmaxCrossEntropy }
}

fn batch<F: Float>(rows: usize, width: usize) -> Array2<F> {
    Array2::from_shape_fn((rows, width), |(i, j)| F::of(((i * 7 + j * 3) % 11) as f64 / 5.0 - 1.0))
}

fn labels(rows: usize, classes: usize) -> Vec<usize> {
    (0..rows).map(|i| i % classes).collect()
}

fn all_finite<F: Float, N: Network<F>>(net: &N) -> bool {
    let mut finite = true;
    net.visit_parameters(&mut |p| finite &= p.weight.iter().chain(p.bias.iter()).all(|v| v.is_finite()));
    finite
}

/// Steps `optimizer` on `net` with `gradients` and checks that it fails naming `layer`, changing
/// neither the network nor the optimiser.
#[track_caller]
fn refused<O, N>(what: &str, optimizer: &mut O, net: &mut N, gradients: &N::Gradients, layer: &str)
where
    O: Optimizer<f32> + Clone + PartialEq + Debug,
    N: Network<f32> + Clone + PartialEq + Debug,
{
    let (net_before, optimizer_before) = (net.clone(), optimizer.clone());
    let result = optimizer.step(net, gradients);
    let error = result.expect_err(what);
    assert!(error.to_string().contains(&format!("`{layer}`")), "{what}: {error}");
    assert!(*net == net_before, "{what}: the network changed");
    assert!(*optimizer == optimizer_before, "{what}: the optimiser's state changed");
}

/// Runs `check` on every optimiser of the library, each after one good step (so that the
/// stateful ones have state to keep).
fn for_every_optimizer(
    mut check: impl FnMut(&str, &mut dyn FnMut(&mut Small, &SmallGradients) -> (bool, bool)),
) {
    /// Steps and returns whether the step failed, and whether the network and the optimiser are
    /// as they were; a step that succeeds must leave every parameter finite.
    fn run<O: Optimizer<f32> + Clone + PartialEq>(
        mut optimizer: O,
    ) -> impl FnMut(&mut Small, &SmallGradients) -> (bool, bool) {
        move |net, g| {
            let (net_before, optimizer_before) = (net.clone(), optimizer.clone());
            let failed = optimizer.step(net, g).is_err();
            assert!(failed || all_finite(net), "an Ok step left a non-finite parameter");
            (failed, *net == net_before && optimizer == optimizer_before)
        }
    }
    let sgd = || Sgd::new(0.1).unwrap();
    let adam = || Adam::new(1e-3).unwrap();
    check("Sgd", &mut run(sgd()));
    check("Sgd with momentum", &mut run(sgd().with_momentum(0.9).unwrap()));
    check("Sgd with Nesterov momentum", &mut run(sgd().with_nesterov(0.9).unwrap()));
    check("Adam", &mut run(adam()));
    check("AdamW", &mut run(AdamW::new(1e-3, 1e-2).unwrap()));
    check("WeightDecay(Sgd)", &mut run(WeightDecay::new(sgd().with_momentum(0.5).unwrap(), 1e-3).unwrap()));
    check("ClipGradNorm(Adam)", &mut run(ClipGradNorm::new(adam(), 1.0).unwrap()));
}

#[test]
fn every_optimizer_refuses_non_finite_gradients_and_changes_nothing() {
    let x = batch::<f32>(6, 4);
    let y = labels(6, 2);
    for_every_optimizer(|name, step| {
        let mut net = Small::with_seed(1);
        let (_, good) = net.backward(x.view(), &y).unwrap();
        assert_eq!(step(&mut net, &good), (false, false), "{name}: a good step");
        for plant in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            for in_bias in [false, true] {
                let mut g = good.clone();
                if in_bias {
                    g.out.bias[1] = plant
                } else {
                    g.hidden.weight[[2, 3]] = plant
                }
                assert_eq!(
                    step(&mut net, &g),
                    (true, true),
                    "{name}: {plant} in a gradient (bias: {in_bias})"
                );
            }
        }
        // A weight at the largest float and a gradient of minus the largest there: θ − η g
        // overflows for gradient descent (and g² for Adam); clipped to norm 1 first, it is a
        // step of 10⁻³ that rounds away. Either the step is refused and changes nothing, or it
        // is taken and every parameter stays finite (which `run` checks).
        net.hidden.weight[[0, 0]] = f32::MAX;
        let mut g = good.clone();
        g.hidden.weight[[0, 0]] = -f32::MAX;
        let (failed, unchanged) = step(&mut net, &g);
        assert_eq!(failed, unchanged, "{name}: a refused step changes nothing, a taken one does");
        assert_eq!(failed, !name.starts_with("ClipGradNorm"), "{name}: a gradient of -f32::MAX");
        net.hidden.weight[[0, 0]] = 0.5;
        assert_eq!(step(&mut net, &good), (false, false), "{name}: a good step after the refused ones");
    });
}

#[test]
fn a_refused_step_names_the_layer() {
    let x = batch::<f32>(6, 4);
    let mut net = Small::with_seed(1);
    let (_, mut g) = net.backward(x.view(), &labels(6, 2)).unwrap();
    g.out.weight[[0, 0]] = f32::NAN;
    refused("Sgd", &mut Sgd::new(0.1).unwrap(), &mut net, &g, "out");
    refused("Adam", &mut Adam::new(0.1).unwrap(), &mut net, &g, "out");
}

#[test]
fn adam_with_a_learning_rate_of_3e38_refuses_its_step() {
    // The case: one Ok step made all 58 parameters non-finite.
    let (x, y) = (batch::<f32>(6, 4), labels(6, 2));
    let mut net = Small::with_seed(1);
    let mut ws = Small::workspace();
    let mut adam = Adam::new(3e38).unwrap();
    let (net_before, adam_before) = (net.clone(), adam.clone());
    let error = net.train_step(x.view(), &y, &mut ws, &mut adam).unwrap_err();
    assert!(error.to_string().contains("`hidden`"), "{error}");
    assert_eq!(net, net_before);
    assert_eq!(adam, adam_before);
}

/// The 1-2-3 network with a^1 = tanh(0) = 0 and output weights of ±3e38: logits of exactly 0
/// (in every kernel), a finite cost, δ^1 of about 1e38, and an update η δ^1 x that overflows
/// the first layer for x = 5.
fn cancelling() -> Tiny {
    let mut net = Tiny::with_seed(1);
    net.hidden.weight.fill(0.0);
    net.out.weight = backprop::ndarray::array![[3e38, -3e38], [-3e38, 3e38], [0.0, 0.0]];
    net
}

#[test]
fn fused_gradient_descent_refuses_an_update_that_overflows() {
    let mut net = cancelling();
    let x = Array2::from_elem((2, 1), 5.0f32);
    assert!(net.cost(x.view(), &[0, 2]).unwrap().is_finite());
    let mut ws = Tiny::workspace();
    let mut sgd = Sgd::new(1.0).unwrap();
    let before = net.clone();
    let error = net.train_step(x.view(), &[0, 2], &mut ws, &mut sgd).unwrap_err();
    assert!(error.to_string().contains("`hidden`"), "{error}");
    assert_eq!(net, before, "a refused fused step changes nothing, the output layer included");
}

#[test]
fn fused_gradient_descent_takes_a_finite_step_from_huge_weights() {
    // The same network with x = 10⁻³: an update of about 10³⁵, finite. The step is taken, and
    // it is the step the unfused path takes.
    let x = Array2::from_elem((2, 1), 1e-3f32);
    let (mut fused, mut unfused) = (cancelling(), cancelling());
    let mut ws = Tiny::workspace();
    fused.train_step(x.view(), &[0, 2], &mut ws, &mut Sgd::new(1.0).unwrap()).unwrap();
    let (_, g) = unfused.backward(x.view(), &[0, 2]).unwrap();
    Sgd::new(1.0).unwrap().step(&mut unfused, &g).unwrap();
    assert!(all_finite(&fused));
    assert_ne!(fused, cancelling(), "the step was taken");
    let close = |a: &Array2<f32>, b: &Array2<f32>| {
        a.iter().zip(b).all(|(a, b)| (a - b).abs() <= 1e-5 * a.abs().max(b.abs()).max(1.0))
    };
    assert!(
        close(&fused.hidden.weight, &unfused.hidden.weight),
        "{} vs {}",
        fused.hidden.weight,
        unfused.hidden.weight
    );
    assert!(close(&fused.out.weight, &unfused.out.weight));
}

/// Every way of running `net` on `x`: each must report the non-finite parameter of `layer`.
fn every_use_reports<F: Float, N: Network<F> + Clone>(
    net: &N,
    x: ArrayView2<'_, F>,
    y: &[usize],
    layer: &str,
) {
    let named = |what: &str, result: Result<(), Error>| {
        let error = result.expect_err(what);
        assert!(error.to_string().contains(&format!("`{layer}`")), "{what}: {error}");
    };
    let mut ws = N::workspace();
    named("forward", net.forward(x).map(drop));
    named("cost", net.cost(x, y).map(drop));
    named("backward", net.backward(x, y).map(drop));
    named("forward_in", net.forward_in(x, &mut ws).map(drop));
    named("backward_in", net.backward_in(x, y, &mut ws).map(drop));
    named("predict", net.predict(x).map(drop));
    named("classify", net.classify(x).map(drop));
    named("evaluate", evaluate(net, x, y).map(drop));
    let (sgd, adam) = (&mut Sgd::new(F::of(0.1)).unwrap(), &mut Adam::new(F::of(0.1)).unwrap());
    named("train_step (fused)", net.clone().train_step(x, y, &mut ws, sgd).map(drop));
    named("train_step (Adam)", net.clone().train_step(x, y, &mut ws, adam).map(drop));
    let mut trained = net.clone();
    let fit = Trainer::new(Sgd::new(F::of(0.1)).unwrap())
        .epochs(5)
        .batch_size(4)
        .progress(Progress::Off)
        .fit(&mut trained, x, y);
    named("fit", fit.map(drop).map_err(Error::from));
}

#[test]
fn a_nan_weight_under_a_relu_is_reported_not_hidden() {
    let x = batch::<f64>(8, 3);
    let y = labels(8, 2);
    for plant in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut net = Rectified::with_seed(1);
        net.hidden.weight[[1, 2]] = plant;
        every_use_reports(&net, x.view(), &y, "hidden");
        let mut net = Rectified::with_seed(1);
        net.hidden.bias[3] = plant;
        every_use_reports(&net, x.view(), &y, "hidden");
    }
}

#[test]
fn a_nan_weight_behind_a_dead_unit_is_reported_in_both_kernels() {
    // Unit 3 of `hidden` is dead (a = 0 for every sample), and the output layer's weight from it
    // is NaN: NaN · 0 is NaN, so z of `out` shows it, in the loops for small products and in
    // the matrix-multiply kernel alike.
    let mut small = Rectified::with_seed(1);
    small.hidden.bias[3] = -1e3;
    small.out.weight[[0, 3]] = f64::NAN;
    every_use_reports(&small, batch::<f64>(4, 3).view(), &labels(4, 2), "out");

    let mut large = Large::with_seed(1);
    large.hidden.bias[100] = -1e6;
    large.out.weight[[4, 100]] = f32::NAN;
    every_use_reports(&large, batch::<f32>(8, 64).view(), &labels(8, 10), "out");
}

#[test]
fn on_two_threads_a_refused_step_changes_nothing_either() {
    // Output rows of ±1e30 give logits of about ±1e32 (a finite cost) and δ of `hidden` of about
    // 1e28: gradient descent with η = 1e10 overflows `hidden`, and so does Adam's g².
    let x = batch::<f32>(32, 1024);
    let y = labels(32, 2);
    let mut net = Wide::with_seed(1);
    net.out.weight.row_mut(0).fill(1e30);
    net.out.weight.row_mut(1).fill(-1e30);
    assert!(net.cost(x.view(), &y).unwrap().is_finite());
    let mut ws = Wide::workspace();
    for optimizer in ["Sgd", "Adam"] {
        let before = net.clone();
        let result = match optimizer {
            "Sgd" => net.train_step(x.view(), &y, &mut ws, &mut Sgd::new(1e10).unwrap()),
            _ => net.train_step(x.view(), &y, &mut ws, &mut Adam::new(1e-3).unwrap()),
        };
        let error = result.expect_err(optimizer);
        assert!(error.to_string().contains("`hidden`"), "{optimizer}: {error}");
        assert!(net == before, "{optimizer}: the network changed");
    }
    net.train_step(x.view(), &y, &mut ws, &mut Sgd::new(1e-30).unwrap()).unwrap();
    assert!(all_finite(&net));
}

#[test]
fn adam_refuses_a_state_whose_square_root_is_nan_or_whose_step_overflows() {
    // v < 0 can only come from a state set by hand; √v would be NaN. `set_state` refuses it
    // (the checkpoint issue's finding 6), and changes nothing. The bounds Adam keeps (no square
    // root) must not vouch for moments it did not compute itself.
    let x = batch::<f32>(6, 4);
    let mut net = Small::with_seed(1);
    let (_, g) = net.backward(x.view(), &labels(6, 2)).unwrap();
    let shapes: [&[usize]; 4] = [&[8, 4], &[8], &[2, 8], &[2]];
    let filled =
        |v: f32| shapes.iter().map(|s| backprop::ndarray::ArrayD::from_elem(s.to_vec(), v)).collect();
    let state = OptimizerState {
        counters: vec![("steps".to_owned(), 1)],
        slots: vec![("m".to_owned(), filled(0.0)), ("v".to_owned(), filled(-1.0))],
    };
    let mut adam = Adam::new(1e-3).unwrap();
    let error = adam.set_state(state).unwrap_err();
    assert!(error.to_string().contains("v = -1 at index [0, 0] of parameter tensor 0"), "{error}");
    assert_eq!(adam.steps(), 0, "the refused state changed nothing");
    // Finite moments whose step overflows: m = 10³⁷ and v = 0 divide by ε alone.
    let state = OptimizerState {
        counters: vec![("steps".to_owned(), 1)],
        slots: vec![("m".to_owned(), filled(1e37)), ("v".to_owned(), filled(0.0))],
    };
    adam.set_state(state).unwrap();
    refused("Adam with m = 10³⁷", &mut adam, &mut net, &g, "hidden");
}

#[test]
fn adam_over_steps_from_tiny_to_huge_gradients_refuses_or_stays_finite() {
    // Consecutive steps whose gradients grow from 10⁻⁴⁰ (subnormal) to 10³⁸, then shrink
    // again, so that the moments Adam keeps from one step to the next span the whole range:
    // every step either fails and changes nothing, or leaves every parameter and moment finite.
    // A schedule may raise η from one step to the next: the last case alternates it between
    // 10⁻³ and 10³⁰, so that moments built up at the small rate meet the large one.
    let x = batch::<f32>(6, 4);
    let net0 = Small::with_seed(1);
    let (_, g) = net0.backward(x.view(), &labels(6, 2)).unwrap();
    for (name, mut adam) in [
        ("Adam", Adam::new(1e-3).unwrap()),
        ("Adam, η = 10³⁰", Adam::new(1e30).unwrap()),
        ("Adam, ε = 10⁻³⁰", Adam::new(1e-3).unwrap().with_epsilon(1e-30).unwrap()),
        ("Adam, η alternating", Adam::new(1e-3).unwrap()),
    ] {
        let mut net = net0.clone();
        let (mut taken, mut refused) = (0, 0);
        for k in (-40..=38).chain((-40..38).rev()) {
            let mut scaled = g.clone();
            let scale = 10f32.powi(k);
            scaled.hidden.weight.mapv_inplace(|v| v * scale);
            scaled.hidden.bias.mapv_inplace(|v| v * scale);
            scaled.out.weight.mapv_inplace(|v| -v * scale);
            scaled.out.bias.mapv_inplace(|v| v * scale);
            if name == "Adam, η alternating" {
                adam.set_learning_rate(if k % 2 == 0 { 1e-3 } else { 1e30 }).unwrap();
            }
            let (net_before, adam_before) = (net.clone(), adam.clone());
            match adam.step(&mut net, &scaled) {
                Ok(()) => {
                    taken += 1;
                    assert!(all_finite(&net), "{name}, 10^{k}: an Ok step left a non-finite parameter");
                    let state = adam.state();
                    let moments = state.slots.iter().flat_map(|(_, arrays)| arrays.iter().flatten());
                    assert!(
                        moments.into_iter().all(|v| v.is_finite()),
                        "{name}, 10^{k}: a moment is not finite"
                    );
                }
                Err(_) => {
                    refused += 1;
                    assert!(
                        net == net_before && adam == adam_before,
                        "{name}, 10^{k}: a refused step changed something"
                    );
                }
            }
        }
        assert!(taken > 0 && refused > 0, "{name}: {taken} steps taken, {refused} refused");
    }
}

//! Diagnostics in training: a planted dead layer and a planted exploding layer are detected and
//! reported once, a healthy network gets no warning, the measured norms are those of the first
//! step's gradient and update, diagnostics never change the trained bits, and a checkpoint keeps
//! them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use backprop::ndarray::{Array2, Axis};
use backprop::prelude::*;
use backprop::train::diagnostics::{DEAD_FRACTION, EXPLODING_RATIO};
use backprop::train::{Problem, Progress, Warning};
use backprop::{Error, History};

network! {
    /// Two ReLU layers, three classes.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Deep<f64> {
        input: 4,
        hidden1: 16 => Relu,
        hidden2: 16 => Relu,
        logits: 3,
        cost: SoftmaxCrossEntropy,
    }
}

/// 96 samples of four features in [−1, 1], labelled by the sign of two sums.
fn data() -> (Array2<f64>, Vec<usize>) {
    let x = Array2::from_shape_fn((96, 4), |(i, j)| (((i * 4 + j) * 37 % 101) as f64 / 50.0) - 1.0);
    let labels =
        x.rows().into_iter().map(|r| usize::from(r[0] + r[1] > 0.0) + usize::from(r[2] > r[3])).collect();
    (x, labels)
}

fn train(net: &mut Deep, epochs: usize, rate: f64) -> Result<History<f64>, Error> {
    let (x, labels) = data();
    let mut trainer = Trainer::new(Sgd::new(rate)?).epochs(epochs).batch_size(16).progress(Progress::Off);
    Ok(trainer.fit(net, x.view(), &labels)?)
}

fn bits<N: Network<f64>>(net: &N) -> Vec<u64> {
    let mut bits = Vec::new();
    net.visit_parameters(&mut |p| bits.extend(p.weight.iter().chain(&p.bias).map(|v| v.to_bits())));
    bits
}

#[test]
fn a_healthy_network_gets_no_warning() -> Result<(), Error> {
    let mut net = Deep::with_seed(1);
    let history = train(&mut net, 3, 0.05)?;
    assert_eq!(history.warnings, []);
    for epoch in &history.epochs {
        let names: Vec<&str> = epoch.diagnostics.iter().map(|d| d.layer.as_str()).collect();
        assert_eq!(names, ["hidden1", "hidden2", "logits"]);
        for d in &epoch.diagnostics {
            assert!(d.gradient_norm > 0.0 && d.gradient_norm.is_finite(), "{d:?}");
            assert!(d.weight_norm > 0.0 && d.update_ratio > 0.0 && d.update_ratio < 1.0, "{d:?}");
        }
        // Dead units are counted for the ReLU layers only.
        assert!(epoch.diagnostics[0].dead_fraction.is_some_and(|f| f < DEAD_FRACTION));
        assert!(epoch.diagnostics[1].dead_fraction.is_some_and(|f| f < DEAD_FRACTION));
        assert_eq!(epoch.diagnostics[2].dead_fraction, None);
    }
    Ok(())
}

#[test]
fn a_planted_dead_layer_is_reported_once() -> Result<(), Error> {
    let mut net = Deep::with_seed(1);
    // No z² can exceed 0: every unit of hidden2 is dead, and stays so (its δ is 0, by (2)).
    net.hidden2.bias.fill(-100.0);
    let history = train(&mut net, 3, 0.05)?;
    for epoch in &history.epochs {
        assert_eq!(epoch.diagnostics[1].dead_fraction, Some(1.0), "epoch {}", epoch.epoch);
        assert!(epoch.diagnostics[0].dead_fraction.is_some_and(|f| f < DEAD_FRACTION));
        // Nothing flows back through the dead layer: hidden1's gradient is zero, and so is the
        // output layer's weight gradient, δ³ (a²)ᵀ with a² = 0.
        assert_eq!(epoch.diagnostics[0].gradient_norm, 0.0);
        assert_eq!(epoch.diagnostics[2].gradient_norm, 0.0);
    }
    let dead = Warning {
        epoch: 1,
        layer: "hidden2".to_owned(),
        problem: Problem::Dead { never_fired: 16, units: 16 },
    };
    assert_eq!(history.warnings, std::slice::from_ref(&dead), "one warning in three epochs");
    assert_eq!(
        dead.to_string(),
        "epoch 1: layer `hidden2`: 16 of 16 units never fired (z ≤ 0 for every sample of the epoch), so no gradient flows back through them: the layer is dead"
    );
    Ok(())
}

#[test]
fn a_planted_exploding_layer_is_reported_once() -> Result<(), Error> {
    let mut net = Deep::with_seed(1);
    // W² 10⁴ times too large: by (2), δ¹ = relu'(z¹) ⊙ (W²)ᵀ δ² is 10⁴ times too large, and so
    // is ∂C/∂W¹ = δ¹ (a⁰)ᵀ; a² is too, and with it ∂C/∂W³ = δ³ (a²)ᵀ. A tiny rate keeps the
    // cost finite for the test's three epochs.
    net.hidden2.weight.mapv_inplace(|w| w * 1e4);
    let history = train(&mut net, 3, 1e-9)?;
    let reported: Vec<(&str, &str)> =
        history.warnings.iter().map(|w| (w.layer.as_str(), w.problem.kind())).collect();
    // hidden2's gradient is normal, but 10⁻⁴ times smaller than the exploded output layer's.
    assert_eq!(reported, [("hidden1", "exploding"), ("hidden2", "vanishing"), ("logits", "exploding")]);
    let exploding: Vec<&Warning> =
        history.warnings.iter().filter(|w| matches!(w.problem, Problem::Exploding { .. })).collect();
    let layers: Vec<&str> = exploding.iter().map(|w| w.layer.as_str()).collect();
    assert_eq!(layers, ["hidden1", "logits"], "{:#?}", history.warnings);
    for w in &exploding {
        assert_eq!(w.epoch, 1, "reported once, when first seen");
        let Problem::Exploding { gradient_norm, weight_norm } = w.problem else { unreachable!() };
        assert!(gradient_norm > EXPLODING_RATIO * weight_norm, "{w}");
        assert!(w.to_string().contains("the gradient explodes: ‖∂C/∂W‖ = "), "{w}");
    }
    let first = &history.epochs[0].diagnostics;
    assert!(first[0].gradient_norm > 1e3 * first[0].weight_norm, "{first:?}");
    // The planted layer itself has a normal gradient for its enormous weights.
    assert!(first[1].gradient_norm < first[1].weight_norm, "{first:?}");
    Ok(())
}

#[test]
fn the_norms_are_those_of_the_first_steps_gradient_and_update() -> Result<(), Error> {
    let (x, labels) = data();
    let net0 = Deep::with_seed(2);
    let (_, gradients) = net0.backward(x.view(), labels.as_slice())?;
    let mut net = net0.clone();
    let rate = 0.01;
    // One epoch of one full batch: the measured step is the whole training.
    let history = Trainer::new(Sgd::new(rate)?)
        .epochs(1)
        .batch_size(96)
        .progress(Progress::Off)
        .training_accuracy(false)
        .fit(&mut net, x.view(), &labels)?;
    let norm = |m: &Array2<f64>| m.iter().map(|v| v * v).sum::<f64>().sqrt();
    let expected = [
        (&gradients.hidden1.weight, &net0.hidden1.weight, &net.hidden1.weight),
        (&gradients.hidden2.weight, &net0.hidden2.weight, &net.hidden2.weight),
        (&gradients.logits.weight, &net0.logits.weight, &net.logits.weight),
    ];
    for (d, (gradient, before, after)) in history.epochs[0].diagnostics.iter().zip(expected) {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1e-300);
        assert!(close(d.gradient_norm, norm(gradient)), "{d:?} against {}", norm(gradient));
        assert!(close(d.weight_norm, norm(before)), "{d:?}");
        assert!(close(d.update_ratio, norm(&(after - before)) / norm(before)), "{d:?}");
        // For plain gradient descent the update is η times the gradient.
        assert!((d.update_ratio - rate * d.gradient_norm / d.weight_norm).abs() < 1e-9 * d.update_ratio);
    }
    // An optimiser that forms the gradients (Adam) gives the same gradient norms, from its own
    // step rather than an extra backward pass.
    let mut adam_net = net0.clone();
    let adam = Trainer::new(Adam::new(1e-3)?).epochs(1).batch_size(96).progress(Progress::Off).fit(
        &mut adam_net,
        x.view(),
        &labels,
    )?;
    for (a, d) in adam.epochs[0].diagnostics.iter().zip(&history.epochs[0].diagnostics) {
        assert_eq!((a.gradient_norm, a.weight_norm), (d.gradient_norm, d.weight_norm));
        assert!(a.update_ratio > 0.0 && a.update_ratio != d.update_ratio);
    }
    // Which units fired on the batch: those with z¹ > 0 for some sample, at the initial weights.
    let z1 = net0.hidden1.weighted_input(x.view());
    let never = z1.axis_iter(Axis(1)).filter(|column| column.iter().all(|&z| z <= 0.0)).count();
    assert_eq!(history.epochs[0].diagnostics[0].dead_fraction, Some(never as f64 / 16.0));
    Ok(())
}

#[test]
fn diagnostics_never_change_the_trained_bits() -> Result<(), Error> {
    let (x, labels) = data();
    for optimizer in ["sgd", "adam"] {
        let run = |diagnostics: bool| -> Result<(Deep, History<f64>), Error> {
            let mut net = Deep::with_seed(3);
            let history = match optimizer {
                "sgd" => Trainer::new(Sgd::new(0.05)?)
                    .epochs(3)
                    .batch_size(10)
                    .diagnostics(diagnostics)
                    .progress(Progress::Off)
                    .fit(&mut net, x.view(), &labels)?,
                _ => Trainer::new(Adam::new(0.01)?)
                    .epochs(3)
                    .batch_size(10)
                    .diagnostics(diagnostics)
                    .progress(Progress::Off)
                    .fit(&mut net, x.view(), &labels)?,
            };
            Ok((net, history))
        };
        let (with, history_with) = run(true)?;
        let (without, history_without) = run(false)?;
        assert_eq!(bits(&with), bits(&without), "{optimizer}");
        assert!(history_with.epochs.iter().all(|e| e.diagnostics.len() == 3));
        assert!(history_without.epochs.iter().all(|e| e.diagnostics.is_empty()));
        let losses = |h: &History<f64>| h.epochs.iter().map(|e| e.train_loss).collect::<Vec<_>>();
        assert_eq!(losses(&history_with), losses(&history_without), "{optimizer}");
    }
    Ok(())
}

#[test]
fn a_planted_dead_layer_switched_off_is_not_reported() -> Result<(), Error> {
    let (x, labels) = data();
    let mut net = Deep::with_seed(1);
    net.hidden2.bias.fill(-100.0);
    let history = Trainer::new(Sgd::new(0.05)?).epochs(2).diagnostics(false).progress(Progress::Off).fit(
        &mut net,
        x.view(),
        &labels,
    )?;
    assert_eq!(history.warnings, []);
    Ok(())
}

#[test]
fn a_checkpoint_keeps_the_diagnostics_and_the_warnings_given() -> Result<(), Error> {
    let (x, labels) = data();
    let path = std::env::temp_dir().join(format!("backprop-diagnostics-{}.safetensors", std::process::id()));
    let trainer = |epochs: usize| {
        Trainer::new(Sgd::new(0.05).unwrap())
            .epochs(epochs)
            .batch_size(16)
            .progress(Progress::Off)
            .checkpoint(&path, 1)
    };
    let planted = || {
        let mut net = Deep::with_seed(1);
        net.hidden2.bias.fill(-100.0);
        net
    };
    let mut straight = planted();
    let expected = trainer(3).fit(&mut straight, x.view(), &labels)?;
    let mut first = planted();
    trainer(1).fit(&mut first, x.view(), &labels)?;
    let mut resumed = planted();
    let history = trainer(3).resume(&path, &mut resumed, x.view(), &labels)?;
    let _ = std::fs::remove_file(&path);

    assert_eq!(
        history.warnings.len(),
        1,
        "the warning of epoch 1 is not given again: {:#?}",
        history.warnings
    );
    assert_eq!(history.warnings, expected.warnings);
    for (a, b) in history.epochs.iter().zip(&expected.epochs) {
        assert_eq!(a.diagnostics, b.diagnostics, "epoch {}", a.epoch);
    }
    assert_eq!(bits(&resumed), bits(&straight));
    Ok(())
}

//! Binary classification means what it says: for a network with one output, class labels are
//! its targets 0 and 1 (not one-hot rows of width 1), and a label of 2 is an error saying so;
//! binary cross-entropy reports an accuracy (z > 0 against the label for one output, element by
//! element for several), and `classify`, `confusion_matrix` and the trainer's history agree
//! with it.

#![allow(clippy::unwrap_used)]

use backprop::ndarray::{Array2, array};
use backprop::prelude::*;
use backprop::train::{Progress, confusion_matrix, evaluate, predict_classes};
use backprop::{Error, Float};

network! {
    /// A yes/no classifier on logits.
    #[derive(Clone, Debug, PartialEq)]
    pub struct YesNo<f64> { input: 2, out: 1, cost: BinaryCrossEntropy }
}

network! {
    /// The same in f32, with a hidden layer.
    pub struct YesNo32<f32> { input: 2, hidden: 8 => Tanh, out: 1, cost: BinaryCrossEntropy }
}

network! {
    /// One output under the squared error, fitted to targets 0 and 1.
    pub struct YesNoMse<f64> { input: 2, out: 1, cost: Mse }
}

network! {
    /// Three independent yes/no labels per sample.
    pub struct Tags<f64> { input: 3, out: 3, cost: BinaryCrossEntropy }
}

type TestResult = Result<(), Error>;

/// Makes a one-layer network pass its input through: z_j = x_j.
fn pass_through<F: Float, N: Network<F>>(mut net: N) -> N {
    net.visit_parameters_mut(&mut |mut p| {
        for ((j, k), w) in p.weight.indexed_iter_mut() {
            *w = if j == k { F::one() } else { F::zero() };
        }
        p.bias.fill(F::zero());
    });
    net
}

#[test]
fn labels_of_a_network_with_one_output_are_its_targets_0_and_1() -> TestResult {
    let x = array![[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5], [0.0, 3.0]];
    let labels = [0, 1, 1, 0];
    let y = array![[0.0], [1.0], [1.0], [0.0]];
    let net = YesNo::with_seed(1);
    assert_eq!(net.cost(x.view(), &labels)?, net.cost(x.view(), &y)?);
    let (cost, gradients) = net.backward(x.view(), &labels)?;
    assert_eq!((cost, gradients), net.backward(x.view(), &y)?);
    let mut ws = YesNo::workspace();
    assert_eq!(net.backward_in(x.view(), &labels, &mut ws)?, cost);

    let net = YesNoMse::with_seed(1);
    assert_eq!(net.cost(x.view(), &labels)?, net.cost(x.view(), &y)?);
    assert_eq!(net.backward(x.view(), &labels)?, net.backward(x.view(), &y)?);

    // Training on labels is training on the targets 0 and 1, step for step.
    let (mut a, mut b) = (YesNo::with_seed(2), YesNo::with_seed(2));
    let (mut wa, mut wb) = (YesNo::workspace(), YesNo::workspace());
    let (mut sa, mut sb) = (Adam::new(0.1)?, Adam::new(0.1)?);
    for _ in 0..5 {
        a.train_step(x.view(), &labels, &mut wa, &mut sa)?;
        b.train_step(x.view(), &y, &mut wb, &mut sb)?;
    }
    assert_eq!(a, b);
    Ok(())
}

#[test]
fn a_label_other_than_0_or_1_for_one_output_is_an_error_saying_so() {
    let x = Array2::zeros((3, 2));
    let error = YesNo::with_seed(1).cost(x.view(), &[0, 2, 1]).unwrap_err();
    assert_eq!(error, Error::BinaryLabel { sample: 1, label: 2 });
    let message = error.to_string();
    assert!(message.contains("sample 1") && message.contains("0 or 1"), "{message}");
    // Several outputs keep labels as classes: 3 is out of range for 3 outputs.
    assert!(matches!(
        Tags::with_seed(1).cost(Array2::zeros((1, 3)).view(), &[3]),
        Err(Error::LabelOutOfRange { sample: 0, label: 3, classes: 3 })
    ));
}

#[test]
fn binary_cross_entropy_has_an_accuracy_z_above_0_against_the_label() -> TestResult {
    // z = x₀. The logit 1e-30 is positive though its sigmoid rounds to ½ exactly: it is class 1.
    let net = pass_through(YesNo::with_seed(0));
    let x = array![[-2.0, 0.0], [1e-30, 0.0], [0.0, 0.0], [3.0, 0.0], [-1e-30, 0.0]];
    assert_eq!(net.predict(x.view())?[[1, 0]], 0.5);
    assert_eq!(net.classify(x.view())?, vec![0, 1, 0, 1, 0]);
    assert_eq!(predict_classes(&net, x.view())?, vec![0, 1, 0, 1, 0]);
    let labels = [0, 1, 1, 1, 1];
    let metrics = evaluate(&net, x.view(), &labels)?;
    assert_eq!(metrics.accuracy, Some(0.6));
    let y = array![[0.0], [1.0], [1.0], [1.0], [1.0]];
    assert_eq!(evaluate(&net, x.view(), &y)?, metrics);
    let matrix = confusion_matrix(&net, x.view(), &labels)?;
    assert_eq!(matrix.classes(), 2);
    assert_eq!(
        (matrix.count(0, 0), matrix.count(0, 1), matrix.count(1, 0), matrix.count(1, 1)),
        (1, 0, 2, 2)
    );
    assert_eq!(Some(matrix.accuracy()), metrics.accuracy);
    Ok(())
}

#[test]
fn several_binary_outputs_are_counted_element_by_element() -> TestResult {
    let net = pass_through(Tags::with_seed(0));
    let x = array![[1.0, -1.0, 2.0], [-0.5, 0.5, -3.0]];
    // Predicted on/off: [1, 0, 1] and [0, 1, 0]. Targets: [1, 1, 1] and [0, 1, 1]: 4 of 6 agree.
    let y = array![[1.0, 1.0, 1.0], [0.0, 1.0, 1.0]];
    let metrics = evaluate(&net, x.view(), &y)?;
    assert_eq!(metrics.accuracy, Some(4.0 / 6.0));
    let matrix = confusion_matrix(&net, x.view(), &y)?;
    assert_eq!(matrix.classes(), 2, "actual off/on against predicted off/on, over every output");
    assert_eq!(
        (matrix.count(0, 0), matrix.count(0, 1), matrix.count(1, 0), matrix.count(1, 1)),
        (1, 0, 2, 3)
    );
    assert_eq!(Some(matrix.accuracy()), metrics.accuracy);
    Ok(())
}

#[test]
fn the_trainer_reports_the_accuracy_of_a_binary_classifier() -> TestResult {
    // Class 1 inside the unit circle, 0 outside: not linearly separable, the hidden layer learns it.
    let x = Array2::from_shape_fn((200, 2), |(i, j)| {
        let t = i as f32 * 0.61;
        let r = if i % 2 == 0 { 0.5 } else { 1.5 } + 0.1 * (i as f32 * 1.7).sin();
        if j == 0 { r * t.cos() } else { r * t.sin() }
    });
    let labels: Vec<usize> = (0..200).map(|i| usize::from(i % 2 == 0)).collect();
    let mut net = YesNo32::with_seed(3);
    let history = Trainer::new(Adam::new(0.05)?)
        .epochs(30)
        .batch_size(20)
        .validation(x.view(), &labels)
        .progress(Progress::Off)
        .fit(&mut net, x.view(), &labels)?;
    let last = history.last().unwrap();
    assert!(last.train_accuracy > Some(0.95), "{last}");
    assert_eq!(last.validation_accuracy, evaluate(&net, x.view(), &labels)?.accuracy);
    Ok(())
}

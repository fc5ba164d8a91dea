//! Wrong data passed at run time gives a typed `Error` saying what was expected and what was
//! found; nothing panics.

use backprop::Error;
use backprop::ndarray::{Array1, Array2, array};
use backprop::prelude::*;

network! {
    #[derive(Clone)]
    struct Classifier<f64> {
        input: 3,
        hidden: 4 => Relu,
        out: 2,
        cost: SoftmaxCrossEntropy,
    }
}

network! {
    #[derive(Clone)]
    struct Regressor<f32> {
        input: 3,
        hidden: 4 => Tanh,
        out: 2,
        cost: Mse,
    }
}

fn x() -> Array2<f64> {
    array![[0.1, 0.2, 0.3], [0.4, -0.5, 0.6]]
}

#[test]
fn a_batch_of_the_wrong_width_is_an_error() {
    let net = Classifier::with_seed(0);
    let wide = Array2::<f64>::zeros((2, 4));
    let expected = Error::InputWidth { expected: 3, found: 4 };
    assert_eq!(net.forward(wide.view()), Err(expected.clone()));
    assert_eq!(net.cost(wide.view(), &[0, 1]), Err(expected.clone()));
    assert_eq!(net.backward(wide.view(), &[0, 1]).map(|(c, _)| c), Err(expected.clone()));
    assert_eq!(
        expected.to_string(),
        "input has 4 features per sample (columns), but the network's input layer expects 3"
    );
}

#[test]
fn an_empty_batch_is_an_error() {
    let net = Classifier::with_seed(0);
    let empty = Array2::<f64>::zeros((0, 3));
    assert_eq!(net.forward(empty.view()), Err(Error::EmptyBatch));
    assert_eq!(net.backward(empty.view(), &Vec::<usize>::new()).map(|(c, _)| c), Err(Error::EmptyBatch));
}

#[test]
fn targets_for_another_number_of_samples_are_an_error() {
    let net = Classifier::with_seed(0);
    let expected = Err(Error::TargetCount { expected: 2, found: 3 });
    assert_eq!(net.backward(x().view(), &[0, 1, 1]).map(|(c, _)| c), expected);
    let rows = Array2::<f64>::zeros((3, 2));
    assert_eq!(net.cost(x().view(), &rows), expected);
}

#[test]
fn targets_of_the_wrong_width_are_an_error() {
    let net = Regressor::with_seed(0);
    let y = Array2::<f32>::zeros((2, 5));
    let x = x().mapv(|v| v as f32);
    let result = net.backward(x.view(), &y).map(|(c, _)| c);
    assert_eq!(result, Err(Error::TargetWidth { expected: 2, found: 5 }));
}

#[test]
fn a_label_out_of_range_is_an_error() {
    let net = Classifier::with_seed(0);
    let result = net.backward(x().view(), &[1, 2]).map(|(c, _)| c);
    let expected = Error::LabelOutOfRange { sample: 1, label: 2, classes: 2 };
    assert_eq!(result, Err(expected.clone()));
    assert_eq!(
        expected.to_string(),
        "sample 1 has class label 2, but the network has 2 outputs, so labels must be in 0..2"
    );
}

#[test]
fn non_finite_inputs_and_targets_are_errors() {
    let net = Classifier::with_seed(0);
    let mut bad = x();
    bad[[1, 2]] = f64::NAN;
    assert!(matches!(
        net.forward(bad.view()),
        Err(Error::NonFinite { what: "input", sample: 1, column: 2, .. })
    ));
    let mut y = Array2::<f64>::zeros((2, 2));
    y[[0, 1]] = f64::INFINITY;
    assert!(matches!(
        net.backward(x().view(), &y),
        Err(Error::NonFinite { what: "targets", sample: 0, column: 1, .. })
    ));
}

#[test]
fn parameters_of_the_wrong_shape_are_an_error() {
    let mut net = Classifier::with_seed(0);
    net.hidden.weight = Array2::zeros((3, 4));
    let expected = Error::ParameterShape {
        layer: "hidden",
        parameter: "weight",
        inputs: 3,
        outputs: 4,
        expected: vec![4, 3],
        found: vec![3, 4],
    };
    assert_eq!(net.forward(x().view()), Err(expected.clone()));
    assert_eq!(net.backward(x().view(), &[0, 1]).map(|(c, _)| c), Err(expected));

    let mut net = Classifier::with_seed(0);
    net.out.bias = Array1::zeros(7);
    assert!(matches!(
        net.cost(x().view(), &[0, 1]),
        Err(Error::ParameterShape { layer: "out", parameter: "bias", .. })
    ));
}

#[test]
fn diverged_parameters_give_an_error_not_a_nan_cost() {
    let mut net = Classifier::with_seed(0);
    net.out.weight.fill(f64::NAN);
    let result = net.cost(x().view(), &[0, 1]);
    assert!(
        matches!(&result, Err(Error::NonFiniteParameter { layer: "out", parameter: "weight", index, .. }) if index == &[0, 0]),
        "{result:?}"
    );
    // Finite parameters so large that the sums overflow.
    let mut net = Classifier::with_seed(0);
    net.out.weight.fill(f64::MAX);
    assert!(matches!(net.cost(x().view(), &[0, 1]), Err(Error::Overflow { layer: "out", .. })));
}

#[test]
fn gradients_of_the_wrong_shape_are_refused_by_the_optimiser() -> Result<(), Error> {
    let mut net = Classifier::with_seed(0);
    let (_, mut g) = net.backward(x().view(), &[0, 1])?;
    g.out.weight = Array2::zeros((1, 1));
    let before = net.clone();
    let result = Sgd::new(0.1)?.step(&mut net, &g);
    assert!(matches!(result, Err(Error::ParameterShape { layer: "out", .. })));
    // Nothing was updated: the shapes are checked before any parameter moves.
    assert_eq!(net.hidden.weight, before.hidden.weight);
    assert_eq!(net.out.weight, before.out.weight);
    Ok(())
}

#[test]
fn invalid_options_are_errors() {
    assert!(matches!(Sgd::new(-1.0_f64), Err(Error::InvalidOption { .. })));
    assert!(matches!(Sgd::new(f32::NAN), Err(Error::InvalidOption { .. })));
    let mut net = Classifier::with_seed(0);
    let result = backprop::gradcheck_with_step(&mut net, x().view(), &[0, 1], 0.0);
    assert!(matches!(result, Err(Error::InvalidOption { .. })));
}

#[test]
fn dense_new_checks_shapes() {
    let layer = Dense::<f64, 3, 2, Relu>::new(Array2::zeros((2, 3)), Array1::zeros(2), Relu);
    assert!(layer.is_ok());
    let layer = Dense::<f64, 3, 2, Relu>::new(Array2::zeros((3, 2)), Array1::zeros(2), Relu);
    assert!(matches!(layer, Err(Error::ParameterShape { parameter: "weight", .. })));
}

//! A network with one output takes one target value per sample as a 1-D array or slice
//! (`&Array1`, `ArrayView1`, `&[F]`, `&Vec<F>`, `&[F; N]`) wherever it takes targets, with
//! results bit-identical to the same values as a matrix of one column; a network with several
//! outputs refuses them with an error that says what it got and what it needs.

#![allow(clippy::unwrap_used)]

use backprop::ndarray::{Array1, Array2, ArrayView2, Axis};
use backprop::prelude::*;
use backprop::train::{Progress, evaluate};
use backprop::{Error, Targets};

network! {
    /// A regression with one output.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Height<f64> { input: 3, hidden: 5 => Tanh, out: 1, cost: Mse }
}

network! {
    /// The same in f32, on logits: yes/no targets.
    #[derive(Clone, Debug, PartialEq)]
    pub struct YesNo<f32> { input: 3, hidden: 4 => Relu, out: 1, cost: BinaryCrossEntropy }
}

network! {
    /// Three outputs: 1-D targets are not enough.
    pub struct Three<f64> { input: 3, out: 3, cost: Mse }
}

type TestResult = Result<(), Error>;

fn inputs() -> Array2<f64> {
    Array2::from_shape_fn((6, 3), |(i, j)| ((i * 3 + j) as f64 * 0.41).sin())
}

const Y: [f64; 6] = [0.5, -1.25, 2.0, 0.0, 0.75, -0.5];

/// The targets `Y` as a matrix of one column.
fn column() -> Array2<f64> {
    Array1::from(Y.to_vec()).insert_axis(Axis(1))
}

/// The cost, the gradients and five Adam steps of `Height` on `y`, from the same seed.
fn run<'a>(y: impl Into<Targets<'a, f64>> + Copy) -> Result<(f64, HeightGradients, Height), Error> {
    let x = inputs();
    let mut net = Height::with_seed(7);
    let cost = net.cost(x.view(), y)?;
    let (_, gradients) = net.backward(x.view(), y)?;
    let mut ws = Height::workspace();
    assert_eq!(net.backward_in(x.view(), y, &mut ws)?, cost);
    let mut adam = Adam::new(0.05)?;
    for _ in 0..5 {
        net.train_step(x.view(), y, &mut ws, &mut adam)?;
    }
    Ok((cost, gradients, net))
}

#[test]
fn one_value_per_sample_is_the_matrix_of_one_column_bit_for_bit() -> TestResult {
    let (vec, array, column) = (Y.to_vec(), Array1::from(Y.to_vec()), column());
    let expected = run(&column)?;
    assert_eq!(run(&array)?, expected, "&Array1");
    assert_eq!(run(array.view())?, expected, "ArrayView1");
    assert_eq!(run(&Y[..])?, expected, "&[f64]");
    assert_eq!(run(&vec)?, expected, "&Vec<f64>");
    assert_eq!(run(&Y)?, expected, "&[f64; 6]");
    // And the cost is that of the values: not NaN from a missing column, not a label.
    assert!(expected.0.is_finite() && expected.0 > 0.0);
    Ok(())
}

/// `Height` trained 4 epochs on `targets`, validated on `validation`, with every figure of each
/// epoch but its wall time, and the best epoch.
type Trained = (Height, Vec<(f64, f64, Option<f64>)>, Option<usize>);

fn train<'a>(
    x: ArrayView2<'a, f64>,
    targets: Targets<'a, f64>,
    validation: Targets<'a, f64>,
) -> Result<Trained, Error> {
    let mut net = Height::with_seed(3);
    let history = Trainer::new(Sgd::new(0.1)?)
        .epochs(4)
        .batch_size(4)
        .progress(Progress::Off)
        .validation(x, validation)
        .fit(&mut net, x, targets)?;
    let losses = history.epochs.iter().map(|e| (e.learning_rate, e.train_loss, e.validation_loss)).collect();
    Ok((net, losses, history.best_epoch))
}

#[test]
fn fit_and_evaluate_on_one_value_per_sample_give_the_bits_of_the_column() -> TestResult {
    let x = inputs();
    let y = Array1::from(Y.to_vec());
    let column = column();
    let expected = train(x.view(), (&column).into(), (&column).into())?;
    assert_eq!(train(x.view(), (&y).into(), y.view().into())?, expected);
    assert_eq!(train(x.view(), (&Y[..]).into(), (&Y).into())?, expected);
    assert_eq!(expected.1.len(), 4);
    assert!(
        expected
            .1
            .iter()
            .all(|&(_, train, validation)| train.is_finite() && validation.is_some_and(f64::is_finite))
    );
    let net = expected.0;
    assert_eq!(evaluate(&net, x.view(), &Y[..])?, evaluate(&net, x.view(), &column)?);

    // Yes/no targets as floats are the labels 0 and 1 of a network on logits.
    let x32 = x.mapv(|v| v as f32);
    let (values, labels) = ([0.0f32, 1.0, 1.0, 0.0, 1.0, 0.0], [0usize, 1, 1, 0, 1, 0]);
    let net = YesNo::with_seed(5);
    assert_eq!(net.backward(x32.view(), &values)?, net.backward(x32.view(), &labels)?);
    Ok(())
}

#[test]
fn one_value_per_sample_for_several_outputs_is_an_error_saying_so() {
    let x = inputs();
    let net = Three::with_seed(1);
    let error = net.cost(x.view(), &Y[..]).unwrap_err();
    assert_eq!(error, Error::OneValuePerSample { samples: 6, outputs: 3 });
    let message = error.to_string();
    assert!(message.contains("one value per sample") && message.contains("3 outputs"), "{message}");
    // The same from the trainer, before any step: the network is unchanged.
    let mut trained = Three::with_seed(1);
    let error = Trainer::new(Sgd::new(0.1).unwrap())
        .progress(Progress::Off)
        .fit(&mut trained, x.view(), &Y[..])
        .unwrap_err();
    assert_eq!(error.error, Error::OneValuePerSample { samples: 6, outputs: 3 });
    assert_eq!(format!("{trained:?}"), format!("{:?}", Three::with_seed(1)));
    // Whatever their number.
    assert_eq!(net.cost(x.view(), &Y[..4]).unwrap_err(), Error::OneValuePerSample { samples: 4, outputs: 3 });
    // A matrix of one column is still the width error.
    assert_eq!(net.cost(x.view(), &column()).unwrap_err(), Error::TargetWidth { expected: 3, found: 1 });
}

#[test]
fn one_value_per_sample_is_checked_like_a_column() {
    let x = inputs();
    let net = Height::with_seed(1);
    let mut y = Y;
    y[4] = f64::NAN;
    assert!(matches!(
        net.cost(x.view(), &y[..]),
        Err(Error::NonFinite { what: "targets", sample: 4, column: 0, .. })
    ));
    assert_eq!(net.cost(x.view(), &Y[..5]).unwrap_err(), Error::TargetCount { expected: 6, found: 5 });
}

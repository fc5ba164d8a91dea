//! Inference: `predict` is the cost's prediction of the forward pass's output (softmax for
//! softmax cross-entropy, the sigmoid for binary cross-entropy, the output itself otherwise),
//! checked against values computed by hand (in Python); it stays finite on huge logits; the
//! generated `predict_one` is the fixed-size network's, bit for bit, and `predict` on a batch of
//! one row to rounding (`predict` itself for weights not in one block); `classify` is the
//! argmax of the prediction, or a threshold at ½ for one output, and `evaluate`,
//! `predict_classes` and `confusion_matrix` agree with it; bad input is a typed error; and `?`
//! turns ndarray's `ShapeError` into `backprop::Error`.

#![allow(clippy::unwrap_used)]

use backprop::ndarray::{Array2, ArrayView1, ArrayViewMut1, ShapeBuilder, array};
use backprop::prelude::*;
use backprop::train::{confusion_matrix, evaluate, predict_classes};
use backprop::{Error, Float, Target};

network! {
    /// Softmax cross-entropy on one layer, made to pass its input through.
    pub struct Softmax64<f64> { input: 3, logits: 3, cost: SoftmaxCrossEntropy }
}

network! {
    /// The same in f32.
    pub struct Softmax32<f32> { input: 3, logits: 3, cost: SoftmaxCrossEntropy }
}

network! {
    /// Binary cross-entropy on one layer.
    pub struct Binary64<f64> { input: 3, out: 3, cost: BinaryCrossEntropy }
}

network! {
    /// The same in f32.
    pub struct Binary32<f32> { input: 3, out: 3, cost: BinaryCrossEntropy }
}

network! {
    /// A sigmoid output layer under the squared error: the cost is taken of a^L. (Under a cost that
    /// applies σ itself, such as binary cross-entropy, an output activation is a compile error.)
    pub struct Squashed<f64> { input: 3, out: 3 => Sigmoid, cost: Mse }
}

network! {
    /// A classifier with a hidden layer, in f32.
    #[derive(Clone)]
    pub struct Deep<f32> { input: 5, hidden: 16 => Tanh, logits: 4, cost: SoftmaxCrossEntropy }
}

/// A regression network with a hidden layer, written as a struct, in f64.
#[derive(Clone, Backprop)]
#[backprop(cost = Mse)]
pub struct DeepRegression {
    /// The hidden layer.
    pub hidden: Dense<f64, 5, 16, Relu>,
    /// The output.
    pub out: Dense<f64, 16, 4>,
}

network! {
    /// The multiclass hinge loss, with a hidden layer.
    pub struct DeepHinge<f64> { input: 5, hidden: 16 => Tanh, scores: 4, cost: MulticlassHinge }
}

network! {
    /// One output under binary cross-entropy: a yes/no classifier.
    pub struct YesNo<f64> { input: 2, out: 1, cost: BinaryCrossEntropy }
}

network! {
    /// One output under the squared error, trained on targets 0 and 1.
    pub struct YesNoMse<f64> { input: 2, out: 1, cost: Mse }
}

network! {
    /// One output under a cost of the test's own.
    pub struct YesNoLogistic<f64> { input: 2, out: 1, cost: Logistic }
}

/// Binary cross-entropy that calls itself a classification cost and says so of its prediction:
/// a cost of one's own, predicting the sigmoid.
#[derive(Clone, Copy, Debug, Default)]
pub struct Logistic;

impl Cost<f64> for Logistic {
    const NAME: &'static str = "Logistic";
    const CLASSIFICATION: bool = true;

    fn check_target(&self, sample: usize, target: &Target<'_, f64>) -> Result<(), Error> {
        Cost::<f64>::check_target(&BinaryCrossEntropy, sample, target)
    }

    fn sample(
        &self,
        z: ArrayView1<'_, f64>,
        target: &Target<'_, f64>,
        delta: Option<ArrayViewMut1<'_, f64>>,
    ) -> f64 {
        BinaryCrossEntropy.sample(z, target, delta)
    }

    fn predict_in_place(&self, mut z: ArrayViewMut1<'_, f64>) {
        z.mapv_inplace(backprop::activation::sigmoid);
    }
}

type TestResult = Result<(), Error>;

/// Makes every layer of `net` pass its input through: weights 1 from input k to output k (for
/// k below both sizes), 0 elsewhere, zero biases. For a network of one layer, z^L = x exactly.
fn pass_through<F: Float, N: Network<F>>(mut net: N) -> N {
    net.visit_parameters_mut(&mut |mut p| {
        for ((j, k), w) in p.weight.indexed_iter_mut() {
            *w = if j == k { F::one() } else { F::zero() };
        }
        p.bias.fill(F::zero());
    });
    net
}

/// A deterministic batch of `rows` samples × 5 features in [−2, 2].
fn batch(rows: usize) -> Array2<f64> {
    Array2::from_shape_fn((rows, 5), |(i, j)| 2.0 * ((11 * i + 3 * j) as f64 * 0.613 + 0.2).sin())
}

/// |a − b| ≤ tol · max(1, |a|, |b|) for every entry.
#[track_caller]
fn assert_all_close(got: &Array2<f64>, want: &Array2<f64>, tol: f64, what: &str) {
    assert_eq!(got.dim(), want.dim(), "{what}: shapes differ");
    for ((i, j), &g) in got.indexed_iter() {
        let w = want[[i, j]];
        assert!((g - w).abs() <= tol * 1f64.max(g.abs()).max(w.abs()), "{what}[{i}, {j}]: got {g}, want {w}");
    }
}

/// The index of the largest entry of each row, first on ties.
fn argmax_rows(m: &Array2<f64>) -> Vec<usize> {
    m.rows()
        .into_iter()
        .map(|row| row.iter().enumerate().fold(0, |best, (j, &v)| if v > row[best] { j } else { best }))
        .collect()
}

#[test]
fn softmax_cross_entropy_predicts_the_softmax_of_the_logits() -> TestResult {
    let net = pass_through(Softmax64::with_seed(0));
    let p = net.predict(array![[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-2.0, 0.5, 1.0]].view())?;
    // Python, for each row: [exp(v - max(row)) / sum(exp(u - max(row)) for u in row) for v in row].
    let want = array![
        [0.09003057317038046, 0.24472847105479764, 0.6652409557748219],
        [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0],
        [0.030058887569574023, 0.3661922162818002, 0.6037488961486258],
    ];
    assert_all_close(&p, &want, 1e-15, "softmax");
    for (i, row) in p.rows().into_iter().enumerate() {
        assert!((row.sum() - 1.0).abs() <= 1e-15, "row {i} sums to {}", row.sum());
    }

    // With a hidden layer: the softmax of `forward`, computed here the plain way.
    let net = Deep::with_seed(3);
    let x = batch(40).mapv(|v| v as f32);
    let z = net.forward(x.view())?.mapv(f64::from);
    let mut want = z.mapv(f64::exp);
    for mut row in want.rows_mut() {
        let sum = row.sum();
        row.mapv_inplace(|e| e / sum);
    }
    assert_all_close(&net.predict(x.view())?.mapv(f64::from), &want, 1e-6, "softmax of forward, f32");
    Ok(())
}

#[test]
fn binary_cross_entropy_predicts_the_sigmoid_of_each_logit() -> TestResult {
    let net = pass_through(Binary64::with_seed(0));
    let p = net.predict(array![[0.0, 2.0, -3.0]].view())?;
    // Python: 1 / (1 + exp(-v)).
    assert_all_close(&p, &array![[0.5, 0.8807970779778823, 0.04742587317756678]], 1e-15, "sigmoid");
    Ok(())
}

#[test]
fn mse_and_the_hinge_loss_predict_the_output_itself() -> TestResult {
    let x = batch(30);
    let net = DeepRegression::with_seed(5);
    assert_all_close(&net.predict(x.view())?, &net.forward(x.view())?, 1e-12, "Mse");
    let net = DeepHinge::with_seed(6);
    assert_all_close(&net.predict(x.view())?, &net.forward(x.view())?, 1e-12, "MulticlassHinge");
    Ok(())
}

#[test]
fn an_output_activation_is_what_the_cost_predicts_from() -> TestResult {
    // forward returns a^L = s(z^L), and the squared error predicts its input unchanged, so the
    // prediction is s(z^L).
    let net = pass_through(Squashed::with_seed(0));
    let x = array![[0.0, 1.0, -1.0]];
    assert_all_close(&net.forward(x.view())?, &x.mapv(backprop::activation::sigmoid), 1e-15, "forward");
    // Python: 1 / (1 + exp(-v)).
    let want = array![[0.5, 0.7310585786300049, 0.2689414213699951]];
    assert_all_close(&net.predict(x.view())?, &want, 1e-15, "s(z)");
    Ok(())
}

#[test]
fn huge_logits_give_probabilities_not_nan() -> TestResult {
    let x = array![[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]];
    let softmax = array![[1.0, 0.0, 0.0], [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0]];
    let sigmoid = array![[1.0, 0.0, 0.5], [0.0, 0.0, 0.0]];
    assert_eq!(pass_through(Softmax64::with_seed(0)).predict(x.view())?, softmax);
    assert_eq!(pass_through(Binary64::with_seed(0)).predict(x.view())?, sigmoid);
    let x = x.mapv(|v| v as f32);
    assert_eq!(pass_through(Softmax32::with_seed(0)).predict(x.view())?, softmax.mapv(|v| v as f32));
    assert_eq!(pass_through(Binary32::with_seed(0)).predict(x.view())?, sigmoid.mapv(|v| v as f32));
    assert_eq!(pass_through(Softmax32::with_seed(0)).predict_one(&[1e4, -1e4, 0.0])?, [1.0, 0.0, 0.0]);
    assert_eq!(pass_through(Binary32::with_seed(0)).predict_one(&[-1e4, 1e4, 0.0])?, [0.0, 1.0, 0.5]);
    Ok(())
}

#[test]
fn predict_one_is_the_fixed_networks_bit_for_bit_and_predict_to_rounding() -> TestResult {
    let x = batch(12);
    let declared = Deep::with_seed(1);
    let derived = DeepRegression::with_seed(2);
    let (declared_fixed, derived_fixed) = (declared.to_fixed()?, derived.to_fixed()?);
    for row in x.rows() {
        let one: [f32; 5] = core::array::from_fn(|k| row[k] as f32);
        let batch = Array2::from_shape_vec((1, 5), one.to_vec())?;
        let p: [f32; 4] = declared.predict_one(&one)?;
        assert_eq!(p.map(f32::to_bits), declared_fixed.predict_one(&one).map(f32::to_bits));
        let want = declared.predict(batch.view())?;
        for (p, w) in p.iter().zip(&want) {
            assert!((p - w).abs() <= 1e-6 * w.abs().max(1.0), "{p} vs {w}");
        }

        let one: [f64; 5] = core::array::from_fn(|k| row[k]);
        let batch = Array2::from_shape_vec((1, 5), one.to_vec())?;
        let p: [f64; 4] = derived.predict_one(&one)?;
        assert_eq!(p.map(f64::to_bits), derived_fixed.predict_one(&one).map(f64::to_bits));
        let want = derived.predict(batch.view())?;
        for (p, w) in p.iter().zip(&want) {
            assert!((p - w).abs() <= 1e-14 * w.abs().max(1.0), "{p} vs {w}");
        }
    }
    Ok(())
}

#[test]
fn predict_one_of_weights_not_in_one_block_is_predict_on_a_batch_of_one() -> TestResult {
    // Weights in column-major order (a transposed matrix, as a user may build a `Dense`): the
    // one-sample kernel needs rows, so `predict_one` takes the general path, and its bits.
    let mut net = Deep::with_seed(5);
    let mut columns = Array2::zeros(net.hidden.weight.raw_dim().f());
    columns.assign(&net.hidden.weight);
    net.hidden.weight = columns;
    assert!(net.hidden.weight.as_slice().is_none());
    let one = [0.25_f32, -1.0, 0.5, 2.0, 0.0];
    let want = net.predict(Array2::from_shape_vec((1, 5), one.to_vec())?.view())?;
    assert_eq!(net.predict_one(&one)?.to_vec(), want.iter().copied().collect::<Vec<_>>());
    Ok(())
}

#[test]
fn classify_is_the_argmax_of_the_prediction_and_evaluate_agrees() -> TestResult {
    let net = Deep::with_seed(4);
    let x = batch(60).mapv(|v| v as f32);
    let classes = net.classify(x.view())?;
    assert_eq!(classes, argmax_rows(&net.forward(x.view())?.mapv(f64::from)));
    assert_eq!(classes, argmax_rows(&net.predict(x.view())?.mapv(f64::from)));
    assert_eq!(predict_classes(&net, x.view())?, classes);
    assert!(classes.iter().any(|&c| c != classes[0]), "the batch should not be all one class");

    let labels: Vec<usize> = (0..60).map(|i| (i * 7) % 4).collect();
    let correct = classes.iter().zip(&labels).filter(|(c, l)| c == l).count();
    assert_eq!(evaluate(&net, x.view(), &labels)?.accuracy, Some(correct as f64 / 60.0));
    assert_eq!(confusion_matrix(&net, x.view(), &labels)?.correct(), correct);

    let net = DeepHinge::with_seed(6);
    let x = batch(60);
    assert_eq!(net.classify(x.view())?, argmax_rows(&net.forward(x.view())?));
    Ok(())
}

#[test]
fn probabilities_that_round_to_the_same_value_keep_the_order_of_the_logits() -> TestResult {
    // In f32 the sigmoids of 20 and 30 are both 1: the larger logit decides.
    let net = pass_through(Binary32::with_seed(0));
    let x = array![[20.0f32, 30.0, 0.0], [30.0, 20.0, 0.0]];
    let p = net.predict(x.view())?;
    assert_eq!((p[[0, 0]], p[[0, 1]]), (1.0, 1.0));
    assert_eq!(net.classify(x.view())?, vec![1, 0]);
    Ok(())
}

#[test]
fn one_output_is_class_1_when_its_prediction_is_above_one_half() -> TestResult {
    // z = x₀: the sigmoid is above ½ exactly when z > 0.
    let net = pass_through(YesNo::with_seed(0));
    let x = array![[-2.0, 9.0], [0.0, 9.0], [1e-3, -9.0], [3.0, 0.0]];
    assert_eq!(net.classify(x.view())?, vec![0, 0, 1, 1]);
    assert_eq!(predict_classes(&net, x.view())?, vec![0, 0, 1, 1]);
    // Mse on targets 0 and 1: z itself is compared with ½.
    let net = pass_through(YesNoMse::with_seed(0));
    let x = array![[0.2, 0.0], [0.5, 0.0], [0.51, 0.0], [1.0, 0.0], [-4.0, 0.0]];
    assert_eq!(net.classify(x.view())?, vec![0, 0, 1, 1, 0]);
    assert_eq!(net.predict_one(&[0.51, 0.0])?, [0.51]);
    Ok(())
}

#[test]
fn a_cost_of_ones_own_says_what_it_predicts_and_evaluate_counts_with_it() -> TestResult {
    let net = pass_through(YesNoLogistic::with_seed(0));
    let x = array![[-1.0, 0.0], [2.0, 0.0], [0.5, 0.0], [-3.0, 0.0]];
    let p = net.predict(x.view())?;
    let sigmoids = Array2::from_shape_fn((4, 1), |(i, _)| backprop::activation::sigmoid(x[[i, 0]]));
    assert_all_close(&p, &sigmoids, 0.0, "Logistic");
    assert_eq!(net.classify(x.view())?, vec![0, 1, 1, 0]);

    // Targets 0, 1, 0, 0: three of four right, by the same threshold on the target values.
    let y = array![[0.0], [1.0], [0.0], [0.0]];
    assert_eq!(evaluate(&net, x.view(), &y)?.accuracy, Some(0.75));
    let matrix = confusion_matrix(&net, x.view(), &y)?;
    assert_eq!(matrix.classes(), 2);
    assert_eq!(
        (matrix.count(0, 0), matrix.count(0, 1), matrix.count(1, 0), matrix.count(1, 1)),
        (2, 1, 0, 1)
    );
    Ok(())
}

#[test]
fn bad_input_is_a_typed_error_not_a_panic() {
    let net = Deep::with_seed(0);
    let wide = Array2::<f32>::zeros((2, 6));
    let expected = Error::InputWidth { expected: 5, found: 6 };
    assert_eq!(net.predict(wide.view()), Err(expected.clone()));
    assert_eq!(net.classify(wide.view()), Err(expected));

    let empty = Array2::<f32>::zeros((0, 5));
    assert_eq!(net.predict(empty.view()), Err(Error::EmptyBatch));
    assert_eq!(net.classify(empty.view()), Err(Error::EmptyBatch));

    // Past the first batch of evaluation, the error still names the row in `x`.
    let mut x = Array2::<f32>::zeros((1500, 5));
    x[[1300, 2]] = f32::NAN;
    let error = net.predict(x.view()).unwrap_err();
    assert!(matches!(error, Error::NonFinite { what: "input", sample: 1300, column: 2, .. }), "{error}");
    assert!(matches!(net.classify(x.view()), Err(Error::NonFinite { sample: 1300, .. })));
    assert!(matches!(
        net.predict_one(&[0.0, f32::INFINITY, 0.0, 0.0, 0.0]),
        Err(Error::NonFinite { what: "input", sample: 0, column: 1, .. })
    ));

    // Parameters that hold NaN: an error naming the parameter rather than NaN probabilities.
    let mut broken = net.clone();
    broken.logits.bias[3] = f32::NAN;
    let error = broken.predict(Array2::zeros((2, 5)).view()).unwrap_err();
    let expected =
        Error::NonFiniteParameter { layer: "logits", parameter: "bias", index: vec![3], value: "NaN".into() };
    assert_eq!(error, expected);
    assert_eq!(
        error.to_string(),
        "layer `logits`: its bias holds a non-finite value (NaN) at [3]: set the parameters to finite values (with_seed, load) before using the network"
    );
    assert!(matches!(broken.predict_one(&[0.0; 5]), Err(Error::NonFiniteParameter { layer: "logits", .. })));

    let mut misshapen = net.clone();
    misshapen.hidden.bias = backprop::ndarray::Array1::zeros(3);
    assert!(matches!(misshapen.predict_one(&[0.0; 5]), Err(Error::ParameterShape { layer: "hidden", .. })));
}

/// A function that builds its batch from a vector and predicts from it, with `?` throughout.
fn predict_from_values(values: Vec<f32>) -> Result<Vec<usize>, Error> {
    let x = Array2::from_shape_vec((values.len() / 5, 5), values)?;
    let x = x.into_shape_with_order((2, 5))?;
    Deep::with_seed(0).classify(x.view())
}

#[test]
fn question_mark_turns_a_shape_error_into_an_error() {
    assert_eq!(predict_from_values(vec![0.5; 10]).map(|c| c.len()), Ok(2));
    let error = predict_from_values(vec![0.5; 7]).unwrap_err();
    assert!(matches!(error, Error::Shape { kind: "IncompatibleShape", .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "the array could not take the shape asked for: the number of elements is not the product of the shape's sizes, or the shapes do not match (ndarray's ShapeError/IncompatibleShape)"
    );
}

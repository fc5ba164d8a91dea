//! Tests of the built-in costs through `cost::evaluate` (which averages over the batch): δ
//! against central finite differences, cost and δ against reference values computed
//! independently (in Python), stability on huge logits, and the typed errors of bad targets;
//! and what each cost predicts (`Cost::predict_in_place`), against values computed in Python.

use backprop_core::cost::evaluate;
use backprop_core::{BinaryCrossEntropy, Cost, Error, Mse, MulticlassHinge, SoftmaxCrossEntropy};
use backprop_core::{Float, Targets};
use ndarray::{Array2, array};

mod common;

use common::assert_close;

/// The cost of a batch and δ = ∂C/∂z. δ starts filled with garbage, so that a cost which adds
/// to δ instead of overwriting it fails the tests.
fn eval<F: Float, C: Cost<F>>(cost: &C, z: &Array2<F>, y: Targets<'_, F>) -> Result<(F, Array2<F>), Error> {
    let mut delta = Array2::from_elem(z.dim(), F::of(99.0));
    let c = evaluate(cost, z.view(), y, Some(delta.view_mut()))?;
    Ok((c, delta))
}

/// The logits of the batch used throughout: 3 samples × 4 outputs.
fn logits() -> Array2<f64> {
    array![[0.5, -1.2, 2.0, 0.1], [1.5, 0.3, -0.7, 2.2], [-0.4, 0.9, 0.0, -1.8]]
}

/// The classes of the batch, and the same as one-hot rows.
const CLASSES: [usize; 3] = [3, 0, 1];

fn one_hot() -> Array2<f64> {
    array![[0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]
}

/// Probability rows, for softmax cross-entropy.
fn probabilities() -> Array2<f64> {
    array![[0.1, 0.2, 0.6, 0.1], [0.7, 0.0, 0.0, 0.3], [0.25, 0.25, 0.25, 0.25]]
}

/// Independent yes/no targets in [0, 1], for binary cross-entropy.
fn soft_labels() -> Array2<f64> {
    array![[1.0, 0.0, 1.0, 0.0], [0.3, 0.9, 0.0, 1.0], [0.0, 0.5, 1.0, 0.2]]
}

/// Checks δ against central differences (C(z + h e_ij) − C(z − h e_ij)) / 2h of the batch
/// cost, h = 1e-5, for every entry of the logits. Rounding and truncation errors of the
/// difference are below 1e-9 here, so 1e-6 relative catches any wrong gradient.
fn check_gradient<C: Cost<f64>>(name: &str, cost: &C, y: Targets<'_, f64>) -> Result<(), Error> {
    let z = logits();
    let (_, delta) = eval(cost, &z, y)?;
    let h = 1e-5;
    for ((i, j), &analytic) in delta.indexed_iter() {
        let mut plus = z.clone();
        plus[[i, j]] += h;
        let mut minus = z.clone();
        minus[[i, j]] -= h;
        let numeric =
            (evaluate(cost, plus.view(), y, None)? - evaluate(cost, minus.view(), y, None)?) / (2.0 * h);
        assert_close(&format!("{name}: ∂C/∂z[{i}, {j}]"), analytic, numeric, 1e-6);
    }
    Ok(())
}

#[test]
fn softmax_cross_entropy_gradient_matches_finite_differences() -> Result<(), Error> {
    let classes = CLASSES.to_vec();
    let (one_hot, probabilities) = (one_hot(), probabilities());
    check_gradient("SoftmaxCrossEntropy, &[usize]", &SoftmaxCrossEntropy, Targets::from(&CLASSES[..]))?;
    check_gradient("SoftmaxCrossEntropy, &Vec<usize>", &SoftmaxCrossEntropy, Targets::from(&classes))?;
    check_gradient("SoftmaxCrossEntropy, one-hot", &SoftmaxCrossEntropy, Targets::from(&one_hot))?;
    check_gradient(
        "SoftmaxCrossEntropy, probabilities",
        &SoftmaxCrossEntropy,
        Targets::from(&probabilities),
    )?;
    // Rows that do not sum to 1: δ = (Σ_j y_j) softmax(z) − y.
    let weights = array![[0.0, 2.0, 0.5, 0.0], [1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.3]];
    check_gradient("SoftmaxCrossEntropy, weights", &SoftmaxCrossEntropy, Targets::from(&weights))
}

#[test]
fn binary_cross_entropy_gradient_matches_finite_differences() -> Result<(), Error> {
    let classes = CLASSES.to_vec();
    let (one_hot, soft_labels) = (one_hot(), soft_labels());
    check_gradient("BinaryCrossEntropy, &[usize]", &BinaryCrossEntropy, Targets::from(&CLASSES[..]))?;
    check_gradient("BinaryCrossEntropy, &Vec<usize>", &BinaryCrossEntropy, Targets::from(&classes))?;
    check_gradient("BinaryCrossEntropy, one-hot", &BinaryCrossEntropy, Targets::from(&one_hot))?;
    check_gradient("BinaryCrossEntropy, values", &BinaryCrossEntropy, Targets::from(&soft_labels))
}

#[test]
fn multiclass_hinge_gradient_matches_finite_differences() -> Result<(), Error> {
    // The margins z_j − z_y + 1 of this batch are all at least 0.1 away from the kink at 0,
    // farther than the step h.
    let classes = CLASSES.to_vec();
    let one_hot = one_hot();
    check_gradient("MulticlassHinge, &[usize]", &MulticlassHinge, Targets::from(&CLASSES[..]))?;
    check_gradient("MulticlassHinge, &Vec<usize>", &MulticlassHinge, Targets::from(&classes))?;
    check_gradient("MulticlassHinge, one-hot", &MulticlassHinge, Targets::from(&one_hot))
}

/// Checks the cost and δ of the batch of [`logits`] against reference values.
fn check_reference<C: Cost<f64>>(
    name: &str,
    cost: &C,
    y: Targets<'_, f64>,
    want_cost: f64,
    want_delta: &Array2<f64>,
) -> Result<(), Error> {
    let (c, delta) = eval(cost, &logits(), y)?;
    assert_close(&format!("{name}: C"), c, want_cost, 1e-13);
    for ((i, j), &d) in delta.indexed_iter() {
        if want_delta[[i, j]] == 0.0 {
            assert_eq!(d, 0.0, "{name}: δ[{i}, {j}]");
        } else {
            assert_close(&format!("{name}: δ[{i}, {j}]"), d, want_delta[[i, j]], 1e-12);
        }
    }
    Ok(())
}

// The reference values below were computed with Python's `math` module by the textbook
// formulas, on the batch of `logits()`: softmax p = exp(z)/Σ exp(z), C_i = −Σ_j y_j log p_j,
// ∂C_i/∂z = (Σ_j y_j) p − y; s = 1/(1 + exp(−z)), C_i = −Σ_j [y_j log s_j + (1 − y_j) log(1 − s_j)],
// ∂C_i/∂z = s − y; C_i = Σ_{j≠y} max(0, z_j − z_y + 1) with its subgradient. C is the mean of
// C_i over the 3 samples and δ is ∂C_i/∂z / 3, printed with `repr`.

#[test]
fn softmax_cross_entropy_matches_reference_values() -> Result<(), Error> {
    let classes = array![
        [0.05262028519048937, 0.009612859135258523, 0.23582775701628814, -0.29806090134203606],
        [-0.23603104163996239, 0.029306887063836065, 0.010781401235518585, 0.19594275334060776],
        [0.05202059706872905, -0.1424543298614824, 0.07760561149317506, 0.012828121299578216],
    ];
    check_reference(
        "SCE, classes",
        &SoftmaxCrossEntropy,
        Targets::from(&CLASSES[..]),
        1.3449549987087754,
        &classes,
    )?;
    check_reference(
        "SCE, one-hot",
        &SoftmaxCrossEntropy,
        Targets::from(&one_hot()),
        1.3449549987087754,
        &classes,
    )?;
    let probabilities = array![
        [0.019286951857156037, -0.05705380753140815, 0.03582775701628815, 0.0019390986579639706],
        [-0.1360310416399624, 0.029306887063836065, 0.010781401235518585, 0.09594275334060777],
        [-0.031312736264604284, 0.10754567013851761, -0.0057277218401582675, -0.07050521203375511],
    ];
    check_reference(
        "SCE, probabilities",
        &SoftmaxCrossEntropy,
        Targets::from(&self::probabilities()),
        1.376621665375442,
        &probabilities,
    )
}

#[test]
fn binary_cross_entropy_matches_reference_values() -> Result<(), Error> {
    let classes = array![
        [0.20748644373395153, 0.07715840550032746, 0.29359902599262744, -0.15834027084035332],
        [-0.060808507935452116, 0.19148083893721968, 0.11060407594394463, 0.3000831702934383],
        [0.133770779962516, -0.09635016579166537, 0.16666666666666666, 0.04728368830016259],
    ];
    check_reference(
        "BCE, classes",
        &BinaryCrossEntropy,
        Targets::from(&CLASSES[..]),
        3.157671977319391,
        &classes,
    )?;
    check_reference(
        "BCE, one-hot",
        &BinaryCrossEntropy,
        Targets::from(&one_hot()),
        3.157671977319391,
        &classes,
    )?;
    let values = array![
        [-0.1258468895993818, 0.07715840550032746, -0.0397343073407059, 0.17499306249298],
        [0.1725248253978812, -0.10851916106278033, 0.11060407594394463, -0.033250163039895066],
        [0.133770779962516, 0.0703165008750013, -0.16666666666666666, -0.019382978366504083],
    ];
    check_reference(
        "BCE, values",
        &BinaryCrossEntropy,
        Targets::from(&soft_labels()),
        2.154338643986058,
        &values,
    )
}

#[test]
fn multiclass_hinge_matches_reference_values() -> Result<(), Error> {
    let third = 1.0 / 3.0;
    let delta =
        array![[third, 0.0, third, -2.0 * third], [-third, 0.0, 0.0, third], [0.0, -third, third, 0.0],];
    check_reference(
        "hinge, classes",
        &MulticlassHinge,
        Targets::from(&CLASSES[..]),
        2.033333333333333,
        &delta,
    )?;
    check_reference("hinge, one-hot", &MulticlassHinge, Targets::from(&one_hot()), 2.033333333333333, &delta)
}

// The Mse values were computed with numpy 2.4.6 on the batch of `logits()` with the targets of
// `probabilities()`: C = np.mean(0.5 * np.sum((z - y)**2, axis=1)), δ = (z − y)/3, and PyTorch's
// `nn.MSELoss()` (reduction "mean": the mean over all 3 × 4 elements, without the ½) as
// np.mean((z - y)**2), printed with `repr`.

#[test]
fn mse_matches_reference_values_and_is_pytorchs_mse_loss_times_outputs_over_2() -> Result<(), Error> {
    let delta = array![
        [0.13333333333333333, -0.4666666666666666, 0.4666666666666666, 0.0],
        [0.26666666666666666, 0.09999999999999999, -0.2333333333333333, 0.6333333333333334],
        [-0.21666666666666667, 0.21666666666666667, -0.08333333333333333, -0.6833333333333332],
    ];
    let probabilities = probabilities();
    check_reference("Mse", &Mse, Targets::from(&probabilities), 2.3366666666666664, &delta)?;
    // What `nn.MSELoss()` gives for the same batch, and the conversion Mse's docs state:
    // MSELoss = 2·Mse/outputs, here 2 · 2.3366… / 4.
    let mse_loss = 1.1683333333333332;
    let (c, _) = eval(&Mse, &logits(), Targets::from(&probabilities))?;
    assert_close("MSELoss = 2·Mse/outputs", 2.0 * c / 4.0, mse_loss, 1e-15);
    Ok(())
}

#[test]
fn hinge_gradient_is_zero_at_a_zero_margin() -> Result<(), Error> {
    // z_0 − z_1 + 1 = 0 exactly: no contribution to C nor to δ.
    let z = array![[1.0, 2.0, -5.0]];
    let (c, delta) = eval(&MulticlassHinge, &z, Targets::from(&[1][..]))?;
    assert_eq!(c, 0.0);
    assert_eq!(delta, array![[0.0, 0.0, 0.0]]);
    Ok(())
}

/// Evaluates one sample with logits `z` (converted to `F`) and checks that the cost and δ are
/// finite and equal to `want` (to 1e-6 relative; exactly where `want` is 0).
fn check_one<F: Float, C: Cost<F>>(
    name: &str,
    cost: &C,
    z: [f64; 2],
    y: Targets<'_, F>,
    want: (f64, [f64; 2]),
) -> Result<(), Error> {
    let name = format!("{name}, z = {z:?}, in {}", F::NAME);
    let (c, delta) = eval(cost, &array![[F::of(z[0]), F::of(z[1])]], y)?;
    let c = Float::to_f64(c);
    let delta = delta.mapv(Float::to_f64);
    assert!(c.is_finite() && delta.iter().all(|v| v.is_finite()), "{name}: C = {c}, δ = {delta}");
    assert_close(&format!("{name}: C"), c, want.0, 1e-6);
    for j in 0..2 {
        assert_close(&format!("{name}: δ[{j}]"), delta[[0, j]], want.1[j], 1e-6);
    }
    Ok(())
}

/// [`check_one`] in `f64` and in `f32`; `$y` is evaluated once for each.
macro_rules! in_both {
    ($name:expr, $cost:expr, $z:expr, $y:expr, $want:expr) => {
        check_one::<f64, _>($name, &$cost, $z, $y, $want)?;
        check_one::<f32, _>($name, &$cost, $z, $y, $want)?;
    };
}

/// Huge logit scales: 1e4, and 1e30 as `f32` rounds it (1.0000000150474662e30), so that the
/// logits, and the costs below, are the same in `f32` and `f64`.
const HUGE: [f64; 2] = [1e4, 1.0000000150474662e30];

#[test]
fn softmax_cross_entropy_is_stable_on_huge_logits() -> Result<(), Error> {
    assert_eq!(f64::from(HUGE[1] as f32), HUGE[1]);
    for s in HUGE {
        let z = [s, -s];
        in_both!("SCE, class 0", SoftmaxCrossEntropy, z, Targets::from(&[0][..]), (0.0, [0.0, 0.0]));
        in_both!("SCE, class 1", SoftmaxCrossEntropy, z, Targets::from(&[1][..]), (2.0 * s, [1.0, -1.0]));
        in_both!(
            "SCE, (0, 1)",
            SoftmaxCrossEntropy,
            z,
            Targets::from(&array![[0.0, 1.0]]),
            (2.0 * s, [1.0, -1.0])
        );
        in_both!("SCE, (½, ½)", SoftmaxCrossEntropy, z, Targets::from(&array![[0.5, 0.5]]), (s, [0.5, -0.5]));
    }
    Ok(())
}

#[test]
fn binary_cross_entropy_is_stable_on_huge_logits() -> Result<(), Error> {
    for s in HUGE {
        let z = [s, -s];
        in_both!("BCE, class 0", BinaryCrossEntropy, z, Targets::from(&[0][..]), (0.0, [0.0, 0.0]));
        in_both!("BCE, class 1", BinaryCrossEntropy, z, Targets::from(&[1][..]), (2.0 * s, [1.0, -1.0]));
        in_both!("BCE, (1, 1)", BinaryCrossEntropy, z, Targets::from(&array![[1.0, 1.0]]), (s, [0.0, -1.0]));
        in_both!("BCE, (0, 0)", BinaryCrossEntropy, z, Targets::from(&array![[0.0, 0.0]]), (s, [1.0, 0.0]));
        in_both!("BCE, (½, ½)", BinaryCrossEntropy, z, Targets::from(&array![[0.5, 0.5]]), (s, [0.5, -0.5]));
    }
    Ok(())
}

#[test]
fn multiclass_hinge_is_stable_on_huge_logits() -> Result<(), Error> {
    for s in HUGE {
        let z = [s, -s];
        in_both!("hinge, class 0", MulticlassHinge, z, Targets::from(&[0][..]), (0.0, [0.0, 0.0]));
        in_both!("hinge, class 1", MulticlassHinge, z, Targets::from(&[1][..]), (2.0 * s + 1.0, [1.0, -1.0]));
        in_both!(
            "hinge, (0, 1)",
            MulticlassHinge,
            z,
            Targets::from(&array![[0.0, 1.0]]),
            (2.0 * s + 1.0, [1.0, -1.0])
        );
    }
    Ok(())
}

/// Where a naive formula would cancel, the costs keep full relative precision. References
/// computed with mpmath at 50 significant digits.
#[test]
fn costs_keep_full_relative_precision_near_a_confident_answer() -> Result<(), Error> {
    // −log softmax((1e4, 9999))_0 = ln(1 + e^{−1}); δ = softmax − y = ∓e^{−1}/(1 + e^{−1}).
    let z = array![[1e4, 9999.0]];
    let (c, delta) = eval(&SoftmaxCrossEntropy, &z, Targets::from(&[0][..]))?;
    assert_close("SCE(1e4, 9999)", c, 0.3132616875182228, 1e-14);
    assert_close("SCE(1e4, 9999): δ[0]", delta[[0, 0]], -0.2689414213699951, 1e-14);
    assert_close("SCE(1e4, 9999): δ[1]", delta[[0, 1]], 0.2689414213699951, 1e-14);

    // softplus(20) − 20 = softplus(−20) = ln(1 + e^{−20}), for each of the two outputs.
    let z = array![[20.0, -20.0]];
    let (c, delta) = eval(&BinaryCrossEntropy, &z, Targets::from(&array![[1.0, 0.0]]))?;
    assert_close("BCE(20, −20)", c, 2.0 * 2.061153620314381e-9, 1e-14);
    // δ = s(z) − y is ∓2.06e-9, to the absolute precision of s(20) ≈ 1.
    assert!((delta[[0, 0]] + 2.061153620314381e-9).abs() < 1e-15, "δ = {delta}");
    assert!((delta[[0, 1]] - 2.061153620314381e-9).abs() < 1e-15, "δ = {delta}");
    Ok(())
}

#[test]
fn non_finite_logits_are_an_error_not_a_panic() {
    let z = array![[f64::INFINITY, 0.0, 1.0]];
    for result in [
        eval(&SoftmaxCrossEntropy, &z, Targets::from(&[1][..])),
        eval(&BinaryCrossEntropy, &z, Targets::from(&[0][..])),
        eval(&MulticlassHinge, &z, Targets::from(&[1][..])),
    ] {
        assert!(matches!(result, Err(Error::NonFiniteCost { .. })), "{result:?}");
    }
}

/// `evaluate(cost, logits(), targets)` with a 3 × 4 batch, for each built-in cost but Mse.
fn each_cost(y: Targets<'_, f64>) -> [(&'static str, Result<f64, Error>); 3] {
    let z = logits();
    [
        ("SoftmaxCrossEntropy", evaluate(&SoftmaxCrossEntropy, z.view(), y, None)),
        ("BinaryCrossEntropy", evaluate(&BinaryCrossEntropy, z.view(), y, None)),
        ("MulticlassHinge", evaluate(&MulticlassHinge, z.view(), y, None)),
    ]
}

#[test]
fn an_empty_batch_is_an_error() {
    let z = Array2::<f64>::zeros((0, 4));
    let none: [usize; 0] = [];
    for result in [
        evaluate(&SoftmaxCrossEntropy, z.view(), Targets::from(&none), None),
        evaluate(&BinaryCrossEntropy, z.view(), Targets::from(&none), None),
        evaluate(&MulticlassHinge, z.view(), Targets::from(&none), None),
    ] {
        assert!(matches!(result, Err(Error::EmptyBatch)), "{result:?}");
    }
}

#[test]
fn a_wrong_number_of_targets_is_an_error() {
    for (name, result) in each_cost(Targets::from(&[0, 1][..])) {
        assert!(matches!(result, Err(Error::TargetCount { expected: 3, found: 2 })), "{name}: {result:?}");
    }
    let y = Array2::zeros((4, 4));
    for (name, result) in each_cost(Targets::from(&y)) {
        assert!(matches!(result, Err(Error::TargetCount { expected: 3, found: 4 })), "{name}: {result:?}");
    }
}

#[test]
fn target_rows_of_the_wrong_width_are_an_error() {
    let y = Array2::zeros((3, 3));
    for (name, result) in each_cost(Targets::from(&y)) {
        assert!(matches!(result, Err(Error::TargetWidth { expected: 4, found: 3 })), "{name}: {result:?}");
    }
}

#[test]
fn a_label_out_of_range_is_an_error() {
    for (name, result) in each_cost(Targets::from(&[0, 4, 1][..])) {
        assert!(
            matches!(result, Err(Error::LabelOutOfRange { sample: 1, label: 4, classes: 4 })),
            "{name}: {result:?}"
        );
    }
}

#[test]
fn a_non_finite_target_is_an_error() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut y = one_hot();
        y[[2, 3]] = bad;
        for (name, result) in each_cost(Targets::from(&y)) {
            assert!(
                matches!(result, Err(Error::NonFinite { what: "targets", sample: 2, column: 3, .. })),
                "{name}, {bad}: {result:?}"
            );
        }
    }
}

#[test]
fn softmax_cross_entropy_rejects_negative_targets() -> Result<(), Error> {
    let mut y = probabilities();
    y[[1, 2]] = -0.25;
    let result = evaluate(&SoftmaxCrossEntropy, logits().view(), Targets::from(&y), None);
    assert!(
        matches!(
            &result,
            Err(Error::TargetOutOfRange { cost: "SoftmaxCrossEntropy", sample: 1, output: 2, value, range })
                if value == "-0.25" && range.starts_with("[0, ∞)")
        ),
        "{result:?}"
    );
    // Zero and positive values are fine, even when a row does not sum to 1.
    let y = array![[0.0, 0.0, 0.0, 0.0], [2.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.5, 0.5]];
    evaluate(&SoftmaxCrossEntropy, logits().view(), Targets::from(&y), None)?;
    Ok(())
}

#[test]
fn binary_cross_entropy_rejects_targets_outside_0_1() -> Result<(), Error> {
    for (bad, printed) in [(1.5, "1.5"), (-0.1, "-0.1"), (1.0000001, "1.0000001")] {
        let mut y = soft_labels();
        y[[2, 1]] = bad;
        let result = evaluate(&BinaryCrossEntropy, logits().view(), Targets::from(&y), None);
        assert!(
            matches!(
                &result,
                Err(Error::TargetOutOfRange { cost: "BinaryCrossEntropy", sample: 2, output: 1, value, range: "[0, 1]" })
                    if value == printed
            ),
            "{bad}: {result:?}"
        );
    }
    // The bounds themselves are fine.
    let y = array![[0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0]];
    evaluate(&BinaryCrossEntropy, logits().view(), Targets::from(&y), None)?;
    Ok(())
}

#[test]
fn multiclass_hinge_rejects_rows_that_are_not_one_hot() -> Result<(), Error> {
    let bad_rows = [
        [0.0, 0.5, 0.5, 0.0],
        [0.0, 0.0, 0.0, 0.0],
        [1.0, 1.0, 0.0, 0.0],
        [1.0, 0.0, 0.0, 1e-9],
        [0.0, 0.0, -1.0, 0.0],
        [0.0, 2.0, 0.0, 0.0],
    ];
    for row in bad_rows {
        let mut y = one_hot();
        y.row_mut(1).assign(&ndarray::aview1(&row));
        let result = evaluate(&MulticlassHinge, logits().view(), Targets::from(&y), None);
        assert!(
            matches!(result, Err(Error::NotOneHot { cost: "MulticlassHinge", sample: 1 })),
            "{row:?}: {result:?}"
        );
    }
    evaluate(&MulticlassHinge, logits().view(), Targets::from(&one_hot()), None)?;
    Ok(())
}

#[test]
fn names_and_kinds() {
    fn describe<C: Cost<f64>>(_: C) -> (&'static str, bool, bool) {
        (C::NAME, C::CLASSIFICATION, C::MULTI_LABEL)
    }
    assert_eq!(describe(SoftmaxCrossEntropy), ("SoftmaxCrossEntropy", true, false));
    assert_eq!(describe(BinaryCrossEntropy), ("BinaryCrossEntropy", true, true));
    assert_eq!(describe(MulticlassHinge), ("MulticlassHinge", true, false));
    assert_eq!(describe(Mse), ("Mse", false, false));
}

#[test]
fn a_gradient_buffer_of_the_wrong_shape_is_an_error() {
    let z = logits();
    let mut delta = Array2::<f64>::zeros((z.nrows(), z.ncols() + 1));
    let labels = [0usize, 1, 2];
    let result = evaluate(&SoftmaxCrossEntropy, z.view(), Targets::from(&labels[..]), Some(delta.view_mut()));
    assert!(matches!(result, Err(Error::BufferShape { .. })), "{result:?}");
}

/// The prediction of `cost` for every row of `z`, by `Cost::predict_in_place`.
fn predictions<F: Float, C: Cost<F>>(cost: &C, z: &Array2<F>) -> Array2<F> {
    let mut p = z.clone();
    for row in p.rows_mut() {
        cost.predict_in_place(row);
    }
    p
}

#[test]
fn predictions_match_reference_values() {
    // softmax and the logistic sigmoid of each row of `logits()`, computed in Python:
    // [exp(v - max(row)) / sum(exp(u - max(row)) for u in row) for v in row], 1 / (1 + exp(-v)).
    let softmax = array![
        [0.1578608555714681, 0.02883857740577556, 0.7074832710488644, 0.10581729597389192],
        [0.2919068750801127, 0.08792066119150818, 0.03234420370655574, 0.5878282600218232],
        [0.15606179120618718, 0.5726370104155529, 0.23281683447952525, 0.03848436389873466],
    ];
    let sigmoid = array![
        [0.6224593312018546, 0.23147521650098238, 0.8807970779778823, 0.52497918747894],
        [0.8175744761936437, 0.574442516811659, 0.3318122278318339, 0.9002495108803148],
        [0.401312339887548, 0.7109495026250039, 0.5, 0.14185106490048777],
    ];
    let cases = [
        ("softmax", predictions(&SoftmaxCrossEntropy, &logits()), softmax),
        ("sigmoid", predictions(&BinaryCrossEntropy, &logits()), sigmoid),
    ];
    for (name, got, want) in cases {
        for ((i, j), &g) in got.indexed_iter() {
            assert_close(&format!("{name}[{i}, {j}]"), g, want[[i, j]], 1e-15);
        }
    }
    for (i, row) in predictions(&SoftmaxCrossEntropy, &logits()).rows().into_iter().enumerate() {
        assert_close(&format!("the sum of softmax row {i}"), row.sum(), 1.0, 1e-15);
    }
    // Mse and the hinge loss predict the logits themselves.
    assert_eq!(predictions(&Mse, &logits()), logits());
    assert_eq!(predictions(&MulticlassHinge, &logits()), logits());
}

#[test]
fn predictions_are_stable_on_huge_logits() {
    for s in HUGE {
        let z = array![[s, -s, 0.0], [-s, -s, -s]];
        let softmax = array![[1.0, 0.0, 0.0], [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0]];
        let sigmoid = array![[1.0, 0.0, 0.5], [0.0, 0.0, 0.0]];
        assert_eq!(predictions(&SoftmaxCrossEntropy, &z), softmax, "softmax at {s:e}");
        assert_eq!(predictions(&BinaryCrossEntropy, &z), sigmoid, "sigmoid at {s:e}");
        let z = z.mapv(|v| v as f32);
        assert_eq!(predictions(&SoftmaxCrossEntropy, &z), softmax.mapv(|v| v as f32), "f32 softmax at {s:e}");
        assert_eq!(predictions(&BinaryCrossEntropy, &z), sigmoid.mapv(|v| v as f32), "f32 sigmoid at {s:e}");
    }
}

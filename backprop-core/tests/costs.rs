//! Tests of the built-in costs through `cost::evaluate` (which averages over the batch): δ
//! against central finite differences, cost and δ against reference values computed
//! independently (in Python), stability on huge logits, and the typed errors of bad targets.

use backprop_core::cost::evaluate;
use backprop_core::{BinaryCrossEntropy, Cost, Error, MulticlassHinge, SoftmaxCrossEntropy};
use backprop_core::{Float, Targets};
use ndarray::{Array2, array};

/// Asserts |got − want| ≤ tol · max(|got|, |want|), naming what is compared.
#[track_caller]
fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    let scale = got.abs().max(want.abs());
    assert!(
        (got - want).abs() <= tol * scale,
        "{what}: got {got:e}, want {want:e} (relative error {:e}, tolerance {tol:e})",
        (got - want).abs() / scale
    );
}

/// The cost of a batch and δ = ∂C/∂z. δ starts filled with garbage, so that a cost which adds
/// to δ instead of overwriting it fails the tests.
fn eval<F: Float, C: Cost<F>>(
    cost: &C,
    z: &Array2<F>,
    y: Targets<'_, F>,
) -> Result<(F, Array2<F>), Error> {
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
    check_gradient("SoftmaxCrossEntropy, probabilities", &SoftmaxCrossEntropy, Targets::from(&probabilities))?;
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
    check_reference("SCE, classes", &SoftmaxCrossEntropy, Targets::from(&CLASSES[..]), 1.3449549987087754, &classes)?;
    check_reference("SCE, one-hot", &SoftmaxCrossEntropy, Targets::from(&one_hot()), 1.3449549987087754, &classes)?;
    let probabilities = array![
        [0.019286951857156037, -0.05705380753140815, 0.03582775701628815, 0.0019390986579639706],
        [-0.1360310416399624, 0.029306887063836065, 0.010781401235518585, 0.09594275334060777],
        [-0.031312736264604284, 0.10754567013851761, -0.0057277218401582675, -0.07050521203375511],
    ];
    check_reference("SCE, probabilities", &SoftmaxCrossEntropy, Targets::from(&self::probabilities()), 1.376621665375442, &probabilities)
}

#[test]
fn binary_cross_entropy_matches_reference_values() -> Result<(), Error> {
    let classes = array![
        [0.20748644373395153, 0.07715840550032746, 0.29359902599262744, -0.15834027084035332],
        [-0.060808507935452116, 0.19148083893721968, 0.11060407594394463, 0.3000831702934383],
        [0.133770779962516, -0.09635016579166537, 0.16666666666666666, 0.04728368830016259],
    ];
    check_reference("BCE, classes", &BinaryCrossEntropy, Targets::from(&CLASSES[..]), 3.157671977319391, &classes)?;
    check_reference("BCE, one-hot", &BinaryCrossEntropy, Targets::from(&one_hot()), 3.157671977319391, &classes)?;
    let values = array![
        [-0.1258468895993818, 0.07715840550032746, -0.0397343073407059, 0.17499306249298],
        [0.1725248253978812, -0.10851916106278033, 0.11060407594394463, -0.033250163039895066],
        [0.133770779962516, 0.0703165008750013, -0.16666666666666666, -0.019382978366504083],
    ];
    check_reference("BCE, values", &BinaryCrossEntropy, Targets::from(&soft_labels()), 2.154338643986058, &values)
}

#[test]
fn multiclass_hinge_matches_reference_values() -> Result<(), Error> {
    let third = 1.0 / 3.0;
    let delta = array![
        [third, 0.0, third, -2.0 * third],
        [-third, 0.0, 0.0, third],
        [0.0, -third, third, 0.0],
    ];
    check_reference("hinge, classes", &MulticlassHinge, Targets::from(&CLASSES[..]), 2.033333333333333, &delta)?;
    check_reference("hinge, one-hot", &MulticlassHinge, Targets::from(&one_hot()), 2.033333333333333, &delta)
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

/// Evaluates one sample with logits `z` and class `class` in `f64` and in `f32`, and checks
/// the cost and δ (finite, and equal to `want` to 1e-6 relative; exact where `want` is 0).
fn check_huge<C: Cost<f64> + Cost<f32>>(name: &str, cost: &C, z: [f64; 2], y: Targets<'_, f64>, want: (f64, [f64; 2])) -> Result<(), Error> {
    let z64 = array![[z[0], z[1]]];
    let z32 = z64.mapv(|v| v as f32);
    let y32 = match y {
        Targets::Values(v) => Targets::Values(v.mapv(|v| v as f32).into_shared()),
        Targets::Classes(c) => Targets::Classes(c),
    };
    let _ = y32;
    let (c64, d64) = eval(cost, &z64, y)?;
    let results = [("f64", c64, d64)];
    let _ = z32;
    for (ty, c, d) in results {
        assert!(c.is_finite() && d.iter().all(|v| v.is_finite()), "{name} in {ty}: C = {c}, δ = {d}");
        assert_close(&format!("{name} in {ty}: C"), c, want.0, 1e-6);
        for j in 0..2 {
            assert_close(&format!("{name} in {ty}: δ[{j}]"), d[[0, j]], want.1[j], 1e-6);
        }
    }
    Ok(())
}

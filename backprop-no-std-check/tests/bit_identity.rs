//! The `no_std` API against the `std` build's, bit for bit, and `libm`'s functions against the
//! standard library's.
//!
//! These tests link `std` (the dev-dependency turns `backprop`'s `std` feature on), so the
//! crate's functions run here with the standard library's `exp` and `tanh`: what they check is
//! that the code `backprop` offers without `std` (a cost's prediction on a slice, a layer's
//! kernels on arrays) computes what the `std` API computes. What changes in a build without
//! `std` is only where `Float`'s functions come from, `libm` for the standard library's; the
//! last test measures how far those are apart.

use backprop::ndarray::{Array2, ArrayViewMut1};
use backprop::prelude::*;
use backprop::{Float, Prediction};
use backprop_no_std_check::{
    HIDDEN_BIAS, HIDDEN_WEIGHT, OUTPUT_BIAS, OUTPUT_WEIGHT, TINY, Tiny, prediction, tiny_fixed_predict,
    tiny_predict,
};

/// Values that take every branch: zeros of both signs, subnormals, the extremes, infinities, NaN,
/// and a sweep of ordinary values.
fn grid<F: Float>() -> Vec<F> {
    let mut values = vec![
        F::zero(),
        -F::zero(),
        F::min_positive_value() / F::of(4.0),
        -F::min_positive_value() / F::of(4.0),
        F::min_positive_value(),
        F::epsilon(),
        F::max_value(),
        F::min_value(),
        F::infinity(),
        F::neg_infinity(),
        F::nan(),
        F::of(1e4),
        F::of(-1e4),
        F::of(88.0),
        F::of(-88.0),
        F::of(710.0),
        F::of(-745.0),
    ];
    values.extend((-400..=400).map(|i| F::of(f64::from(i) / 16.0)));
    values
}

fn bits<F: Float>(values: &[F]) -> Vec<u64> {
    values.iter().map(|&v| Float::to_f64(v).to_bits()).collect()
}

/// Every cost's prediction on a slice ([`Prediction::predict_slice`]) against its
/// `Cost::predict_in_place` on an ndarray row, contiguous and strided, on rows of three values
/// drawn from the grid (NaN, infinities and subnormals included).
fn predictions_agree<F: Float, C: Cost<F> + Prediction<F>>() {
    let grid = grid::<F>();
    let cost = C::default();
    for (i, &a) in grid.iter().enumerate() {
        for &b in grid.iter().skip(i % 7).step_by(23) {
            let z = [a, b, grid[(i * 31 + 5) % grid.len()]];
            let on_slice = prediction(&cost, z);
            // A row of a 2 × 3 array (contiguous) and a column of a 3 × 2 one (stride 2).
            let mut rows = Array2::from_shape_fn((2, 3), |(_, j)| z[j]);
            cost.predict_in_place(rows.row_mut(1));
            let mut columns = Array2::from_shape_fn((3, 2), |(j, _)| z[j]);
            cost.predict_in_place(columns.column_mut(0));
            let z_bits = bits(&z);
            assert_eq!(
                bits(&on_slice),
                bits(rows.row(1).as_slice().unwrap_or(&[])),
                "{} {z_bits:?}",
                C::NAME
            );
            assert_eq!(bits(&on_slice), bits(&columns.column(0).to_vec()), "{} {z_bits:?}", C::NAME);
            let mut view = z;
            cost.predict_in_place(ArrayViewMut1::from(&mut view[..]));
            assert_eq!(bits(&on_slice), bits(&view), "{} {z_bits:?}", C::NAME);
        }
    }
}

#[test]
fn every_cost_predicts_on_a_slice_what_it_predicts_on_a_row() {
    predictions_agree::<f32, SoftmaxCrossEntropy>();
    predictions_agree::<f64, SoftmaxCrossEntropy>();
    predictions_agree::<f32, BinaryCrossEntropy>();
    predictions_agree::<f64, BinaryCrossEntropy>();
    predictions_agree::<f32, Mse>();
    predictions_agree::<f64, Mse>();
    predictions_agree::<f32, MulticlassHinge>();
    predictions_agree::<f64, MulticlassHinge>();
}

/// Softmax and sigmoid on a slice, against values computed by hand: the shift by the largest
/// logit keeps (10⁴, −10⁴) finite, and s(±10⁴) is 1 and 0.
#[test]
fn predictions_on_a_slice_have_the_known_values() {
    assert_eq!(prediction(&SoftmaxCrossEntropy, [1e4_f64, -1e4]), [1.0, 0.0]);
    assert_eq!(prediction(&SoftmaxCrossEntropy, [0.5_f32; 4]), [0.25; 4]);
    let [p0, p1] = prediction(&SoftmaxCrossEntropy, [0.0_f64, 2.0_f64.ln()]);
    assert!((p0 - 1.0 / 3.0).abs() < 1e-15 && (p1 - 2.0 / 3.0).abs() < 1e-15, "{p0} {p1}");
    assert_eq!(prediction(&BinaryCrossEntropy, [1e4_f64, -1e4, 0.0]), [1.0, 0.0, 0.5]);
    assert_eq!(prediction(&Mse, [3.0_f32, -1.0]), [3.0, -1.0]);
    assert_eq!(prediction(&MulticlassHinge, [3.0_f64, -1.0]), [3.0, -1.0]);
}

network! {
    /// The network `tiny_predict` computes, in f64.
    struct Tiny64<f64> { input: 2, hidden: 3 => Tanh, out: 2, cost: SoftmaxCrossEntropy }
}

network! {
    /// The network `tiny_predict` computes, in f32.
    struct Tiny32<f32> { input: 2, hidden: 3 => Tanh, out: 2, cost: SoftmaxCrossEntropy }
}

/// W and b of a layer from the crate's constants, in `F`.
fn layer<F: Float, const IN: usize, const OUT: usize, A: Activation<F>>(
    weight: &[[f64; IN]; OUT],
    bias: &[f64; OUT],
) -> Dense<F, IN, OUT, A> {
    let mut layer = Dense::zeros();
    layer.weight = Array2::from_shape_fn((OUT, IN), |(j, k)| F::of(weight[j][k]));
    layer.bias = bias.iter().map(|&b| F::of(b)).collect();
    layer
}

/// The inputs of the comparisons: a grid over [−6, 6]², large values that saturate tanh, and
/// zeros of both signs.
fn inputs() -> Vec<[f64; 2]> {
    let mut x: Vec<[f64; 2]> = (-24..=24)
        .flat_map(|i| (-24..=24).map(move |j| [f64::from(i) / 4.0, f64::from(j) / 4.0 + 0.0625]))
        .collect();
    x.extend([[1e3, -1e3], [-40.0, 40.0], [0.0, -0.0], [-0.0, 0.0], [1e-300, -1e-300]]);
    x
}

/// The classifier of the `no_std` crate, made of `OneSample`'s kernels and `predict_slice`, gives
/// the bits of the `std` network's `predict_one` (the batch path through `forward_in` and
/// `Cost::predict_in_place`) with the same weights, in f64 and f32.
#[test]
fn the_no_std_classifier_predicts_the_bits_of_the_std_network() -> Result<(), backprop::Error> {
    let net64 =
        Tiny64 { hidden: layer(&HIDDEN_WEIGHT, &HIDDEN_BIAS), out: layer(&OUTPUT_WEIGHT, &OUTPUT_BIAS) };
    let net32 =
        Tiny32 { hidden: layer(&HIDDEN_WEIGHT, &HIDDEN_BIAS), out: layer(&OUTPUT_WEIGHT, &OUTPUT_BIAS) };
    for x in inputs() {
        let fixed = tiny_predict(&x).map(|p| p.map(f64::to_bits));
        assert_eq!(fixed, Some(net64.predict_one(&x)?.map(f64::to_bits)), "f64, x = {x:?}");
        let x32 = x.map(|v| v as f32);
        let fixed = tiny_predict(&x32).map(|p| p.map(f32::to_bits));
        assert_eq!(fixed, Some(net32.predict_one(&x32)?.map(f32::to_bits)), "f32, x = {x32:?}");
    }
    Ok(())
}

/// A non-finite input gives no prediction, never a panic, as the `std` network gives an error;
/// a finite input whose weighted input overflows too. An infinite input would otherwise give a
/// finite probability here, through tanh(±∞) = ±1.
#[test]
fn a_non_finite_input_or_weighted_input_gives_no_prediction() {
    let net =
        Tiny64 { hidden: layer(&HIDDEN_WEIGHT, &HIDDEN_BIAS), out: layer(&OUTPUT_WEIGHT, &OUTPUT_BIAS) };
    for x in [[f64::NAN, 0.0], [0.0, f64::INFINITY], [f64::NEG_INFINITY, f64::NAN], [f64::MAX, f64::MAX]] {
        assert_eq!(tiny_predict(&x), None, "{x:?}");
        assert!(net.predict_one(&x).is_err(), "{x:?}");
    }
}

/// The `static` fixed-size network the `no_std` crate declares with `network!` predicts the bits
/// of the `std` network it converts back to ([`Tiny::from_fixed`], `predict_one`), and of the
/// classifier made of the kernels, on every input; and NaN, not a finite probability, for a
/// non-finite one.
#[test]
fn the_static_fixed_network_predicts_the_bits_of_the_std_network() -> Result<(), backprop::Error> {
    let net = Tiny::from_fixed(&TINY);
    assert_eq!(net.to_fixed()?, TINY);
    for x in inputs() {
        let p = tiny_fixed_predict(&x);
        assert_eq!(p.map(f64::to_bits), net.predict_one(&x)?.map(f64::to_bits), "x = {x:?}");
        assert_eq!(Some(p.map(f64::to_bits)), tiny_predict(&x).map(|p| p.map(f64::to_bits)), "x = {x:?}");
    }
    for x in [[f64::NAN, 0.0], [0.0, f64::INFINITY], [f64::MAX, f64::MAX]] {
        assert!(tiny_fixed_predict(&x).iter().all(|v| v.is_nan()), "{x:?}");
    }
    Ok(())
}

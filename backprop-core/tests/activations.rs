//! Tests of the built-in activations: σ' against central finite differences of σ, σ and σ'
//! against reference values computed independently (in Python), stability for huge |z| in `f32`
//! and `f64`, and agreement of `f32` with `f64`.

use backprop_core::activation::{sigmoid, softplus};
use backprop_core::{Activation, Dense, Elu, Gelu, Identity, Init, LeakyRelu, Relu, Sigmoid, Silu};
use backprop_core::{Softplus, Tanh};

mod common;

use common::assert_close;

/// 200 points evenly spaced over [−6, 6] (none of them is 0).
fn grid() -> impl Iterator<Item = f64> {
    (0..200).map(|i| -6.0 + 12.0 * f64::from(i) / 199.0)
}

/// Checks σ' against the central difference (σ(z + h) − σ(z − h)) / 2h, h = 1e-5, at 200 points
/// of [−6, 6], skipping |z| < 1e-3 for activations with a kink at 0. The truncation and rounding
/// errors of the difference are around 1e-10 here, so a relative error of 1e-6 catches any wrong
/// formula while leaving room for the difference's own error.
fn check_derivative<A: Activation<f64>>(name: &str, a: A, kink_at_zero: bool) {
    let h = 1e-5;
    let mut checked = 0;
    for z in grid() {
        if kink_at_zero && z.abs() < 1e-3 {
            continue;
        }
        let numeric = (a.apply(z + h) - a.apply(z - h)) / (2.0 * h);
        assert_close(&format!("{name}'({z})"), a.derivative(z), numeric, 1e-6);
        checked += 1;
    }
    assert_eq!(checked, 200, "{name}: every grid point is away from the kink");
}

#[test]
fn sigmoid_derivative_matches_finite_differences() {
    check_derivative("Sigmoid", Sigmoid, false);
}

#[test]
fn tanh_derivative_matches_finite_differences() {
    check_derivative("Tanh", Tanh, false);
}

#[test]
fn leaky_relu_derivative_matches_finite_differences() {
    check_derivative("LeakyRelu", LeakyRelu::default(), true);
    check_derivative("LeakyRelu(0.2)", LeakyRelu::new(0.2), true);
}

#[test]
fn elu_derivative_matches_finite_differences() {
    check_derivative("Elu", Elu::default(), true);
    check_derivative("Elu(0.5)", Elu::new(0.5), true);
}

#[test]
fn softplus_derivative_matches_finite_differences() {
    check_derivative("Softplus", Softplus, false);
}

#[test]
fn gelu_derivative_matches_finite_differences() {
    check_derivative("Gelu", Gelu, false);
}

#[test]
fn silu_derivative_matches_finite_differences() {
    check_derivative("Silu", Silu, false);
}

/// Checks σ and σ' against a table of (z, σ(z), σ'(z)).
fn check_reference<A: Activation<f64>>(name: &str, a: A, table: &[(f64, f64, f64)]) {
    for &(z, value, derivative) in table {
        assert_close(&format!("{name}({z})"), a.apply(z), value, 1e-13);
        assert_close(&format!("{name}'({z})"), a.derivative(z), derivative, 1e-13);
    }
}

// The reference values below were computed with Python's `math` module, straight from the
// textbook formulas (σ = 1/(1 + exp(−z)), σ' = σ(1 − σ); 1 − tanh²; log(1 + exp(z)); for GELU
// 0.5 z (1 + tanh(√(2/π)(z + 0.044715 z³))) and its derivative
// 0.5 (1 + tanh u) + 0.5 z sech²(u) √(2/π)(1 + 3 · 0.044715 z²)), printed with `repr`, and
// cross-checked with mpmath at 50 digits (agreement to 1e-15 relative).

#[test]
fn sigmoid_matches_reference_values() {
    let table = [
        (-2.0, 0.11920292202211755, 0.1049935854035065),
        (-0.5, 0.3775406687981454, 0.2350037122015945),
        (0.3, 0.574442516811659, 0.24445831169074586),
        (1.7, 0.8455347349164652, 0.13060574696620808),
    ];
    check_reference("Sigmoid", Sigmoid, &table);
    for (z, value, _) in table {
        assert_close(&format!("sigmoid({z})"), sigmoid(z), value, 1e-13);
    }
}

#[test]
fn tanh_matches_reference_values() {
    let table = [
        (-2.0, -0.9640275800758169, 0.07065082485316443),
        (-0.5, -0.46211715726000974, 0.7864477329659274),
        (0.3, 0.2913126124515909, 0.9151369618266292),
        (1.7, 0.935409070603099, 0.1250098706334466),
    ];
    check_reference("Tanh", Tanh, &table);
}

#[test]
fn leaky_relu_matches_reference_values() {
    let table = [(-2.0, -0.02, 0.01), (-0.5, -0.005, 0.01), (0.3, 0.3, 1.0), (1.7, 1.7, 1.0)];
    check_reference("LeakyRelu", LeakyRelu::default(), &table);
    let table = [(-2.0, -0.4, 0.2), (-0.5, -0.1, 0.2), (0.3, 0.3, 1.0), (1.7, 1.7, 1.0)];
    check_reference("LeakyRelu(0.2)", LeakyRelu::new(0.2), &table);
    // At the kink the derivative is the slope.
    assert_eq!(Activation::<f64>::derivative(&LeakyRelu::new(0.2), 0.0), 0.2);
}

#[test]
fn elu_matches_reference_values() {
    let table = [
        (-2.0, -0.8646647167633873, 0.1353352832366127),
        (-0.5, -0.3934693402873666, 0.6065306597126334),
        (0.3, 0.3, 1.0),
        (1.7, 1.7, 1.0),
    ];
    check_reference("Elu", Elu::default(), &table);
    let halved: Vec<_> =
        table.iter().map(|&(z, v, d)| if z > 0.0 { (z, v, d) } else { (z, 0.5 * v, 0.5 * d) }).collect();
    check_reference("Elu(0.5)", Elu::new(0.5), &halved);
}

#[test]
fn softplus_matches_reference_values() {
    let table = [
        (-2.0, 0.1269280110429726, 0.11920292202211755),
        (-0.5, 0.4740769841801067, 0.3775406687981454),
        (0.3, 0.8543552444685272, 0.574442516811659),
        (1.7, 1.867786029386266, 0.8455347349164652),
    ];
    check_reference("Softplus", Softplus, &table);
    for (z, value, _) in table {
        assert_close(&format!("softplus({z})"), softplus(z), value, 1e-13);
    }
}

#[test]
fn gelu_matches_reference_values_of_the_tanh_formula() {
    let table = [
        (-2.0, -0.04540230591222494, -0.08609925662361834),
        (-0.5, -0.15428599017485606, 0.13263009646535764),
        (0.3, 0.18537092354275922, 0.7322954516388018),
        (1.7, 1.624105895551156, 1.115914631452605),
    ];
    check_reference("Gelu", Gelu, &table);
}

#[test]
fn silu_matches_reference_values() {
    let table = [
        (-2.0, -0.2384058440442351, -0.09078424878489547),
        (-0.5, -0.1887703343990727, 0.2600388126973482),
        (0.3, 0.1723327550434977, 0.6477800103188828),
        (1.7, 1.437409049357991, 1.067564504759019),
    ];
    check_reference("Silu", Silu, &table);
}

/// In the tails, where the textbook formulas cancel in floating point, the implementations keep
/// full relative precision. References computed with mpmath at 50 significant digits.
#[test]
fn tails_keep_full_relative_precision() {
    let cases: [(&str, f64, f64); 13] = [
        ("sigmoid(-30)", sigmoid(-30.0), 9.357622968839299e-14),
        ("Sigmoid'(30)", Sigmoid.derivative(30.0), 9.357622968838423e-14),
        ("Sigmoid'(-30)", Sigmoid.derivative(-30.0), 9.357622968838423e-14),
        ("Tanh'(20)", Tanh.derivative(20.0), 1.6993417021166355e-17),
        ("softplus(-30)", softplus(-30.0), 9.357622968839737e-14),
        ("Gelu(-6)", Gelu.apply(-6.0), -8.439646700762297e-11),
        ("Gelu'(-6)", Gelu.derivative(-6.0), -7.709973930953696e-10),
        ("Gelu(-10)", Gelu.apply(-10.0), -1.2040923482098107e-37),
        ("Gelu'(-10)", Gelu.derivative(-10.0), -2.7576380638540315e-36),
        ("Silu(-30)", Silu.apply(-30.0), -2.8072868906517896e-12),
        ("Silu'(-30)", Silu.derivative(-30.0), -2.713710660963134e-12),
        ("Elu(-1e-10)", Elu::default().apply(-1e-10), -9.9999999995e-11),
        ("Softplus'(-30)", Softplus.derivative(-30.0), 9.357622968839299e-14),
    ];
    for (what, got, want) in cases {
        assert_close(what, got, want, 1e-12);
    }
}

/// The limits of σ and σ' at z → +∞ and z → −∞ of one activation.
struct Limits {
    /// σ(z) for large positive z, as a function of z.
    apply_pos: fn(f64) -> f64,
    /// σ'(z) for large positive z.
    derivative_pos: f64,
    /// σ(z) for large negative z, as a function of z.
    apply_neg: fn(f64) -> f64,
    /// σ'(z) for large negative z.
    derivative_neg: f64,
}

/// σ and σ' are finite and equal to their limits at ±1e4 and ±1e30, in `f32` and `f64`.
fn check_stability<A: Activation<f32> + Activation<f64>>(name: &str, a: A, limits: Limits) {
    for z in [1e4, 1e30, -1e4, -1e30] {
        let (value, derivative) = if z > 0.0 {
            ((limits.apply_pos)(z), limits.derivative_pos)
        } else {
            ((limits.apply_neg)(z), limits.derivative_neg)
        };
        let results = [
            ("f64", Activation::<f64>::apply(&a, z), Activation::<f64>::derivative(&a, z)),
            (
                "f32",
                f64::from(Activation::<f32>::apply(&a, z as f32)),
                f64::from(Activation::<f32>::derivative(&a, z as f32)),
            ),
        ];
        for (ty, got_value, got_derivative) in results {
            assert!(
                got_value.is_finite() && got_derivative.is_finite(),
                "{name}({z:e}) in {ty}: σ = {got_value}, σ' = {got_derivative}"
            );
            // z as f32 is z to 6e-8 relative; the limits are exact in f64.
            assert_close(&format!("{name}({z:e}) in {ty}"), got_value, value, 1e-7);
            assert_close(&format!("{name}'({z:e}) in {ty}"), got_derivative, derivative, 1e-7);
        }
    }
}

#[test]
fn sigmoid_is_stable_for_huge_inputs() {
    check_stability(
        "Sigmoid",
        Sigmoid,
        Limits { apply_pos: |_| 1.0, derivative_pos: 0.0, apply_neg: |_| 0.0, derivative_neg: 0.0 },
    );
    assert_eq!(sigmoid(-1e4_f64), 0.0);
    assert_eq!(sigmoid(1e4_f32), 1.0);
}

#[test]
fn tanh_is_stable_for_huge_inputs() {
    check_stability(
        "Tanh",
        Tanh,
        Limits { apply_pos: |_| 1.0, derivative_pos: 0.0, apply_neg: |_| -1.0, derivative_neg: 0.0 },
    );
}

#[test]
fn leaky_relu_is_stable_for_huge_inputs() {
    check_stability(
        "LeakyRelu",
        LeakyRelu::default(),
        Limits { apply_pos: |z| z, derivative_pos: 1.0, apply_neg: |z| 0.01 * z, derivative_neg: 0.01 },
    );
}

#[test]
fn elu_is_stable_for_huge_inputs() {
    check_stability(
        "Elu",
        Elu::default(),
        Limits { apply_pos: |z| z, derivative_pos: 1.0, apply_neg: |_| -1.0, derivative_neg: 0.0 },
    );
}

#[test]
fn softplus_is_stable_for_huge_inputs() {
    check_stability(
        "Softplus",
        Softplus,
        Limits { apply_pos: |z| z, derivative_pos: 1.0, apply_neg: |_| 0.0, derivative_neg: 0.0 },
    );
    assert_eq!(softplus(1e4_f64), 1e4);
    assert_eq!(softplus(-1e4_f64), 0.0);
}

#[test]
fn gelu_is_stable_for_huge_inputs() {
    check_stability(
        "Gelu",
        Gelu,
        Limits { apply_pos: |z| z, derivative_pos: 1.0, apply_neg: |_| 0.0, derivative_neg: 0.0 },
    );
}

#[test]
fn silu_is_stable_for_huge_inputs() {
    check_stability(
        "Silu",
        Silu,
        Limits { apply_pos: |z| z, derivative_pos: 1.0, apply_neg: |_| 0.0, derivative_neg: 0.0 },
    );
}

/// Calls `f` with the name, σ and σ' (in f32 and in f64) of every built-in activation.
fn for_each_activation(mut f: impl FnMut(&str, &dyn Fn(f32) -> (f32, f32), &dyn Fn(f64) -> (f64, f64))) {
    macro_rules! each {
        ($($name:literal => $a:expr),* $(,)?) => {$(
            f(
                $name,
                &|z: f32| (Activation::<f32>::apply(&$a, z), Activation::<f32>::derivative(&$a, z)),
                &|z: f64| (Activation::<f64>::apply(&$a, z), Activation::<f64>::derivative(&$a, z)),
            );
        )*};
    }
    each! {
        "Identity" => Identity,
        "Relu" => Relu,
        "Sigmoid" => Sigmoid,
        "Tanh" => Tanh,
        "LeakyRelu" => LeakyRelu::default(),
        "Elu" => Elu::default(),
        "Softplus" => Softplus,
        "Gelu" => Gelu,
        "Silu" => Silu,
    }
}

/// σ and σ' are finite for every finite z, up to the largest float, in both precisions.
#[test]
fn every_activation_is_finite_on_the_whole_float_range() {
    let mut magnitudes: Vec<f64> = (-3..=38).map(|e| 10f64.powi(e)).collect();
    magnitudes.extend([0.0, 22.0, 11.0, 1e100, 1e300, f64::from(f32::MAX), f64::MAX]);
    for_each_activation(|name, f32s, f64s| {
        for &m in &magnitudes {
            for z in [m, -m] {
                let (v, d) = f64s(z);
                assert!(v.is_finite() && d.is_finite(), "{name}({z:e}) in f64: σ = {v}, σ' = {d}");
                if z.abs() <= f64::from(f32::MAX) {
                    let (v, d) = f32s(z as f32);
                    assert!(v.is_finite() && d.is_finite(), "{name}({z:e}) in f32: σ = {v}, σ' = {d}");
                }
            }
        }
    });
}

/// `f32` agrees with `f64` to `f32` precision. The tolerance is a few ulps of `f32` (1.2e-7)
/// times the condition number of σ and σ' at these points, which is at most about 10.
#[test]
fn f32_agrees_with_f64() {
    for_each_activation(|name, f32s, f64s| {
        for z in [-3.0_f32, -0.7, 0.2, 1.1, 2.5] {
            let (v32, d32) = f32s(z);
            let (v64, d64) = f64s(f64::from(z));
            assert_close(&format!("{name}({z}) in f32"), f64::from(v32), v64, 2e-6);
            assert_close(&format!("{name}'({z}) in f32"), f64::from(d32), d64, 2e-6);
        }
    });
}

#[test]
fn initialisation_follows_the_activation() {
    fn init<A: Activation<f64>>(_: A) -> Init {
        A::INIT
    }
    assert_eq!(init(Sigmoid), Init::Glorot);
    assert_eq!(init(Tanh), Init::Glorot);
    assert_eq!(init(Softplus), Init::Glorot);
    assert_eq!(init(LeakyRelu::default()), Init::He);
    assert_eq!(init(Elu::default()), Init::He);
    assert_eq!(init(Gelu), Init::He);
    assert_eq!(init(Silu), Init::He);
}

#[test]
fn parameters_have_their_defaults_and_can_be_set() {
    assert_eq!(LeakyRelu::default(), LeakyRelu { slope: 0.01 });
    assert_eq!(Elu::default(), Elu { alpha: 1.0 });
    // A layer starts with the default and its `activation` field can be set.
    let mut layer = Dense::<f32, 1, 1, LeakyRelu>::zeros();
    assert_eq!(layer.activation.apply(-2.0), -0.02);
    layer.activation.slope = 0.3;
    assert_eq!(layer.activation.apply(-2.0), -0.6);
    let mut layer = Dense::<f64, 1, 1, Elu>::zeros();
    assert_eq!(layer.activation.apply(-1e4), -1.0);
    layer.activation.alpha = 2.0;
    assert_eq!(layer.activation.apply(-1e4), -2.0);
}

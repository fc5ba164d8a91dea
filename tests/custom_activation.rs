//! `#[activation]` derives σ' correctly: for every function below the generated derivative
//! agrees with central finite differences of the function, in f64, at a few hundred points away
//! from its kinks; with the hand-written derivative of the built-in activation where one exists;
//! and with reference values computed independently with SymPy. A network whose layers use
//! generated activations passes the gradient check.

use backprop::activation::{sigmoid, softplus, tanh};
use backprop::ndarray::Array2;
use backprop::prelude::*;
use backprop::{Init, gradcheck};

/// SELU's scale λ and α (Klambauer et al., "Self-Normalizing Neural Networks", NeurIPS 2017).
const SELU_LAMBDA: f64 = 1.050_700_987_355_480_5;
const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;

/// √(2/π), as a named constant the macro cannot see the value of.
const SQRT_2_OVER_PI: f64 = 0.797_884_560_802_865_4;

/// Swish: z·sigmoid(z).
#[activation]
fn swish(z: f64) -> f64 {
    z / (1.0 + (-z).exp())
}

/// Mish, z·tanh(softplus(z)), through the library's functions.
#[activation]
fn mish(z: f64) -> f64 {
    z * tanh(softplus(z))
}

/// Mish, with `tanh` as a method.
#[activation]
fn mish_method(z: f64) -> f64 {
    z * softplus(z).tanh()
}

/// Softsign, z/(1 + |z|).
#[activation]
fn softsign(z: f64) -> f64 {
    z / (1.0 + z.abs())
}

/// GELU in its tanh form, as `Gelu` computes it.
#[activation(init = He)]
fn gelu_tanh(z: f64) -> f64 {
    0.5 * z * (1.0 + (SQRT_2_OVER_PI * (z + 0.044715 * z.powi(3))).tanh())
}

/// A Gaussian bump.
#[activation]
fn gaussian(z: f64) -> f64 {
    (-z * z).exp()
}

/// The normal density, with a path to a constant of the standard library.
#[activation]
fn normal_density(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * core::f64::consts::PI).sqrt()
}

/// SELU, piecewise.
#[activation(init = He)]
fn selu(z: f64) -> f64 {
    if z > 0.0 { SELU_LAMBDA * z } else { SELU_LAMBDA * SELU_ALPHA * (z.exp() - 1.0) }
}

/// Hard tanh, with `else if`.
#[activation]
#[allow(clippy::manual_clamp)] // written out: the case is of `else if`
fn hard_tanh(z: f64) -> f64 {
    if z > 1.0 {
        1.0
    } else if z < -1.0 {
        -1.0
    } else {
        z
    }
}

/// SiLU written with `let` bindings: z·sigmoid(z) = ½z(1 + tanh(½z)).
#[activation]
fn silu_let(z: f64) -> f64 {
    let half = 0.5 * z;
    let t = half.tanh();
    half * (1.0 + t)
}

/// The logistic function, spelled out.
#[activation]
fn logistic(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// The logistic function, as the library's function by its path.
#[activation]
fn logistic_path(z: f64) -> f64 {
    backprop::activation::sigmoid(z)
}

/// tanh as sinh/cosh.
#[activation]
fn tanh_ratio(z: f64) -> f64 {
    z.sinh() / z.cosh()
}

/// Softplus, spelled out.
#[activation]
fn soft_plus(z: f64) -> f64 {
    (1.0 + z.exp()).ln()
}

/// ELU with α = 1.
#[activation]
fn elu(z: f64) -> f64 {
    if z > 0.0 { z } else { z.exp() - 1.0 }
}

/// The bent identity, with `sqrt`.
#[activation]
fn bent_identity(z: f64) -> f64 {
    ((z * z + 1.0).sqrt() - 1.0) / 2.0 + z
}

/// Trigonometric functions.
#[activation]
fn trig(z: f64) -> f64 {
    z.sin() + 0.5 * z.cos().powi(2) + (0.3 * z).tan()
}

/// Logarithms in three bases.
#[activation]
fn logs(z: f64) -> f64 {
    (z * z + 1.0).ln() + (z * z + 2.0).log2() * 0.5 - (z * z + 3.0).log10()
}

/// Powers and reciprocals.
#[activation]
fn powers(z: f64) -> f64 {
    (z * z + 1.0).powf(0.25) + (1.0 + z * z).recip() + (z * z + 1.0).powi(-2)
}

/// ReLU6, with `max` and `min`.
#[activation(init = He)]
#[allow(clippy::manual_clamp)] // written out: the case is of `max` and `min`
fn relu6(z: f64) -> f64 {
    z.max(0.0).min(6.0)
}

/// ½ z |z|, with `signum`: its derivative is |z|.
#[activation]
fn half_signed_square(z: f64) -> f64 {
    z.signum() * z * z * 0.5
}

/// The Huber function, with `&&` in the condition and a constant on the left of `min`.
#[activation]
fn huber(z: f64) -> f64 {
    let small = 0.5 * z * z;
    if z > -1.0 && z < 1.0 { small } else { 10.0_f64.min(z.abs() - 0.5) }
}

/// Hyperbolic functions and a constant exponent that is a named constant.
#[activation]
fn hyperbolic(z: f64) -> f64 {
    (0.5 * z).cosh().powf(SELU_ALPHA) - (0.25 * z).sinh()
}

/// Swish written for `f32`.
#[activation]
fn swish32(x: f32) -> f32 {
    x / (1.0 + (-x).exp())
}

/// Thirty `let`s, each an `if` on the one before: σ' is written once per line, forward along the
/// `let`s (each `if` once copied the derivative of the one before into both of its branches, so
/// that this function expanded to gigabytes).
#[activation]
#[rustfmt::skip]
#[allow(clippy::let_and_return)] // written out: the case is a chain of `let`s
fn chained_ifs(z: f64) -> f64 {
    let a0 = z;
    let a1 = if a0 > 0.0 { a0.tanh() + 0.1 * a0 } else { 0.9 * a0.sin() };
    let a2 = if a1 > 0.0 { a1.tanh() + 0.1 * a1 } else { 0.9 * a1.sin() };
    let a3 = if a2 > 0.0 { a2.tanh() + 0.1 * a2 } else { 0.9 * a2.sin() };
    let a4 = if a3 > 0.0 { a3.tanh() + 0.1 * a3 } else { 0.9 * a3.sin() };
    let a5 = if a4 > 0.0 { a4.tanh() + 0.1 * a4 } else { 0.9 * a4.sin() };
    let a6 = if a5 > 0.0 { a5.tanh() + 0.1 * a5 } else { 0.9 * a5.sin() };
    let a7 = if a6 > 0.0 { a6.tanh() + 0.1 * a6 } else { 0.9 * a6.sin() };
    let a8 = if a7 > 0.0 { a7.tanh() + 0.1 * a7 } else { 0.9 * a7.sin() };
    let a9 = if a8 > 0.0 { a8.tanh() + 0.1 * a8 } else { 0.9 * a8.sin() };
    let a10 = if a9 > 0.0 { a9.tanh() + 0.1 * a9 } else { 0.9 * a9.sin() };
    let a11 = if a10 > 0.0 { a10.tanh() + 0.1 * a10 } else { 0.9 * a10.sin() };
    let a12 = if a11 > 0.0 { a11.tanh() + 0.1 * a11 } else { 0.9 * a11.sin() };
    let a13 = if a12 > 0.0 { a12.tanh() + 0.1 * a12 } else { 0.9 * a12.sin() };
    let a14 = if a13 > 0.0 { a13.tanh() + 0.1 * a13 } else { 0.9 * a13.sin() };
    let a15 = if a14 > 0.0 { a14.tanh() + 0.1 * a14 } else { 0.9 * a14.sin() };
    let a16 = if a15 > 0.0 { a15.tanh() + 0.1 * a15 } else { 0.9 * a15.sin() };
    let a17 = if a16 > 0.0 { a16.tanh() + 0.1 * a16 } else { 0.9 * a16.sin() };
    let a18 = if a17 > 0.0 { a17.tanh() + 0.1 * a17 } else { 0.9 * a17.sin() };
    let a19 = if a18 > 0.0 { a18.tanh() + 0.1 * a18 } else { 0.9 * a18.sin() };
    let a20 = if a19 > 0.0 { a19.tanh() + 0.1 * a19 } else { 0.9 * a19.sin() };
    let a21 = if a20 > 0.0 { a20.tanh() + 0.1 * a20 } else { 0.9 * a20.sin() };
    let a22 = if a21 > 0.0 { a21.tanh() + 0.1 * a21 } else { 0.9 * a21.sin() };
    let a23 = if a22 > 0.0 { a22.tanh() + 0.1 * a22 } else { 0.9 * a22.sin() };
    let a24 = if a23 > 0.0 { a23.tanh() + 0.1 * a23 } else { 0.9 * a23.sin() };
    let a25 = if a24 > 0.0 { a24.tanh() + 0.1 * a24 } else { 0.9 * a24.sin() };
    let a26 = if a25 > 0.0 { a25.tanh() + 0.1 * a25 } else { 0.9 * a25.sin() };
    let a27 = if a26 > 0.0 { a26.tanh() + 0.1 * a26 } else { 0.9 * a26.sin() };
    let a28 = if a27 > 0.0 { a27.tanh() + 0.1 * a27 } else { 0.9 * a27.sin() };
    let a29 = if a28 > 0.0 { a28.tanh() + 0.1 * a28 } else { 0.9 * a28.sin() };
    let a30 = if a29 > 0.0 { a29.tanh() + 0.1 * a29 } else { 0.9 * a29.sin() };
    a30
}

/// The points checked: 400 points spread over [−4, 4], without the kinks ±1, 0 and 6 and their
/// neighbourhoods, where a finite difference straddles two branches.
fn points() -> impl Iterator<Item = f64> {
    (0..400)
        .map(|i| -4.0 + 8.0 * (f64::from(i) + 0.37) / 400.0)
        .filter(|z| [-1.0, 0.0, 1.0, 6.0].iter().all(|kink: &f64| (z - kink).abs() > 0.01))
}

/// The derivative of `f` at `z` by the fourth-order central difference
/// (−f(z+2h) + 8f(z+h) − 8f(z−h) + f(z−2h)) / 12h, with h = 10⁻³: truncation error O(h⁴).
fn finite_difference(f: impl Fn(f64) -> f64, z: f64) -> f64 {
    let h = 1e-3;
    (-f(z + 2.0 * h) + 8.0 * f(z + h) - 8.0 * f(z - h) + f(z - 2.0 * h)) / (12.0 * h)
}

/// |a − b| relative to the larger of |a| and |b| (0 when both are 0).
fn relative_error(a: f64, b: f64) -> f64 {
    let scale = a.abs().max(b.abs());
    if scale == 0.0 { 0.0 } else { (a - b).abs() / scale }
}

/// The largest relative error of σ' against finite differences of the function, over `points`.
fn worst_error<A: Activation<f64>>(activation: A, f: fn(f64) -> f64) -> (f64, f64) {
    points()
        .map(|z| (relative_error(activation.derivative(z), finite_difference(f, z)), z))
        .fold((0.0, f64::NAN), |worst, e| if e.0 > worst.0 { e } else { worst })
}

macro_rules! check_against_finite_differences {
    ($($test:ident: $ty:ident, $f:ident;)*) => {$(
        #[test]
        fn $test() {
            let (error, at) = worst_error($ty, $f);
            eprintln!("{}: worst relative error {error:.1e} at z = {at}", stringify!($f));
            assert!(error <= 1e-6, "{}: relative error {error:e} at z = {at}", stringify!($f));
            // σ is the function.
            for z in points() {
                assert_eq!(<$ty as Activation<f64>>::apply(&$ty, z).to_bits(), $f(z).to_bits());
            }
        }
    )*};
}

check_against_finite_differences! {
    swish_matches_finite_differences: Swish, swish;
    mish_matches_finite_differences: Mish, mish;
    mish_method_matches_finite_differences: MishMethod, mish_method;
    softsign_matches_finite_differences: Softsign, softsign;
    gelu_tanh_matches_finite_differences: GeluTanh, gelu_tanh;
    gaussian_matches_finite_differences: Gaussian, gaussian;
    normal_density_matches_finite_differences: NormalDensity, normal_density;
    selu_matches_finite_differences: Selu, selu;
    hard_tanh_matches_finite_differences: HardTanh, hard_tanh;
    silu_let_matches_finite_differences: SiluLet, silu_let;
    logistic_matches_finite_differences: Logistic, logistic;
    logistic_path_matches_finite_differences: LogisticPath, logistic_path;
    tanh_ratio_matches_finite_differences: TanhRatio, tanh_ratio;
    soft_plus_matches_finite_differences: SoftPlus, soft_plus;
    elu_matches_finite_differences: Elu, elu;
    bent_identity_matches_finite_differences: BentIdentity, bent_identity;
    trig_matches_finite_differences: Trig, trig;
    logs_matches_finite_differences: Logs, logs;
    powers_matches_finite_differences: Powers, powers;
    relu6_matches_finite_differences: Relu6, relu6;
    half_signed_square_matches_finite_differences: HalfSignedSquare, half_signed_square;
    huber_matches_finite_differences: Huber, huber;
    hyperbolic_matches_finite_differences: Hyperbolic, hyperbolic;
    chained_ifs_matches_finite_differences: ChainedIfs, chained_ifs;
}

/// Asserts that `generated` and `built_in` have the same derivative at every point, to `tolerance`.
fn assert_same_derivative<A: Activation<f64>, B: Activation<f64>>(generated: A, built_in: B, tolerance: f64) {
    for z in points() {
        let (a, b) = (generated.derivative(z), built_in.derivative(z));
        assert!(relative_error(a, b) <= tolerance, "at z = {z}: generated {a}, built-in {b}");
    }
}

/// The built-in activations compute σ' by other formulas (stable for large |z|), so the two agree
/// to rounding: 10⁻¹² relative, which also covers the points next to a zero of σ' (swish' has one
/// at z ≈ −1.28), where the relative error of any formula grows.
#[test]
fn derivatives_match_the_built_in_activations() {
    assert_same_derivative(Logistic, backprop::Sigmoid, 1e-12);
    assert_same_derivative(LogisticPath, backprop::Sigmoid, 1e-12);
    assert_same_derivative(TanhRatio, backprop::Tanh, 1e-12);
    assert_same_derivative(SoftPlus, backprop::Softplus, 1e-12);
    assert_same_derivative(Swish, backprop::Silu, 1e-12);
    assert_same_derivative(SiluLet, backprop::Silu, 1e-12);
    // ½z(1 + tanh u) as the user wrote it cancels in the negative tail, where tanh u ≈ −1; `Gelu`
    // computes it through the sigmoid to avoid that, so they agree less closely there.
    assert_same_derivative(GeluTanh, backprop::Gelu, 1e-10);
    assert_same_derivative(Elu, backprop::Elu::default(), 1e-12);
    // The same function written two ways generates the same code.
    assert_same_derivative(Mish, MishMethod, 0.0);
}

/// A derivative to check, its name, a point and σ' there.
type Case<'a> = (&'a str, &'a dyn Fn(f64) -> f64, f64, f64);

/// σ'(z) at one point, computed with SymPy 1.14 from the formula (differentiated exactly, then
/// evaluated to 20 digits): `sympy.N(sympy.diff(f, z).subs(z, point), 20)`.
#[test]
#[allow(clippy::excessive_precision)] // SymPy's 20 digits, as it printed them
fn derivatives_match_reference_values() {
    let cases: [Case; 10] = [
        ("swish", &|z| Swish.derivative(z), 1.3, 1.004_622_854_252_336_912_1),
        ("mish", &|z| Mish.derivative(z), -0.7, 0.184_416_073_256_781_897_37),
        ("gelu_tanh", &|z| GeluTanh.derivative(z), 0.4, 0.802_658_834_420_561_359_30),
        ("selu", &|z| Selu.derivative(z), -1.2, 0.529_529_345_429_887_649_58),
        ("gaussian", &|z| Gaussian.derivative(z), 0.9, -0.800_744_519_201_294_042_07),
        ("softsign", &|z| Softsign.derivative(z), -2.5, 0.081_632_653_061_224_489_796),
        ("bent_identity", &|z| BentIdentity.derivative(z), 1.7, 1.430_967_107_578_884_755_1),
        ("trig", &|z| Trig.derivative(z), -1.1, 1.193_041_308_798_313_698_8),
        ("logs", &|z| Logs.derivative(z), 1.5, 1.184_095_132_723_270_462_0),
        ("powers", &|z| Powers.derivative(z), -1.3, 0.316_998_066_316_994_338_78),
    ];
    for (name, derivative, z, expected) in cases {
        let got = derivative(z);
        assert!(relative_error(got, expected) <= 1e-14, "{name}'({z}) = {got}, SymPy gives {expected}");
    }
}

#[test]
fn the_other_float_type_computes_the_same_function() {
    for z in points() {
        let (z32, expected) = (z as f32, swish(z) as f32);
        let got = <Swish as Activation<f32>>::apply(&Swish, z32);
        assert!((got - expected).abs() <= 1e-6 * expected.abs().max(1.0), "swish({z}) in f32: {got}");
        let got = <Swish as Activation<f32>>::derivative(&Swish, z32);
        let expected = Swish.derivative(f64::from(z32)) as f32;
        assert!((got - expected).abs() <= 1e-6 * expected.abs().max(1.0), "swish'({z}) in f32: {got}");
        // A function written for f32 gets an f64 σ that is its body in f64.
        let z = f64::from(z32);
        assert!(relative_error(<Swish32 as Activation<f64>>::apply(&Swish32, z), swish(z)) <= 1e-15);
        assert!(
            relative_error(<Swish32 as Activation<f64>>::derivative(&Swish32, z), Swish.derivative(z))
                <= 1e-15
        );
        assert_eq!(<Swish32 as Activation<f32>>::apply(&Swish32, z32), swish32(z32));
    }
}

#[test]
fn piecewise_derivatives_take_the_branch_the_condition_selects() {
    assert_eq!(HardTanh.derivative(0.5), 1.0);
    assert_eq!(HardTanh.derivative(1.5), 0.0);
    assert_eq!(HardTanh.derivative(-1.5), 0.0);
    assert_eq!(HardTanh.derivative(1.0), 1.0, "z = 1 is not > 1: the middle branch");
    assert_eq!(Relu6.derivative(3.0), 1.0);
    assert_eq!(Relu6.derivative(-3.0), 0.0);
    assert_eq!(Relu6.derivative(7.0), 0.0);
    assert_eq!(Huber.derivative(0.5), 0.5);
    assert_eq!(Huber.derivative(-2.0), -1.0);
    assert_eq!(Huber.derivative(20.0), 0.0, "min(10, |z| − ½) is the constant 10 there");
}

#[test]
fn the_init_option_sets_the_initialisation() {
    assert_eq!(<Swish as Activation<f64>>::INIT, Init::Glorot);
    assert_eq!(<Selu as Activation<f64>>::INIT, Init::He);
    assert_eq!(<Relu6 as Activation<f32>>::INIT, Init::He);
}

/// A batch of 5 samples × `width` features with values spread over about [−2, 2].
fn batch(width: usize) -> Array2<f64> {
    Array2::from_shape_fn((5, width), |(i, j)| 2.0 * ((7 * i + 3 * j) as f64 * 0.731 + 0.4).sin())
}

/// Gives every bias a distinct nonzero value, so that no unit sits on SELU's kink.
fn jitter_biases<N: Network<f64>>(net: &mut N) -> &mut N {
    let mut k = 0.0;
    net.visit_parameters_mut(&mut |mut p| {
        for b in p.bias.iter_mut() {
            k += 1.0;
            *b = 0.1 * (k * 0.917_f64).sin();
        }
    });
    net
}

network! {
    /// Every layer with a generated activation.
    struct Generated<f64> {
        input: 4,
        first: 6 => Swish,
        second: 5 => Mish,
        third: 5 => GeluTanh,
        fourth: 4 => Selu,
        out: 3 => Gaussian,
        cost: Mse,
    }
}

#[test]
fn a_network_of_generated_activations_passes_the_gradient_check() -> Result<(), backprop::Error> {
    let y = Array2::from_shape_fn((5, 3), |(i, j)| 0.5 + 0.45 * ((5 * i + j) as f64 * 1.37).cos());
    for seed in 0..8 {
        let mut net = Generated::with_seed(seed);
        let check = gradcheck(jitter_biases(&mut net), batch(4).view(), &y)?;
        assert_eq!(check.layers.len(), 5);
        assert!(check.worst() <= 1e-5, "seed {seed}: gradients disagree with finite differences:\n{check}");
    }
    Ok(())
}

#[test]
fn generated_activations_are_plain_unit_structs() {
    assert_eq!(Swish, <Swish as Default>::default());
    assert_eq!(format!("{:?}", Mish), "Mish");
    let copy = Selu;
    let _ = (copy, copy);
    assert_eq!(sigmoid(0.0_f64), 0.5);
}

#[test]
fn the_formulas_are_documented_and_available_as_constants() {
    assert_eq!(Swish::FORMULA, "σ(z)  = z / (1 + exp(-z))");
    assert_eq!(
        Swish::DERIVATIVE,
        "σ'(z) = (t2 + z * t1) / (t2 * t2)\n  where t1 = exp(-z)\n        t2 = 1 + t1"
    );
    // One shared exponential, constants folded and signs simplified.
    assert_eq!(Selu::DERIVATIVE, "σ'(z) = if z > 0 then SELU_LAMBDA else SELU_LAMBDA * SELU_ALPHA * exp(z)");
    assert_eq!(
        Mish::DERIVATIVE,
        "σ'(z) = t1 + z * (sigmoid(z) * (1 - t1 * t1))\n  where t1 = tanh(softplus(z))"
    );
    // x + x = 2x, and 2 · (0.5 · z) = z.
    assert_eq!(
        Huber::DERIVATIVE,
        "σ'(z) = if z > -1 && z < 1 then z else if abs(z) - 0.5 < 10 then signum(z) else 0"
    );
    // The argument keeps its name.
    assert!(Swish32::DERIVATIVE.starts_with("σ'(x) = (t2 + x * t1)"));
}

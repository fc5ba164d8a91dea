//! The generated `backward` agrees with central finite differences of the cost, in f64, for a
//! network of four layers with every built-in activation and every built-in cost.

use backprop::ndarray::{Array2, ArrayView2};
use backprop::prelude::*;
use backprop::{GradCheck, gradcheck};

/// Each network is checked with the weights of each of these seeds.
const SEEDS: std::ops::Range<u64> = 0..8;

/// The largest relative error (per tensor, see `LayerCheck`) accepted.
const TOLERANCE: f64 = 1e-5;

/// A batch of 5 samples × `width` features with values spread over about [−2, 2].
fn batch(width: usize) -> Array2<f64> {
    Array2::from_shape_fn((5, width), |(i, j)| 2.0 * ((7 * i + 3 * j) as f64 * 0.731 + 0.4).sin())
}

/// Regression targets for 5 samples × 3 outputs, in [0, 1] so that every cost accepts them.
fn values() -> Array2<f64> {
    Array2::from_shape_fn((5, 3), |(i, j)| 0.5 + 0.45 * ((5 * i + j) as f64 * 1.37).cos())
}

/// Class labels for 5 samples of 3 classes.
const LABELS: [usize; 5] = [2, 0, 1, 1, 0];

/// Gives every bias a distinct nonzero value. `with_seed` sets biases to zero, so a sample whose
/// inputs to a layer are all zero (ReLU units all off) would sit exactly on the kink of the
/// next ReLU, where finite differences and the derivative legitimately disagree.
fn jitter_biases<F: backprop::Float, N: Network<F>>(net: &mut N) -> &mut N {
    let mut k = 0.0;
    net.visit_parameters_mut(&mut |mut p| {
        for b in p.bias.iter_mut() {
            k += 1.0;
            *b = F::of(0.1 * (k * 0.917_f64).sin());
        }
    });
    net
}

fn assert_close(check: &GradCheck, what: &str) {
    assert_eq!(check.layers.len(), 4, "{what}: expected one line per layer");
    assert!(check.worst() <= TOLERANCE, "{what}: gradients disagree with finite differences:\n{check}");
}

/// Declares a 4-layer f64 network `$name` with every hidden layer using `$act`, and checks its
/// gradients against finite differences.
macro_rules! check_activation {
    ($test:ident, $name:ident, $act:ty) => {
        #[test]
        fn $test() -> Result<(), backprop::Error> {
            network! {
                struct $name<f64> {
                    input: 4,
                    first: 6 => $act,
                    second: 5 => $act,
                    third: 4 => $act,
                    out: 3,
                    cost: Mse,
                }
            }
            for seed in SEEDS {
                let mut net = $name::with_seed(seed);
                let check = gradcheck(jitter_biases(&mut net), batch(4).view(), &values())?;
                assert_close(&check, &format!("{}, seed {seed}", stringify!($act)));
            }
            Ok(())
        }
    };
}

check_activation!(identity_gradients_match_finite_differences, IdentityNet, Identity);
check_activation!(sigmoid_gradients_match_finite_differences, SigmoidNet, Sigmoid);
check_activation!(tanh_gradients_match_finite_differences, TanhNet, Tanh);
check_activation!(relu_gradients_match_finite_differences, ReluNet, Relu);
check_activation!(leaky_relu_gradients_match_finite_differences, LeakyReluNet, LeakyRelu);
check_activation!(elu_gradients_match_finite_differences, EluNet, Elu);
check_activation!(softplus_gradients_match_finite_differences, SoftplusNet, Softplus);
check_activation!(gelu_gradients_match_finite_differences, GeluNet, Gelu);
check_activation!(silu_gradients_match_finite_differences, SiluNet, Silu);

/// Declares a 4-layer f64 network with cost `$cost` and checks its gradients with `$targets`.
macro_rules! check_cost {
    ($test:ident, $name:ident, $cost:ty, $targets:expr) => {
        #[test]
        fn $test() -> Result<(), backprop::Error> {
            network! {
                struct $name<f64> {
                    input: 4,
                    first: 6 => Tanh,
                    second: 5 => Sigmoid,
                    third: 4 => Softplus,
                    out: 3,
                    cost: $cost,
                }
            }
            for seed in SEEDS {
                let mut net = $name::with_seed(seed);
                let check = gradcheck(jitter_biases(&mut net), batch(4).view(), $targets)?;
                assert_close(&check, &format!("{}, seed {seed}", stringify!($cost)));
            }
            Ok(())
        }
    };
}

check_cost!(mse_gradients_match_finite_differences, MseNet, Mse, &values());
check_cost!(
    softmax_cross_entropy_gradients_match_finite_differences,
    SoftmaxNet,
    SoftmaxCrossEntropy,
    &LABELS
);
check_cost!(
    binary_cross_entropy_gradients_match_finite_differences,
    BinaryNet,
    BinaryCrossEntropy,
    &values()
);
check_cost!(multiclass_hinge_gradients_match_finite_differences, HingeNet, MulticlassHinge, &LABELS);

#[test]
fn output_activation_gradients_match_finite_differences() -> Result<(), backprop::Error> {
    network! {
        struct SigmoidOutput<f64> {
            input: 4,
            first: 6 => Relu,
            second: 5 => Gelu,
            third: 4 => Elu,
            out: 3 => Sigmoid,
            cost: Mse,
        }
    }
    for seed in SEEDS {
        let mut net = SigmoidOutput::with_seed(seed);
        let check = gradcheck(jitter_biases(&mut net), batch(4).view(), &values())?;
        assert_close(&check, &format!("Sigmoid output with Mse, seed {seed}"));
    }
    Ok(())
}

/// An activation whose derivative is wrong by a factor of 2: the check must catch it.
#[derive(Clone, Copy, Debug, Default)]
struct WrongCube;

impl Activation<f64> for WrongCube {
    fn apply(&self, z: f64) -> f64 {
        z * z * z / 10.0
    }
    fn derivative(&self, z: f64) -> f64 {
        2.0 * 3.0 * z * z / 10.0
    }
}

#[test]
fn gradcheck_reports_a_wrong_derivative() -> Result<(), backprop::Error> {
    network! {
        struct Wrong<f64> {
            input: 4,
            first: 6 => Tanh,
            second: 5 => WrongCube,
            third: 4 => Tanh,
            out: 3,
            cost: Mse,
        }
    }
    let mut net = Wrong::with_seed(1);
    let check = gradcheck(jitter_biases(&mut net), batch(4).view(), &values())?;
    // Layers above the wrong activation are unaffected; those below it are off.
    assert!(check.layers[3].worst() <= TOLERANCE, "{check}");
    assert!(check.layers[2].worst() <= TOLERANCE, "{check}");
    assert!(check.layers[1].worst() > 0.1, "{check}");
    assert!(check.layers[0].worst() > 0.1, "{check}");
    Ok(())
}

#[test]
fn gradcheck_restores_every_parameter() -> Result<(), backprop::Error> {
    network! {
        struct Restored<f64> { input: 4, first: 6 => Tanh, second: 5 => Tanh, third: 4 => Tanh, out: 3, cost: Mse }
    }
    let mut net = Restored::with_seed(9);
    let before = net.forward(batch(4).view())?;
    gradcheck(&mut net, batch(4).view(), &values())?;
    let fresh = Restored::with_seed(9);
    let mut same = true;
    net.visit_parameters(&mut |p| {
        fresh.visit_parameters(&mut |q| {
            if p.layer == q.layer {
                same &= p.weight == q.weight && p.bias == q.bias;
            }
        });
    });
    assert!(same, "gradcheck changed a parameter");
    assert_eq!(before, net.forward(batch(4).view())?);
    Ok(())
}

#[test]
fn gradcheck_in_f32_is_coarse_but_close() -> Result<(), backprop::Error> {
    network! {
        struct Single<f32> { input: 4, first: 6 => Tanh, second: 5 => Tanh, third: 4 => Tanh, out: 3, cost: SoftmaxCrossEntropy }
    }
    let mut net = Single::with_seed(2);
    let x = batch(4).mapv(|v| v as f32);
    let check = gradcheck(jitter_biases(&mut net), x.view(), &LABELS)?;
    assert!(check.worst() < 1e-2, "{check}");
    Ok(())
}

/// `ArrayView2` targets work as well as `&Array2` ones.
#[test]
fn targets_as_views_or_references_agree() -> Result<(), backprop::Error> {
    network! {
        struct Views<f64> { input: 4, hidden: 3 => Tanh, out: 3, cost: Mse }
    }
    let net = Views::with_seed(4);
    let y = values();
    let view: ArrayView2<'_, f64> = y.view();
    assert_eq!(net.backward(batch(4).view(), view)?, net.backward(batch(4).view(), &y)?);
    Ok(())
}

//! Reference values for the forward pass, the cost and the gradients of small networks, computed
//! independently of this library.
//!
//! How the numbers were obtained: a Python script (not committed) defines the "Tiny" network below
//! and each cost as a plain function of all parameters, and differentiates it with autograd 1.9.1
//! (reverse-mode automatic differentiation) on numpy 2.4.6, in f64. The values pasted here are
//! autograd's, printed with Python's `repr` (shortest string that round-trips to the same f64).
//! Every gradient was cross-checked against an explicit, hand-written chain rule in plain numpy
//! (equations (1)–(4) of the paper, with δ^L derived by hand for each cost): over all values the
//! two agree to max |difference| = 1.1102230246251565e-16 and max relative difference
//! 1.5807064901918736e-14 (the latter on the smallest entry, ∂C/∂b hidden[1] ≈ -8.8e-4 for
//! BinaryCrossEntropy, a cancellation of terms of size ~0.1); required: ≤ 1e-12. As further
//! checks, central finite differences (h = 1e-6) agree to 2e-10, and the same chain rule evaluated
//! in 50-digit arithmetic (mpmath) puts every value below within 2.4e-14 relative of the exact
//! result, so the 1e-12 tolerance here leaves ample room for a different (but correct) order of
//! floating-point operations.
//!
//! Conventions (DESIGN.md): rows are samples, Z^l = A^{l-1} (W^l)ᵀ + b^l with W^l of shape OUT×IN,
//! a^0 = X, hidden layers a = σ(z), the last layer has no activation unless declared (output
//! z^L), and the cost is averaged over the batch:
//!   Mse                  C = mean_i ½‖z_i − y_i‖²
//!   SoftmaxCrossEntropy  C = mean_i −log softmax(z_i)_{y_i}
//!   BinaryCrossEntropy   C = mean_i Σ_j softplus(z_ij) − y_ij z_ij     (logits, y in [0, 1])
//!   MulticlassHinge      C = mean_i Σ_{j≠y_i} max(0, z_ij − z_{i,y_i} + 1)
//! Gradients are ∂C/∂W^l (OUT×IN, like W^l) and ∂C/∂b^l.
//!
//! The Tiny network: input 2, `hidden: 3 => Tanh`, `out: 2`, in f64, with
//!   hidden.weight = [[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]], hidden.bias = [0.01, -0.02, 0.03]
//!   out.weight = [[0.3, -0.1, 0.2], [-0.4, 0.5, 0.1]],       out.bias = [0.05, -0.05]
//!   X = [[1.0, 2.0], [-0.5, 0.25]]
//! which gives z^L = [[-0.12392421235113125, 0.43239828847098677],
//!                    [0.10117604654270987, -0.0542409413423775]] for every cost.
//!
//! Costs:
//!   case                                    targets                      C
//!   Mse                                     [[0.5, -1.0], [0.0, 1.0]]    0.8906767085922667
//!   SoftmaxCrossEntropy                     labels [1, 0]                0.5358194478652387
//!   BinaryCrossEntropy                      [[1.0, 0.0], [0.25, 0.75]]   1.5581802958032973
//!   MulticlassHinge                         labels [1, 0]                0.6441302556463973
//!   Mse, output layer `out: 2 => Sigmoid`   [[0.5, -1.0], [0.0, 1.0]]    0.7803196653400206
//!
//! MulticlassHinge: both margins are active and far from the kink at 0 (sample 0, class 0:
//! 0.443677499177882; sample 1, class 1: 0.8445830121149126), so the gradient is unambiguous.
//! Each sample then has δ^L = ±1/n on its two outputs, and ∂C/∂b^out is exactly [0, 0].
//!
//! With the output activation (`out: 2 => Sigmoid`), forward returns a^L = sigmoid(z^L), the cost
//! is computed on a^L, and δ^L = (a^L − y) ⊙ σ'(z^L) / n.
//!
//! One more case, small enough to check by hand (`OneUnit`: input 1, `out: 1`, Mse, n = 1):
//!   W = [[2.0]], b = [0.5], X = [[3.0]], Y = [[1.0]]
//!   z = W·x + b = 2.0·3.0 + 0.5 = 6.5
//!   C = ½ (z − y)² = ½ · 5.5² = ½ · 30.25 = 15.125
//!   δ = ∂C/∂z = z − y = 5.5                      (equation (1); n = 1, so no averaging factor)
//!   ∂C/∂W = δ · a^0 = 5.5 · 3.0 = 16.5           (equation (3))
//!   ∂C/∂b = δ = 5.5                              (equation (4))
//! (autograd gives the same four numbers exactly.)

use approx::{assert_relative_eq, relative_eq};
use backprop::ndarray::{Array1, Array2, array};
use backprop::prelude::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Relative tolerance for every comparison with a reference value.
const TOL: f64 = 1e-12;

network! {
    struct TinyMse<f64> {
        input: 2,
        hidden: 3 => Tanh,
        out: 2,
        cost: Mse,
    }
}

network! {
    struct TinySoftmax<f64> {
        input: 2,
        hidden: 3 => Tanh,
        out: 2,
        cost: SoftmaxCrossEntropy,
    }
}

network! {
    struct TinyBce<f64> {
        input: 2,
        hidden: 3 => Tanh,
        out: 2,
        cost: BinaryCrossEntropy,
    }
}

network! {
    struct TinyHinge<f64> {
        input: 2,
        hidden: 3 => Tanh,
        out: 2,
        cost: MulticlassHinge,
    }
}

network! {
    struct TinySigmoidOut<f64> {
        input: 2,
        hidden: 3 => Tanh,
        out: 2 => Sigmoid,
        cost: Mse,
    }
}

network! {
    struct OneUnit<f64> {
        input: 1,
        out: 1,
        cost: Mse,
    }
}

/// A Tiny network of type `$ty`, built with `with_seed(0)` and then given the reference parameters.
macro_rules! tiny {
    ($ty:ident) => {{
        let mut net = $ty::with_seed(0);
        net.hidden.weight = array![[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]];
        net.hidden.bias = array![0.01, -0.02, 0.03];
        net.out.weight = array![[0.3, -0.1, 0.2], [-0.4, 0.5, 0.1]];
        net.out.bias = array![0.05, -0.05];
        net
    }};
}

/// The input batch of every Tiny case: two samples of two features.
fn tiny_x() -> Array2<f64> {
    array![[1.0, 2.0], [-0.5, 0.25]]
}

/// The Mse targets of cases 1 and 5.
fn mse_y() -> Array2<f64> {
    array![[0.5, -1.0], [0.0, 1.0]]
}

/// The class labels of the classification cases.
const LABELS: &[usize] = &[1, 0];

/// The same labels as one-hot rows.
fn one_hot() -> Array2<f64> {
    array![[0.0, 1.0], [1.0, 0.0]]
}

/// Reference values of one case.
struct Expected {
    output: Array2<f64>,
    cost: f64,
    hidden_weight: Array2<f64>,
    hidden_bias: Array1<f64>,
    out_weight: Array2<f64>,
    out_bias: Array1<f64>,
}

fn assert_matrix_close(what: &str, actual: &Array2<f64>, expected: &Array2<f64>) {
    assert_eq!(actual.dim(), expected.dim(), "{what}: shape");
    for (((i, j), &a), &e) in actual.indexed_iter().zip(expected.iter()) {
        assert!(relative_eq!(a, e, max_relative = TOL), "{what}[{i}, {j}]: got {a:?}, expected {e:?}");
    }
}

fn assert_vector_close(what: &str, actual: &Array1<f64>, expected: &Array1<f64>) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for ((i, &a), &e) in actual.indexed_iter().zip(expected.iter()) {
        assert!(relative_eq!(a, e, max_relative = TOL), "{what}[{i}]: got {a:?}, expected {e:?}");
    }
}

/// Checks forward, cost and backward of a Tiny network `$net` on targets `$y` against `$expected`.
macro_rules! check_tiny {
    ($net:expr, $y:expr, $expected:expr) => {{
        let net = $net;
        let expected: Expected = $expected;
        let x = tiny_x();

        let output = net.forward(x.view())?;
        assert_matrix_close("forward output", &output, &expected.output);

        let cost = net.cost(x.view(), $y)?;
        assert_relative_eq!(cost, expected.cost, max_relative = TOL);

        let (cost, gradients) = net.backward(x.view(), $y)?;
        assert_relative_eq!(cost, expected.cost, max_relative = TOL);
        assert_matrix_close("∂C/∂W hidden", &gradients.hidden.weight, &expected.hidden_weight);
        assert_vector_close("∂C/∂b hidden", &gradients.hidden.bias, &expected.hidden_bias);
        assert_matrix_close("∂C/∂W out", &gradients.out.weight, &expected.out_weight);
        assert_vector_close("∂C/∂b out", &gradients.out.bias, &expected.out_bias);
    }};
}

fn mse_expected() -> Expected {
    Expected {
        output: array![
            [-0.12392421235113125, 0.43239828847098677],
            [0.10117604654270987, -0.0542409413423775]
        ],
        cost: 0.8906767085922667,
        hidden_weight: array![
            [-0.4619166523160521, -0.6435787581862257],
            [0.3000477057069495, 0.27128347189867535],
            [0.028318927057132945, 0.008796600881802043]
        ],
        hidden_bias: array![-0.1256111965809978, -0.09452662171131887, -0.02909057682182367],
        out_weight: array![
            [0.08347470148229312, -0.24221230986848807, 0.037915086009435175],
            [-0.15475154565070692, 0.6152464275752357, -0.21795103667830323]
        ],
        out_bias: array![-0.2613740829042107, 0.18907867356430463],
    }
}

fn softmax_expected() -> Expected {
    Expected {
        output: array![
            [-0.12392421235113125, 0.43239828847098677],
            [0.10117604654270987, -0.0542409413423775]
        ],
        cost: 0.5358194478652387,
        hidden_weight: array![
            [0.1974513088674324, 0.19474289298481032],
            [-0.11507269762000083, -0.060772571132528534],
            [0.02849170482972823, 0.03108152894782716]
        ],
        hidden_bias: array![-0.042740360832632954, 0.08817469130896692, -0.002590552024226929],
        out_weight: array![
            [-0.030705579863862756, 0.17041447970698298, -0.08618784414720675],
            [0.030705579863862752, -0.17041447970698295, 0.08618784414720675]
        ],
        out_bias: array![-0.048412492410316726, 0.048412492410316726],
    }
}

fn bce_expected() -> Expected {
    Expected {
        output: array![
            [-0.12392421235113125, 0.43239828847098677],
            [0.10117604654270987, -0.0542409413423775]
        ],
        cost: 1.5581802958032973,
        hidden_weight: array![
            [-0.23155884957874892, -0.34656154231555236],
            [0.11612407156419345, 0.1347464598001946],
            [-0.02910740479888605, -0.04209784118342916]
        ],
        hidden_bias: array![-0.09169146136841434, -0.0008779484296373152, -0.009767042701674517],
        out_weight: array![
            [0.06254461247478353, -0.21973550989526314, 0.06239265688307693],
            [-0.07372165192258738, 0.2473220611178623, -0.06316519286186865]
        ],
        out_bias: array![-0.1278345043383705, 0.17144465010791624],
    }
}

fn hinge_expected() -> Expected {
    Expected {
        output: array![
            [-0.12392421235113125, 0.43239828847098677],
            [0.10117604654270987, -0.0542409413423775]
        ],
        cost: 0.6441302556463973,
        hidden_weight: array![
            [0.4957301011314791, 0.5574849034791471],
            [-0.27675745698264514, -0.18629007870092953],
            [0.07221941098376539, 0.08827978979995231]
        ],
        hidden_bias: array![-0.025040257409094213, 0.16391234533458776, 0.004828572382671238],
        out_weight: array![
            [-0.09618851396123701, 0.44852908536629466, -0.1942033336095999],
            [0.09618851396123701, -0.44852908536629466, 0.1942033336095999]
        ],
        out_bias: array![0.0, 0.0],
    }
}

fn sigmoid_out_mse_expected() -> Expected {
    Expected {
        output: array![[0.4690585346634938, 0.6064462119214828], [0.5252724566597652, 0.4864430882943496]],
        cost: 0.7803196653400206,
        hidden_weight: array![
            [-0.09411250004869426, -0.13204830882922633],
            [0.06057148320109684, 0.0738654109791933],
            [0.01530730153520454, 0.03812140375699588]
        ],
        hidden_bias: array![-0.02670047052689964, 0.0038384166934963757, 0.024315462359108704],
        out_weight: array![
            [-0.0047913258060803664, -0.012331708875618345, 0.02112960499059538],
            [-0.048328816478165434, 0.1536029450609973, -0.03382973427197529]
        ],
        out_bias: array![0.06163844020855321, 0.12755719861996737],
    }
}

#[test]
fn mse_forward_cost_and_gradients_match_autograd() -> TestResult {
    let y = mse_y();
    check_tiny!(tiny!(TinyMse), &y, mse_expected());
    Ok(())
}

#[test]
fn softmax_cross_entropy_with_labels_matches_autograd() -> TestResult {
    check_tiny!(tiny!(TinySoftmax), LABELS, softmax_expected());
    Ok(())
}

#[test]
fn softmax_cross_entropy_with_one_hot_rows_matches_autograd() -> TestResult {
    let y = one_hot();
    check_tiny!(tiny!(TinySoftmax), &y, softmax_expected());
    Ok(())
}

#[test]
fn softmax_cross_entropy_labels_and_one_hot_rows_give_identical_cost_and_gradients() -> TestResult {
    let net = tiny!(TinySoftmax);
    let x = tiny_x();
    let y = one_hot();
    // "Identical" up to a few ulps: both describe exactly the same targets.
    let same = |a: f64, b: f64| relative_eq!(a, b, epsilon = 0.0, max_relative = 4.0 * f64::EPSILON);

    let cost_labels = net.cost(x.view(), LABELS)?;
    let cost_one_hot = net.cost(x.view(), &y)?;
    assert!(same(cost_labels, cost_one_hot), "cost: labels {cost_labels:?}, one-hot {cost_one_hot:?}");

    let (cost_labels, g_labels) = net.backward(x.view(), LABELS)?;
    let (cost_one_hot, g_one_hot) = net.backward(x.view(), &y)?;
    assert!(
        same(cost_labels, cost_one_hot),
        "backward cost: labels {cost_labels:?}, one-hot {cost_one_hot:?}"
    );
    let flat = |v: &mut dyn Iterator<Item = &f64>| v.copied().collect::<Vec<f64>>();
    let pairs = [
        ("∂C/∂W hidden", flat(&mut g_labels.hidden.weight.iter()), flat(&mut g_one_hot.hidden.weight.iter())),
        ("∂C/∂b hidden", flat(&mut g_labels.hidden.bias.iter()), flat(&mut g_one_hot.hidden.bias.iter())),
        ("∂C/∂W out", flat(&mut g_labels.out.weight.iter()), flat(&mut g_one_hot.out.weight.iter())),
        ("∂C/∂b out", flat(&mut g_labels.out.bias.iter()), flat(&mut g_one_hot.out.bias.iter())),
    ];
    for (what, labels, one_hot) in pairs {
        assert_eq!(labels.len(), one_hot.len(), "{what}: size");
        for (k, (&a, &b)) in labels.iter().zip(&one_hot).enumerate() {
            assert!(same(a, b), "{what} (entry {k} in row-major order): labels {a:?}, one-hot {b:?}");
        }
    }
    Ok(())
}

#[test]
fn binary_cross_entropy_forward_cost_and_gradients_match_autograd() -> TestResult {
    let y = array![[1.0, 0.0], [0.25, 0.75]];
    check_tiny!(tiny!(TinyBce), &y, bce_expected());
    Ok(())
}

#[test]
fn multiclass_hinge_forward_cost_and_gradients_match_autograd() -> TestResult {
    check_tiny!(tiny!(TinyHinge), LABELS, hinge_expected());
    Ok(())
}

#[test]
fn sigmoid_output_layer_with_mse_matches_autograd() -> TestResult {
    let y = mse_y();
    check_tiny!(tiny!(TinySigmoidOut), &y, sigmoid_out_mse_expected());
    Ok(())
}

#[test]
fn one_unit_mse_matches_hand_computation() -> TestResult {
    let mut net = OneUnit::with_seed(0);
    net.out.weight = array![[2.0]];
    net.out.bias = array![0.5];
    let x = array![[3.0]];
    let y = array![[1.0]];

    let output = net.forward(x.view())?;
    assert_matrix_close("forward output", &output, &array![[6.5]]);

    let cost = net.cost(x.view(), &y)?;
    assert_relative_eq!(cost, 15.125, max_relative = TOL);

    let (cost, gradients) = net.backward(x.view(), &y)?;
    assert_relative_eq!(cost, 15.125, max_relative = TOL);
    assert_matrix_close("∂C/∂W out", &gradients.out.weight, &array![[16.5]]);
    assert_vector_close("∂C/∂b out", &gradients.out.bias, &array![5.5]);
    Ok(())
}

//! The fixed-size network `network!` generates beside each network (`<Name>Fixed`): its
//! `predict_one` gives the bits of the network's own `predict_one` (the same kernel on the same
//! weights) on 250 test images of the bundled Fashion-MNIST subset; it agrees with `predict` and
//! `classify` to rounding; `to_fixed` and `from_fixed` round-trip the weights; a non-finite input
//! gives non-finite outputs rather than a panic; it can be a `static`; and `include_weights!`
//! fills one from a file when the crate compiles, with the values the file holds, for built-in
//! activations and one written by hand.

#![allow(clippy::unwrap_used)]

use backprop::data::fashion_mnist;
use backprop::ndarray::Array2;
use backprop::prelude::*;
use backprop::{Error, FixedDense};

/// The `fashion_mnist` example's network, declared where the examples declare it.
#[path = "../examples/shared/fashion.rs"]
mod fashion;
use fashion::Fashion;

network! {
    /// A small regressor in f64 whose last layer has an activation.
    pub struct Small<f64> { input: 2, hidden: 3 => Tanh, out: 2 => Sigmoid, cost: Mse }
}

network! {
    /// A yes/no classifier, whose class is the sign of its logit.
    pub struct YesNo<f32> { input: 3, hidden: 4 => Relu, logit: 1, cost: BinaryCrossEntropy }
}

/// The bits of a prediction.
fn bits(p: &[f32]) -> Vec<u32> {
    p.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn the_fixed_network_predicts_the_bits_of_the_network_on_every_test_image() -> Result<(), Error> {
    // `to_fixed` returns 0.9 MB of arrays by value, which an unoptimised build copies on the
    // stack more than once: more than a test thread's 2 MiB.
    std::thread::Builder::new().stack_size(32 << 20).spawn(fashion_bits).unwrap().join().unwrap()
}

/// The body of the test above, on a thread with room for the arrays.
fn fashion_bits() -> Result<(), Error> {
    let net = Fashion::with_seed(3);
    let fixed = net.to_fixed()?;
    let test = fashion_mnist::load_dir::<f32>(fashion_mnist::bundled_dir())?.1;
    assert_eq!(test.x.nrows(), 1000);
    // Every fourth of the 1000 images: an unoptimised build takes a while over each.
    let rows: Vec<usize> = (0..1000).step_by(4).collect();
    let x = test.x.select(backprop::ndarray::Axis(0), &rows);
    let (batch, classes) = (net.predict(x.view())?, net.classify(x.view())?);
    for ((row, want), class) in x.rows().into_iter().zip(batch.rows()).zip(classes) {
        let image: [f32; 784] = core::array::from_fn(|k| row[k]);
        let p = fixed.predict_one(&image);
        assert_eq!(bits(&p), bits(&net.predict_one(&image)?));
        // The probabilities are `predict`'s to rounding (its products sum in another order),
        // and the class is `classify`'s.
        for (a, b) in p.iter().zip(want) {
            assert!((a - b).abs() <= 1e-6, "{a} vs {b}");
        }
        assert_eq!(fixed.classify_one(&image), class);
    }
    Ok(())
}

#[test]
fn forward_one_is_the_output_of_the_last_layer() -> Result<(), Error> {
    let net = Small::with_seed(1);
    let fixed = net.to_fixed()?;
    let x = Array2::from_shape_fn((50, 2), |(i, j)| ((i * 2 + j) as f64 * 0.37).sin() * 3.0);
    let out = net.forward(x.view())?;
    for (row, want) in x.rows().into_iter().zip(out.rows()) {
        let a = fixed.forward_one(&[row[0], row[1]]);
        // a² = sigmoid(z²), in (0, 1): the output activation is applied.
        assert!(a.iter().all(|v| (0.0..1.0).contains(v)));
        for (a, w) in a.iter().zip(want) {
            assert!((a - w).abs() <= 1e-15, "{a} vs {w}");
        }
        // Mse predicts the output itself.
        assert_eq!(fixed.predict_one(&[row[0], row[1]]), a);
    }
    Ok(())
}

#[test]
fn one_output_is_class_1_when_its_logit_is_positive() -> Result<(), Error> {
    let mut net = YesNo::with_seed(2);
    let x = Array2::from_shape_fn((40, 3), |(i, j)| ((i * 3 + j) as f32 * 0.61).cos());
    // The logit's bias at minus the median logit: half the samples on each side of 0.
    let mut logits: Vec<f32> = net.forward(x.view())?.iter().copied().collect();
    logits.sort_by(f32::total_cmp);
    net.logit.bias[0] = -logits[20];
    let fixed = net.to_fixed()?;
    let classes: Vec<usize> = x.rows().into_iter().map(|r| fixed.classify_one(&[r[0], r[1], r[2]])).collect();
    assert_eq!(classes, net.classify(x.view())?);
    assert!(classes.contains(&0) && classes.contains(&1), "{classes:?}");
    Ok(())
}

#[test]
fn to_fixed_and_from_fixed_keep_every_weight() -> Result<(), Error> {
    let net = Small::with_seed(9);
    let fixed = net.to_fixed()?;
    assert_eq!(fixed.hidden.weight[2][1].to_bits(), net.hidden.weight[[2, 1]].to_bits());
    assert_eq!(fixed.out.bias, [0.0; 2]);
    let back = Small::from_fixed(&fixed);
    assert_eq!(back.hidden.weight, net.hidden.weight);
    assert_eq!(back.out.weight, net.out.weight);
    assert_eq!(back.to_fixed()?, fixed);
    // Parameters of another shape than declared are an error, not a panic.
    let mut wrong = Small::with_seed(9);
    wrong.out.weight = Array2::zeros((3, 3));
    assert!(matches!(wrong.to_fixed(), Err(Error::ParameterShape { layer: "out", .. })));
    Ok(())
}

#[test]
fn a_non_finite_input_gives_non_finite_outputs_not_a_panic() -> Result<(), Error> {
    let fixed = Small::with_seed(4).to_fixed()?;
    // tanh(±∞) = ±1 would hide an infinite input: the output is NaN instead.
    for x in [[f64::NAN, 0.0], [0.0, f64::INFINITY], [f64::NEG_INFINITY, f64::NAN], [f64::MAX, f64::MAX]] {
        assert!(fixed.forward_one(&x).iter().all(|v| v.is_nan()), "{x:?}");
        assert!(fixed.predict_one(&x).iter().all(|v| v.is_nan()), "{x:?}");
        assert_eq!(fixed.classify_one(&x), 0);
    }
    // So does a NaN weight.
    let mut broken = Small::with_seed(4).to_fixed()?;
    broken.out.weight[1][2] = f64::NAN;
    assert!(broken.forward_one(&[0.5, 0.5]).iter().all(|v| v.is_nan()));
    // The network's own predict_one reports it.
    assert!(matches!(Small::with_seed(4).predict_one(&[f64::NAN, 0.0]), Err(Error::NonFinite { .. })));
    Ok(())
}

/// A fixed-size network built in a `static`: the weights in read-only memory.
static XOR: SmallFixed = SmallFixed {
    hidden: FixedDense {
        weight: [[1.0, 1.0], [1.0, 1.0], [0.0, 0.0]],
        bias: [-0.5, -1.5, 0.0],
        activation: Tanh,
    },
    out: FixedDense { weight: [[1.0, -1.0, 0.0], [0.0, 0.0, 0.0]], bias: [0.0, 0.0], activation: Sigmoid },
};

#[test]
fn a_fixed_network_can_be_a_static() {
    // Computed by hand: tanh(x₀ + x₁ − 0.5) − tanh(x₀ + x₁ − 1.5), through the sigmoid.
    let h = |s: f64| (s - 0.5).tanh() - (s - 1.5).tanh();
    let sigmoid = |v: f64| 1.0 / (1.0 + (-v).exp());
    for (x, s) in [([0.0, 0.0], 0.0), ([1.0, 0.0], 1.0), ([1.0, 1.0], 2.0)] {
        let a = XOR.forward_one(&x);
        assert!((a[0] - sigmoid(h(s))).abs() < 1e-15, "{a:?}");
        assert_eq!(a[1], 0.5);
    }
}

network! {
    /// The network of the trybuild cases' weights (`backprop-ui-tests/tests/ui/weights`).
    pub struct Recorded<f32> { input: 2, hidden: 3 => Tanh, out: 2, cost: Mse }
}

/// A file written by that folder's `make_weights.py` with the library's metadata, which agrees
/// with the declaration.
static RECORDED: RecordedFixed =
    backprop::include_weights!(Recorded, "backprop-ui-tests/tests/ui/weights/recorded_same.safetensors");

#[test]
fn embedded_weights_are_the_values_python_wrote() {
    // The values of make_weights.py's `GOOD`, written there with struct.pack("<f", …).
    assert_eq!(RECORDED.hidden.weight, [[0.5, -0.25], [1.0, 0.75], [-1.5, 0.125]]);
    assert_eq!(RECORDED.hidden.bias, [0.0, 0.25, -0.5]);
    assert_eq!(RECORDED.out.weight, [[1.0, -1.0, 0.5], [0.25, 2.0, -0.75]]);
    assert_eq!(RECORDED.out.bias, [0.125, -0.125]);
    // By hand: z¹ = W¹ x + b¹ at x = (1, 2), then tanh, then W² a¹ + b².
    let a1 = [0.0f64.tanh(), (1.0f64 + 1.5 + 0.25).tanh(), (-1.5f64 + 0.25 - 0.5).tanh()];
    let z2 = [a1[0] - a1[1] + 0.5 * a1[2] + 0.125, 0.25 * a1[0] + 2.0 * a1[1] - 0.75 * a1[2] - 0.125];
    let out = RECORDED.forward_one(&[1.0, 2.0]);
    for (o, z) in out.iter().zip(z2) {
        assert!((f64::from(*o) - z).abs() < 1e-6, "{out:?} vs {z2:?}");
    }
}

/// tanh written by hand, with the value `include_weights!` gives an embedded layer.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HandTanh;

impl Activation<f32> for HandTanh {
    fn apply(&self, z: f32) -> f32 {
        z.tanh()
    }

    fn derivative(&self, z: f32) -> f32 {
        1.0 - z.tanh() * z.tanh()
    }
}

impl backprop::ConstDefault for HandTanh {
    const DEFAULT: Self = HandTanh;
}

network! {
    /// PyTorch's `hidden: Linear(4, 8)`, tanh, `out: Linear(8, 3)`, with tanh written by hand.
    pub struct HandMlp<f32> { input: 4, hidden: 8 => HandTanh, out: 3, cost: SoftmaxCrossEntropy }
}

static HAND_MLP: HandMlpFixed =
    backprop::include_weights!(HandMlp, "tests/fixtures/pytorch/mlp_f32.safetensors");

#[test]
fn an_activation_written_by_hand_is_embedded_with_its_const_default() -> Result<(), Error> {
    let loaded = HandMlp::load("tests/fixtures/pytorch/mlp_f32.safetensors")?;
    assert_eq!(loaded.to_fixed()?, HAND_MLP);
    let x = [0.5, -1.0, 0.25, 2.0];
    assert_eq!(HAND_MLP.predict_one(&x).map(f32::to_bits), loaded.predict_one(&x)?.map(f32::to_bits));
    Ok(())
}

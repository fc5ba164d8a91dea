//! Every optimiser against values computed independently by PyTorch 2.15 (`torch.optim` in
//! float64), for three steps on the parameters of a 2-2-1 network with fixed gradients.
//!
//! How the reference values were obtained: the tensors [W¹, b¹, W², b²] were set to `P0` below,
//! then for each step k their `.grad` was set to `G[k]`, optionally clipped with
//! `torch.nn.utils.clip_grad_norm_(params, max_norm)`, and `optimizer.step()` was called; the
//! parameters after each step were printed with Python's `repr` (which round-trips f64). The
//! optimisers, in the notation of the docs of this crate (g the gradient, t the step, from 1):
//!
//! - `SGD(lr=η)`: θ ← θ − η g;
//! - `SGD(lr=η, momentum=μ)`: v ← μ v + g (v₀ = 0), θ ← θ − η v;
//! - `SGD(lr=η, momentum=μ, nesterov=True)`: v ← μ v + g, θ ← θ − η (g + μ v);
//! - `Adam(lr=η, betas=(β₁, β₂), eps=ε)`: m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g²,
//!   θ ← θ − η (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε);
//! - `AdamW(lr=η, weight_decay=λ)`: θ ← θ (1 − η λ), then the Adam step;
//! - `weight_decay=λ` of `SGD` and `Adam`: g ← g + λ θ first;
//! - `clip_grad_norm_(params, c)`: g ← g · min(1, c / (‖g‖ + 1e-6)) over all four tensors.
//!
//! The global norms of the three gradients are 2.334…, 1.603… and 0.102…, so a maximal norm of
//! 1 or 1.5 clips the first two steps and not the third.

use backprop::ndarray::{Array1, Array2, array};
use backprop::optim::{Adam, AdamW, ClipGradNorm, Resumable, Sgd, UpdateRule, WeightDecay};
use backprop::prelude::*;
use backprop::{Error, LayerGradients};

network! {
    /// Two inputs, two tanh units, one output.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Tiny<f64> {
        input: 2,
        hidden: 2 => Tanh,
        out: 1,
        cost: Mse,
    }
}

type TestResult = Result<(), Error>;

/// The parameters before the first step: W¹, b¹, W², b².
fn initial() -> Tiny {
    Tiny {
        hidden: Dense { weight: array![[0.5, -0.3], [0.8, 0.2]], bias: array![0.1, -0.2], activation: Tanh },
        out: Dense { weight: array![[1.5, -0.7]], bias: array![0.3], activation: Identity },
    }
}

fn gradients(w1: [[f64; 2]; 2], b1: [f64; 2], w2: [f64; 2], b2: f64) -> TinyGradients {
    TinyGradients {
        hidden: LayerGradients { weight: Array2::from(w1.to_vec()), bias: Array1::from(b1.to_vec()) },
        out: LayerGradients { weight: Array2::from(vec![w2]), bias: array![b2] },
    }
}

/// The gradients of steps 1, 2 and 3.
fn steps() -> [TinyGradients; 3] {
    [
        gradients([[0.6, -1.2], [0.3, 0.9]], [0.4, -0.5], [-1.1, 0.7], 0.8),
        gradients([[-0.2, 0.5], [0.7, -0.4]], [0.1, 0.6], [0.9, -0.3], -0.6),
        gradients([[0.05, -0.02], [0.01, 0.03]], [-0.04, 0.02], [0.06, 0.01], -0.03),
    ]
}

/// Parameters after each of three steps, in visit order, each flattened row by row.
type Expected = [[&'static [f64]; 4]; 3];

/// Runs three steps of `optimizer` and compares every parameter after every step with
/// `expected`, to 1e-12 relative.
fn check(name: &str, mut optimizer: impl Optimizer<f64>, expected: &Expected) -> TestResult {
    let mut net = initial();
    for (k, (g, want)) in steps().iter().zip(expected).enumerate() {
        optimizer.step(&mut net, g)?;
        let mut tensors = Vec::new();
        net.visit_parameters(&mut |p| {
            tensors.push(p.weight.iter().copied().collect::<Vec<_>>());
            tensors.push(p.bias.to_vec());
        });
        for (t, (got, want)) in tensors.iter().zip(want).enumerate() {
            assert_eq!(got.len(), want.len(), "{name}, step {}, tensor {t}", k + 1);
            for (i, (a, b)) in got.iter().zip(*want).enumerate() {
                assert!(
                    (a - b).abs() <= 1e-12 * b.abs().max(1.0),
                    "{name}, step {}, tensor {t}, entry {i}: got {a}, PyTorch {b}",
                    k + 1
                );
            }
        }
    }
    Ok(())
}

#[test]
fn sgd_matches_pytorch() -> TestResult {
    check("SGD", Sgd::new(0.1)?, &SGD)
}

#[test]
fn sgd_with_momentum_matches_pytorch() -> TestResult {
    check("SGD momentum", Sgd::new(0.1)?.with_momentum(0.9)?, &SGD_MOMENTUM)
}

#[test]
fn sgd_with_nesterov_momentum_matches_pytorch() -> TestResult {
    check("SGD Nesterov", Sgd::new(0.1)?.with_nesterov(0.9)?, &SGD_NESTEROV)
}

#[test]
fn adam_matches_pytorch() -> TestResult {
    check("Adam", Adam::new(0.01)?, &ADAM)
}

#[test]
fn adam_with_other_betas_and_epsilon_matches_pytorch() -> TestResult {
    check("Adam betas", Adam::new(0.05)?.with_betas(0.5, 0.75)?.with_epsilon(1e-3)?, &ADAM_BETAS)
}

#[test]
fn adamw_matches_pytorch() -> TestResult {
    check("AdamW", AdamW::new(0.01, 0.1)?, &ADAMW)
}

#[test]
fn l2_weight_decay_around_sgd_with_momentum_matches_pytorch() -> TestResult {
    check("SGD momentum L2", WeightDecay::new(Sgd::new(0.1)?.with_momentum(0.9)?, 0.05)?, &SGD_MOMENTUM_L2)
}

#[test]
fn l2_weight_decay_around_adam_matches_pytorch() -> TestResult {
    check("Adam L2", WeightDecay::new(Adam::new(0.01)?, 0.05)?, &ADAM_L2)
}

#[test]
fn clipping_around_sgd_matches_pytorch() -> TestResult {
    check("clipped SGD", ClipGradNorm::new(Sgd::new(0.1)?, 1.0)?, &CLIPPED_SGD)
}

#[test]
fn clipping_around_adam_matches_pytorch() -> TestResult {
    check("clipped Adam", ClipGradNorm::new(Adam::new(0.01)?, 1.5)?, &CLIPPED_ADAM)
}

#[test]
fn clipping_around_weight_decay_around_sgd_matches_pytorch() -> TestResult {
    let optimizer = ClipGradNorm::new(WeightDecay::new(Sgd::new(0.1)?.with_momentum(0.9)?, 0.05)?, 1.0)?;
    check("clipped SGD momentum L2", optimizer, &CLIPPED_SGD_MOMENTUM_L2)
}

#[test]
fn clipping_reports_the_norm_before_clipping() -> TestResult {
    let mut clipped = ClipGradNorm::new(Sgd::new(0.1)?, 1.0)?;
    let mut net = initial();
    let norms = [2.3345235059857505, 1.6031219541881396, 0.10246950765959599];
    for (g, norm) in steps().iter().zip(norms) {
        clipped.step(&mut net, g)?;
        let last = clipped.last_norm().unwrap_or(f64::NAN);
        assert!((last - norm).abs() < 1e-15, "{last} vs {norm}");
    }
    Ok(())
}

#[test]
fn non_finite_gradients_are_an_error_of_clipping_and_change_nothing() -> TestResult {
    let mut clipped = ClipGradNorm::new(Adam::new(0.1)?, 1.0)?;
    let mut net = initial();
    let mut g = steps()[0].clone();
    g.out.bias[0] = f64::INFINITY;
    assert!(matches!(clipped.step(&mut net, &g), Err(Error::NonFiniteGradient { .. })));
    assert_eq!(net, initial());
    assert_eq!(clipped.inner().steps(), 0);
    Ok(())
}

network! {
    /// Tiny with a wider hidden layer: the same number of tensors, other shapes.
    pub struct Wider<f64> { input: 2, hidden: 3 => Tanh, out: 1, cost: Mse }
}

network! {
    /// Tiny with one more layer: more tensors.
    pub struct Deeper<f64> { input: 2, hidden: 2 => Tanh, hidden2: 2 => Tanh, out: 1, cost: Mse }
}

#[test]
fn state_of_another_network_is_an_error_not_a_panic() -> TestResult {
    let mut net = initial();
    let g = &steps()[0];
    let mut adam = Adam::new(0.01)?;
    adam.step(&mut net, g)?;

    let mut wider = Wider::with_seed(1);
    let (_, gw) = wider.backward(array![[1.0, 2.0]].view(), &array![[0.5]])?;
    let before = wider.clone_parameters();
    assert_eq!(
        adam.step(&mut wider, &gw),
        Err(Error::OptimizerState {
            expected: vec![vec![2, 2], vec![2], vec![1, 2], vec![1]],
            found: vec![vec![3, 2], vec![3], vec![1, 3], vec![1]],
        })
    );
    assert_eq!(wider.clone_parameters(), before, "a failed step changes nothing");
    assert_eq!(adam.steps(), 1, "a failed step does not count");

    let mut deeper = Deeper::with_seed(1);
    let (_, gd) = deeper.backward(array![[1.0, 2.0]].view(), &array![[0.5]])?;
    let mut momentum = Sgd::new(0.1)?.with_momentum(0.5)?;
    momentum.step(&mut net, g)?;
    assert!(matches!(momentum.step(&mut deeper, &gd), Err(Error::OptimizerState { .. })));
    let mut decayed = WeightDecay::new(momentum.clone(), 0.1)?;
    assert!(matches!(decayed.step(&mut deeper, &gd), Err(Error::OptimizerState { .. })));

    // After a reset the state is rebuilt for the new network.
    adam.reset();
    adam.step(&mut wider, &gw)?;
    assert_eq!(adam.steps(), 1);
    Ok(())
}

/// Every parameter, for comparing networks that do not derive `PartialEq`.
trait CloneParameters {
    fn clone_parameters(&self) -> Vec<Vec<f64>>;
}

impl<N: Network<f64>> CloneParameters for N {
    fn clone_parameters(&self) -> Vec<Vec<f64>> {
        let mut out = Vec::new();
        self.visit_parameters(&mut |p| {
            out.push(p.weight.iter().copied().collect());
            out.push(p.bias.to_vec());
        });
        out
    }
}

#[test]
fn misshapen_gradients_are_an_error_for_every_optimizer() -> TestResult {
    let mut g = steps()[0].clone();
    g.out.weight = Array2::zeros((2, 2));
    fn fails(mut o: impl Optimizer<f64>, g: &TinyGradients) {
        let mut net = initial();
        assert!(matches!(o.step(&mut net, g), Err(Error::ParameterShape { layer: "out", .. })));
        assert_eq!(net, initial());
    }
    fails(Sgd::new(0.1)?.with_nesterov(0.9)?, &g);
    fails(Adam::new(0.1)?, &g);
    fails(AdamW::new(0.1, 0.01)?, &g);
    fails(WeightDecay::new(Sgd::new(0.1)?, 0.01)?, &g);
    fails(ClipGradNorm::new(Adam::new(0.1)?, 1.0)?, &g);
    Ok(())
}

#[test]
fn invalid_options_are_typed_errors() {
    let invalid = |r: Result<(), Error>| matches!(r, Err(Error::InvalidOption { .. }));
    assert!(invalid(Sgd::new(0.0).map(drop)));
    assert!(invalid(Sgd::new(f64::NAN).map(drop)));
    assert!(invalid(Sgd::new(0.1).and_then(|s| s.with_momentum(1.0)).map(drop)));
    assert!(invalid(Sgd::new(0.1).and_then(|s| s.with_momentum(-0.1)).map(drop)));
    assert!(invalid(Sgd::new(0.1).and_then(|s| s.with_nesterov(0.0)).map(drop)));
    assert!(invalid(Adam::new(-1.0).map(drop)));
    assert!(invalid(Adam::new(0.1).and_then(|a| a.with_betas(0.9, 1.0)).map(drop)));
    assert!(invalid(Adam::new(0.1).and_then(|a| a.with_epsilon(0.0)).map(drop)));
    assert!(invalid(AdamW::new(0.1, -0.01).map(drop)));
    assert!(invalid(Sgd::new(0.1).and_then(|s| WeightDecay::new(s, f64::INFINITY)).map(drop)));
    assert!(invalid(Sgd::new(0.1).and_then(|s| ClipGradNorm::new(s, 0.0)).map(drop)));
    assert!(invalid(StepDecay::new(0, 0.5).map(drop)));
    assert!(invalid(StepDecay::new(3, 1.5).map(drop)));
    assert!(invalid(Cosine::new(0, 0.0).map(drop)));
    assert!(invalid(Cosine::new(5, -1.0).map(drop)));
}

#[test]
fn the_learning_rate_can_be_read_and_set_through_any_wrapper() -> TestResult {
    let mut o = ClipGradNorm::new(WeightDecay::new(AdamW::new(0.01, 0.1)?, 0.01)?, 1.0)?;
    assert_eq!(o.learning_rate(), 0.01);
    o.set_learning_rate(0.0)?;
    assert_eq!(o.inner().inner().learning_rate(), 0.0);
    assert!(matches!(o.set_learning_rate(f64::NAN), Err(Error::InvalidOption { .. })));
    assert!(matches!(o.set_learning_rate(-0.1), Err(Error::InvalidOption { .. })));
    assert_eq!(o.learning_rate(), 0.0);
    Ok(())
}

#[test]
fn a_changed_learning_rate_is_used_by_the_next_step() -> TestResult {
    // SGD with η = 0.1 for step 1 then η = 0.05: the second step moves half as far as in `SGD`.
    let mut sgd = Sgd::new(0.1)?;
    let mut net = initial();
    let [g1, g2, _] = steps();
    sgd.step(&mut net, &g1)?;
    sgd.set_learning_rate(0.05)?;
    sgd.step(&mut net, &g2)?;
    let expected = 0.44 - 0.05 * -0.2;
    assert!((net.hidden.weight[[0, 0]] - expected).abs() < 1e-15);
    Ok(())
}

#[test]
fn schedules_match_pytorch() -> TestResult {
    // torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5) with lr 0.1, epochs 0..8.
    let step = StepDecay::<f64>::new(3, 0.5)?;
    let pytorch: [f64; 8] = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025];
    for (e, want) in pytorch.into_iter().enumerate() {
        assert!((step.rate(0.1, e) - want).abs() < 1e-15, "epoch {e}");
    }
    // CosineAnnealingLR(opt, T_max=6, eta_min=0.01) with lr 0.1, epochs 0..=6, then held at the
    // minimum (where PyTorch's rises again).
    let cosine = Cosine::<f64>::new(6, 0.01)?;
    let pytorch = [
        0.1,
        0.09397114317029975,
        0.0775,
        0.05500000000000001,
        0.032500000000000015,
        0.01602885682970026,
        0.01,
    ];
    for (e, want) in pytorch.into_iter().enumerate() {
        assert!((cosine.rate(0.1, e) - want).abs() < 1e-15, "epoch {e}");
    }
    assert_eq!(cosine.rate(0.1, 7), 0.01);
    assert_eq!(cosine.rate(0.1, 1000), 0.01);
    assert_eq!(Constant.rate(0.1, 1000), 0.1);
    Ok(())
}

/// PyTorch: `SGD(params, lr=0.1)`.
#[rustfmt::skip]
const SGD: [[&[f64]; 4]; 3] = [
    [&[0.44, -0.18, 0.77, 0.11], &[0.06, -0.15000000000000002], &[1.61, -0.7699999999999999], &[0.21999999999999997]],
    [&[0.46, -0.22999999999999998, 0.7000000000000001, 0.15], &[0.049999999999999996, -0.21000000000000002], &[1.52, -0.7399999999999999], &[0.27999999999999997]],
    [&[0.455, -0.22799999999999998, 0.6990000000000001, 0.147], &[0.054, -0.21200000000000002], &[1.514, -0.7409999999999999], &[0.283]],
];

/// PyTorch: `SGD(params, lr=0.1, momentum=0.9)`.
#[rustfmt::skip]
const SGD_MOMENTUM: [[&[f64]; 4]; 3] = [
    [&[0.44, -0.18, 0.77, 0.11], &[0.06, -0.15000000000000002], &[1.61, -0.7699999999999999], &[0.21999999999999997]],
    [&[0.40599999999999997, -0.12199999999999998, 0.673, 0.06899999999999999], &[0.013999999999999988, -0.165], &[1.6190000000000002, -0.8029999999999999], &[0.20799999999999996]],
    [&[0.37039999999999995, -0.06779999999999997, 0.5847, 0.029099999999999987], &[-0.023400000000000025, -0.1805], &[1.6211000000000002, -0.8337], &[0.20019999999999996]],
];

/// PyTorch: `SGD(params, lr=0.1, momentum=0.9, nesterov=True)`.
#[rustfmt::skip]
const SGD_NESTEROV: [[&[f64]; 4]; 3] = [
    [&[0.386, -0.072, 0.743, 0.029000000000000005], &[0.024, -0.10500000000000001], &[1.709, -0.833], &[0.14799999999999996]],
    [&[0.3754, -0.06979999999999999, 0.5857, 0.032100000000000004], &[-0.027400000000000015, -0.17850000000000002], &[1.6271, -0.8327], &[0.19719999999999996]],
    [&[0.33836, -0.01901999999999997, 0.50523, -0.006809999999999998], &[-0.05706000000000003, -0.19445], &[1.62299, -0.86133], &[0.19317999999999996]],
];

/// PyTorch: `Adam(params, lr=0.01)`.
#[rustfmt::skip]
const ADAM: [[&[f64]; 4]; 3] = [
    [&[0.49000000016666667, -0.2900000000833333, 0.7900000003333334, 0.19000000011111112], &[0.09000000025, -0.19000000020000002], &[1.509999999909091, -0.7099999998571428], &[0.290000000125]],
    [&[0.48599781453663193, -0.28667858972017385, 0.7805213997414769, 0.18690092441379497], &[0.08169402519820056, -0.1914294474806568], &[1.5104713566570334, -0.7132257911153443], &[0.2891067500635802]],
    [&[0.4824098230247516, -0.28401307579253143, 0.7731111247538323, 0.1843117692280414], &[0.07592098096128841, -0.1926976968270699], &[1.5105657361971605, -0.7158030722937684], &[0.28860829116031816]],
];

/// PyTorch: `Adam(params, lr=0.05, betas=(0.5, 0.75), eps=1e-3)`.
#[rustfmt::skip]
const ADAM_BETAS: [[&[f64]; 4]; 3] = [
    [&[0.45008319467554075, -0.2500416319733555, 0.7501661129568107, 0.15005549389567147], &[0.05012468827930174, -0.15009980039920162], &[1.5499545867393278, -0.7499286733238231], &[0.2500624219725343]],
    [&[0.4421821178884641, -0.246222417348476, 0.7000559875726573, 0.14754260499842223], &[0.013568842280723081, -0.1709206285408385], &[1.538189929518367, -0.7531819699517652], &[0.25967105758813]],
    [&[0.4332474447408603, -0.24318246528275225, 0.6708993750625463, 0.14440168033289769], &[-0.0015401610832069517, -0.18410454403995274], &[1.52921822505866, -0.7557709314042326], &[0.2667685550038328]],
];

/// PyTorch: `AdamW(params, lr=0.01, weight_decay=0.1)`.
#[rustfmt::skip]
const ADAMW: [[&[f64]; 4]; 3] = [
    [&[0.48950000016666667, -0.2897000000833333, 0.7892000003333334, 0.18980000011111112], &[0.08990000025, -0.1898000002], &[1.508499999909091, -0.7092999998571428], &[0.28970000012499997]],
    [&[0.48500831453646526, -0.2860888897200905, 0.7789321997411436, 0.18651112441368384], &[0.08150412519795056, -0.1910396474804568], &[1.5074628566571242, -0.7118164911154872], &[0.2885170500634552]],
    [&[0.48093531471004847, -0.283137286902728, 0.7707429925537578, 0.1837354581035166], &[0.07564957683584046, -0.19211685717938942], &[1.5060497733405942, -0.7136819558027957], &[0.2877300741101297]],
];

/// PyTorch: `SGD(params, lr=0.1, momentum=0.9, weight_decay=0.05)`.
#[rustfmt::skip]
const SGD_MOMENTUM_L2: [[&[f64]; 4]; 3] = [
    [&[0.4375, -0.1785, 0.766, 0.109], &[0.0595, -0.149], &[1.6025, -0.7665], &[0.21849999999999997]],
    [&[0.3990625, -0.11825749999999999, 0.66157, 0.06655499999999999], &[0.012752499999999986, -0.162355], &[1.5967375000000001, -0.7925175], &[0.20405749999999998]],
    [&[0.3574734375, -0.06144796249999999, 0.56327515, 0.025021724999999984], &[-0.025384012500000025, -0.175562725], &[1.5775675625, -0.8129706624999999], &[0.19303896249999997]],
];

/// PyTorch: `Adam(params, lr=0.01, weight_decay=0.05)`.
#[rustfmt::skip]
const ADAM_L2: [[&[f64]; 4]; 3] = [
    [&[0.49000000016, -0.29000000008230453, 0.7900000002941177, 0.19000000010989013], &[0.09000000024691358, -0.19000000019607843], &[1.509999999902439, -0.709999999849624], &[0.2900000001226994]],
    [&[0.4855618208418031, -0.28654060603920595, 0.7804405083982322, 0.18677861025045014], &[0.08165208108831912, -0.19125440437106656], &[1.5097212041404922, -0.712628568007817], &[0.28890216924084894]],
    [&[0.4814264958801554, -0.2836997104016943, 0.7726800910271748, 0.18403662173981075], &[0.0757699020518809, -0.19230948199087608], &[1.5088973381454511, -0.7144393585728772], &[0.2881527342597203]],
];

/// PyTorch: `clip_grad_norm_(params, 1.0), then SGD(params, lr=0.1)`.
#[rustfmt::skip]
const CLIPPED_SGD: [[&[f64]; 4]; 3] = [
    [&[0.47429883479648244, -0.24859766959296486, 0.7871494173982413, 0.16144825219472367], &[0.08286588986432163, -0.17858236233040203], &[1.5471188028731155, -0.7299846927374372], &[0.26573177972864326]],
    [&[0.48677448424542225, -0.27978679321531436, 0.743484644326952, 0.18639955109260326], &[0.07662806513985172, -0.21600931067722143], &[1.4909783803528864, -0.7112712185640274], &[0.3031587280754626]],
    [&[0.48177448424542224, -0.27778679321531435, 0.742484644326952, 0.18339955109260325], &[0.08062806513985173, -0.21800931067722143], &[1.4849783803528864, -0.7122712185640274], &[0.3061587280754626]],
];

/// PyTorch: `clip_grad_norm_(params, 1.5), then Adam(params, lr=0.01)`.
#[rustfmt::skip]
const CLIPPED_ADAM: [[&[f64]; 4]; 3] = [
    [&[0.4900000002593916, -0.2900000001296958, 0.7900000005187833, 0.19000000017292776], &[0.09000000038908741, -0.19000000031126993], &[1.5099999998585136, -0.7099999997776643], &[0.2900000001945437]],
    [&[0.4872234711865424, -0.2881337979342436, 0.7809701862597898, 0.18842027414430007], &[0.08115729131989882, -0.19313264818647538], &[1.5086053709363567, -0.711742327301761], &[0.290965935207308]],
    [&[0.4843507102925343, -0.2865498211226444, 0.7738972574209246, 0.1869221081353329], &[0.07531918172307034, -0.19575058669678075], &[1.5071805620454664, -0.7132094845544906], &[0.2919637857933684]],
];

/// PyTorch: `clip_grad_norm_(params, 1.0), then SGD(params, lr=0.1, momentum=0.9, weight_decay=0.05)`.
#[rustfmt::skip]
const CLIPPED_SGD_MOMENTUM_L2: [[&[f64]; 4]; 3] = [
    [&[0.47179883479648244, -0.24709766959296486, 0.7831494173982413, 0.16044825219472367], &[0.08236588986432163, -0.17758236233040203], &[1.5396188028731155, -0.7264846927374371], &[0.26423177972864326]],
    [&[0.45653444138827404, -0.22943920750101793, 0.7204033728983779, 0.14900073680688092], &[0.05984553656841958, -0.19394552496293124], &[1.5114372089243249, -0.7279750185640337], &[0.26814617093259835]],
    [&[0.4355138151139451, -0.2103993955807606, 0.6593299159840089, 0.13495296927378805], &[0.04327799091926564, -0.20970264370739286], &[1.4725165883257916, -0.7266764367151504], &[0.27332839216149496]],
];

/// A moment that only decays (its gradient is 0 from the second step on) shrinks by β each
/// step: through the subnormal floats, where β · the smallest subnormal rounds back to itself,
/// so without a flush it would stay there for good, and every later step would compute with a
/// subnormal, which costs x86 CPUs a microcode assist per operation (`BENCHMARKS.md`). Every
/// moment and velocity below the smallest normal float is flushed to exactly 0.
#[test]
fn decaying_moments_are_flushed_to_zero_not_left_subnormal() -> TestResult {
    fn run<O: Optimizer<f64> + Resumable<f64>>(name: &str, mut optimizer: O) -> TestResult {
        let mut net = initial();
        let [first, ..] = steps();
        let zero = gradients([[0.0; 2]; 2], [0.0; 2], [0.0; 2], 0.0);
        optimizer.step(&mut net, &first)?;
        // β₁ = 0.9 takes m from about 0.1 to below 10⁻³⁰⁸ in about 6 800 steps, and μ = 0.9
        // the velocity; β₂ = 0.999 is far slower, so v is tested with β₂ = 0.5 below.
        for step in 2..=8_000 {
            optimizer.step(&mut net, &zero)?;
            let state = optimizer.state();
            for (slot, arrays) in &state.slots {
                let subnormal = arrays.iter().flatten().find(|v| v.is_subnormal());
                assert!(subnormal.is_none(), "{name}: {slot} holds {subnormal:?} after step {step}");
            }
        }
        let state = optimizer.state();
        for (slot, arrays) in &state.slots {
            if slot != "v" || name == "Adam (β₂ = 0.5)" {
                assert!(arrays.iter().flatten().all(|&v| v == 0.0), "{name}: {slot} did not reach 0");
            }
        }
        Ok(())
    }
    run("Adam", Adam::new(1e-3)?)?;
    run("Adam (β₂ = 0.5)", Adam::new(1e-3)?.with_betas(0.9, 0.5)?)?;
    run("AdamW", AdamW::new(1e-3, 1e-2)?)?;
    run("Sgd with momentum", Sgd::new(1e-3)?.with_momentum(0.9)?)?;
    run("Sgd with Nesterov momentum", Sgd::new(1e-3)?.with_nesterov(0.9)?)
}

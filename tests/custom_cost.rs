//! `#[cost]` derives δ = ∂c/∂z correctly: for every loss below the generated gradient agrees
//! with central finite differences of the generated cost, in f64, at a few hundred points of its
//! domain away from its kinks; the batch cost and δ of `cost::evaluate` agree with reference
//! values computed independently in Python (`python3`, module `math`, the losses and their
//! derivatives written out by hand there); and a network trained with the generated Huber loss
//! is, bit for bit, the network trained with a hand-written Huber `Cost`.

#![allow(clippy::unwrap_used)]

use backprop::activation::{sigmoid, softplus};
use backprop::cost::evaluate;
use backprop::ndarray::{Array1, Array2, ArrayView1, ArrayViewMut1, array};
use backprop::prelude::*;
use backprop::{Error, Target};

/// Huber's threshold δ.
const DELTA: f64 = 1.0;
/// The pseudo-Huber loss's scale.
const PH: f64 = 1.5;
/// The quantile of the pinball loss.
const TAU: f64 = 0.9;
/// The power of the Tweedie deviance, between Poisson (1) and gamma (2).
const POWER: f64 = 1.5;
/// The scale of the Cauchy loss.
const SCALE: f64 = 2.0;
/// The Charbonnier loss's ε.
const EPS: f64 = 0.1;
/// The threshold of the smooth L1 loss.
const BETA: f64 = 1.0;

/// The squared error, ½(z − y)².
#[cost]
pub fn squared(z: f64, y: f64) -> f64 {
    0.5 * (z - y).powi(2)
}

/// The Huber loss: quadratic within `DELTA` of the target, linear beyond.
#[cost]
pub fn huber(z: f64, y: f64) -> f64 {
    let r = z - y;
    if r.abs() <= DELTA { 0.5 * r * r } else { DELTA * (r.abs() - 0.5 * DELTA) }
}

/// log cosh(z − y).
#[cost]
pub fn log_cosh(z: f64, y: f64) -> f64 {
    (z - y).cosh().ln()
}

/// The pseudo-Huber loss, PH²(√(1 + (r/PH)²) − 1).
#[cost]
pub fn pseudo_huber(z: f64, y: f64) -> f64 {
    let u = (z - y) / PH;
    PH * PH * ((1.0 + u * u).sqrt() - 1.0)
}

/// The absolute error, whose subgradient at z = y is the `else` branch's, −1.
#[cost]
pub fn mae(z: f64, y: f64) -> f64 {
    let r = z - y;
    if r > 0.0 { r } else { -r }
}

/// The pinball loss of the quantile `TAU`.
#[cost]
pub fn quantile(z: f64, y: f64) -> f64 {
    let r = y - z;
    if r >= 0.0 { TAU * r } else { (TAU - 1.0) * r }
}

/// The Poisson deviance on the log-rate `z`, up to terms in `y` alone: e^z − y·z.
#[cost]
pub fn poisson(z: f64, y: f64) -> f64 {
    z.exp() - y * z
}

/// The Tweedie deviance of power `POWER` on the log-mean `z`, up to terms in `y` alone:
/// −y·e^((1−p)z)/(1−p) + e^((2−p)z)/(2−p).
#[cost]
pub fn tweedie(z: f64, y: f64) -> f64 {
    -y * ((1.0 - POWER) * z).exp() / (1.0 - POWER) + ((2.0 - POWER) * z).exp() / (2.0 - POWER)
}

/// The Cauchy (Lorentzian) loss of scale `SCALE`, (s²/2)·ln(1 + (r/s)²).
#[cost]
pub fn cauchy(z: f64, y: f64) -> f64 {
    let u = (z - y) / SCALE;
    SCALE * SCALE / 2.0 * (1.0 + u * u).ln()
}

/// The Charbonnier loss, √(r² + ε²).
#[cost]
pub fn charbonnier(z: f64, y: f64) -> f64 {
    let r = z - y;
    (r * r + EPS * EPS).sqrt()
}

/// The smooth L1 loss: r²/(2β) within `BETA` of the target, |r| − β/2 beyond.
#[cost]
pub fn smooth_l1(z: f64, y: f64) -> f64 {
    let r = z - y;
    if r.abs() < BETA { 0.5 * r * r / BETA } else { r.abs() - 0.5 * BETA }
}

/// The squared hinge loss for labels ±1, max(0, 1 − y·z)².
#[cost]
pub fn squared_hinge(z: f64, y: f64) -> f64 {
    (1.0 - y * z).max(0.0).powi(2)
}

/// The squared logarithmic error, (ln(1 + z) − ln(1 + y))², for z, y > −1.
#[cost]
pub fn msle(z: f64, y: f64) -> f64 {
    (z.ln_1p() - y.ln_1p()).powi(2)
}

/// The focal loss's focusing parameter γ.
const GAMMA: f64 = 2.0;

/// The focal loss on the logit z of a yes/no label y ∈ {0, 1}: −(1 − p_t)^γ ln p_t, with p_t the
/// probability s(z) gives the label (Lin et al., "Focal Loss for Dense Object Detection", ICCV
/// 2017, eq. (5)). With the margin m = (2y − 1) z, p_t = s(m), 1 − p_t = s(−m) and
/// −ln p_t = softplus(−m), which is how it is written: stable for any logit.
#[cost(classification, takes_logits, predict = sigmoid)]
pub fn focal(z: f64, y: f64) -> f64 {
    let m = (2.0 * y - 1.0) * z;
    sigmoid(-m).powf(GAMMA) * softplus(-m)
}

/// The focal loss with γ = 0: binary cross-entropy.
#[cost(classification, takes_logits, predict = sigmoid)]
pub fn focal_without_focus(z: f64, y: f64) -> f64 {
    softplus(-(2.0 * y - 1.0) * z)
}

/// The cost of one output `z` with target `y`, and its generated gradient.
fn one<C: Cost<f64>>(z: f64, y: f64) -> (f64, f64) {
    let (z, y) = (array![z], array![y]);
    let mut d = Array1::zeros(1);
    let c = C::default().sample(z.view(), &Target::Values(y.view()), Some(d.view_mut()));
    (c, d[0])
}

/// Checks the generated δ against central finite differences of the generated cost on a grid of
/// z in −4..4 for a few targets, skipping the points within 10⁻³ of a kink (where r = z − y is
/// one of `kinks`).
fn check_finite_differences<C: Cost<f64>>(kinks: &[f64]) {
    check_finite_differences_from::<C>(-4.0, [-1.3, 0.0, 0.7, 2.0], kinks);
}

/// [`check_finite_differences`] on the grid of z in `from`..`from` + 8 for the targets `ys`.
fn check_finite_differences_from<C: Cost<f64>>(from: f64, ys: [f64; 4], kinks: &[f64]) {
    let h = 1e-6;
    let mut checked = 0;
    for y in ys {
        for k in 0..=400 {
            let z = from + f64::from(k) * 0.02 + 0.001;
            if kinks.iter().any(|kink| (z - y - kink).abs() < 1e-3) {
                continue;
            }
            let (_, d) = one::<C>(z, y);
            let numeric = (one::<C>(z + h, y).0 - one::<C>(z - h, y).0) / (2.0 * h);
            assert!(
                (d - numeric).abs() <= 1e-6 * d.abs().max(1.0),
                "{}: z = {z}, y = {y}: {d} vs {numeric}",
                C::NAME
            );
            checked += 1;
        }
    }
    assert!(checked > 1500, "{checked}");
}

/// The outputs and targets of the reference batch.
fn batch() -> (Array2<f64>, Array2<f64>) {
    (array![[0.3, -1.7], [2.5, 0.0], [-0.4, 1.2]], array![[0.0, 0.5], [0.1, 0.0], [0.6, -0.8]])
}

/// Checks C and δ of `cost::evaluate` on the reference batch against Python's values.
fn check_reference<C: Cost<f64>>(cost: f64, delta: [[f64; 2]; 3]) -> Result<(), Error> {
    let (z, y) = batch();
    check_reference_on::<C>(&z, &y, cost, delta)
}

/// [`check_reference`] on the outputs `z` and targets `y`.
fn check_reference_on<C: Cost<f64>>(
    z: &Array2<f64>,
    y: &Array2<f64>,
    cost: f64,
    delta: [[f64; 2]; 3],
) -> Result<(), Error> {
    let mut d = Array2::zeros((3, 2));
    let c = evaluate(&C::default(), z.view(), y.into(), Some(d.view_mut()))?;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-14 * b.abs().max(1.0);
    assert!(close(c, cost), "{}: C = {c}, expected {cost}", C::NAME);
    for (i, row) in delta.iter().enumerate() {
        for (j, &expected) in row.iter().enumerate() {
            assert!(
                close(d[[i, j]], expected),
                "{}: δ[{i}][{j}] = {}, expected {expected}",
                C::NAME,
                d[[i, j]]
            );
        }
    }
    Ok(())
}

#[test]
fn squared_error_matches_finite_differences_and_python() -> Result<(), Error> {
    check_finite_differences::<Squared>(&[]);
    check_reference::<Squared>(
        2.615,
        [
            [0.09999999999999999, -0.7333333333333334],
            [0.7999999999999999, 0.0],
            [-0.3333333333333333, 0.6666666666666666],
        ],
    )
}

#[test]
fn huber_matches_finite_differences_and_python() -> Result<(), Error> {
    check_finite_differences::<Huber>(&[-DELTA, DELTA]);
    check_reference::<Huber>(
        1.8816666666666666,
        [
            [0.09999999999999999, -0.3333333333333333],
            [0.3333333333333333, 0.0],
            [-0.3333333333333333, 0.3333333333333333],
        ],
    )
}

#[test]
fn log_cosh_matches_finite_differences_and_python() -> Result<(), Error> {
    check_finite_differences::<LogCosh>(&[]);
    check_reference::<LogCosh>(
        1.6790762128643018,
        [
            [0.0971042041505303, -0.32524771001048386],
            [0.3278916192312267, 0.0],
            [-0.2538647186519216, 0.32134252669193897],
        ],
    )
}

#[test]
fn pseudo_huber_matches_finite_differences_and_python() -> Result<(), Error> {
    check_finite_differences::<PseudoHuber>(&[]);
    check_reference::<PseudoHuber>(
        1.9126906112828406,
        [
            [0.09805806756909201, -0.4131136714037738],
            [0.42399915200254396, 0.0],
            [-0.2773500981126146, 0.39999999999999997],
        ],
    )
}

#[test]
fn mae_matches_finite_differences_and_python_with_its_subgradient_at_0() -> Result<(), Error> {
    check_finite_differences::<Mae>(&[0.0]);
    // z = y: the `else` branch, −r, whose derivative is −1.
    assert_eq!(one::<Mae>(0.5, 0.5), (0.0, -1.0));
    check_reference::<Mae>(
        2.6333333333333333,
        [
            [0.3333333333333333, -0.3333333333333333],
            [0.3333333333333333, -0.3333333333333333],
            [-0.3333333333333333, 0.3333333333333333],
        ],
    )
}

#[test]
fn quantile_matches_finite_differences_and_python() -> Result<(), Error> {
    check_finite_differences::<Quantile>(&[0.0]);
    check_reference::<Quantile>(
        1.1166666666666665,
        [[0.033333333333333326, -0.3], [0.033333333333333326, -0.3], [-0.3, 0.033333333333333326]],
    )
}

/// Counts, the targets of the Poisson and Tweedie deviances.
fn counts() -> Array2<f64> {
    array![[0.0, 1.0], [3.0, 0.0], [2.0, 5.0]]
}

#[test]
fn poisson_matches_finite_differences_and_python() -> Result<(), Error> {
    check_finite_differences::<Poisson>(&[]);
    check_reference_on::<Poisson>(
        &batch().0,
        &counts(),
        2.5684910870347992,
        [
            [0.44995293585866775, -0.2724388253157551],
            [3.0608313202344912, 0.3333333333333333],
            [-0.44322665132145356, -0.5599610257544843],
        ],
    )
}

#[test]
fn tweedie_matches_finite_differences_and_python() -> Result<(), Error> {
    check_finite_differences::<Tweedie>(&[]);
    check_reference_on::<Tweedie>(
        &batch().0,
        &counts(),
        11.404311083269583,
        [
            [0.38727808090942767, -0.6374106399924213],
            [0.8769428556270903, 0.3333333333333333],
            [-0.5413582544141193, -0.3073131266932077],
        ],
    )
}

#[test]
fn cauchy_matches_finite_differences_and_python() -> Result<(), Error> {
    check_finite_differences::<Cauchy>(&[]);
    check_reference::<Cauchy>(
        1.7490212637624978,
        [
            [0.097799511002445, -0.3318250377073907],
            [0.32786885245901637, 0.0],
            [-0.26666666666666666, 0.3333333333333333],
        ],
    )
}

#[test]
fn charbonnier_matches_finite_differences_and_python() -> Result<(), Error> {
    check_finite_differences::<Charbonnier>(&[]);
    check_reference::<Charbonnier>(
        2.676022584008797,
        [
            [0.31622776601683794, -0.3329895134034332],
            [0.3330443576974506, 0.0],
            [-0.33167906340332975, 0.3329174462926149],
        ],
    )
}

#[test]
fn smooth_l1_matches_finite_differences_and_python() -> Result<(), Error> {
    check_finite_differences::<SmoothL1>(&[-BETA, BETA]);
    check_reference::<SmoothL1>(
        1.8816666666666666,
        [
            [0.09999999999999999, -0.3333333333333333],
            [0.3333333333333333, 0.0],
            [-0.3333333333333333, 0.3333333333333333],
        ],
    )
}

#[test]
fn squared_hinge_matches_finite_differences_and_python() -> Result<(), Error> {
    // Its derivative is continuous at y·z = 1 and no grid point is within 10⁻³ of it: no kink to skip.
    check_finite_differences::<SquaredHinge>(&[]);
    // Labels ±1; y·z is 0.3, 1.7, 2.5, 0, 0.4, 1.2: both sides of the hinge.
    check_reference_on::<SquaredHinge>(
        &batch().0,
        &array![[1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]],
        0.6166666666666667,
        [[-0.4666666666666666, 0.0], [0.0, 0.6666666666666666], [0.39999999999999997, 0.0]],
    )
}

#[test]
fn msle_matches_finite_differences_and_python_on_positive_outputs() -> Result<(), Error> {
    check_finite_differences_from::<Msle>(0.0, [0.0, 0.7, 2.0, 5.0], &[]);
    check_reference_on::<Msle>(
        &array![[0.3, 1.7], [2.5, 0.0], [0.4, 1.2]],
        &array![[0.0, 0.5], [0.1, 0.0], [0.6, 0.8]],
        0.6040414965295012,
        [
            [0.13454577664999542, 0.14513250985237505],
            [0.22046719784591295, 0.0],
            [-0.06358637744024893, 0.06080930165519733],
        ],
    )
}

#[test]
fn focal_loss_matches_finite_differences_and_python() -> Result<(), Error> {
    check_finite_differences_from::<Focal>(-4.0, [0.0, 1.0, 0.0, 1.0], &[]);
    let labels = array![[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
    check_reference_on::<Focal>(
        &batch().0,
        &labels,
        0.7107849979094252,
        [
            [0.14316882286191684, -0.33900761631497595],
            [-0.00042519497622096506, 0.09942893171332878],
            [-0.1590813622999769, -0.011361864582692801],
        ],
    )
}

#[test]
fn focal_loss_without_focus_is_binary_cross_entropy() -> Result<(), Error> {
    let z = Array2::from_shape_fn((32, 3), |(i, j)| ((i * 3 + j) as f64 * 0.77).sin() * 6.0);
    let labels: Vec<usize> = (0..32).map(|i| (i * 5 / 3) % 2).collect();
    let (mut d, mut expected) = (Array2::zeros((32, 3)), Array2::zeros((32, 3)));
    let c = evaluate(&FocalWithoutFocus, z.view(), (&labels[..]).into(), Some(d.view_mut()));
    let e = evaluate(&BinaryCrossEntropy, z.view(), (&labels[..]).into(), Some(expected.view_mut()));
    let (c, e) = (c?, e?);
    assert!((c - e).abs() <= 1e-15 * e, "{c} vs {e}");
    for (a, b) in d.iter().zip(&expected) {
        assert!((a - b).abs() <= 1e-15, "{a} vs {b}");
    }
    Ok(())
}

#[test]
fn a_target_row_shorter_than_the_output_gives_a_nan_cost_not_a_wrong_one() {
    // `evaluate` checks the shapes; `sample`, called directly, must not drop the outputs past
    // the end of the target row.
    let (z, short) = (array![0.5_f64, 1.0, 3.0], array![0.5_f64, 1.0]);
    let mut d = Array1::<f64>::zeros(3);
    let c = Huber.sample(z.view(), &Target::Values(short.view()), Some(d.view_mut()));
    assert!(c.is_nan() && d[2].is_nan(), "{c}, {d}");
    assert!(Huber.sample(z.view(), &Target::Values(short.view()), None).is_nan());
}

#[test]
fn a_classifying_cost_checks_its_labels_and_predicts_probabilities() {
    let options = [
        <Focal as Cost<f64>>::CLASSIFICATION,
        <Focal as Cost<f32>>::MULTI_LABEL,
        <Focal as Cost<f64>>::TAKES_LOGITS,
    ];
    assert_eq!(options, [true; 3]);
    let z = array![[0.5_f64, -2.0]];
    // A target outside [0, 1] is an error naming it, as for BinaryCrossEntropy.
    let outside = evaluate(&Focal, z.view(), (&array![[1.0, 1.5]]).into(), None);
    assert!(
        matches!(
            &outside,
            Err(Error::TargetOutOfRange { cost: "Focal", sample: 0, output: 1, range: "[0, 1]", .. })
        ),
        "{outside:?}"
    );
    // The prediction is s(z), and the logit decides the class.
    let mut p = z.row(0).to_owned();
    Cost::<f64>::predict_in_place(&Focal, p.view_mut());
    assert_eq!(p, array![sigmoid(0.5), sigmoid(-2.0)]);
    assert!(Cost::<f64>::is_positive(&Focal, 1e-300, 0.5) && !Cost::<f64>::is_positive(&Focal, 0.0, 0.5));
    // The regression costs keep their defaults.
    assert_eq!([<Huber as Cost<f64>>::CLASSIFICATION, <Huber as Cost<f64>>::MULTI_LABEL], [false; 2]);
}

network! {
    /// A binary classifier under the focal loss.
    pub struct Detector<f64> { input: 2, hidden: 8 => Tanh, logit: 1, cost: Focal }
}

#[test]
fn a_network_classifies_under_the_focal_loss() -> Result<(), Error> {
    // Imbalanced: 56 of the 200 points are inside the circle of radius 0.6.
    // Points of the square [−1, 1]² spread evenly (the R₂ low-discrepancy sequence).
    let step = [0.754_877_666_246_692_7, 0.569_840_290_998_053_2];
    let x = Array2::from_shape_fn((200, 2), |(i, j)| ((i as f64 + 0.5) * step[j]).fract() * 2.0 - 1.0);
    let labels: Vec<usize> = x.rows().into_iter().map(|r| usize::from(r[0].hypot(r[1]) < 0.6)).collect();
    assert!((20..80).contains(&labels.iter().sum::<usize>()), "{}", labels.iter().sum::<usize>());
    let mut net = Detector::with_seed(3);
    let before = backprop::train::evaluate(&net, x.view(), &labels[..])?;
    let mut trainer = Trainer::new(Adam::new(0.03)?)
        .epochs(60)
        .batch_size(20)
        .seed(1)
        .progress(backprop::train::Progress::Off);
    trainer.fit(&mut net, x.view(), &labels[..])?;
    let after = backprop::train::evaluate(&net, x.view(), &labels[..])?;
    let accuracy = after.accuracy.unwrap_or(0.0);
    assert!(after.loss < before.loss / 2.0 && accuracy >= 0.95, "{before:?} → {after:?}");
    // The prediction is the probability of the label 1.
    let p = net.predict(x.view())?;
    assert!(p.iter().all(|&p| (0.0..=1.0).contains(&p)));
    Ok(())
}

#[test]
fn formulas_and_options_of_a_generated_cost() {
    assert_eq!(Squared::FORMULA, "c(z, y) = 0.5 * (z - y)^2");
    assert_eq!(Squared::DERIVATIVE, "∂c/∂z   = z - y");
    // As the README shows it.
    assert_eq!(
        Huber::DERIVATIVE,
        "∂c/∂z   = if abs(t1) <= DELTA then t1 else DELTA * signum(t1)\n  where t1 = z - y"
    );
    assert_eq!(<Huber as Cost<f64>>::NAME, "Huber");
    assert_eq!([<Huber as Cost<f32>>::CLASSIFICATION, <Huber as Cost<f64>>::TAKES_LOGITS], [false; 2]);
    // The f32 impl computes the same loss in f32.
    let (z, y) = (array![2.5_f32, 0.25], array![0.5_f32, 0.0]);
    let mut d = Array1::zeros(2);
    let c = Huber.sample(z.view(), &Target::Values(y.view()), Some(d.view_mut()));
    assert_eq!((c, d[0], d[1]), (1.5 + 0.03125, 1.0, 0.25));
    // The prediction is the output itself.
    let mut p = array![0.5_f64, -3.0];
    Cost::<f64>::predict_in_place(&Huber, p.view_mut());
    assert_eq!(p, array![0.5, -3.0]);
}

/// The Huber loss written by hand, with the same formulas as the generated one.
#[derive(Clone, Copy, Debug, Default)]
pub struct HandHuber;

impl Cost<f64> for HandHuber {
    const NAME: &'static str = "HandHuber";
    const CLASSIFICATION: bool = false;

    fn sample(
        &self,
        z: ArrayView1<'_, f64>,
        target: &Target<'_, f64>,
        mut delta: Option<ArrayViewMut1<'_, f64>>,
    ) -> f64 {
        let mut c = 0.0;
        for (j, &zj) in z.iter().enumerate() {
            let r = zj - target.value(j);
            c += if r.abs() <= DELTA { 0.5 * r * r } else { DELTA * (r.abs() - 0.5 * DELTA) };
            if let Some(dj) = delta.as_mut().and_then(|d| d.get_mut(j)) {
                *dj = if r.abs() <= DELTA { r } else { DELTA * r.signum() };
            }
        }
        c
    }
}

network! {
    /// A regressor under the generated Huber loss.
    pub struct ByMacro<f64> { input: 3, hidden: 8 => Tanh, out: 2, cost: Huber }
}

network! {
    /// The same under the hand-written one.
    pub struct ByHand<f64> { input: 3, hidden: 8 => Tanh, out: 2, cost: HandHuber }
}

/// The bits of every parameter of a network.
fn bits<N: Network<f64>>(net: &N) -> Vec<u64> {
    let mut bits = Vec::new();
    net.visit_parameters(&mut |p| bits.extend(p.weight.iter().chain(p.bias.iter()).map(|v| v.to_bits())));
    bits
}

#[test]
fn training_with_the_generated_huber_is_training_with_a_hand_written_one_bit_for_bit() -> Result<(), Error> {
    // Targets far enough from the outputs that both branches of the loss are taken.
    let x = Array2::from_shape_fn((16, 3), |(i, j)| ((i * 3 + j) as f64 * 0.37).sin() * 2.0);
    let y = Array2::from_shape_fn((16, 2), |(i, j)| ((i + 5 * j) as f64 * 0.91).cos() * 3.0);
    let (mut a, mut b) = (ByMacro::with_seed(7), ByHand::with_seed(7));
    assert_eq!(bits(&a), bits(&b));
    let (mut wa, mut wb) = (ByMacro::workspace(), ByHand::workspace());
    let (mut sa, mut sb) = (Adam::new(0.05)?, Adam::new(0.05)?);
    let mut costs = Vec::new();
    for _ in 0..20 {
        let ca = a.train_step(x.view(), &y, &mut wa, &mut sa)?;
        let cb = b.train_step(x.view(), &y, &mut wb, &mut sb)?;
        assert_eq!(ca.to_bits(), cb.to_bits());
        costs.push(ca);
    }
    assert_eq!(bits(&a), bits(&b));
    assert_eq!(a.forward(x.view())?.mapv(f64::to_bits), b.forward(x.view())?.mapv(f64::to_bits));
    // The training did something, and took the linear branch on the way.
    assert!(costs[19] < costs[0], "{costs:?}");
    let out = a.forward(x.view())?;
    assert!(out.iter().zip(y.iter()).any(|(z, t)| (z - t).abs() > DELTA));
    Ok(())
}

network! {
    /// A regressor under the generated Huber loss, in f32.
    pub struct HuberF32<f32> { input: 3, hidden: 8 => Tanh, out: 2, cost: Huber }
}

#[test]
fn a_fixed_size_network_predicts_and_classifies_under_a_generated_cost() -> Result<(), Error> {
    // Huber predicts the output itself; the focal loss the probability s(z), and its class is the
    // sign of the logit, as with std.
    let net = HuberF32::with_seed(2);
    let fixed = net.to_fixed()?;
    let x = [0.5_f32, -1.0, 2.0];
    assert_eq!(fixed.predict_one(&x), fixed.forward_one(&x));
    assert_eq!(fixed.predict_one(&x).map(f32::to_bits), net.predict_one(&x)?.map(f32::to_bits));
    let detector = Detector::with_seed(5);
    let fixed = detector.to_fixed()?;
    let points = Array2::from_shape_fn((40, 2), |(i, j)| ((i * 2 + j) as f64 * 0.83).sin());
    let classes: Vec<usize> = points.rows().into_iter().map(|r| fixed.classify_one(&[r[0], r[1]])).collect();
    assert_eq!(classes, detector.classify(points.view())?);
    for r in points.rows() {
        let (p, z) = (fixed.predict_one(&[r[0], r[1]])[0], fixed.forward_one(&[r[0], r[1]])[0]);
        assert_eq!(p.to_bits(), sigmoid(z).to_bits());
    }
    Ok(())
}

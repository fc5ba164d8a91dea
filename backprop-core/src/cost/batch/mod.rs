//! The costs on samples and batches (`std` only): the [`Cost`] trait, C_i and ∂C_i/∂z of one
//! sample on ndarray rows, and [`evaluate`], their mean over a batch. Each built-in cost's
//! implementation is in the file of its name here; its type, formula and prediction are in
//! `cost/`, which needs no standard library.

mod binary_cross_entropy;

pub use binary_cross_entropy::{check_labels, sigmoid_in_place};
mod mse;
mod multiclass_hinge;
mod softmax_cross_entropy;

use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2};

use crate::error::Error;
use crate::float::Float;
use crate::targets::{Target, Targets};
use crate::workspace::LayerBuffers;

/// A cost C of one sample, and its gradient ∂C/∂z with respect to the network's output.
///
/// Implementations give the per-sample cost; [`evaluate`] checks the targets, averages over the
/// batch and scales the gradient accordingly.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a cost for `{F}`",
    label = "`{Self}` does not implement `Cost<{F}>`",
    note = "use a built-in cost (Mse, SoftmaxCrossEntropy, BinaryCrossEntropy, MulticlassHinge) or implement `backprop::Cost<{F}>` for `{Self}`"
)]
pub trait Cost<F: Float>: Default {
    /// The cost's name, for messages.
    const NAME: &'static str;

    /// Whether the cost classifies, so that accuracy is meaningful: its targets are classes
    /// (one per sample: [`SoftmaxCrossEntropy`], [`MulticlassHinge`]), or yes/no labels, one per
    /// output ([`BinaryCrossEntropy`]). [`train::evaluate`](crate::train::evaluate) and the
    /// trainer report an accuracy only for such costs.
    ///
    /// [`SoftmaxCrossEntropy`]: crate::cost::SoftmaxCrossEntropy
    /// [`BinaryCrossEntropy`]: crate::cost::BinaryCrossEntropy
    /// [`MulticlassHinge`]: crate::cost::MulticlassHinge
    const CLASSIFICATION: bool;

    /// Whether each output is a yes/no label of its own rather than one of several classes
    /// (default `false`). With several outputs, the accuracy of such a cost counts every output
    /// of every sample (the element-wise accuracy of multi-label classification), and a
    /// confusion matrix counts outputs, off and on, rather than samples. With one output both
    /// readings agree.
    const MULTI_LABEL: bool = false;

    /// Whether the cost takes z^L as logits and applies its own output function (σ, softmax) to
    /// them. Then the output layer must not declare an activation, which would be applied twice
    /// (training on σ(σ(z)) for `BinaryCrossEntropy`): `network!` and `#[derive(Backprop)]`
    /// reject an output activation other than `Identity` at compile time. `false` by default; a
    /// cost of one's own sets it to `true` to get the same check.
    const TAKES_LOGITS: bool = false;

    /// The formulas of a cost that is a sum over the outputs of one function c(z, y), with
    /// δ_j = ∂c/∂z_j, as backprop's `#[cost]` generates it: a network's `equations()`,
    /// `equations_latex()` and `circuit_dot()` then show c and its derivative beside
    /// C = Σ_j c(z_j, y_j) and δ^L. `None` by default, for a cost the explanations know only by
    /// its name.
    const FORMULAS: Option<CostFormulas> = None;

    /// Checks the target of sample `sample` beyond shape and finiteness, which are already
    /// checked (for example that it lies in \[0, 1\] or is one-hot).
    fn check_target(&self, sample: usize, target: &Target<'_, F>) -> Result<(), Error> {
        let _ = (sample, target);
        Ok(())
    }

    /// The cost C_i of one sample with output `z` and target `target`; when `delta` is given,
    /// also writes ∂C_i/∂z into it (same length as `z`).
    fn sample(&self, z: ArrayView1<'_, F>, target: &Target<'_, F>, delta: Option<ArrayViewMut1<'_, F>>) -> F;

    /// Turns the network's output `z` for one sample, the value this cost is taken of, into what
    /// the network predicts for that sample, in place. [`Network::predict`](crate::inference::Predict::predict)
    /// calls it on every row of the output, so the cost says what its output means.
    ///
    /// The default leaves `z` as it is: the prediction is z^L itself. That is what regression
    /// costs such as [`Mse`] predict, and what [`MulticlassHinge`] gives (scores whose largest
    /// is the class, not probabilities). [`SoftmaxCrossEntropy`] turns the logits into the
    /// probabilities softmax(z), and [`BinaryCrossEntropy`] into the probabilities s(z_j) of
    /// the logistic sigmoid, one per output: the distributions their costs compare with the
    /// targets. An implementation must not change the length of `z` and should keep finite
    /// values finite.
    ///
    /// [`SoftmaxCrossEntropy`]: crate::cost::SoftmaxCrossEntropy
    /// [`BinaryCrossEntropy`]: crate::cost::BinaryCrossEntropy
    /// [`Mse`]: crate::cost::Mse
    /// [`MulticlassHinge`]: crate::cost::MulticlassHinge
    fn predict_in_place(&self, z: ArrayViewMut1<'_, F>) {
        let _ = z;
    }

    /// Whether an output `z` whose prediction (by [`predict_in_place`](Cost::predict_in_place))
    /// is `p` says "yes": class 1 for a network with one output, and an output that is on for
    /// a [`MULTI_LABEL`](Cost::MULTI_LABEL) cost. The default is p > ½, for predictions that
    /// are probabilities or values fitted to 0 and 1. [`BinaryCrossEntropy`] decides on the
    /// logit, z > 0, which is s(z) > ½ without the rounding of s(z) to ½ for |z| below about
    /// 10⁻¹⁶ (6·10⁻⁸ in `f32`).
    ///
    /// [`BinaryCrossEntropy`]: crate::cost::BinaryCrossEntropy
    fn is_positive(&self, z: F, p: F) -> bool {
        let _ = z;
        p > F::of(0.5)
    }
}

/// The formulas of a cost C = Σ_j c(z_j, y_j) that is a sum over outputs, which
/// [`Cost::FORMULAS`] gives: c and its derivative ∂c/∂z, as text (the lines of `#[cost]`'s
/// `FORMULA` and `DERIVATIVE` constants, shared subexpressions on lines of their own) and as rows
/// of a LaTeX `aligned` environment (`c(z, y) &= …`, rows separated by `\\`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CostFormulas {
    /// c(z, y), as text.
    pub cost: &'static str,
    /// ∂c/∂z, as text.
    pub derivative: &'static str,
    /// c(z, y), as LaTeX rows.
    pub cost_latex: &'static str,
    /// ∂c/∂z, as LaTeX rows.
    pub derivative_latex: &'static str,
}

/// Evaluates a cost on a batch: returns C = (1/n) Σ_i C_i and, when `delta` is given, writes
/// δ^L = ∂C/∂z^L into it, row i being (1/n) ∂C_i/∂z_i (equation (1) of the paper, averaged).
///
/// The targets are checked: one per row of `output`, as wide as a row, labels in range, values
/// finite and accepted by the cost. A non-finite cost is an error too. After an error, what
/// `delta` holds is unspecified.
pub fn evaluate<F: Float, C: Cost<F>>(
    cost: &C,
    output: ArrayView2<'_, F>,
    targets: Targets<'_, F>,
    mut delta: Option<ArrayViewMut2<'_, F>>,
) -> Result<F, Error> {
    let (n, outputs) = output.dim();
    if n == 0 {
        return Err(Error::EmptyBatch);
    }
    targets.check(n, outputs)?;
    if let Some(d) = &delta {
        if d.dim() != output.dim() {
            return Err(Error::BufferShape {
                what: "δ, the gradient of the cost",
                expected: output.shape().to_vec(),
                found: d.shape().to_vec(),
            });
        }
    }
    let target = |i| targets.get(i, outputs).ok_or(Error::TargetCount { expected: n, found: targets.len() });
    let mut total = F::zero();
    for (i, z) in output.rows().into_iter().enumerate() {
        let target = target(i)?;
        cost.check_target(i, &target)?;
        let row_delta = delta.as_mut().map(|d| d.row_mut(i));
        total += cost.sample(z, &target, row_delta);
    }
    let inv_n = F::one() / F::of_usize(n);
    if let Some(d) = delta.as_mut().filter(|_| n > 1) {
        d.mapv_inplace(|v| v * inv_n);
    }
    let mean = total * inv_n;
    if mean.is_finite() { Ok(mean) } else { Err(Error::NonFiniteCost { value: mean.to_string() }) }
}

/// [`evaluate`] on the output layer's buffers of a [`Workspace`](crate::Workspace): the cost of
/// the batch from its output a^L (z^L when the layer has no activation), with the gradient
/// with respect to that output written into its δ. Allocates nothing.
pub(crate) fn cost_in<F: Float, C: Cost<F>>(
    out: &mut LayerBuffers<F>,
    targets: Targets<'_, F>,
) -> Result<F, Error> {
    let (_, output, delta) = out.backward_mut();
    evaluate(&C::default(), output, targets, Some(delta))
}

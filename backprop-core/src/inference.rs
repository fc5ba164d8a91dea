//! Inference, for every [`Network`]: what it predicts for a batch ([`Predict::predict`]), the
//! classes it assigns ([`Predict::classify`]), and its prediction for one sample
//! ([`predict_one`], which the generated `predict_one` calls with the network's own sizes).

use core::ops::Range;

use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut1, Axis, Slice};

use crate::check::check_finite;
use crate::cost::Cost;
use crate::error::Error;
use crate::float::Float;
use crate::network::Network;

/// How many samples [`Predict::predict`], [`Predict::classify`] and the trainer's evaluations
/// pass through the network at once, so that a large data set never becomes one huge matrix of
/// activations.
pub const EVALUATION_BATCH: usize = 1024;

/// Predictions, for every [`Network`]: what the cost says the network's output means, and the
/// classes it stands for. Implemented for every network: bring it into scope (the prelude
/// does) and call `net.predict(x.view())`.
pub trait Predict<F: Float>: Network<F> {
    /// What the network predicts for each sample of `x`, one row per sample (`n × OUTPUT`): the
    /// output of the forward pass, each row turned by the cost's
    /// [`predict_in_place`](Cost::predict_in_place) into what the cost says it means.
    ///
    /// | cost | prediction for a sample with output z |
    /// |---|---|
    /// | [`SoftmaxCrossEntropy`](crate::cost::SoftmaxCrossEntropy) | softmax(z)_j = e^{z_j} / Σ_k e^{z_k}: the probability of each class, summing to 1 |
    /// | [`BinaryCrossEntropy`](crate::cost::BinaryCrossEntropy) | s(z_j) = 1 / (1 + e^{−z_j}): the probability of each output being on |
    /// | [`Mse`](crate::cost::Mse), [`MulticlassHinge`](crate::cost::MulticlassHinge), and a cost of your own unless it says otherwise | z itself |
    ///
    /// Both transforms are computed without overflow: logits of ±10⁴ give probabilities of 1
    /// and 0, not NaN.
    ///
    /// If the last layer declares an activation σ, the forward pass returns a^L = σ(z^L), and
    /// that is what the cost is taken of in training ([`backward`](Network::backward) computes
    /// ∇_a C there, then δ^L = ∇_a C ⊙ σ'(z^L)). `predict` is consistent with that: it applies
    /// the cost's transform to a^L: with `out: 3 => Sigmoid` and `Mse`, the prediction is
    /// a^L = s(z^L). A cost that applies its own output function to logits
    /// ([`Cost::TAKES_LOGITS`], as `BinaryCrossEntropy` and `SoftmaxCrossEntropy` do) refuses an
    /// output activation at compile time, so that σ is never applied twice.
    ///
    /// The forward pass runs through [`forward_in`](Network::forward_in) in batches of
    /// [`EVALUATION_BATCH`] samples, in one workspace, so a large
    /// data set never becomes one huge matrix of activations; its values are those of
    /// [`forward`](Network::forward) up to rounding (the two sum in different orders).
    ///
    /// # Errors
    ///
    /// [`Error::EmptyBatch`] for a batch of no rows, [`Error::InputWidth`] for one of the wrong
    /// width, [`Error::NonFinite`] for an input that holds NaN or an infinity (naming its row in
    /// `x`) and for an output that is not finite (parameters that hold NaN or infinities, or
    /// sums that overflow), and [`Error::ParameterShape`] for a layer whose parameters were
    /// replaced by ones of the wrong shape.
    fn predict(&self, x: ArrayView2<'_, F>) -> Result<Array2<F>, Error> {
        let mut predictions = outputs(self, x)?;
        let cost = Self::Cost::default();
        for row in predictions.rows_mut() {
            cost.predict_in_place(row);
        }
        Ok(predictions)
    }

    /// The class of each sample of `x`, from its prediction p ([`predict`](Predict::predict)):
    ///
    /// - with several outputs, the index of the largest p_j: the most probable class for
    ///   `SoftmaxCrossEntropy` (the argmax of z^L), the highest score for `MulticlassHinge`.
    ///   Where predictions are equal (probabilities that round to the same value, as the
    ///   sigmoids of 20 and 30 do in `f32`), the one with the larger output of the forward pass,
    ///   and then the first;
    /// - with one output, 1 if p > ½ and 0 otherwise: for `BinaryCrossEntropy` when the
    ///   probability s(z) is above one half (z > 0), for `Mse` trained on targets 0 and 1 when
    ///   z itself is.
    ///
    /// [`train::predict_classes`](crate::train::predict_classes) is this method, and
    /// [`train::evaluate`](crate::train::evaluate) and
    /// [`train::confusion_matrix`](crate::train::confusion_matrix) count with these classes.
    ///
    /// # Errors
    ///
    /// Those of [`predict`](Predict::predict).
    fn classify(&self, x: ArrayView2<'_, F>) -> Result<Vec<usize>, Error> {
        let outputs = outputs(self, x)?;
        let cost = Self::Cost::default();
        let mut buffer = Vec::with_capacity(Self::OUTPUT);
        Ok(outputs.rows().into_iter().map(|z| class_of_output(&cost, z, &mut buffer)).collect())
    }
}

impl<F: Float, N: Network<F>> Predict<F> for N {}

/// What the `predict_one` generated for every network calls: [`Predict::predict`] on the one
/// sample `x`, a batch of one row, returned as an array.
///
/// `INPUT` and `OUTPUT` are the network's sizes, which the generated method writes as literals,
/// so that an array of another length is a compile error in the caller's code. Given others, it
/// returns [`Error::InputWidth`] for the input, and [`Error::BufferShape`] for the output.
///
/// # Errors
///
/// Those of [`Predict::predict`].
#[doc(hidden)]
pub fn predict_one<F: Float, N: Network<F>, const INPUT: usize, const OUTPUT: usize>(
    net: &N,
    x: &[F; INPUT],
) -> Result<[F; OUTPUT], Error> {
    let x = ArrayView2::from_shape((1, INPUT), x.as_slice())?;
    one_row(net.predict(x)?)
}

/// The prediction for a batch of one sample, as an array of `OUTPUT` values: what `predict_one`
/// returns. [`Error::BufferShape`] if the prediction does not have `OUTPUT` values.
pub(crate) fn one_row<F: Float, const OUTPUT: usize>(prediction: Array2<F>) -> Result<[F; OUTPUT], Error> {
    if prediction.len() != OUTPUT {
        return Err(Error::BufferShape {
            what: "the array `predict_one` returns",
            expected: vec![prediction.len()],
            found: vec![OUTPUT],
        });
    }
    let mut one = [F::zero(); OUTPUT];
    for (p, &v) in one.iter_mut().zip(&prediction) {
        *p = v;
    }
    Ok(one)
}

/// The output of `net`'s forward pass for every sample of `x` (z^L, or a^L if the last layer
/// declares an activation), computed by [`Network::forward_in`] in batches of
/// [`EVALUATION_BATCH`] samples in one workspace, so that a large data set never becomes one
/// huge matrix of activations.
///
/// The input is checked as a whole first, so that an error names a sample by its row in `x`;
/// an output that is not finite (parameters that hold NaN or infinities, or sums that overflow)
/// is [`Error::NonFinite`] rather than a prediction of NaN.
fn outputs<F: Float, N: Network<F>>(net: &N, x: ArrayView2<'_, F>) -> Result<Array2<F>, Error> {
    crate::private::check_input(x, N::INPUT)?;
    let mut outputs = Array2::zeros((x.nrows(), N::OUTPUT));
    let mut workspace = N::workspace();
    for range in chunks(x.nrows(), EVALUATION_BATCH) {
        let rows = Slice::from(range);
        let output = net.forward_in(x.slice_axis(Axis(0), rows), &mut workspace)?;
        let mut part = outputs.slice_axis_mut(Axis(0), rows);
        if output.dim() != part.dim() {
            return Err(Error::BufferShape {
                what: "the output of `forward_in`",
                expected: part.shape().to_vec(),
                found: output.shape().to_vec(),
            });
        }
        part.assign(&output);
    }
    check_finite("the network's output", outputs.view())?;
    Ok(outputs)
}

/// `0..n` cut into consecutive ranges of `size` (the last one shorter).
pub(crate) fn chunks(n: usize, size: usize) -> impl Iterator<Item = Range<usize>> {
    let size = size.max(1);
    (0..n).step_by(size).map(move |start| start..(start + size).min(n))
}

/// The class of one sample whose network output is `z`: its prediction by `cost`, written into
/// `buffer`, then [`predicted_class`].
pub(crate) fn class_of_output<F: Float, C: Cost<F>>(
    cost: &C,
    z: ArrayView1<'_, F>,
    buffer: &mut Vec<F>,
) -> usize {
    let p = prediction(cost, z, buffer);
    predicted_class(cost, p, z)
}

/// The prediction of `cost` for one sample whose network output is `z`, written into `buffer`.
pub(crate) fn prediction<'b, F: Float, C: Cost<F>>(
    cost: &C,
    z: ArrayView1<'_, F>,
    buffer: &'b mut Vec<F>,
) -> ArrayView1<'b, F> {
    buffer.clear();
    buffer.extend(z.iter().copied());
    cost.predict_in_place(ArrayViewMut1::from(buffer.as_mut_slice()));
    ArrayView1::from(buffer.as_slice())
}

/// The class a prediction `p` stands for, `z` being the network's output it came from: for one
/// output, 1 if the cost says it is positive ([`Cost::is_positive`]: p₀ > ½, or z₀ > 0 for binary
/// cross-entropy) and 0 otherwise; for several, [`argmax`].
pub(crate) fn predicted_class<F: Float, C: Cost<F>>(
    cost: &C,
    p: ArrayView1<'_, F>,
    z: ArrayView1<'_, F>,
) -> usize {
    match (p.len(), p.first(), z.first()) {
        (1, Some(&p0), Some(&z0)) => usize::from(cost.is_positive(z0, p0)),
        _ => argmax(p, z),
    }
}

/// The index of the largest p_j, of those equal to it the one with the largest z_j, and of
/// those the first. NaN is never largest; 0 for an empty row.
///
/// The second key keeps the class the output says where the prediction rounds several outputs to
/// the same value: the sigmoid of 20 and of 30 are both 1 in `f32`.
pub(crate) fn argmax<F: Float>(p: ArrayView1<'_, F>, z: ArrayView1<'_, F>) -> usize {
    crate::cost::argmax(&p, &z)
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    #[test]
    fn one_output_is_class_1_above_one_half() {
        let class = |p: f64| predicted_class(&crate::cost::Mse, array![p].view(), array![0.0].view());
        assert_eq!((class(0.2), class(0.5), class(0.50001), class(3.0), class(f64::NAN)), (0, 0, 1, 1, 0));
        // Binary cross-entropy decides on the logit: s(1e-30) rounds to ½, but 1e-30 > 0.
        let logit =
            |z: f64| predicted_class(&crate::cost::BinaryCrossEntropy, array![0.5].view(), array![z].view());
        assert_eq!((logit(1e-30), logit(0.0), logit(-1e-30), logit(f64::NAN)), (1, 0, 0, 0));
    }

    #[test]
    fn several_outputs_give_the_largest_then_the_largest_output_then_the_first() {
        let class = |p: [f32; 3], z: [f32; 3]| {
            predicted_class(
                &crate::cost::Mse,
                array![p[0], p[1], p[2]].view(),
                array![z[0], z[1], z[2]].view(),
            )
        };
        assert_eq!(class([0.1, 0.7, 0.2], [0.0, 0.0, 0.0]), 1);
        assert_eq!(class([1.0, 1.0, 0.0], [20.0, 30.0, 0.0]), 1);
        assert_eq!(class([0.5, 0.5, 0.0], [1.0, 1.0, 0.0]), 0);
        assert_eq!(class([f32::NAN, 0.2, 0.1], [5.0, 0.0, 0.0]), 1);
    }
}

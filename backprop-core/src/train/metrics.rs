//! Measuring a trained network: cost and accuracy, predicted classes, confusion matrices.

use core::fmt;

use ndarray::{ArrayView2, Axis, Slice};

use crate::cost::Cost;
use crate::error::Error;
use crate::float::Float;
use crate::inference::{EVALUATION_BATCH, Predict, argmax, chunks, class_of_output, prediction};
use crate::network::Network;
use crate::targets::{Target, Targets};

/// The cost of a network on a data set, and its accuracy for classification costs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics<F> {
    /// The cost C averaged over every sample.
    pub loss: F,
    /// For classification costs ([`Cost::CLASSIFICATION`]), the fraction of decisions that are
    /// right: of samples whose predicted class ([`Predict::classify`](crate::inference::Predict::classify)'s) is their class, or, for
    /// a multi-label cost ([`Cost::MULTI_LABEL`], binary cross-entropy) with several outputs, of
    /// all outputs of all samples that are on (z_j > 0) exactly when their target is (y_j > ½).
    /// `None` for other costs.
    pub accuracy: Option<f64>,
}

/// The cost and (for classification costs) the accuracy of `net` on `x` and `y`, computed in
/// batches of [`EVALUATION_BATCH`] samples.
///
/// The class of a target is its label, or for a row of values the class a prediction equal to
/// it stands for: the argmax of a one-hot row, and for a network with one output 1 if the
/// value is above ½ and 0 otherwise. The predicted class is the one [`Predict::classify`](crate::inference::Predict::classify) gives:
/// the argmax of the cost's prediction, or for one output 1 if the cost says the output is
/// positive ([`Cost::is_positive`]: z > 0 for binary cross-entropy, the prediction above ½
/// otherwise). For a multi-label cost with several outputs every output is a decision of its
/// own, counted element by element (see [`Metrics::accuracy`]).
pub fn evaluate<'a, F: Float, N: Network<F>>(
    net: &N,
    x: ArrayView2<'_, F>,
    y: impl Into<Targets<'a, F>>,
) -> Result<Metrics<F>, Error> {
    let y = y.into();
    crate::check::check_input(x, N::INPUT)?;
    y.check(x.nrows(), N::OUTPUT)?;
    let sums = evaluation_sums(net, x, y)?;
    Ok(sums.metrics::<N>(x.nrows()))
}

/// What [`evaluate`] adds up: the cost summed over the samples, the number of decisions and of
/// right ones. Those of parts of a data set add up to those of the whole (up to rounding of
/// the cost), which is how the processes of a distributed run share an evaluation.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Sums<F> {
    pub(crate) total: F,
    pub(crate) decisions: usize,
    pub(crate) correct: usize,
}

impl<F: Float> Sums<F> {
    /// The metrics of `n` samples with these sums.
    pub(crate) fn metrics<N: Network<F>>(&self, n: usize) -> Metrics<F> {
        let classify = <N::Cost as Cost<F>>::CLASSIFICATION;
        let accuracy = classify.then(|| self.correct as f64 / self.decisions.max(1) as f64);
        Metrics { loss: self.total / F::of_usize(n.max(1)), accuracy }
    }
}

/// [`Sums`] of `net` on `x` and `y`, which [`evaluate`] has checked (or a part of them); zero
/// for no samples.
pub(crate) fn evaluation_sums<F: Float, N: Network<F>>(
    net: &N,
    x: ArrayView2<'_, F>,
    y: Targets<'_, F>,
) -> Result<Sums<F>, Error> {
    let cost = N::Cost::default();
    let classify = <N::Cost as Cost<F>>::CLASSIFICATION;
    let (mut total, mut decisions, mut correct) = (F::zero(), 0usize, 0usize);
    let mut workspace = N::workspace();
    let mut buffer = Vec::with_capacity(N::OUTPUT);
    for range in chunks(x.nrows(), EVALUATION_BATCH) {
        let targets = y.rows(range.start, range.end);
        let output = net.forward_in(x.slice_axis(Axis(0), Slice::from(range.clone())), &mut workspace)?;
        let mean = crate::cost::evaluate(&cost, output, targets, None)?;
        total += mean * F::of_usize(range.len());
        if classify {
            decide(&cost, output, targets, &mut buffer, &mut |actual, predicted| {
                decisions += 1;
                correct += usize::from(actual == predicted);
            });
        }
    }
    Ok(Sums { total, decisions, correct })
}

/// The class `net` predicts for each sample of `x`: [`Predict::classify`](crate::inference::Predict::classify), the argmax of the
/// cost's prediction (for one output, 1 if the cost says it is positive), computed in batches of
/// [`EVALUATION_BATCH`] samples. For a multi-label cost with several outputs it is the most
/// probable output, one per sample; the decision for each output is
/// [`Cost::is_positive`] of its output and prediction ([`Predict::predict`](crate::inference::Predict::predict)).
pub fn predict_classes<F: Float, N: Network<F>>(net: &N, x: ArrayView2<'_, F>) -> Result<Vec<usize>, Error> {
    net.classify(x)
}

/// Counts, for every pair of classes (actual, predicted), the samples of `x` whose target is of
/// the first and that `net` assigns to the second ([`Predict::classify`](crate::inference::Predict::classify)). Targets are labels
/// or rows. There is one class per output, and two (0 and 1) for a network with one output.
///
/// For a multi-label cost ([`Cost::MULTI_LABEL`], binary cross-entropy) with several outputs,
/// it counts outputs rather than samples, by the rule of [`evaluate`]'s accuracy: two classes,
/// off (0) and on (1), actual y_j > ½ against predicted z_j > 0, over every output of every
/// sample. Either way its [`accuracy`](ConfusionMatrix::accuracy) is [`evaluate`]'s.
pub fn confusion_matrix<'a, F: Float, N: Network<F>>(
    net: &N,
    x: ArrayView2<'_, F>,
    y: impl Into<Targets<'a, F>>,
) -> Result<ConfusionMatrix, Error> {
    let y = y.into();
    crate::check::check_input(x, N::INPUT)?;
    y.check(x.nrows(), N::OUTPUT)?;
    let cost = N::Cost::default();
    let classes = if N::OUTPUT == 1 || <N::Cost as Cost<F>>::MULTI_LABEL { 2 } else { N::OUTPUT };
    let mut counts = vec![0; classes * classes];
    let mut workspace = N::workspace();
    let mut buffer = Vec::with_capacity(N::OUTPUT);
    for range in chunks(x.nrows(), EVALUATION_BATCH) {
        let targets = y.rows(range.start, range.end);
        let output = net.forward_in(x.slice_axis(Axis(0), Slice::from(range)), &mut workspace)?;
        crate::check::check_finite("the network's output", output)?;
        decide(&cost, output, targets, &mut buffer, &mut |actual, predicted| {
            if let Some(count) = counts.get_mut(actual * classes + predicted) {
                *count += 1;
            }
        });
    }
    Ok(ConfusionMatrix { classes, counts, names: Vec::new() })
}

/// Calls `count(actual, predicted)` for every decision `cost` makes on the network's `output`
/// (one row per sample) against `targets`: one per sample, its class, or for a multi-label cost
/// with several outputs one per output of every sample, 1 for on and 0 for off. `buffer` holds
/// a prediction.
fn decide<F: Float, C: Cost<F>>(
    cost: &C,
    output: ArrayView2<'_, F>,
    targets: Targets<'_, F>,
    buffer: &mut Vec<F>,
    count: &mut dyn FnMut(usize, usize),
) {
    let outputs = output.ncols();
    let element_wise = C::MULTI_LABEL && outputs > 1;
    for (i, z) in output.rows().into_iter().enumerate() {
        let Some(target) = targets.get(i, outputs) else { continue };
        if element_wise {
            let p = prediction(cost, z, buffer);
            for (j, (&zj, &pj)) in z.iter().zip(&p).enumerate() {
                count(usize::from(target.value(j) > F::of(0.5)), usize::from(cost.is_positive(zj, pj)));
            }
        } else {
            count(class_of(&target), class_of_output(cost, z, buffer));
        }
    }
}

/// A confusion matrix: how many samples of each actual class were predicted as each class.
///
/// Its [`Display`](fmt::Display) prints a table with one row per actual class and one column per
/// predicted class (each as wide as its name or its largest count), each row followed by the
/// class's recall, then the overall accuracy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix {
    classes: usize,
    /// Row-major: `counts[actual * classes + predicted]`.
    counts: Vec<usize>,
    names: Vec<String>,
}

impl ConfusionMatrix {
    /// Names the classes in the printed table, in class order; there must be one per class.
    pub fn with_names<S: ToString>(self, names: &[S]) -> Result<Self, Error> {
        if names.len() != self.classes {
            return Err(Error::InvalidOption {
                what: "the class names",
                expected: "one per class (the network's number of outputs, or 2 for one output)",
                found: format!("{} names for {} classes", names.len(), self.classes),
            });
        }
        Ok(ConfusionMatrix { names: names.iter().map(ToString::to_string).collect(), ..self })
    }

    /// The number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The number of samples of class `actual` predicted as `predicted` (0 out of range).
    pub fn count(&self, actual: usize, predicted: usize) -> usize {
        if actual < self.classes && predicted < self.classes {
            self.counts.get(actual * self.classes + predicted).copied().unwrap_or(0)
        } else {
            0
        }
    }

    /// The number of samples counted.
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// The number of samples predicted as their class: the diagonal.
    pub fn correct(&self) -> usize {
        (0..self.classes).map(|c| self.count(c, c)).sum()
    }

    /// The fraction of samples predicted as their class (0 for an empty matrix).
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct(), self.total())
    }

    /// The fraction of the samples of class `class` predicted as `class` (0 if there are none).
    pub fn recall(&self, class: usize) -> f64 {
        let actual: usize = (0..self.classes).map(|p| self.count(class, p)).sum();
        ratio(self.count(class, class), actual)
    }

    /// The fraction of the samples predicted as `class` that are of `class` (0 if there are
    /// none).
    pub fn precision(&self, class: usize) -> f64 {
        let predicted: usize = (0..self.classes).map(|a| self.count(a, class)).sum();
        ratio(self.count(class, class), predicted)
    }

    fn name(&self, class: usize) -> String {
        self.names.get(class).cloned().unwrap_or_else(|| class.to_string())
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

impl fmt::Display for ConfusionMatrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const CORNER: &str = "actual ↓";
        let label = (0..self.classes)
            .map(|c| self.name(c).chars().count())
            .max()
            .unwrap_or(0)
            .max(CORNER.chars().count());
        // Each column as wide as its class's name or its largest count, so long names
        // ("T-shirt/top") widen only their own column.
        let widths: Vec<usize> = (0..self.classes)
            .map(|p| {
                let digits = (0..self.classes).map(|a| self.count(a, p).to_string().len()).max();
                self.name(p).chars().count().max(digits.unwrap_or(1))
            })
            .collect();
        writeln!(f, "{CORNER:label$}  predicted →")?;
        write!(f, "{:label$}", "")?;
        for (c, width) in widths.iter().enumerate() {
            write!(f, " {:>width$}", self.name(c))?;
        }
        writeln!(f, "  recall")?;
        for a in 0..self.classes {
            write!(f, "{:label$}", self.name(a))?;
            for (p, width) in widths.iter().enumerate() {
                write!(f, " {:>width$}", self.count(a, p))?;
            }
            writeln!(f, "  {:>6.4}", self.recall(a))?;
        }
        write!(f, "accuracy {:.4} ({} of {})", self.accuracy(), self.correct(), self.total())
    }
}

/// The class of a target: its label, or the class a row of values stands for: for a single
/// value (a network with one output) 1 if it is above ½ and 0 otherwise, and for several the
/// index of the largest (the first on ties), which is the class of a one-hot row.
pub(crate) fn class_of<F: Float>(target: &Target<'_, F>) -> usize {
    match target {
        Target::Class(c) => *c,
        Target::Values(row) if row.len() == 1 => usize::from(row.iter().any(|&v| v > F::of(0.5))),
        Target::Values(row) => argmax(row.view(), row.view()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn each_column_is_as_wide_as_its_name_or_its_largest_count() {
        let matrix = ConfusionMatrix { classes: 3, counts: vec![120, 3, 0, 1, 7, 2, 0, 0, 9], names: vec![] };
        let table = matrix.with_names(&["a", "long name", "c"]).unwrap().to_string();
        let expected = "\
actual ↓   predicted →
            a long name c  recall
a         120         3 0  0.9756
long name   1         7 2  0.7000
c           0         0 9  1.0000
accuracy 0.9577 (136 of 142)";
        assert_eq!(table, expected, "\n{table}");
    }
}

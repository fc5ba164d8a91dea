//! The typed error every fallible operation of the library returns.

use std::path::PathBuf;

mod csv;
mod idx;
pub(crate) mod safetensors;

pub use csv::CsvProblem;
pub use idx::{IdxProblem, IdxType};
pub use safetensors::SafetensorsProblem;

/// What went wrong with data a user passed in.
///
/// Each variant says what was expected and what was found, so that the message alone is enough
/// to fix the call. The library returns these instead of panicking on any user input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A batch has no samples; a cost averaged over zero samples is undefined.
    #[error("the batch is empty: expected at least one sample (one row)")]
    EmptyBatch,

    /// The input batch has the wrong number of columns.
    #[error(
        "input has {found} features per sample (columns), but the network's input layer expects {expected}"
    )]
    InputWidth {
        /// The network's input size.
        expected: usize,
        /// The number of columns of the batch passed in.
        found: usize,
    },

    /// The targets have a different number of samples than the inputs.
    #[error(
        "targets have {found} samples, but the input batch has {expected} rows: give one target per sample"
    )]
    TargetCount {
        /// The number of samples (rows) in the input batch.
        expected: usize,
        /// The number of targets passed in.
        found: usize,
    },

    /// The target rows have the wrong width.
    #[error("targets have {found} values per sample (columns), but the network has {expected} outputs")]
    TargetWidth {
        /// The network's output size.
        expected: usize,
        /// The number of columns of the targets passed in.
        found: usize,
    },

    /// Targets of one value per sample (a 1-D array or slice: [`Targets::Column`]) for a
    /// network with several outputs, which needs a row of values per sample.
    ///
    /// [`Targets::Column`]: crate::targets::Targets::Column
    #[error(
        "targets are one value per sample (a 1-D array of {samples}), but the network has {outputs} outputs: give a matrix with a row of {outputs} values per sample, or class labels (&[usize])"
    )]
    OneValuePerSample {
        /// The number of values passed in.
        samples: usize,
        /// The network's output size.
        outputs: usize,
    },

    /// A class label is not below the number of classes.
    #[error(
        "sample {sample} has class label {label}, but the network has {classes} outputs, so labels must be in 0..{classes}"
    )]
    LabelOutOfRange {
        /// The index of the sample in the batch.
        sample: usize,
        /// The label found.
        label: usize,
        /// The number of classes (the network's output size).
        classes: usize,
    },

    /// A class label of a network with one output is neither 0 nor 1. With one output, a label
    /// is the target value itself (binary classification), not the index of a one-hot row.
    #[error(
        "sample {sample} has label {label}, but a network with one output reads labels as its targets, 0 or 1: give 0 or 1, or a network with one output per class"
    )]
    BinaryLabel {
        /// The index of the sample in the batch.
        sample: usize,
        /// The label found.
        label: usize,
    },

    /// A target value is outside the range the cost is defined on.
    #[error("sample {sample}, output {output}: the {cost} cost needs targets in {range}, found {value}")]
    TargetOutOfRange {
        /// The cost that rejected the value.
        cost: &'static str,
        /// The index of the sample in the batch.
        sample: usize,
        /// The index of the output (column).
        output: usize,
        /// The value found, printed.
        value: String,
        /// The range the cost accepts, printed.
        range: &'static str,
    },

    /// A target row of a classification cost is not one-hot.
    #[error(
        "sample {sample}: the {cost} cost needs one-hot targets (a single 1, the rest 0) or class labels as `&[usize]`"
    )]
    NotOneHot {
        /// The cost that needs one-hot rows.
        cost: &'static str,
        /// The index of the sample in the batch.
        sample: usize,
    },

    /// An input, target or parameter holds NaN or an infinity.
    #[error("{what} holds a non-finite value ({value}) at sample {sample}, column {column}")]
    NonFinite {
        /// What held the value: `"input"`, `"targets"`.
        what: &'static str,
        /// The row.
        sample: usize,
        /// The column.
        column: usize,
        /// The value found, printed.
        value: String,
    },

    /// A layer's weight or bias holds NaN or an infinity (set so by hand, or loaded from
    /// memory another program wrote): found in the forward pass, where the layer's weighted
    /// input z is not finite, even when an activation such as ReLU would hide it downstream.
    #[error(
        "layer `{layer}`: its {parameter} holds a non-finite value ({value}) at {index:?}: set the parameters to finite values (with_seed, load) before using the network"
    )]
    NonFiniteParameter {
        /// The layer's name.
        layer: &'static str,
        /// `"weight"` or `"bias"`.
        parameter: &'static str,
        /// The index of the value: `[row, column]` of the weight, `[unit]` of the bias.
        index: Vec<usize>,
        /// The value found, printed.
        value: String,
    },

    /// The weighted input z = a W^T + b of a layer is not finite though its input and its
    /// parameters are: the sums overflowed (or an activation below overflowed to infinity).
    #[error(
        "layer `{layer}`: its weighted input z is not finite ({value}) at sample {sample}, unit {unit}, though its parameters are: the values have overflowed (the parameters have diverged, or the inputs are too large)"
    )]
    Overflow {
        /// The layer's name.
        layer: &'static str,
        /// The sample (row of the batch).
        sample: usize,
        /// The unit (column of z).
        unit: usize,
        /// The value found, printed.
        value: String,
    },

    /// An optimiser's step would have written NaN or an infinity into a parameter or into its
    /// own state (momentum, moment estimates): the step was refused before anything changed.
    #[error(
        "the update of layer `{layer}`'s {parameter} is not finite (a gradient holds NaN or an infinity, or the update overflows): the step was refused and changed neither the network nor the optimiser; lower the learning rate, or clip the gradients"
    )]
    NonFiniteUpdate {
        /// The layer's name.
        layer: &'static str,
        /// `"weight"` or `"bias"`.
        parameter: &'static str,
        /// The parameter's tensor in visit order (the first layer's weight is 0, its bias 1,
        /// the second layer's weight 2, and so on), which an [`UpdateRule`](crate::UpdateRule)
        /// reports and [`step_with_rule`](crate::optim::step_with_rule) names.
        tensor: usize,
    },

    /// Training failed at a step (or at the measurements after an epoch): the error, with where
    /// it happened. The trainer's [`FitError`](crate::train::FitError) holds it with the
    /// history of the epochs finished before.
    #[error("epoch {epoch}, batch {batch} of {batches}: {source}")]
    Training {
        /// The epoch, counted from 1.
        epoch: usize,
        /// The batch of the epoch, counted from 1; 0 for the measurements after its last batch.
        batch: usize,
        /// The number of batches of an epoch.
        batches: usize,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },

    /// A layer's parameters do not have the shape its type declares.
    #[error(
        "layer `{layer}`: {parameter} has shape {found:?}, but `Dense<_, {inputs}, {outputs}, _>` needs {expected:?}"
    )]
    ParameterShape {
        /// The layer's name.
        layer: &'static str,
        /// `"weight"` or `"bias"`.
        parameter: &'static str,
        /// The layer's input size.
        inputs: usize,
        /// The layer's output size.
        outputs: usize,
        /// The shape the layer's type declares.
        expected: Vec<usize>,
        /// The shape found.
        found: Vec<usize>,
    },

    /// A buffer passed in to be written has the wrong shape.
    #[error("{what} must have shape {expected:?}, like the output, but the buffer given has shape {found:?}")]
    BufferShape {
        /// What the buffer is for.
        what: &'static str,
        /// The shape it must have.
        expected: Vec<usize>,
        /// The shape it has.
        found: Vec<usize>,
    },

    /// The cost came out as NaN or infinite: the parameters have diverged.
    #[error("the cost is not finite ({value}): the parameters hold non-finite values or have diverged")]
    NonFiniteCost {
        /// The value found, printed.
        value: String,
    },

    /// An optimiser's state (momentum, moment estimates) was built for parameters of other
    /// shapes than those of the network it is now stepping.
    #[error(
        "the optimiser's state was built for parameters of shapes {expected:?} (each layer's weight, then its bias), but this network's are {found:?}: use one optimiser per network, or reset it"
    )]
    OptimizerState {
        /// The shapes the state was built for, in visit order.
        expected: Vec<Vec<usize>>,
        /// The shapes of the network's parameters, in visit order.
        found: Vec<Vec<usize>>,
    },

    /// The gradients hold NaN or an infinity, so their norm is not finite.
    #[error(
        "the global norm of the gradients is not finite ({norm}): the cost or the parameters have diverged"
    )]
    NonFiniteGradient {
        /// The norm found, printed.
        norm: String,
    },

    /// A numerical option is outside its valid range.
    #[error("{what} must be {expected}, found {found}")]
    InvalidOption {
        /// The option.
        what: &'static str,
        /// What it must be.
        expected: &'static str,
        /// The value found, printed.
        found: String,
    },

    /// A plot could not be drawn.
    #[error("the plot could not be drawn: {message}")]
    Plot {
        /// What the plotting library reported.
        message: String,
    },

    /// A file could not be opened, read or written.
    #[error("{}: {message}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The kind of the I/O error.
        kind: std::io::ErrorKind,
        /// The I/O error, printed.
        message: String,
    },

    /// An IDX file (the format of MNIST and Fashion-MNIST) is malformed, truncated, or not of
    /// the kind expected.
    #[error("{}: {problem}", .path.display())]
    Idx {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: IdxProblem,
    },

    /// An images file and a labels file hold different numbers of samples.
    #[error(
        "{} holds {images} images, but {} holds {labels} labels: a data set needs one label per image",
        .images_path.display(),
        .labels_path.display()
    )]
    ImageLabelCount {
        /// The images file.
        images_path: PathBuf,
        /// The number of images it holds.
        images: usize,
        /// The labels file.
        labels_path: PathBuf,
        /// The number of labels it holds.
        labels: usize,
    },

    /// A CSV file is malformed or does not hold what was asked for.
    #[error("{}: {problem}", .path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// What is wrong with it, and where.
        problem: CsvProblem,
    },

    /// A matrix has a different number of columns than the one it must match (for a
    /// [`Standardizer`](crate::data::Standardizer), the one it was fitted on).
    #[error("{what} has {found} columns, but {expected} were expected")]
    ColumnCount {
        /// What the matrix is, and what it must match.
        what: &'static str,
        /// The number of columns it must have.
        expected: usize,
        /// The number of columns it has.
        found: usize,
    },

    /// The mean or the standard deviation of a column a
    /// [`Standardizer`](crate::data::Standardizer) is fitted on is not finite, though its values
    /// are: they are so large (beyond about 10¹⁵⁴ for the squares, 10³⁰⁷ for the sum) that
    /// computing it overflows `f64`.
    #[error(
        "column {column}'s {statistic} is not finite ({value}): its values are so large that computing it overflows f64; scale the column down first"
    )]
    StatisticOverflow {
        /// The column.
        column: usize,
        /// `"mean"` or `"standard deviation"`.
        statistic: &'static str,
        /// The value computed, printed.
        value: String,
    },

    /// An array could not be built or reshaped to the shape asked for: ndarray's
    /// [`ShapeError`](ndarray::ShapeError), converted by `?` in a function that returns this
    /// error (for example around `Array2::from_shape_vec((rows, columns), values)`).
    #[error("the array could not take the shape asked for: {message} (ndarray's ShapeError/{kind})")]
    Shape {
        /// The kind of the error, as ndarray names it: `"IncompatibleShape"` (the number of
        /// elements is not the product of the shape's sizes), `"IncompatibleLayout"`,
        /// `"RangeLimited"`, `"OutOfBounds"`, `"Unsupported"` or `"Overflow"`.
        kind: &'static str,
        /// What that kind means.
        message: &'static str,
    },

    /// An array asked for would need more memory than can be allocated (or its size overflows).
    #[error("{what} of {found} would need more memory than can be allocated")]
    TooLarge {
        /// What was asked for.
        what: &'static str,
        /// Its size, printed.
        found: String,
    },

    /// An index is not below the length of what it indexes.
    #[error("index {index} is out of range for {what} of length {len}")]
    IndexOutOfRange {
        /// What is indexed.
        what: &'static str,
        /// The index found.
        index: usize,
        /// The length.
        len: usize,
    },

    /// Another process of a distributed training run ([`Trainer::mpi`](crate::train::Trainer),
    /// with the `mpi` feature) failed, or its options or data differ from those of process 0:
    /// every process stops with an error at the same step rather than wait for the others.
    /// The process that failed returns its own error; the others return this one, with its
    /// message.
    #[error("process {rank} of {size} in the MPI run: {message}")]
    Distributed {
        /// The rank of the process that failed (the first, if several did).
        rank: usize,
        /// The number of processes.
        size: usize,
        /// What it reported: its error's message, or what differs.
        message: String,
    },

    /// A safetensors file (weights or a checkpoint) is malformed or does not fit the network or
    /// the trainer it is loaded into.
    #[error("{}: {problem}", .file.as_ref().map_or_else(|| "safetensors data".into(), |p| p.display().to_string()))]
    Safetensors {
        /// The file, or `None` for bytes given to
        /// [`from_safetensors`](crate::io::Persist::from_safetensors).
        file: Option<PathBuf>,
        /// What is wrong with it.
        problem: SafetensorsProblem,
    },
}

impl From<ndarray::ShapeError> for Error {
    /// Keeps the kind of the error and says what it means, so that `?` works on ndarray's
    /// constructors (`from_shape_vec`, `from_shape`, `into_shape_with_order`).
    fn from(error: ndarray::ShapeError) -> Self {
        use ndarray::ErrorKind;
        let (kind, message) = match error.kind() {
            ErrorKind::IncompatibleShape => (
                "IncompatibleShape",
                "the number of elements is not the product of the shape's sizes, or the shapes do not match",
            ),
            ErrorKind::IncompatibleLayout => {
                ("IncompatibleLayout", "the elements are not laid out in memory as the shape and order need")
            }
            ErrorKind::RangeLimited => {
                ("RangeLimited", "the shape has more elements than fit in memory's index type")
            }
            ErrorKind::OutOfBounds => {
                ("OutOfBounds", "an index or a stride reaches past the end of the elements")
            }
            ErrorKind::Unsupported => ("Unsupported", "the strides would make elements alias"),
            ErrorKind::Overflow => ("Overflow", "computing the array's size or an offset overflows"),
            _ => ("Other", "a shape or layout that ndarray does not support"),
        };
        Error::Shape { kind, message }
    }
}

impl Error {
    /// This error with every sample index it names moved `offset` samples on: the error of a
    /// part of a batch (a shard), as the whole batch's.
    pub(crate) fn at_offset(self, offset: usize) -> Error {
        match self {
            Error::LabelOutOfRange { sample, label, classes } => {
                Error::LabelOutOfRange { sample: sample + offset, label, classes }
            }
            Error::BinaryLabel { sample, label } => Error::BinaryLabel { sample: sample + offset, label },
            Error::TargetOutOfRange { cost, sample, output, range, value } => {
                Error::TargetOutOfRange { cost, sample: sample + offset, output, range, value }
            }
            Error::NotOneHot { cost, sample } => Error::NotOneHot { cost, sample: sample + offset },
            Error::NonFinite { what, sample, column, value } => {
                Error::NonFinite { what, sample: sample + offset, column, value }
            }
            Error::Overflow { layer, sample, unit, value } => {
                Error::Overflow { layer, sample: sample + offset, unit, value }
            }
            other => other,
        }
    }
}

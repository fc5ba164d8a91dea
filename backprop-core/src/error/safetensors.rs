//! What can be wrong with a safetensors file.

/// What is wrong with a safetensors file (weights or a checkpoint); [`Error::Safetensors`]
/// names the file.
///
/// Every problem names the tensor or the metadata key it is about, and says what the file holds
/// and what the network (or the trainer) expects.
///
/// [`Error::Safetensors`]: crate::Error::Safetensors
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SafetensorsProblem {
    /// The bytes are not a well-formed safetensors file: a header length past the end, a header
    /// that is not JSON, offsets that overlap, leave gaps or run past the end, shapes that do not
    /// match their byte ranges, and so on.
    #[error("not a valid safetensors file: {message}")]
    Format {
        /// What the safetensors parser reported.
        message: String,
    },

    /// A tensor the network needs is not in the file. The message lists the names the file
    /// holds, with the nearest to the one needed, and says how to map them with
    /// [`LoadOptions`](crate::io::LoadOptions).
    #[error(
        "the file has no tensor `{tensor}`, which the network needs (shape {shape:?}); {}",
        in_the_file(.in_file, .nearest.as_deref())
    )]
    MissingTensor {
        /// The tensor's name, as in PyTorch's `state_dict`: `hidden1.weight`.
        tensor: String,
        /// The shape the network needs.
        shape: Vec<usize>,
        /// The names of the file's tensors, sorted, as [`LoadOptions`](crate::io::LoadOptions)
        /// mapped them if it was given.
        in_file: Vec<String>,
        /// The name among `in_file` nearest to `tensor`, if the file holds any: for a file whose
        /// names are all an `nn.Sequential`'s (`0.weight`, `3.bias`, …), the one
        /// [`LoadOptions::layers_by_position`](crate::io::LoadOptions::layers_by_position) would
        /// load as `tensor`; otherwise, and when there is none, the one with the fewest
        /// characters to insert, delete or replace (the first in sorted order of those as near).
        nearest: Option<String>,
    },

    /// Two tensors of the file get the same name when [`LoadOptions`](crate::io::LoadOptions)
    /// maps the names.
    #[error(
        "the file's tensors `{first}` and `{second}` both load as `{tensor}`: the names must map one to one"
    )]
    DuplicateTensor {
        /// The name both are mapped to.
        tensor: String,
        /// The first name in the file, in sorted order.
        first: String,
        /// The second.
        second: String,
    },

    /// The file holds tensors the network does not have.
    #[error("the file holds tensors the network does not have: {}; the network's tensors are {}", quoted(.unexpected), quoted(.expected))]
    UnexpectedTensors {
        /// The names found in the file and not in the network, sorted.
        unexpected: Vec<String>,
        /// The network's tensor names, in layer order.
        expected: Vec<String>,
    },

    /// A tensor has another shape than the network's parameter of that name.
    #[error(
        "tensor `{tensor}` has shape {found:?}, but the network's `{tensor}` has shape {expected:?}{hint}"
    )]
    Shape {
        /// The tensor's name.
        tensor: String,
        /// The shape the network declares (a weight is OUT × IN).
        expected: Vec<usize>,
        /// The shape in the file.
        found: Vec<usize>,
        /// A hint when the found shape is the transpose of the expected one.
        hint: &'static str,
    },

    /// A tensor's element type cannot be read as a float.
    #[error("tensor `{tensor}` holds {found} values; weights can be F16, BF16, F32 or F64")]
    Dtype {
        /// The tensor's name.
        tensor: String,
        /// The element type in the file, as safetensors names it.
        found: String,
    },

    /// A tensor holds NaN or an infinity.
    #[error("tensor `{tensor}` holds a non-finite value ({value}) at index {index:?}")]
    NonFinite {
        /// The tensor's name.
        tensor: String,
        /// The index of the value, one entry per dimension.
        index: Vec<usize>,
        /// The value, printed.
        value: String,
    },

    /// A tensor of standard deviations to divide by holds 0 or a negative value.
    #[error(
        "tensor `{tensor}` holds {value} at index {index:?}, but a standard deviation to divide by must be greater than 0 (a column whose values were all equal is saved with 1)"
    )]
    NotPositive {
        /// The tensor's name: `input.std`.
        tensor: String,
        /// The index of the value, one entry per dimension.
        index: Vec<usize>,
        /// The value, printed.
        value: String,
    },

    /// The input standardization a [`Standardized`](crate::Standardized) model or a
    /// [`Standardizer`](crate::data::Standardizer) needs is not in the file, or only half of it.
    #[error(
        "the file has no tensor {}: the input standardization (the mean and the standard deviation of each input); load a file written by `Standardized::save` or `Standardizer::save`, or the network's weights alone with the network's `load`",
        quoted(.missing)
    )]
    MissingStandardization {
        /// The tensors missing: `input.mean`, `input.std` or both.
        missing: Vec<String>,
    },

    /// The file's metadata describes another network than the one it is loaded into.
    #[error("the file records the {what} {file}, but the network declares {network}")]
    Metadata {
        /// What differs: `"layers"`, `"cost"`.
        what: &'static str,
        /// What the file records.
        file: String,
        /// What the network declares.
        network: String,
    },

    /// A metadata entry the library wrote cannot be read back.
    #[error("the metadata entry `{key}` cannot be read: {message}")]
    BadMetadata {
        /// The key in `__metadata__`.
        key: String,
        /// What is wrong with its value.
        message: String,
    },

    /// A checkpoint was expected, but the file holds weights without a training state.
    #[error(
        "the file holds weights but no training state: resume from a file written by `Trainer::checkpoint`, or load the weights with `load`"
    )]
    NotACheckpoint,

    /// A checkpoint was written by a different training setup than the one resuming it.
    #[error("the checkpoint was written with {what} {checkpoint}, but this trainer has {trainer}")]
    CheckpointMismatch {
        /// What differs: `"the optimiser"`, `"the batch size"`, `"the network"`, ….
        what: &'static str,
        /// What the checkpoint records.
        checkpoint: String,
        /// What the trainer (or the network, or the data) resuming it has.
        trainer: String,
    },

    /// The resuming trainer's schedule gives an epoch that the checkpoint has done another
    /// learning rate than the one it trained with (a [`Cosine`](crate::Cosine) schedule whose
    /// total changed with the number of epochs): the resumed run would be neither the one that
    /// wrote the checkpoint nor one that never stopped.
    /// [`Trainer::allow_schedule_change`](crate::Trainer::allow_schedule_change) allows it.
    #[error(
        "the checkpoint's epoch {epoch} trained with the learning rate {checkpoint}, but this trainer's schedule gives that epoch {trainer}, so the resumed run would not be one that never stopped; keep the schedule (a `Cosine` schedule's total too), or allow the change with `Trainer::allow_schedule_change(true)`"
    )]
    ScheduleChanged {
        /// The first epoch (counted from 1) whose rate differs.
        epoch: usize,
        /// The learning rate the checkpoint's history records for it, and the checkpoint's
        /// schedule as its `Debug` printed it: `0.007525 (schedule Cosine { total: 3, min: 0.0001 })`.
        checkpoint: String,
        /// The learning rate the trainer's schedule gives it, and that schedule, likewise.
        trainer: String,
    },

    /// The checkpoint's content does not hash to the digest it records: it was changed or
    /// damaged after it was written.
    #[error(
        "the file was changed or damaged after it was written: its digest (`backprop.digest`) records {recorded}, but its content hashes to {computed}"
    )]
    Digest {
        /// The digest the file records: `sha256:` and 64 hexadecimal digits (or whatever the
        /// entry holds).
        recorded: String,
        /// The digest of the file's content (see [`DIGEST_KEY`](crate::io::DIGEST_KEY)).
        computed: String,
    },

    /// A checkpoint without a digest: written by a version of the library from before
    /// checkpoints had one, which [`Trainer::resume`](crate::Trainer::resume) does not trust.
    #[error(
        "the checkpoint has no digest (`backprop.digest`): it was written by an older version of backprop ({version}), and resume cannot tell whether it was changed since; train again, or load its weights with `load` and train from them"
    )]
    NoDigest {
        /// The library version the file records (`backprop.version`), or `unknown`.
        version: String,
    },

    /// A checkpoint whose digest is right but whose training state contradicts itself or the
    /// network: written by another program, or edited by someone who recomputed the digest.
    #[error("the checkpoint is not consistent: {what} is {found}, but {expected}")]
    Inconsistent {
        /// What is wrong: `"Adam's step count"`, `"the optimiser's state"`, `"stopped"`, ….
        what: &'static str,
        /// What the rest of the checkpoint implies.
        expected: String,
        /// What the checkpoint holds.
        found: String,
    },
}

/// What the message of [`SafetensorsProblem::MissingTensor`] says of the file's names: at most
/// [`LISTED`] of them, the nearest, and how to map them.
fn in_the_file(names: &[String], nearest: Option<&str>) -> String {
    if names.is_empty() {
        return "the file holds no tensors".to_owned();
    }
    let listed = quoted(&names[..names.len().min(LISTED)]);
    let more = names.len().saturating_sub(LISTED);
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    let nearest = nearest.map(|n| format!(" (the nearest is `{}`)", shortened(n))).unwrap_or_default();
    let how = if names.iter().all(|n| positional(n).is_some()) {
        "these are an nn.Sequential's names, by position: load them with \
         `LoadOptions::new().layers_by_position()`, which takes the k-th index for the k-th layer"
    } else {
        "map the file's names to the network's with `LoadOptions::new().rename(|name| ...)`"
    };
    format!("the file holds {listed}{more}{nearest}; {how}")
}

/// How many of the file's names a missing-tensor message lists.
const LISTED: usize = 20;

/// The index and the parameter of a name as an `nn.Sequential` names its layers' parameters,
/// `<digits>.weight` or `<digits>.bias`: `("11", "weight")` for `11.weight`.
pub(crate) fn positional(name: &str) -> Option<(&str, &str)> {
    let (index, parameter) = name.split_once('.')?;
    let digits = !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit());
    (digits && (parameter == "weight" || parameter == "bias")).then_some((index, parameter))
}

/// `a`, `b` and `c` as "`a`, `b`, `c`", each [`shortened`].
fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("`{}`", shortened(n))).collect::<Vec<_>>().join(", ")
}

/// How many characters of a name a message shows: a hostile file's names can be megabytes long.
const SHOWN: usize = 64;

/// `name`, or its first [`SHOWN`] characters and `…` if it is longer.
fn shortened(name: &str) -> std::borrow::Cow<'_, str> {
    match name.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}…", &name[..end]).into(),
        None => name.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_name_is_shown_cut_at_a_character_boundary() {
        assert_eq!(shortened("hidden.weight"), "hidden.weight");
        let exactly = "é".repeat(SHOWN);
        assert_eq!(shortened(&exactly), exactly);
        // Two bytes a character: a cut at a byte count would fall inside one.
        assert_eq!(shortened(&"é".repeat(SHOWN + 1)), format!("{}…", "é".repeat(SHOWN)));
        let message = in_the_file(&["0".repeat(1_000_000)], Some(&"1".repeat(1_000_000)));
        assert!(message.len() < 400, "{} bytes", message.len());
    }
}

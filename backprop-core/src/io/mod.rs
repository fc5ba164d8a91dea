//! Weights and checkpoints on disk, as safetensors files.
//!
//! [safetensors](https://huggingface.co/docs/safetensors) is the format PyTorch, candle and
//! Hugging Face share: an 8-byte little-endian header length, a JSON header naming each tensor
//! with its element type, shape and byte range, and the tensors' bytes, row-major and
//! little-endian. It is written through the `safetensors` crate and read by a parser of this
//! library's own, which follows that crate's reading of the format.
//!
//! A network's tensors are named as PyTorch names the `state_dict` of a module whose
//! `nn.Linear` attributes are named like the layers: `hidden1.weight` (OUT × IN, the layout of
//! both [`Dense`](crate::Dense) and `nn.Linear`) and `hidden1.bias`, in the network's float type
//! (F32 or F64). The header's `__metadata__` records the network: its name
//! ([`NETWORK_KEY`]), its layers with their sizes and activations ([`LAYERS_KEY`]), its cost
//! ([`COST_KEY`]), its float type ([`FLOAT_KEY`]) and the library's version ([`VERSION_KEY`]),
//! and `"format": "pt"`. A model saved with its input standardisation
//! ([`Standardized`](crate::Standardized)) holds two more tensors, [`INPUT_MEAN`] and
//! [`INPUT_STD`], which the network's own loader skips.
//!
//! Reading accepts F16, BF16, F32 and F64 tensors, converted to the network's float, and files
//! written by PyTorch's `safetensors.torch.save_file` with no metadata. Where the metadata
//! records the layers or the cost, they must be the network's. A file that does not fit —
//! missing, unexpected or misshapen tensors, another element type, a non-finite value, other
//! layers — is an [`Error::Safetensors`](crate::Error::Safetensors) naming the tensor, and
//! changes nothing. The parser checks the header's length, offsets and shapes against the
//! length of the file before it reads a tensor, and the reader allocates only the network's own
//! shapes, so memory is bounded by the file's size and the network's: loading a file costs at
//! most 4 times its size, however its header is made (tests/header_memory.rs). To that end a
//! header's `__metadata__` may have at most 1024 entries, whose values must be strings, and a
//! tensor at most 16 dimensions; other files are refused.
//!
//! A file whose names are another model's loads with [`LoadOptions`], through
//! [`load_with`](crate::io::Persist::load_with) and the other `_with` methods: an `nn.Sequential`
//! names its layers' parameters by position (`0.weight`, `0.bias`, `2.weight`, …), which
//! [`LoadOptions::layers_by_position`] takes as the layers in order, and
//! [`LoadOptions::rename`] maps any name. Without them, a missing tensor's error lists the names
//! the file holds, with the nearest to the one missing, and says which option maps them.
//!
//! `load`, `load_into` and `Trainer::resume` read only regular files: a device (`/dev/zero`), a
//! FIFO, a socket or a folder is an [`Error::Io`](crate::Error::Io) of kind `InvalidInput`, at
//! once, and a file is read up to the length it had when opened.
//!
//! The methods are [`Network::save`](crate::io::Persist::save),
//! [`to_safetensors`](crate::io::Persist::to_safetensors), [`load`](crate::io::Persist::load),
//! [`from_safetensors`](crate::io::Persist::from_safetensors) and
//! [`load_into`](crate::io::Persist::load_into), each of the last three with a `_with` twin that
//! takes [`LoadOptions`]; [`Trainer::checkpoint`](crate::Trainer::checkpoint)
//! writes checkpoints in the same format.
//!
//! Writing never leaves a file that does not load or that is half written, and never replaces
//! what is not a file: [`save`](crate::io::Persist::save) refuses a network holding NaN or an
//! infinity; the bytes go to a temporary file in the same folder, synced, then renamed over the
//! path (removed if anything fails); a folder, a FIFO or a device at the path is an error and is
//! left as it is; and one writer at a time holds the path, through an advisory lock on
//! `<name>.lock` beside it, so a second writer is told at once rather than losing its file or
//! the other's.

pub(crate) mod digest;
pub(crate) mod file;
mod header;
pub(crate) mod options;
mod persist;
pub(crate) mod tensors;
pub(crate) mod weights;

pub use crate::error::SafetensorsProblem;
pub use options::LoadOptions;
pub use persist::Persist;
pub use weights::{COST_KEY, FLOAT_KEY, LAYERS_KEY, NETWORK_KEY, VERSION_KEY};

/// The `__metadata__` key that marks a checkpoint, whose value is the JSON of the training
/// state (epoch, schedule, random generator, early stopping, history).
pub const CHECKPOINT_KEY: &str = "backprop.checkpoint";

/// The `__metadata__` key of a checkpoint's digest: `sha256:` and the 64 hexadecimal digits of
/// the SHA-256 of its content, which [`Trainer::resume`](crate::Trainer::resume) checks before
/// it trusts anything else in the file, and [`Network::load`](crate::io::Persist::load) checks
/// where a file has one.
///
/// The content hashed is independent of the header's JSON layout (the order and spacing of its
/// entries, the tensors' offsets). Each item below is fed to SHA-256 as its length in bytes
/// (a little-endian u64) followed by its bytes:
///
/// 1. the text `backprop.digest/1`;
/// 2. the number of `__metadata__` entries other than this one (a little-endian u64, as an
///    item), then each entry's key and value, in the byte order of the keys;
/// 3. the number of tensors (likewise), then for each tensor, in the byte order of the names:
///    its name, its element type as the header writes it (`F32`), its shape (each dimension a
///    little-endian u64, all in one item) and its data bytes.
pub const DIGEST_KEY: &str = "backprop.digest";

/// The prefixes of a checkpoint's tensors that are not the network's parameters: the
/// optimiser's state (`optimizer.hidden1.weight.m`) and the weights of the best epoch for early
/// stopping (`best.hidden1.weight`).
pub const STATE_PREFIXES: [&str; 2] = ["optimizer.", "best."];

/// The tensor of an input standardization's means, one per input (shape `[INPUT]`), which
/// [`Standardized::save`](crate::Standardized::save) and
/// [`Standardizer::save`](crate::data::Standardizer::save) write beside the weights or alone.
pub const INPUT_MEAN: &str = "input.mean";

/// The tensor of an input standardization's standard deviations, one per input (shape
/// `[INPUT]`): what each input is divided by, z = (x − mean) / std, so 1 for a column whose
/// values were all equal when it was fitted. Every value is finite and greater than 0.
pub const INPUT_STD: &str = "input.std";

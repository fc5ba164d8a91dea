//! Named float tensors to and from the bytes of a safetensors file, through the `safetensors`
//! crate: what [`weights`](super::weights) and the trainer's checkpoints are built on.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use ndarray::{ArrayD, ArrayViewD, Dimension, IxDyn};
use safetensors::{Dtype, SafeTensors, View};

use super::SafetensorsProblem;
use crate::{Error, Float};

/// One tensor to be written: its name, element type, shape and little-endian bytes.
pub(crate) struct Tensor {
    pub(crate) name: String,
    dtype: Dtype,
    shape: Vec<usize>,
    data: Vec<u8>,
}

impl Tensor {
    /// The tensor `name` holding `values`, in the float type of `F` (F32 or F64).
    pub(crate) fn of<F: Float>(name: String, values: ArrayViewD<'_, F>) -> Self {
        let shape = values.shape().to_vec();
        let mut data = Vec::with_capacity(values.len() * size_of::<F>());
        // `iter` runs in logical (row-major) order, the order of safetensors' data, whatever
        // the memory layout.
        if F::NAME == "f32" {
            // f32 → f64 → f32 is exact.
            values.iter().for_each(|v| data.extend_from_slice(&(Float::to_f64(*v) as f32).to_le_bytes()));
            Tensor { name, dtype: Dtype::F32, shape, data }
        } else {
            values.iter().for_each(|v| data.extend_from_slice(&Float::to_f64(*v).to_le_bytes()));
            Tensor { name, dtype: Dtype::F64, shape, data }
        }
    }
}

impl View for &Tensor {
    fn dtype(&self) -> Dtype {
        self.dtype
    }

    fn shape(&self) -> &[usize] {
        &self.shape
    }

    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.data)
    }

    fn data_len(&self) -> usize {
        self.data.len()
    }
}

/// The bytes of a safetensors file holding `tensors` and, in its header's `__metadata__`,
/// `metadata`.
pub(crate) fn serialize(tensors: &[Tensor], metadata: HashMap<String, String>) -> Result<Vec<u8>, Error> {
    safetensors::serialize(tensors.iter().map(|t| (t.name.as_str(), t)), Some(metadata))
        .map_err(|e| format_error(None, &e))
}

/// A parsed safetensors file: its tensors (views into the bytes) and its metadata.
pub(crate) struct TensorFile<'a> {
    tensors: SafeTensors<'a>,
    metadata: HashMap<String, String>,
    file: Option<&'a Path>,
}

impl<'a> TensorFile<'a> {
    /// Parses `bytes`, read from `file` if given. The parser checks the header length, the
    /// JSON, and every tensor's byte range against the length of `bytes` before anything else
    /// is read, so a lying header cannot make it read or allocate past the file.
    ///
    /// The header is parsed here first, and every tensor's `data_offsets` checked to lie within
    /// the bytes after it: the `safetensors` crate (0.8.0) adds the last offset to the header
    /// length unchecked, which panics on overflow (as in debug builds) for offsets near
    /// `usize::MAX`.
    pub(crate) fn parse(bytes: &'a [u8], file: Option<&'a Path>) -> Result<Self, Error> {
        let header = Header::parse(bytes);
        if let Some(header) = &header {
            header.check_offsets().map_err(|message| Error::Safetensors {
                file: file.map(Path::to_path_buf),
                problem: SafetensorsProblem::Format { message },
            })?;
        }
        let tensors = SafeTensors::deserialize(bytes).map_err(|e| format_error(file, &e))?;
        // The `safetensors` crate accepted the header, so it is JSON whose `__metadata__`, if
        // any, maps strings to strings.
        let metadata = header.map(Header::metadata).unwrap_or_default();
        Ok(TensorFile { tensors, metadata, file })
    }

    /// The [`Error::Safetensors`] for `problem` in this file.
    pub(crate) fn error(&self, problem: SafetensorsProblem) -> Error {
        Error::Safetensors { file: self.file.map(Path::to_path_buf), problem }
    }

    /// The value of `key` in the header's `__metadata__`.
    pub(crate) fn metadata(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).map(String::as_str)
    }

    /// The names of every tensor in the file.
    pub(crate) fn names(&self) -> Vec<&str> {
        self.tensors.names()
    }

    /// The tensor `name`, which must have `shape`, converted to `F` from F16, BF16, F32 or F64
    /// and checked to be finite. The shape is checked before anything is allocated.
    pub(crate) fn read<F: Float>(&self, name: &str, shape: &[usize]) -> Result<ArrayD<F>, Error> {
        let missing = || SafetensorsProblem::MissingTensor { tensor: name.to_owned(), shape: shape.to_vec() };
        let view = self.tensors.tensor(name).map_err(|_| self.error(missing()))?;
        if view.shape() != shape {
            let transposed = view.shape().len() == 2
                && shape.len() == 2
                && view.shape()[0] == shape[1]
                && view.shape()[1] == shape[0];
            return Err(self.error(SafetensorsProblem::Shape {
                tensor: name.to_owned(),
                expected: shape.to_vec(),
                found: view.shape().to_vec(),
                hint: if transposed {
                    " (its transpose: a weight is stored OUT × IN, as PyTorch's nn.Linear stores it)"
                } else {
                    ""
                },
            }));
        }
        let values: Vec<F> = match view.dtype() {
            Dtype::F64 => decode(view.data(), |b: [u8; 8]| f64::from_le_bytes(b)),
            Dtype::F32 => decode(view.data(), |b: [u8; 4]| f64::from(f32::from_le_bytes(b))),
            Dtype::F16 => decode(view.data(), |b: [u8; 2]| half::f16::from_le_bytes(b).to_f64()),
            Dtype::BF16 => decode(view.data(), |b: [u8; 2]| half::bf16::from_le_bytes(b).to_f64()),
            other => {
                return Err(self.error(SafetensorsProblem::Dtype {
                    tensor: name.to_owned(),
                    found: format!("{other:?}"),
                }));
            }
        };
        let array = ArrayD::from_shape_vec(IxDyn(shape), values).map_err(|e| {
            self.error(SafetensorsProblem::Format { message: format!("tensor `{name}`: {e}") })
        })?;
        if let Some((index, value)) = array.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(self.error(SafetensorsProblem::NonFinite {
                tensor: name.to_owned(),
                index: index.as_array_view().to_vec(),
                value: value.to_string(),
            }));
        }
        Ok(array)
    }
}

/// A safetensors header, parsed as JSON, and the number of bytes after it.
struct Header {
    json: serde_json::Map<String, serde_json::Value>,
    data_len: usize,
}

impl Header {
    /// The header of `bytes`, or `None` where its length or its JSON is wrong, which the
    /// `safetensors` crate then reports. Headers over the crate's limit (100 MB) are not read.
    fn parse(bytes: &[u8]) -> Option<Header> {
        let len: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
        let len = usize::try_from(u64::from_le_bytes(len)).ok().filter(|&n| n <= 100_000_000)?;
        let end = len.checked_add(8)?;
        let json = serde_json::from_slice(bytes.get(8..end)?).ok()?;
        match json {
            serde_json::Value::Object(json) => Some(Header { json, data_len: bytes.len() - end }),
            _ => None,
        }
    }

    /// Checks that every tensor's `data_offsets` that are integers lie within the data.
    fn check_offsets(&self) -> Result<(), String> {
        let data_len = u64::try_from(self.data_len).unwrap_or(u64::MAX);
        for (name, entry) in self.json.iter().filter(|(name, _)| *name != "__metadata__") {
            let Some(offsets) = entry.get("data_offsets").and_then(serde_json::Value::as_array) else {
                continue;
            };
            let offsets: Vec<u64> = offsets.iter().filter_map(serde_json::Value::as_u64).collect();
            if offsets.iter().any(|&o| o > data_len) {
                return Err(format!(
                    "tensor `{name}` has data_offsets {offsets:?}, past the end of the {} bytes of data",
                    self.data_len
                ));
            }
        }
        Ok(())
    }

    /// The `__metadata__` entries whose values are strings.
    fn metadata(self) -> HashMap<String, String> {
        let Some(serde_json::Value::Object(metadata)) = self.json.get("__metadata__") else {
            return HashMap::new();
        };
        metadata.iter().filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_owned()))).collect()
    }
}

/// Converts little-endian values of `N` bytes each to `F` through `f64`: exact for every type
/// read into `f64`, and F16, BF16 and F32 into `f32`; F64 into `f32` rounds to nearest.
fn decode<F: Float, const N: usize>(bytes: &[u8], to_f64: impl Fn([u8; N]) -> f64) -> Vec<F> {
    bytes
        .chunks_exact(N)
        .map(|chunk| {
            let mut b = [0u8; N];
            b.copy_from_slice(chunk);
            F::of(to_f64(b))
        })
        .collect()
}

/// The [`Error::Safetensors`] for an error of the `safetensors` crate.
fn format_error(file: Option<&Path>, error: &safetensors::SafeTensorError) -> Error {
    Error::Safetensors {
        file: file.map(Path::to_path_buf),
        problem: SafetensorsProblem::Format { message: error.to_string() },
    }
}

//! Named float tensors to and from the bytes of a safetensors file, through the `safetensors`
//! crate: what [`weights`](super::weights) and the trainer's checkpoints are built on.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use ndarray::{ArrayD, ArrayViewD, IxDyn};
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
///
/// The same tensors and metadata always give the same bytes: see [`sorted_header`].
pub(crate) fn serialize(tensors: &[Tensor], metadata: HashMap<String, String>) -> Result<Vec<u8>, Error> {
    let bytes = safetensors::serialize(tensors.iter().map(|t| (t.name.as_str(), t)), Some(metadata))
        .map_err(|e| format_error(None, &e))?;
    Ok(sorted_header(bytes))
}

/// `bytes` with every object of the header's JSON, `__metadata__` included, in the order of
/// its keys. The `safetensors` crate writes the metadata from a `HashMap`, whose order changes
/// from run to run; sorted, the same network gives the same file, byte for byte. The JSON
/// keeps its characters, only in another order, so the header keeps its length and the
/// tensors their offsets; anything unexpected leaves `bytes` as they are.
fn sorted_header(mut bytes: Vec<u8>) -> Vec<u8> {
    let length = bytes.get(..8).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes);
    let Some(end) = length.and_then(|n| usize::try_from(n).ok()).and_then(|n| n.checked_add(8)) else {
        return bytes;
    };
    let Some(header) = bytes.get_mut(8..end) else { return bytes };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(header) else { return bytes };
    let Ok(sorted) = serde_json::to_string(&Sorted(&json)) else { return bytes };
    if sorted.len() <= header.len() {
        let (text, padding) = header.split_at_mut(sorted.len());
        text.copy_from_slice(sorted.as_bytes());
        padding.fill(b' ');
    }
    bytes
}

/// A JSON value that serialises its objects' entries in the order of their keys, whatever
/// order `serde_json::Map` keeps.
struct Sorted<'a>(&'a serde_json::Value);

impl serde::Serialize for Sorted<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            serde_json::Value::Object(object) => {
                let mut entries: Vec<_> = object.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, &Sorted(value))?;
                }
                map.end()
            }
            serde_json::Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Sorted(item))?;
                }
                seq.end()
            }
            other => other.serialize(serializer),
        }
    }
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
    /// The header is parsed here first, and the tensors' `data_offsets` checked to tile the
    /// bytes after it ([`Header::check`]): the `safetensors` crate (0.8.0) adds the last offset
    /// to the header length unchecked, which panics on overflow (as in debug builds) for
    /// offsets near `usize::MAX`, and its errors about offsets name a tensor at random.
    pub(crate) fn parse(bytes: &'a [u8], file: Option<&'a Path>) -> Result<Self, Error> {
        // The JSON is dropped before the `safetensors` crate parses it again, so that the
        // two parses' memory is not held at once.
        let metadata = match Header::parse(bytes) {
            Some(header) => {
                header.check().map_err(|message| Error::Safetensors {
                    file: file.map(Path::to_path_buf),
                    problem: SafetensorsProblem::Format { message },
                })?;
                header.metadata()
            }
            None => HashMap::new(),
        };
        // Where the `safetensors` crate accepts the header, it is JSON whose `__metadata__`, if
        // any, maps strings to strings: the metadata read above.
        let tensors = SafeTensors::deserialize(bytes).map_err(|e| format_error(file, &e))?;
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

    /// The digest of the file's content, recorded or not: see [`DIGEST_KEY`](super::DIGEST_KEY).
    pub(crate) fn digest(&self) -> String {
        super::digest::digest(&self.metadata, self.tensors.iter())
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
        if let Some(position) = values.iter().position(|v| !v.is_finite()) {
            return Err(self.error(SafetensorsProblem::NonFinite {
                tensor: name.to_owned(),
                index: unravel(position, shape),
                value: values[position].to_string(),
            }));
        }
        ArrayD::from_shape_vec(IxDyn(shape), values)
            .map_err(|e| self.error(SafetensorsProblem::Format { message: format!("tensor `{name}`: {e}") }))
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

    /// Checks what the `safetensors` crate's own checks get wrong: every tensor's entry is a
    /// JSON object (the crate also takes an array of its fields), and the tensors'
    /// `data_offsets` tile the data from its first byte to its last, in the order of the
    /// offsets — no overlap, no gap, nothing past the end. The crate checks the offsets too,
    /// but adds the last one to the header length unchecked, and names a tensor that depends on
    /// the order of a hash map, which changes from one run to the next. Entries whose offsets
    /// are not two integers are left to the crate to report.
    fn check(&self) -> Result<(), String> {
        let mut ranges = Vec::new();
        for (name, entry) in self.json.iter().filter(|(name, _)| *name != "__metadata__") {
            let Some(entry) = entry.as_object() else {
                return Err(format!("the header's entry for tensor `{name}` is not a JSON object"));
            };
            let range = entry.get("data_offsets").and_then(serde_json::Value::as_array).and_then(|offsets| {
                match offsets.as_slice() {
                    [start, end] => Some((start.as_u64()?, end.as_u64()?)),
                    _ => None,
                }
            });
            let Some((start, end)) = range else {
                return Ok(());
            };
            ranges.push((start, end, name));
        }
        ranges.sort_unstable();
        let data_len = u64::try_from(self.data_len).unwrap_or(u64::MAX);
        let mut next = 0;
        for (start, end, name) in ranges {
            let offsets = format!("tensor `{name}` has data_offsets [{start}, {end}]");
            if end > data_len {
                return Err(format!("{offsets}, past the end of the {data_len} bytes of data"));
            } else if end < start {
                return Err(format!("{offsets}, which end before they start"));
            } else if start < next {
                return Err(format!("{offsets}, which overlap the tensor before it, ending at {next}"));
            } else if start > next {
                return Err(format!("{offsets}, which leave bytes {next}..{start} unused"));
            }
            next = end;
        }
        if next < data_len {
            return Err(format!("the tensors end at byte {next} of the data, which has {data_len} bytes"));
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

/// The index, one entry per dimension, of the value at `position` in row-major order of an
/// array of `shape`.
fn unravel(mut position: usize, shape: &[usize]) -> Vec<usize> {
    let mut index = vec![0; shape.len()];
    for (i, &size) in index.iter_mut().zip(shape).rev() {
        if size > 0 {
            *i = position % size;
            position /= size;
        }
    }
    index
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The same tensors and metadata, serialised from fresh `HashMap`s (each with its own
    /// random order), give the same bytes, which parse back to the same content.
    #[test]
    fn the_same_content_gives_the_same_bytes() {
        let weight = ndarray::array![[1.0_f32, -2.0], [0.5, 3.0]].into_dyn();
        let serialize_once = || {
            let tensors = [
                Tensor::of("b.weight".to_owned(), weight.view()),
                Tensor::of("a.bias".to_owned(), weight.view()),
            ];
            let metadata = (0..8).map(|i| (format!("key{i}"), format!("β{i}"))).collect();
            serialize(&tensors, metadata).unwrap_or_default()
        };
        let first = serialize_once();
        for _ in 0..20 {
            assert_eq!(serialize_once(), first);
        }
        let file = TensorFile::parse(&first, None).map_err(|e| e.to_string());
        let file = file.as_ref().map_err(String::as_str);
        assert_eq!(file.map(|f| f.metadata("key7")), Ok(Some("β7")));
        assert_eq!(file.map(|f| f.read::<f32>("b.weight", &[2, 2]).ok()), Ok(Some(weight.clone())));
        let header_length = u64::from_le_bytes(first[..8].try_into().unwrap_or_default()) as usize;
        let header = std::str::from_utf8(&first[8..8 + header_length]).unwrap_or_default();
        assert!(header.starts_with(r#"{"__metadata__":{"key0":"β0","key1""#), "{header}");
        assert!(
            header.contains(r#""a.bias":{"data_offsets":[0,16],"dtype":"F32","shape":[2,2]}"#),
            "{header}"
        );
    }
}

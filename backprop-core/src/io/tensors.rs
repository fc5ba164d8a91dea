//! Named float tensors to and from the bytes of a safetensors file: what
//! [`weights`](super::weights) and the trainer's checkpoints are built on. Written through the
//! `safetensors` crate; read by a parser of this module's own, whose memory is bounded by the
//! file's bytes (see [`TensorFile::parse`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use ndarray::{ArrayD, ArrayViewD, IxDyn};
use safetensors::{Dtype, View};

use super::SafetensorsProblem;
use super::header::{Entry, Header};
use super::options::LoadOptions;
use crate::error::Error;
use crate::float::Float;

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
    header: Header<'a>,
    data: &'a [u8],
    file: Option<&'a Path>,
}

impl<'a> TensorFile<'a> {
    /// Parses `bytes`, read from `file` if given. The header length, the JSON, every tensor's
    /// element type, shape and byte range are checked against the length of `bytes` before
    /// anything else is read, so a lying header cannot make it read or allocate past the file.
    ///
    /// Memory is bounded by the header's bytes, whatever they hold: see [`Header`]. (The
    /// `safetensors` crate's own parser, used before, held the header as serde's generic
    /// `Content` and then in hash maps: up to 22 times the header's size.)
    pub(crate) fn parse(bytes: &'a [u8], file: Option<&'a Path>) -> Result<Self, Error> {
        let format = |message: String| Error::Safetensors {
            file: file.map(Path::to_path_buf),
            problem: SafetensorsProblem::Format { message },
        };
        let (header, data) = Header::parse(bytes).map_err(format)?;
        Ok(TensorFile { header, data, file })
    }

    /// The [`Error::Safetensors`] for `problem` in this file.
    pub(crate) fn error(&self, problem: SafetensorsProblem) -> Error {
        Error::Safetensors { file: self.file.map(Path::to_path_buf), problem }
    }

    /// The value of `key` in the header's `__metadata__`.
    pub(crate) fn metadata(&self, key: &str) -> Option<&str> {
        let metadata = &self.header.metadata;
        let i = metadata.binary_search_by(|(k, _)| k.as_ref().cmp(key)).ok()?;
        metadata.get(i).map(|(_, value)| value.as_ref())
    }

    /// The digest of the file's content, recorded or not: see [`DIGEST_KEY`](super::DIGEST_KEY).
    pub(crate) fn digest(&self) -> String {
        let metadata = self.header.metadata.iter().map(|(k, v)| (k.as_ref(), v.as_ref()));
        let tensors = self.header.tensors.iter().map(|entry| {
            let data = self.data.get(entry.start..entry.end).unwrap_or_default();
            (entry.name.as_ref(), EntryView { entry, data })
        });
        super::digest::digest(metadata, tensors)
    }

    /// Checks the digest the file records, if it records one: `Ok(true)` if it matches the
    /// content, `Ok(false)` if there is none, and a [`SafetensorsProblem::Digest`] error if it
    /// does not match.
    pub(crate) fn check_digest(&self) -> Result<bool, Error> {
        let Some(recorded) = self.metadata(super::DIGEST_KEY) else { return Ok(false) };
        let computed = self.digest();
        if recorded == computed {
            Ok(true)
        } else {
            Err(self.error(SafetensorsProblem::Digest { recorded: recorded.to_owned(), computed }))
        }
    }

    /// This file with its tensors named as `options` maps them for a network whose layers are
    /// `layers` (in order), sorted by their new names; two tensors that map to the same name
    /// are a [`SafetensorsProblem::DuplicateTensor`].
    pub(crate) fn renamed(&self, options: &LoadOptions, layers: &[&str]) -> Result<TensorFile<'a>, Error> {
        let names: Vec<&str> = self.names().collect();
        let mapped = options.map(&names, layers);
        let mut order: Vec<usize> = (0..mapped.len()).collect();
        order.sort_by(|&a, &b| mapped[a].cmp(&mapped[b]).then(names[a].cmp(names[b])));
        let duplicate = order.windows(2).find_map(|pair| match *pair {
            [a, b] if mapped[a] == mapped[b] => Some(SafetensorsProblem::DuplicateTensor {
                tensor: mapped[a].clone(),
                first: names[a].to_owned(),
                second: names[b].to_owned(),
            }),
            _ => None,
        });
        if let Some(problem) = duplicate {
            return Err(self.error(problem));
        }
        let mut tensors: Vec<Entry<'a>> = self
            .header
            .tensors
            .iter()
            .zip(mapped)
            .map(|(entry, name)| Entry { name: Cow::Owned(name), ..entry.clone() })
            .collect();
        tensors.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        let header = Header { tensors, metadata: self.header.metadata.clone() };
        Ok(TensorFile { header, data: self.data, file: self.file })
    }

    /// The names of every tensor in the file, in sorted order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.header.tensors.iter().map(|t| t.name.as_ref())
    }

    /// The entry of the tensor `name`, if the file has one.
    fn entry(&self, name: &str) -> Option<&Entry<'a>> {
        let tensors = &self.header.tensors;
        tensors.binary_search_by(|t| t.name.as_ref().cmp(name)).ok().and_then(|i| tensors.get(i))
    }

    /// The shape of the tensor `name`, if the file has one.
    pub(crate) fn shape(&self, name: &str) -> Option<&[usize]> {
        self.entry(name).map(|entry| &entry.shape[..])
    }

    /// The tensor `name`, which must have `shape`, converted to `F` from F16, BF16, F32 or F64
    /// and checked to be finite. The shape is checked before anything is allocated.
    pub(crate) fn read<F: Float>(&self, name: &str, shape: &[usize]) -> Result<ArrayD<F>, Error> {
        let missing = || SafetensorsProblem::MissingTensor {
            tensor: name.to_owned(),
            shape: shape.to_vec(),
            in_file: self.names().map(str::to_owned).collect(),
            nearest: nearest(name, self.names()).map(str::to_owned),
        };
        let entry = self.entry(name).ok_or_else(|| self.error(missing()))?;
        let found = &entry.shape[..];
        if found != shape {
            let transposed =
                found.len() == 2 && shape.len() == 2 && found[0] == shape[1] && found[1] == shape[0];
            return Err(self.error(SafetensorsProblem::Shape {
                tensor: name.to_owned(),
                expected: shape.to_vec(),
                found: found.to_vec(),
                hint: if transposed {
                    " (its transpose: a weight is stored OUT × IN, as PyTorch's nn.Linear stores it)"
                } else {
                    ""
                },
            }));
        }
        // The ranges were checked against the data when the header was parsed.
        let data = self.data.get(entry.start..entry.end).unwrap_or_default();
        let values: Vec<F> = match entry.dtype {
            Dtype::F64 => decode(data, |b: [u8; 8]| f64::from_le_bytes(b)),
            Dtype::F32 => decode(data, |b: [u8; 4]| f64::from(f32::from_le_bytes(b))),
            Dtype::F16 => decode(data, |b: [u8; 2]| half::f16::from_le_bytes(b).to_f64()),
            Dtype::BF16 => decode(data, |b: [u8; 2]| half::bf16::from_le_bytes(b).to_f64()),
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

/// One tensor of a parsed file with its bytes, as the digest reads it.
struct EntryView<'e, 'a> {
    entry: &'e Entry<'a>,
    data: &'e [u8],
}

impl View for EntryView<'_, '_> {
    fn dtype(&self) -> Dtype {
        self.entry.dtype
    }

    fn shape(&self) -> &[usize] {
        &self.entry.shape
    }

    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(self.data)
    }

    fn data_len(&self) -> usize {
        self.data.len()
    }
}

/// The name among `names` nearest to `name`: the fewest characters to insert, delete or replace
/// (Levenshtein's distance); of several as near, the first. `None` if `names` is empty.
fn nearest<'n>(name: &str, names: impl Iterator<Item = &'n str>) -> Option<&'n str> {
    let target: Vec<char> = name.chars().collect();
    names.min_by_key(|candidate| edit_distance(&target, candidate))
}

/// Levenshtein's distance between `a` and `b`, in one row of `a.len() + 1` counts.
fn edit_distance(a: &[char], b: &str) -> usize {
    let mut row: Vec<usize> = (0..=a.len()).collect();
    for (j, cb) in b.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = j + 1;
        for (i, &ca) in a.iter().enumerate() {
            let above = row[i + 1];
            row[i + 1] = (diagonal + usize::from(ca != cb)).min(above + 1).min(row[i] + 1);
            diagonal = above;
        }
    }
    row[a.len()]
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

    /// Levenshtein's distance against values worked out by hand.
    #[test]
    fn edit_distances() {
        let distance = |a: &str, b: &str| edit_distance(&a.chars().collect::<Vec<_>>(), b);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("flaw", "lawn"), 2);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("out.weight", "out.weight"), 0);
        assert_eq!(distance("out.weight", "out.bias"), 5);
        assert_eq!(distance("hidden1.weight", "11.weight"), 6);
        assert_eq!(distance("hidden1.weight", "0.weight"), 7);
        // Characters, not bytes: é is one.
        assert_eq!(distance("é.weight", "e.weight"), 1);
        assert_eq!(
            nearest("out.weight", ["x.bias", "output.weight", "l1.weight"].into_iter()),
            Some("output.weight")
        );
        // Of two as near, the first.
        assert_eq!(nearest("ab", ["ax", "xb"].into_iter()), Some("ax"));
        assert_eq!(nearest("ab", std::iter::empty()), None);
    }

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

//! Named float tensors to and from the bytes of a safetensors file: what
//! [`weights`](super::weights) and the trainer's checkpoints are built on. Written through the
//! `safetensors` crate; read by a parser of this module's own, whose memory is bounded by the
//! file's bytes (see [`TensorFile::parse`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use ndarray::{ArrayD, ArrayViewD, IxDyn};
use safetensors::{Dtype, View};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::SafetensorsProblem;
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
        let metadata: HashMap<String, String> =
            self.header.metadata.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let tensors = self.header.tensors.iter().map(|entry| {
            let data = self.data.get(entry.start..entry.end).unwrap_or_default();
            (entry.name.as_ref(), EntryView { entry, data })
        });
        super::digest::digest(&metadata, tensors)
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

    /// The names of every tensor in the file, in sorted order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.header.tensors.iter().map(|t| t.name.as_ref())
    }

    /// The tensor `name`, which must have `shape`, converted to `F` from F16, BF16, F32 or F64
    /// and checked to be finite. The shape is checked before anything is allocated.
    pub(crate) fn read<F: Float>(&self, name: &str, shape: &[usize]) -> Result<ArrayD<F>, Error> {
        let missing = || SafetensorsProblem::MissingTensor { tensor: name.to_owned(), shape: shape.to_vec() };
        let tensors = &self.header.tensors;
        let index =
            tensors.binary_search_by(|t| t.name.as_ref().cmp(name)).map_err(|_| self.error(missing()))?;
        let entry = tensors.get(index).ok_or_else(|| self.error(missing()))?;
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

/// The format's limit on the header's length, in bytes (as the `safetensors` crate's).
const MAX_HEADER: usize = 100_000_000;

/// The most entries `__metadata__` may have. Files written by this library have about ten,
/// PyTorch's one (`format`); each entry costs about 48 bytes however short it is, so without a
/// limit a header of `"":"",` repeated would cost eight times its size.
pub(crate) const MAX_METADATA: usize = 1024;

/// The most dimensions a tensor may have. A dimension written as `0,` takes 2 bytes of JSON and
/// 8 in memory; with this limit, a tensor's entry costs at most about twice its bytes.
pub(crate) const MAX_RANK: usize = 16;

/// One tensor's entry in the header. 64 bytes, for at least 49 of JSON
/// (`"":{"dtype":"U8","shape":[],"data_offsets":[0,0]},`).
struct Entry<'a> {
    /// The name, borrowed from the header unless it holds escapes.
    name: Cow<'a, str>,
    shape: Box<[usize]>,
    /// The byte range in the data after the header.
    start: usize,
    end: usize,
    /// Its position in the header, so that of two entries of the same name the last counts.
    order: u32,
    dtype: Dtype,
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

/// A safetensors header, parsed: the tensors sorted by name, and the `__metadata__` entries
/// sorted by key; of two of the same name, the last in the file counts (as in the `safetensors`
/// crate, the format's reference).
///
/// Its memory is bounded by its bytes: it is parsed twice, by serde visitors that allocate
/// nothing they do not keep. The first pass counts the tensors and the metadata entries (at
/// most [`MAX_METADATA`]) and checks nothing else; the second allocates exactly that many
/// entries and fills them, refusing at once a metadata value that is not a string, a tensor
/// entry that is not an object of a known `dtype`, a `shape` of at most [`MAX_RANK`] sizes and
/// two `data_offsets`, or whose byte range is not its shape's size. Names and strings are
/// borrowed from the bytes where they hold no escapes, and anything else is skipped unread
/// (`IgnoredAny`). So the tensors cost at most about twice the header's bytes, and the
/// metadata at most [`MAX_METADATA`] × 48 bytes beside its strings' own bytes.
struct Header<'a> {
    tensors: Vec<Entry<'a>>,
    metadata: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> Header<'a> {
    /// The header of `bytes` and the data after it, checked: the tensors' byte ranges tile
    /// the data (see [`Header::check`]).
    fn parse(bytes: &'a [u8]) -> Result<(Header<'a>, &'a [u8]), String> {
        let Some(length) = bytes.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()) else {
            return Err(format!(
                "the file has {} bytes, fewer than the 8 of the header's length",
                bytes.len()
            ));
        };
        let length = u64::from_le_bytes(length);
        let end = usize::try_from(length).ok().filter(|&n| n <= MAX_HEADER).and_then(|n| n.checked_add(8));
        let Some(end) = end else {
            return Err(format!(
                "the header's length is {length} bytes, over the format's limit of {MAX_HEADER}"
            ));
        };
        let (Some(json), Some(data)) = (bytes.get(8..end), bytes.get(end..)) else {
            return Err(format!(
                "the header's length is {length} bytes, past the end of the file ({} bytes after the length)",
                bytes.len() - 8
            ));
        };
        let json_error = |e: serde_json::Error| format!("the header: {e}");
        let mut counts = Counts::default();
        let mut counter = serde_json::Deserializer::from_slice(json);
        serde::Deserializer::deserialize_map(&mut counter, &mut counts).map_err(json_error)?;
        counter.end().map_err(json_error)?;
        let mut header = Header {
            tensors: Vec::with_capacity(counts.tensors),
            metadata: Vec::with_capacity(counts.metadata),
        };
        let mut parser = serde_json::Deserializer::from_slice(json);
        let mut fill = Fill { header: &mut header, data_len: data.len(), metadata_seen: false };
        serde::Deserializer::deserialize_map(&mut parser, &mut fill).map_err(json_error)?;
        parser.end().map_err(json_error)?;
        header.deduplicate();
        header.check(data.len())?;
        Ok((header, data))
    }

    /// Sorts the tensors and the metadata by name, keeping the last of each name.
    fn deduplicate(&mut self) {
        self.tensors.sort_unstable_by(|a, b| a.name.cmp(&b.name).then(b.order.cmp(&a.order)));
        self.tensors.dedup_by(|later, kept| later.name == kept.name);
        self.metadata.reverse();
        self.metadata.sort_by(|a, b| a.0.cmp(&b.0));
        self.metadata.dedup_by(|later, kept| later.0 == kept.0);
    }

    /// Checks that the tensors' `data_offsets` tile the data from its first byte to its last,
    /// in the order of the offsets — no overlap, no gap, nothing past the end — naming the
    /// first tensor (in that order) where they do not.
    fn check(&self, data_len: usize) -> Result<(), String> {
        let mut order: Vec<u32> = (0..self.tensors.len()).filter_map(|i| u32::try_from(i).ok()).collect();
        let range = |i: u32| self.tensors.get(i as usize).map(|t| (t.start, t.end, t.name.as_ref()));
        order.sort_unstable_by_key(|&i| range(i));
        let mut next = 0;
        for (start, end, name) in order.into_iter().filter_map(range) {
            let offsets = format!("tensor `{name}` has data_offsets [{start}, {end}]");
            if end > data_len {
                return Err(format!("{offsets}, past the end of the {data_len} bytes of data"));
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
}

/// The first pass over the header: counts the tensors and the metadata entries.
#[derive(Default)]
struct Counts {
    tensors: usize,
    metadata: usize,
}

impl<'de> Visitor<'de> for &mut Counts {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(Text)? {
            if key == "__metadata__" {
                map.next_value_seed(CountMetadata(&mut self.metadata))?;
            } else {
                map.next_value::<IgnoredAny>()?;
                self.tensors += 1;
            }
        }
        Ok(())
    }
}

/// Counts the entries of a `__metadata__` (adding them to its count), up to [`MAX_METADATA`].
struct CountMetadata<'c>(&'c mut usize);

impl<'de> DeserializeSeed<'de> for CountMetadata<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CountMetadata<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`__metadata__` as null or an object of strings")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {
            *self.0 += 1;
            if *self.0 > MAX_METADATA {
                return Err(de::Error::custom(format_args!(
                    "`__metadata__` has more than {MAX_METADATA} entries, the most this reader takes"
                )));
            }
        }
        Ok(())
    }
}

/// The second pass over the header: fills it.
struct Fill<'h, 'a> {
    header: &'h mut Header<'a>,
    data_len: usize,
    metadata_seen: bool,
}

impl<'a> Visitor<'a> for &mut Fill<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(Text)? {
            if key == "__metadata__" {
                if std::mem::replace(&mut self.metadata_seen, true) {
                    return Err(de::Error::custom("`__metadata__` appears twice"));
                }
                map.next_value_seed(FillMetadata(&mut self.header.metadata))?;
            } else {
                let order = u32::try_from(self.header.tensors.len())
                    .map_err(|_| de::Error::custom("too many tensors"))?;
                let seed = EntrySeed { name: key, order, data_len: self.data_len };
                let entry = map.next_value_seed(seed)?;
                self.header.tensors.push(entry);
            }
        }
        Ok(())
    }
}

/// Fills the metadata from a `__metadata__` that is null or an object of strings.
struct FillMetadata<'m, 'a>(&'m mut Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> DeserializeSeed<'a> for FillMetadata<'_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'a>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'a> Visitor<'a> for FillMetadata<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`__metadata__` as null or an object of strings")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(Text)? {
            if self.0.len() >= MAX_METADATA {
                return Err(de::Error::custom(format_args!(
                    "`__metadata__` has more than {MAX_METADATA} entries, the most this reader takes"
                )));
            }
            let value = map.next_value_seed(MetadataValue(&key))?;
            self.0.push((key, value));
        }
        Ok(())
    }
}

/// The value of the metadata entry named `.0`: a string, borrowed where it can be.
struct MetadataValue<'k>(&'k str);

impl<'a> DeserializeSeed<'a> for MetadataValue<'_> {
    type Value = Cow<'a, str>;

    fn deserialize<D: Deserializer<'a>>(self, deserializer: D) -> Result<Cow<'a, str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'a> Visitor<'a> for MetadataValue<'_> {
    type Value = Cow<'a, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a string as the value of the metadata entry `{}`", self.0)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'a str) -> Result<Cow<'a, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'a, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// One tensor's entry: an object with `dtype`, `shape` and `data_offsets` (other fields are
/// skipped), whose byte range is the size of its shape.
struct EntrySeed<'a> {
    name: Cow<'a, str>,
    order: u32,
    data_len: usize,
}

impl<'a> DeserializeSeed<'a> for EntrySeed<'a> {
    type Value = Entry<'a>;

    fn deserialize<D: Deserializer<'a>>(self, deserializer: D) -> Result<Entry<'a>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'a> Visitor<'a> for EntrySeed<'a> {
    type Value = Entry<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the entry of tensor `{}` as a JSON object", self.name)
    }

    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<Entry<'a>, A::Error> {
        let name = &self.name;
        let (mut dtype, mut shape, mut offsets) = (None, None, None);
        let twice =
            |field: &str| de::Error::custom(format_args!("tensor `{name}` has the field `{field}` twice"));
        while let Some(key) = map.next_key_seed(Text)? {
            match key.as_ref() {
                "dtype" if dtype.is_some() => return Err(twice("dtype")),
                "dtype" => {
                    let text = map.next_value_seed(Text)?;
                    dtype = Some(Dtype::deserialize(de::value::StrDeserializer::<A::Error>::new(&text))?);
                }
                "shape" if shape.is_some() => return Err(twice("shape")),
                "shape" => shape = Some(map.next_value_seed(ShapeSeed(name))?),
                "data_offsets" if offsets.is_some() => return Err(twice("data_offsets")),
                "data_offsets" => offsets = Some(map.next_value::<(u64, u64)>()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let missing = |field: &str| de::Error::custom(format_args!("tensor `{name}` has no `{field}`"));
        let dtype = dtype.ok_or_else(|| missing("dtype"))?;
        let shape: Box<[usize]> = shape.ok_or_else(|| missing("shape"))?;
        let (start, end) = offsets.ok_or_else(|| missing("data_offsets"))?;
        let problem = |what: String| de::Error::custom(format_args!("tensor `{name}` {what}"));
        let too_far = || {
            problem(format!(
                "has data_offsets [{start}, {end}], past the end of the {} bytes of data",
                self.data_len
            ))
        };
        let (start, end) = match (usize::try_from(start), usize::try_from(end)) {
            (Ok(s), Ok(e)) if e <= self.data_len => (s, e),
            _ => return Err(too_far()),
        };
        if end < start {
            return Err(problem(format!("has data_offsets [{start}, {end}], which end before they start")));
        }
        let bits = shape.iter().try_fold(dtype.bitsize(), |n, &d| n.checked_mul(d));
        let bytes = bits.filter(|b| b % 8 == 0).map(|b| b / 8);
        if bytes != Some(end - start) {
            return Err(problem(format!(
                "of shape {shape:?} and dtype {dtype:?} has data_offsets [{start}, {end}], {} bytes, which is not its size",
                end - start
            )));
        }
        Ok(Entry { name: self.name, shape, start, end, order: self.order, dtype })
    }
}

/// A JSON string, borrowed from the header where it holds no escapes.
struct Text;

impl<'a> DeserializeSeed<'a> for Text {
    type Value = Cow<'a, str>;

    fn deserialize<D: Deserializer<'a>>(self, deserializer: D) -> Result<Cow<'a, str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'a> Visitor<'a> for Text {
    type Value = Cow<'a, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'a str) -> Result<Cow<'a, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'a, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// A tensor's shape: an array of at most [`MAX_RANK`] sizes.
struct ShapeSeed<'n>(&'n str);

impl<'a> DeserializeSeed<'a> for ShapeSeed<'_> {
    type Value = Box<[usize]>;

    fn deserialize<D: Deserializer<'a>>(self, deserializer: D) -> Result<Box<[usize]>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'a> Visitor<'a> for ShapeSeed<'_> {
    type Value = Box<[usize]>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the shape of tensor `{}` as an array of sizes", self.0)
    }

    fn visit_seq<A: SeqAccess<'a>>(self, mut seq: A) -> Result<Box<[usize]>, A::Error> {
        let mut shape = [0usize; MAX_RANK];
        let mut rank = 0;
        while let Some(size) = seq.next_element::<u64>()? {
            let slot = shape.get_mut(rank).ok_or_else(|| {
                de::Error::custom(format_args!(
                    "tensor `{}` has more than {MAX_RANK} dimensions, the most this reader takes",
                    self.0
                ))
            })?;
            *slot = usize::try_from(size).map_err(|_| {
                de::Error::custom(format_args!("tensor `{}` has a size {size} too large", self.0))
            })?;
            rank += 1;
        }
        Ok(shape.get(..rank).unwrap_or_default().into())
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

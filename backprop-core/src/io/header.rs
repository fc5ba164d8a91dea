//! The header of a safetensors file, parsed with memory bounded by its bytes: what
//! [`TensorFile`](super::tensors::TensorFile) reads a file through.

use std::borrow::Cow;
use std::fmt;

use safetensors::Dtype;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

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
#[derive(Clone)]
pub(super) struct Entry<'a> {
    /// The name, borrowed from the header unless it holds escapes.
    pub(super) name: Cow<'a, str>,
    pub(super) shape: Box<[usize]>,
    /// The byte range in the data after the header.
    pub(super) start: usize,
    pub(super) end: usize,
    /// Its position in the header, so that of two entries of the same name the last counts.
    pub(super) order: u32,
    pub(super) dtype: Dtype,
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
pub(super) struct Header<'a> {
    pub(super) tensors: Vec<Entry<'a>>,
    pub(super) metadata: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> Header<'a> {
    /// The header of `bytes` and the data after it, checked: the tensors' byte ranges tile
    /// the data (see [`Header::check`]).
    pub(super) fn parse(bytes: &'a [u8]) -> Result<(Header<'a>, &'a [u8]), String> {
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

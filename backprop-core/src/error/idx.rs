//! What can be wrong with an IDX file (the format of MNIST and Fashion-MNIST), beside the error
//! type that carries it; the reader is [`crate::data::idx`].

/// What is wrong with an IDX file; [`Error::Idx`](super::Error::Idx) names the file.
///
/// Byte counts are of the file's content: for a gzipped file, after decompression.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdxProblem {
    /// The content ends inside the header.
    #[error("the content ends after {found} bytes, inside the header, which is {expected} bytes long")]
    ShortHeader {
        /// The length of the header (at least the 4 bytes of the magic number).
        expected: u64,
        /// The length of the content.
        found: u64,
    },

    /// The first two bytes are not zero: this is not an IDX file.
    #[error(
        "not an IDX file: it starts with the bytes {magic:02x?}, but an IDX file starts with two zero bytes, a type code and the number of dimensions"
    )]
    NotIdx {
        /// The first four bytes.
        magic: [u8; 4],
    },

    /// The type code (third byte) is not one the format defines.
    #[error(
        "unknown IDX type code 0x{code:02x}: the format defines 0x08 (u8), 0x09 (i8), 0x0b (i16), 0x0c (i32), 0x0d (f32) and 0x0e (f64)"
    )]
    UnknownType {
        /// The type code found.
        code: u8,
    },

    /// A valid IDX file, but not of the type and number of dimensions asked for.
    #[error("expected magic 0x{expected:08x} for {what}, found 0x{found:08x}")]
    UnexpectedMagic {
        /// What the file was read as: `"images (u8, 3 dimensions)"`, `"labels (u8, 1 dimension)"`.
        what: &'static str,
        /// The magic number expected.
        expected: u32,
        /// The magic number found.
        found: u32,
    },

    /// The sizes in the header make more bytes than this machine can address.
    #[error("the header's sizes {dims:?} make more bytes of data than this machine can address")]
    TooLarge {
        /// The sizes in the header.
        dims: Vec<u32>,
    },

    /// The header promises more content than the reader may take.
    #[error(
        "its header (sizes {dims:?}) promises {promised} bytes of content, more than the limit of {limit}: raise the limit with `IdxOptions::max_bytes` if the file is what you expect"
    )]
    OverLimit {
        /// The sizes in the header.
        dims: Vec<usize>,
        /// The length of the content the header promises, header included.
        promised: u64,
        /// The limit, [`IdxOptions::max_bytes`](crate::data::idx::IdxOptions::max_bytes).
        limit: u64,
    },

    /// The content ends before all the values its header promises.
    #[error(
        "the content ends after {found} bytes, but its header (type {dtype}, sizes {dims:?}) promises {expected}"
    )]
    Truncated {
        /// The type of the values.
        dtype: IdxType,
        /// The sizes in the header.
        dims: Vec<usize>,
        /// The length the header promises, header included.
        expected: u64,
        /// The length of the content.
        found: u64,
    },

    /// The content goes on after all the values its header promises.
    #[error(
        "the content goes on past the {expected} bytes its header (type {dtype}, sizes {dims:?}) promises"
    )]
    TrailingBytes {
        /// The type of the values.
        dtype: IdxType,
        /// The sizes in the header.
        dims: Vec<usize>,
        /// The length the header promises, header included.
        expected: u64,
    },

    /// The file starts like a gzip file, but its compressed stream is cut short or corrupt.
    #[error(
        "the file is gzipped, but its compressed stream is cut short or corrupt after {decompressed} bytes of content: {message}"
    )]
    Gzip {
        /// How many bytes had been decompressed when decompression failed.
        decompressed: u64,
        /// The decompressor's error, printed.
        message: String,
    },

    /// The images do not have the size a data set needs.
    #[error(
        "the images are {found_rows}×{found_cols} pixels, but {expected_rows}×{expected_cols} are needed"
    )]
    ImageSize {
        /// The number of rows needed.
        expected_rows: usize,
        /// The number of columns needed.
        expected_cols: usize,
        /// The number of rows found.
        found_rows: usize,
        /// The number of columns found.
        found_cols: usize,
    },

    /// A label is not below the number of classes of the data set.
    #[error(
        "label {index} is {label}, but the data set has {classes} classes, so labels must be in 0..{classes}"
    )]
    LabelOutOfRange {
        /// The position of the label in the file.
        index: usize,
        /// The label found.
        label: usize,
        /// The number of classes.
        classes: usize,
    },
}

/// The type of the values of an IDX file, given by its type code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdxType {
    /// Unsigned bytes, type code 0x08.
    U8,
    /// Signed bytes, type code 0x09.
    I8,
    /// Big-endian 16-bit signed integers, type code 0x0B.
    I16,
    /// Big-endian 32-bit signed integers, type code 0x0C.
    I32,
    /// Big-endian IEEE 754 single-precision floats, type code 0x0D.
    F32,
    /// Big-endian IEEE 754 double-precision floats, type code 0x0E.
    F64,
}

impl IdxType {
    /// The type with type code `code`, or `None` if the format defines no such code.
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0x08 => IdxType::U8,
            0x09 => IdxType::I8,
            0x0B => IdxType::I16,
            0x0C => IdxType::I32,
            0x0D => IdxType::F32,
            0x0E => IdxType::F64,
            _ => return None,
        })
    }

    /// The type code, the third byte of the magic number.
    pub fn code(self) -> u8 {
        match self {
            IdxType::U8 => 0x08,
            IdxType::I8 => 0x09,
            IdxType::I16 => 0x0B,
            IdxType::I32 => 0x0C,
            IdxType::F32 => 0x0D,
            IdxType::F64 => 0x0E,
        }
    }

    /// The size of one value in bytes.
    pub fn size(self) -> usize {
        match self {
            IdxType::U8 | IdxType::I8 => 1,
            IdxType::I16 => 2,
            IdxType::I32 | IdxType::F32 => 4,
            IdxType::F64 => 8,
        }
    }
}

impl core::fmt::Display for IdxType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            IdxType::U8 => "u8",
            IdxType::I8 => "i8",
            IdxType::I16 => "i16",
            IdxType::I32 => "i32",
            IdxType::F32 => "f32",
            IdxType::F64 => "f64",
        })
    }
}

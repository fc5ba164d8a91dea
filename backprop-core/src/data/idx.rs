//! The IDX file format of MNIST and Fashion-MNIST, gzipped or not.
//!
//! An IDX file (Y. LeCun, C. Cortes and C. Burges, *The MNIST database of handwritten digits*,
//! section "file formats") is a header and then the values of an n-dimensional array:
//!
//! - the magic number, 4 bytes: two zero bytes, the type code of the values (0x08 `u8`,
//!   0x09 `i8`, 0x0B `i16`, 0x0C `i32`, 0x0D `f32`, 0x0E `f64`) and the number of
//!   dimensions n;
//! - n sizes, each a big-endian `u32`;
//! - the values, big-endian, in row-major order (the last index changes fastest).
//!
//! Images files are `u8` with 3 dimensions (magic 0x00000803: count × rows × columns), labels
//! files `u8` with 1 dimension (magic 0x00000801). A file that starts with the gzip magic bytes
//! 1f 8b is decompressed as it is read, so `train-images-idx3-ubyte.gz` and its decompressed
//! `train-images-idx3-ubyte` read alike.
//!
//! The readers check the header against the content: a file that ends early or goes on past
//! what its header promises, an unknown type code, or sizes whose product overflows is an
//! [`Error::Idx`] naming the file and the [`IdxProblem`]. Memory grows only with the data
//! actually read, so a corrupt header cannot make the reader allocate gigabytes; nothing is
//! decompressed past what the header promises (and one byte, to find content that goes on);
//! and a header that promises more than a limit ([`IdxOptions::max_bytes`], 1 GiB unless set:
//! [`read_with`]) is refused before anything is decompressed, so a small gzipped file cannot
//! make the reader take gigabytes ([`IdxProblem::OverLimit`]).

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::bufread::MultiGzDecoder;
use ndarray::Array2;

use super::{Dataset, check_labels, io_error};
use crate::error::Error;
pub use crate::error::{IdxProblem, IdxType};
use crate::float::Float;

/// The magic number of an images file: `u8` values, 3 dimensions.
pub const IMAGES_MAGIC: u32 = 0x0000_0803;

/// The magic number of a labels file: `u8` values, 1 dimension.
pub const LABELS_MAGIC: u32 = 0x0000_0801;

/// The values of an IDX file, in row-major order, in the type the file declares.
#[derive(Clone, Debug, PartialEq)]
pub enum IdxData {
    /// Type code 0x08.
    U8(Vec<u8>),
    /// Type code 0x09.
    I8(Vec<i8>),
    /// Type code 0x0B.
    I16(Vec<i16>),
    /// Type code 0x0C.
    I32(Vec<i32>),
    /// Type code 0x0D.
    F32(Vec<f32>),
    /// Type code 0x0E.
    F64(Vec<f64>),
}

impl IdxData {
    /// The type of the values.
    pub fn dtype(&self) -> IdxType {
        match self {
            IdxData::U8(_) => IdxType::U8,
            IdxData::I8(_) => IdxType::I8,
            IdxData::I16(_) => IdxType::I16,
            IdxData::I32(_) => IdxType::I32,
            IdxData::F32(_) => IdxType::F32,
            IdxData::F64(_) => IdxType::F64,
        }
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        match self {
            IdxData::U8(v) => v.len(),
            IdxData::I8(v) => v.len(),
            IdxData::I16(v) => v.len(),
            IdxData::I32(v) => v.len(),
            IdxData::F32(v) => v.len(),
            IdxData::F64(v) => v.len(),
        }
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values widened to `f64` (exactly: every type of the format fits).
    pub fn to_f64(&self) -> Vec<f64> {
        match self {
            IdxData::U8(v) => v.iter().map(|&x| f64::from(x)).collect(),
            IdxData::I8(v) => v.iter().map(|&x| f64::from(x)).collect(),
            IdxData::I16(v) => v.iter().map(|&x| f64::from(x)).collect(),
            IdxData::I32(v) => v.iter().map(|&x| f64::from(x)).collect(),
            IdxData::F32(v) => v.iter().map(|&x| f64::from(x)).collect(),
            IdxData::F64(v) => v.clone(),
        }
    }
}

/// An n-dimensional array read from an IDX file.
#[derive(Clone, Debug, PartialEq)]
pub struct IdxArray {
    /// The sizes of the dimensions, from the header.
    pub dims: Vec<usize>,
    /// The values, as many as the product of `dims`.
    pub data: IdxData,
}

impl IdxArray {
    /// The magic number of the file it was read from: type code in the third byte, number of
    /// dimensions in the fourth.
    pub fn magic(&self) -> u32 {
        (u32::from(self.data.dtype().code()) << 8) | (self.dims.len() as u32 & 0xFF)
    }
}

/// How the IDX readers may read a file: by default, at most [`DEFAULT_MAX_BYTES`] (1 GiB) of
/// content, after decompression.
///
/// ```
/// use backprop_core::data::idx::{DEFAULT_MAX_BYTES, IdxOptions};
///
/// let options = IdxOptions::new().max_bytes(4 << 30); // Fashion-MNIST is 47 MB; this allows 4 GiB
/// assert_eq!(IdxOptions::default().max_bytes, DEFAULT_MAX_BYTES);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IdxOptions {
    /// The most content, in bytes after decompression and header included, that a file's
    /// header may promise; a file that promises more is [`IdxProblem::OverLimit`].
    pub max_bytes: u64,
}

/// The default [`IdxOptions::max_bytes`]: 1 GiB.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

impl Default for IdxOptions {
    fn default() -> Self {
        IdxOptions { max_bytes: DEFAULT_MAX_BYTES }
    }
}

impl IdxOptions {
    /// The default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// These options, with at most `max_bytes` of content.
    pub fn max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }
}

/// Reads the IDX file at `path`, gzipped or not, whatever its type and number of dimensions,
/// with the default [`IdxOptions`].
pub fn read(path: impl AsRef<Path>) -> Result<IdxArray, Error> {
    read_with(path, &IdxOptions::default())
}

/// [`read`] with `options`: a header that promises more than `options.max_bytes` of content is
/// refused before anything past it is read or decompressed.
pub fn read_with(path: impl AsRef<Path>, options: &IdxOptions) -> Result<IdxArray, Error> {
    let path = path.as_ref();
    let mut reader = Content::open(path)?;
    let fail = |problem| Error::Idx { path: path.to_path_buf(), problem };

    let mut magic = [0u8; 4];
    let found = reader.fill(&mut magic)?;
    if found < magic.len() {
        return Err(fail(IdxProblem::ShortHeader { expected: 4, found: found as u64 }));
    }
    if magic[0] != 0 || magic[1] != 0 {
        return Err(fail(IdxProblem::NotIdx { magic }));
    }
    let dtype =
        IdxType::from_code(magic[2]).ok_or_else(|| fail(IdxProblem::UnknownType { code: magic[2] }))?;
    let rank = usize::from(magic[3]);
    let header_len = 4 + 4 * rank as u64;

    let mut sizes = vec![0u8; 4 * rank];
    let found = reader.fill(&mut sizes)?;
    if found < sizes.len() {
        return Err(fail(IdxProblem::ShortHeader { expected: header_len, found: 4 + found as u64 }));
    }
    let dims32: Vec<u32> =
        sizes.chunks_exact(4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]])).collect();
    let too_large = || fail(IdxProblem::TooLarge { dims: dims32.clone() });
    let dims = dims32.iter().map(|&d| usize::try_from(d).ok()).collect::<Option<Vec<usize>>>();
    let dims = dims.ok_or_else(too_large)?;
    let data_len = dims
        .iter()
        .try_fold(dtype.size(), |len, &d| len.checked_mul(d))
        .filter(|&len| len <= isize::MAX as usize)
        .ok_or_else(too_large)?;
    let expected = header_len + data_len as u64;
    if expected > options.max_bytes {
        return Err(fail(IdxProblem::OverLimit { dims, promised: expected, limit: options.max_bytes }));
    }

    let bytes = reader.take_exact(data_len)?;
    if bytes.len() < data_len {
        let found = header_len + bytes.len() as u64;
        return Err(fail(IdxProblem::Truncated { dtype, dims, expected, found }));
    }
    if reader.fill(&mut [0u8; 1])? > 0 {
        return Err(fail(IdxProblem::TrailingBytes { dtype, dims, expected }));
    }
    Ok(IdxArray { dims, data: decode(dtype, bytes) })
}

/// The values of type `dtype` in the big-endian `bytes`.
fn decode(dtype: IdxType, bytes: Vec<u8>) -> IdxData {
    fn each<const N: usize, T>(bytes: &[u8], from: fn([u8; N]) -> T) -> Vec<T> {
        bytes.chunks_exact(N).map(|b| from(b.try_into().unwrap_or([0; N]))).collect()
    }
    match dtype {
        IdxType::U8 => IdxData::U8(bytes),
        IdxType::I8 => IdxData::I8(bytes.into_iter().map(|b| b as i8).collect()),
        IdxType::I16 => IdxData::I16(each(&bytes, i16::from_be_bytes)),
        IdxType::I32 => IdxData::I32(each(&bytes, i32::from_be_bytes)),
        IdxType::F32 => IdxData::F32(each(&bytes, f32::from_be_bytes)),
        IdxType::F64 => IdxData::F64(each(&bytes, f64::from_be_bytes)),
    }
}

/// Reads an images file (magic 0x00000803: `u8`, count × rows × columns) into a matrix with one
/// image per row, its pixels in row-major order scaled from 0..=255 to [0, 1] (x / 255). The
/// matrix takes 4 (`f32`) or 8 (`f64`) bytes per pixel of the file.
pub fn read_images<F: Float>(path: impl AsRef<Path>) -> Result<Array2<F>, Error> {
    read_images_with(path, &IdxOptions::default())
}

/// [`read_images`] with `options` (see [`read_with`]).
pub fn read_images_with<F: Float>(path: impl AsRef<Path>, options: &IdxOptions) -> Result<Array2<F>, Error> {
    let path = path.as_ref();
    images(path, read_with(path, options)?, None)
}

/// Reads a labels file (magic 0x00000801: `u8`, one dimension) into one label per entry.
pub fn read_labels(path: impl AsRef<Path>) -> Result<Vec<usize>, Error> {
    read_labels_with(path, &IdxOptions::default())
}

/// [`read_labels`] with `options` (see [`read_with`]).
pub fn read_labels_with(path: impl AsRef<Path>, options: &IdxOptions) -> Result<Vec<usize>, Error> {
    let path = path.as_ref();
    labels(path, read_with(path, options)?)
}

/// Reads an images file and its labels file ([`read_images`], [`read_labels`]) into a data set
/// with the class names `classes`. The files must hold as many images as labels
/// ([`Error::ImageLabelCount`]) and every label must be below `classes.len()`.
///
/// ```no_run
/// use backprop_core::data::idx;
///
/// let digits: Vec<String> = (0..10).map(|d| d.to_string()).collect();
/// let mnist = idx::read_dataset::<f32>(
///     "mnist/train-images-idx3-ubyte.gz",
///     "mnist/train-labels-idx1-ubyte.gz",
///     digits,
/// )?;
/// assert_eq!(mnist.features(), 784);
/// # Ok::<(), backprop_core::Error>(())
/// ```
pub fn read_dataset<F: Float>(
    images: impl AsRef<Path>,
    labels: impl AsRef<Path>,
    classes: Vec<String>,
) -> Result<Dataset<F>, Error> {
    read_pair(images.as_ref(), labels.as_ref(), classes, None)
}

/// [`read_dataset`], with the images required to be `size` = (rows, columns) pixels when given.
pub(crate) fn read_pair<F: Float>(
    images_path: &Path,
    labels_path: &Path,
    classes: Vec<String>,
    size: Option<(usize, usize)>,
) -> Result<Dataset<F>, Error> {
    let labels = labels(labels_path, read(labels_path)?)?;
    if let Err(Error::LabelOutOfRange { sample, label, classes }) = check_labels(&labels, classes.len()) {
        let problem = IdxProblem::LabelOutOfRange { index: sample, label, classes };
        return Err(Error::Idx { path: labels_path.to_path_buf(), problem });
    }
    let x = images(images_path, read(images_path)?, size)?;
    if x.nrows() != labels.len() {
        return Err(Error::ImageLabelCount {
            images_path: images_path.to_path_buf(),
            images: x.nrows(),
            labels_path: labels_path.to_path_buf(),
            labels: labels.len(),
        });
    }
    Dataset::new(x, labels, classes)
}

/// The images of `array`, read from `path`, one per row, scaled to [0, 1].
fn images<F: Float>(path: &Path, array: IdxArray, size: Option<(usize, usize)>) -> Result<Array2<F>, Error> {
    let fail = |problem| Error::Idx { path: path.to_path_buf(), problem };
    let (&[count, rows, cols], IdxData::U8(pixels)) = (array.dims.as_slice(), &array.data) else {
        let (what, expected, found) = ("images (u8, 3 dimensions)", IMAGES_MAGIC, array.magic());
        return Err(fail(IdxProblem::UnexpectedMagic { what, expected, found }));
    };
    if let Some((expected_rows, expected_cols)) = size.filter(|&s| s != (rows, cols)) {
        let problem =
            IdxProblem::ImageSize { expected_rows, expected_cols, found_rows: rows, found_cols: cols };
        return Err(fail(problem));
    }
    // p / 255 rounded once to F, looked up rather than computed for each of the pixels.
    let scaled: Vec<F> = (0..=255u8).map(|p| F::of(f64::from(p) / 255.0)).collect();
    let values = pixels.iter().map(|&p| scaled[usize::from(p)]).collect();
    let dims = array.dims.iter().map(|&d| d as u32).collect();
    Array2::from_shape_vec((count, rows * cols), values).map_err(|_| fail(IdxProblem::TooLarge { dims }))
}

/// The labels of `array`, read from `path`.
fn labels(path: &Path, array: IdxArray) -> Result<Vec<usize>, Error> {
    let found = array.magic();
    match (array.dims.len(), array.data) {
        (1, IdxData::U8(labels)) => Ok(labels.into_iter().map(usize::from).collect()),
        _ => {
            let problem = IdxProblem::UnexpectedMagic {
                what: "labels (u8, 1 dimension)",
                expected: LABELS_MAGIC,
                found,
            };
            Err(Error::Idx { path: path.to_path_buf(), problem })
        }
    }
}

/// The content of a file being read, decompressed if it is gzipped.
struct Content {
    path: PathBuf,
    reader: Box<dyn Read>,
    gzip: bool,
    /// The bytes of content read so far.
    read: u64,
}

impl Content {
    /// Opens `path`, and decompresses it if it starts with the gzip magic bytes 1f 8b.
    fn open(path: &Path) -> Result<Self, Error> {
        let mut file = BufReader::new(File::open(path).map_err(|e| io_error(path, &e))?);
        let mut start = [0u8; 2];
        let mut raw =
            Content { path: path.to_path_buf(), reader: Box::new(io::empty()), gzip: false, read: 0 };
        let mut found = 0;
        while found < start.len() {
            match file.read(&mut start[found..]) {
                Ok(0) => break,
                Ok(n) => found += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_error(path, &e)),
            }
        }
        let start = start[..found].to_vec();
        raw.gzip = start == [0x1f, 0x8b];
        let chained = BufReader::new(io::Cursor::new(start).chain(file));
        raw.reader = if raw.gzip { Box::new(MultiGzDecoder::new(chained)) } else { Box::new(chained) };
        Ok(raw)
    }

    /// Reads until `buf` is full or the content ends; returns how many bytes were read.
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut found = 0;
        while found < buf.len() {
            match self.reader.read(&mut buf[found..]) {
                Ok(0) => break,
                Ok(n) => {
                    found += n;
                    self.read += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.error(&e)),
            }
        }
        Ok(found)
    }

    /// Reads the next `len` bytes, or all that is left if fewer. The buffer grows with what is
    /// read, not with `len`, which comes from a header that may be corrupt.
    fn take_exact(&mut self, len: usize) -> Result<Vec<u8>, Error> {
        const CHUNK: usize = 1 << 20;
        let mut bytes = Vec::new();
        while bytes.len() < len {
            let start = bytes.len();
            let step = (len - start).min(CHUNK);
            bytes.resize(start + step, 0);
            let found = self.fill(&mut bytes[start..])?;
            if found < step {
                bytes.truncate(start + found);
                break;
            }
        }
        Ok(bytes)
    }

    /// The error for `e`, met while reading: a gzip stream that does not decompress is an
    /// [`IdxProblem::Gzip`], anything else an [`Error::Io`].
    fn error(&self, e: &io::Error) -> Error {
        let corrupt = matches!(
            e.kind(),
            io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
        );
        if self.gzip && corrupt {
            let problem = IdxProblem::Gzip { decompressed: self.read, message: e.to_string() };
            Error::Idx { path: self.path.clone(), problem }
        } else {
            io_error(&self.path, e)
        }
    }
}

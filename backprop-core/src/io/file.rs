//! Reading a file whole, and replacing a file atomically.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::Error;

/// The bytes of the regular file at `path`. Memory is the file's size.
///
/// Anything else — a device such as `/dev/zero`, which never ends, a FIFO, a socket, a folder —
/// is an [`Error::Io`] of kind [`InvalidInput`](std::io::ErrorKind::InvalidInput) saying what
/// it is, returned at once: the path's metadata is checked before it is opened (opening a FIFO
/// with no writer would wait for one), the file is opened without blocking on Unix, and the
/// opened file's metadata is checked again, in case the path changed in between. Then at most
/// the length the metadata gives is read, and a file that grew or shrank meanwhile is an error
/// too, so a file being written is never read half.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, Error> {
    let error = |e: std::io::Error| io_error(path, &e);
    regular_length(path, &fs::metadata(path).map_err(error)?)?;
    let mut file = open_without_blocking(path).map_err(error)?;
    let length = regular_length(path, &file.metadata().map_err(error)?)?;
    let capacity =
        usize::try_from(length).map_err(|_| changed(path, "is too large to be read into memory"))?;
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(capacity).map_err(|_| changed(path, "is too large to be read into memory"))?;
    // One byte more than the length, to tell a file that grew.
    (&mut file).take(length.saturating_add(1)).read_to_end(&mut bytes).map_err(error)?;
    if bytes.len() != capacity {
        let how = if bytes.len() > capacity { "grew" } else { "shrank" };
        return Err(changed(path, &format!("{how} while it was read (from {length} bytes)")));
    }
    Ok(bytes)
}

/// The length of the file that `metadata` describes, or an [`Error::Io`] of kind
/// `InvalidInput` if it is not a regular file.
fn regular_length(path: &Path, metadata: &fs::Metadata) -> Result<u64, Error> {
    let kind = metadata.file_type();
    if kind.is_file() {
        return Ok(metadata.len());
    }
    let what = if kind.is_dir() { "a folder" } else { special_kind(&kind) };
    Err(Error::Io {
        path: path.to_path_buf(),
        kind: std::io::ErrorKind::InvalidInput,
        message: format!("not a regular file: expected a file of weights or a checkpoint, found {what}"),
    })
}

/// What a file that is neither a regular file nor a folder is (links are followed).
#[cfg(unix)]
fn special_kind(kind: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

/// What a file that is neither a regular file nor a folder is (links are followed).
#[cfg(not(unix))]
fn special_kind(_: &fs::FileType) -> &'static str {
    "a special file"
}

/// Opens `path` to read. On Unix with `O_NONBLOCK`, so that a FIFO put at the path after its
/// metadata was checked does not block the open (for a regular file the flag changes nothing).
fn open_without_blocking(path: &Path) -> std::io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    options.open(path)
}

/// The [`Error::Io`] (kind `InvalidData`) for a file at `path` that `what`.
fn changed(path: &Path, what: &str) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        kind: std::io::ErrorKind::InvalidData,
        message: format!("the file {what}"),
    }
}

/// Replaces the file at `path` with `bytes` so that, whenever the process or the machine stops,
/// `path` holds either its old content or the new one, whole:
///
/// 1. the bytes go to a sibling file, `<name>.partial` in the same folder, which is flushed
///    and synced to the disk (`fsync`);
/// 2. it is renamed over `path`, which POSIX makes atomic within one file system;
/// 3. the folder is synced, so that the rename itself survives a crash.
///
/// A process killed during step 1 leaves `path` as it was and a stale `.partial` file, which
/// the next write replaces. The `.partial` name is fixed, so there must be one writer per
/// path at a time: two processes saving to the same path at once could rename each other's
/// unfinished file.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let partial = partial_path(path);
    let written = File::create(&partial).and_then(|mut file| {
        file.write_all(bytes)?;
        file.flush()?;
        file.sync_all()
    });
    written.map_err(|e| io_error(&partial, &e))?;
    fs::rename(&partial, path).map_err(|e| io_error(path, &e))?;
    sync_folder(path)
}

/// `<folder>/<name>.partial` for `<folder>/<name>`.
pub(crate) fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

/// Syncs the folder that holds `path`, making a rename in it durable. Only Unix can open a
/// folder to sync it; elsewhere the rename is left to the file system.
fn sync_folder(path: &Path) -> Result<(), Error> {
    if cfg!(unix) {
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        File::open(folder).and_then(|f| f.sync_all()).map_err(|e| io_error(folder, &e))?;
    }
    Ok(())
}

/// The [`Error::Io`] for `error`, met with `path`.
fn io_error(path: &Path, error: &std::io::Error) -> Error {
    Error::Io { path: path.to_path_buf(), kind: error.kind(), message: error.to_string() }
}

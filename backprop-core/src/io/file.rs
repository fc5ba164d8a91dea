//! Reading a file whole, and replacing a file atomically.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// The bytes of the file at `path`. Memory is the file's size.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, Error> {
    fs::read(path).map_err(|e| io_error(path, &e))
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

//! Reading a file whole, and replacing a file atomically, one writer at a time.

use std::fs::{self, File, OpenOptions};
use std::hash::{BuildHasher, RandomState};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::Error;

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
    let what = if kind.is_dir() { "a folder" } else { describe(kind) };
    Err(Error::Io {
        path: path.to_path_buf(),
        kind: std::io::ErrorKind::InvalidInput,
        message: format!("not a regular file: expected a file of weights or a checkpoint, found {what}"),
    })
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

/// Replaces the file at `path` with `bytes`, atomically and as its only writer: [`Target::lock`],
/// then [`Target::replace`], then the lock is released.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    Target::lock(path)?.replace(bytes)
}

/// A file that this value alone may replace, for as long as it lives: a trainer holds one for
/// its checkpoint from the start of a run to its end, [`Network::save`](crate::io::Persist::save)
/// for one write.
///
/// [`lock`](Target::lock) follows symbolic links (the file a link points to is replaced, the
/// link stays), checks that the folder exists and that files can be created in it, and that the
/// path holds a regular file or nothing; then it takes an advisory lock on `<name>.lock`
/// beside the file, which every writer of the library takes. A second writer, in this process
/// or another, gets an [`Error::Io`] of kind [`WouldBlock`](io::ErrorKind::WouldBlock) at once
/// and writes nothing. The lock is the operating system's (`flock` on Unix, `LockFileEx` on
/// Windows), so it is released when the process ends, however it ends. On Unix the lock file is
/// removed when the lock is released; elsewhere it is left, empty.
///
/// [`replace`](Target::replace) makes the new content durable before it becomes visible:
///
/// 1. the bytes go to a temporary file in the same folder, `<name>.<pid>-<random>.partial`,
///    created new (never an existing file), flushed and synced to the disk (`fsync`);
/// 2. it is renamed over the file, which POSIX makes atomic within one file system;
/// 3. the folder is synced, so that the rename itself survives a crash.
///
/// So whenever the process or the machine stops, the path holds either its old content or the
/// new one, whole. A failure at any step removes the temporary file; a process killed during
/// step 1 leaves it, and the next writer to lock the path removes it.
#[derive(Debug)]
pub(crate) struct Target {
    /// The file to replace: the path given, its symbolic links followed.
    path: PathBuf,
    /// `<name>.lock` beside it.
    lock_path: PathBuf,
    /// The lock file, locked while this value lives, and unlocked when it is closed.
    _lock: File,
}

impl Target {
    /// Takes `path` for this writer alone; see [`Target`].
    ///
    /// # Errors
    ///
    /// An [`Error::Io`]: of kind `NotFound` or `NotADirectory` naming the folder if it is
    /// missing or not a folder; `IsADirectory` or `InvalidInput` naming the path if it holds a
    /// folder or another file that is not a regular one (a FIFO, a device, a socket); `WouldBlock`
    /// if another writer holds the path; and the kind the system reports if the folder does
    /// not let a file be created in it.
    pub(crate) fn lock(path: &Path) -> Result<Target, Error> {
        let path = follow_links(path)?;
        let name = path.file_name().ok_or_else(|| Error::Io {
            path: path.clone(),
            kind: io::ErrorKind::InvalidInput,
            message: "expected the path of a file, found one that ends in `..` or a root".to_owned(),
        })?;
        let folder = folder_of(&path);
        match fs::metadata(folder) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(not_a_folder(folder, name, io::ErrorKind::NotADirectory, "is not a folder")),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(not_a_folder(folder, name, io::ErrorKind::NotFound, "no such folder"));
            }
            Err(e) => return Err(io_error(folder, &e)),
        }
        check_replaceable(&path)?;
        let mut lock_name = name.to_os_string();
        lock_name.push(".lock");
        let lock_path = path.with_file_name(&lock_name);
        let lock = lock_file(&path, &lock_path)?;
        let target = Target { path, lock_path, _lock: lock };
        target.remove_stale_partials();
        // The lock file may have been there already: check that a file can be created.
        drop(Partial::create(&target.path)?);
        Ok(target)
    }

    /// Replaces the file with `bytes`; see [`Target`].
    ///
    /// # Errors
    ///
    /// An [`Error::Io`] if the path now holds something that is not a regular file (as
    /// [`lock`](Target::lock) says), or if creating, writing, syncing or renaming the temporary
    /// file fails (naming it, or the path for the rename); the temporary file is removed.
    pub(crate) fn replace(&self, bytes: &[u8]) -> Result<(), Error> {
        self.replace_with(|file| file.write_all(bytes))
    }

    /// [`replace`](Target::replace), with the content written by `write`.
    fn replace_with(&self, write: impl FnOnce(&mut File) -> io::Result<()>) -> Result<(), Error> {
        check_replaceable(&self.path)?;
        let mut partial = Partial::create(&self.path)?;
        partial.write(write)?;
        partial.persist(&self.path)?;
        sync_folder(&self.path)
    }

    /// Removes the temporary files that writers killed while writing left beside the file: any
    /// writer holds the lock while its temporary file exists, so under the lock they are all
    /// stale. Best effort: a folder that cannot be listed keeps them.
    fn remove_stale_partials(&self) {
        let (Some(name), Ok(entries)) =
            (self.path.file_name().and_then(|n| n.to_str()), fs::read_dir(folder_of(&self.path)))
        else {
            return;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_str().is_some_and(|candidate| is_partial_of(name, candidate)) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

impl Drop for Target {
    /// Removes the lock file while still holding the lock (on Unix, where [`lock_file`] checks
    /// that the file it locked is still the one at the path), then releases the lock by closing
    /// it.
    fn drop(&mut self) {
        if cfg!(unix) {
            let _ = fs::remove_file(&self.lock_path);
        }
    }
}

/// Opens (creating it if need be) and locks the lock file `lock_path` of `path`.
fn lock_file(path: &Path, lock_path: &Path) -> Result<File, Error> {
    // The previous holder may remove the file between our opening it and locking it; then the
    // file we locked is not the one at the path, and we try again.
    for _ in 0..8 {
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(lock_path)
            .map_err(|e| io_error(lock_path, &e))?;
        match fs4::FileExt::try_lock(&lock) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => return Err(busy(path, lock_path)),
            Err(fs4::TryLockError::Error(e)) => return Err(io_error(lock_path, &e)),
        }
        if still_at(&lock, lock_path) {
            return Ok(lock);
        }
    }
    Err(busy(path, lock_path))
}

/// Whether `lock` is the file at `lock_path` (on Unix: the same device and inode).
#[cfg(unix)]
fn still_at(lock: &File, lock_path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (lock.metadata(), fs::metadata(lock_path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Whether `lock` is the file at `lock_path`: always, where lock files are never removed.
#[cfg(not(unix))]
fn still_at(_lock: &File, _lock_path: &Path) -> bool {
    true
}

/// The error of a writer that finds `path` held by another.
fn busy(path: &Path, lock_path: &Path) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        kind: io::ErrorKind::WouldBlock,
        message: format!(
            "another writer (another process, or a trainer checkpointing to this path) holds the lock `{}`, so nothing was written: one writer per path at a time",
            lock_path.display()
        ),
    }
}

/// A temporary file beside the file it will replace, removed when dropped unless it was
/// renamed over it.
struct Partial {
    path: PathBuf,
    file: File,
    persisted: bool,
}

impl Partial {
    /// A new file `<name>.<pid>-<random>.partial` beside `target`, created new: never one
    /// another writer has open.
    fn create(target: &Path) -> Result<Partial, Error> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let mut last = io::Error::from(io::ErrorKind::AlreadyExists);
        let mut path = target.to_path_buf();
        for _ in 0..16 {
            let unique = RandomState::new().hash_one(COUNTER.fetch_add(1, Ordering::Relaxed));
            let mut name = target.file_name().map(|n| n.to_os_string()).unwrap_or_default();
            name.push(format!(".{}-{unique:016x}.partial", std::process::id()));
            path = target.with_file_name(name);
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => return Ok(Partial { path, file, persisted: false }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
                Err(e) => return Err(io_error(&path, &e)),
            }
        }
        Err(io_error(&path, &last))
    }

    /// Writes the content with `write`, flushes it and syncs it to the disk.
    fn write(&mut self, write: impl FnOnce(&mut File) -> io::Result<()>) -> Result<(), Error> {
        write(&mut self.file)
            .and_then(|()| self.file.flush())
            .and_then(|()| self.file.sync_all())
            .map_err(|e| io_error(&self.path, &e))
    }

    /// Renames the file over `target`.
    fn persist(&mut self, target: &Path) -> Result<(), Error> {
        fs::rename(&self.path, target).map_err(|e| io_error(target, &e))?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.persisted {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Whether `candidate` is the name of a temporary file of the file named `target`:
/// `<target>.<pid>-<16 hex digits>.partial`, or `<target>.partial` of earlier versions.
fn is_partial_of(target: &str, candidate: &str) -> bool {
    let Some(rest) = candidate.strip_prefix(target).and_then(|r| r.strip_prefix('.')) else {
        return false;
    };
    if rest == "partial" {
        return true;
    }
    let Some((pid, unique)) = rest.strip_suffix(".partial").and_then(|t| t.split_once('-')) else {
        return false;
    };
    !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
        && unique.len() == 16
        && unique.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `path` with its symbolic links followed to the file they point to (which may not exist
/// yet), so that a write through a link replaces that file and keeps the link.
fn follow_links(path: &Path) -> Result<PathBuf, Error> {
    let mut path = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = fs::read_link(&path).map_err(|e| io_error(&path, &e))?;
                // A relative link is relative to the folder that holds it.
                path = folder_of(&path).join(link);
            }
            _ => return Ok(path),
        }
    }
    Err(Error::Io {
        path,
        kind: io::ErrorKind::InvalidInput,
        message: "expected a file, found more than 40 symbolic links in a row (a loop?)".to_owned(),
    })
}

/// Checks that `path` holds a regular file, or nothing: a write must not replace a folder, a
/// device such as `/dev/full`, a FIFO or a socket by a file.
fn check_replaceable(path: &Path) -> Result<(), Error> {
    let file_type = match fs::symlink_metadata(path) {
        Ok(m) if m.is_file() => return Ok(()),
        Ok(m) => m.file_type(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(path, &e)),
    };
    let (kind, found) = if file_type.is_dir() {
        (io::ErrorKind::IsADirectory, "a folder")
    } else {
        (io::ErrorKind::InvalidInput, describe(file_type))
    };
    Err(Error::Io {
        path: path.to_path_buf(),
        kind,
        message: format!(
            "expected a regular file to replace (or nothing), found {found}: nothing was written and it was left as it is"
        ),
    })
}

/// What a file that is neither a regular file nor a folder is: for the errors of reading one
/// (links followed) and of replacing one.
fn describe(file_type: fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        } else if file_type.is_char_device() {
            return "a character device";
        } else if file_type.is_block_device() {
            return "a block device";
        } else if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_symlink() { "a symbolic link" } else { "a special file" }
}

/// The [`Error::Io`] for a folder, `folder`, in which the file `name` cannot be written.
fn not_a_folder(folder: &Path, name: &std::ffi::OsStr, kind: io::ErrorKind, what: &str) -> Error {
    Error::Io {
        path: folder.to_path_buf(),
        kind,
        message: format!(
            "{what}, so `{}` cannot be written in it: expected an existing folder",
            name.to_string_lossy()
        ),
    }
}

/// The folder that holds `path`: its parent, or `.` for a bare file name.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Syncs the folder that holds `path`, making a rename in it durable. Only Unix can open a
/// folder to sync it; elsewhere the rename is left to the file system.
fn sync_folder(path: &Path) -> Result<(), Error> {
    if cfg!(unix) {
        let folder = folder_of(path);
        File::open(folder).and_then(|f| f.sync_all()).map_err(|e| io_error(folder, &e))?;
    }
    Ok(())
}

/// The [`Error::Io`] for `error`, met with `path`.
fn io_error(path: &Path, error: &std::io::Error) -> Error {
    Error::Io { path: path.to_path_buf(), kind: error.kind(), message: error.to_string() }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A fresh folder for one test.
    fn folder(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("backprop-file-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_write_or_rename_removes_the_temporary_file_and_keeps_the_old_content() {
        let dir = folder("failures");
        let path = dir.join("model.safetensors");
        fs::write(&path, b"old").unwrap();
        let target = Target::lock(&path).unwrap();
        let locked = ["model.safetensors", "model.safetensors.lock"];
        assert_eq!(names(&dir), locked);

        // The write fails half-way (as on a full disk).
        let error = target
            .replace_with(|file| {
                file.write_all(b"ha")?;
                Err(io::Error::other("no space left"))
            })
            .unwrap_err();
        assert!(
            matches!(&error, Error::Io { path: p, message, .. }
                if message.contains("no space left") && p.to_string_lossy().ends_with(".partial")),
            "{error:?}"
        );
        assert_eq!(names(&dir), locked);
        assert_eq!(fs::read(&path).unwrap(), b"old");

        // The rename fails: a folder took the file's place while the temporary file was written.
        fs::remove_file(&path).unwrap();
        let error = target
            .replace_with(|file| {
                fs::create_dir(&path)?;
                fs::write(path.join("inside"), b"kept")?;
                file.write_all(b"new")
            })
            .unwrap_err();
        assert!(matches!(&error, Error::Io { path: p, .. } if p == &path), "{error:?}");
        assert_eq!(names(&dir), locked);
        assert_eq!(fs::read(path.join("inside")).unwrap(), b"kept");

        drop(target);
        let released: &[&str] = if cfg!(unix) { &["model.safetensors"] } else { &locked };
        assert_eq!(names(&dir), released);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn locking_removes_the_temporary_files_of_killed_writers_and_nothing_else() {
        let dir = folder("stale");
        let stale = ["m.st.partial", "m.st.123-0123456789abcdef.partial"];
        let kept =
            ["m.st.x.partial", "m.st.123-0123.partial", "m.st.-0123456789abcdef.partial", "n.st.partial"];
        for name in stale.iter().chain(&kept) {
            fs::write(dir.join(name), b"").unwrap();
        }
        Target::lock(&dir.join("m.st")).unwrap().replace(b"new").unwrap();
        let mut expected: Vec<&str> = kept.iter().copied().chain(["m.st"]).collect();
        if !cfg!(unix) {
            expected.push("m.st.lock");
        }
        expected.sort_unstable();
        assert_eq!(names(&dir), expected);
        assert_eq!(fs::read(dir.join("m.st")).unwrap(), b"new");
        fs::remove_dir_all(&dir).unwrap();
    }
}

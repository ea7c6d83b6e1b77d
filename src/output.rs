//! Output files are written whole or not at all: into a temporary file beside the
//! target, flushed to disk, then renamed over it.
//!
//! What a target path may be:
//! - `-`: standard output.
//! - A missing path or a regular file: replaced by renaming a temporary copy over it.
//!   The temporary file has an unpredictable name and is created exclusively
//!   (`O_CREAT|O_EXCL`, which never follows a link planted on its name). A file that
//!   exists keeps its permission bits (a 0600 report stays 0600).
//! - A symbolic link: followed once, to the end of its chain; the file it points to is
//!   replaced as above (the temporary copy is made in that file's directory) and the
//!   link itself is left as it is.
//! - Anything else that exists (a device such as `/dev/null`, a FIFO, a socket): written
//!   in place, never replaced; or refused with [`Special::Refuse`], for files that must
//!   be whole on disk (partials).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files being written right now, so that a process that must quit at
/// once (a second Ctrl-C) can remove them: see [`remove_temporaries`].
static IN_PROGRESS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Links followed at most when resolving a symbolic-link target (as Linux's `ELOOP`).
const MAX_LINKS: usize = 40;

/// Removes the temporary files of writes still in progress. For a process about to
/// exit without finishing them; the targets themselves are never touched.
pub fn remove_temporaries() {
    if let Ok(list) = IN_PROGRESS.try_lock() {
        for tmp in list.iter() {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// Why an output could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct WriteError {
    /// The target path.
    pub path: PathBuf,
    /// The cause.
    pub source: std::io::Error,
}

/// What to do with a target that exists and is neither a regular file nor a
/// directory (a device, a FIFO, a socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// Open it for writing and write the bytes into it (`/dev/null`, a pipe).
    WriteInPlace,
    /// Refuse with an error: for outputs that must be a whole file on disk.
    Refuse,
}

/// Writes `bytes` to `path` atomically (temporary file + rename). `-` writes to
/// stdout; a device, FIFO or socket is written in place. See the module notes.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_output(path, bytes, Special::WriteInPlace)
}

/// [`write_atomic`], with the choice of what to do with a special target.
pub fn write_output(path: &Path, bytes: &[u8], special: Special) -> Result<(), WriteError> {
    let err = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    if path == Path::new("-") {
        let mut out = std::io::stdout().lock();
        return out.write_all(bytes).and_then(|()| out.flush()).map_err(err);
    }
    let target = resolve_links(path).map_err(err)?;
    // Following links: the type of what is finally there.
    let existing = match fs::metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(err(e)),
    };
    if let Some(m) = &existing {
        if m.is_dir() {
            return Err(err(std::io::Error::other("it is a directory")));
        }
        if !m.is_file() {
            return match special {
                Special::WriteInPlace => write_in_place(&target, bytes).map_err(err),
                Special::Refuse => Err(err(std::io::Error::other(
                    "it exists and is not a regular file (a device, pipe or socket); give a file path",
                ))),
            };
        }
    }
    replace(&target, bytes, existing.as_ref()).map_err(err)
}

/// The path a symbolic link chain ends at (`path` itself when it is no link).
fn resolve_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// Writes into an existing special file without replacing or truncating it.
fn write_in_place(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = fs::OpenOptions::new().write(true).open(target)?;
    f.write_all(bytes)?;
    f.flush()
}

/// Writes a temporary copy beside `target` and renames it over `target`.
fn replace(target: &Path, bytes: &[u8], existing: Option<&fs::Metadata>) -> std::io::Result<()> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        // A new file: as `File::create` (0666 less the umask); an existing one: its mode.
        let mode = existing.map_or(0o666, |m| m.permissions().mode() & 0o7777);
        builder.permissions(fs::Permissions::from_mode(mode));
        mode
    };
    let tmp = builder.tempfile_in(&dir)?;
    let tmp_path = tmp.path().to_path_buf();
    if let Ok(mut list) = IN_PROGRESS.lock() {
        list.push(tmp_path.clone());
    }
    let result = (|| {
        let mut f = tmp.as_file();
        #[cfg(unix)]
        if existing.is_some() {
            // The umask applied at creation: set the existing mode exactly.
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(fs::Permissions::from_mode(mode))?;
        }
        #[cfg(not(unix))]
        let _ = existing;
        f.write_all(bytes)?;
        f.sync_all()?;
        tmp.persist(target).map_err(|e| e.error)?;
        Ok(())
    })();
    if let Ok(mut list) = IN_PROGRESS.lock() {
        list.retain(|p| p != &tmp_path);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_leaves_nothing_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        write_atomic(&p, b"{}\n").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"{}\n");
        let bad = dir.path().join("missing-dir").join("b.json");
        assert!(write_atomic(&bad, b"x").is_err());
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn keeps_modes_and_follows_links() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        fs::write(&p, b"old").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("r.json", &link).unwrap();
        write_atomic(&link, b"via link").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&p).unwrap(), b"via link");
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_written_in_place_or_refused() {
        let null = Path::new("/dev/null");
        write_atomic(null, b"x").unwrap();
        assert!(!fs::metadata(null).unwrap().is_file());
        assert!(write_output(null, b"x", Special::Refuse).is_err());
        assert!(!fs::metadata(null).unwrap().is_file());
    }
}

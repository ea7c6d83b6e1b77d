//! Output files are written whole or not at all: into a temporary file beside the
//! target, flushed to disk, then renamed over it.
//!
//! What a target path may be:
//! - `-`: standard output.
//! - A name of one of this process's open descriptors (`/dev/stdout`,
//!   `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`): written into that
//!   descriptor where it stands, as `-` is into standard output, so that a shell's
//!   `>> log` appends and a pipe (`>(…)`) is written; never replaced, and refused
//!   with [`Special::Refuse`].
//! - A missing path or a regular file: replaced by renaming a temporary copy over it.
//!   The temporary file has a short unpredictable name (`.forcesim-XXXXXXXXXXXX.tmp`,
//!   so that a target name up to the file-name limit still has room beside it) and is
//!   created exclusively (`O_CREAT|O_EXCL`, which never follows a link planted on its
//!   name). A file that exists keeps its permission bits (a 0600 report stays 0600).
//!   A file without write permission (mode 0444, or one this user cannot open for
//!   writing) is refused, never replaced: the rename would get around its mode.
//! - A symbolic link: refused when its chain ends at a regular file, a directory or
//!   nothing (a link's target is never replaced, nor a file created through a
//!   dangling link); followed when it ends at a device, FIFO or socket, which is
//!   written in place as below (`/dev/stdout` is such a link).
//! - Anything else that exists (a device such as `/dev/null`, a FIFO, a socket): written
//!   in place, never replaced; or refused with [`Special::Refuse`], for files that must
//!   be whole on disk (partials).
//!
//! [`check_destination`] tells, before any work, whether a path could be written.

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

/// Why an output could not be written. Its message names the target path as
/// given and says the cause once (the cause is not chained as a source, so that
/// an error report does not print it twice).
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {cause}", path.display())]
pub struct WriteError {
    /// The target path, as given.
    pub path: PathBuf,
    /// The cause.
    pub cause: std::io::Error,
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
    let err = |cause| WriteError {
        path: path.to_path_buf(),
        cause,
    };
    if path == Path::new("-") {
        let mut out = std::io::stdout().lock();
        let written = out.write_all(bytes).and_then(|()| out.flush());
        return reader_gone_is_fine(written).map_err(err);
    }
    if let Some(fd) = descriptor(path) {
        check_descriptor(fd, special).map_err(err)?;
        return reader_gone_is_fine(write_descriptor(fd, bytes)).map_err(err);
    }
    let target = resolve_links(path).map_err(err)?;
    // Following links: the type of what is finally there.
    let existing = match fs::metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(err(e)),
    };
    no_link_to_a_file(path, &target, existing.as_ref()).map_err(err)?;
    if let Some(m) = &existing {
        check_existing(&target, m, special).map_err(err)?;
        if !m.is_file() {
            return write_in_place(&target, bytes).map_err(err);
        }
    }
    replace(&target, bytes, existing.as_ref()).map_err(err)
}

/// Checks, without writing anything, that [`write_output`] could write `path`:
/// what is there (followed through links) is no directory, no read-only file and,
/// with [`Special::Refuse`], no device, pipe or socket; its name is not too long;
/// and its directory exists and takes a new file (a temporary one is created and
/// removed at once).
pub fn check_destination(path: &Path, special: Special) -> Result<(), WriteError> {
    let err = |cause| WriteError {
        path: path.to_path_buf(),
        cause,
    };
    if path == Path::new("-") {
        return Ok(());
    }
    if let Some(fd) = descriptor(path) {
        return check_descriptor(fd, special).map_err(err);
    }
    if names_a_directory(path) && !path.is_dir() {
        // `out.json/`: no file can be written under a name that ends in `/`.
        return Err(err(std::io::Error::other(
            "a file name cannot end in `/`: remove the slash",
        )));
    }
    let target = resolve_links(path).map_err(err)?;
    match fs::metadata(&target) {
        Ok(m) => {
            no_link_to_a_file(path, &target, Some(&m)).map_err(err)?;
            check_existing(&target, &m, special).map_err(err)?;
            if !m.is_file() {
                return Ok(());
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            no_link_to_a_file(path, &target, None).map_err(err)?;
        }
        Err(e) => return Err(err(e)),
    }
    check_directory(&directory_of(&target)).map_err(err)
}

/// Refuses a `path` that is a symbolic link (its chain ending at `target`)
/// unless what it ends at is a device, FIFO or socket, written in place: a
/// link's target file is never replaced, nor created through a dangling link.
fn no_link_to_a_file(
    path: &Path,
    target: &Path,
    existing: Option<&fs::Metadata>,
) -> std::io::Result<()> {
    let special = existing.is_some_and(|m| !m.is_file() && !m.is_dir());
    if target == path || special {
        return Ok(());
    }
    Err(std::io::Error::other(format!(
        "it is a symbolic link (to {}): a link's target is never replaced; give that path itself, or remove the link",
        target.display()
    )))
}

/// Whether `path` ends in a separator (or `/.`), so that it can only name a
/// directory.
fn names_a_directory(path: &Path) -> bool {
    let bytes = path.as_os_str().as_encoded_bytes();
    bytes.ends_with(b"/") || bytes.ends_with(b"/.") || bytes == b"."
}

/// Refuses an existing target that may not be written: a directory, a read-only
/// file, or a special file when `special` refuses them.
fn check_existing(target: &Path, m: &fs::Metadata, special: Special) -> std::io::Result<()> {
    if m.is_dir() {
        return Err(std::io::Error::other("it is a directory"));
    }
    if !m.is_file() {
        return match special {
            Special::WriteInPlace => Ok(()),
            Special::Refuse => Err(std::io::Error::other(
                "it exists and is not a regular file (a device, pipe or socket); give a file path",
            )),
        };
    }
    if read_only(target, m) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "it is read-only: make it writable (chmod u+w) or remove it first",
        ));
    }
    Ok(())
}

/// Whether a regular file is write-protected: no write permission bit at all
/// (which the superuser, too, is held to here), or one this user cannot open for
/// writing. Opening without truncating changes nothing.
fn read_only(target: &Path, m: &fs::Metadata) -> bool {
    m.permissions().readonly()
        || matches!(
            fs::OpenOptions::new().write(true).open(target),
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied
        )
}

/// Checks that `dir` is an existing directory that takes a new file.
pub fn check_directory(dir: &Path) -> std::io::Result<()> {
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(std::io::Error::other(format!(
                "{} is not a directory",
                dir.display()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(std::io::Error::new(
                e.kind(),
                format!("the directory {} does not exist", dir.display()),
            ));
        }
        Err(e) => return Err(e),
    }
    let (file, tmp) = create_temporary(dir, 0o600).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot create a file in {}: {e}", dir.display()),
        )
    })?;
    drop(file);
    fs::remove_file(tmp)
}

/// A write into a stream whose reader has gone (`| head`) is not a failure:
/// the reader took what it wanted, as with the summary table.
fn reader_gone_is_fine(written: std::io::Result<()>) -> std::io::Result<()> {
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// The descriptor a path names: 0, 1 and 2 for `/dev/stdin`, `/dev/stdout` and
/// `/dev/stderr`, N for `/dev/fd/N` and `/proc/self/fd/N`, however spelt
/// (`//dev/./fd/1`, `/proc/thread-self/fd/1`, a link to one of them); `None`
/// for any other path. Followed as a link instead, such a path leads to the
/// file behind the descriptor, which would then be replaced, not written to.
fn descriptor(path: &Path) -> Option<i32> {
    if !cfg!(unix) {
        return None;
    }
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        if let Some(fd) = literal_descriptor(&p).or_else(|| named_descriptor(&p)) {
            return Some(fd);
        }
        let to = fs::read_link(&p).ok()?;
        p = match p.parent() {
            Some(dir) if to.is_relative() => dir.join(to),
            _ => to,
        };
    }
    None
}

/// The descriptor of a path spelt exactly `/dev/stdout`, `/dev/stderr`,
/// `/dev/fd/N` or `/proc/self/fd/N`.
fn literal_descriptor(path: &Path) -> Option<i32> {
    let s = path.to_str()?;
    match s {
        "/dev/stdout" => Some(1),
        "/dev/stderr" => Some(2),
        _ => s
            .strip_prefix("/dev/fd/")
            .or_else(|| s.strip_prefix("/proc/self/fd/"))
            .and_then(digits),
    }
}

/// The descriptor of a path whose directory, links resolved, is `/dev` (for
/// `stdin`, `stdout`, `stderr`) or this process's `/proc/PID/fd` (or a
/// thread's `/proc/PID/task/TID/fd`).
fn named_descriptor(path: &Path) -> Option<i32> {
    let name = path.file_name()?.to_str()?;
    let dir = fs::canonicalize(path.parent()?).ok()?;
    let dir = dir.to_str()?;
    match (dir, name) {
        ("/dev", "stdin") => Some(0),
        ("/dev", "stdout") => Some(1),
        ("/dev", "stderr") => Some(2),
        _ if own_fd_dir(dir) => digits(name),
        _ => None,
    }
}

/// Whether `dir` is this process's descriptor directory, or one of its threads'.
fn own_fd_dir(dir: &str) -> bool {
    let pid = std::process::id().to_string();
    let Some(rest) = dir
        .strip_prefix("/proc/")
        .and_then(|r| r.strip_prefix(pid.as_str()))
    else {
        return false;
    };
    rest == "/fd"
        || rest
            .strip_prefix("/task/")
            .and_then(|t| t.strip_suffix("/fd"))
            .is_some_and(|t| digits(t).is_some())
}

/// `s` as a descriptor number, if it is one (digits only).
fn digits(s: &str) -> Option<i32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Refuses descriptor `fd` as a target where `special` refuses anything but a
/// file, or where it is not open for writing.
fn check_descriptor(fd: i32, special: Special) -> std::io::Result<()> {
    if special == Special::Refuse {
        return Err(std::io::Error::other(
            "it names an open descriptor, not a file; give a file path",
        ));
    }
    #[cfg(unix)]
    {
        // SAFETY: F_GETFL reads a descriptor's status flags; an fd that is not
        // open gives -1 (EBADF) and nothing else happens.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        if flags < 0 || flags & libc::O_ACCMODE == libc::O_RDONLY {
            return Err(std::io::Error::other(format!(
                "descriptor {fd} is not open for writing"
            )));
        }
    }
    Ok(())
}

/// Writes `bytes` into descriptor `fd` where it stands (at its offset, or at
/// the end when it was opened to append), through a copy of it.
fn write_descriptor(fd: i32, bytes: &[u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::fd::{BorrowedFd, OwnedFd};
        // SAFETY: `check_descriptor` found `fd` open; it stays open while borrowed
        // here (this process closes none of its descriptors while writing).
        let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
        let copy: OwnedFd = borrowed.try_clone_to_owned()?;
        let mut f = fs::File::from(copy);
        f.write_all(bytes)?;
        f.flush()
    }
    #[cfg(not(unix))]
    {
        let _ = (fd, bytes);
        Err(std::io::Error::other("descriptors are not supported here"))
    }
}

/// The directory a target lies in (`.` for a bare file name).
fn directory_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The path a symbolic link chain ends at (`path` itself when it is no link).
pub fn resolve_links(path: &Path) -> std::io::Result<PathBuf> {
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

/// Writes into an existing special file without replacing or truncating it. A
/// named pipe that no process reads is an error at once, not a wait.
fn write_in_place(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    let mut f = {
        use std::os::unix::fs::OpenOptionsExt;
        let f = fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(target)
            .map_err(|e| match e.raw_os_error() {
                Some(libc::ENXIO) => std::io::Error::other("no process reads this pipe"),
                _ => e,
            })?;
        crate::input::blocking(&f)?;
        f
    };
    #[cfg(not(unix))]
    let mut f = fs::OpenOptions::new().write(true).open(target)?;
    f.write_all(bytes)?;
    f.flush()
}

/// Creates a new file in `dir` with a short unpredictable name
/// (`.forcesim-XXXXXXXXXXXX.tmp`), exclusively (`O_CREAT|O_EXCL`: a link planted
/// on the name is never followed), with `mode` (less the umask). Returns it and
/// its path; the caller removes it.
fn create_temporary(dir: &Path, mode: u32) -> std::io::Result<(fs::File, PathBuf)> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".forcesim-").suffix(".tmp").rand_bytes(12);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let tmp = builder.tempfile_in(dir).map_err(without_path)?;
    tmp.keep().map_err(|e| without_path(e.error))
}

/// The error less the temporary path the file crate adds to its message (the
/// user named another path, which the caller's message gives).
fn without_path(e: std::io::Error) -> std::io::Error {
    let text = e.to_string();
    match text.split_once(" at path \"") {
        Some((cause, _)) => std::io::Error::new(e.kind(), cause.to_string()),
        None => e,
    }
}

/// Writes a temporary copy beside `target` and renames it over `target`; the
/// temporary file is removed when anything fails.
fn replace(target: &Path, bytes: &[u8], existing: Option<&fs::Metadata>) -> std::io::Result<()> {
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        // A new file: as `File::create` (0666 less the umask); an existing one: its mode.
        existing.map_or(0o666, |m| m.permissions().mode() & 0o7777)
    };
    #[cfg(not(unix))]
    let mode = 0o666;
    let (file, tmp_path) = create_temporary(&directory_of(target), mode)?;
    if let Ok(mut list) = IN_PROGRESS.lock() {
        list.push(tmp_path.clone());
    }
    let result =
        fill(file, bytes, existing.map(|_| mode)).and_then(|()| fs::rename(&tmp_path, target));
    if result.is_err() {
        let _ = fs::remove_file(&tmp_path);
    }
    if let Ok(mut list) = IN_PROGRESS.lock() {
        list.retain(|p| p != &tmp_path);
    }
    result
}

/// Writes `bytes` into the new temporary file and flushes it to disk; with
/// `exact_mode`, first sets that mode exactly (the umask applied at creation).
fn fill(mut f: fs::File, bytes: &[u8], exact_mode: Option<u32>) -> std::io::Result<()> {
    #[cfg(unix)]
    if let Some(mode) = exact_mode {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = exact_mode;
    f.write_all(bytes)?;
    f.sync_all()
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
    fn keeps_modes_and_refuses_links_to_files() {
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
        // A link to a file, to nothing, or through another link: refused, both kept.
        for (name, to) in [
            ("link.json", "r.json"),
            ("dangling.json", "none.json"),
            ("chain.json", "link.json"),
        ] {
            let link = dir.path().join(name);
            std::os::unix::fs::symlink(to, &link).unwrap();
            let e = write_atomic(&link, b"via link").unwrap_err();
            assert!(e.to_string().contains("symbolic link"), "{e}");
            assert!(check_destination(&link, Special::WriteInPlace).is_err());
            assert!(
                fs::symlink_metadata(&link)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
        }
        assert_eq!(fs::read(&p).unwrap(), b"new");
        assert!(!dir.path().join("none.json").exists());
        // A link to a device is written in place.
        let null = dir.path().join("null");
        std::os::unix::fs::symlink("/dev/null", &null).unwrap();
        write_atomic(&null, b"gone").unwrap();
        assert!(check_destination(&null, Special::WriteInPlace).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn read_only_files_are_refused_and_long_names_fit() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        fs::write(&p, b"old").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o444)).unwrap();
        let e = write_atomic(&p, b"new").unwrap_err();
        assert!(e.to_string().contains("read-only"), "{e}");
        assert!(check_destination(&p, Special::WriteInPlace).is_err());
        assert_eq!(fs::read(&p).unwrap(), b"old");
        let long = dir.path().join(format!("{}.json", "a".repeat(250)));
        check_destination(&long, Special::WriteInPlace).unwrap();
        write_atomic(&long, b"{}").unwrap();
        assert_eq!(fs::read(&long).unwrap(), b"{}");
    }

    #[test]
    fn a_missing_directory_is_named_once_without_the_temporary_name() {
        use std::error::Error;
        let dir = tempfile::Builder::new().prefix("out-").tempdir().unwrap();
        let p = dir.path().join("nd").join("b.json");
        for e in [
            write_atomic(&p, b"x").unwrap_err(),
            check_destination(&p, Special::WriteInPlace).unwrap_err(),
        ] {
            // The cause is in the message, and not chained again as a source.
            assert!(e.source().is_none());
            let text = e.to_string();
            assert!(text.starts_with("cannot write "), "{text}");
            assert!(!text.contains(".tmp"), "{text}");
            assert_eq!(text.matches("cannot write").count(), 1, "{text}");
        }
        let e = check_destination(&p, Special::WriteInPlace).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
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

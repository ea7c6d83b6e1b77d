//! Reading an input file (a scenario, a base it extends, pledges, a partial)
//! with a size limit, without ever waiting on it.
//!
//! Opening a named pipe (FIFO) for reading waits until some process opens it
//! for writing, which may be never. Every input is therefore opened without
//! waiting (`O_NONBLOCK`), then switched back to blocking reads: a pipe that
//! has a writer (`<(cat s.toml)`, `/dev/stdin`) is read whole as before, and one
//! that has none reads as empty at once. Regular files and devices are not
//! affected.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Opens `path` for reading without waiting for a pipe's writer.
pub fn open(path: &Path) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)?;
        blocking(&file)?;
        Ok(file)
    }
    #[cfg(not(unix))]
    File::open(path)
}

/// Clears `O_NONBLOCK` on `file`, so that its reads wait for data again.
#[cfg(unix)]
pub(crate) fn blocking(file: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: `fd` is open for as long as `file` is borrowed; F_GETFL reads the
    // descriptor's status flags and touches no memory.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above; F_SETFL sets status flags only.
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The bytes of the file at `path`, at most `limit + 1` of them (more than
/// `limit` means the file is too large), read without waiting for a pipe's
/// writer ([`open`]).
pub fn read_limited(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open(path)?.take(limit + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A named pipe in `dir`, or `None` (said on stderr) without `mkfifo`.
    fn fifo(dir: &tempfile::TempDir) -> Option<std::path::PathBuf> {
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipped: mkfifo is not available");
            return None;
        }
        Some(fifo)
    }

    #[test]
    fn a_named_pipe_without_a_writer_reads_as_empty_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let Some(fifo) = fifo(&dir) else { return };
        let (tx, rx) = std::sync::mpsc::channel();
        let path = fifo.clone();
        std::thread::spawn(move || tx.send(read_limited(&path, 100).map(|b| b.len())));
        let got = rx.recv_timeout(std::time::Duration::from_secs(10));
        assert_eq!(got.expect("no wait").expect("read"), 0);
    }

    #[test]
    fn a_named_pipe_with_a_writer_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let Some(fifo) = fifo(&dir) else { return };
        // The writer opens first, as a shell's `<(…)` does: its open counts it
        // as the pipe's writer while it waits for a reader.
        let path = fifo.clone();
        let writer = std::thread::spawn(move || std::fs::write(&path, b"abc"));
        std::thread::sleep(std::time::Duration::from_secs(1));
        let bytes = read_limited(&fifo, 100).unwrap();
        writer.join().unwrap().unwrap();
        assert_eq!(bytes, b"abc");
    }
}

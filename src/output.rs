//! Output files are written whole or not at all: into a temporary file beside the
//! target, flushed to disk, then renamed over it.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files being written right now, so that a process that must quit at
/// once (a second Ctrl-C) can remove them: see [`remove_temporaries`].
static IN_PROGRESS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

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

/// Writes `bytes` to `path` atomically (temporary file + rename). `-` writes to stdout.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let err = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    if path == Path::new("-") {
        let mut out = std::io::stdout().lock();
        return out.write_all(bytes).and_then(|()| out.flush()).map_err(err);
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    if let Ok(mut list) = IN_PROGRESS.lock() {
        list.push(tmp.clone());
    }
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    if let Ok(mut list) = IN_PROGRESS.lock() {
        list.retain(|p| p != &tmp);
    }
    result.map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_leaves_nothing_on_failure() {
        let dir = std::env::temp_dir().join(format!("forcesim-out-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let p = dir.join("a.json");
        write_atomic(&p, b"{}\n").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"{}\n");
        let bad = dir.join("missing-dir").join("b.json");
        assert!(write_atomic(&bad, b"x").is_err());
        let leftovers: Vec<_> = fs::read_dir(&dir).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }
}

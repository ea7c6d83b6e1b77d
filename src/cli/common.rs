//! What the commands share: trial and seed defaults, loading a scenario, checking
//! and writing output files, and the summary table on stdout (or stderr when
//! stdout carries JSON or CSV).

use std::path::{Path, PathBuf};

use forcesim::output::write_atomic;
use forcesim::{Model, scenario};

use super::CliError;
use super::opts::RunControl;

/// Default trial count when neither `-n` nor the scenario gives one.
pub const DEFAULT_TRIALS: u64 = 100_000;
/// Default seed when neither `--seed` nor the scenario gives one.
pub const DEFAULT_SEED: u64 = 1;

/// Loads a scenario with overrides, mapping errors to exit codes; its warnings
/// are printed once, on stderr.
pub fn load(path: &Path, set: &[String]) -> Result<Model, CliError> {
    let checked = read_and_check(path, set)?;
    if !checked.warnings.items.is_empty() {
        say!("{}", super::escape_lines(&checked.warnings.to_string()));
    }
    Ok(checked.model)
}

/// Loads a variant of a scenario already loaded (its warnings were printed
/// with the base: a variant's own, such as a cap that a changed probability
/// no longer reaches, are what the variant asks for).
pub fn load_variant(path: &Path, set: &[String]) -> Result<Model, CliError> {
    Ok(read_and_check(path, set)?.model)
}

/// The bytes of each scenario file as this process read it to load it, so that
/// the outputs cite (hash, quote) the text that ran, even when the file is
/// moved, deleted or edited during the run, or was a pipe read once.
static READ: std::sync::Mutex<Vec<(PathBuf, Vec<u8>)>> = std::sync::Mutex::new(Vec::new());

/// Reads the scenario at `path` once, remembers its bytes (the first reading
/// of each path), and checks it with `set`.
fn read_and_check(path: &Path, set: &[String]) -> Result<scenario::Checked, scenario::LoadError> {
    let (origin, bytes) = scenario::read(path)?;
    if let Ok(mut read) = READ.lock()
        && !read.iter().any(|(p, _)| p == path)
    {
        read.push((path.to_path_buf(), bytes.clone()));
    }
    scenario::check_bytes(&origin, &bytes, set)
        .map_err(|d| scenario::LoadError::Invalid(Box::new(d)))
}

/// The bytes of the scenario at `path` as it was loaded, else as it is now.
fn loaded_bytes(path: &Path) -> Result<Vec<u8>, scenario::LoadError> {
    let remembered = READ
        .lock()
        .ok()
        .and_then(|read| read.iter().find(|(p, _)| p == path).map(|(_, b)| b.clone()));
    match remembered {
        Some(bytes) => Ok(bytes),
        None => scenario::read(path).map(|(_, bytes)| bytes),
    }
}

/// Trials, seed and threads from the options, else the scenario, else the defaults.
pub fn resolve(c: &RunControl, model: &Model) -> (u64, u64, usize) {
    (
        c.trials.or(model.default_trials).unwrap_or(DEFAULT_TRIALS),
        c.seed.or(model.default_seed).unwrap_or(DEFAULT_SEED),
        c.threads.unwrap_or(0),
    )
}

/// Whether the output `path` is standard output: `-`, or a name of the file or
/// pipe standard output already writes to (`/dev/stdout`, `/dev/fd/1`, the file
/// of a `> out` redirection), so that the table does not go into it as well.
pub fn is_stdout(path: &Path) -> bool {
    path == Path::new("-") || (stdout_file().is_some() && file_id(path) == stdout_file())
}

/// The device and inode of standard output when it is a file, a pipe or a
/// terminal (not `/dev/null` or another device, which every process shares).
#[cfg(unix)]
fn stdout_file() -> Option<(u64, u64)> {
    use std::io::IsTerminal;
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;
    let out = std::io::stdout();
    let terminal = out.is_terminal();
    let fd = out.as_fd().try_clone_to_owned().ok()?;
    let m = std::fs::File::from(fd).metadata().ok()?;
    let kind = m.file_type();
    (kind.is_file() || kind.is_fifo() || terminal).then(|| id_of(&m))
}

#[cfg(not(unix))]
fn stdout_file() -> Option<(u64, u64)> {
    None
}

#[cfg(unix)]
fn file_id(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|m| id_of(&m))
}

#[cfg(not(unix))]
fn file_id(_: &Path) -> Option<(u64, u64)> {
    None
}

#[cfg(unix)]
fn id_of(m: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

/// Whether `path` is a terminal (a character device that opens as one); a
/// path that cannot be opened is not.
fn is_terminal(path: &Path) -> bool {
    use std::io::IsTerminal;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
        let device = std::fs::metadata(path).is_ok_and(|m| m.file_type().is_char_device());
        device
            && std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
                .open(path)
                .is_ok_and(|f| f.is_terminal())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// Refuses two outputs to standard output, and a workbook to a terminal.
pub fn one_stdout(outputs: &[(&str, &Option<PathBuf>)]) -> Result<(), CliError> {
    use std::io::IsTerminal;
    let to_stdout = |p: &Option<PathBuf>| p.as_deref().is_some_and(is_stdout);
    let binary = outputs.iter().find(|(n, p)| *n == "--xlsx" && to_stdout(p));
    if binary.is_some() && std::io::stdout().is_terminal() {
        return Err(CliError::Usage(
            "--xlsx to standard output: a workbook is binary; redirect standard output to a file, or give a path"
                .into(),
        ));
    }
    let xlsx = outputs.iter().find(|(n, _)| *n == "--xlsx");
    if let Some(path) = xlsx
        .and_then(|(_, p)| p.as_deref())
        .filter(|p| is_terminal(p))
    {
        return Err(CliError::Usage(format!(
            "--xlsx {}: a terminal; a workbook is binary: give a file path",
            path.display()
        )));
    }
    let dash: Vec<String> = outputs
        .iter()
        .filter(|(_, p)| to_stdout(p))
        .map(|(n, p)| format!("{n} {}", p.as_deref().unwrap_or(Path::new("-")).display()))
        .collect();
    if dash.len() > 1 {
        return Err(CliError::Usage(format!(
            "{} cannot all write to standard output: give all but one a file path",
            super::escape(&dash.join(" and "))
        )));
    }
    Ok(())
}

/// Outputs that could not be written. Each failure is kept and the other
/// outputs are still written (and the table printed); the command then fails
/// (exit 1) naming every one.
#[derive(Debug, Default)]
pub struct Failures(Vec<String>);

impl Failures {
    /// Keeps the failure of one output, if it failed.
    pub fn note<E: std::fmt::Display>(&mut self, result: Result<(), E>) {
        if let Err(e) = result {
            self.0.push(format!("{e:#}"));
        }
    }

    /// `Ok` when every output was written, else an error naming each failure.
    pub fn into_result(self) -> Result<(), CliError> {
        if self.0.is_empty() {
            return Ok(());
        }
        Err(CliError::Other(anyhow::anyhow!(
            "{}",
            self.0.join("\nerror: ")
        )))
    }
}

/// Writes each `(path, text)` output whole, then prints `table` unless `quiet`:
/// on stdout, or on stderr when an output went to stdout. An output that cannot
/// be written does not stop the others nor the table: it is added to `failures`
/// (those of the outputs written before, such as charts), which are returned.
pub fn emit(
    failures: Failures,
    outputs: &[(&Option<PathBuf>, &dyn Fn() -> String)],
    table: &dyn Fn() -> String,
    quiet: bool,
) -> Result<(), CliError> {
    emit_after(failures, outputs, table, (quiet, false))
}

/// [`emit`], where `stdout_taken` says that standard output already took an
/// output (a workbook), so that the table goes to standard error.
pub fn emit_after(
    mut failures: Failures,
    outputs: &[(&Option<PathBuf>, &dyn Fn() -> String)],
    table: &dyn Fn() -> String,
    (quiet, mut stdout_taken): (bool, bool),
) -> Result<(), CliError> {
    for (path, text) in outputs {
        if let Some(p) = path {
            // Before writing: a file replaced by the write is another file.
            stdout_taken |= is_stdout(p);
            failures.note(write_atomic(p, text().as_bytes()));
        }
    }
    if !quiet {
        let t = table();
        if stdout_taken {
            say_raw!("{t}");
        } else {
            failures.note(print_stdout(&t));
        }
    }
    failures.into_result()
}

/// Writes `text` to standard output. A closed pipe (`forcesim schema | head`) ends
/// the output quietly; any other failure is an error.
pub fn print_stdout(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Other(
            anyhow::Error::new(e).context("cannot write to standard output"),
        )),
    }
}

/// The JSON of a what-if result; when `interrupted`, with `"interrupted": true`
/// after its `format` (the result holds only the work finished).
pub fn to_json_marked<T: serde::Serialize>(value: &T, interrupted: bool) -> String {
    if !interrupted {
        return forcesim::whatif::to_json(value);
    }
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(map)) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                let is_format = k == "format";
                out.insert(k, v);
                if is_format {
                    out.insert("interrupted".into(), serde_json::Value::Bool(true));
                }
            }
            out.entry("interrupted")
                .or_insert(serde_json::Value::Bool(true));
            forcesim::whatif::to_json(&out)
        }
        _ => forcesim::whatif::to_json(value),
    }
}

/// The SHA-256 of a scenario file, for the tidy CSV (empty when it cannot be read).
pub fn file_sha256(path: &Path) -> String {
    loaded_bytes(path)
        .map(forcesim::briefing::sha256_hex)
        .unwrap_or_default()
}

/// The scenario file's bytes as they were loaded (a file edited since, or a
/// pipe, gives the text that ran).
pub(super) fn scenario_bytes(path: &std::path::Path) -> Result<Vec<u8>, CliError> {
    loaded_bytes(path).map_err(CliError::from)
}

/// The scenario file's text as it was loaded, for the outputs that cite it.
pub(super) fn scenario_text(path: &std::path::Path) -> Result<String, CliError> {
    let bytes = loaded_bytes(path).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

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
    let checked = scenario::load_checked(path, set)?;
    if !checked.warnings.items.is_empty() {
        eprintln!("{}", super::escape_lines(&checked.warnings.to_string()));
    }
    Ok(checked.model)
}

/// Loads a variant of a scenario already loaded (its warnings were printed
/// with the base: a variant's own, such as a cap that a changed probability
/// no longer reaches, are what the variant asks for).
pub fn load_variant(path: &Path, set: &[String]) -> Result<Model, CliError> {
    Ok(scenario::load(path, set)?)
}

/// Trials, seed and threads from the options, else the scenario, else the defaults.
pub fn resolve(c: &RunControl, model: &Model) -> (u64, u64, usize) {
    (
        c.trials.or(model.default_trials).unwrap_or(DEFAULT_TRIALS),
        c.seed.or(model.default_seed).unwrap_or(DEFAULT_SEED),
        c.threads.unwrap_or(0),
    )
}

/// Refuses two outputs to standard output.
pub fn one_stdout(outputs: &[(&str, &Option<PathBuf>)]) -> Result<(), CliError> {
    let dash: Vec<&str> = outputs
        .iter()
        .filter(|(_, p)| p.as_deref() == Some(Path::new("-")))
        .map(|(n, _)| *n)
        .collect();
    if dash.len() > 1 {
        return Err(CliError::Usage(format!(
            "{} cannot all write to standard output: give all but one a file path",
            dash.iter()
                .map(|n| format!("{n} -"))
                .collect::<Vec<_>>()
                .join(" and ")
        )));
    }
    Ok(())
}

/// What identifies a file: its device and inode when it exists, else its
/// absolute path (directory resolved) for a file still to be created.
#[derive(Debug, PartialEq, Eq)]
enum Identity {
    Inode(u64, u64),
    Path(PathBuf),
    /// A device, pipe or socket: writing to it twice destroys nothing.
    Special,
}

fn identity(path: &Path) -> Option<Identity> {
    if path == Path::new("-") {
        return None;
    }
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() && !m.is_dir() => Some(Identity::Special),
        Ok(m) => Some(inode(&m).unwrap_or_else(|| Identity::Path(absolute(path)))),
        Err(_) => Some(Identity::Path(absolute(path))),
    }
}

#[cfg(unix)]
fn inode(m: &std::fs::Metadata) -> Option<Identity> {
    use std::os::unix::fs::MetadataExt;
    Some(Identity::Inode(m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> Option<Identity> {
    None
}

/// `path` made absolute, its directory resolved (a file that need not exist).
fn absolute(path: &Path) -> PathBuf {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    match path.file_name() {
        Some(name) => dir.join(name),
        None => dir,
    }
}

/// Refuses, before any work, an output that is also an input (the same file by
/// device and inode) or the same file as another output.
pub fn distinct_files(
    inputs: &[&Path],
    outputs: &[(&str, &Option<PathBuf>)],
) -> Result<(), CliError> {
    let ins: Vec<(&Path, Identity)> = inputs
        .iter()
        .filter_map(|p| identity(p).map(|id| (*p, id)))
        .collect();
    let mut seen: Vec<(&str, Identity)> = Vec::new();
    for (flag, path) in outputs {
        let Some(path) = path else { continue };
        let Some(id) = identity(path) else { continue };
        if id == Identity::Special {
            continue;
        }
        if let Some((input, _)) = ins.iter().find(|(_, i)| *i == id) {
            return Err(CliError::Usage(format!(
                "{flag} {} would overwrite the input {}: write the output to another file",
                super::escape(&path.display().to_string()),
                super::escape(&input.display().to_string())
            )));
        }
        if let Some((other, _)) = seen.iter().find(|(_, i)| *i == id) {
            return Err(CliError::Usage(format!(
                "{other} and {flag} name the same file {}: give each output its own path",
                super::escape(&path.display().to_string())
            )));
        }
        seen.push((flag, id));
    }
    Ok(())
}

/// Writes each `(path, text)` output whole, then prints `table` unless `quiet`:
/// on stdout, or on stderr when an output went to stdout.
pub fn emit(
    outputs: &[(&Option<PathBuf>, &dyn Fn() -> String)],
    table: &dyn Fn() -> String,
    quiet: bool,
) -> Result<(), CliError> {
    let mut stdout_taken = false;
    for (path, text) in outputs {
        if let Some(p) = path {
            write_atomic(p, text().as_bytes()).map_err(anyhow::Error::new)?;
            stdout_taken |= p == Path::new("-");
        }
    }
    if !quiet {
        let t = table();
        if stdout_taken {
            eprint!("{t}");
        } else {
            print_stdout(&t)?;
        }
    }
    Ok(())
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
    forcesim::scenario::read(path)
        .map(|(_, bytes)| forcesim::briefing::sha256_hex(bytes))
        .unwrap_or_default()
}

/// The scenario file's text, for the outputs that cite it (read again after
/// the run: `load` has already checked it).
pub(super) fn scenario_text(path: &std::path::Path) -> Result<String, CliError> {
    let (_, bytes) = scenario::read(path).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

//! Every file a command will write, checked before any work: none may be one of
//! the files it reads (the scenario, what that extends, the partials, the
//! pledges), nor may standard output be one of them, none may be the same file
//! as another output, and each must be writable
//! where it is (its directory exists and takes a new file; it is no directory
//! and no read-only file). A chart directory must be a directory, or creatable.

use std::path::{Path, PathBuf};

use forcesim::output::{Special, check_destination, check_directory};

use super::CliError;
use super::escape;
use super::opts::ChartFormat;

/// The files a command will write: each with the option that names it.
#[derive(Debug, Default)]
pub struct Outputs {
    files: Vec<Planned>,
    chart_dir: Option<PathBuf>,
}

#[derive(Debug)]
struct Planned {
    flag: &'static str,
    path: PathBuf,
    special: Special,
    /// A chart file, in the chart directory (which may not exist yet).
    chart: bool,
}

impl Outputs {
    /// The outputs given with these options (`-`, standard output, is no file).
    pub fn new(flags: &[(&'static str, &Option<PathBuf>)]) -> Self {
        let mut out = Outputs::default();
        for (flag, path) in flags {
            out.push(flag, path, Special::WriteInPlace);
        }
        out
    }

    /// With `--partial`: a whole file on disk, never a device or pipe.
    pub fn partial(mut self, path: &Option<PathBuf>) -> Self {
        self.push("--partial", path, Special::Refuse);
        self
    }

    /// With the chart files `names` that `--charts DIR` would write.
    pub fn charts(mut self, dir: &Option<PathBuf>, names: &[String]) -> Self {
        if let Some(dir) = dir {
            for name in names {
                self.files.push(Planned {
                    flag: "--charts",
                    path: dir.join(name),
                    special: Special::WriteInPlace,
                    chart: true,
                });
            }
            self.chart_dir = Some(dir.clone());
        }
        self
    }

    fn push(&mut self, flag: &'static str, path: &Option<PathBuf>, special: Special) {
        if let Some(path) = path.as_ref().filter(|p| *p != Path::new("-")) {
            self.files.push(Planned {
                flag,
                path: path.clone(),
                special,
                chart: false,
            });
        }
    }

    /// Refuses (exit 2) an output that is one of `inputs` or another output, a
    /// chart directory that is not one, and an output that cannot be written.
    pub fn check(&self, inputs: &[PathBuf]) -> Result<(), CliError> {
        self.distinct(inputs)?;
        let chart_dir_exists = match &self.chart_dir {
            Some(dir) => check_chart_dir(dir)?,
            None => false,
        };
        for f in self.files.iter().filter(|f| !f.chart || chart_dir_exists) {
            check_destination(&f.path, f.special)
                .map_err(|e| CliError::Usage(format!("{}: {}", f.flag, escape(&e.to_string()))))?;
        }
        Ok(())
    }

    /// Refuses an output that is also an input (the same file by device and
    /// inode) or the same file as another output.
    fn distinct(&self, inputs: &[PathBuf]) -> Result<(), CliError> {
        let ins: Vec<(&PathBuf, Identity)> = inputs
            .iter()
            .filter_map(|p| identity(p).map(|id| (p, id)))
            .collect();
        if let Some(id) = stdout_identity()
            && let Some((input, _)) = ins.iter().find(|(_, i)| *i == id)
        {
            return Err(CliError::Usage(format!(
                "standard output is the input {}: what forcesim prints would be written into it; send standard output elsewhere",
                escape(&input.display().to_string())
            )));
        }
        let mut seen: Vec<(&str, Identity)> = Vec::new();
        for f in &self.files {
            let Some(id) = identity(&f.path).filter(|id| *id != Identity::Special) else {
                continue;
            };
            let shown = escape(&f.path.display().to_string());
            if let Some((input, _)) = ins.iter().find(|(_, i)| *i == id) {
                return Err(CliError::Usage(format!(
                    "{} {shown} would overwrite the input {}: write the output to another {}",
                    f.flag,
                    escape(&input.display().to_string()),
                    if f.chart { "directory" } else { "file" }
                )));
            }
            if let Some((other, _)) = seen.iter().find(|(_, i)| *i == id) {
                return Err(CliError::Usage(format!(
                    "{other} and {} name the same file {shown}: give each output its own path",
                    f.flag
                )));
            }
            seen.push((f.flag, id));
        }
        Ok(())
    }
}

/// Whether the chart directory exists; an error when it is something else, or
/// when it is missing and its nearest existing ancestor takes no new directory.
fn check_chart_dir(dir: &Path) -> Result<bool, CliError> {
    let shown = || escape(&dir.display().to_string());
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => return Ok(true),
        Ok(_) => {
            return Err(CliError::Usage(format!(
                "--charts {}: it is not a directory; give a directory (created if missing)",
                shown()
            )));
        }
        Err(_) if std::fs::symlink_metadata(dir).is_ok() => {
            return Err(CliError::Usage(format!(
                "--charts {}: it is a symbolic link to nothing; give a directory (created if missing)",
                shown()
            )));
        }
        Err(_) => {}
    }
    let mut up = dir;
    let ancestor = loop {
        up = match up.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => break Path::new("."),
        };
        if std::fs::symlink_metadata(up).is_ok() {
            break up;
        }
    };
    check_directory(ancestor).map_err(|e| {
        CliError::Usage(format!(
            "--charts {}: cannot create it: {}",
            shown(),
            escape(&e.to_string())
        ))
    })?;
    Ok(false)
}

/// The scenario files given and every file they read through `extends`.
pub fn scenario_inputs(scenarios: &[&Path]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for s in scenarios {
        out.push(s.to_path_buf());
        out.extend(forcesim::scenario::base_files(s));
    }
    out
}

/// The file name of a chart with this stem, in the format asked for.
pub fn chart_file(stem: &str, format: ChartFormat) -> String {
    let format: forcesim::charts::Format = format.into();
    format!("{stem}.{}", format.extension())
}

/// Every chart file `run` or `merge` may write (the timeline and pools charts
/// only with a timeline or pools; checked all the same).
pub fn run_charts(format: ChartFormat) -> Vec<String> {
    forcesim::charts::Chart::ALL
        .iter()
        .map(|c| c.file_name(format.into()))
        .collect()
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
        // A file still to be created: where it will be (a dangling link's target).
        Err(_) => {
            let target = forcesim::output::resolve_links(path).unwrap_or_else(|_| path.into());
            Some(Identity::Path(absolute(&target)))
        }
    }
}

/// What standard output is, where it is a regular file (`> file`, `>> file`,
/// `1<> file`): the table and `-` outputs are written into it.
#[cfg(unix)]
fn stdout_identity() -> Option<Identity> {
    use std::os::fd::AsFd;
    let fd = std::io::stdout().as_fd().try_clone_to_owned().ok()?;
    let m = std::fs::File::from(fd).metadata().ok()?;
    m.is_file().then(|| inode(&m)).flatten()
}

#[cfg(not(unix))]
fn stdout_identity() -> Option<Identity> {
    None
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

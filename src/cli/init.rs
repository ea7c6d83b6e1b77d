//! `forcesim init`, `example`, `completions` and `man`: what a new user starts
//! from once the program is installed, with no copy of the repository at hand.

use std::path::{Path, PathBuf};

use std::process::ExitCode;

use anyhow::Context;
use clap::CommandFactory;
use forcesim::output::{Special, check_destination, check_directory};

use super::CliError;
use super::args::{Cli, Example, InitArgs, Sample};
use super::common::print_stdout;

const TUTORIAL: &str = include_str!("../../scenarios/tutorial.toml");
const PARIS: &str = include_str!("../../scenarios/paris-2026.toml");
const PARIS_30K: &str = include_str!("../../scenarios/paris-2026-30k.toml");
const PLEDGES: &str = include_str!("../../examples/pledges.csv");

/// The file name of the JSON Schema that `init` writes beside the scenario.
pub const SCHEMA_FILE: &str = "forcesim.schema.json";

impl Example {
    /// The file name `init` writes, and the text of the file.
    fn file(self) -> (&'static str, &'static str) {
        match self {
            Example::Tutorial => ("tutorial.toml", TUTORIAL),
            Example::Paris => ("paris-2026.toml", PARIS),
            Example::Paris30k => ("paris-2026-30k.toml", PARIS_30K),
        }
    }

    /// The files `init` writes, the one asked for first and what it extends after.
    fn files(self) -> Vec<(&'static str, String)> {
        let mut out = vec![self.file()];
        if self == Example::Paris30k {
            out.push(Example::Paris.file());
        }
        out.into_iter()
            .map(|(name, text)| (name, standalone(text)))
            .collect()
    }
}

/// The scenario as it reads outside the repository: the files it names lie
/// beside it (`scenarios/x.toml` becomes `x.toml`).
fn standalone(text: &str) -> String {
    text.replace("scenarios/", "")
}

/// `forcesim example NAME`: the scenario, or the pledges sheet, on standard output.
pub fn example(name: Sample) -> Result<ExitCode, CliError> {
    let text = match name {
        Sample::Tutorial => Example::Tutorial.file().1,
        Sample::Paris => Example::Paris.file().1,
        Sample::Paris30k => Example::Paris30k.file().1,
        Sample::Pledges => PLEDGES,
    };
    print_stdout(&standalone(text))?;
    Ok(ExitCode::SUCCESS)
}

/// What is at a path that `init` would write (a directory, device, pipe or
/// socket is refused before any of these is made: see [`inspect`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// Nothing: the file is written.
    Missing,
    /// A regular file that holds the text already: left as it is.
    Same,
    /// A regular file with other text; `link` when a symbolic link leads to it.
    File { link: bool },
    /// A symbolic link that leads to nothing.
    Dangling,
}

/// A file `init` would write: its path, its text, and what is there now.
struct Target {
    path: PathBuf,
    text: String,
    found: Found,
}

/// `forcesim init [DIR]`: the example scenario, with the editor's schema line
/// first, and the JSON Schema beside it. Existing files are kept unless `--force`;
/// only regular files are ever written, never through a link.
pub fn init(a: InitArgs) -> Result<ExitCode, CliError> {
    let dir = a.dir.unwrap_or_default();
    let mut targets = plan(&dir, a.example)?;
    // A file that already holds what would be written (the schema, after an
    // earlier `init`) is left as it is.
    targets.retain(|t| t.found != Found::Same);
    let kept = keep_base(&dir, a.example, &mut targets);
    if targets.is_empty() {
        say!("nothing to write: the files are there already");
        return Ok(ExitCode::SUCCESS);
    }
    if std::fs::metadata(&dir).is_ok_and(|m| !m.is_dir()) {
        return Err(CliError::Usage(format!(
            "{} is not a directory: give the directory to write the files into (created if missing)",
            super::escape(&dir.display().to_string())
        )));
    }
    refuse_dangling(&dir)?;
    refuse_links(&targets)?;
    if !a.force {
        refuse_existing(&targets)?;
    }
    check_writable(&dir, &targets)?;
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the directory {}", dir.display()))?;
    for t in &targets {
        forcesim::output::write_output(&t.path, t.text.as_bytes(), Special::Refuse)
            .map_err(anyhow::Error::new)?;
    }
    // The scenario to try next (the first file, unless it was there already).
    let first = dir.join(a.example.file().0);
    if let Some(base) = kept {
        say!(
            "kept {}, which is there already: {} extends it",
            base.display(),
            first.display()
        );
    }
    say!(
        "wrote {}\nnext:\n  forcesim validate {}\n  forcesim run {}",
        targets
            .iter()
            .map(|t| t.path.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        first.display(),
        first.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The files `init` would write into `dir` for `example`, each with what is
/// there now; fails (exit 2) where one is not a regular file.
fn plan(dir: &Path, example: Example) -> Result<Vec<Target>, CliError> {
    let schema =
        serde_json::to_string_pretty(&forcesim::scenario::schema()).map_err(anyhow::Error::new)?;
    let mut files: Vec<(PathBuf, String)> = example
        .files()
        .into_iter()
        .map(|(name, text)| (dir.join(name), format!("#:schema ./{SCHEMA_FILE}\n{text}")))
        .collect();
    files.push((dir.join(SCHEMA_FILE), format!("{schema}\n")));
    files
        .into_iter()
        .map(|(path, text)| {
            let found = inspect(&path, &text)?;
            Ok(Target { path, text, found })
        })
        .collect()
}

/// What is at `path`, looked at without opening anything but a regular file (a
/// named pipe would wait for a writer, a device may never end). A directory, a
/// device, a pipe or a socket, or a link to one, is refused (exit 2): `init`
/// neither replaces nor writes into it, with or without `--force`.
fn inspect(path: &Path, text: &str) -> Result<Found, CliError> {
    let Ok(own) = std::fs::symlink_metadata(path) else {
        // Missing, or its directory cannot be searched (said before writing).
        return Ok(Found::Missing);
    };
    let link = own.file_type().is_symlink();
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(Found::Dangling);
    };
    if !meta.is_file() {
        let kind = kind_of(&meta.file_type());
        let what = if link {
            format!("a symbolic link to {kind}")
        } else {
            kind.to_string()
        };
        return Err(CliError::Usage(format!(
            "{} is not a regular file: it is {what} (nothing written)",
            super::escape(&path.display().to_string())
        )));
    }
    Ok(if holds(path, meta.len(), text) {
        Found::Same
    } else {
        Found::File { link }
    })
}

/// The kind of a file that is not a regular one, as a message names it.
fn kind_of(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

/// Whether the regular file at `path`, `len` bytes long, holds `text`: read
/// only when the lengths agree, never more than that many bytes, and only once
/// opened (without waiting) and seen to be a regular file still.
fn holds(path: &Path, len: u64, text: &str) -> bool {
    use std::io::Read;
    if len != text.len() as u64 {
        return false;
    }
    let Ok(file) = forcesim::input::open(path) else {
        return false;
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut bytes = Vec::new();
    file.take(len + 1).read_to_end(&mut bytes).is_ok() && bytes == text.as_bytes()
}

/// The scenario a variant extends (`paris-2026.toml` for `paris-30k`) is kept
/// where a file is there already (the baseline the user adapts), with or
/// without `--force` (which replaces what `init` writes, never a base the
/// user may have edited): taken out of `targets`, and returned.
fn keep_base(dir: &Path, example: Example, targets: &mut Vec<Target>) -> Option<PathBuf> {
    if example != Example::Paris30k {
        return None;
    }
    let base = dir.join(Example::Paris.file().0);
    // Only a regular file that can be read (anything else is refused as any
    // existing path is); opened without waiting, though [`inspect`] has seen a
    // regular file there.
    let at = targets
        .iter()
        .position(|t| t.path == base && matches!(t.found, Found::File { .. }))?;
    forcesim::input::open(&base)
        .is_ok_and(|f| f.metadata().is_ok_and(|m| m.is_file()))
        .then(|| targets.remove(at).path)
}

/// Fails, naming every file to be written that is a symbolic link: `init`
/// writes only regular files, never the file a link leads to (nor a new one
/// where a dangling link points), with or without `--force`.
fn refuse_links(targets: &[Target]) -> Result<(), CliError> {
    let links: Vec<String> = targets
        .iter()
        .filter(|t| matches!(t.found, Found::File { link: true } | Found::Dangling))
        .map(|t| super::escape(&t.path.display().to_string()))
        .collect();
    if links.is_empty() {
        return Ok(());
    }
    let (is, them) = if links.len() == 1 {
        ("is a symbolic link, not a regular file", "it")
    } else {
        ("are symbolic links, not regular files", "them")
    };
    Err(CliError::Usage(format!(
        "{} {is}: init does not write through links; remove {them} first (nothing written)",
        links.join(", ")
    )))
}

/// Fails, naming every file that exists already, before anything is written.
fn refuse_existing(targets: &[Target]) -> Result<(), CliError> {
    let existing: Vec<String> = targets
        .iter()
        .filter(|t| t.found != Found::Missing)
        .map(|t| t.path.display().to_string())
        .collect();
    if existing.is_empty() {
        return Ok(());
    }
    Err(CliError::Usage(format!(
        "{} already exist{}: nothing written (--force replaces {})",
        existing.join(", "),
        if existing.len() == 1 { "s" } else { "" },
        if existing.len() == 1 { "it" } else { "them" }
    )))
}

/// A directory given as a symbolic link to nothing: `create_dir_all` would
/// fail with "File exists", which does not say why.
fn refuse_dangling(dir: &Path) -> Result<(), CliError> {
    let dangling = std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::metadata(dir).is_err();
    if !dangling {
        return Ok(());
    }
    let to = std::fs::read_link(dir).map_or_else(|_| "?".into(), |t| t.display().to_string());
    Err(CliError::Usage(super::escape(&format!(
        "{} is a symbolic link to {to}, which does not exist: create that directory, or give another (nothing written)",
        dir.display()
    ))))
}

/// Fails (exit 2) before anything is written when one of the files could not be
/// written (a directory, a device, a pipe or a read-only file is in its place),
/// or when the directory cannot take them or, missing, cannot be created.
fn check_writable(dir: &Path, targets: &[Target]) -> Result<(), CliError> {
    let refuse = |e: String| CliError::Usage(format!("{} (nothing written)", super::escape(&e)));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    if std::fs::metadata(dir).is_err() {
        // Created before writing: its nearest existing ancestor must take it.
        let ancestor = dir
            .ancestors()
            .skip(1)
            .find(|p| p.as_os_str().is_empty() || exists(p))
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        return check_directory(ancestor).map_err(|e| {
            refuse(format!(
                "cannot create the directory {}: {e}",
                dir.display()
            ))
        });
    }
    for t in targets {
        check_destination(&t.path, Special::Refuse).map_err(|e| refuse(e.to_string()))?;
    }
    Ok(())
}

fn exists(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok()
}

/// `forcesim completions SHELL`: the completion script on standard output.
pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode, CliError> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "forcesim", &mut buf);
    print_stdout(&String::from_utf8_lossy(&buf))?;
    Ok(ExitCode::SUCCESS)
}

/// `forcesim man [COMMAND]`: the manual page (roff) of the program, or of one
/// of its commands, on standard output.
pub fn man(command: Option<&str>) -> Result<ExitCode, CliError> {
    let mut cmd = Cli::command();
    // Built, so that the `help` command the page lists is there too.
    cmd.build();
    let page = match command {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => sub
                .clone()
                .display_name(format!("forcesim-{name}"))
                .bin_name(format!("forcesim {name}")),
            None => {
                return Err(CliError::Usage(format!(
                    "`{}` is not a command; the commands are: {}",
                    super::escape(name),
                    cmd.get_subcommands()
                        .map(|s| s.get_name().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        },
    };
    let mut buf = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut buf)
        .map_err(anyhow::Error::new)?;
    print_stdout(&String::from_utf8_lossy(&buf))?;
    Ok(ExitCode::SUCCESS)
}

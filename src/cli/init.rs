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

/// `forcesim init [DIR]`: the example scenario, with the editor's schema line
/// first, and the JSON Schema beside it. Existing files are kept unless `--force`.
pub fn init(a: InitArgs) -> Result<ExitCode, CliError> {
    let dir = a.dir.unwrap_or_default();
    let schema =
        serde_json::to_string_pretty(&forcesim::scenario::schema()).map_err(anyhow::Error::new)?;
    let mut files: Vec<(PathBuf, String)> = a
        .example
        .files()
        .into_iter()
        .map(|(name, text)| {
            let text = format!("#:schema ./{SCHEMA_FILE}\n{text}");
            (dir.join(name), text)
        })
        .collect();
    files.push((dir.join(SCHEMA_FILE), format!("{schema}\n")));
    // A file that already holds what would be written (the schema, after an
    // earlier `init`) is left as it is.
    files.retain(|(path, text)| std::fs::read(path).ok().as_deref() != Some(text.as_bytes()));
    let kept = keep_base(&dir, a.example, a.force, &mut files);
    if files.is_empty() {
        say!("nothing to write: the files are there already");
        return Ok(ExitCode::SUCCESS);
    }
    if std::fs::metadata(&dir).is_ok_and(|m| !m.is_dir()) {
        return Err(CliError::Usage(format!(
            "{} is not a directory: give the directory to write the files into (created if missing)",
            super::escape(&dir.display().to_string())
        )));
    }
    if !a.force {
        refuse_existing(&files)?;
    }
    check_writable(&dir, &files)?;
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the directory {}", dir.display()))?;
    for (path, text) in &files {
        forcesim::output::write_atomic(path, text.as_bytes()).map_err(anyhow::Error::new)?;
    }
    if let Some(base) = kept {
        say!(
            "kept {}, which is there already: {} extends it",
            base.display(),
            files[0].0.display()
        );
    }
    let first = &files[0].0;
    say!(
        "wrote {}\nnext:\n  forcesim validate {}\n  forcesim run {}",
        files
            .iter()
            .map(|(p, _)| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        first.display(),
        first.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Without `--force`, the scenario a variant extends (`paris-2026.toml` for
/// `paris-30k`) is kept where a file is there already (the baseline the user
/// adapts): taken out of `files`, and returned.
fn keep_base(
    dir: &Path,
    example: Example,
    force: bool,
    files: &mut Vec<(PathBuf, String)>,
) -> Option<PathBuf> {
    if force || example != Example::Paris30k {
        return None;
    }
    let base = dir.join(Example::Paris.file().0);
    // Only a file that can be read (a directory or a dangling link is refused as
    // any existing path is).
    let readable =
        std::fs::File::open(&base).is_ok_and(|f| f.metadata().is_ok_and(|m| m.is_file()));
    let at = files.iter().position(|(p, _)| *p == base && readable)?;
    files.remove(at);
    Some(base)
}

/// Fails, naming every file that exists already, before anything is written.
fn refuse_existing(files: &[(PathBuf, String)]) -> Result<(), CliError> {
    let existing: Vec<String> = files
        .iter()
        .filter(|(p, _)| exists(p))
        .map(|(p, _)| p.display().to_string())
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

/// Fails (exit 2) before anything is written when one of the files could not be
/// written (a directory or a read-only file is in its place), or when the
/// directory cannot take them or, missing, cannot be created.
fn check_writable(dir: &Path, files: &[(PathBuf, String)]) -> Result<(), CliError> {
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
    for (path, _) in files {
        check_destination(path, Special::WriteInPlace).map_err(|e| refuse(e.to_string()))?;
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

//! The command line: argument parsing, and mapping outcomes to exit codes
//! (0 success, 1 I/O or other failure, 2 bad usage or bad scenario, 3 a target
//! not reached: `secure`'s, or `run --precision`'s; 130 interrupted).
//!
//! Modules, each `use` pointing one way: `args` (the command tree) uses
//! `whatif_args` and `opts` (shared option groups and parsers); the commands use
//! `common` (defaults, loading, writing outputs) and `outputs` (checking every
//! file to be written before any work), which use `opts`.

/// `eprintln!` that never fails: a standard error whose reader has gone (`2>&1 |
/// head`) loses the message, as a terminal would, instead of ending the program.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `eprint!` that never fails (see [`say`]).
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

mod args;
mod bench;
mod common;
mod compare;
mod import;
mod init;
mod interrupt;
mod merge;
mod opts;
mod outputs;
mod progress;
mod run;
mod secure;
mod sensitivity;
mod shard;
mod sweep;
mod whatif_args;

use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;
use args::Command;
use forcesim::scenario::LoadError;

/// A failure, with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad usage or a bad scenario: exit 2. The message is already complete.
    #[error("{0}")]
    Usage(String),
    /// The scenario is invalid: exit 2. Diagnostics are printed as they are.
    #[error("{0}")]
    Invalid(String),
    /// Anything else (I/O): exit 1.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) | CliError::Invalid(_) => ExitCode::from(2),
            CliError::Other(_) => ExitCode::from(1),
        }
    }
}

impl From<LoadError> for CliError {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Io { .. } => CliError::Other(anyhow::anyhow!("{e}")),
            LoadError::Invalid(d) => CliError::Invalid(d.to_string()),
        }
    }
}

/// Parses the arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_failure(&e),
    };
    match dispatch(cli) {
        Ok(code) => after_stop(code, interrupt::stopped()),
        Err(e) => {
            match &e {
                CliError::Invalid(text) => say!("{}", escape_lines(text)),
                CliError::Usage(text) => say!("error: {}", escape_lines(text)),
                CliError::Other(err) => say!("error: {}", escape_lines(&format!("{err:#}"))),
            }
            e.exit_code()
        }
    }
}

/// Prints what the parser gave instead of a command: an error (exit 2), or the
/// help or version asked for (exit 0; 1 when standard output cannot take it,
/// as for every command's output; a reader that stops early is no error).
fn parse_failure(e: &clap::Error) -> ExitCode {
    use std::io::Write as _;
    let printed = e.print().and_then(|()| std::io::stdout().flush());
    match printed {
        _ if e.use_stderr() => ExitCode::from(2),
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            say!("error: cannot write to standard output: {err}");
            ExitCode::from(1)
        }
    }
}

/// The exit code of a command that returned `code`, when a stop was asked for
/// (`stopped`) too late to cut its work short: the outputs are complete, and the
/// exit code still says that the command was stopped (130), as it does whenever
/// a signal is taken, so that `a && b` does not go on to `b`.
fn after_stop(code: ExitCode, stopped: bool) -> ExitCode {
    if stopped && code == ExitCode::SUCCESS {
        say!("interrupted: the work had finished; its outputs are complete");
        return ExitCode::from(interrupt::EXIT_INTERRUPTED);
    }
    code
}

fn dispatch(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Run(a) => run::run(a),
        Command::Validate(a) => run::validate(a),
        Command::Sweep(a) => sweep::sweep(a),
        Command::Compare(a) => compare::compare(a),
        Command::Secure(a) => secure::secure(a),
        Command::Sensitivity(a) => sensitivity::sensitivity(a),
        Command::Bench(a) => bench::bench(a),
        Command::Merge(a) => merge::merge(a),
        Command::Init(a) => init::init(a),
        Command::Example { name } => init::example(name),
        Command::Import(a) => import::import(a),
        Command::Completions { shell } => init::completions(shell),
        Command::Man { command } => init::man(command.as_deref()),
        Command::Schema(a) => {
            use forcesim::report::schema;
            let schema = if a.report {
                schema::report()
            } else if a.sweep {
                schema::sweep()
            } else if a.compare {
                schema::compare()
            } else if a.secure {
                schema::secure()
            } else if a.sensitivity {
                schema::sensitivity()
            } else {
                forcesim::scenario::schema()
            };
            let text = serde_json::to_string_pretty(&schema).map_err(anyhow::Error::new)?;
            common::print_stdout(&format!("{text}\n"))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Exit code of a command whose target was not reached (`secure`, `run --precision`).
pub const EXIT_NOT_REACHED: u8 = 3;

/// `text` with every control character written as an escape (`\u{1b}`), so that
/// a name from a file or the command line cannot drive the terminal.
pub fn escape(text: &str) -> String {
    escape_except(text, &[])
}

/// [`escape`], keeping line breaks and tabs: for multi-line messages.
pub fn escape_lines(text: &str) -> String {
    escape_except(text, &['\n', '\t'])
}

fn escape_except(text: &str, keep: &[char]) -> String {
    if !text.chars().any(|c| c.is_control() && !keep.contains(&c)) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() && !keep.contains(&c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(escape("x\ny"), "x\\u{a}y");
        assert_eq!(escape_lines("x\ny\u{7}"), "x\ny\\u{7}");
        assert_eq!(escape("Français"), "Français");
    }

    #[test]
    fn a_stop_after_the_work_still_exits_130() {
        let stopped = ExitCode::from(interrupt::EXIT_INTERRUPTED);
        assert_eq!(after_stop(ExitCode::SUCCESS, true), stopped);
        assert_eq!(after_stop(ExitCode::SUCCESS, false), ExitCode::SUCCESS);
        // A command that failed, or was itself interrupted, keeps its code.
        assert_eq!(after_stop(ExitCode::from(1), true), ExitCode::from(1));
        assert_eq!(after_stop(stopped, true), stopped);
    }
}

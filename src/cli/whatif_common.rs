//! What the what-if commands share: trial and seed defaults, output files, and the
//! summary table on stdout (or stderr when stdout carries JSON or CSV).

use std::path::{Path, PathBuf};

use forcesim::Model;
use forcesim::output::write_atomic;

use super::CliError;
use super::run::{DEFAULT_SEED, DEFAULT_TRIALS};
use super::whatif_args::RunControl;

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

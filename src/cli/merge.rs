//! `forcesim merge`: partial files of a sharded run → the run's report.

use std::path::Path;
use std::process::ExitCode;

use forcesim::merge::{self, MergeError, ReadError};
use forcesim::output::write_atomic;
use forcesim::report::{self, Report, csv::to_csv, table::to_table};

use super::CliError;
use super::args::MergeArgs;

pub fn merge(a: MergeArgs) -> Result<ExitCode, CliError> {
    let dash = Some(Path::new("-"));
    if a.json.as_deref() == dash && a.csv.as_deref() == dash {
        return Err(CliError::Usage(
            "--json - and --csv - cannot both write to standard output: give one a file path"
                .into(),
        ));
    }
    let inputs = merge::read_inputs(&a.parts).map_err(|e| match e {
        ReadError::Io { .. } => CliError::Other(anyhow::anyhow!("{e}")),
        ReadError::TooLarge { .. } => CliError::Usage(e.to_string()),
    })?;
    let merged = merge::merge(&inputs).map_err(|e| match e {
        MergeError::Scenario { .. } => CliError::Invalid(format!("error: {e}")),
        e => CliError::Usage(e.to_string()),
    })?;
    let trials = merged.tally.trials;
    let report = Report::build(
        &merged.model,
        &merged.tally,
        merged.seed,
        report::Engine {
            version: forcesim::VERSION.to_string(),
            threads: merged.threads,
            elapsed_s: merged.elapsed_s,
            trials_per_s: if merged.elapsed_s > 0.0 {
                trials as f64 / merged.elapsed_s
            } else {
                0.0
            },
        },
    );
    if let Some(path) = &a.json {
        write_atomic(path, report.to_json().as_bytes()).map_err(anyhow::Error::new)?;
    }
    if let Some(path) = &a.csv {
        write_atomic(path, to_csv(&report).as_bytes()).map_err(anyhow::Error::new)?;
    }
    super::run::write_charts(&report, &a.chart_opts)?;
    let stdout_taken = [&a.json, &a.csv].iter().any(|p| p.as_deref() == dash);
    if !a.quiet {
        let table = to_table(&report);
        if stdout_taken {
            eprint!("{table}");
        } else {
            print!("{table}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

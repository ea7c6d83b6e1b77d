//! `forcesim merge`: partial files of a sharded run → the run's report.

use std::path::Path;
use std::process::ExitCode;

use forcesim::report::Report;
use forcesim::shard::merge::{self, MergeError, ReadError};

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
    let report = Report::measured(
        &merged.model,
        &merged.tally,
        merged.seed,
        merged.threads,
        merged.elapsed_s,
    );
    super::run::write_report(&report, &a.json, &a.csv, &a.chart_opts, a.quiet)?;
    Ok(ExitCode::SUCCESS)
}

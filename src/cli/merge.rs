//! `forcesim merge`: partial files of a sharded run → the run's report.

use std::process::ExitCode;

use forcesim::report::Report;
use forcesim::shard::merge::{self, MergeError, ReadError};

use super::CliError;
use super::args::MergeArgs;
use super::common::one_stdout;
use super::interrupt::stop_flag;
use super::outputs::{Outputs, run_charts};

pub fn merge(a: MergeArgs) -> Result<ExitCode, CliError> {
    let o = &a.output;
    one_stdout(&o.report_files())?;
    Outputs::new(&o.report_files())
        .charts(&o.charts, &run_charts(o.chart_format))
        .check(&a.parts)?;
    refuse_streams(&a.parts)?;
    // Merging is one unit: a signal lets it finish and write the report, then
    // the exit code says that a stop was asked for.
    stop_flag("merge");
    // Each part is read when needed (its header, then its tally), so that memory
    // does not grow with the number of parts.
    let merged = merge::merge_from(&merge::Files::new(&a.parts)).map_err(|e| match e {
        MergeError::Read(ReadError::Io { .. }) => CliError::Other(anyhow::anyhow!("{e}")),
        MergeError::Scenario { .. } => CliError::Invalid(format!("error: {e}")),
        e => CliError::Usage(e.to_string()),
    })?;
    if !merged.warnings.items.is_empty() {
        say!("{}", super::escape_lines(&merged.warnings.to_string()));
    }
    let report = Report::measured(
        &merged.model,
        &merged.tally,
        merged.seed,
        merged.threads,
        merged.elapsed_s,
    );
    // A stop asked for meanwhile gives exit code 130 (`cli::after_stop`).
    super::run::write_report(&report, &merged.file, o)?;
    Ok(ExitCode::SUCCESS)
}

/// Refuses a part that is no regular file (a pipe, `<(…)`, a device): merge
/// reads each part twice, its header first, then its tally.
fn refuse_streams(parts: &[std::path::PathBuf]) -> Result<(), CliError> {
    for p in parts {
        if std::fs::metadata(p).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            return Err(CliError::Usage(format!(
                "{}: a partial must be a file, not a pipe or device (merge reads each part twice: its header, then its tally); save it to a file first",
                super::escape(&p.display().to_string())
            )));
        }
    }
    Ok(())
}

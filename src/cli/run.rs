//! `forcesim run` and `forcesim validate`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use forcesim::report::{csv::to_csv, table::to_table};
use forcesim::{Model, RunOptions, scenario};

use super::CliError;
use super::args::{ChartOpts, RunArgs, ValidateArgs};
use super::progress;

/// Default trial count when neither `-n` nor the scenario gives one.
pub const DEFAULT_TRIALS: u64 = 100_000;
/// Default seed when neither `--seed` nor the scenario gives one.
pub const DEFAULT_SEED: u64 = 1;

/// Loads a scenario with overrides, mapping errors to exit codes.
pub fn load(path: &Path, set: &[String]) -> Result<Model, CliError> {
    Ok(scenario::load(path, set)?)
}

/// Writes the JSON, CSV and charts asked for, then prints the summary table (on
/// stderr when standard output took the JSON or CSV) unless `quiet`.
pub fn write_report(
    report: &forcesim::Report,
    json: &Option<std::path::PathBuf>,
    csv: &Option<std::path::PathBuf>,
    charts: &ChartOpts,
    quiet: bool,
) -> Result<(), CliError> {
    write_charts(report, charts)?;
    super::whatif_common::emit(
        &[(json, &|| report.to_json()), (csv, &|| to_csv(report))],
        &|| to_table(report),
        quiet,
    )
}

/// Writes the charts of `report` when `--charts DIR` was given.
pub fn write_charts(report: &forcesim::Report, opts: &ChartOpts) -> Result<(), CliError> {
    if let Some(dir) = &opts.charts {
        forcesim::charts::write_all(report, dir, opts.chart_format.into())
            .map_err(anyhow::Error::new)?;
    }
    Ok(())
}

pub fn run(a: RunArgs) -> Result<ExitCode, CliError> {
    let dash = Some(Path::new("-"));
    if a.json.as_deref() == dash && a.csv.as_deref() == dash {
        return Err(CliError::Usage(
            "--json - and --csv - cannot both write to standard output: give one a file path"
                .into(),
        ));
    }
    if let (Some(shard), Some(partial)) = (a.shard, &a.partial) {
        return super::shard::run(&a, shard, partial);
    }
    let model = load(&a.scenario, &a.scenario_opts.set)?;
    let on = match a.precision {
        Some(_) => Some(
            forcesim::whatif::precision::On::parse(
                &model,
                a.precision_on.as_deref().unwrap_or("p_all_covered"),
            )
            .map_err(|e| CliError::Usage(format!("--precision-on: {e}")))?,
        ),
        None => None,
    };
    let trials = match a.precision {
        // With --precision, -n is the cap.
        Some(_) => a
            .trials
            .unwrap_or(forcesim::whatif::precision::DEFAULT_MAX_TRIALS),
        None => a.trials.or(model.default_trials).unwrap_or(DEFAULT_TRIALS),
    };
    let seed = a.seed.or(model.default_seed).unwrap_or(DEFAULT_SEED);
    let bar = progress::bar(trials);
    let on_progress = |done: u64| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let opts = RunOptions {
        trials,
        seed,
        threads: a.threads.unwrap_or(0),
        stop: Some(super::interrupt::stop_flag()),
        progress: Some(&on_progress),
    };
    let out = match (a.precision, &on) {
        (Some(eps), Some(on)) => forcesim::whatif::precision::simulate(&model, &opts, eps, on),
        _ => forcesim::simulate(&model, &opts),
    }
    .context("the simulation could not start")?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let report = out.report;
    write_report(&report, &a.json, &a.csv, &a.chart_opts, a.quiet)?;
    if report.interrupted {
        eprintln!(
            "interrupted: the report covers the first {} of {trials} trials (whole blocks of {})",
            report.trials,
            forcesim::engine::BLOCK_TRIALS
        );
        return Ok(ExitCode::from(super::interrupt::EXIT_INTERRUPTED));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn validate(a: ValidateArgs) -> Result<ExitCode, CliError> {
    let mut failed = 0;
    let mut io_failed = false;
    for path in &a.scenarios {
        match scenario::load(path, &a.scenario_opts.set) {
            Ok(m) => super::whatif_common::print_stdout(&format!(
                "{}: ok ({} nations, {} domains, {} capabilities)\n",
                path.display(),
                m.nations.len(),
                m.domains.len(),
                m.capabilities.len()
            ))?,
            Err(scenario::LoadError::Invalid(d)) => {
                eprintln!("{d}");
                failed += 1;
            }
            Err(e) => {
                eprintln!("error: {e}");
                io_failed = true;
            }
        }
    }
    if failed > 0 {
        Err(CliError::Invalid(format!(
            "{failed} of {} scenario{} invalid",
            a.scenarios.len(),
            if a.scenarios.len() == 1 {
                " is"
            } else {
                "s are"
            }
        )))
    } else if io_failed {
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

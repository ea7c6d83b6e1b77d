//! `forcesim sweep`.

use std::process::ExitCode;

use anyhow::Context;
use forcesim::RunOptions;
use forcesim::whatif::sweep::{self, Axis, PointError};

use super::CliError;
use super::progress;
use super::run::load;
use super::whatif_args::SweepArgs;
use super::whatif_common::{emit, one_stdout, resolve};

/// Points whose errors are printed in full.
const SHOWN_POINT_ERRORS: usize = 3;

/// Every invalid point, the first few in full.
pub fn point_errors(errors: &[PointError], total: usize) -> String {
    // When every point fails the same way (a bad key, say), once is enough.
    let problems = |e: &PointError| -> Vec<(String, String)> {
        e.diagnostics
            .items
            .iter()
            .map(|d| (d.key.clone(), d.message.clone()))
            .collect()
    };
    if errors.len() == total
        && total > 1
        && errors.iter().all(|e| problems(e) == problems(&errors[0]))
    {
        return format!(
            "{}\nall {total} sweep points fail the same way; nothing was run",
            errors[0].to_string().trim_end()
        );
    }
    let mut out: Vec<String> = errors
        .iter()
        .take(SHOWN_POINT_ERRORS)
        .map(|e| e.to_string().trim_end().to_string())
        .collect();
    if errors.len() > SHOWN_POINT_ERRORS {
        out.push(format!(
            "… and {} more invalid points",
            errors.len() - SHOWN_POINT_ERRORS
        ));
    }
    out.push(format!(
        "{} of {total} sweep points are invalid; nothing was run",
        errors.len()
    ));
    out.join("\n")
}

pub fn sweep(a: SweepArgs) -> Result<ExitCode, CliError> {
    one_stdout(&[("--json", &a.json), ("--csv", &a.csv)])?;
    let axes = a
        .vary
        .iter()
        .map(|s| Axis::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CliError::Usage)?;
    let points = sweep::points(&axes).map_err(CliError::Usage)?;
    let base = load(&a.scenario, &a.scenario_opts.set)?;
    let bytes = std::fs::read(&a.scenario)
        .with_context(|| format!("cannot read {}", a.scenario.display()))?;
    let origin = a.scenario.display().to_string();
    let models = sweep::prepare(&origin, &bytes, &a.scenario_opts.set, &points)
        .map_err(|e| CliError::Invalid(point_errors(&e, points.len())))?;
    let (trials, seed, threads) = resolve(&a.control, &base);
    let bar = progress::bar(trials.saturating_mul(points.len() as u64));
    let on_point = |done: usize| {
        if let Some(b) = &bar {
            b.set_position(done as u64 * trials);
        }
    };
    let result = sweep::run(
        &base,
        &axes,
        &points,
        &models,
        &RunOptions {
            trials,
            seed,
            threads,
            ..Default::default()
        },
        &on_point,
    )
    .context("the simulation could not start")?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if let Some(dir) = &a.charts {
        forcesim::charts::sweep::write(&result, dir, a.chart_format.into())
            .map_err(anyhow::Error::new)?;
    }
    emit(
        &[
            (&a.json, &|| forcesim::whatif::to_json(&result)),
            (&a.csv, &|| result.to_csv()),
        ],
        &|| result.to_table(),
        a.quiet,
    )?;
    Ok(ExitCode::SUCCESS)
}

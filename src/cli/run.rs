//! `forcesim run` and `forcesim validate`.

use std::process::ExitCode;

use anyhow::Context;
use forcesim::briefing::{Briefing, html::to_html_with, sha256_hex, xlsx::to_xlsx};
use forcesim::report::{csv::to_csv_with, table::to_table};
use forcesim::whatif::precision;
use forcesim::{Model, RunOptions, scenario};

use super::CliError;
use super::args::{RunArgs, ValidateArgs};
use super::common::{DEFAULT_SEED, DEFAULT_TRIALS, Failures, emit_after, load, one_stdout};
use super::interrupt::{EXIT_INTERRUPTED, stop_flag};
use super::opts::OutputOpts;
use super::outputs::{Outputs, run_charts, scenario_inputs};
use super::{EXIT_NOT_REACHED, escape, progress};

/// Writes the JSON, CSV, HTML and charts asked for, then prints the summary
/// table (on stderr when standard output took an output) unless `quiet`.
/// `scenario_text` is the scenario file's text (for its SHA-256 and the
/// assumptions annex).
pub fn write_report(
    report: &forcesim::Report,
    scenario_text: &str,
    out: &OutputOpts,
) -> Result<(), CliError> {
    let opts = out.chart.options(forcesim::charts::Options::default());
    out.chart
        .warn_unused(&forcesim::charts::Options::run_keys(report));
    // Charts and the HTML page draw the `--label`s; the data files keep the names.
    let shown = opts.relabel(report);
    let mut failures = Failures::default();
    if let Some(dir) = &out.charts {
        failures.note(
            forcesim::charts::write_all_with(&shown, dir, out.chart_format.into(), &opts)
                .map(|_| ()),
        );
    }
    if let Some(path) = &out.xlsx {
        let briefing = Briefing {
            report,
            scenario_text,
        };
        let bytes = to_xlsx(&briefing).map_err(anyhow::Error::new)?;
        failures.note(forcesim::output::write_atomic(path, &bytes));
    }
    let briefing = Briefing {
        report: &shown,
        scenario_text,
    };
    let workbook_out = out.xlsx.as_deref().is_some_and(super::common::is_stdout);
    emit_after(
        failures,
        &[
            (&out.json, &|| report.to_json()),
            (&out.csv, &|| {
                to_csv_with(report, &sha256_hex(scenario_text))
            }),
            (&out.html, &|| to_html_with(&briefing, &opts)),
        ],
        &|| to_table(report),
        (out.quiet, workbook_out),
    )
}

/// What `--precision-on` names, when `--precision` is given.
fn precision_target(a: &RunArgs, model: &Model) -> Result<Option<precision::On>, CliError> {
    if a.precision.is_none() {
        return Ok(None);
    }
    let on = a.precision_on.as_deref().unwrap_or("p_all_covered");
    precision::On::parse(model, on)
        .map(Some)
        .map_err(|e| CliError::Usage(format!("--precision-on: {e}")))
}

pub fn run(a: RunArgs) -> Result<ExitCode, CliError> {
    let o = &a.output;
    one_stdout(&o.report_files())?;
    Outputs::new(&o.report_files())
        .partial(&a.partial)
        .charts(&o.charts, &run_charts(o.chart_format))
        .check(&scenario_inputs(&[&a.scenario]))?;
    if let (Some(shard), Some(partial)) = (a.shard, &a.partial) {
        return super::shard::run(&a, shard, partial);
    }
    let model = load(&a.scenario, &a.scenario_opts.set)?;
    let on = precision_target(&a, &model)?;
    let trials = match a.precision {
        // With --precision, -n is the cap.
        Some(_) => a.trials.unwrap_or(precision::DEFAULT_MAX_TRIALS),
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
        stop: Some(stop_flag("blocks")),
        progress: Some(&on_progress),
    };
    let out = match (a.precision, &on) {
        (Some(eps), Some(on)) => precision::simulate(&model, &opts, eps, on),
        _ => forcesim::simulate(&model, &opts),
    }
    .context("the simulation could not start")?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let report = out.report;
    if report.interrupted && report.trials == 0 {
        return Ok(super::interrupt::nothing_written());
    }
    write_report(&report, &super::common::scenario_text(&a.scenario)?, o)?;
    if report.interrupted {
        say!(
            "interrupted: the report covers the first {} of {trials} trials (whole blocks of {})",
            report.trials,
            forcesim::engine::BLOCK_TRIALS
        );
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    if let Some(p) = report.precision.as_ref().filter(|p| !p.met) {
        let target = forcesim::math::brief(p.target);
        let reached = if p.half_width.is_finite() {
            format!("± {}", forcesim::math::brief(p.half_width))
        } else {
            "no interval (no trial mounted the mission)".to_string()
        };
        say!(
            "precision not met: {reached} on {} after {} trials (the cap), against ± {}",
            escape(&p.on),
            p.trials,
            target
        );
        return Ok(ExitCode::from(EXIT_NOT_REACHED));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn validate(a: ValidateArgs) -> Result<ExitCode, CliError> {
    let paths: Vec<&std::path::Path> = a.scenarios.iter().map(|p| p.as_path()).collect();
    Outputs::default().check(&scenario_inputs(&paths))?;
    let (mut failed, mut unread) = (0, 0);
    for path in &a.scenarios {
        match scenario::load_checked(path, &a.scenario_opts.set) {
            Ok(c) if a.strict && !c.warnings.items.is_empty() => {
                let mut errors = c.warnings;
                errors.severity = scenario::Severity::Error;
                say!("{}", super::escape_lines(&errors.to_string()));
                failed += 1;
            }
            Ok(c) => {
                let n = c.warnings.items.len();
                if n > 0 {
                    say!("{}", super::escape_lines(&c.warnings.to_string()));
                }
                let m = &c.model;
                super::common::print_stdout(&format!(
                    "{}: ok ({}, {}, {}{})\n",
                    escape(&path.display().to_string()),
                    counted(m.nations.len(), "nation"),
                    counted(m.domains.len(), "domain"),
                    counted(m.capabilities.len(), "capability"),
                    match n {
                        0 => String::new(),
                        n => format!(", {}", counted(n, "warning")),
                    }
                ))?
            }
            Err(scenario::LoadError::Invalid(d)) => {
                say!("{}", super::escape_lines(&d.to_string()));
                failed += 1;
            }
            Err(e) => {
                say!("error: {}", super::escape_lines(&e.to_string()));
                unread += 1;
            }
        }
    }
    let total = a.scenarios.len();
    let unread_note = match unread {
        0 => String::new(),
        n => format!(", {n} could not be read"),
    };
    if failed > 0 {
        let verb = if failed == 1 { "is" } else { "are" };
        Err(CliError::Invalid(format!(
            "{failed} of {} {verb} invalid{unread_note}",
            counted(total, "scenario")
        )))
    } else if unread > 0 {
        if total > 1 {
            say!("{unread} of {total} scenarios could not be read");
        }
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// `n` things: `1 nation`, `2 nations`, `1 capability`, `3 capabilities`.
pub(super) fn counted(n: usize, one: &str) -> String {
    match (n, one.strip_suffix('y')) {
        (1, _) => format!("1 {one}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {one}s"),
    }
}

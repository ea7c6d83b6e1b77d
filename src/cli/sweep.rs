//! `forcesim sweep`.

use std::process::ExitCode;

use std::sync::atomic::Ordering;

use anyhow::Context;
use forcesim::whatif::sweep::{self, Axis, Point, PointError, Sweep};
use forcesim::{Model, RunOptions};

use super::CliError;
use super::common::{Failures, emit, file_sha256, load, one_stdout, resolve, to_json_marked};
use super::interrupt::{interrupted_whatif, stop_flag};
use super::outputs::{Outputs, chart_file, scenario_inputs};
use super::progress;
use super::whatif_args::SweepArgs;
use forcesim::charts::names::file_stem;

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

/// The axes, the grid's points, the base model and one model per point.
type Prepared = (Vec<Axis>, Vec<Point>, Model, Vec<Model>);

/// The parsed axes, the grid's points and one model per point; a usage or
/// scenario error for any invalid point, before anything runs.
fn prepare(a: &SweepArgs) -> Result<Prepared, CliError> {
    let axes = a
        .vary
        .iter()
        .map(|s| Axis::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CliError::Usage)?;
    let points = sweep::points(&axes).map_err(CliError::Usage)?;
    let base = load(&a.scenario, &a.scenario_opts.set)?;
    // The text the base was loaded from (a pipe is read once).
    let bytes = super::common::scenario_bytes(&a.scenario)?;
    let origin = a.scenario.display().to_string();
    let models = sweep::prepare(&origin, &bytes, &a.scenario_opts.set, &points)
        .map_err(|e| CliError::Invalid(point_errors(&e, points.len())))?;
    Ok((axes, points, base, models))
}

/// Runs the points one by one, stopping before the next when a signal asked
/// for it: the result holds the points finished, and whether it stopped early.
fn run_points(
    base: &Model,
    axes: &[Axis],
    points: &[Point],
    models: &[Model],
    opts: &RunOptions<'_>,
    on_point: &dyn Fn(usize),
) -> Result<(Sweep, bool), CliError> {
    let stop = stop_flag("point");
    let mut result = sweep::run(base, axes, &[], &[], opts, &|_| {})
        .context("the simulation could not start")?;
    for i in 0..points.len() {
        if stop.load(Ordering::SeqCst) {
            return Ok((result, true));
        }
        let one = sweep::run(base, axes, &points[i..=i], &models[i..=i], opts, &|_| {})
            .context("the simulation could not start")?;
        result.points.extend(one.points);
        result.reports.extend(one.reports);
        on_point(i + 1);
    }
    Ok((result, false))
}

/// The whole rows of an interrupted sweep (the first axis varies slowest), for
/// the table and the chart, which need a full grid.
fn complete_rows(s: &Sweep) -> Sweep {
    let mut out = s.clone();
    let cols: usize = out.axes.iter().skip(1).map(|x| x.values.len()).product();
    let rows = out.points.len() / cols.max(1);
    if let Some(first) = out.axes.first_mut() {
        first.values.truncate(rows);
    }
    out.points.truncate(rows * cols);
    out.reports.truncate(rows * cols);
    out
}

/// Writes the chart, the JSON, the CSV and the HTML asked for, then prints the
/// table unless quiet.
fn write_outputs(
    a: &SweepArgs,
    result: &Sweep,
    shown: &Sweep,
    base: &Model,
    interrupted: bool,
) -> Result<(), CliError> {
    let o = &a.output;
    let copts = o.chart.options(forcesim::charts::Options::from_model(base));
    // The varied keys, and the nations, domains and capabilities by id.
    let mut known: Vec<String> = result.axes.iter().map(|x| x.key.clone()).collect();
    known.extend(
        forcesim::charts::Options::from_model(base)
            .labels
            .into_iter()
            .map(|(k, _)| k),
    );
    // A domain is also named by its bare id (`--label land=Land`).
    known.extend(base.domains.iter().map(|d| d.id.clone()));
    o.chart.warn_unused(&known);
    let mut failures = Failures::default();
    if let Some(dir) = &o.charts {
        failures.note(
            forcesim::charts::sweep::write_with(shown, dir, o.chart_format.into(), &copts)
                .map(|_| ()),
        );
    }
    let text = match &o.html {
        Some(_) => super::common::scenario_text(&a.scenario)?,
        None => String::new(),
    };
    emit(
        failures,
        &[
            (&o.json, &|| to_json_marked(result, interrupted)),
            (&o.csv, &|| {
                result.to_csv_with(&file_sha256(&a.scenario), interrupted)
            }),
            (&o.html, &|| {
                forcesim::briefing::whatif::sweep(result, shown, &text, interrupted, &copts)
            }),
        ],
        &|| marked_table(result, shown, interrupted),
        o.quiet,
    )
}

/// The table of the points `shown`, headed by a line that says so where a stop
/// left points unrun (a paired sweep that finished every point says it in its
/// trial count).
fn marked_table(result: &Sweep, shown: &Sweep, interrupted: bool) -> String {
    let table = shown.to_table();
    let total: usize = result.axes.iter().map(|x| x.values.len()).product();
    let done = result.points.len();
    if interrupted && done < total {
        format!(
            "INTERRUPTED: {done} of {total} points finished; the table shows {} of them\n{table}",
            shown.points.len()
        )
    } else {
        table
    }
}

pub fn sweep(a: SweepArgs) -> Result<ExitCode, CliError> {
    let o = &a.output;
    o.refuse_xlsx("sweep")?;
    let outputs = [("--json", &o.json), ("--csv", &o.csv), ("--html", &o.html)];
    one_stdout(&outputs)?;
    let (axes, points, base, models) = prepare(&a)?;
    let keys: Vec<&str> = axes.iter().map(|x| x.key.as_str()).collect();
    let chart = chart_file(&file_stem("sweep", &keys), o.chart_format);
    Outputs::new(&outputs)
        .charts(&o.charts, &[chart])
        .check(&scenario_inputs(&[&a.scenario]))?;
    let (trials, seed, threads) = resolve(&a.control, &base);
    let bar = progress::bar(trials.saturating_mul(points.len() as u64));
    let on_point = |done: usize| {
        if let Some(b) = &bar {
            b.set_position(done as u64 * trials);
        }
    };
    let opts = RunOptions {
        trials,
        seed,
        threads,
        ..Default::default()
    };
    let (result, interrupted) = if a.unpaired {
        run_points(&base, &axes, &points, &models, &opts, &on_point)?
    } else {
        let progress = |done: u64| {
            if let Some(b) = &bar {
                b.set_position(done.saturating_mul(points.len() as u64));
            }
        };
        let opts = RunOptions {
            stop: Some(stop_flag("blocks")),
            progress: Some(&progress),
            ..opts
        };
        sweep::run_paired(&base, &axes, &points, models, &opts)
            .context("the simulation could not start")?
    };
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    // Points left out: `--unpaired`, or a paired sweep run a chunk of points at
    // a time (the chunks finished cover every trial).
    let cut = interrupted && (a.unpaired || result.points.len() < points.len());
    let whole;
    let shown = if cut {
        whole = complete_rows(&result);
        &whole
    } else {
        &result
    };
    let done = result.base.as_ref().map_or(0, |b| b.trials);
    if interrupted && (shown.points.is_empty() || (!a.unpaired && done == 0)) {
        return Ok(super::interrupt::nothing_finished("point"));
    }
    write_outputs(&a, &result, shown, &base, interrupted)?;
    if interrupted {
        let paired = (!cut).then_some((done, trials));
        let finished = (result.points.len(), points.len());
        return Ok(interrupted_whatif("point", paired, finished));
    }
    Ok(ExitCode::SUCCESS)
}

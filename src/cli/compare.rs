//! `forcesim compare`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::Ordering;

use anyhow::Context;
use forcesim::whatif::compare::{self, Comparison, unique_labels};
use forcesim::whatif::sweep::split_top;
use forcesim::{Model, RunOptions};

use super::CliError;
use super::common::{
    Failures, emit, file_sha256, load, load_variant, one_stdout, resolve, to_json_marked,
};
use super::interrupt::{interrupted_whatif, stop_flag};
use super::outputs::{Outputs, chart_file, scenario_inputs};
use super::whatif_args::CompareArgs;
use forcesim::charts::names::file_stem;

/// Reads `[LABEL:] KEY=VALUE[; KEY=VALUE…]` into a label and overrides.
pub fn parse_variant(spec: &str) -> Result<(String, Vec<String>), String> {
    let (label, rest) = match (spec.find(':'), spec.find('=')) {
        (Some(c), Some(e)) if c < e => (spec[..c].trim().to_string(), &spec[c + 1..]),
        _ => (String::new(), spec),
    };
    let sets: Vec<String> = split_top(rest, ';')
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if sets.is_empty() || sets.iter().any(|s| !s.contains('=')) {
        return Err(format!(
            "--variant `{spec}`: write [LABEL:] KEY=VALUE[; KEY=VALUE…], e.g. 'no-backstop: conditions.us_backstop.probability=0'"
        ));
    }
    for s in &sets {
        forcesim::whatif::check_varied_key(s, "--variant")?;
    }
    let label = if label.is_empty() {
        sets.join("; ")
    } else {
        label
    };
    Ok((label, sets))
}

/// Every scenario to compare, labelled: the files, then the variants of the first.
fn scenarios(a: &CompareArgs) -> Result<Vec<(String, Model)>, CliError> {
    let (variants, bad): (Vec<_>, Vec<_>) = a
        .variant
        .iter()
        .map(|v| parse_variant(v))
        .partition(Result::is_ok);
    if !bad.is_empty() {
        let bad: Vec<String> = bad.into_iter().filter_map(Result::err).collect();
        return Err(CliError::Usage(bad.join("\n")));
    }
    let variants: Vec<_> = variants.into_iter().filter_map(Result::ok).collect();
    if a.scenarios.len() + variants.len() < 2 {
        return Err(CliError::Usage(
            "compare needs at least two scenarios: give two files, or one file and a --variant"
                .into(),
        ));
    }
    let mut labels = Vec::new();
    let mut models = Vec::new();
    let mut invalid = Vec::new();
    for path in &a.scenarios {
        collect(load(path, &a.scenario_opts.set), &mut models, &mut invalid)?;
        labels.push(
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
        );
    }
    // Variants of an invalid first file would repeat its problems.
    let base_ok = !models.is_empty();
    for (label, sets) in variants.iter().filter(|_| base_ok) {
        let mut set = a.scenario_opts.set.clone();
        set.extend(sets.iter().cloned());
        let loaded = load_variant(&a.scenarios[0], &set).map_err(|e| match e {
            CliError::Invalid(s) => {
                CliError::Invalid(format!("variant `{}`:\n{s}", super::escape(label)))
            }
            e => e,
        });
        collect(loaded, &mut models, &mut invalid)?;
        labels.push(label.clone());
    }
    if !invalid.is_empty() {
        let total = a.scenarios.len() + variants.len();
        return Err(CliError::Invalid(format!(
            "{}\n{} of {total} scenarios and variants are invalid; nothing was run",
            invalid.join("\n"),
            invalid.len()
        )));
    }
    Ok(unique_labels(labels).into_iter().zip(models).collect())
}

/// Keeps a loaded model, or the problems of an invalid one (to report every
/// scenario's at once); any other failure is returned.
fn collect(
    loaded: Result<Model, CliError>,
    models: &mut Vec<Model>,
    invalid: &mut Vec<String>,
) -> Result<(), CliError> {
    match loaded {
        Ok(m) => models.push(m),
        Err(CliError::Invalid(s)) => invalid.push(s.trim_end().to_string()),
        Err(e) => return Err(e),
    }
    Ok(())
}

/// Runs the scenarios one by one, stopping before the next when a signal asked
/// for it: the comparison of the scenarios finished, and whether it stopped early.
fn run_all(
    scenarios: &[(String, Model)],
    opts: &RunOptions<'_>,
) -> Result<(Comparison, bool), CliError> {
    let stop = stop_flag("scenario");
    let mut columns = Vec::with_capacity(scenarios.len());
    let mut interrupted = false;
    // One scenario after the other: the bar counts every scenario's trials.
    let bar = super::progress::bar(opts.trials.saturating_mul(scenarios.len() as u64));
    for (k, one) in scenarios.chunks(1).enumerate() {
        if stop.load(Ordering::SeqCst) {
            interrupted = true;
            break;
        }
        let before = opts.trials.saturating_mul(k as u64);
        let progress = |done: u64| {
            if let Some(b) = &bar {
                b.set_position(before.saturating_add(done));
            }
        };
        let opts = RunOptions {
            progress: Some(&progress),
            ..*opts
        };
        let c = compare::compare(one, &opts).context("the simulation could not start")?;
        columns.extend(c.scenarios);
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    Ok((compare::build(columns, opts.trials, opts.seed), interrupted))
}

/// Writes the chart, the JSON, the CSV and the HTML asked for, then prints the
/// table unless quiet.
fn write_outputs(
    a: &CompareArgs,
    result: &Comparison,
    scenarios: &[(String, Model)],
    interrupted: bool,
) -> Result<(), CliError> {
    let o = &a.output;
    let mut names = forcesim::charts::Options::default();
    for (_, m) in scenarios.iter().rev() {
        names
            .labels
            .extend(forcesim::charts::Options::from_model(m).labels);
    }
    // The scenarios' labels, and the nations, domains and capabilities by id.
    let mut known: Vec<String> = scenarios.iter().map(|(l, _)| l.clone()).collect();
    known.extend(names.labels.iter().map(|(k, _)| k.clone()));
    // A domain is also named by its bare id (`--label land=Land`).
    let domains = scenarios.iter().flat_map(|(_, m)| &m.domains);
    known.extend(domains.map(|d| d.id.clone()));
    o.chart.warn_unused(&known);
    let copts = o.chart.options(names);
    let mut failures = Failures::default();
    if let Some(dir) = &o.charts {
        failures.note(
            forcesim::charts::compare::write_with(result, dir, o.chart_format.into(), &copts)
                .map(|_| ()),
        );
    }
    let texts = match &o.html {
        Some(_) => result
            .scenarios
            .iter()
            .map(|c| super::common::scenario_text(Path::new(&c.path)))
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    emit(
        failures,
        &[
            (&o.json, &|| to_json_marked(result, interrupted)),
            (&o.csv, &|| {
                let shas: Vec<String> = result
                    .scenarios
                    .iter()
                    .map(|c| file_sha256(Path::new(&c.path)))
                    .collect();
                result.to_csv_with(&shas, interrupted)
            }),
            (&o.html, &|| {
                forcesim::briefing::whatif::compare(result, &texts, interrupted, &copts)
            }),
        ],
        &|| marked_table(result, scenarios.len(), interrupted),
        o.quiet,
    )
}

/// The table, headed by a line that says so where a stop left scenarios of an
/// unpaired comparison unrun (a paired one says it in its trial count).
fn marked_table(result: &Comparison, total: usize, interrupted: bool) -> String {
    let table = result.to_table();
    let done = result.scenarios.len();
    if interrupted && result.trials_asked.is_none() && done < total {
        format!(
            "INTERRUPTED: {done} of {total} scenarios finished; only they are compared\n{table}"
        )
    } else {
        table
    }
}

pub fn compare(a: CompareArgs) -> Result<ExitCode, CliError> {
    let o = &a.output;
    o.refuse_xlsx("compare")?;
    let outputs = [("--json", &o.json), ("--csv", &o.csv), ("--html", &o.html)];
    one_stdout(&outputs)?;
    let scenarios = scenarios(&a)?;
    // An interrupted unpaired comparison draws the scenarios finished: a prefix.
    // One chart is written, so prefixes whose names are cut alike are one file.
    let labels: Vec<&str> = scenarios.iter().map(|(l, _)| l.as_str()).collect();
    let mut charts: Vec<String> = (0..=labels.len())
        .map(|k| chart_file(&file_stem("compare", &labels[..k]), o.chart_format))
        .collect();
    charts.dedup();
    let inputs: Vec<&Path> = a.scenarios.iter().map(|p| p.as_path()).collect();
    Outputs::new(&outputs)
        .charts(&o.charts, &charts)
        .check(&scenario_inputs(&inputs))?;
    let (trials, seed, threads) = resolve(&a.control, &scenarios[0].1);
    let opts = RunOptions {
        trials,
        seed,
        threads,
        ..Default::default()
    };
    let (result, interrupted) = if a.unpaired {
        run_all(&scenarios, &opts)?
    } else {
        // Every scenario runs the same trials at once: the bar counts them all.
        let n = scenarios.len() as u64;
        let bar = super::progress::bar(trials.saturating_mul(n));
        let progress = |done: u64| {
            if let Some(b) = &bar {
                b.set_position(done.saturating_mul(n));
            }
        };
        let opts = RunOptions {
            stop: Some(stop_flag("blocks")),
            progress: Some(&progress),
            ..opts
        };
        let paired = compare::compare_paired(&scenarios, &opts);
        if let Some(b) = &bar {
            b.finish_and_clear();
        }
        paired.context("the simulation could not start")?
    };
    let done = result.scenarios.first().map_or(0, |s| s.figures.trials);
    if interrupted
        && (if a.unpaired {
            result.scenarios.is_empty()
        } else {
            done == 0
        })
    {
        return Ok(super::interrupt::nothing_written());
    }
    write_outputs(&a, &result, &scenarios, interrupted)?;
    if interrupted {
        let paired = (!a.unpaired).then_some((done, trials));
        let finished = (result.scenarios.len(), scenarios.len());
        return Ok(interrupted_whatif("scenario", paired, finished));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_have_labels_and_several_overrides() {
        let (l, s) = parse_variant("no-us: conditions.us_backstop.probability=0").unwrap();
        assert_eq!(l, "no-us");
        assert_eq!(s, ["conditions.us_backstop.probability=0"]);
        let (l, s) = parse_variant("a.b=1; c.d={ pert = [1, 2, 3] }").unwrap();
        assert_eq!(l, "a.b=1; c.d={ pert = [1, 2, 3] }");
        assert_eq!(s.len(), 2);
        assert!(parse_variant("label:").is_err());
        assert!(parse_variant("nothing").is_err());
    }
}

//! `forcesim secure`.

use std::process::ExitCode;

use forcesim::whatif::secure::{self, Opts, Search, SecureError};

use super::CliError;
use super::EXIT_NOT_REACHED;
use super::common::{Failures, emit, load, resolve};
use super::interrupt::{EXIT_INTERRUPTED, stop_flag};
use super::outputs::{Outputs, scenario_inputs};
use super::whatif_args::SecureArgs;

pub fn secure(a: SecureArgs) -> Result<ExitCode, CliError> {
    let o = &a.output;
    o.refuse_run_only("secure")?;
    if o.csv.is_some() || o.charts.is_some() {
        return Err(CliError::Usage(
            "secure writes no CSV and no chart: use --json PATH".into(),
        ));
    }
    let c = &o.chart;
    if c.title.is_some() || c.marking.is_some() || !c.label.is_empty() {
        return Err(CliError::Usage(
            "secure draws no chart and writes no page: --title, --marking and --label are for run, merge, sweep, compare and sensitivity".into(),
        ));
    }
    Outputs::new(&[("--json", &o.json)]).check(&scenario_inputs(&[&a.scenario]))?;
    let model = load(&a.scenario, &a.scenario_opts.set)?;
    let (trials, seed, threads) = resolve(&a.control, &model);
    // Greedy's first step runs a variant per nation.
    let bar = (!o.quiet)
        .then(|| super::progress::runs(trials, model.nations.len() as u64 + 1))
        .flatten();
    let on_run = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let searched = secure::secure(
        &model,
        &Opts {
            trials,
            seed,
            threads,
            stop: Some(stop_flag("blocks")),
            on_run: Some(&on_run),
        },
        a.target,
        Search {
            exhaustive: a.exhaustive,
            no_relax: a.no_relax,
        },
    );
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let result = match searched {
        Ok(result) => result,
        // Stopped before the scenario's own coverage was known.
        Err(SecureError::Interrupted) => {
            say!("interrupted before the scenario's own coverage was known: nothing written");
            return Ok(ExitCode::from(EXIT_INTERRUPTED));
        }
        Err(e @ (SecureError::TooManySets(_) | SecureError::NeverMounted(_))) => {
            return Err(CliError::Usage(e.to_string()));
        }
        Err(SecureError::Engine(e)) => return Err(CliError::Other(anyhow::Error::new(e))),
    };
    emit(
        Failures::default(),
        &[(&o.json, &|| forcesim::whatif::to_json(&result))],
        &|| result.to_table(),
        o.quiet,
    )?;
    Ok(outcome(&result, a.target))
}

/// Says what the search left undone or short of the target, and returns the
/// exit code.
fn outcome(result: &secure::Secure, target: f64) -> ExitCode {
    if let Some(needed) = result.exhaustive.as_ref().and_then(|e| e.refused_sets) {
        say!(
            "warning: --exhaustive was not run: it would run {needed} sets of nations (at most {}); greedy's result stands",
            forcesim::whatif::secure::MAX_EXHAUSTIVE_SETS
        );
    }
    if result.interrupted {
        say!(
            "interrupted: the search stopped after {} greedy step(s); the checks after it were not run",
            result.steps.len()
        );
        return ExitCode::from(EXIT_INTERRUPTED);
    }
    if !result.reached {
        say!(
            "target {} not reached ({})",
            target,
            super::escape(&result.stopped)
        );
        return ExitCode::from(EXIT_NOT_REACHED);
    }
    ExitCode::SUCCESS
}

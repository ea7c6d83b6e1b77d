//! `forcesim bench`: the model's throughput beside the floor of its own draws.

use std::fmt::Write;
use std::process::ExitCode;

use anyhow::Context;
use forcesim::bench::{draws, floor, per_kind};
use forcesim::report::table::thousands;
use forcesim::{RunOptions, scenario, simulate};

use super::CliError;
use super::args::BenchArgs;
use super::interrupt::{EXIT_INTERRUPTED, stop_flag, stopped};

/// The reference scenario, built in, for `forcesim bench` without a file.
const REFERENCE: &str = include_str!("../../scenarios/paris-2026.toml");

/// The model to measure: the file, a synthetic coalition, or the reference.
fn model(a: &BenchArgs) -> Result<forcesim::Model, CliError> {
    let built_in = |origin: &str, text: &str| {
        scenario::parse(origin, text, &a.scenario_opts.set)
            .map_err(|d| CliError::Invalid(d.to_string()))
    };
    match (&a.scenario, a.synthetic) {
        (Some(path), _) => super::common::load(path, &a.scenario_opts.set),
        (None, Some((n, d))) => built_in("synthetic", &forcesim::synth::scenario(n, d, 1)),
        (None, None) => built_in("paris-2026.toml (built in)", REFERENCE),
    }
}

pub fn bench(a: BenchArgs) -> Result<ExitCode, CliError> {
    let model = model(&a)?;
    let threads = a.threads.unwrap_or(1);
    let seed = a
        .seed
        .or(model.default_seed)
        .unwrap_or(super::common::DEFAULT_SEED);
    // A stop ends the measurement: a part of one measures nothing.
    let stop = Some(stop_flag("block"));
    // A short warm-up so that the first timing does not pay for page faults.
    let warm = RunOptions {
        trials: (a.trials / 20).max(4096),
        seed,
        threads,
        stop,
        ..Default::default()
    };
    simulate(&model, &warm).context("the simulation could not start")?;
    if stopped() {
        return Ok(nothing_measured());
    }
    let run = simulate(
        &model,
        &RunOptions {
            trials: a.trials,
            seed,
            threads,
            stop,
            ..Default::default()
        },
    )
    .context("the simulation could not start")?;
    if stopped() {
        return Ok(nothing_measured());
    }
    let plan = draws(&model, &run.tally);
    let floor_s = floor(&plan, seed).as_secs_f64();
    if stopped() {
        return Ok(nothing_measured());
    }
    let out = summary(&model, &run, &plan, floor_s, threads, seed);
    super::common::print_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// Says that a stopped measurement prints nothing, and returns exit code 130.
fn nothing_measured() -> ExitCode {
    say!("interrupted: nothing measured (a measurement needs all of its trials and draws)");
    ExitCode::from(EXIT_INTERRUPTED)
}

/// The measurement, as printed.
fn summary(
    model: &forcesim::Model,
    run: &forcesim::Run,
    plan: &[forcesim::bench::Draws],
    floor_s: f64,
    threads: usize,
    seed: u64,
) -> String {
    let secs = run.report.engine.elapsed_s;
    let n = run.report.trials as f64;
    let model_ns = secs * 1e9 / n * threads as f64;
    let mut out = String::new();
    let floor_ns = floor_s * 1e9 / n;
    let _ = writeln!(
        out,
        "{} ({}, {}, {})",
        model.name,
        super::run::counted(model.nations.len(), "nation"),
        super::run::counted(model.domains.len(), "domain"),
        super::run::counted(model.contributions.len(), "contribution")
    );
    let _ = writeln!(
        out,
        "{} trials, {} thread{}, seed {seed}, trial loop compiled for {}",
        thousands(n),
        threads,
        if threads == 1 { "" } else { "s" },
        forcesim::engine::Isa::detect().name()
    );
    out.push('\n');
    let _ = writeln!(
        out,
        "  {:<22} {:>10} {:>14} {:>14}",
        "", "seconds", "trials/s", "ns/trial"
    );
    let _ = writeln!(
        out,
        "  {:<22} {:>10.3} {:>14} {:>14.1}",
        "model",
        secs,
        thousands(n / secs),
        secs * 1e9 / n
    );
    let _ = writeln!(
        out,
        "  {:<22} {:>10.3} {:>14} {:>14.1}",
        "draw floor (1 thread)",
        floor_s,
        thousands(n / floor_s),
        floor_ns
    );
    out.push('\n');
    let _ = writeln!(
        out,
        "  model / floor: {:.2} × (per thread: {:.1} ns per trial against {:.1} ns of draws)",
        model_ns / floor_ns,
        model_ns,
        floor_ns
    );
    let kinds: Vec<String> = per_kind(plan)
        .iter()
        .map(|(k, c)| format!("{k} {:.1}", *c as f64 / n))
        .collect();
    let _ = writeln!(out, "  draws per trial: {}", kinds.join(" · "));
    let _ = writeln!(
        out,
        "  per nation: {:.1} ns per trial ({} nation{})",
        model_ns / model.nations.len() as f64,
        model.nations.len(),
        if model.nations.len() == 1 { "" } else { "s" }
    );
    out
}

//! `forcesim sensitivity`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use forcesim::whatif::sensitivity::{self, DEFAULT_RANGE, Kind, MIN_RANGE, Spec};

use super::CliError;
use super::common::{Failures, emit, load, one_stdout, resolve, to_json_marked};
use super::interrupt::{EXIT_INTERRUPTED, stop_flag};
use super::opts::{OutputOpts, RunControl, ScenarioOpts};
use super::outputs::{Outputs, chart_file, scenario_inputs};

/// `forcesim sensitivity`.
#[derive(Debug, Args)]
#[command(
    mut_arg("json", |a| a.help("Write the analysis as JSON (`forcesim-sensitivity/2`) to PATH (`-`: standard output)")),
    mut_arg("csv", |a| a.help("Write the analysis as tidy CSV (the layout of every command: each input's figure at its low and high setting, and the effect with its paired interval) to PATH (`-`: standard output)")),
    mut_arg("charts", |a| a.help("Write the chart into DIR, created if missing: sensitivity.png, a tornado of the --top inputs around the first figure's value as written, with paired 95 % intervals")),
    mut_arg("quiet", |a| a.help("Do not print the table")),
    mut_arg("html", |a| a.help("Write one self-contained HTML file to PATH: every input's row (low, as written, high, effect, paired 95 % interval), the chart (inline SVG), the assumptions annex, overrides, seed, trials, version and the scenario's SHA-256 (`-`: standard output)")),
    mut_arg("xlsx", |a| a.hide(true)),
)]
pub struct SensitivityArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// A figure of the report, as a dotted path of `run --json`: p_all_covered
    /// (default), domains.D.p_covered, totals.C.mean, totals.C.p05,
    /// thresholds.C.VALUE, timeline.p_all_covered[N] (an array's element as
    /// `[N]`)… Repeatable.
    #[arg(long = "figure", value_name = "FIG")]
    pub figures: Vec<String>,
    /// Kinds of input to vary, comma-separated: nations, conditions, approvals,
    /// blocs, requirements, scale, obligations, pools, ambition, or all.
    #[arg(long, value_name = "KINDS", default_value = "all", value_parser = parse_kinds)]
    pub inputs: Kinds,
    /// Relative range R of requirements, nations' scale, obligations and pools: low
    /// × (1 − R), high × (1 + R); 0.001 ≤ R < 1.
    #[arg(long, value_name = "R", default_value_t = DEFAULT_RANGE, value_parser = parse_range)]
    pub range: f64,
    /// Rows drawn in sensitivity.png.
    #[arg(long, value_name = "N", default_value_t = forcesim::charts::sensitivity::DEFAULT_TOP, value_parser = parse_top)]
    pub top: usize,
    #[command(flatten)]
    pub control: RunControl,
    #[command(flatten)]
    pub scenario_opts: ScenarioOpts,
    #[command(flatten)]
    pub output: OutputOpts,
}

/// A list of kinds of input (one clap value).
#[derive(Debug, Clone)]
pub struct Kinds(pub Vec<Kind>);

fn parse_kinds(s: &str) -> Result<Kinds, String> {
    Kind::parse_list(s).map(Kinds)
}

/// Why `--inputs KINDS` leaves nothing to vary in `model`, and the kinds it has.
fn nothing_to_vary(model: &forcesim::Model, kinds: &[Kind], range: f64) -> String {
    let names = |ks: &[Kind]| ks.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",");
    let has: Vec<Kind> = Kind::ALL
        .iter()
        .copied()
        .filter(|&k| !sensitivity::inputs(model, &[k], range).0.is_empty())
        .collect();
    format!(
        "--inputs {}: the scenario has no input of these kinds to vary; it has {} (e.g. --inputs {})",
        names(kinds),
        names(&has).replace(',', ", "),
        names(&has)
    )
}

/// Help shown after the options.
pub const HELP: &str = "\
Each input is set low, then high, everything else as written; each setting is one
variant run on the same trials (same seed: common random numbers), and the effect
(high − low) gets a 95 % interval from the per-trial differences of those trials.

  nations        decision = \"out\" (lost) / \"in\" (secured: caps, gates and bloc ignored)
  conditions     probability 0 / 1
  approvals      each gate's probability 0 / 1
  blocs          correlation 0 / 0.9
  requirements   × (1 − R) / × (1 + R), a count rounded, at least one unit away
                 (each domain's and the force's)
  scale          each contributing nation's scale × (1 − R) / × (1 + R)
  obligations    each lead_provides share × (1 − R) / × (1 + R), at most 1
  pools          each pool × (1 − R) / × (1 + R), a count rounded as requirements
  ambition       each contributing nation's ambition 0 / 0.9

Every row's figures equal `forcesim run --set KEY=VALUE` with the same -n and --seed.

Examples:
  forcesim sensitivity paris-2026.toml -n 100000
  forcesim sensitivity paris-2026.toml --figure domains.sea.p_covered \\
      --figure totals.troops.mean
  forcesim sensitivity paris-2026.toml --inputs nations,blocs --charts out/ \\
      --top 20";

fn parse_top(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=100).contains(&n) => Ok(n),
        _ => Err(format!("`{s}` is not a number of rows: give 1 to 100")),
    }
}

fn parse_range(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if (MIN_RANGE..1.0).contains(&r) => Ok(r),
        _ => Err(format!(
            "`{s}` is not a range: give a number from {MIN_RANGE} to below 1, e.g. 0.2 (a smaller range would move no scale or share)"
        )),
    }
}

/// Writes the chart, the JSON, the CSV and the HTML asked for, then prints the
/// table unless quiet.
fn write_outputs(
    a: &SensitivityArgs,
    result: &sensitivity::Sensitivity,
    interrupted: bool,
) -> Result<(), CliError> {
    let o = &a.output;
    let copts = o.chart.options(forcesim::charts::Options::default());
    let rows = result.figures.iter().flat_map(|f| &f.rows);
    let known: Vec<String> = rows.map(|r| r.input.clone()).collect();
    o.chart.warn_unused(&known);
    let mut failures = Failures::default();
    if let Some(dir) = &o.charts {
        failures.note(
            forcesim::charts::sensitivity::write(result, a.top, dir, o.chart_format.into(), &copts)
                .map(|_| ()),
        );
    }
    let text = match (&o.html, &o.csv) {
        (None, None) => String::new(),
        _ => super::common::scenario_text(&a.scenario)?,
    };
    let sha256 = forcesim::briefing::sha256_hex(text.as_bytes());
    emit(
        failures,
        &[
            (&o.json, &|| to_json_marked(result, interrupted)),
            (&o.csv, &|| result.to_csv_with(&sha256, interrupted)),
            (&o.html, &|| {
                forcesim::briefing::whatif::sensitivity(result, &text, a.top, interrupted, &copts)
            }),
        ],
        &|| result.to_table(),
        o.quiet,
    )
}

pub fn sensitivity(a: SensitivityArgs) -> Result<ExitCode, CliError> {
    let o = &a.output;
    o.refuse_xlsx("sensitivity")?;
    let outputs = [("--json", &o.json), ("--csv", &o.csv), ("--html", &o.html)];
    one_stdout(&outputs)?;
    Outputs::new(&outputs)
        .charts(&o.charts, &[chart_file("sensitivity", o.chart_format)])
        .check(&scenario_inputs(&[&a.scenario]))?;
    let base = load(&a.scenario, &a.scenario_opts.set)?;
    let figures = if a.figures.is_empty() {
        vec!["p_all_covered".to_string()]
    } else {
        a.figures.clone()
    };
    for f in &figures {
        sensitivity::check_figure(&base, f).map_err(CliError::Usage)?;
    }
    let (trials, seed, threads) = resolve(&a.control, &base);
    let spec = Spec {
        path: &a.scenario,
        set: &a.scenario_opts.set,
        kinds: &a.inputs.0,
        range: a.range,
        figures: &figures,
        trials,
        seed,
        threads,
    };
    let varied = sensitivity::inputs(&base, spec.kinds, spec.range).0.len();
    if varied == 0 {
        return Err(CliError::Usage(nothing_to_vary(
            &base, spec.kinds, spec.range,
        )));
    }
    // Every setting runs the same trials at once: the bar counts the trials of
    // all of them.
    let settings = 2 * varied as u64 + 1;
    let bar = super::progress::bar(trials.saturating_mul(settings));
    let progress = |done: u64| {
        if let Some(b) = &bar {
            b.set_position(done.saturating_mul(settings));
        }
    };
    let control = forcesim::engine::Control {
        stop: Some(stop_flag("blocks")),
        progress: Some(&progress),
    };
    let analysed = sensitivity::analyse(&spec, control);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let (result, interrupted) = analysed.map_err(|e| match e {
        sensitivity::Error::Load(l) => CliError::from(l),
        e => CliError::Other(anyhow::Error::new(e)),
    })?;
    if interrupted && result.trials == 0 {
        return Ok(super::interrupt::nothing_written());
    }
    write_outputs(&a, &result, interrupted)?;
    if interrupted && result.trials == trials {
        // Run a chunk of inputs at a time: the chunks finished cover every trial.
        say!("interrupted: the inputs not run are listed as skipped (not run: stopped)");
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    if interrupted {
        say!(
            "interrupted: every setting covers the first {} of {trials} trials (whole blocks of {})",
            result.trials,
            forcesim::engine::BLOCK_TRIALS
        );
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    Ok(ExitCode::SUCCESS)
}

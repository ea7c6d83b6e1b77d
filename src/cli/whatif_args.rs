//! Arguments of the what-if commands: `sweep`, `compare`, `secure`.

use std::path::PathBuf;

use clap::Args;

use super::opts::{OutputOpts, RunControl, ScenarioOpts, parse_target};

/// `forcesim sweep`.
#[derive(Debug, Args)]
#[command(
    mut_arg("json", |a| a.help("Write the sweep as JSON (`forcesim-sweep/1`) to PATH (`-`: standard output)")),
    mut_arg("csv", |a| a.help("Write the sweep as tidy CSV (scenario,scenario_sha256,variant,scope,id,capability,metric,qualifier,value,ci95_lo,ci95_hi), one row per figure per point (`variant`: the point's KEY=VALUE), to PATH (`-`: standard output)")),
    mut_arg("charts", |a| a.help("Write the chart into DIR, created if missing: sweep-KEY.png (KEY the varied key), a line chart of P(covered) with 95 % bands against the value (a heat map for two --vary)")),
    mut_arg("quiet", |a| a.help("Do not print the table")),
    mut_arg("html", |a| a.help("Write one self-contained HTML file to PATH: the figures at every point with their 95 % intervals, the chart (inline SVG), the assumptions annex, overrides, seed, trials, version and the scenario's SHA-256 (`-`: standard output)")),
    mut_arg("xlsx", |a| a.hide(true)),
)]
pub struct SweepArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// A value to vary: `KEY=START:END:STEP` (END included when the steps reach it)
    /// or `KEY=V1,V2,…`. KEY is a dotted key as for --set. Give it once for a table,
    /// twice for a decision table (at most 1000 points in all).
    #[arg(long, value_name = "KEY=START:END:STEP", required = true)]
    pub vary: Vec<String>,
    /// Run the points one after another, without the base scenario and without
    /// differences from it (as before paired intervals); an interrupted sweep then
    /// keeps its finished points whole.
    #[arg(long)]
    pub unpaired: bool,
    #[command(flatten)]
    pub control: RunControl,
    #[command(flatten)]
    pub scenario_opts: ScenarioOpts,
    #[command(flatten)]
    pub output: OutputOpts,
}

/// `forcesim compare`.
#[derive(Debug, Args)]
#[command(
    mut_arg("json", |a| a.help("Write the comparison as JSON (`forcesim-compare/1`) to PATH (`-`: standard output)")),
    mut_arg("csv", |a| a.help("Write the comparison as tidy CSV (scenario,scenario_sha256,variant,scope,id,capability,metric,qualifier,value,ci95_lo,ci95_hi), one row per figure per scenario and per difference from the first, to PATH (`-`: standard output)")),
    mut_arg("charts", |a| a.help("Write the chart into DIR, created if missing: compare-A-B.png (A, B… the scenario labels), P(covered) per domain with one bar (and 95 % whisker) per scenario")),
    mut_arg("quiet", |a| a.help("Do not print the table")),
    mut_arg("html", |a| a.help("Write one self-contained HTML file to PATH: every scenario's figures with the differences from the first and their 95 % intervals, the chart (inline SVG), the assumptions annex, overrides, seed, trials, version and each scenario's SHA-256 (`-`: standard output)")),
    mut_arg("xlsx", |a| a.hide(true)),
)]
pub struct CompareArgs {
    /// Scenario files (TOML). The first is the base of every difference.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// A variant of the first scenario: `[LABEL:] KEY=VALUE[; KEY=VALUE…]`, compared
    /// as if it were one more file. Repeatable.
    #[arg(long, value_name = "[LABEL:] KEY=VALUE;…")]
    pub variant: Vec<String>,
    /// Intervals of differences as if the scenarios were independent samples
    /// (Newcombe, Welch), as before paired intervals; conservative where the runs
    /// are positively correlated, as common random numbers usually make them.
    #[arg(long)]
    pub unpaired: bool,
    #[command(flatten)]
    pub control: RunControl,
    #[command(flatten)]
    pub scenario_opts: ScenarioOpts,
    #[command(flatten)]
    pub output: OutputOpts,
}

/// `forcesim secure`.
#[derive(Debug, Args)]
#[command(
    mut_arg("json", |a| a.help("Write the result as JSON (`forcesim-secure/1`) to PATH (`-`: standard output)")),
    // secure writes no CSV, no chart and no page: the options are refused (see `secure`).
    mut_arg("csv", |a| a.hide(true)),
    mut_arg("charts", |a| a.hide(true)),
    mut_arg("chart_format", |a| a.hide(true)),
    mut_arg("html", |a| a.hide(true)),
    mut_arg("xlsx", |a| a.hide(true)),
    mut_arg("title", |a| a.hide(true)),
    mut_arg("marking", |a| a.hide(true)),
    mut_arg("label", |a| a.hide(true)),
    mut_arg("quiet", |a| a.help("Do not print the table")),
)]
pub struct SecureArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// The P(all covered) to reach, e.g. 0.9: every domain, and the force with
    /// [force]; over the mounted trials with a [mission].
    #[arg(long, value_name = "P", value_parser = parse_target)]
    pub target: f64,
    /// Also run every set of nations smaller than greedy's (every set, when
    /// greedy falls short), to check that none reaches the target; not run, and
    /// said, where that is more than 20000 sets.
    #[arg(long)]
    pub exhaustive: bool,
    /// Skip the search for a requirement to relax.
    #[arg(long)]
    pub no_relax: bool,
    #[command(flatten)]
    pub control: RunControl,
    #[command(flatten)]
    pub scenario_opts: ScenarioOpts,
    #[command(flatten)]
    pub output: OutputOpts,
}

/// Examples and notes shown by `forcesim sweep --help`.
pub const SWEEP_HELP: &str = "\
Examples:
  forcesim example paris > paris-2026.toml   # the scenario these examples use
  # How does coverage fall as the land requirement grows?
  forcesim sweep paris-2026.toml \\
      --vary domains.land.requirements.troops=10000:30000:2000
  # Decision table: Spain's participation against the US backstop.
  forcesim sweep paris-2026.toml --vary nations.ESP.participation=0:1:0.25 \\
      --vary conditions.us_backstop.probability=0,0.5,0.75,1
  # Everything, for a spreadsheet or a chart:
  forcesim sweep paris-2026.toml \\
      --vary domains.sea.requirements.vessels=6:14:1 \\
      --json sweep.json --csv sweep.csv --charts charts/

Each point is the scenario with one more --set KEY=VALUE per --vary, checked like any
override before anything runs. Every point runs the same trials with the same seed
(common random numbers), so the differences between points come from the varied
value, not from sampling: raising a requirement can only lower P(covered), and raising
a participation can only raise it, point after point (unless an `if_present` cap
names that nation, or a nation whose decision its caps reach: then its presence holds
another back). A
point's figures equal
`forcesim run` with the same --set.

The base scenario (the file with --set but no --vary value) runs on the same trials in
the same pass, and every point reports its differences from it with paired 95 %
intervals, computed from the per-trial differences (discordant pairs for P(all
covered) and each domain's P(covered), the paired variance for mean totals): much
narrower than intervals that treat the runs as independent. Where the points would
take more than about 1 GB together, they run a chunk at a time, each chunk with the
base over every trial, with the same output. An interrupted sweep keeps every point
over the same whole blocks of trials (run a chunk at a time: the chunks finished, each
point over every trial). --unpaired runs the points one after another instead, without
the base.";

/// Examples and notes shown by `forcesim compare --help`.
pub const COMPARE_HELP: &str = "\
Examples:
  forcesim init --example paris-30k   # writes both files these examples use
  # Two scenario files:
  forcesim compare paris-2026.toml paris-2026-30k.toml
  # Variants of one scenario, each named:
  forcesim compare paris-2026.toml \\
      --variant 'no-backstop: conditions.us_backstop.probability=0' \\
      --variant 'spain-says-no: nations.ESP.approval[1].probability=0'
  # --set applies to every scenario and variant:
  forcesim compare paris-2026.toml paris-2026-30k.toml \\
      --set domains.land.requirements.troops=20000 \\
      --json cmp.json --charts charts/

Every scenario runs with the same trials and seed (from the options or the first
scenario), on the same trials: entities with the same id draw the same random
numbers in every scenario. Differences are from the first scenario, with a paired
95 % interval from the per-trial differences for P(all covered), each domain's
P(covered) and each mean total (when the scenarios have the same domains and
capabilities); other proportions get Newcombe's interval, medians none.
--unpaired gives the intervals of independent samples for every figure (Newcombe for
probabilities, Welch for means), conservative where the runs are positively
correlated, as common random numbers usually make them. Figures that only some
scenarios have (other domains or capabilities) are listed apart.";

/// Examples and notes shown by `forcesim secure --help`.
pub const SECURE_HELP: &str = "\
Examples:
  forcesim example paris > paris-2026.toml   # the scenario these examples use
  forcesim secure paris-2026.toml --target 0.9
  forcesim secure paris-2026.toml --target 15% -n 50000 --exhaustive \\
      --json secure.json

Securing a nation makes its participation certain: it takes part in every trial,
whatever its approvals, if_absent caps or bloc. Greedy search secures, step by step,
the nation that raises P(all covered) most, and prints P(all covered) after each step.
Greedy is not guaranteed to find the smallest set; --exhaustive runs every smaller set
to check. Then, for each requirement that is a plain number, the largest value that
reaches the target with no nation secured (bisection on common random numbers).
Each variant runs -n trials: lower -n for a quick answer, raise it for a firm one.

Exit code 0 when the target is reached, 3 when greedy stops short of it.";

/// Notes shown by `forcesim schema --help`.
pub const SCHEMA_HELP: &str = "\
Examples:
  forcesim schema > forcesim.schema.json
  forcesim init        # writes a starter scenario with the schema beside it
  forcesim schema --report > forcesim-report.schema.json

Editor completion and checking of scenario files (Taplo, or VS Code's Even Better TOML):
put `#:schema ./forcesim.schema.json` on the first line of a scenario, or associate
the schema with *.toml in a .taplo.toml. See docs/whatif.md.";

//! Command-line arguments (clap derive). Help texts teach the model's vocabulary.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Monte Carlo planning for a multinational force: how big it will be, which
/// domains fall short and by how much, who leads when a lead nation drops out,
/// whose decision matters most, and when the force is in place.
#[derive(Debug, Parser)]
#[command(name = "forcesim", version, about, long_about = None, propagate_version = true)]
#[command(
    after_help = "Start with:\n  forcesim run scenarios/paris-2026.toml\n  forcesim validate scenarios/*.toml\n\nWhat if…:\n  forcesim run scenarios/paris-2026.toml --set nations.ESP.participation=0\n  forcesim sweep scenarios/paris-2026.toml --vary domains.land.requirements.troops=10000:40000:5000\n  forcesim compare scenarios/paris-2026.toml --variant 'no-us: conditions.us_backstop.probability=0'\n  forcesim secure scenarios/paris-2026.toml --target 0.9\n\nThe scenario format is described in the README and by `forcesim schema`."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario's trials and report the force it yields.
    #[command(
        after_help = "Examples:\n  forcesim run scenarios/paris-2026.toml\n  forcesim run scenarios/paris-2026.toml -n 1000000 --json report.json --csv report.csv\n  forcesim run scenarios/paris-2026.toml --set nations.ESP.participation=0.3 --set conditions.us_backstop.probability=0\n  forcesim run scenarios/paris-2026.toml --precision 0.002\n  forcesim run scenarios/paris-2026.toml --precision 0.005 --precision-on domains.land.p_covered"
    )]
    Run(RunArgs),
    /// Check scenario files and print every problem, with file:line:column and key.
    #[command(after_help = "Exit code 0 when every file is valid, 2 otherwise.")]
    Validate(ValidateArgs),
    /// Vary one or two values of a scenario over a range: a table or a decision table.
    #[command(after_help = super::whatif_args::SWEEP_HELP)]
    Sweep(super::whatif_args::SweepArgs),
    /// Compare scenarios or variants side by side, with each difference's 95 % interval.
    #[command(after_help = super::whatif_args::COMPARE_HELP)]
    Compare(super::whatif_args::CompareArgs),
    /// Goal seek: the nations to secure, or the requirement to relax, to reach a target P(all covered).
    #[command(after_help = super::whatif_args::SECURE_HELP)]
    Secure(super::whatif_args::SecureArgs),
    /// Measure throughput: trials per second beside the floor of the scenario's own draws.
    #[command(
        after_help = "The floor is the time the same number and kinds of random draws take with\nno model logic: the model's cost over the floor is the price of the model itself.\nBoth run the copy of the code compiled for the best instruction set this\nprocessor has (baseline x86-64, x86-64-v3 or v4; the output names it), with\nthe same results whichever runs.\n\nExamples:\n  forcesim bench                      # the built-in reference scenario, 1 thread\n  forcesim bench scenarios/paris-2026.toml -n 5000000 -j 2"
    )]
    Bench(BenchArgs),
    /// Merge the partial files of a sharded run into the report one machine would have written.
    #[command(
        after_help = "Examples:\n  forcesim run s.toml -n 1e8 --shard 1/2 --partial part-1.fsp\n  forcesim run s.toml -n 1e8 --shard 2/2 --partial part-2.fsp\n  forcesim merge part-*.fsp --json report.json\n\nThe parts must come from the same scenario, --set overrides, seed and trial count, and\ncover every block exactly once. See docs/cluster.md for job-array recipes."
    )]
    Merge(MergeArgs),
    /// Print the JSON Schema of the scenario format (for editor completion).
    #[command(after_help = super::whatif_args::SCHEMA_HELP)]
    Schema,
}

/// `forcesim bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The scenario file [default: the reference scenario, built in].
    #[arg(conflicts_with = "synthetic")]
    pub scenario: Option<PathBuf>,
    /// Instead of a file, a synthetic coalition of N nations and D domains (1–8),
    /// e.g. `300x8`: for measuring how the cost grows with the coalition.
    #[arg(long, value_name = "NxD", value_parser = parse_synthetic)]
    pub synthetic: Option<(usize, usize)>,
    /// Number of trials.
    #[arg(short = 'n', long, value_name = "TRIALS", value_parser = parse_trials, default_value = "1000000")]
    pub trials: u64,
    /// Worker threads.
    #[arg(short = 'j', long, value_name = "THREADS", value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// Seed.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub scenario_opts: ScenarioOpts,
}

/// Options shared by every command that reads a scenario.
#[derive(Debug, Args, Clone, Default)]
pub struct ScenarioOpts {
    /// Override a value of the scenario before validation: a dotted key and a TOML
    /// value, e.g. `nations.ESP.participation=0.3`,
    /// `domains.land.requirements.troops=30000`,
    /// `nations.GBR.contributions.land.troops={pert=[5000,7500,10000]}`. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// `forcesim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Number of trials [default: the scenario's `[simulation] trials`, else 100000].
    #[arg(short = 'n', long, value_name = "TRIALS", value_parser = parse_trials)]
    pub trials: Option<u64>,
    /// Seed of the random streams [default: the scenario's `[simulation] seed`, else 1].
    /// The same scenario, trials and seed always give the same report.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads [default: one per core]. The report does not depend on it.
    #[arg(short = 'j', long, value_name = "THREADS", value_parser = parse_threads)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub scenario_opts: ScenarioOpts,
    /// Write the JSON report to PATH (`-`: standard output).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write the report as tidy CSV (scope,id,capability,metric,value) to PATH (`-`: standard output).
    #[arg(long, value_name = "PATH")]
    pub csv: Option<PathBuf>,
    #[command(flatten)]
    pub chart_opts: ChartOpts,
    /// Do not print the summary table.
    #[arg(short, long)]
    pub quiet: bool,
    /// Run only shard K of N (contiguous block ranges) and write its tally to
    /// --partial; combine the N partials with `forcesim merge`.
    #[arg(long, value_name = "K/N", requires = "partial", conflicts_with_all = ["json", "csv", "charts"])]
    pub shard: Option<forcesim::shard::Shard>,
    /// Where --shard writes its partial file (written whole or not at all).
    #[arg(long, value_name = "PATH", requires = "shard")]
    pub partial: Option<PathBuf>,
    /// Run until the 95 % interval of P(all covered) is at most ± EPS (e.g. 0.005),
    /// checked at fixed block counts; -n is then the most trials to run
    /// [default: 100000000]. The report records the trials used.
    #[arg(long, value_name = "EPS", value_parser = super::whatif_args::parse_eps, conflicts_with = "shard")]
    pub precision: Option<f64>,
    /// The figure --precision targets: `p_all_covered` or `domains.ID.p_covered`.
    #[arg(long, value_name = "FIGURE", requires = "precision")]
    pub precision_on: Option<String>,
}

/// `forcesim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Partial files written by `run --shard K/N --partial PATH`.
    #[arg(required = true, value_name = "PARTIAL")]
    pub parts: Vec<PathBuf>,
    /// Write the JSON report to PATH (`-`: standard output).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write the report as tidy CSV to PATH (`-`: standard output).
    #[arg(long, value_name = "PATH")]
    pub csv: Option<PathBuf>,
    #[command(flatten)]
    pub chart_opts: ChartOpts,
    /// Do not print the summary table.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `--charts DIR` and `--chart-format`, shared by the commands that write a report.
#[derive(Debug, Args, Clone)]
pub struct ChartOpts {
    /// Write the charts (force, coverage, gaps, tornado, contributions, and timeline
    /// when the scenario has `timeline_days`) into DIR, created if missing.
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
    /// Image format of `--charts`: png (1600×1000, for slides) or svg (for reports).
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = ChartFormat::Png)]
    pub chart_format: ChartFormat,
}

/// Image format of the charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChartFormat {
    /// PNG, 1600×1000 pixels.
    Png,
    /// SVG.
    Svg,
}

impl From<ChartFormat> for forcesim::charts::Format {
    fn from(f: ChartFormat) -> Self {
        match f {
            ChartFormat::Png => forcesim::charts::Format::Png,
            ChartFormat::Svg => forcesim::charts::Format::Svg,
        }
    }
}

/// `forcesim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files to check.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    #[command(flatten)]
    pub scenario_opts: ScenarioOpts,
}

pub(super) fn parse_trials(s: &str) -> Result<u64, String> {
    let clean: String = s.chars().filter(|c| *c != '_' && *c != ',').collect();
    let n: u64 = match clean.parse::<u64>() {
        Ok(n) => n,
        Err(_) => match clean.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 1.0 && x.fract() == 0.0 && x <= 1e18 => x as u64,
            _ => {
                return Err(format!(
                    "`{s}` is not a whole number of trials (e.g. 200000 or 2e5)"
                ));
            }
        },
    };
    if n == 0 {
        return Err("at least 1 trial".into());
    }
    if n > forcesim::limits::MAX_TRIALS {
        return Err(format!(
            "at most {} trials in one run; split larger runs into shards",
            forcesim::limits::MAX_TRIALS
        ));
    }
    Ok(n)
}

pub(super) fn parse_synthetic(s: &str) -> Result<(usize, usize), String> {
    let err = || format!("`{s}` is not NATIONSxDOMAINS, e.g. 300x8");
    let (n, d) = s.split_once(['x', 'X']).ok_or_else(err)?;
    let n: usize = n.trim().parse().map_err(|_| err())?;
    let d: usize = d.trim().parse().map_err(|_| err())?;
    if !(2..=forcesim::limits::MAX_NATIONS).contains(&n) || !(1..=8).contains(&d) {
        return Err(format!(
            "a synthetic coalition has 2 to {} nations and 1 to 8 domains",
            forcesim::limits::MAX_NATIONS
        ));
    }
    Ok((n, d))
}

pub(crate) fn parse_threads(s: &str) -> Result<usize, String> {
    let n: usize = s
        .parse()
        .map_err(|_| format!("`{s}` is not a number of threads"))?;
    if n == 0 || n > forcesim::limits::MAX_THREADS {
        return Err(format!(
            "threads must be between 1 and {}",
            forcesim::limits::MAX_THREADS
        ));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn trial_counts_accept_readable_forms() {
        assert_eq!(parse_trials("200_000"), Ok(200_000));
        assert_eq!(parse_trials("2e5"), Ok(200_000));
        assert!(parse_trials("0").is_err());
        assert!(parse_trials("1e13").is_err());
        assert!(parse_trials("x").is_err());
    }
}

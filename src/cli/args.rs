//! Command-line arguments (clap derive). Help texts teach the model's vocabulary.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use super::opts::{
    OutputOpts, ScenarioOpts, parse_eps, parse_synthetic, parse_threads, parse_trials,
};
use super::whatif_args;

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
    #[command(after_help = whatif_args::SWEEP_HELP)]
    Sweep(whatif_args::SweepArgs),
    /// Compare scenarios or variants side by side, with each difference's 95 % interval.
    #[command(after_help = whatif_args::COMPARE_HELP)]
    Compare(whatif_args::CompareArgs),
    /// Goal seek: the nations to secure, or the requirement to relax, to reach a target P(all covered).
    #[command(after_help = whatif_args::SECURE_HELP)]
    Secure(whatif_args::SecureArgs),
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
    /// Print the JSON Schema of the scenario format (for editor completion), or
    /// of a JSON output with --report, --sweep or --compare.
    #[command(after_help = whatif_args::SCHEMA_HELP)]
    Schema(SchemaArgs),
}

/// `forcesim schema`: which schema to print.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct SchemaArgs {
    /// The schema of the JSON report of run and merge (`forcesim-report/1`).
    #[arg(long)]
    pub report: bool,
    /// The schema of sweep's JSON (`forcesim-sweep/1`).
    #[arg(long)]
    pub sweep: bool,
    /// The schema of compare's JSON (`forcesim-compare/1`).
    #[arg(long)]
    pub compare: bool,
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
    #[command(flatten)]
    pub output: OutputOpts,
    /// Run only shard K of N (contiguous block ranges) and write its tally to
    /// --partial; combine the N partials with `forcesim merge`.
    #[arg(long, value_name = "K/N", requires = "partial", conflicts_with_all = ["json", "csv", "charts"])]
    pub shard: Option<forcesim::shard::Shard>,
    /// Where --shard writes its partial file (written whole or not at all).
    #[arg(long, value_name = "PATH", requires = "shard")]
    pub partial: Option<PathBuf>,
    /// Run until the 95 % interval of P(all covered) is at most ± EPS (e.g. 0.005),
    /// checked at fixed block counts; -n is then the most trials to run
    /// [default: 100000000]. The report records the trials used; the exit code is 3
    /// when the cap comes first.
    #[arg(long, value_name = "EPS", value_parser = parse_eps, conflicts_with = "shard")]
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
    #[command(flatten)]
    pub output: OutputOpts,
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}

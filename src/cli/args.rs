//! Command-line arguments (clap derive). Help texts teach the model's vocabulary.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use super::opts::{
    OutputOpts, ScenarioOpts, parse_eps, parse_seed, parse_synthetic, parse_threads, parse_trials,
};
use super::whatif_args;

/// Monte Carlo planning for a multinational force: how big it will be, which
/// domains fall short and by how much, who leads when a lead nation drops out,
/// whose decision matters most, and when the force is in place.
#[derive(Debug, Parser)]
#[command(name = "forcesim", version, about, long_about = None, propagate_version = true)]
#[command(
    after_help = MAIN_HELP
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
    #[command(after_help = RUN_HELP)]
    Run(RunArgs),
    /// Check scenario files and print every problem, with file:line:column and key,
    /// then warnings about likely modelling mistakes.
    #[command(after_help = VALIDATE_HELP)]
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
    /// The effect of every input (nations, conditions, approvals, blocs, requirements, scale, obligations, pools, ambition) on a figure, low to high, with paired 95 % intervals.
    #[command(after_help = super::sensitivity::HELP)]
    Sensitivity(super::sensitivity::SensitivityArgs),
    /// Measure throughput: trials per second beside the floor of the scenario's own draws.
    #[command(after_help = BENCH_HELP)]
    Bench(BenchArgs),
    /// Merge the partial files of a sharded run into the report one machine would have written.
    #[command(after_help = MERGE_HELP)]
    Merge(MergeArgs),
    /// Print the JSON Schema of the scenario format (for editor completion), or of a
    /// JSON output with --report, --sweep, --compare, --secure or --sensitivity.
    #[command(after_help = whatif_args::SCHEMA_HELP)]
    Schema(SchemaArgs),
    /// Write a commented starter scenario and the JSON Schema into a directory.
    #[command(after_help = INIT_HELP)]
    Init(InitArgs),
    /// Print a built-in scenario (tutorial, paris or paris-30k) or the pledges sheet.
    #[command(after_help = EXAMPLE_HELP)]
    Example {
        /// Which scenario, or `pledges`: a sheet for `forcesim import`.
        #[arg(value_enum)]
        name: Sample,
    },
    /// Turn a spreadsheet of pledges (CSV or a workbook) into nations' contributions.
    #[command(after_help = IMPORT_HELP)]
    Import(ImportArgs),
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell.
    #[command(after_help = COMPLETIONS_HELP)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of forcesim or of one of its commands.
    #[command(after_help = MAN_HELP)]
    Man {
        /// A command, for its own page (e.g. `run`).
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
    },
}

// The help texts below keep every line within 78 columns: clap re-wraps longer
// lines at the terminal's width, which would break an example copied from an
// 80-column terminal. A long example goes on over lines ending in ` \`.

const MAIN_HELP: &str = "\
Start with:
  forcesim init        # writes tutorial.toml and forcesim.schema.json here
  forcesim validate tutorial.toml
  forcesim run tutorial.toml
  forcesim example paris > paris-2026.toml
  forcesim run paris-2026.toml

What if…:
  forcesim run paris-2026.toml --set nations.ESP.participation=0
  forcesim sweep paris-2026.toml \\
      --vary domains.land.requirements.troops=10000:40000:5000
  forcesim compare paris-2026.toml \\
      --variant 'no-us: conditions.us_backstop.probability=0'
  forcesim secure paris-2026.toml --target 0.9

The scenario format is described in the README, in the commented tutorial.toml
and by `forcesim schema`. Inside the repository the same files are in
scenarios/.";

const RUN_HELP: &str = "\
Examples:
  forcesim example paris > paris-2026.toml   # the scenario these examples use
  forcesim run paris-2026.toml
  forcesim run paris-2026.toml -n 1000000 --json report.json --csv report.csv
  forcesim run paris-2026.toml --set nations.ESP.participation=0.3 \\
      --set conditions.us_backstop.probability=0
  forcesim run paris-2026.toml --precision 0.002
  forcesim run paris-2026.toml --precision 0.005 \\
      --precision-on domains.land.p_covered";

const BENCH_HELP: &str = "\
The floor is the time the same number and kinds of random draws take with
no model logic: the model's cost over the floor is the price of the model
itself. Under ambition a contribution's draw is a normal made into its value
by its inverse distribution function (\"copula\" below), as the engine makes
it. Both run the copy of the code compiled for the best instruction set this
processor has (baseline x86-64, x86-64-v3 or v4; the output names it), with
the same results whichever runs.

Examples:
  forcesim bench                 # the built-in reference scenario, 1 thread
  forcesim bench paris-2026.toml -n 5000000 -j 2
  forcesim bench -j 0            # one thread per core";

const MERGE_HELP: &str = "\
Examples:
  forcesim run paris-2026.toml -n 1e8 --shard 1/2 --partial part-1.fsp
  forcesim run paris-2026.toml -n 1e8 --shard 2/2 --partial part-2.fsp
  forcesim merge part-*.fsp --json report.json

The parts must come from the same scenario, --set overrides, seed and trial
count, and cover every block exactly once. See docs/cluster.md for job-array
recipes.";

const EXAMPLE_HELP: &str = "\
Examples:
  forcesim example tutorial > tutorial.toml
  forcesim example paris > paris-2026.toml
  # paris-30k extends paris-2026.toml: write both files
  forcesim example paris-30k > paris-2026-30k.toml
  # A sheet of pledges to the Paris domains, for `forcesim import`:
  forcesim example pledges > pledges.csv";

const MAN_HELP: &str = "\
Examples:
  forcesim man > forcesim.1 && man ./forcesim.1
  forcesim man run | man -l -";

const INIT_HELP: &str = "\
Examples:
  forcesim init                       # tutorial.toml and forcesim.schema.json
  forcesim init plans --example paris # plans/paris-2026.toml
  # paris-2026-30k.toml and the paris-2026.toml it extends:
  forcesim init --example paris-30k
  forcesim run tutorial.toml

The scenario's first line, `#:schema ./forcesim.schema.json`, gives editors
that read it (Taplo, VS Code's Even Better TOML) completion and checking.
Existing files are left alone (exit code 2) unless --force; the
paris-2026.toml that paris-30k extends is kept where it is there already,
with --force too.";

const IMPORT_HELP: &str = "\
Examples:
  forcesim example pledges > pledges.csv   # a sheet to start from
  # A new scenario: fill in its TODOs.
  forcesim import pledges.csv -o pledges.toml
  forcesim import pledges.csv --into paris-2026.toml -o paris-2026.toml \\
      --dist pert

The first row names the columns, in any order: nation, domain, capability,
low, likely, high, and optionally participation, source and name (the
nation's). Each row becomes `nations.NATION.contributions.DOMAIN.CAPABILITY =
{ triangular = [low, likely, high] }` (or pert; a plain number when the three
are equal). With --into, the scenario's other lines and comments are kept and
each pledge adds or replaces one contribution; its nations, domains and
capabilities must exist. Every problem is reported with its row and column
(exit code 2). The same sheet as a workbook: examples/pledges.xlsx in the
repository.";

const COMPLETIONS_HELP: &str = "\
Examples:
  forcesim completions bash \\
      > ~/.local/share/bash-completion/completions/forcesim
  # With fpath+=~/.zfunc in .zshrc:
  forcesim completions zsh > ~/.zfunc/_forcesim
  forcesim completions fish > ~/.config/fish/completions/forcesim.fish";

/// `forcesim init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write [default: the current directory; created if missing].
    pub dir: Option<PathBuf>,
    /// Which scenario to start from.
    #[arg(long, value_enum, default_value_t = Example::Tutorial)]
    pub example: Example,
    /// Replace files that exist already.
    #[arg(long)]
    pub force: bool,
}

/// `forcesim import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The pledges: a CSV file, or a workbook (xlsx, xlsm, xls, ods: its first
    /// visible sheet).
    pub pledges: PathBuf,
    /// Merge into this scenario (its comments are kept) instead of writing a new one.
    #[arg(long, value_name = "SCENARIO")]
    pub into: Option<PathBuf>,
    /// The distribution of each low, likely, high.
    #[arg(long, value_enum, default_value_t = Dist::Triangular)]
    pub dist: Dist,
    /// Write the scenario to PATH (it may be the --into file) [default: standard output].
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// The distribution of an imported pledge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dist {
    /// Triangular: low, most likely, high.
    Triangular,
    /// PERT (a smoother beta): low, most likely, high.
    Pert,
}

/// `forcesim schema`: which schema to print.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct SchemaArgs {
    /// The schema of the JSON report of run and merge (`forcesim-report/2`).
    #[arg(long)]
    pub report: bool,
    /// The schema of sweep's JSON (`forcesim-sweep/1`).
    #[arg(long)]
    pub sweep: bool,
    /// The schema of compare's JSON (`forcesim-compare/1`).
    #[arg(long)]
    pub compare: bool,
    /// The schema of secure's JSON (`forcesim-secure/1`).
    #[arg(long)]
    pub secure: bool,
    /// The schema of sensitivity's JSON (`forcesim-sensitivity/2`).
    #[arg(long)]
    pub sensitivity: bool,
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
    /// Worker threads, 0 for one per core [default: 1].
    #[arg(short = 'j', long, value_name = "THREADS", value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// Seed.
    #[arg(long, value_name = "S", value_parser = parse_seed)]
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
    #[arg(long, value_name = "S", value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// Worker threads, 0 for one per core [default: one per core]. The report does
    /// not depend on it.
    #[arg(short = 'j', long, value_name = "THREADS", value_parser = parse_threads)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub scenario_opts: ScenarioOpts,
    #[command(flatten)]
    pub output: OutputOpts,
    /// Run only shard K of N (contiguous block ranges) and write its tally to
    /// --partial; combine the N partials with `forcesim merge`.
    #[arg(long, value_name = "K/N", requires = "partial", conflicts_with_all = ["json", "csv", "charts", "html", "xlsx", "title", "marking", "label"])]
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
    /// Treat warnings as errors: a scenario with any warning is invalid (exit code 2).
    #[arg(long)]
    pub strict: bool,
}

const VALIDATE_HELP: &str = "Exit code 0 when every file is valid, 2 when one is invalid, \
1 when one cannot be read and none is invalid.

Errors make a scenario invalid (exit code 2). Warnings point at likely \
modelling mistakes in a valid scenario (exit code 0, or 2 with --strict), each with \
file:line:column, the dotted key and the fix: a contribution to a capability its domain does \
not require, a requirement (of a domain or the force) no coalition could meet, a count or pool \
that is not a whole number, an if_absent or if_present cap that never binds, a nation that \
contributes nothing, a lead that contributes nothing to its domain, a bloc of one nation, \
ambition with nothing to move together, a condition nothing references, an effect that never \
applies in a mounted trial or scales by 1, a lead_provides share of 0, a [mission] that \
mounts every trial or none, a timeline day after every nation is ready, a domain that \
requires nothing (the README's table gives each one's reason).

A scenario may extend another: [scenario] extends = \"base.toml\" (relative to the file); \
see the README.

Examples:
  forcesim validate tutorial.toml
  forcesim validate *.toml
  forcesim validate --strict tutorial.toml";

/// The scenarios built into the program, by the name `--example` and `example` take.
/// What `forcesim example` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Sample {
    /// A three-nation invented coalition, every line commented.
    Tutorial,
    /// The Paris 2026 baseline: 35 nations and the United States, 16,000 troops on land.
    Paris,
    /// The 30,000-troop ambition, written as an extension of the Paris baseline.
    #[value(name = "paris-30k")]
    Paris30k,
    /// A CSV sheet of pledges (nation, domain, capability, low, likely, high …)
    /// to the Paris baseline's domains, for `forcesim import`.
    Pledges,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Example {
    /// A three-nation invented coalition, every line commented.
    Tutorial,
    /// The Paris 2026 baseline: 35 nations and the United States, 16,000 troops on land.
    Paris,
    /// The 30,000-troop ambition, written as an extension of the Paris baseline
    /// (`init` writes both files, keeping a paris-2026.toml that is there).
    #[value(name = "paris-30k")]
    Paris30k,
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

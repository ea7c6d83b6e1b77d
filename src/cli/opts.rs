//! Option groups and value parsers shared by several commands.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

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

/// How many trials, which seed, how many threads: shared by the what-if commands.
#[derive(Debug, Args, Clone, Default)]
pub struct RunControl {
    /// Trials per variant [default: the scenario's `[simulation] trials`, else 100000].
    #[arg(short = 'n', long, value_name = "TRIALS", value_parser = parse_trials)]
    pub trials: Option<u64>,
    /// Seed of the random streams, the same for every variant [default: the
    /// scenario's `[simulation] seed`, else 1].
    #[arg(long, value_name = "S", value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// Worker threads, 0 for one per core [default: one per core]. Results do not depend on it.
    #[arg(short = 'j', long, value_name = "THREADS", value_parser = parse_threads)]
    pub threads: Option<usize>,
}

/// Where a command writes its result: shared by every command that writes a report.
/// The texts here describe `run`'s report; the other commands adjust them with
/// `mut_arg` to say what their own files hold.
///
/// Files are written whole or not at all (a temporary copy renamed over the
/// target). A symbolic link to a file is refused, never followed to replace
/// the file; a device or pipe (`/dev/null`) is written into, never replaced.
#[derive(Debug, Args, Clone, Default)]
pub struct OutputOpts {
    /// Write the JSON report to PATH (`-`: standard output).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write the report as tidy CSV (scenario,scenario_sha256,variant,scope,id,capability,metric,qualifier,value,ci95_lo,ci95_hi) to PATH (`-`: standard output).
    #[arg(long, value_name = "PATH")]
    pub csv: Option<PathBuf>,
    /// Write the charts (force, coverage, gaps, tornado, contributions; timeline when
    /// the scenario has `timeline_days`, pools when a nation has a pool) into DIR,
    /// created if missing.
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
    /// Write one self-contained HTML file to PATH: the summary tables, every chart
    /// (inline SVG), the assumptions annex with each input's source, overrides,
    /// seed, trials, version and the scenario's SHA-256 (`-`: standard output).
    #[arg(long, value_name = "PATH")]
    pub html: Option<PathBuf>,
    /// Write a workbook (.xlsx) to PATH: one sheet per table (summary, totals,
    /// thresholds, domains, capabilities, force with [force], sustainability with
    /// pools, leads, nations, conditions, timeline, assumptions), numbers with
    /// number formats, and the charts as images
    /// (`-`: standard output, when it is not a terminal).
    #[arg(long, value_name = "PATH")]
    pub xlsx: Option<PathBuf>,
    /// Image format of `--charts`: png (1600×1000, for slides) or svg (for reports).
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = ChartFormat::Png)]
    pub chart_format: ChartFormat,
    /// Do not print the summary table.
    #[arg(short, long)]
    pub quiet: bool,
    /// Title, marking and labels of the charts.
    #[command(flatten)]
    pub chart: ChartOpts,
}

/// What `--charts` draws beyond the figures: a title, a protective marking, names.
#[derive(Debug, Args, Clone, Default)]
pub struct ChartOpts {
    /// Title of the charts, in place of the question each asks (and the heading of
    /// the --html page).
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Protective marking printed at the top and the bottom of every chart and of
    /// the --html page (e.g. OFFICIAL-SENSITIVE).
    #[arg(long, value_name = "TEXT")]
    pub marking: Option<String>,
    /// The name drawn for a dotted key, a domain or a scenario label
    /// (`--label nations.ESP.participation="Spain's decision"`, `--label domains.land=Land`); repeatable.
    #[arg(long, value_name = "KEY=TEXT", value_parser = parse_label)]
    pub label: Vec<(String, String)>,
}

impl ChartOpts {
    /// Warns, on standard error, of each `--label` whose key is none of `known`
    /// (what the command's charts and pages name): a typo would go unseen.
    pub fn warn_unused(&self, known: &[String]) {
        let names: Vec<&str> = known.iter().map(String::as_str).collect();
        for (k, _) in &self.label {
            if !names.contains(&k.as_str()) {
                say!(
                    "warning: --label {}: nothing drawn is named `{}`{}, so the label is not used",
                    super::escape(k),
                    super::escape(k),
                    forcesim::import::did_you_mean(k, &names)
                );
            }
        }
    }

    /// The chart options: `base` (the scenario's names), then these flags.
    pub fn options(&self, base: forcesim::charts::Options) -> forcesim::charts::Options {
        let mut o = base;
        o.title = self.title.clone();
        o.marking = self.marking.clone();
        o.labels.extend(self.label.iter().cloned());
        o
    }
}

/// `KEY=TEXT`.
fn parse_label(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected KEY=TEXT, got `{s}`")),
    }
}

impl OutputOpts {
    /// The report's files of `run` and `merge`, by option name.
    pub fn report_files(&self) -> [(&'static str, &Option<PathBuf>); 4] {
        [
            ("--json", &self.json),
            ("--csv", &self.csv),
            ("--html", &self.html),
            ("--xlsx", &self.xlsx),
        ]
    }

    /// Refuses the outputs that only `run` and `merge` write (`--html`,
    /// `--xlsx`) on a command that cannot write them, rather than ignoring them.
    pub fn refuse_run_only(&self, command: &str) -> Result<(), super::CliError> {
        if self.html.is_some() {
            return Err(super::CliError::Usage(format!(
                "{command} writes no HTML: --html is for run, merge, sweep, compare and sensitivity"
            )));
        }
        self.refuse_xlsx(command)
    }

    /// Refuses `--xlsx` on a command that writes no workbook.
    pub fn refuse_xlsx(&self, command: &str) -> Result<(), super::CliError> {
        if self.xlsx.is_some() {
            return Err(super::CliError::Usage(format!(
                "{command} writes no workbook: --xlsx is for run and merge"
            )));
        }
        Ok(())
    }
}

/// Image format of the charts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ChartFormat {
    /// PNG, 1600×1000 pixels.
    #[default]
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

/// A number of trials: `200000`, `200_000`, `2e5`.
pub fn parse_trials(s: &str) -> Result<u64, String> {
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

/// A seed: a whole number from 0 to 2^64 − 1 (`20260106`, `20_260_106`, `1e6`).
pub fn parse_seed(s: &str) -> Result<u64, String> {
    let clean: String = s.trim().chars().filter(|c| *c != '_').collect();
    if let Ok(n) = clean.parse::<u64>() {
        return Ok(n);
    }
    // Written as a float (`1e6`): whole, and exact in an `f64`.
    match clean.parse::<f64>() {
        Ok(x) if x.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(&x) => Ok(x as u64),
        _ => Err(format!(
            "`{s}` is not a seed: give a whole number from 0 to {} (e.g. 1 or 20260106)",
            u64::MAX
        )),
    }
}

/// A synthetic coalition's size, `NATIONSxDOMAINS`.
pub fn parse_synthetic(s: &str) -> Result<(usize, usize), String> {
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

/// A number of worker threads; 0 is one per core (as many as the system lets
/// this process use).
pub fn parse_threads(s: &str) -> Result<usize, String> {
    let n: usize = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of threads (0: one per core)"))?;
    if n > forcesim::limits::MAX_THREADS {
        return Err(format!(
            "threads must be between 0 (one per core) and {}",
            forcesim::limits::MAX_THREADS
        ));
    }
    if n == 0 {
        return Ok(cores());
    }
    Ok(n)
}

/// The number of cores this process may use (at least 1, at most the limit).
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(forcesim::limits::MAX_THREADS)
}

/// A probability target in (0, 1].
pub fn parse_target(s: &str) -> Result<f64, String> {
    let p = parse_probability(s)?;
    if p <= 0.0 {
        return Err("the target must be above 0".into());
    }
    Ok(p)
}

/// A probability, written `0.9` or `90%`.
fn parse_probability(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let (num, scale) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), 100.0),
        None => (t, 1.0),
    };
    match num.parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..=1.0).contains(&(x / scale)) => Ok(x / scale),
        _ => Err(format!(
            "`{s}` is not a probability: write a number between 0 and 1 (e.g. 0.9) or a percentage (90%)"
        )),
    }
}

/// A precision target ε: a half-width in (0, 0.5].
pub fn parse_eps(s: &str) -> Result<f64, String> {
    let p = parse_probability(s).unwrap_or(f64::NAN);
    if !(p > 0.0 && p <= 0.5) {
        return Err(format!(
            "`{s}` is not a usable half-width: give ε between 0 and 0.5, e.g. 0.005 (± 0.5 percentage points)"
        ));
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trial_counts_accept_readable_forms() {
        assert_eq!(parse_trials("200_000"), Ok(200_000));
        assert_eq!(parse_trials("2e5"), Ok(200_000));
        assert!(parse_trials("0").is_err());
        assert!(parse_trials("1e13").is_err());
        assert!(parse_trials("x").is_err());
    }

    #[test]
    fn probabilities_accept_percentages() {
        assert_eq!(parse_target("0.9"), Ok(0.9));
        assert_eq!(parse_target("90%"), Ok(0.9));
        assert!(parse_target("0").is_err());
        assert!(parse_target("1.5").is_err());
        assert!(parse_target("x").is_err());
        assert_eq!(parse_eps("0.005"), Ok(0.005));
        assert_eq!(parse_eps("0.5%"), Ok(0.005));
        for bad in ["abc", "nan", "inf", "-0.01", "0.6"] {
            let e = parse_eps(bad).unwrap_err();
            assert!(e.contains("give ε between 0 and 0.5"), "{bad}: {e}");
        }
    }

    #[test]
    fn seeds_are_whole_numbers_in_range() {
        assert_eq!(parse_seed("0"), Ok(0));
        assert_eq!(parse_seed("20_260_106"), Ok(20_260_106));
        assert_eq!(parse_seed("1e6"), Ok(1_000_000));
        assert_eq!(parse_seed("18446744073709551615"), Ok(u64::MAX));
        for bad in ["-5", "1.5", "x", "", "18446744073709551616", "1e300", "nan"] {
            let e = parse_seed(bad).unwrap_err();
            assert!(
                e.contains("is not a seed: give a whole number from 0 to"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn zero_threads_is_one_per_core() {
        assert_eq!(parse_threads("0"), Ok(cores()));
        assert!(cores() >= 1);
        assert_eq!(parse_threads("3"), Ok(3));
        assert!(parse_threads("-1").is_err());
        assert!(parse_threads("100000").is_err());
        assert!(parse_eps("0.6").is_err());
        assert!(parse_eps("0").is_err());
    }
}

//! Sensitivity (`"format": "forcesim-sensitivity/2"`): the effect of every input
//! of a scenario on a figure, each input moved to a low and a high setting, with
//! paired 95 % intervals.
//!
//! Each setting is a variant of the scenario written as a `--set` override
//! (`nations.GBR.decision=out`), so every row can be reproduced with
//! `forcesim run --set KEY=VALUE` and the same `-n` and seed: the figure at the
//! low and high setting is exactly that run's. Every variant runs on common
//! random numbers, block by block in one worker pass ([`super::paired`]), and the
//! effect (high − low) gets an interval from the per-trial differences of the
//! same trials: discordant pairs for probabilities, the paired variance for
//! means ([`super::paired`]). This is an effect — what moving that one input does — not the
//! association that `run`'s swing measures.
//!
//! | kind | low | high |
//! |---|---|---|
//! | nations | `decision = "out"` (lost) | `decision = "in"` (secured) |
//! | conditions | probability 0 | probability 1 |
//! | approvals | probability 0 | probability 1 |
//! | blocs | correlation 0 | correlation 0.9 |
//! | requirements | × (1 − R) | × (1 + R) |

use std::fmt::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Source;
use super::paired::{self, PairSums};
use crate::dist::Dist;
use crate::engine::{Control, EngineError};
use crate::math::{newcombe, to_count, wilson};
use crate::model::Model;
use crate::present::escape;
use crate::report::csv::{Origin, Tidy};
use crate::report::{Engine, Report};
use crate::scenario::{self, LoadError};
use crate::stats::{Keep, Tally};

/// The sensitivity format tag.
pub const FORMAT: &str = "forcesim-sensitivity/2";

/// Default relative range of requirements: × (1 ∓ 0.2).
pub const DEFAULT_RANGE: f64 = 0.2;

/// The smallest relative range: below it, 1 ∓ R written to six decimals (the
/// settings' precision) would leave a scale or a share where it is, and a
/// range that moves nothing analyses nothing.
pub const MIN_RANGE: f64 = 1e-3;

/// A bloc's correlation at the high setting.
pub const HIGH_CORRELATION: f64 = 0.9;

/// The kinds of input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A nation's decision: out / in.
    Nations,
    /// A condition's probability: 0 / 1.
    Conditions,
    /// An approval gate's probability: 0 / 1.
    Approvals,
    /// A bloc's correlation: 0 / 0.9.
    Blocs,
    /// A requirement of a domain or of the whole force: × (1 − R) / × (1 + R).
    Requirements,
    /// A nation's `scale` (what it sends of its pledge): × (1 − R) / × (1 + R).
    Scale,
    /// A lead's obligation (`lead_provides` share): × (1 − R) / × (1 + R), within [0, 1].
    Obligations,
    /// A nation's pool: × (1 − R) / × (1 + R).
    Pools,
    /// A nation's ambition ρ (how its contributions move together): 0 / 0.9.
    Ambition,
}

impl Kind {
    /// Every kind, in the order rows are listed.
    pub const ALL: [Kind; 9] = [
        Kind::Nations,
        Kind::Conditions,
        Kind::Approvals,
        Kind::Blocs,
        Kind::Requirements,
        Kind::Scale,
        Kind::Obligations,
        Kind::Pools,
        Kind::Ambition,
    ];

    /// The name on the command line and in the output.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Nations => "nations",
            Kind::Conditions => "conditions",
            Kind::Approvals => "approvals",
            Kind::Blocs => "blocs",
            Kind::Requirements => "requirements",
            Kind::Scale => "scale",
            Kind::Obligations => "obligations",
            Kind::Pools => "pools",
            Kind::Ambition => "ambition",
        }
    }

    /// Reads a comma-separated list (`nations,blocs`; `all` for every kind).
    pub fn parse_list(s: &str) -> Result<Vec<Kind>, String> {
        let mut out = Vec::new();
        for w in s.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            if w == "all" {
                return Ok(Kind::ALL.to_vec());
            }
            let k = Kind::ALL
                .into_iter()
                .find(|k| k.as_str() == w)
                .ok_or_else(|| {
                    format!(
                        "unknown kind of input `{w}`: write some of nations, conditions, approvals, blocs, requirements, scale, obligations, pools, ambition (or all)"
                    )
                })?;
            if !out.contains(&k) {
                out.push(k);
            }
        }
        if out.is_empty() {
            return Err("no kind of input given: write e.g. nations,blocs (or all)".into());
        }
        Ok(out)
    }
}

/// One input and its two settings, as `--set` values.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// Dotted key (`nations.GBR.decision`).
    pub key: String,
    /// Its kind.
    pub kind: Kind,
    /// The low setting, a TOML value.
    pub low: String,
    /// The high setting.
    pub high: String,
}

impl Input {
    /// The override of the low (`high = false`) or high setting.
    pub fn set(&self, high: bool) -> String {
        format!("{}={}", self.key, if high { &self.high } else { &self.low })
    }
}

/// A number written for a `--set` value: at most 6 decimals, no exponent noise.
fn num(x: f64) -> String {
    let r = (x * 1e6).round() / 1e6;
    format!("{r}")
}

/// A distribution scaled by `k`, as a TOML value (forms with bounds only). A
/// fixed count is scaled as the engine counts it: see [`scaled_count`].
fn scaled(d: &Dist, k: f64) -> Option<String> {
    match d {
        Dist::Fixed(v) => Some(scaled_count(*v, k).to_string()),
        Dist::Triangular { min, mode, max } => Some(format!(
            "{{ triangular = [{}, {}, {}] }}",
            num(min * k),
            num(mode * k),
            num(max * k)
        )),
        Dist::Pert { min, mode, max } => Some(format!(
            "{{ pert = [{}, {}, {}] }}",
            num(min * k),
            num(mode * k),
            num(max * k)
        )),
        _ => None,
    }
}

/// The whole count a written count `v` (a requirement or a pool) becomes when
/// scaled by `k` ≠ 1: `v × k` rounded as the engine rounds counts, and, where
/// that rounds back to `v`'s own count (at least 1), one unit below or above
/// it, so that the setting moves the input.
fn scaled_count(v: f64, k: f64) -> u64 {
    let (base, x) = (to_count(v), to_count(v * k));
    match (base, x == base) {
        (0, _) | (_, false) => x,
        _ if k < 1.0 => base - 1,
        _ => base + 1,
    }
}

/// Every requirement (of each domain, then of the whole force), scaled by
/// 1 ∓ `range`; a requirement of a form that is not scaled goes to `skipped`.
fn requirements(
    model: &Model,
    range: f64,
    push: &mut impl FnMut(String, Kind, String, String),
    skipped: &mut Vec<String>,
) {
    let domains = model.domains.iter().flat_map(|d| {
        d.requirements.iter().map(move |r| {
            (
                format!("domains.{}.requirements", d.id),
                r.capability,
                &r.dist,
            )
        })
    });
    let force = model
        .force
        .iter()
        .flatten()
        .map(|r| ("force.requirements".to_string(), r.capability, &r.dist));
    for (prefix, cap, dist) in domains.chain(force) {
        let key = format!("{prefix}.{}", model.capabilities[cap].id);
        match (scaled(dist, 1.0 - range), scaled(dist, 1.0 + range)) {
            (Some(lo), Some(hi)) => push(key, Kind::Requirements, lo, hi),
            _ => skipped.push(key),
        }
    }
}

/// Every pool, scaled by 1 ∓ `range`; a pool of a form that is not scaled goes to
/// `skipped`.
fn pools(
    model: &Model,
    range: f64,
    push: &mut impl FnMut(String, Kind, String, String),
    skipped: &mut Vec<String>,
) {
    for n in &model.nations {
        for pool in &n.pools {
            let cap = &model.capabilities[pool.capability].id;
            let key = format!("nations.{}.pool.{cap}", n.id);
            match (
                scaled(&pool.dist, 1.0 - range),
                scaled(&pool.dist, 1.0 + range),
            ) {
                (Some(lo), Some(hi)) => push(key, Kind::Pools, lo, hi),
                _ => skipped.push(key),
            }
        }
    }
}

/// Every `lead_provides` share, scaled by 1 ∓ `range` within [0, 1].
fn obligations(model: &Model, range: f64, push: &mut impl FnMut(String, Kind, String, String)) {
    for d in &model.domains {
        for o in &d.provides {
            let r = &d.requirements[o.requirement];
            let cap = &model.capabilities[r.capability].id;
            let key = format!("domains.{}.lead_provides.{cap}", d.id);
            let lo = (o.share * (1.0 - range)).clamp(0.0, 1.0);
            let hi = (o.share * (1.0 + range)).clamp(0.0, 1.0);
            push(key, Kind::Obligations, num(lo), num(hi));
        }
    }
}

/// Every input of `kinds` with its settings, and the keys of inputs that cannot be
/// varied (a requirement of a form that is not scaled).
pub fn inputs(model: &Model, kinds: &[Kind], range: f64) -> (Vec<Input>, Vec<String>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut push = |key: String, kind, low: String, high: String| {
        out.push(Input {
            key,
            kind,
            low,
            high,
        })
    };
    for &kind in kinds {
        match kind {
            Kind::Nations => {
                for n in &model.nations {
                    push(
                        format!("nations.{}.decision", n.id),
                        kind,
                        "\"out\"".into(),
                        "\"in\"".into(),
                    );
                }
            }
            Kind::Conditions => {
                for c in &model.conditions {
                    let key = format!("conditions.{}.probability", c.id);
                    push(key, kind, "0".into(), "1".into());
                }
            }
            Kind::Approvals => {
                for n in &model.nations {
                    // p_factors: participation, then each approval gate.
                    for g in 0..n.p_factors.len().saturating_sub(1) {
                        let key = format!("nations.{}.approval[{g}].probability", n.id);
                        push(key, kind, "0".into(), "1".into());
                    }
                }
            }
            Kind::Blocs => {
                for b in &model.blocs {
                    let key = format!("blocs.{}.correlation", b.id);
                    push(key, kind, "0".into(), num(HIGH_CORRELATION));
                }
            }
            Kind::Requirements => requirements(model, range, &mut push, &mut skipped),
            Kind::Scale => {
                for n in model.nations.iter().filter(|n| !n.contributions.is_empty()) {
                    let key = format!("nations.{}.scale", n.id);
                    push(
                        key,
                        kind,
                        num(n.scale * (1.0 - range)),
                        num(n.scale * (1.0 + range)),
                    );
                }
            }
            Kind::Pools => pools(model, range, &mut push, &mut skipped),
            Kind::Ambition => {
                for n in model.nations.iter().filter(|n| !n.contributions.is_empty()) {
                    let key = format!("nations.{}.ambition", n.id);
                    push(key, kind, "0".into(), num(HIGH_CORRELATION));
                }
            }
            Kind::Obligations => obligations(model, range, &mut push),
        }
    }
    (out, skipped)
}

/// How a figure's per-trial differences are paired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pairing {
    /// The mission mounted (over every trial).
    Mounted,
    /// Mounted and every domain covered (over every trial).
    Overall,
    /// Every domain covered.
    All,
    /// Domain `d` covered.
    Domain(usize),
    /// Capability `c`'s total (its mean).
    Total(usize),
    /// A capability's mean committed force: the paired variance.
    Committed(usize),
    /// No per-trial form (a quantile, a standard deviation…): no interval.
    None,
}

impl Pairing {
    /// The pairing of the figure at `path` in `model`'s report.
    pub fn of(model: &Model, path: &str) -> Pairing {
        let parts: Vec<&str> = path.split('.').collect();
        match parts[..] {
            ["p_mounted"] => Pairing::Mounted,
            ["p_all_covered_overall"] => Pairing::Overall,
            ["p_all_covered"] => Pairing::All,
            ["domains", d, "p_covered"] => model.domain(d).map_or(Pairing::None, Pairing::Domain),
            ["totals", c, "mean"] => model.capability(c).map_or(Pairing::None, Pairing::Total),
            // `compare` and `sweep` name it `committed_mean`, the report `committed.mean`.
            ["totals", c, "committed_mean"] | ["totals", c, "committed", "mean"] => model
                .capability(c)
                .map_or(Pairing::None, Pairing::Committed),
            _ => Pairing::None,
        }
    }

    /// The paired 95 % interval of the difference `d` from its sums (`None`
    /// where pairing gives none: see [`super::paired`]).
    pub fn ci95(self, s: &PairSums, d: f64) -> Option<[f64; 2]> {
        let over_mounted = !matches!(self, Pairing::Mounted | Pairing::Overall);
        let none = matches!(self, Pairing::None) || !d.is_finite();
        if none || (over_mounted && s.gate_differs > 0) {
            return None;
        }
        if s.identical && d == 0.0 {
            return Some([0.0, 0.0]);
        }
        let around = |h: f64| [d - h, d + h];
        match self {
            // Figures over every trial: paired whatever the gates do.
            Pairing::Mounted => s.mount.ci95(s.trials),
            Pairing::Overall => s.all.ci95(s.trials),
            // Figures over the mounted trials: paired only when both variants
            // mount the same trials (a trial mounted in neither adds 0 to every
            // sum, so the sums are those of the mounted trials).
            Pairing::All => s.all.ci95(s.mounted),
            Pairing::Domain(d) => s.covered.get(d)?.ci95(s.mounted),
            Pairing::Total(c) => s.totals.get(c)?.half95(s.mounted).map(around),
            Pairing::Committed(c) => s.committed.get(c)?.half95(s.mounted).map(around),
            Pairing::None => None,
        }
    }

    /// Whether the figure is a probability.
    pub fn is_probability(self) -> bool {
        matches!(
            self,
            Pairing::Mounted | Pairing::Overall | Pairing::All | Pairing::Domain(_)
        )
    }

    /// Whether the figure is over every trial (rather than the mounted ones).
    pub fn over_every_trial(self) -> bool {
        matches!(self, Pairing::Mounted | Pairing::Overall)
    }
}

/// The number at dotted `path` of a report's JSON (`null` for a figure without
/// trials is NaN); `None` when there is no such scalar. An array's element is
/// `[N]` after its key (`timeline.p_all_covered[0]`, `thresholds.troops[1].p`),
/// and `thresholds.C.X` is P(total of C ≥ X), as `compare` names it.
pub fn lookup(report: &Value, path: &str) -> Option<f64> {
    if let Some(p) = threshold(report, path) {
        return Some(p);
    }
    let mut cur = report;
    for part in path.split('.') {
        let (name, indices) = indexed(part)?;
        cur = cur.as_object()?.get(name)?;
        for i in indices {
            cur = cur.as_array()?.get(i)?;
        }
    }
    match cur {
        Value::Number(n) => n.as_f64(),
        Value::Null => Some(f64::NAN),
        _ => None,
    }
}

/// `key[i][j]…` as the key and its indices; `None` when malformed.
fn indexed(part: &str) -> Option<(&str, Vec<usize>)> {
    let Some(open) = part.find('[') else {
        return Some((part, Vec::new()));
    };
    let (name, mut rest) = part.split_at(open);
    let mut indices = Vec::new();
    while let Some(r) = rest.strip_prefix('[') {
        let (digits, after) = r.split_once(']')?;
        indices.push(digits.parse().ok()?);
        rest = after;
    }
    rest.is_empty().then_some((name, indices))
}

/// Whether `path` is `thresholds.C.X` with X a number (a threshold's P).
fn threshold_value(path: &str) -> bool {
    let parts: Vec<&str> = path.split('.').collect();
    parts.len() == 3 && parts[2].parse::<f64>().is_ok()
}

/// `thresholds.C.X`: the `p` of C's threshold `at_least` X.
fn threshold(report: &Value, path: &str) -> Option<f64> {
    let ["thresholds", c, x] = path.split('.').collect::<Vec<_>>()[..] else {
        return None;
    };
    let x: f64 = x.parse().ok()?;
    let list = report.get("thresholds")?.get(c)?.as_array()?;
    let t = list
        .iter()
        .find(|t| t.get("at_least").and_then(Value::as_f64) == Some(x))?;
    match t.get("p")? {
        Value::Number(n) => n.as_f64(),
        Value::Null => Some(f64::NAN),
        _ => None,
    }
}

/// Checks that `path` names a number of `model`'s report.
pub fn check_figure(model: &Model, path: &str) -> Result<(), String> {
    let empty = Report::build(model, &Tally::new(model), 0, Engine::measured(1, 0.0, 0));
    let json = serde_json::to_value(&empty).map_err(|e| e.to_string())?;
    if path.split('.').next() == Some("engine") || lookup(&json, path).is_none() {
        return Err(format!(
            "--figure `{path}` is not a figure of the report: write a dotted path to a number of `run --json`, e.g. p_all_covered, domains.{}.p_covered, totals.{}.mean or totals.{}.p05 (an array's element as `[N]`: timeline.p_all_covered[0]; a threshold as thresholds.C.VALUE)",
            model.domains.first().map_or("D", |d| d.id.as_str()),
            model.capabilities.first().map_or("C", |c| c.id.as_str()),
            model.capabilities.first().map_or("C", |c| c.id.as_str()),
        ));
    }
    Ok(())
}

/// One input's effect on one figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Dotted key of the input.
    pub input: String,
    /// Its kind.
    pub kind: Kind,
    /// The low setting (TOML value).
    pub low: String,
    /// The high setting.
    pub high: String,
    /// The figure at the low setting.
    pub at_low: f64,
    /// The figure at the high setting.
    pub at_high: f64,
    /// `at_high − at_low`.
    pub effect: f64,
    /// Paired 95 % interval of the effect (null for figures without a per-trial form).
    pub ci95: Option<[f64; 2]>,
    /// The interval if the two settings were independent samples, for comparison.
    pub ci95_unpaired: Option<[f64; 2]>,
}

/// The rows of one figure, ranked by |effect|.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureRows {
    /// Dotted path of the figure.
    pub figure: String,
    /// Its value in the scenario as written.
    pub base: f64,
    /// Whether it is a probability (effects in percentage points).
    pub probability: bool,
    /// One row per input, largest |effect| first (ties: by key).
    pub rows: Vec<Row>,
}

/// A whole sensitivity analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// `forcesim-sensitivity/2`.
    pub format: String,
    /// The scenario and the overrides of every variant.
    pub scenario: Source,
    /// Trials per variant.
    pub trials: u64,
    /// Where a stop cut the analysis short: the trials asked for (`trials` is
    /// then what every variant covers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trials_asked: Option<u64>,
    /// Seed of every variant.
    pub seed: u64,
    /// Relative range R of the requirements.
    pub range: f64,
    /// Kinds of input varied.
    pub inputs: Vec<Kind>,
    /// Inputs that could not be varied (a requirement or pool drawn from a form that is not scaled).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
    /// Per figure asked for.
    pub figures: Vec<FigureRows>,
}

/// Why an analysis could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A variant's scenario does not load.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The engine could not start.
    #[error("the simulation could not start: {0}")]
    Engine(#[from] EngineError),
}

/// What to analyse.
#[derive(Debug, Clone)]
pub struct Spec<'a> {
    /// The scenario file.
    pub path: &'a Path,
    /// `--set` overrides applied to every variant.
    pub set: &'a [String],
    /// Kinds of input.
    pub kinds: &'a [Kind],
    /// Relative range of requirements.
    pub range: f64,
    /// Figures (dotted paths, checked with [`check_figure`]).
    pub figures: &'a [String],
    /// Trials per variant.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
}

/// The variants: the scenario as written, then each input's low and high
/// setting, decoded in `pool` from one reading of the file; `None` when `stop`
/// is set meanwhile (a large scenario has thousands of variants to decode).
/// Without a figure of the timeline the variants leave out its days: no other
/// figure depends on them, and the day of coverage is the costliest stage of a
/// trial.
pub fn variants(
    spec: &Spec<'_>,
    inputs: &[Input],
    (pool, stop): (&rayon::ThreadPool, Option<&AtomicBool>),
) -> Result<Option<Vec<Model>>, LoadError> {
    use rayon::prelude::*;
    let (origin, bytes) = scenario::read(spec.path)?;
    let timeline = spec.figures.iter().any(|f| is_timeline(f));
    let with =
        |extra: Option<String>| -> Vec<String> { spec.set.iter().cloned().chain(extra).collect() };
    let sets: Vec<Vec<String>> = std::iter::once(with(None))
        .chain(
            inputs
                .iter()
                .flat_map(|i| [false, true].map(|high| with(Some(i.set(high))))),
        )
        .collect();
    let stopped = || stop.is_some_and(|s| s.load(Ordering::Relaxed));
    let models: Vec<Option<Model>> = pool.install(|| {
        sets.par_iter()
            .map(|set| {
                if stopped() {
                    return Ok(None);
                }
                let mut m = scenario::check_bytes(&origin, &bytes, set)
                    .map_err(|d| LoadError::Invalid(Box::new(d)))?
                    .model;
                if !timeline {
                    m.timeline_days.clear();
                }
                Ok(Some(m))
            })
            .collect::<Result<_, LoadError>>()
    })?;
    Ok(models.into_iter().collect())
}

/// What the chunks run so far give: each figure's rows, and the trials.
struct Found {
    figures: Vec<FigureRows>,
    trials: u64,
    interrupted: bool,
}

/// Runs the analysis: returns it and whether a stop request cut it short.
pub fn analyse(spec: &Spec<'_>, control: Control<'_>) -> Result<(Sensitivity, bool), Error> {
    let base = scenario::load(spec.path, spec.set)?;
    let (inputs, mut skipped) = inputs(&base, spec.kinds, spec.range);
    // Two settings an input.
    let per_chunk = super::chunks::per_chunk(&base, 2, spec.threads);
    let found = if inputs.len() <= per_chunk {
        run_chunk(spec, &base, &inputs, control)?
    } else {
        run_chunks(spec, &base, (&inputs, per_chunk), control, &mut skipped)?
    };
    let trials = found.as_ref().map_or(0, |f| f.trials);
    let interrupted = found.as_ref().is_none_or(|f| f.interrupted);
    let result = Sensitivity {
        format: FORMAT.into(),
        scenario: Source::of(&base),
        trials,
        trials_asked: (interrupted && trials < spec.trials).then_some(spec.trials),
        seed: spec.seed,
        range: spec.range,
        inputs: spec.kinds.to_vec(),
        skipped,
        figures: found.map_or_else(Vec::new, |f| f.figures),
    };
    Ok((result, interrupted))
}

/// The scenario as written and `inputs` set low and high, run on the same
/// trials; `None` when a stop came before any trial.
fn run_chunk(
    spec: &Spec<'_>,
    base: &Model,
    inputs: &[Input],
    control: Control<'_>,
) -> Result<Option<Found>, Error> {
    let (pool, _) = crate::engine::pool(spec.threads)?;
    let Some(models) = variants(spec, inputs, (&pool, control.stop))? else {
        return Ok(None);
    };
    let pairs: Vec<(usize, usize)> = (0..inputs.len()).map(|i| (1 + 2 * i, 2 + 2 * i)).collect();
    let pass = paired::run_with(
        &models,
        &pairs,
        (spec.seed, spec.trials, spec.threads),
        control,
        &keep(base, spec.figures),
    )?;
    let reports = reports(&models, &pass, spec.seed, &pool);
    let trials = pass.tallies.first().map_or(0, |t| t.trials);
    let figures = spec
        .figures
        .iter()
        .map(|f| figure_rows(base, f, inputs, &reports, &pass.pairs, trials))
        .collect();
    Ok(Some(Found {
        figures,
        trials,
        interrupted: pass.interrupted,
    }))
}

/// [`run_chunk`] for `per_chunk` inputs at a time, each chunk over every trial.
/// A stop ends the analysis with the chunks finished: the inputs of the others
/// are listed in `skipped` as not run. `None` when no chunk finished.
fn run_chunks(
    spec: &Spec<'_>,
    base: &Model,
    (inputs, per_chunk): (&[Input], usize),
    control: Control<'_>,
    skipped: &mut Vec<String>,
) -> Result<Option<Found>, Error> {
    let mut all: Option<Found> = None;
    let chunks = inputs.len().div_ceil(per_chunk) as u64;
    for (k, chunk) in inputs.chunks(per_chunk).enumerate() {
        // Progress over every chunk: `done` trials of this one.
        let offset = k as u64 * spec.trials;
        let progress = |done: u64| {
            if let Some(p) = control.progress {
                p((offset + done) / chunks);
            }
        };
        let control = Control {
            progress: Some(&progress),
            ..control
        };
        match run_chunk(spec, base, chunk, control)? {
            Some(found) if !found.interrupted => match &mut all {
                None => all = Some(found),
                Some(all) => {
                    for (f, more) in all.figures.iter_mut().zip(found.figures) {
                        f.rows.extend(more.rows);
                        rank(&mut f.rows);
                    }
                }
            },
            _ => {
                let rest = &inputs[k * per_chunk..];
                skipped.extend(rest.iter().map(|i| format!("{} (not run: stopped)", i.key)));
                if let Some(all) = &mut all {
                    all.interrupted = true;
                }
                break;
            }
        }
    }
    Ok(all)
}

/// Whether figure `path` is a figure of the timeline (read from the days of
/// coverage).
fn is_timeline(path: &str) -> bool {
    path.split('.').next() == Some("timeline")
}

/// Whether figure `path` is a probability outside the timeline (`p_…`): such
/// figures come from counts, so a tally of counts only gives them exactly.
fn is_probability(path: &str) -> bool {
    !is_timeline(path) && path.rsplit('.').next().is_some_and(|l| l.starts_with("p_"))
}

/// The histograms that `figures` are read from: a probability outside the
/// timeline needs none, a figure of `totals.C` that capability's, one of the
/// timeline the days of coverage; any other figure every histogram.
fn keep(model: &Model, figures: &[String]) -> Keep {
    let mut totals = vec![false; model.capabilities.len()];
    let mut days = false;
    for f in figures {
        let mut parts = f.split('.');
        match (parts.next(), parts.next().and_then(|c| model.capability(c))) {
            _ if is_timeline(f) => days = true,
            (Some("totals"), Some(c)) => totals[c] = true,
            _ if is_probability(f) => {}
            _ => return Keep::All,
        }
    }
    Keep::Some { totals, days }
}

/// Each variant's report, as JSON, built in `pool`.
fn reports(
    models: &[Model],
    pass: &paired::Pass,
    seed: u64,
    pool: &rayon::ThreadPool,
) -> Vec<Value> {
    use rayon::prelude::*;
    pool.install(|| {
        models
            .par_iter()
            .zip(&pass.tallies)
            .map(|(m, t)| {
                let r = Report::measured(m, t, seed, pass.threads, pass.elapsed_s);
                serde_json::to_value(&r).unwrap_or(Value::Null)
            })
            .collect()
    })
}

/// The unpaired 95 % interval's half width of a difference of two figures.
/// Half the independent 95 % interval of a difference between the low and the
/// high setting, each over its own mounted trials (`n` without `[mission]`).
/// Whether the figure at `path` is a probability: a `p_…` or `p` member, a
/// threshold, or a timeline day's share of trials covered.
fn reads_as_probability(pairing: Pairing, path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or("");
    let last = last.split('[').next().unwrap_or("");
    pairing.is_probability()
        || last.starts_with("p_")
        || last == "p"
        || (path.starts_with("thresholds.") && threshold_value(path))
        || path.starts_with("timeline.domains.")
        || path.starts_with("timeline.force[")
}

/// The 95 % interval of `effect`, the figure at `path` at the high setting
/// less at the low one, were the two runs independent samples: Newcombe's for a
/// probability (from the Wilson intervals of each), Welch's for a mean total
/// (from each run's standard deviation, over at least two trials each).
fn unpaired_ci(
    pairing: Pairing,
    (low, high): (&Value, &Value),
    path: &str,
    n: u64,
    effect: f64,
) -> Option<[f64; 2]> {
    let count = |r: &Value| match pairing.over_every_trial() {
        true => n,
        false => lookup(r, "mounted_trials").map_or(n, |m| m as u64),
    };
    let (na, nb) = (count(low), count(high));
    if !effect.is_finite() {
        // A setting with no trial behind the figure: no effect, no interval.
        return None;
    }
    let ci = match pairing {
        _ if reads_as_probability(pairing, path) => {
            let (a, b) = (lookup(low, path)?, lookup(high, path)?);
            let k = |p: f64, n: u64| (p * n as f64).round() as u64;
            let ci = |p: f64, n: u64| wilson(k(p, n), n);
            newcombe(a, ci(a, na), b, ci(b, nb))
        }
        Pairing::Total(_) | Pairing::Committed(_) if na >= 2 && nb >= 2 => {
            let sd = path.strip_suffix(".mean")?.to_string() + ".sd";
            let (a, b) = (lookup(low, &sd)?, lookup(high, &sd)?);
            if a == 0.0 && b == 0.0 {
                // Every trial of each gave one value: no spread to go on.
                return None;
            }
            let half = crate::quantile::welch_half95((a, na), (b, nb));
            [effect - half, effect + half]
        }
        _ => return None,
    };
    ci.iter().all(|x| x.is_finite()).then_some(ci)
}

fn figure_rows(
    base: &Model,
    path: &str,
    inputs: &[Input],
    reports: &[Value],
    pairs: &[PairSums],
    n: u64,
) -> FigureRows {
    let pairing = Pairing::of(base, path);
    let at = |k: usize| {
        reports
            .get(k)
            .and_then(|r| lookup(r, path))
            .unwrap_or(f64::NAN)
    };
    let mut rows: Vec<Row> = inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let (lo, hi) = (1 + 2 * i, 2 + 2 * i);
            let (at_low, at_high) = (at(lo), at(hi));
            let effect = at_high - at_low;
            let unpaired = unpaired_ci(pairing, (&reports[lo], &reports[hi]), path, n, effect);
            // Where pairing applies but gives no interval (differences that do
            // not vary): the independent one.
            let paired = pairs.get(i).and_then(|s| pairing.ci95(s, effect));
            let paired = paired.or(unpaired.filter(|_| pairing != Pairing::None));
            Row {
                input: input.key.clone(),
                kind: input.kind,
                low: input.low.clone(),
                high: input.high.clone(),
                at_low,
                at_high,
                effect,
                ci95: paired,
                ci95_unpaired: unpaired,
            }
        })
        .collect();
    rank(&mut rows);
    FigureRows {
        figure: path.to_string(),
        base: at(0),
        probability: reads_as_probability(pairing, path),
        rows,
    }
}

/// `rows` by |effect|, largest first (no effect last; ties by key).
fn rank(rows: &mut [Row]) {
    rows.sort_by(|a, b| {
        let (x, y) = (a.effect.abs(), b.effect.abs());
        y.partial_cmp(&x)
            .unwrap_or_else(|| x.is_nan().cmp(&y.is_nan()))
            .then_with(|| a.input.cmp(&b.input))
    });
}

fn value(x: f64, probability: bool) -> String {
    if !x.is_finite() {
        "–".into()
    } else if probability {
        crate::present::pct(x)
    } else {
        crate::present::amount(x).replace('-', "−")
    }
}

fn effect(x: f64, probability: bool) -> String {
    if !x.is_finite() {
        "–".into()
    } else if probability {
        crate::present::pp(x).replace('-', "−")
    } else {
        crate::present::signed_amount(x).replace('-', "−")
    }
}

impl Sensitivity {
    /// The table printed on the terminal.
    pub fn to_table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Sensitivity: {} ({} per setting, seed {}, requirements × (1 ∓ {}))",
            escape(&self.scenario.name),
            super::trials_done(self.trials, self.trials_asked.unwrap_or(self.trials)),
            self.seed,
            crate::math::brief(self.range)
        );
        for f in &self.figures {
            let p = f.probability;
            let _ = writeln!(
                s,
                "\n{}: {} as written",
                escape(&f.figure),
                value(f.base, p)
            );
            let label =
                |r: &Row| escape(&format!("{} ({} / {})", r.input, r.low, r.high)).into_owned();
            let w = f
                .rows
                .iter()
                .map(|r| label(r).chars().count())
                .max()
                .unwrap_or(0)
                .max(18);
            let _ = writeln!(
                s,
                "{:>4}  {:<w$} {:>8} {:>8} {:>10}   paired 95 % interval",
                "rank", "input (low / high)", "at low", "at high", "effect"
            );
            for (k, r) in f.rows.iter().enumerate() {
                let input = label(r);
                let ci = r.ci95.map_or("–".to_string(), |c| {
                    format!("[{}, {}]", effect(c[0], p), effect(c[1], p))
                });
                let _ = writeln!(
                    s,
                    "{:>4}  {:<w$} {:>8} {:>8} {:>10}   {ci}",
                    k + 1,
                    input,
                    value(r.at_low, p),
                    value(r.at_high, p),
                    effect(r.effect, p)
                );
            }
        }
        if !self.skipped.is_empty() {
            let _ = writeln!(
                s,
                "\nNot varied (a requirement or pool drawn from a form that is not scaled): {}",
                escape(&self.skipped.join(", "))
            );
        }
        s.push_str("\nEach row: the figure with that one input at its low and its high setting, everything else as written, on the same trials. Reproduce a row with `forcesim run --set KEY=VALUE` and the same -n and --seed.\n");
        s
    }
    /// The tidy CSV ([`crate::report::csv`]) without the scenario's SHA-256.
    pub fn to_csv(&self) -> String {
        self.to_csv_with("", false)
    }

    /// The tidy CSV ([`crate::report::csv`]): the analysis's own rows (seed,
    /// trials, range, interruption, overrides; `variant` empty) and each
    /// figure as written; then per figure and input, in rank order, the figure at
    /// the low setting (`variant`: `INPUT=LOW`) and at the high one
    /// (`INPUT=HIGH`), and the effect (`variant`: `INPUT=HIGH minus INPUT=LOW`)
    /// with its paired interval, then again with the interval the settings would
    /// have as independent samples (`qualifier`: `unpaired`). Each input's kind,
    /// and its rank for each figure, are rows of scope `input`.
    pub fn to_csv_with(&self, sha256: &str, interrupted: bool) -> String {
        let mut w = Tidy::new();
        let mut origin = Origin {
            scenario: self.scenario.name.clone(),
            sha256: sha256.to_string(),
            variant: String::new(),
        };
        w.origin(&origin);
        w.count(["run", "", "", "seed", ""], self.seed);
        w.count(["run", "", "", "trials", ""], self.trials);
        w.figure(["run", "", "", "range", ""], self.range, None);
        w.count(["run", "", "", "interrupted", ""], u64::from(interrupted));
        super::tidy_overrides(&mut w, &self.scenario.overrides);
        for f in &self.figures {
            w.figure(
                key(&super::tidy::source_key(&f.figure, &self.scenario)),
                f.base,
                None,
            );
        }
        // Each input's kind once (every figure ranks the same inputs).
        let mut seen = std::collections::BTreeSet::new();
        for r in self.figures.iter().flat_map(|f| &f.rows) {
            if seen.insert(&r.input) {
                w.text(["input", &r.input, "", "kind", ""], r.kind.as_str());
            }
        }
        for f in &self.figures {
            let k = super::tidy::source_key(&f.figure, &self.scenario);
            for (rank, r) in f.rows.iter().enumerate() {
                tidy_row(&mut w, &mut origin, &k, &f.figure, rank + 1, r);
            }
        }
        w.finish()
    }
}

/// A tidy key as the writer takes it.
fn key(k: &[String; 5]) -> [&str; 5] {
    [&k[0], &k[1], &k[2], &k[3], &k[4]]
}

/// One input's rows for one figure (see [`Sensitivity::to_csv_with`]).
fn tidy_row(
    w: &mut Tidy,
    origin: &mut Origin,
    k: &[String; 5],
    figure: &str,
    rank: usize,
    r: &Row,
) {
    let (low, high) = (
        format!("{}={}", r.input, r.low),
        format!("{}={}", r.input, r.high),
    );
    origin.variant = String::new();
    w.origin(origin);
    w.count(["input", &r.input, "", "rank", figure], rank as u64);
    for (variant, v) in [(&low, r.at_low), (&high, r.at_high)] {
        origin.variant = variant.clone();
        w.origin(origin);
        w.figure(key(k), v, None);
    }
    origin.variant = format!("{high} minus {low}");
    w.origin(origin);
    w.figure(key(k), r.effect, r.ci95);
    // The qualifier keeps the figure's own (a threshold's x, a day, an entry).
    let unpaired = match k[4].as_str() {
        "" => "unpaired".to_string(),
        q => format!("{q} unpaired"),
    };
    w.figure(
        [&k[0], &k[1], &k[2], &k[3], &unpaired],
        r.effect,
        r.ci95_unpaired,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Plan, Scratch, block_count, block_len, run_block};

    #[test]
    fn figures_name_array_elements_and_thresholds() {
        let r = serde_json::json!({
            "p_all_covered": 0.5,
            "timeline": {"days": [30, 90], "p_all_covered": [0.1, null], "domains": {"land": [0.2, 0.7]}},
            "thresholds": {"troops": [{"at_least": 15000, "p": 0.6}, {"at_least": 20000.5, "p": 0.25}]}
        });
        assert_eq!(lookup(&r, "timeline.p_all_covered[0]"), Some(0.1));
        assert!(lookup(&r, "timeline.p_all_covered[1]").is_some_and(f64::is_nan));
        assert_eq!(lookup(&r, "timeline.domains.land[1]"), Some(0.7));
        assert_eq!(lookup(&r, "thresholds.troops[1].p"), Some(0.25));
        assert_eq!(lookup(&r, "thresholds.troops.15000"), Some(0.6));
        assert_eq!(
            lookup(&r, "thresholds.troops.20000.5"),
            None,
            "a dotted value is no key"
        );
        for bad in [
            "timeline.p_all_covered[2]",
            "timeline.p_all_covered[x]",
            "timeline.p_all_covered[0",
            "timeline.p_all_covered[0]x",
            "thresholds.troops.16000",
            "thresholds.troops",
            "p_all_covered[0]",
        ] {
            assert_eq!(lookup(&r, bad), None, "{bad}");
        }
        assert!(reads_as_probability(
            Pairing::None,
            "thresholds.troops.15000"
        ));
        assert!(reads_as_probability(
            Pairing::None,
            "thresholds.troops[0].p"
        ));
        assert!(!reads_as_probability(
            Pairing::None,
            "thresholds.troops[0].at_least"
        ));
        assert!(reads_as_probability(
            Pairing::None,
            "timeline.domains.land[1]"
        ));
        assert!(!reads_as_probability(
            Pairing::None,
            "timeline.days_to_coverage.all.p50"
        ));
    }

    #[test]
    fn a_scaled_count_is_a_whole_count_that_moves() {
        // × 0.8 and × 1.2 as the engine counts them.
        assert_eq!(scaled_count(16_000.0, 0.8), 12_800);
        assert_eq!(scaled_count(16_000.0, 1.2), 19_200);
        assert_eq!(scaled_count(14.0, 0.8), 11); // 11.2
        assert_eq!(scaled_count(14.0, 1.2), 17); // 16.8
        // 2 × 0.8 = 1.6 and 2 × 1.2 = 2.4 would count 2 and 2: one unit apart instead.
        assert_eq!(scaled_count(2.0, 0.8), 1);
        assert_eq!(scaled_count(2.0, 1.2), 3);
        // A written 2.4 counts 2; × 1.2 = 2.88 counts 3.
        assert_eq!(scaled_count(2.4, 1.2), 3);
        assert_eq!(scaled_count(1.0, 0.9), 0);
        assert_eq!(scaled_count(0.0, 0.8), 0);
        assert_eq!(scaled_count(0.0, 1.2), 0);
        // Every count and range: whole, on the side of `k`, and never the count itself.
        for v in 1..300u64 {
            for r in [0.01, 0.2, 0.5, 0.99] {
                let (lo, hi) = (
                    scaled_count(v as f64, 1.0 - r),
                    scaled_count(v as f64, 1.0 + r),
                );
                assert!(lo < v && hi > v, "{v} × (1 ∓ {r}): {lo} / {hi}");
                assert!(lo.abs_diff(to_count(v as f64 * (1.0 - r))) <= 1, "{v}, {r}");
                assert!(hi.abs_diff(to_count(v as f64 * (1.0 + r))) <= 1, "{v}, {r}");
            }
        }
    }

    /// Every leaf of a report as (dotted path, number).
    fn leaves(v: &Value, path: &str, out: &mut Vec<(String, Value)>) {
        let join = |k: &str| {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            }
        };
        match v {
            Value::Object(m) => m.iter().for_each(|(k, x)| leaves(x, &join(k), out)),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| leaves(x, &join(&i.to_string()), out)),
            _ => out.push((path.to_string(), v.clone())),
        }
    }

    fn report(model: &Model, tally: &Tally) -> Vec<(String, Value)> {
        let r = Report::build(model, tally, 3, Engine::measured(1, 0.0, 0));
        let mut out = Vec::new();
        leaves(&serde_json::to_value(&r).unwrap(), "", &mut out);
        out
    }

    /// A tally that keeps only the histograms [`keep`] names for some figures
    /// gives every figure of their kind exactly as a full tally does, in
    /// scenarios with every kind of figure, and leaves the others empty.
    #[test]
    fn figures_need_only_the_histograms_kept() {
        type Same = fn(&str) -> bool;
        let kinds: [(&str, Same); 3] = [
            ("p_all_covered", |_| false),
            ("totals.troops.mean", |p| p.starts_with("totals.troops.")),
            ("timeline.days_to_all_covered.p90", |p| {
                p.starts_with("timeline.")
            }),
        ];
        for path in ["scenarios/paris-2026.toml", "scenarios/tutorial.toml"] {
            let model = scenario::load(Path::new(path), &[]).unwrap();
            let trials = 6000;
            let full = crate::engine::run_serial(&model, 3, trials, 0..block_count(trials));
            let a = report(&model, &full);
            for (fig, same) in kinds {
                let keep = keep(&model, &[fig.to_string()]);
                assert!(keep != Keep::All, "{fig}");
                let plan = Plan::new(&model);
                let mut lean = Tally::keeping(&model, 1 << 12, &keep);
                let mut s = Scratch::new(&plan);
                for b in 0..block_count(trials) {
                    run_block(&plan, 3, b, block_len(trials, b), &mut s, &mut lean);
                }
                let b = report(&model, &lean);
                let lean_at: std::collections::BTreeMap<_, _> = b.iter().cloned().collect();
                let mut checked = 0;
                for (pa, va) in a.iter().filter(|(p, _)| is_probability(p) || same(p)) {
                    assert_eq!(Some(va), lean_at.get(pa), "{path}, {fig}: {pa}");
                    checked += 1;
                }
                assert!(checked > 10, "{path}, {fig}: {checked}");
                assert!(a != b, "{path}, {fig}: the lean tally kept every histogram");
            }
        }
        let model = scenario::load(Path::new("scenarios/tutorial.toml"), &[]).unwrap();
        let other = "domains.land.capabilities.troops.provided.mean".to_string();
        assert_eq!(keep(&model, &["p_all_covered".into(), other]), Keep::All);
        assert!(is_probability("domains.land.p_covered"));
        assert!(!is_probability("timeline.domains.land.p_covered"));
        assert!(!is_probability("totals.troops.mean"));
    }
}

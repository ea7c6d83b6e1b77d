//! The report (`"format": "forcesim-report/2"`): every figure of a run, computed
//! once from the merged tally, and its writers (JSON, CSV, terminal table).
//!
//! With a `[mission]`, a trial is *mounted* when every condition it requires
//! holds. `trials`, `mounted_trials`, `p_mounted`, `p_all_covered_overall` and the
//! conditions' `p_true` are over every trial; every other figure is over the
//! mounted trials, and is not a number (`null` in JSON) when none was mounted.
//!
//! The serialized shape is a contract (docs/design.md). Maps keep scenario order.
//! Every field except `engine` is a pure function of (scenario, overrides, seed,
//! trials), so two runs that differ only in thread count or shard split write
//! byte-identical reports once `engine` is removed.

pub mod csv;
pub mod schema;
pub mod table;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::math::wilson;
use crate::model::Model;
use crate::stats::{Hist, Stats, Tally};

/// The report format tag.
pub const FORMAT: &str = "forcesim-report/2";

/// Where the figures came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    /// Scenario name.
    pub name: String,
    /// Path of the scenario file as given.
    pub path: String,
    /// Scenario description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// A capability's name and unit, so that readers of the report can label figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapabilityInfo {
    /// Display name.
    pub name: String,
    /// Unit.
    pub unit: String,
}

/// A coarse histogram for charts: `counts[i]` trials fell in `[start + i·width, start + (i+1)·width)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Lower edge of the first bin.
    pub start: f64,
    /// Bin width.
    pub width: f64,
    /// Trials per bin.
    pub counts: Vec<u64>,
}

/// Statistics of a capability's total across all domains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Total {
    /// mean, sd, min, p05, p25, p50, p75, p95, max.
    #[serde(flatten)]
    pub stats: Stats,
    /// The force that must be committed to sustain the deployed total: Σ over
    /// participating nations of deployed × the nation's rotation (always written
    /// by this version; absent from reports of earlier ones without rotation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed: Option<Stats>,
    /// Distribution of the total, for charts.
    pub histogram: Histogram,
}

/// P(total ≥ x).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// x.
    pub at_least: u64,
    /// P(total ≥ x).
    pub p: f64,
}

/// One capability of one domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapabilityFigures {
    /// The requirement (its mean when it is a distribution; 0 when none).
    pub required: f64,
    /// When the requirement is a distribution: its 5th and 95th percentiles over
    /// the trials (null when it is fixed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_p05_p95: Option<[f64; 2]>,
    /// P(provided ≥ required).
    pub p_met: f64,
    /// What the participating nations provide.
    pub provided: Stats,
    /// max(0, required − provided).
    pub gap: Stats,
}

/// One domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainFigures {
    /// Display name.
    pub name: String,
    /// P(it has a lead, or needs none, and every requirement is met).
    pub p_covered: f64,
    /// Wilson 95 % interval of `p_covered`.
    pub p_covered_ci95: [f64; 2],
    /// P(it has a lead list and no entry leads): `p_lead_short + p_no_lead_candidate`.
    pub p_leaderless: f64,
    /// P(entries of its lead list take part but none provides its `lead_provides`
    /// shares).
    #[serde(default)]
    pub p_lead_short: f64,
    /// P(no entry of its lead list takes part).
    #[serde(default)]
    pub p_no_lead_candidate: f64,
    /// Per entry of the lead list (a nation, or co-leads joined with `+`):
    /// P(that entry leads).
    pub lead_share: IndexMap<String, f64>,
    /// Per required or contributed capability.
    pub capabilities: IndexMap<String, CapabilityFigures>,
}

/// The whole force: `[force] requirements` on totals over every domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForceFigures {
    /// P(every force requirement is met).
    pub p_covered: f64,
    /// Wilson 95 % interval of `p_covered`.
    pub p_covered_ci95: [f64; 2],
    /// Per capability required: the requirement, P(met), the total provided
    /// over every domain and the gap.
    pub capabilities: IndexMap<String, CapabilityFigures>,
}

/// One nation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NationFigures {
    /// Display name.
    pub name: String,
    /// P(it takes part), after approvals, caps and correlation.
    pub p_participates: f64,
    /// P(all covered | it takes part) − P(all covered | it does not); null when it
    /// always or never takes part.
    pub swing: Option<f64>,
    /// Newcombe's 95 % interval of `swing` (the two groups of trials are
    /// disjoint); absent where `swing` is null.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swing_ci95: Option<[f64; 2]>,
    /// Expected contribution per capability over all trials (0 in trials where it is absent).
    pub mean_provided: IndexMap<String, f64>,
    /// The same, per domain.
    pub mean_provided_by_domain: IndexMap<String, IndexMap<String, f64>>,
    /// Units held per unit deployed (its own `rotation`, else the scenario's, else 1).
    #[serde(default = "one")]
    pub rotation: u64,
    /// `ambition` ρ: the correlation of its contribution draws.
    #[serde(default)]
    pub ambition: f64,
    /// Per capability with a `pool`: what the pool did (absent without pools).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub pools: IndexMap<String, PoolFigures>,
}

fn one() -> u64 {
    1
}

/// What a nation's pool of one capability did, over the mounted trials in which
/// the nation took part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolFigures {
    /// The pool: the number when fixed, else the mean of its draws over the
    /// trials in which the nation took part.
    pub pool: f64,
    /// P(the pool cut its contributions | it takes part).
    pub p_binds: f64,
    /// The cut (deployed before − after) over the trials in which the pool
    /// bound; null when it never bound.
    pub cut: Option<Stats>,
}

/// A condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConditionFigures {
    /// P(it holds), as drawn.
    pub p_true: f64,
}

/// Coverage by day, from each nation's `ready_days`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// The days.
    pub days: Vec<u64>,
    /// P(all covered by day d): every domain, and the force with `[force]`.
    pub p_all_covered: Vec<f64>,
    /// Per domain: P(covered by day d).
    pub domains: IndexMap<String, Vec<f64>>,
    /// With `[force]`: P(force requirements met by day d).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<Vec<f64>>,
    /// Days until everything is covered at once, over every whole day.
    #[serde(default)]
    pub days_to_all_covered: DaysToCoverage,
    /// Per domain: days until it is covered, over every whole day.
    #[serde(default)]
    pub days_to_coverage: IndexMap<String, DaysToCoverage>,
    /// With `[force]`: days until the force requirements are met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_to_force: Option<DaysToCoverage>,
}

/// The distribution of the whole day by which something is covered (a nation's
/// forces count from its `ready_days`, rounded up to a whole day).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DaysToCoverage {
    /// The day by which half of the trials have it covered; null when it is never
    /// covered in half of the trials or more.
    pub median: Option<u64>,
    /// The day by which 90 % of the trials have it covered; null when it is never
    /// covered in 10 % of the trials or more.
    pub p90: Option<u64>,
    /// P(never covered, whatever the day).
    pub p_never: f64,
    /// P(covered by day d) as `[day, p]` from each day at which it rises (it is 0
    /// before the first day and stays at the last value after the last).
    pub steps: Vec<(u64, f64)>,
    /// Present where days are read from bins of more than one day (grouped to
    /// bound memory): the most any day above can differ from the exact one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<f64>,
}

impl DaysToCoverage {
    /// From the histogram of coverage days over `n` trials (trials not counted:
    /// never covered).
    pub fn of(h: &crate::stats::Hist, n: u64) -> DaysToCoverage {
        let mut steps = Vec::new();
        let mut seen = 0u64;
        for (b, c) in h.bins() {
            seen += c;
            steps.push((h.value_of(b).round() as u64, ratio(seen, n)));
        }
        // The type-1 quantile over every trial, "never" counting as later than any day.
        let quantile = |num: u64, den: u64| {
            let rank = (u128::from(num) * u128::from(n))
                .div_ceil(u128::from(den))
                .max(1);
            let mut seen = 0u128;
            h.bins().find_map(|(b, c)| {
                seen += u128::from(c);
                (seen >= rank).then(|| h.value_of(b).round() as u64)
            })
        };
        let error = h.max_error();
        DaysToCoverage {
            median: if n == 0 { None } else { quantile(1, 2) },
            p90: if n == 0 { None } else { quantile(9, 10) },
            p_never: ratio(n - h.n.min(n), n),
            steps,
            within: Some(error + 0.5).filter(|_| error > 0.0),
        }
    }

    /// P(covered by day `day`).
    pub fn p_by(&self, day: u64) -> f64 {
        self.steps
            .iter()
            .take_while(|(d, _)| *d <= day)
            .last()
            .map_or(0.0, |s| s.1)
    }
}

/// How the run went (the only part that may differ between identical runs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Engine {
    /// forcesim version.
    pub version: String,
    /// Worker threads.
    pub threads: usize,
    /// Wall-clock seconds spent in trials.
    pub elapsed_s: f64,
    /// Trials per second.
    pub trials_per_s: f64,
}

/// What a run with `--precision` achieved (computed by
/// `whatif::precision::simulate`), recorded in the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Precision {
    /// ε: the largest acceptable half-width of the 95 % interval.
    pub target: f64,
    /// The figure targeted (`p_all_covered` or `domains.ID.p_covered`).
    pub on: String,
    /// The half-width reached.
    pub half_width: f64,
    /// Whether `half_width ≤ target`: false when the trial cap was reached, or
    /// the run interrupted, first. A run whose precision is not met should say
    /// so by its exit status.
    pub met: bool,
    /// Trials used.
    pub trials: u64,
    /// The trial cap.
    pub max_trials: u64,
}

/// Every figure of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// `forcesim-report/2`.
    pub format: String,
    /// The scenario.
    pub scenario: ScenarioInfo,
    /// `--set` overrides applied, as given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    /// Trials run.
    pub trials: u64,
    /// Trials in which the mission was mounted (all of them without `[mission]`).
    #[serde(default)]
    pub mounted_trials: u64,
    /// Seed.
    pub seed: u64,
    /// Set when the run was stopped early: the figures cover the first `trials` trials.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// The conditions `[mission] requires` (empty without `[mission]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mission: Vec<String>,
    /// P(the mission is mounted), over every trial.
    #[serde(default)]
    pub p_mounted: f64,
    /// Wilson 95 % interval of `p_mounted`.
    #[serde(default)]
    pub p_mounted_ci95: [f64; 2],
    /// P(every domain and the force covered), over the mounted trials.
    pub p_all_covered: f64,
    /// Wilson 95 % interval of `p_all_covered`.
    pub p_all_covered_ci95: [f64; 2],
    /// P(mounted and all covered), over every trial.
    #[serde(default)]
    pub p_all_covered_overall: f64,
    /// Wilson 95 % interval of `p_all_covered_overall`.
    #[serde(default)]
    pub p_all_covered_overall_ci95: [f64; 2],
    /// Capabilities' names and units.
    pub capabilities: IndexMap<String, CapabilityInfo>,
    /// Per capability: its total across domains.
    pub totals: IndexMap<String, Total>,
    /// Per capability with `[report] thresholds`: P(total ≥ x).
    pub thresholds: IndexMap<String, Vec<Threshold>>,
    /// Per domain.
    pub domains: IndexMap<String, DomainFigures>,
    /// With `[force]`: the whole force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<ForceFigures>,
    /// Per nation.
    pub nations: IndexMap<String, NationFigures>,
    /// Per condition.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub conditions: IndexMap<String, ConditionFigures>,
    /// With `timeline_days`: coverage by day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
    /// With `--precision`: the precision targeted and reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<Precision>,
    /// How the run went.
    pub engine: Engine,
}

/// k / n; not a number (`null` in JSON) when no trial finished.
/// The name of the headline figure: what "all covered" takes in (the force
/// with `[force]`) and, with a `[mission]`, that it is over the mounted trials.
pub fn all_covered_label(force: bool, gated: bool) -> &'static str {
    match (force, gated) {
        (false, false) => "P(all domains covered)",
        (true, false) => "P(all domains and the force covered)",
        (false, true) => "P(all domains covered | mounted)",
        (true, true) => "P(all domains and the force covered | mounted)",
    }
}

fn ratio(k: u64, n: u64) -> f64 {
    if n == 0 {
        f64::NAN
    } else {
        k as f64 / n as f64
    }
}

/// The Wilson 95 % interval of k / n; not numbers when no trial finished.
fn interval(k: u64, n: u64) -> [f64; 2] {
    if n == 0 { [f64::NAN; 2] } else { wilson(k, n) }
}

/// sum / n, correctly rounded: exact integer sums stay exact past 2^53 (a float
/// sum would be rounded before the division, and again after). Not a number
/// when no trial finished.
pub(crate) fn mean_of(sum: u128, n: u64) -> f64 {
    if n == 0 {
        return f64::NAN;
    }
    if sum < 1 << 53 {
        // Both operands are exact floats: one correctly rounded division.
        return sum as f64 / n as f64;
    }
    // Scale so that the integer quotient has at least 55 significant bits, then
    // fold the remainder into a sticky bit: the quotient with one more bit,
    // odd when anything remained, rounds (to nearest, ties to even) exactly as
    // the true quotient does. sum < 2^128 and n < 2^64, so the quotient is at
    // least 2^64 without scaling, or the scaled sum stays below 2^120.
    let n = u128::from(n);
    let mut k = 0;
    while (sum << k) / n < 1 << 54 {
        k += 1;
    }
    let (q, r) = ((sum << k) / n, (sum << k) % n);
    let q2 = (q << 1) | u128::from(r != 0);
    q2 as f64 / 2f64.powi(k + 1)
}

/// Every figure not a number: the statistics of no value.
pub(crate) const NO_STATS: Stats = Stats {
    mean: f64::NAN,
    sd: f64::NAN,
    min: f64::NAN,
    p05: f64::NAN,
    p25: f64::NAN,
    p50: f64::NAN,
    p75: f64::NAN,
    p95: f64::NAN,
    max: f64::NAN,
    within: None,
};

/// Statistics of a histogram, with the mean from the exact integer sum;
/// every figure not a number when it holds no value.
fn stats_of(h: &Hist) -> Stats {
    if h.n == 0 {
        return NO_STATS;
    }
    Stats {
        mean: mean_of(h.sum, h.n),
        ..Stats::of(h)
    }
}

/// A 1-2-5 step at least `x`.
fn nice_step(x: f64) -> f64 {
    if x <= 1.0 {
        return 1.0;
    }
    let mag = 10f64.powf(x.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * mag >= x {
            return m * mag;
        }
    }
    10.0 * mag
}

/// About `target` bins of a round width spanning the histogram's range.
pub fn coarse(h: &Hist, target: usize) -> Histogram {
    if h.n == 0 {
        return Histogram {
            start: 0.0,
            width: 1.0,
            counts: vec![],
        };
    }
    let span = (h.max - h.min + 1) as f64;
    let width = nice_step(span / target as f64);
    let start = (h.min as f64 / width).floor() * width;
    let bins = (((h.max as f64 - start) / width).floor() as usize) + 1;
    let mut counts = vec![0u64; bins];
    for (b, c) in h.bins() {
        let v = h.value_of(b);
        let i = (((v - start) / width).floor() as usize).min(bins - 1);
        counts[i] += c;
    }
    Histogram {
        start,
        width,
        counts,
    }
}

impl Engine {
    /// How a run went: `trials` trials on `threads` threads in `elapsed_s` seconds.
    pub fn measured(threads: usize, elapsed_s: f64, trials: u64) -> Engine {
        Engine {
            version: env!("CARGO_PKG_VERSION").to_string(),
            threads,
            elapsed_s,
            trials_per_s: if elapsed_s > 0.0 {
                trials as f64 / elapsed_s
            } else {
                0.0
            },
        }
    }
}

fn totals(model: &Model, tally: &Tally) -> IndexMap<String, Total> {
    let mut totals = IndexMap::new();
    for (c, cap) in model.capabilities.iter().enumerate() {
        let h = &tally.totals[c];
        let stats = stats_of(h);
        totals.insert(
            cap.id.clone(),
            Total {
                stats,
                committed: tally.committed.get(c).map(stats_of),
                histogram: coarse(h, 60),
            },
        );
    }
    totals
}

fn thresholds(model: &Model, tally: &Tally) -> IndexMap<String, Vec<Threshold>> {
    let n = tally.mounted;
    let mut thresholds = IndexMap::new();
    let mut slot = 0;
    for (c, xs) in model.thresholds.iter().enumerate() {
        if xs.is_empty() {
            continue;
        }
        let list = xs
            .iter()
            .map(|&x| {
                let p = ratio(tally.above[slot], n);
                slot += 1;
                Threshold { at_least: x, p }
            })
            .collect();
        thresholds.insert(model.capabilities[c].id.clone(), list);
    }
    thresholds
}

/// A requirement's figures: `fixed` when it is fixed, else the sum of its
/// draws and their histogram; its gap histogram when random; what is provided.
struct Need<'a> {
    fixed: Option<u64>,
    sum: u128,
    met: u64,
    gaps: Option<&'a Hist>,
    drawn: Option<&'a Hist>,
    provided: &'a Hist,
}

/// The gap to a fixed requirement `req`, from the histogram of what was
/// provided. Each value is read from its bin's representative (rounded), so
/// where a bin holds more than one value every figure carries that bin's error.
fn gap_of_fixed(provided: &Hist, req: u64) -> Stats {
    let mut s = stats_of(&provided.map(0, |v| req.saturating_sub(v)));
    let e = provided.max_error();
    if e > 0.0 && provided.n > 0 {
        s.within = Some(s.within.unwrap_or(0.0).max(e + 0.5));
    }
    s
}

/// The figures of one requirement over `n` mounted trials: required (the written
/// number, or the mean of the draws), P(met), provided and gap (from the gap
/// histogram when random, from the provided histogram when fixed).
fn need_figures(need: &Need<'_>, n: u64) -> CapabilityFigures {
    let gap = match (need.gaps, need.fixed) {
        (Some(g), _) => stats_of(g),
        (None, Some(req)) => gap_of_fixed(need.provided, req),
        (None, None) if n == 0 => NO_STATS,
        (None, None) => Stats::default(),
    };
    CapabilityFigures {
        required: match need.fixed {
            Some(v) => v as f64,
            None => mean_of(need.sum, n),
        },
        required_p05_p95: need
            .drawn
            .filter(|h| h.n > 0)
            .map(|h| h.quantiles([(5, 100), (95, 100)])),
        p_met: ratio(need.met, n),
        provided: stats_of(need.provided),
        gap,
    }
}

/// The figures of tracked (domain, capability) pair `t`.
fn capability_figures(model: &Model, tally: &Tally, t: usize) -> CapabilityFigures {
    let n = tally.mounted;
    let provided = &tally.provided[t];
    match model.requirement(t) {
        Some(r) => need_figures(
            &Need {
                fixed: r.constant(),
                sum: tally.required_sum[t],
                met: tally.met[t],
                gaps: tally.gaps[t].as_ref(),
                drawn: tally.required[t].as_ref(),
                provided,
            },
            n,
        ),
        None => {
            let (p_met, gap) = if n == 0 {
                (f64::NAN, NO_STATS)
            } else {
                (1.0, Stats::default())
            };
            CapabilityFigures {
                required: 0.0,
                required_p05_p95: None,
                p_met,
                provided: stats_of(provided),
                gap,
            }
        }
    }
}

/// The whole force, with `[force]`: each requirement against the capability's
/// total over every domain.
fn force(model: &Model, tally: &Tally) -> Option<ForceFigures> {
    let reqs = model.force.as_ref()?;
    let n = tally.mounted;
    let capabilities = reqs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let need = Need {
                fixed: r.constant(),
                sum: tally.force_required_sum[i],
                met: tally.force_met[i],
                gaps: tally.force_gaps[i].as_ref(),
                drawn: tally.force_required[i].as_ref(),
                provided: &tally.totals[r.capability],
            };
            let id = model.capabilities[r.capability].id.clone();
            (id, need_figures(&need, n))
        })
        .collect();
    Some(ForceFigures {
        p_covered: ratio(tally.force_covered, n),
        p_covered_ci95: interval(tally.force_covered, n),
        capabilities,
    })
}

fn domains(model: &Model, tally: &Tally) -> IndexMap<String, DomainFigures> {
    let n = tally.mounted;
    let mut domains = IndexMap::new();
    let mut lead_slot = 0;
    for (d, dom) in model.domains.iter().enumerate() {
        let mut lead_share = IndexMap::new();
        for l in &dom.leads {
            lead_share.insert(l.label.clone(), ratio(tally.leads[lead_slot], n));
            lead_slot += 1;
        }
        let capabilities = dom
            .tracked
            .clone()
            .map(|t| {
                let cap = &model.capabilities[model.tracked[t].capability];
                (cap.id.clone(), capability_figures(model, tally, t))
            })
            .collect();
        domains.insert(
            dom.id.clone(),
            DomainFigures {
                name: dom.name.clone(),
                p_covered: ratio(tally.covered[d], n),
                p_covered_ci95: interval(tally.covered[d], n),
                p_leaderless: ratio(tally.leaderless[d], n),
                p_lead_short: ratio(tally.lead_short[d], n),
                p_no_lead_candidate: ratio(
                    tally.leaderless[d].saturating_sub(tally.lead_short[d]),
                    n,
                ),
                lead_share,
                capabilities,
            },
        );
    }
    domains
}

fn nation_figures(model: &Model, tally: &Tally, i: usize) -> NationFigures {
    let n = tally.mounted;
    let nat = &model.nations[i];
    let inn = tally.nation_in[i];
    let out = n - inn;
    let in_all = tally.nation_in_all[i];
    let out_all = tally.all_covered - in_all;
    let swing = (inn > 0 && out > 0).then(|| ratio(in_all, inn) - ratio(out_all, out));
    let swing_ci95 = swing.map(|_| {
        let (p_in, p_out) = (ratio(in_all, inn), ratio(out_all, out));
        crate::math::newcombe(p_out, wilson(out_all, out), p_in, wilson(in_all, inn))
    });
    let mut by_cap: IndexMap<String, u128> = IndexMap::new();
    let mut by_domain: IndexMap<String, IndexMap<String, u128>> = IndexMap::new();
    for k in nat.contributions.clone() {
        let c = &model.contributions[k];
        let cap = model.capabilities[c.capability].id.clone();
        *by_cap.entry(cap.clone()).or_default() += tally.contributed[k];
        *by_domain
            .entry(model.domains[c.domain].id.clone())
            .or_default()
            .entry(cap)
            .or_default() += tally.contributed[k];
    }
    let means = |m: IndexMap<String, u128>| -> IndexMap<String, f64> {
        m.into_iter().map(|(k, v)| (k, mean_of(v, n))).collect()
    };
    NationFigures {
        name: nat.name.clone(),
        p_participates: ratio(inn, n),
        swing,
        swing_ci95,
        mean_provided: means(by_cap),
        mean_provided_by_domain: by_domain.into_iter().map(|(d, m)| (d, means(m))).collect(),
        rotation: nat.rotation,
        ambition: nat.ambition,
        pools: pool_figures(model, tally, i),
    }
}

/// Nation `i`'s pools: each over the mounted trials in which it took part.
fn pool_figures(model: &Model, tally: &Tally, i: usize) -> IndexMap<String, PoolFigures> {
    let nat = &model.nations[i];
    let inn = tally.nation_in[i];
    let base = model.pool_offset(i);
    nat.pools
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let slot = base + k;
            let binds = tally.pool_binds.get(slot).copied().unwrap_or(0);
            let cut = tally.pool_cut.get(slot).filter(|h| h.n > 0).map(stats_of);
            let figures = PoolFigures {
                pool: match p.fixed {
                    Some(v) => v as f64,
                    None => mean_of(tally.pool_drawn.get(slot).copied().unwrap_or(0), inn),
                },
                p_binds: ratio(binds, inn),
                cut,
            };
            (model.capabilities[p.capability].id.clone(), figures)
        })
        .collect()
}

fn timeline(model: &Model, tally: &Tally) -> Option<Timeline> {
    let n = tally.mounted;
    (!model.timeline_days.is_empty()).then(|| {
        let nd = model.domains.len();
        let has_force = model.force.is_some();
        // `coverage_day`: each domain, then the force (with `[force]`), then all.
        let days_of = |i: usize| {
            tally
                .coverage_day
                .get(i)
                .map(|h| DaysToCoverage::of(h, n))
                .unwrap_or_default()
        };
        Timeline {
            days: model.timeline_days.clone(),
            p_all_covered: tally.timeline_all.iter().map(|&k| ratio(k, n)).collect(),
            domains: model
                .domains
                .iter()
                .enumerate()
                .map(|(d, dom)| {
                    let by_day = (0..model.timeline_days.len())
                        .map(|k| ratio(tally.timeline_domain[k * nd + d], n))
                        .collect();
                    (dom.id.clone(), by_day)
                })
                .collect(),
            force: has_force.then(|| tally.timeline_force.iter().map(|&k| ratio(k, n)).collect()),
            days_to_all_covered: days_of(nd + usize::from(has_force)),
            days_to_coverage: model
                .domains
                .iter()
                .zip(&tally.coverage_day)
                .map(|(dom, h)| (dom.id.clone(), DaysToCoverage::of(h, n)))
                .collect(),
            days_to_force: has_force.then(|| days_of(nd)),
        }
    })
}

impl Report {
    /// Computes every figure from a merged tally. With no trial finished, every
    /// figure drawn from trials is not a number (`null` in JSON, an empty CSV
    /// value, and the table says that no trial finished); with trials but no
    /// mounted one, so is every figure over the mounted trials.
    pub fn build(model: &Model, tally: &Tally, seed: u64, engine: Engine) -> Report {
        let n = tally.trials;
        let m = tally.mounted;
        let nations = (0..model.nations.len())
            .map(|i| (model.nations[i].id.clone(), nation_figures(model, tally, i)))
            .collect();
        let conditions = model
            .conditions
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let p_true = ratio(tally.condition_true[i], n);
                (c.id.clone(), ConditionFigures { p_true })
            })
            .collect();
        let capabilities = model
            .capabilities
            .iter()
            .map(|c| {
                let info = CapabilityInfo {
                    name: c.name.clone(),
                    unit: c.unit.clone(),
                };
                (c.id.clone(), info)
            })
            .collect();
        Report {
            format: FORMAT.to_string(),
            scenario: ScenarioInfo {
                name: model.name.clone(),
                path: model.path.clone(),
                description: model.description.clone(),
            },
            overrides: model.overrides.clone(),
            trials: n,
            mounted_trials: m,
            seed,
            interrupted: false,
            mission: model
                .mission
                .iter()
                .map(|&c| model.conditions[c].id.clone())
                .collect(),
            p_mounted: ratio(m, n),
            p_mounted_ci95: interval(m, n),
            p_all_covered: ratio(tally.all_covered, m),
            p_all_covered_ci95: interval(tally.all_covered, m),
            p_all_covered_overall: ratio(tally.all_covered, n),
            p_all_covered_overall_ci95: interval(tally.all_covered, n),
            capabilities,
            totals: totals(model, tally),
            thresholds: thresholds(model, tally),
            domains: domains(model, tally),
            force: force(model, tally),
            nations,
            conditions,
            timeline: timeline(model, tally),
            precision: None,
            engine,
        }
    }

    /// [`Report::build`] with the engine's figures measured: `threads` threads
    /// took `elapsed_s` seconds for the tally's trials.
    pub fn measured(
        model: &Model,
        tally: &Tally,
        seed: u64,
        threads: usize,
        elapsed_s: f64,
    ) -> Report {
        let engine = Engine::measured(threads, elapsed_s, tally.trials);
        Report::build(model, tally, seed, engine)
    }

    /// Whether no trial finished (a run stopped before its first block): the
    /// report then holds no figure drawn from trials.
    pub fn is_empty(&self) -> bool {
        self.trials == 0
    }

    /// Whether trials ran but the mission was mounted in none: the report then
    /// holds no conditional figure (every figure but `p_mounted`,
    /// `p_all_covered_overall` and the conditions' `p_true`).
    pub fn none_mounted(&self) -> bool {
        self.trials > 0 && self.mounted_trials == 0
    }

    /// The report as pretty JSON, with a trailing newline.
    pub fn to_json(&self) -> String {
        crate::present::to_json(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_of_integer_sums_are_correctly_rounded_past_2_pow_53() {
        // (2^60 + 36) / 3, to the nearest float (checked with exact rationals).
        let sum: u128 = 1_152_921_504_606_847_012;
        assert_eq!(mean_of(sum, 3), 3.843071682022824e17);
        // Rounding the sum to a float first gives the neighbouring float.
        assert_ne!(sum as f64 / 3.0, 3.843071682022824e17);
        // Large sums of many trials.
        let big: u128 = u128::from(u64::MAX) * 1000 + 999;
        let exact = u64::MAX as f64 * 1000.0 / 1001.0;
        assert!((mean_of(big, 1001) / exact - 1.0).abs() < 1e-15);
        assert_eq!(mean_of(7, 2), 3.5);
        assert!(mean_of(7, 0).is_nan());
    }

    #[test]
    fn grouped_days_say_how_far_they_may_be() {
        // 4,000 trials, covered on days spread over a century; 300 held bins.
        let days: Vec<u64> = (0..4000u64).map(|i| i * 7_919 % 36_500).collect();
        let mut h = Hist::with_dense(0, 1024);
        h.set_cap(300);
        days.iter().for_each(|&d| h.add(d));
        let n = 5000; // 1,000 trials never covered
        let got = DaysToCoverage::of(&h, n);
        let within = got.within.expect("grouped days");
        let mut sorted = days.clone();
        sorted.sort_unstable();
        // The type-1 median over every trial: rank 2,500 among the covered.
        let exact = sorted[2499] as f64;
        let median = got.median.expect("reached") as f64;
        assert!(
            (median - exact).abs() <= within,
            "{median} vs {exact} ± {within}"
        );
        assert_eq!(got.p_never, 0.2);
        // Every step's day lies within the bound of a day seen.
        for &(d, _) in &got.steps {
            let near = sorted.iter().map(|&x| (x as f64 - d as f64).abs());
            assert!(near.fold(f64::INFINITY, f64::min) <= within);
        }
        // Ungrouped days say nothing.
        let mut exact_days = Hist::with_dense(0, 1024);
        days.iter().for_each(|&d| exact_days.add(d));
        assert_eq!(DaysToCoverage::of(&exact_days, n).within, None);
    }

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(0.3), 1.0);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(240.0), 250.0);
        assert_eq!(nice_step(600.0), 1000.0);
    }

    #[test]
    fn coarse_histogram_keeps_every_trial() {
        let mut h = Hist::new(0, None);
        for v in 0..1000u64 {
            h.add(10_000 + v * 13);
        }
        let c = coarse(&h, 60);
        assert_eq!(c.counts.iter().sum::<u64>(), 1000);
        assert!(c.start <= 10_000.0);
        assert!(c.start + c.width * c.counts.len() as f64 > (10_000 + 999 * 13) as f64);
    }
}

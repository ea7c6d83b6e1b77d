//! The report (`"format": "forcesim-report/1"`): every figure of a run, computed
//! once from the merged tally, and its writers (JSON, CSV, terminal table).
//!
//! The serialized shape is a contract (docs/design.md). Maps keep scenario order.
//! Every field except `engine` is a pure function of (scenario, overrides, seed,
//! trials), so two runs that differ only in thread count or shard split write
//! byte-identical reports once `engine` is removed.

pub mod csv;
pub mod table;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::math::wilson;
use crate::model::Model;
use crate::stats::{Hist, Stats, Tally};

/// The report format tag.
pub const FORMAT: &str = "forcesim-report/1";

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
    /// With `[scenario] rotation`: the force that must be committed to sustain the deployed total.
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
    /// P(it has a lead list and no listed nation takes part).
    pub p_leaderless: f64,
    /// Per nation in the lead list: P(that nation leads).
    pub lead_share: IndexMap<String, f64>,
    /// Per required or contributed capability.
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
    /// Expected contribution per capability over all trials (0 in trials where it is absent).
    pub mean_provided: IndexMap<String, f64>,
    /// The same, per domain.
    pub mean_provided_by_domain: IndexMap<String, IndexMap<String, f64>>,
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
    /// P(all domains covered by day d).
    pub p_all_covered: Vec<f64>,
    /// Per domain: P(covered by day d).
    pub domains: IndexMap<String, Vec<f64>>,
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

/// Every figure of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// `forcesim-report/1`.
    pub format: String,
    /// The scenario.
    pub scenario: ScenarioInfo,
    /// `--set` overrides applied, as given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    /// Trials run.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// Set when the run was stopped early: the figures cover the first `trials` trials.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// P(every domain covered).
    pub p_all_covered: f64,
    /// Wilson 95 % interval of `p_all_covered`.
    pub p_all_covered_ci95: [f64; 2],
    /// Capabilities' names and units.
    pub capabilities: IndexMap<String, CapabilityInfo>,
    /// Per capability: its total across domains.
    pub totals: IndexMap<String, Total>,
    /// Per capability with `[report] thresholds`: P(total ≥ x).
    pub thresholds: IndexMap<String, Vec<Threshold>>,
    /// Per domain.
    pub domains: IndexMap<String, DomainFigures>,
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
    pub precision: Option<crate::whatif::precision::Precision>,
    /// How the run went.
    pub engine: Engine,
}

fn ratio(k: u64, n: u64) -> f64 {
    if n == 0 { 0.0 } else { k as f64 / n as f64 }
}

fn mean_of(sum: u128, n: u64) -> f64 {
    if n == 0 { 0.0 } else { sum as f64 / n as f64 }
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

impl Report {
    /// Computes every figure from a merged tally.
    pub fn build(model: &Model, tally: &Tally, seed: u64, engine: Engine) -> Report {
        let n = tally.trials;
        let caps = &model.capabilities;

        let mut totals = IndexMap::new();
        for (c, cap) in caps.iter().enumerate() {
            let h = &tally.totals[c];
            let committed = model.rotation.map(|r| {
                let s = Stats::of(h);
                let k = r as f64;
                Stats {
                    mean: s.mean * k,
                    sd: s.sd * k,
                    min: s.min * k,
                    p05: s.p05 * k,
                    p25: s.p25 * k,
                    p50: s.p50 * k,
                    p75: s.p75 * k,
                    p95: s.p95 * k,
                    max: s.max * k,
                }
            });
            totals.insert(
                cap.id.clone(),
                Total {
                    stats: Stats::of(h),
                    committed,
                    histogram: coarse(h, 60),
                },
            );
        }

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
            thresholds.insert(caps[c].id.clone(), list);
        }

        let mut domains = IndexMap::new();
        let mut lead_slot = 0;
        for (d, dom) in model.domains.iter().enumerate() {
            let mut lead_share = IndexMap::new();
            for &l in &dom.leads {
                lead_share.insert(
                    model.nations[l].id.clone(),
                    ratio(tally.leads[lead_slot], n),
                );
                lead_slot += 1;
            }
            let mut capabilities = IndexMap::new();
            for t in dom.tracked.clone() {
                let tr = &model.tracked[t];
                let provided = &tally.provided[t];
                let (required, p_met, gap) = match model.requirement(t) {
                    Some(r) => {
                        let gap = match (&tally.gaps[t], r.fixed) {
                            (Some(g), _) => Stats::of(g),
                            (None, Some(req)) => {
                                Stats::of(&provided.map(0, |v| req.saturating_sub(v)))
                            }
                            (None, None) => Stats::default(),
                        };
                        let required = match r.fixed {
                            Some(v) => v as f64,
                            None => mean_of(tally.required_sum[t], n),
                        };
                        (required, ratio(tally.met[t], n), gap)
                    }
                    None => (0.0, 1.0, Stats::default()),
                };
                capabilities.insert(
                    caps[tr.capability].id.clone(),
                    CapabilityFigures {
                        required,
                        p_met,
                        provided: Stats::of(provided),
                        gap,
                    },
                );
            }
            domains.insert(
                dom.id.clone(),
                DomainFigures {
                    name: dom.name.clone(),
                    p_covered: ratio(tally.covered[d], n),
                    p_covered_ci95: wilson(tally.covered[d], n),
                    p_leaderless: ratio(tally.leaderless[d], n),
                    lead_share,
                    capabilities,
                },
            );
        }

        let mut nations = IndexMap::new();
        for (i, nat) in model.nations.iter().enumerate() {
            let inn = tally.nation_in[i];
            let out = n - inn;
            let in_all = tally.nation_in_all[i];
            let out_all = tally.all_covered - in_all;
            let swing = (inn > 0 && out > 0).then(|| ratio(in_all, inn) - ratio(out_all, out));
            let mut by_cap: IndexMap<String, u128> = IndexMap::new();
            let mut by_domain: IndexMap<String, IndexMap<String, u128>> = IndexMap::new();
            for k in nat.contributions.clone() {
                let c = &model.contributions[k];
                let cap = caps[c.capability].id.clone();
                *by_cap.entry(cap.clone()).or_default() += tally.contributed[k];
                *by_domain
                    .entry(model.domains[c.domain].id.clone())
                    .or_default()
                    .entry(cap)
                    .or_default() += tally.contributed[k];
            }
            nations.insert(
                nat.id.clone(),
                NationFigures {
                    name: nat.name.clone(),
                    p_participates: ratio(inn, n),
                    swing,
                    mean_provided: by_cap
                        .into_iter()
                        .map(|(k, v)| (k, mean_of(v, n)))
                        .collect(),
                    mean_provided_by_domain: by_domain
                        .into_iter()
                        .map(|(d, m)| (d, m.into_iter().map(|(k, v)| (k, mean_of(v, n))).collect()))
                        .collect(),
                },
            );
        }

        let conditions = model
            .conditions
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    c.id.clone(),
                    ConditionFigures {
                        p_true: ratio(tally.condition_true[i], n),
                    },
                )
            })
            .collect();

        let timeline = (!model.timeline_days.is_empty()).then(|| {
            let nd = model.domains.len();
            Timeline {
                days: model.timeline_days.clone(),
                p_all_covered: tally.timeline_all.iter().map(|&k| ratio(k, n)).collect(),
                domains: model
                    .domains
                    .iter()
                    .enumerate()
                    .map(|(d, dom)| {
                        (
                            dom.id.clone(),
                            (0..model.timeline_days.len())
                                .map(|k| ratio(tally.timeline_domain[k * nd + d], n))
                                .collect(),
                        )
                    })
                    .collect(),
            }
        });

        Report {
            format: FORMAT.to_string(),
            scenario: ScenarioInfo {
                name: model.name.clone(),
                path: model.path.clone(),
                description: model.description.clone(),
            },
            overrides: model.overrides.clone(),
            trials: n,
            seed,
            interrupted: false,
            p_all_covered: ratio(tally.all_covered, n),
            p_all_covered_ci95: wilson(tally.all_covered, n),
            capabilities: caps
                .iter()
                .map(|c| {
                    (
                        c.id.clone(),
                        CapabilityInfo {
                            name: c.name.clone(),
                            unit: c.unit.clone(),
                        },
                    )
                })
                .collect(),
            totals,
            thresholds,
            domains,
            nations,
            conditions,
            timeline,
            precision: None,
            engine,
        }
    }

    /// The report as pretty JSON, with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|e| {
            // Serialising plain structs of numbers and strings cannot fail;
            // keep a valid document if it ever does.
            format!("{{\"format\": \"{FORMAT}\", \"error\": \"{e}\"}}")
        });
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

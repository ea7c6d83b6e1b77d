//! What-if analysis: the planner's comparative questions, each answered by running
//! variants of one scenario on common random numbers.
//!
//! | module | question |
//! |---|---|
//! | [`sweep`] | how do the figures move as one or two values of the scenario vary? |
//! | [`compare`] | how do two or more scenarios (or variants) differ, and is the difference real? |
//! | [`precision`] | how many trials until P(all covered) is known to ± ε? |
//! | [`secure`] | which nations must be secured, or which requirement relaxed, to reach a target? |
//! | [`sensitivity`] | which input moves a figure most, low to high, with paired intervals? |
//!
//! [`paired`] runs variants on the same trials in one pass and sums their per-trial
//! differences, for the paired intervals of `sensitivity` and `compare`.
//!
//! Common random numbers: every condition, bloc, decision, contribution and
//! requirement draws from its own stream, derived from (seed, block, its id) only.
//! Two variants run with the same seed therefore see the same draws for everything
//! the variant does not change, and their difference is not drowned in sampling
//! noise. A requirement that is a plain number draws nothing, so raising it can
//! only uncover trials that were covered: P(covered) falls monotonically, trial by
//! trial. Likewise a nation's decision compares the same uniform with its
//! probability at every point, so raising a participation only adds trials in
//! which it takes part, and coverage can only rise.
//!
//! Every result here is a pure function of (scenarios, overrides, seed, trials):
//! the thread count changes only how fast it comes.

pub mod chunks;
pub mod compare;
pub mod paired;
pub mod precision;
pub mod secure;
pub mod sensitivity;
pub mod sweep;
pub mod tidy;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::dist::{Dist, Sampler};
use std::sync::atomic::AtomicBool;

use crate::engine::{Control, EngineError, Runner};
use crate::math::wilson;
use crate::model::Model;
use crate::report::{Report, Threshold};

/// Key figures of one domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainKey {
    /// P(covered).
    pub p_covered: f64,
    /// Wilson 95 % interval of `p_covered`.
    pub p_covered_ci95: [f64; 2],
    /// P(leaderless).
    pub p_leaderless: f64,
}

/// Key figures of one capability's total across domains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TotalKey {
    /// Mean.
    pub mean: f64,
    /// Population standard deviation.
    pub sd: f64,
    /// 5th percentile.
    pub p05: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Present where the quantiles are read from histogram bins that hold more
    /// than one value (totals over a wide range): the most any of them can
    /// differ from the exact one, as the run report's `within`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<f64>,
    /// When some nation's rotation is above 1 or some nation has a pool: the mean
    /// committed force (Σ deployed × each nation's rotation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed_mean: Option<f64>,
    /// Its population standard deviation, with `committed_mean`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed_sd: Option<f64>,
}

/// The figures a planner compares between variants: the headline, coverage per
/// domain, the totals and the thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyFigures {
    /// Trials run.
    pub trials: u64,
    /// Trials in which the mission was mounted: the figures below are over these
    /// (every trial without `[mission]`).
    pub mounted_trials: u64,
    /// With a `[mission]` gate: P(mounted) and P(mounted and every domain
    /// covered), over every trial.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<GateKey>,
    /// P(every domain covered).
    pub p_all_covered: f64,
    /// Wilson 95 % interval of `p_all_covered`.
    pub p_all_covered_ci95: [f64; 2],
    /// Per domain.
    pub domains: IndexMap<String, DomainKey>,
    /// Per capability.
    pub totals: IndexMap<String, TotalKey>,
    /// Per capability with thresholds: P(total ≥ x).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub thresholds: IndexMap<String, Vec<Threshold>>,
}

/// The figures of a `[mission]` gate, over every trial.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GateKey {
    /// P(the mission is mounted).
    pub p_mounted: f64,
    /// Its Wilson 95 % interval.
    pub p_mounted_ci95: [f64; 2],
    /// P(mounted and every domain covered).
    pub p_all_covered_overall: f64,
    /// Its Wilson 95 % interval.
    pub p_all_covered_overall_ci95: [f64; 2],
}

/// How a figure's uncertainty is described, for intervals on differences.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Spread {
    /// A proportion: its Wilson interval.
    Proportion([f64; 2]),
    /// A mean: the population sd of the values averaged.
    Mean {
        /// Standard deviation of one trial's value.
        sd: f64,
    },
    /// A quantile (no interval is given for it or its differences).
    Quantile {
        /// Where it is read from histogram bins of more than one value: the
        /// most it can differ from the exact quantile.
        within: Option<f64>,
    },
}

/// One figure, named by its dotted path (`domains.land.p_covered`).
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Dotted path, as in the report (`p_all_covered`, `totals.troops.mean`,
    /// `thresholds.troops.20000`).
    pub path: String,
    /// The value.
    pub value: f64,
    /// Its uncertainty.
    pub spread: Spread,
}

impl Figure {
    /// Its 95 % interval, when one is defined.
    pub fn ci95(&self, trials: u64) -> Option<[f64; 2]> {
        match self.spread {
            Spread::Proportion(ci) => Some(ci),
            // Student's t over the trials (`sd` is their population one).
            Spread::Mean { sd } if trials >= 2 => {
                let n = trials as f64;
                let half = crate::quantile::t95(n - 1.0) * sd / (n - 1.0).sqrt();
                Some([self.value - half, self.value + half])
            }
            Spread::Mean { .. } => None,
            Spread::Quantile { .. } => None,
        }
    }

    /// Where a quantile is read from histogram bins of more than one value: the
    /// most it can differ from the exact one (`None`: exact, or no quantile).
    pub fn within(&self) -> Option<f64> {
        match self.spread {
            Spread::Quantile { within } => within,
            _ => None,
        }
    }
}

impl KeyFigures {
    /// The key figures of a report.
    pub fn of(r: &Report) -> KeyFigures {
        KeyFigures::among(r, false)
    }

    /// The key figures of a report among others: with `gated` (some of the
    /// scenarios compared have a mission gate) the gate's figures are given
    /// even without one (as `run` reports them: P(mounted) 1, the overall
    /// figure the headline), so that every scenario shows them side by side.
    pub fn among(r: &Report, gated: bool) -> KeyFigures {
        // Committed differs from deployed only with rotation or pools.
        let held = r
            .nations
            .values()
            .any(|n| n.rotation > 1 || !n.pools.is_empty());
        KeyFigures {
            trials: r.trials,
            mounted_trials: r.mounted_trials,
            gate: (gated || !r.mission.is_empty()).then_some(GateKey {
                p_mounted: r.p_mounted,
                p_mounted_ci95: r.p_mounted_ci95,
                p_all_covered_overall: r.p_all_covered_overall,
                p_all_covered_overall_ci95: r.p_all_covered_overall_ci95,
            }),
            p_all_covered: r.p_all_covered,
            p_all_covered_ci95: r.p_all_covered_ci95,
            domains: r
                .domains
                .iter()
                .map(|(id, d)| {
                    (
                        id.clone(),
                        DomainKey {
                            p_covered: d.p_covered,
                            p_covered_ci95: d.p_covered_ci95,
                            p_leaderless: d.p_leaderless,
                        },
                    )
                })
                .collect(),
            totals: r
                .totals
                .iter()
                .map(|(id, t)| {
                    (
                        id.clone(),
                        TotalKey {
                            mean: t.stats.mean,
                            sd: t.stats.sd,
                            p05: t.stats.p05,
                            p50: t.stats.p50,
                            p95: t.stats.p95,
                            within: t.stats.within,
                            committed_mean: t.committed.filter(|_| held).map(|c| c.mean),
                            committed_sd: t.committed.filter(|_| held).map(|c| c.sd),
                        },
                    )
                })
                .collect(),
            thresholds: r.thresholds.clone(),
        }
    }

    /// Every figure as a flat list, in a fixed order: the headline (with a
    /// mission gate: P(mounted) before it, the overall figure after it), then
    /// domains, totals and thresholds in scenario order.
    pub fn flat(&self) -> Vec<Figure> {
        // The figures below the headline are over the mounted trials.
        let n = self.mounted_trials;
        let proportion = |path: &str, value, ci| Figure {
            path: path.into(),
            value,
            spread: Spread::Proportion(ci),
        };
        let mut out = Vec::new();
        if let Some(g) = &self.gate {
            out.push(proportion("p_mounted", g.p_mounted, g.p_mounted_ci95));
        }
        out.push(proportion(
            "p_all_covered",
            self.p_all_covered,
            self.p_all_covered_ci95,
        ));
        if let Some(g) = &self.gate {
            let (p, ci) = (g.p_all_covered_overall, g.p_all_covered_overall_ci95);
            out.push(proportion("p_all_covered_overall", p, ci));
        }
        for (id, d) in &self.domains {
            out.push(Figure {
                path: format!("domains.{id}.p_covered"),
                value: d.p_covered,
                spread: Spread::Proportion(d.p_covered_ci95),
            });
            out.push(Figure {
                path: format!("domains.{id}.p_leaderless"),
                value: d.p_leaderless,
                spread: Spread::Proportion(share_ci(d.p_leaderless, n)),
            });
        }
        for (id, t) in &self.totals {
            out.push(Figure {
                path: format!("totals.{id}.mean"),
                value: t.mean,
                spread: Spread::Mean { sd: t.sd },
            });
            out.push(Figure {
                path: format!("totals.{id}.p50"),
                value: t.p50,
                spread: Spread::Quantile { within: t.within },
            });
            if let (Some(c), Some(sd)) = (t.committed_mean, t.committed_sd) {
                out.push(Figure {
                    path: format!("totals.{id}.committed_mean"),
                    value: c,
                    spread: Spread::Mean { sd },
                });
            }
        }
        for (id, list) in &self.thresholds {
            for t in list {
                out.push(Figure {
                    path: format!("thresholds.{id}.{}", t.at_least),
                    value: t.p,
                    spread: Spread::Proportion(share_ci(t.p, n)),
                });
            }
        }
        out
    }
}

/// The Wilson 95 % interval of a proportion `p` of `n` trials; not numbers
/// when there are none.
fn share_ci(p: f64, n: u64) -> [f64; 2] {
    if n == 0 || !p.is_finite() {
        return [f64::NAN; 2];
    }
    wilson(count(p, n), n)
}

/// The count behind a proportion of `n` trials (exact: proportions are k / n).
fn count(p: f64, n: u64) -> u64 {
    (p * n as f64).round() as u64
}

/// "N trials", or "N of M trials (interrupted)" when a stop left `done` short
/// of the `asked` trials.
pub fn trials_done(done: u64, asked: u64) -> String {
    let n = |x: u64| crate::present::thousands(x as f64);
    if done < asked {
        format!("{} of {} trials (interrupted)", n(done), n(asked))
    } else {
        format!("{} trials", n(asked))
    }
}

/// Half the width of an interval.
pub fn half_width(ci: [f64; 2]) -> f64 {
    (ci[1] - ci[0]) / 2.0
}

/// Counts of one run: trials, trials with every domain covered, and per domain
/// trials covered. Cheaper than a report when only coverage matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// Trials mounted (every trial run without `[mission]`).
    pub trials: u64,
    /// Trials with every domain covered.
    pub all_covered: u64,
}

impl Coverage {
    /// P(all covered); not a number when no trial was mounted.
    pub fn p(&self) -> f64 {
        if self.trials == 0 {
            f64::NAN
        } else {
            self.all_covered as f64 / self.trials as f64
        }
    }
    /// Wilson 95 % interval of P(all covered); not numbers when no trial was
    /// mounted.
    pub fn ci95(&self) -> [f64; 2] {
        if self.trials == 0 {
            return [f64::NAN; 2];
        }
        wilson(self.all_covered, self.trials)
    }
}

/// Runs `trials` trials of `model` with `seed` and counts the trials with every
/// domain covered.
pub fn coverage(
    model: &Model,
    seed: u64,
    trials: u64,
    threads: usize,
) -> Result<Coverage, EngineError> {
    Ok(coverage_until(model, (seed, trials, threads), None)?.expect("no stop flag"))
}

/// [`coverage`], stopped within about a second when `stop` is set: `None` then,
/// as an unfinished run has no figure of the whole `trials`.
pub fn coverage_until(
    model: &Model,
    (seed, trials, threads): (u64, u64, usize),
    stop: Option<&AtomicBool>,
) -> Result<Option<Coverage>, EngineError> {
    let runner = Runner::new(model, seed, trials, threads)?;
    let blocks = runner.blocks();
    let control = Control {
        stop,
        progress: None,
    };
    if runner.run(0..blocks, control) < blocks {
        return Ok(None);
    }
    let (trials, all_covered) = runner.all_covered();
    Ok(Some(Coverage {
        trials,
        all_covered,
    }))
}

impl Model {
    /// The same scenario with the nations `certain` taking part in every trial:
    /// participation 1, approval gates and `if_absent` caps ignored. Their
    /// contributions, leads and bloc stay as they are; every other entity keeps its
    /// random stream, so the variant runs on common random numbers.
    pub fn with_certain(&self, certain: &[usize]) -> Model {
        let mut m = self.clone();
        for &n in certain {
            if let Some(nat) = m.nations.get_mut(n) {
                // The rule of `decision = "in"`, so that a secured set can be
                // reproduced with `run --set nations.N.decision=in`.
                nat.decide(crate::model::Decision::In);
            }
        }
        m
    }

    /// The same scenario with requirement `r` of domain `d` set to the plain
    /// number `value`.
    pub fn with_requirement(&self, d: usize, r: usize, value: u64) -> Model {
        let mut m = self.clone();
        if let Some(req) = m.domains.get_mut(d).and_then(|d| d.requirements.get_mut(r)) {
            fix((&mut req.sampler, &mut req.dist, &mut req.fixed), value);
        }
        m
    }

    /// The same scenario with whole-force requirement `i` fixed at `value`.
    pub fn with_force_requirement(&self, i: usize, value: u64) -> Model {
        let mut m = self.clone();
        if let Some(req) = m.force.as_mut().and_then(|f| f.get_mut(i)) {
            fix((&mut req.sampler, &mut req.dist, &mut req.fixed), value);
        }
        m
    }

    /// Whether nation `n` takes part in every trial whatever happens.
    pub fn is_certain(&self, n: usize) -> bool {
        let nat = &self.nations[n];
        nat.p.is_fixed() && nat.p.fixed >= 1.0 && nat.caps.is_empty()
    }
}

/// Sets an amount (its sampler, distribution and fixed value) to `value`.
fn fix((sampler, dist, fixed): (&mut Sampler, &mut Dist, &mut Option<u64>), value: u64) {
    *dist = Dist::Fixed(value as f64);
    *sampler = Sampler::new(dist);
    *fixed = Some(value);
}

/// The `"scenario"` member of what-if results: which file, with which overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// Scenario name.
    pub name: String,
    /// Path as given.
    pub path: String,
    /// `--set` overrides applied to every variant, as given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    /// The headline figure's name for this scenario
    /// ([`crate::report::all_covered_label`]; empty when read back from JSON).
    #[serde(skip)]
    pub all_covered: &'static str,
}

impl Source {
    /// The source of a model.
    pub fn of(m: &Model) -> Source {
        Source {
            name: m.name.clone(),
            path: m.path.clone(),
            overrides: m.overrides.clone(),
            all_covered: crate::report::all_covered_label(m.force.is_some(), !m.mission.is_empty()),
        }
    }

    /// The headline figure's name ("P(all covered)" when not known).
    pub fn headline(&self) -> &'static str {
        if self.all_covered.is_empty() {
            "P(all covered)"
        } else {
            self.all_covered
        }
    }
}

/// Rejects an override of `simulation.seed` or `simulation.trials` in what varies
/// between the runs of one what-if command (a sweep axis, a compare variant):
/// every run of a what-if command uses the same seed and trial count (common
/// random numbers), so such an override could not be honoured per run. The
/// message names the flag to use. `what` names the place (`--vary`, `--variant`).
pub fn check_varied_key(set: &str, what: &str) -> Result<(), String> {
    let key = set.split_once('=').map_or(set, |(k, _)| k);
    let parts: Vec<&str> = key
        .split('.')
        .map(|p| p.trim().trim_matches(['"', '\'']))
        .collect();
    let flag = match parts[..] {
        ["simulation", "seed"] => "--seed",
        ["simulation", "trials"] => "-n",
        ["simulation"] => "--seed and -n",
        _ => return Ok(()),
    };
    Err(format!(
        "{what} `{}`: every run of this command uses the same seed and number of trials, so `{}` cannot vary between them; give {flag} instead (or --set for every run)",
        key.trim(),
        parts.join(".")
    ))
}

/// Serialises a result as pretty JSON with a trailing newline.
pub use crate::present::to_json;

/// A figure's dotted path as the tidy CSV's `[scope, id, capability, metric,
/// qualifier]`: `domains.land.p_covered` → `domain, land, , p_covered, `;
/// `totals.troops.p50` → `total, , troops, total, p50`;
/// `thresholds.troops.20000` → `threshold, , troops, p_at_least, 20000`.
pub fn tidy_key(path: &str) -> [String; 5] {
    let s = |x: &str| x.to_string();
    let split = |rest: &str| {
        rest.rsplit_once('.')
            .map_or((s(rest), String::new()), |(a, b)| (s(a), s(b)))
    };
    if let Some(rest) = path.strip_prefix("domains.") {
        let (id, metric) = split(rest);
        return [s("domain"), id, String::new(), metric, String::new()];
    }
    if let Some(rest) = path.strip_prefix("totals.") {
        let (cap, stat) = split(rest);
        let (metric, q) = match stat.strip_prefix("committed_") {
            Some(q) => (s("committed"), s(q)),
            None => (s("total"), stat),
        };
        return [s("total"), String::new(), cap, metric, q];
    }
    if let Some(rest) = path.strip_prefix("thresholds.") {
        let (cap, x) = split(rest);
        return [s("threshold"), String::new(), cap, s("p_at_least"), x];
    }
    [
        s("run"),
        String::new(),
        String::new(),
        s(path),
        String::new(),
    ]
}

/// The rows of a variant's key figures in the tidy CSV: its trials, then every
/// figure with its 95 % interval where one is defined.
pub fn tidy_figures(w: &mut crate::report::csv::Tidy, k: &KeyFigures) {
    w.count(["run", "", "", "trials", ""], k.trials);
    w.count(["run", "", "", "mounted_trials", ""], k.mounted_trials);
    for f in k.flat() {
        let key = tidy_key(&f.path);
        let key = [
            key[0].as_str(),
            key[1].as_str(),
            key[2].as_str(),
            key[3].as_str(),
            key[4].as_str(),
        ];
        w.figure(key, f.value, f.ci95(k.mounted_trials));
    }
    // The statistics of the totals that `flat` leaves out (no interval).
    for (cap, t) in &k.totals {
        for (q, v) in [("sd", t.sd), ("p05", t.p05), ("p95", t.p95)] {
            w.figure(["total", "", cap, "total", q], v, None);
        }
        if let Some(within) = t.within {
            w.figure(["total", "", cap, "total", "within"], within, None);
        }
        if let Some(sd) = t.committed_sd {
            w.figure(["total", "", cap, "committed", "sd"], sd, None);
        }
    }
}

/// The override rows of the tidy CSV: the key in `qualifier`, the value as given.
pub fn tidy_overrides(w: &mut crate::report::csv::Tidy, sets: &[String]) {
    for o in sets {
        let (key, value) = o.split_once('=').unwrap_or((o.as_str(), ""));
        w.text(["run", "", "", "override", key.trim()], value.trim());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[scenario]
name = "t"
[capabilities]
troops = { unit = "personnel" }
[conditions.c]
probability = 0.5
[domains.land]
lead = ["A"]
requirements = { troops = 10 }
[nations.A]
participation = 0.5
approval = [{ body = "p", probability = 0.5 }]
if_absent = { c = 0.1 }
contributions.land.troops = 10
"#;

    #[test]
    fn certain_nations_always_take_part() {
        let m = crate::scenario::parse("t.toml", TEXT, &[]).unwrap();
        assert!(!m.is_certain(0));
        let c = m.with_certain(&[0]);
        assert!(c.is_certain(0));
        let cov = coverage(&c, 1, 5000, 1).unwrap();
        assert_eq!(cov.all_covered, 5000);
    }

    #[test]
    fn requirements_can_be_replaced() {
        let m = crate::scenario::parse("t.toml", TEXT, &[]).unwrap();
        let easy = m.with_certain(&[0]).with_requirement(0, 0, 11);
        assert_eq!(coverage(&easy, 1, 5000, 1).unwrap().all_covered, 0);
        let easy = m.with_certain(&[0]).with_requirement(0, 0, 0);
        assert_eq!(coverage(&easy, 1, 5000, 1).unwrap().all_covered, 5000);
    }
}

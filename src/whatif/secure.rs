//! Goal seek (`"format": "forcesim-secure/1"`): which nations to secure, or which
//! requirement to relax, to lift P(all covered) to a target.
//!
//! *Securing* a nation makes its participation certain: it takes part in every
//! trial, whatever its approvals, `if_absent` caps or bloc ([`Model::with_certain`]).
//! Every variant runs with the same seed and trial count, so all of them share the
//! random numbers of every entity they do not change.
//!
//! - [`greedy`]: each step secures the nation that raises P(all covered) most
//!   (ties: the smaller id), until the target is reached or no nation raises it.
//!   Greedy is not guaranteed to find the smallest set: two nations that are
//!   useless alone can be enough together. [`exhaustive`] checks every smaller set.
//! - [`relax`]: for each requirement that is a plain number, the largest value that
//!   still reaches the target with no nation secured, found by bisection. A plain
//!   requirement draws no random number, so with common random numbers coverage can
//!   only fall as it rises, trial by trial: the bisection is exact for these trials.

use std::fmt::Write;

use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::{Coverage, Source, coverage_until};
use crate::engine::EngineError;
use crate::model::Model;
use crate::present::{escape, pct, thousands};

/// The goal-seek format tag.
pub const FORMAT: &str = "forcesim-secure/1";

/// What the output says about greedy search.
pub const GREEDY_NOTE: &str = "Greedy search: each step secures the nation that raises P(all covered) most, given those already secured. It is not guaranteed to find the smallest set (two nations can be worth more together than either alone); --exhaustive checks every smaller set.";

/// Most sets [`exhaustive`] will run.
pub const MAX_EXHAUSTIVE_SETS: u64 = 20_000;

/// How to run each variant.
#[derive(Clone, Copy)]
pub struct Opts<'a> {
    /// Trials per variant.
    pub trials: u64,
    /// Seed of every variant.
    pub seed: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// When set, the search stops within about a second, dropping the variant
    /// in progress: greedy keeps the steps it finished, the relaxations those
    /// finished, and the checks after them are skipped.
    pub stop: Option<&'static AtomicBool>,
    /// Called after each variant run (each evaluation of a coverage).
    pub on_run: Option<&'a (dyn Fn() + Sync)>,
}

impl std::fmt::Debug for Opts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opts")
            .field("trials", &self.trials)
            .field("seed", &self.seed)
            .field("threads", &self.threads)
            .field("stop", &self.stop)
            .field("on_run", &self.on_run.is_some())
            .finish()
    }
}

impl Opts<'_> {
    /// `m`'s coverage, or [`SecureError::Interrupted`] when a stop cut it short.
    fn run(&self, m: &Model) -> Result<Coverage, SecureError> {
        let stop = self.stop.map(|s| s as &AtomicBool);
        let c = coverage_until(m, (self.seed, self.trials, self.threads), stop)?
            .ok_or(SecureError::Interrupted)?;
        if let Some(f) = self.on_run {
            f();
        }
        Ok(c)
    }

    /// Whether a stop was asked for.
    fn stopping(&self) -> bool {
        self.stop.is_some_and(|s| s.load(Ordering::SeqCst))
    }
}

/// Why greedy stopped when a signal stopped it.
const INTERRUPTED: &str = "interrupted";

/// P(all covered) with its interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Level {
    /// P(all covered).
    pub p_all_covered: f64,
    /// Wilson 95 % interval.
    pub p_all_covered_ci95: [f64; 2],
}

impl Level {
    fn of(c: &Coverage) -> Level {
        Level {
            p_all_covered: c.p(),
            p_all_covered_ci95: c.ci95(),
        }
    }
}

/// One greedy step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The nation secured at this step.
    pub nation: String,
    /// Its name.
    pub name: String,
    /// P(all covered) with it and every earlier step's nation secured.
    #[serde(flatten)]
    pub level: Level,
}

/// The result of the exhaustive check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exhaustive {
    /// Sets run.
    pub sets_checked: u64,
    /// The largest set size checked (every set of this size or smaller was run).
    pub max_size: usize,
    /// The smallest set reaching the target (best P among sets of that size), if any.
    pub smallest: Option<Vec<String>>,
    /// P(all covered) with that set secured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Whether greedy's set is as small as any that reaches the target.
    pub greedy_is_smallest: bool,
    /// When the check was not run: the sets it would have had to run (more
    /// than [`MAX_EXHAUSTIVE_SETS`]). Greedy's result and the relaxations stand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused_sets: Option<u64>,
}

/// How far one requirement must come down.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relaxation {
    /// Domain id, or `force` for a requirement of the whole force (`[force]`).
    pub domain: String,
    /// Whether it is a requirement of the whole force.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub force: bool,
    /// Capability id.
    pub capability: String,
    /// The requirement now (null when it is a distribution).
    pub required: Option<u64>,
    /// The largest value that reaches the target (null when none does or it was not searched).
    pub relax_to: Option<u64>,
    /// `required − relax_to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reduction: Option<u64>,
    /// P(all covered) at `relax_to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Why there is no answer, or that none is needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A whole goal seek.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Secure {
    /// `forcesim-secure/1`.
    pub format: String,
    /// The scenario and overrides.
    pub scenario: Source,
    /// Trials per variant.
    pub trials: u64,
    /// Seed of every variant.
    pub seed: u64,
    /// Target P(all covered).
    pub target: f64,
    /// P(all covered) with no nation secured.
    pub baseline: Level,
    /// Greedy steps, in order.
    pub steps: Vec<Step>,
    /// Whether the last step (or the baseline) reaches the target.
    pub reached: bool,
    /// The nations greedy secures (ids), in order.
    pub secured: Vec<String>,
    /// Why greedy stopped.
    pub stopped: String,
    /// Whether a signal stopped the search before it finished (then greedy's
    /// steps are those finished, and the checks after an interruption are absent).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// About greedy search.
    pub note: String,
    /// With `--exhaustive`: the check of every smaller set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exhaustive: Option<Exhaustive>,
    /// Each requirement relaxed alone, with no nation secured.
    pub relaxations: Vec<Relaxation>,
}

/// Greedy's trajectory.
#[derive(Debug, Clone)]
pub struct Greedy {
    /// P(all covered) with nothing secured.
    pub baseline: Coverage,
    /// (nation index, coverage with it and all before it secured).
    pub steps: Vec<(usize, Coverage)>,
    /// Whether the target is reached.
    pub reached: bool,
    /// Why it stopped.
    pub stopped: String,
}

impl Greedy {
    /// The nations secured, in order.
    pub fn set(&self) -> Vec<usize> {
        self.steps.iter().map(|s| s.0).collect()
    }
    /// Coverage at the end.
    pub fn last(&self) -> &Coverage {
        self.steps.last().map_or(&self.baseline, |s| &s.1)
    }
}

/// Greedy search for the nations to secure.
pub fn greedy(model: &Model, o: &Opts<'_>, target: f64) -> Result<Greedy, SecureError> {
    greedy_from(model, o, target, o.run(model)?)
}

/// [`greedy`] from the scenario's own coverage, `baseline`.
fn greedy_from(
    model: &Model,
    o: &Opts<'_>,
    target: f64,
    baseline: Coverage,
) -> Result<Greedy, SecureError> {
    let mut set: Vec<usize> = Vec::new();
    let mut steps = Vec::new();
    let mut current = baseline.clone();
    let stopped = loop {
        if current.p() >= target {
            break "target reached".to_string();
        }
        let mut best: Option<(usize, Coverage)> = None;
        for n in 0..model.nations.len() {
            if set.contains(&n) || model.is_certain(n) {
                continue;
            }
            if o.stopping() {
                break;
            }
            let mut with = set.clone();
            with.push(n);
            let c = match o.run(&model.with_certain(&with)) {
                Err(SecureError::Interrupted) => break,
                c => c?,
            };
            let better = match &best {
                None => true,
                Some((b, bc)) => {
                    c.all_covered > bc.all_covered
                        || (c.all_covered == bc.all_covered
                            && model.nations[n].id < model.nations[*b].id)
                }
            };
            if better {
                best = Some((n, c));
            }
        }
        if o.stopping() {
            break INTERRUPTED.to_string();
        }
        match best {
            None => break "every nation is secured".to_string(),
            Some((_, c)) if c.all_covered <= current.all_covered => {
                break "no single further nation raises P(all covered)".to_string();
            }
            Some((n, c)) => {
                set.push(n);
                current = c.clone();
                steps.push((n, c));
            }
        }
    };
    Ok(Greedy {
        reached: current.p() >= target,
        baseline,
        steps,
        stopped,
    })
}

/// Number of subsets of size ≤ `k` of `n` items (saturating).
fn sets_up_to(n: usize, k: usize) -> u64 {
    let mut total: u64 = 0;
    let mut c: u64 = 1;
    for i in 0..=k.min(n) {
        total = total.saturating_add(c);
        // C(n, i+1) = C(n, i) · (n − i) / (i + 1)
        c = c.saturating_mul((n - i) as u64) / (i as u64 + 1);
    }
    total
}

/// What [`exhaustive`] found.
#[derive(Debug, Clone)]
pub struct Found {
    /// The best set of the smallest size that reaches the target, and its coverage.
    pub best: Option<(Vec<usize>, Coverage)>,
    /// Sets run.
    pub checked: u64,
}

/// Runs every set of at most `max_size` of the `candidates` (nation indices), by
/// increasing size, and returns the smallest size that reaches `target` with the
/// best such set (ties: the first in lexicographic order of indices), and the
/// number of sets run. Refuses to run more than `max_sets` sets.
pub fn exhaustive(
    model: &Model,
    o: &Opts<'_>,
    target: f64,
    candidates: &[usize],
    max_size: usize,
    max_sets: u64,
) -> Result<Found, SecureError> {
    let needed = sets_up_to(candidates.len(), max_size);
    if needed > max_sets {
        return Err(SecureError::TooManySets(needed));
    }
    let mut checked = 0u64;
    for size in 0..=max_size.min(candidates.len()) {
        let mut best: Option<(Vec<usize>, Coverage)> = None;
        let mut idx: Vec<usize> = (0..size).collect();
        loop {
            if o.stopping() {
                return Err(SecureError::Interrupted);
            }
            let set: Vec<usize> = idx.iter().map(|&i| candidates[i]).collect();
            let c = o.run(&model.with_certain(&set))?;
            checked += 1;
            if c.p() >= target
                && best
                    .as_ref()
                    .is_none_or(|b| c.all_covered > b.1.all_covered)
            {
                best = Some((set, c));
            }
            // Next combination of `size` out of `candidates.len()`.
            let n = candidates.len();
            let mut i = size;
            while i > 0 && idx[i - 1] == n - size + i - 1 {
                i -= 1;
            }
            if i == 0 {
                break;
            }
            idx[i - 1] += 1;
            for j in i..size {
                idx[j] = idx[j - 1] + 1;
            }
        }
        if best.is_some() {
            return Ok(Found { best, checked });
        }
    }
    Ok(Found {
        best: None,
        checked,
    })
}

/// For each requirement, the largest value that reaches `target` with no nation
/// secured. A stop keeps the relaxations finished.
pub fn relax(model: &Model, o: &Opts<'_>, target: f64) -> Result<Vec<Relaxation>, SecureError> {
    let mut out = Vec::new();
    let base = match o.run(model) {
        Err(SecureError::Interrupted) => return Ok(out),
        base => base?,
    };
    for (d, dom) in model.domains.iter().enumerate() {
        for (r, req) in dom.requirements.iter().enumerate() {
            let cap = model.capabilities[req.capability].id.clone();
            let at = |v: u64| o.run(&model.with_requirement(d, r, v));
            match relax_one((dom.id.clone(), cap, req.fixed), &base, target, &at) {
                Err(SecureError::Interrupted) => return Ok(out),
                rel => out.push(rel?),
            }
        }
    }
    for (i, req) in model.force.iter().flatten().enumerate() {
        let cap = model.capabilities[req.capability].id.clone();
        let at = |v: u64| o.run(&model.with_force_requirement(i, v));
        match relax_one(("force".into(), cap, req.fixed), &base, target, &at) {
            Err(SecureError::Interrupted) => return Ok(out),
            rel => out.push(Relaxation {
                force: true,
                ..rel?
            }),
        }
    }
    Ok(out)
}

/// The relaxation of one requirement (`domain`, `capability`, its fixed
/// value), by bisection on `at` (coverage at a value of it), from `base` (the
/// scenario's own coverage).
fn relax_one(
    (domain, capability, required): (String, String, Option<u64>),
    base: &Coverage,
    target: f64,
    at: &dyn Fn(u64) -> Result<Coverage, SecureError>,
) -> Result<Relaxation, SecureError> {
    let mut rel = Relaxation {
        domain,
        force: false,
        capability,
        required,
        relax_to: None,
        reduction: None,
        level: None,
        note: None,
    };
    let Some(current) = required else {
        rel.note = Some("the requirement is a distribution: try `forcesim sweep` on it".into());
        return Ok(rel);
    };
    if base.p() >= target {
        rel.relax_to = Some(current);
        rel.reduction = Some(0);
        rel.level = Some(Level::of(base));
        rel.note = Some("the target is already met".into());
        return Ok(rel);
    }
    let zero = at(0)?;
    if zero.p() < target {
        rel.note = Some(format!(
            "not reachable by this requirement alone: even at 0, P(all covered) is {}",
            pct(zero.p())
        ));
        return Ok(rel);
    }
    // Invariant: `lo` reaches the target, `hi` does not.
    let (mut lo, mut hi) = (0u64, current);
    let mut lo_cov = zero;
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let c = at(mid)?;
        if c.p() >= target {
            lo = mid;
            lo_cov = c;
        } else {
            hi = mid;
        }
    }
    rel.relax_to = Some(lo);
    rel.reduction = Some(current - lo);
    rel.level = Some(Level::of(&lo_cov));
    Ok(rel)
}

/// What to search besides greedy.
#[derive(Debug, Clone, Copy, Default)]
pub struct Search {
    /// Run every set smaller than greedy's (or every set, when greedy falls short).
    pub exhaustive: bool,
    /// Skip the requirement relaxations.
    pub no_relax: bool,
}

/// Why an exhaustive check was refused.
#[derive(Debug, thiserror::Error)]
pub enum SecureError {
    /// The engine could not start.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Too many sets for `--exhaustive`.
    #[error(
        "--exhaustive would run {0} sets of nations (at most {MAX_EXHAUSTIVE_SETS}): drop --exhaustive, or narrow the scenario"
    )]
    TooManySets(u64),
    /// The mission was mounted in no trial: P(all covered) has no value, and
    /// securing nations cannot mount it.
    #[error(
        "the mission was mounted in none of the {0} trials (the conditions in [mission] requires never held together), so P(all covered) has no value and no nation secured can change that: raise those conditions' probabilities, or run more trials"
    )]
    NeverMounted(u64),
    /// A signal stopped the exhaustive check (the search reports without it).
    #[error("interrupted")]
    Interrupted,
}

/// Greedy search, optionally checked exhaustively, and the relaxations.
pub fn secure(model: &Model, o: &Opts<'_>, target: f64, s: Search) -> Result<Secure, SecureError> {
    let baseline = o.run(model)?;
    if baseline.trials == 0 && !o.stopping() {
        return Err(SecureError::NeverMounted(o.trials));
    }
    let g = greedy_from(model, o, target, baseline)?;
    let exhaustive = if s.exhaustive && !o.stopping() {
        check_smaller_sets(model, o, target, &g)?
    } else {
        None
    };
    let relaxations = if s.no_relax || o.stopping() {
        Vec::new()
    } else {
        relax(model, o, target)?
    };
    Ok(Secure {
        format: FORMAT.into(),
        scenario: Source::of(model),
        trials: o.trials,
        seed: o.seed,
        target,
        baseline: Level::of(&g.baseline),
        steps: g
            .steps
            .iter()
            .map(|(n, c)| Step {
                nation: model.nations[*n].id.clone(),
                name: model.nations[*n].name.clone(),
                level: Level::of(c),
            })
            .collect(),
        reached: g.reached,
        secured: ids(model, &g.set()),
        stopped: g.stopped.clone(),
        interrupted: o.stopping(),
        note: GREEDY_NOTE.into(),
        exhaustive,
        relaxations,
    })
}

/// The ids of the nations `set` (indices).
fn ids(model: &Model, set: &[usize]) -> Vec<String> {
    set.iter().map(|&n| model.nations[n].id.clone()).collect()
}

/// `--exhaustive`: every set smaller than greedy's (or every set, when greedy
/// falls short). `None` when a signal stopped it.
fn check_smaller_sets(
    model: &Model,
    o: &Opts<'_>,
    target: f64,
    g: &Greedy,
) -> Result<Option<Exhaustive>, SecureError> {
    let candidates: Vec<usize> = (0..model.nations.len())
        .filter(|&n| !model.is_certain(n))
        .collect();
    let max_size = if g.reached {
        g.steps.len().saturating_sub(1)
    } else {
        candidates.len()
    };
    let Found {
        best: found,
        checked,
    } = if g.reached && g.steps.is_empty() {
        Found {
            best: None,
            checked: 0,
        }
    } else {
        match exhaustive(model, o, target, &candidates, max_size, MAX_EXHAUSTIVE_SETS) {
            Err(SecureError::Interrupted) => return Ok(None),
            // Too many to run: said, and greedy's result is kept.
            Err(SecureError::TooManySets(needed)) => {
                return Ok(Some(Exhaustive {
                    sets_checked: 0,
                    max_size,
                    smallest: None,
                    level: None,
                    greedy_is_smallest: false,
                    refused_sets: Some(needed),
                }));
            }
            other => other?,
        }
    };
    Ok(Some(Exhaustive {
        sets_checked: checked,
        max_size,
        greedy_is_smallest: g.reached && found.is_none(),
        level: found.as_ref().map(|(_, c)| Level::of(c)),
        smallest: found.map(|(set, _)| ids(model, &set)),
        refused_sets: None,
    }))
}

fn ci(l: &Level) -> String {
    crate::present::pct_range(l.p_all_covered_ci95)
}

impl Secure {
    /// Whether the target was missed: no set of secured nations tried reaches it.
    /// A command should say so by its exit status.
    pub fn missed(&self) -> bool {
        !self.reached
    }

    /// The terminal summary.
    pub fn to_table(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "{}", escape(&self.scenario.name));
        let _ = writeln!(
            o,
            "Goal: {} ≥ {} · {} trials per variant · seed {} · common random numbers",
            self.scenario.headline(),
            pct(self.target),
            thousands(self.trials as f64),
            self.seed
        );
        for s in &self.scenario.overrides {
            let _ = writeln!(o, "override: {}", escape(s));
        }
        let _ = writeln!(
            o,
            "\nNow: {}  (95 % CI {})",
            pct(self.baseline.p_all_covered),
            ci(&self.baseline)
        );
        let _ = writeln!(
            o,
            "\nNations to secure (participation made certain), greedy"
        );
        self.steps_table(&mut o);
        self.outcome(&mut o);
        self.exhaustive_line(&mut o);
        self.relaxations_table(&mut o);
        o
    }

    /// Greedy's steps.
    fn steps_table(&self, o: &mut String) {
        if self.steps.is_empty() {
            let _ = writeln!(o, "  none ({})", self.stopped);
            return;
        }
        let nw = self
            .steps
            .iter()
            .map(|s| escape(&s.name).chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        let _ = writeln!(
            o,
            "  {:>4}  {:<8} {:<nw$}  {:>14}  {:>13}",
            "step", "nation", "name", "P(all covered)", "95 % CI"
        );
        for (i, s) in self.steps.iter().enumerate() {
            let _ = writeln!(
                o,
                "  {:>4}  {:<8} {:<nw$}  {:>14}  {:>13}",
                i + 1,
                escape(&s.nation),
                escape(&s.name),
                pct(s.level.p_all_covered),
                ci(&s.level)
            );
        }
    }

    /// Whether the target was reached, and by which nations.
    fn outcome(&self, o: &mut String) {
        if !self.reached {
            let best = self
                .steps
                .last()
                .map_or(self.baseline.p_all_covered, |s| s.level.p_all_covered);
            let _ = writeln!(
                o,
                "  Target NOT reached: {} (best {}).",
                self.stopped,
                pct(best)
            );
        } else if self.secured.is_empty() {
            let _ = writeln!(o, "  The target is already met.");
        } else {
            let _ = writeln!(
                o,
                "  Target reached by securing {} nation{}: {}.",
                self.secured.len(),
                if self.secured.len() == 1 { "" } else { "s" },
                escape(&self.secured.join(", "))
            );
        }
    }

    /// What the exhaustive check found, or why greedy's set may not be the smallest.
    fn exhaustive_line(&self, o: &mut String) {
        let Some(e) = &self.exhaustive else {
            let _ = writeln!(o, "  Note: {}", self.note);
            return;
        };
        let sets = thousands(e.sets_checked as f64);
        if let Some(needed) = e.refused_sets {
            let _ = writeln!(
                o,
                "  Exhaustive check not run: it would run {} sets of nations (at most {}). {}",
                thousands(needed as f64),
                thousands(MAX_EXHAUSTIVE_SETS as f64),
                self.note
            );
        } else if e.greedy_is_smallest {
            let _ = writeln!(
                o,
                "  Exhaustive check: none of the {sets} smaller sets reaches the target, so greedy's set is a smallest one."
            );
        } else if let (Some(set), Some(l)) = (&e.smallest, &e.level) {
            let _ = writeln!(
                o,
                "  Exhaustive check ({sets} sets): a smaller set reaches the target: {} ({}). Greedy's set is not the smallest.",
                escape(&set.join(", ")),
                pct(l.p_all_covered)
            );
        } else {
            let _ = writeln!(
                o,
                "  Exhaustive check ({sets} sets): no set of nations reaches the target."
            );
        }
    }

    /// One requirement relaxed at a time.
    fn relaxations_table(&self, o: &mut String) {
        if self.relaxations.is_empty() {
            return;
        }
        let _ = writeln!(o, "\nOr relax one requirement (no nation secured)");
        let _ = writeln!(
            o,
            "  {:<14} {:<12} {:>10} {:>10} {:>18} {:>14}",
            "domain", "capability", "required", "relax to", "reduction", "P(all covered)"
        );
        for r in &self.relaxations {
            relaxation_row(o, r);
        }
    }
}

fn relaxation_row(o: &mut String, r: &Relaxation) {
    let req = r.required.map_or("random".into(), |v| thousands(v as f64));
    let domain = if r.force {
        "whole force".into()
    } else {
        escape(&r.domain)
    };
    let capability = escape(&r.capability);
    let (Some(to), Some(red), Some(l)) = (r.relax_to, r.reduction, &r.level) else {
        let _ = writeln!(
            o,
            "  {:<14} {:<12} {:>10}  {}",
            domain,
            capability,
            req,
            r.note.as_deref().unwrap_or("")
        );
        return;
    };
    let share = match r.required {
        Some(q) if q > 0 => format!(" ({})", crate::present::pct(red as f64 / q as f64)),
        _ => String::new(),
    };
    let _ = writeln!(
        o,
        "  {:<14} {:<12} {:>10} {:>10} {:>18} {:>14}",
        domain,
        capability,
        req,
        thousands(to as f64),
        // No reduction (the target is met already): 0, not −0.
        format!(
            "{}{}{share}",
            if red > 0 { "−" } else { "" },
            thousands(red as f64)
        ),
        pct(l.p_all_covered)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Greedy's first pick, A, covers half of each domain and is the best single
    /// nation; but the smallest set is {B, C}, which greedy never tries together.
    const TRAP: &str = r#"
[scenario]
name = "greedy trap"
[capabilities]
troops = { unit = "personnel" }
ships = { unit = "ships" }
[domains.land]
requirements = { troops = 10 }
[domains.sea]
requirements = { ships = 10 }
[nations.A]
participation = 0.1
contributions.land.troops = 6
contributions.sea.ships = 6
[nations.B]
participation = 0.2
contributions.land.troops = 10
[nations.C]
participation = 0.2
contributions.sea.ships = 10
[nations.D]
participation = 0.9
contributions.land.troops = 4
[nations.E]
participation = 0.9
contributions.sea.ships = 4
"#;

    #[test]
    fn greedy_can_miss_the_smallest_set_and_says_so() {
        let m = crate::scenario::parse("trap.toml", TRAP, &[]).unwrap();
        let o = Opts {
            trials: 8192,
            seed: 3,
            threads: 1,
            stop: None,
            on_run: None,
        };
        let s = secure(
            &m,
            &o,
            0.99,
            Search {
                exhaustive: true,
                no_relax: true,
            },
        )
        .unwrap();
        assert!(s.reached);
        assert_eq!(s.secured[0], "A");
        assert_eq!(s.secured.len(), 3, "{:?}", s.secured);
        let e = s.exhaustive.as_ref().unwrap();
        assert!(!e.greedy_is_smallest);
        assert_eq!(
            e.smallest.as_deref(),
            Some(&["B".to_string(), "C".to_string()][..])
        );
        assert_eq!(e.level.as_ref().unwrap().p_all_covered, 1.0);
        let table = s.to_table();
        assert!(
            table.contains("Greedy's set is not the smallest"),
            "{table}"
        );
        // Without the check, the note says greedy is not guaranteed optimal.
        let s = secure(&m, &o, 0.99, Search::default()).unwrap();
        assert!(
            s.to_table()
                .contains("not guaranteed to find the smallest set")
        );
        assert!(s.note.contains("not guaranteed"));
    }

    #[test]
    fn subset_counts() {
        assert_eq!(sets_up_to(5, 0), 1);
        assert_eq!(sets_up_to(5, 2), 1 + 5 + 10);
        assert_eq!(sets_up_to(6, 6), 64);
        assert_eq!(sets_up_to(3, 10), 8);
    }
}

//! The execution plan: the model flattened into small, index-linked arrays in the
//! order the trial loop reads them (structure of arrays, no strings, no nesting).

use crate::dist::Sampler;
use crate::math::QuantileGrid;
use crate::model::{CapOn, Model, Prob};

/// A range `lo..hi` of one of the plan's flat arrays: a small, copyable
/// `Range<u32>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First index.
    pub lo: u32,
    /// One past the last index.
    pub hi: u32,
}

impl Span {
    /// The span from `lo` to the current length `hi` of the array it indexes.
    fn new(lo: usize, hi: usize) -> Span {
        Span {
            lo: lo as u32,
            hi: hi as u32,
        }
    }

    /// Whether it holds nothing.
    #[inline(always)]
    pub fn is_empty(self) -> bool {
        self.lo == self.hi
    }

    /// How many entries it holds.
    #[inline(always)]
    pub fn len(self) -> usize {
        (self.hi - self.lo) as usize
    }

    /// As a `usize` range.
    #[inline(always)]
    pub fn range(self) -> std::ops::Range<usize> {
        self.lo as usize..self.hi as usize
    }

    /// Its part of `items`.
    #[inline(always)]
    pub fn of<T>(self, items: &[T]) -> &[T] {
        &items[self.range()]
    }
}

/// "No bloc".
pub const NO_BLOC: u32 = u32::MAX;

/// A probability: fixed part, its normal quantile, and a range of random factors.
#[derive(Debug, Clone, Copy)]
pub struct ProbP {
    /// The fixed part.
    pub p: f64,
    /// Φ⁻¹(p), valid when there are no random factors.
    pub z: f64,
    /// Range of [`Plan::factors`]; empty for a fixed probability.
    pub factors: Span,
}

impl ProbP {
    /// Whether no draw is needed (no random factors).
    #[inline(always)]
    pub fn is_fixed(&self) -> bool {
        self.factors.is_empty()
    }
}

/// One nation's decision, in decision order.
#[derive(Debug, Clone, Copy)]
pub struct Decision {
    /// The nation's index.
    pub nation: u32,
    /// Its bloc, or [`NO_BLOC`].
    pub bloc: u32,
    /// participation × approvals.
    pub prob: ProbP,
    /// Range of [`Plan::caps`].
    pub caps: Span,
}

/// An `if_absent` cap.
#[derive(Debug, Clone, Copy)]
pub struct CapP {
    /// Whether `on` is a nation (absent) rather than a condition (false).
    pub on_nation: bool,
    /// The nation's or condition's index.
    pub on: u32,
    /// The cap.
    pub prob: ProbP,
}

/// One contribution.
#[derive(Debug, Clone)]
pub struct ContribP {
    /// The amount, when drawn.
    pub sampler: Sampler,
    /// The nation that gives it.
    pub nation: u32,
    /// Its index in the model's contributions (and the tally's sums).
    pub index: u32,
    /// Tracked (domain, capability) pair.
    pub tracked: u32,
    /// Capability.
    pub cap: u32,
    /// The amount, when fixed.
    pub fixed: u64,
    /// Whether it is drawn (then `fixed` is unused).
    pub random: bool,
}

/// A domain.
#[derive(Debug, Clone, Copy)]
pub struct DomainP {
    /// Range of [`Plan::leads`].
    pub leads: Span,
    /// Range of [`Plan::reqs`].
    pub reqs: Span,
}

/// A requirement.
#[derive(Debug, Clone)]
pub struct ReqP {
    /// The amount, when drawn.
    pub sampler: Sampler,
    /// Tracked pair.
    pub tracked: u32,
    /// The amount, when fixed.
    pub fixed: u64,
    /// Whether it is drawn.
    pub random: bool,
}

/// The whole plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Φ⁻¹ on a grid, for decisions whose probability is drawn.
    pub grid: QuantileGrid,
    /// Per condition: its probability.
    pub conditions: Vec<ProbP>,
    /// Per condition: stream key.
    pub condition_keys: Vec<u64>,
    /// Per bloc: √ρ.
    pub bloc_load: Vec<f64>,
    /// Per bloc: √(1−ρ).
    pub bloc_own: Vec<f64>,
    /// Per bloc: stream key.
    pub bloc_keys: Vec<u64>,
    /// Decisions in decision order.
    pub decisions: Vec<Decision>,
    /// Caps, grouped by decision.
    pub caps: Vec<CapP>,
    /// Random probability factors.
    pub factors: Vec<Sampler>,
    /// Per nation (index order): decision stream key.
    pub nation_keys: Vec<u64>,
    /// Per nation: `ready_days`.
    pub ready: Vec<Option<Sampler>>,
    /// Per nation: readiness stream key.
    pub ready_keys: Vec<u64>,
    /// Contributions, grouped by the kind of their distribution: each draws from
    /// its own stream, so the order is free, and a run of same-kind samplers keeps
    /// the dispatch on the kind predictable.
    pub contribs: Vec<ContribP>,
    /// Per contribution: stream key.
    pub contrib_keys: Vec<u64>,
    /// Per contribution: its nation (a compact copy for the per-trial scan).
    pub contrib_nations: Vec<u32>,
    /// Domains.
    pub domains: Vec<DomainP>,
    /// Lead lists, flat (nation indices).
    pub leads: Vec<u32>,
    /// Requirements, flat.
    pub reqs: Vec<ReqP>,
    /// Per requirement: stream key.
    pub req_keys: Vec<u64>,
    /// Per capability: thresholds, ascending.
    pub thresholds: Vec<Vec<u64>>,
    /// Timeline days.
    pub days: Vec<f64>,
    /// Number of tracked pairs.
    pub tracked: usize,
    /// Per tracked pair: its capability.
    pub tracked_cap: Vec<u32>,
    /// Number of capabilities.
    pub capabilities: usize,
}

fn prob(p: &Prob, factors: &mut Vec<Sampler>) -> ProbP {
    let start = factors.len();
    factors.extend(p.random.iter().cloned());
    ProbP {
        p: p.fixed,
        z: p.z,
        factors: Span::new(start, factors.len()),
    }
}

/// The caps of every decision, flat, and the decisions, in decision order.
fn decisions(model: &Model, factors: &mut Vec<Sampler>) -> (Vec<CapP>, Vec<Decision>) {
    let mut caps = Vec::new();
    let decisions = model
        .order
        .iter()
        .map(|&n| {
            let nat = &model.nations[n];
            let p = prob(&nat.p, factors);
            let start = caps.len();
            for c in &nat.caps {
                let (on_nation, on) = match c.on {
                    CapOn::Condition(i) => (false, i as u32),
                    CapOn::Nation(i) => (true, i as u32),
                };
                caps.push(CapP {
                    on_nation,
                    on,
                    prob: prob(&c.p, factors),
                });
            }
            Decision {
                nation: n as u32,
                bloc: nat.bloc.map_or(NO_BLOC, |b| b as u32),
                prob: p,
                caps: Span::new(start, caps.len()),
            }
        })
        .collect();
    (caps, decisions)
}

/// The contributions, grouped by the kind of their distribution, and their
/// stream keys.
fn contributions(model: &Model) -> (Vec<ContribP>, Vec<u64>) {
    let mut order: Vec<usize> = (0..model.contributions.len()).collect();
    order.sort_by_key(|&k| model.contributions[k].sampler.kind_rank());
    let contribs = order
        .iter()
        .map(|&k| {
            let c = &model.contributions[k];
            ContribP {
                sampler: c.sampler.clone(),
                nation: c.nation as u32,
                index: k as u32,
                tracked: c.tracked as u32,
                cap: c.capability as u32,
                fixed: c.fixed.unwrap_or(0),
                random: c.fixed.is_none(),
            }
        })
        .collect();
    let keys = order.iter().map(|&k| model.contributions[k].key).collect();
    (contribs, keys)
}

/// The domains, their lead lists and requirements (flat), and the requirements'
/// stream keys.
struct Domains {
    domains: Vec<DomainP>,
    leads: Vec<u32>,
    reqs: Vec<ReqP>,
    req_keys: Vec<u64>,
}

fn domains(model: &Model) -> Domains {
    let mut leads = Vec::new();
    let mut reqs = Vec::new();
    let mut req_keys = Vec::new();
    let domains = model
        .domains
        .iter()
        .map(|d| {
            let l0 = leads.len();
            leads.extend(d.leads.iter().map(|e| e.members[0] as u32));
            let r0 = reqs.len();
            for r in &d.requirements {
                reqs.push(ReqP {
                    sampler: r.sampler.clone(),
                    tracked: r.tracked as u32,
                    fixed: r.fixed.unwrap_or(0),
                    random: r.fixed.is_none(),
                });
                req_keys.push(r.key);
            }
            DomainP {
                leads: Span::new(l0, leads.len()),
                reqs: Span::new(r0, reqs.len()),
            }
        })
        .collect();
    Domains {
        domains,
        leads,
        reqs,
        req_keys,
    }
}

impl Plan {
    /// Flattens `model`.
    pub fn new(model: &Model) -> Plan {
        let mut factors = Vec::new();
        let conditions = model
            .conditions
            .iter()
            .map(|c| prob(&c.p, &mut factors))
            .collect();
        let (caps, decisions) = decisions(model, &mut factors);
        let (contribs, contrib_keys) = contributions(model);
        let Domains {
            domains,
            leads,
            reqs,
            req_keys,
        } = domains(model);
        Plan {
            grid: QuantileGrid::default(),
            conditions,
            condition_keys: model.conditions.iter().map(|c| c.key).collect(),
            bloc_load: model.blocs.iter().map(|b| b.load).collect(),
            bloc_own: model.blocs.iter().map(|b| b.own).collect(),
            bloc_keys: model.blocs.iter().map(|b| b.key).collect(),
            decisions,
            caps,
            factors,
            nation_keys: model.nations.iter().map(|n| n.key).collect(),
            ready: model.nations.iter().map(|n| n.ready.clone()).collect(),
            ready_keys: model.nations.iter().map(|n| n.ready_key).collect(),
            contrib_nations: contribs.iter().map(|c| c.nation).collect(),
            contribs,
            contrib_keys,
            domains,
            leads,
            reqs,
            req_keys,
            thresholds: model.thresholds.clone(),
            days: model.timeline_days.iter().map(|&d| d as f64).collect(),
            tracked: model.tracked.len(),
            tracked_cap: model.tracked.iter().map(|t| t.capability as u32).collect(),
            capabilities: model.capabilities.len(),
        }
    }
}

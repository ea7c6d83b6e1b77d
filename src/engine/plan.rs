//! The execution plan: the model flattened into small, index-linked arrays in the
//! order the trial loop reads them (structure of arrays, no strings, no nesting).

use crate::dist::{Dist, Sampler};
use crate::limits::MAX_VALUE;
use crate::math::QuantileGrid;
use crate::model::{CapOn, Contribution, Model, Prob};
use std::sync::Arc;

use crate::quantile::{Inverse, Tables};

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

/// An `if_absent` or `if_present` cap.
#[derive(Debug, Clone, Copy)]
pub struct CapP {
    /// Whether `on` is a nation rather than a condition.
    pub on_nation: bool,
    /// `false` (`if_absent`): binds where the condition is false or the nation
    /// absent; `true` (`if_present`): where it is true or the nation takes part.
    pub present: bool,
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
    /// Whether effects or the nation's `scale` touch it: then its value is
    /// `to_count(v × Π effect scales × scale)`, `v` drawn or `written`.
    pub scaled: bool,
    /// The amount as written (unrounded), when fixed.
    pub written: f64,
    /// The nation's `scale`.
    pub scale: f64,
    /// Range of [`Plan::effect_refs`]: the effects that scale it.
    pub effects: Span,
    /// The (lead entry, obligation) slot its amount counts towards
    /// ([`NO_SLOT`]: none).
    pub obligation: u32,
    /// Whether its nation has pools or ambition: then it is drawn with the
    /// nation's other contributions ([`Plan::groups`]), not in the plain loop.
    pub grouped: bool,
    /// Its inverse distribution function, when drawn under its nation's ambition.
    pub inverse: Option<Arc<Inverse>>,
}

/// A nation whose contributions are drawn together: it has pools or ambition.
#[derive(Debug, Clone, Copy)]
pub struct GroupP {
    /// The nation.
    pub nation: u32,
    /// Range of [`Plan::group_contribs`]: its contributions.
    pub contribs: Span,
    /// Range of [`Plan::pools`].
    pub pools: Span,
    /// √ρ and √(1−ρ) of its ambition ρ (ρ = 0: independent draws).
    pub load: f64,
    /// √(1−ρ).
    pub own: f64,
    /// Whether ρ > 0.
    pub ambitious: bool,
}

/// A nation's pool of one capability.
#[derive(Debug, Clone)]
pub struct PoolP {
    /// The pool, when drawn.
    pub sampler: Sampler,
    /// The pool, when fixed.
    pub fixed: u64,
    /// Whether it is drawn.
    pub random: bool,
    /// The capability.
    pub cap: u32,
    /// Its slot in the tally ([`Model::pool_offset`]).
    pub slot: u32,
}

/// "No slot".
pub const NO_SLOT: u32 = u32::MAX;

/// What a lead entry's members must provide towards an obligation of `share`
/// on a requirement of `required`: the least whole amount `x` with
/// `x ≥ share × required`, exact for the share as written in decimal.
#[inline(always)]
pub fn obligation_need(share: Share, required: u64) -> u64 {
    share.need(required)
}

/// A share in [0, 1] as the decimal fraction `num / den` (`den` a power of 10)
/// of its shortest decimal form, so that `0.55 × 27,000` is exactly 14,850
/// (in binary, 0.55 × 27,000 is 14,850.000000000002). Beyond 18 decimals the
/// fraction is rounded up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    num: u64,
    den: u64,
}

impl Share {
    /// Most decimals kept.
    const DECIMALS: usize = 18;

    /// `share` (in [0, 1]; anything else is clamped) as a decimal fraction.
    pub fn of(share: f64) -> Share {
        let share = if share.is_nan() {
            0.0
        } else {
            share.clamp(0.0, 1.0)
        };
        // Rust writes an `f64` in its shortest round-trip form, never with an exponent.
        let text = format!("{share}");
        let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
        let kept = &frac[..frac.len().min(Self::DECIMALS)];
        let den = 10u64.pow(kept.len() as u32);
        let digits = |s: &str| s.bytes().fold(0u64, |a, b| a * 10 + u64::from(b - b'0'));
        let mut num = digits(whole) * den + digits(kept);
        if frac[kept.len()..].bytes().any(|b| b != b'0') {
            num += 1;
        }
        Share { num, den }
    }

    /// The least whole `x` with `x ≥ num / den × required`.
    #[inline(always)]
    pub fn need(self, required: u64) -> u64 {
        match self.num.checked_mul(required) {
            Some(p) => p.div_ceil(self.den),
            None => {
                (u128::from(self.num) * u128::from(required)).div_ceil(u128::from(self.den)) as u64
            }
        }
    }
}

/// A domain.
#[derive(Debug, Clone, Copy)]
pub struct DomainP {
    /// Range of [`Plan::entries`] (and of [`Plan::leads`]).
    pub leads: Span,
    /// Range of [`Plan::reqs`].
    pub reqs: Span,
    /// Every entry of its lead list is one nation and no entry has an obligation
    /// (the format-1 rule: the first entry that takes part leads).
    pub plain_leads: bool,
}

/// One entry of a lead list: a nation or a group of co-leads.
#[derive(Debug, Clone, Copy)]
pub struct EntryP {
    /// Range of [`Plan::members`].
    pub members: Span,
    /// Range of [`Plan::obligations`]: one slot per obligation of its domain.
    pub obligations: Span,
}

/// One (lead entry, obligation) slot: the entry's participating members must
/// together provide `share` of the requirement.
#[derive(Debug, Clone, Copy)]
pub struct OblP {
    /// The requirement (index into [`Plan::reqs`]).
    pub req: u32,
    /// Its tracked pair.
    pub tracked: u32,
    /// The share, in [0, 1].
    pub share: Share,
}

/// A requirement (of a domain, or of the whole force).
#[derive(Debug, Clone)]
pub struct ReqP {
    /// The amount, when drawn.
    pub sampler: Sampler,
    /// Tracked pair (for a force requirement: its capability).
    pub tracked: u32,
    /// The amount, when fixed.
    pub fixed: u64,
    /// Whether it is drawn.
    pub random: bool,
    /// Whether effects touch it: then it is `to_count(v × Π effect scales)`, `v`
    /// drawn or `written`.
    pub scaled: bool,
    /// The amount as written (unrounded), when fixed.
    pub written: f64,
    /// Range of [`Plan::effect_refs`].
    pub effects: Span,
}

/// A condition's effect.
#[derive(Debug, Clone)]
pub struct EffectP {
    /// The scale, when drawn.
    pub sampler: Sampler,
    /// The scale, when fixed.
    pub fixed: f64,
    /// Whether it is drawn.
    pub random: bool,
    /// The condition.
    pub condition: u32,
    /// The condition's value at which it applies.
    pub when: bool,
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
    /// Lead lists, flat: each entry's first member.
    pub leads: Vec<u32>,
    /// Lead entries, flat (as [`Plan::leads`]).
    pub entries: Vec<EntryP>,
    /// The entries' members (nation indices), flat.
    pub members: Vec<u32>,
    /// The entries' obligation slots, flat.
    pub obligations: Vec<OblP>,
    /// Whether some domain's lead list is not plain (co-leads or obligations).
    pub weighted_leads: bool,
    /// `[mission] requires`: condition indices (empty: every trial is mounted).
    pub mission: Vec<u32>,
    /// Effects.
    pub effects: Vec<EffectP>,
    /// Per effect: stream key.
    pub effect_keys: Vec<u64>,
    /// Effect indices, flat, referenced by the spans of contributions and
    /// requirements.
    pub effect_refs: Vec<u32>,
    /// `[force] requirements` (`tracked` is the capability); `None` without `[force]`.
    pub force: Option<Vec<ReqP>>,
    /// Per force requirement: stream key.
    pub force_keys: Vec<u64>,
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
    /// Nations with pools or ambition, in index order.
    pub groups: Vec<GroupP>,
    /// Per group: its ambition stream key.
    pub ambition_keys: Vec<u64>,
    /// The groups' contributions (indices into [`Plan::contribs`]), flat.
    pub group_contribs: Vec<u32>,
    /// The groups' pools, flat.
    pub pools: Vec<PoolP>,
    /// Per pool: stream key.
    pub pool_keys: Vec<u64>,
    /// Per nation: its rotation.
    pub rotation: Vec<u64>,
    /// Whether every nation's rotation is 1 (the committed force is the total).
    pub unit_rotation: bool,
}

/// Whether nation `n`'s contributions are drawn as a group.
fn grouped(model: &Model, n: usize) -> bool {
    let nat = &model.nations[n];
    !nat.pools.is_empty() || nat.ambition > 0.0
}

/// The groups, their contributions, pools and keys.
struct Groups {
    groups: Vec<GroupP>,
    ambition_keys: Vec<u64>,
    group_contribs: Vec<u32>,
    pools: Vec<PoolP>,
    pool_keys: Vec<u64>,
}

fn groups(model: &Model, contribs: &[ContribP]) -> Groups {
    let mut g = Groups {
        groups: Vec::new(),
        ambition_keys: Vec::new(),
        group_contribs: Vec::new(),
        pools: Vec::new(),
        pool_keys: Vec::new(),
    };
    for (n, nat) in model.nations.iter().enumerate() {
        if !grouped(model, n) {
            continue;
        }
        let c0 = g.group_contribs.len();
        g.group_contribs.extend(
            (0..contribs.len())
                .filter(|&k| contribs[k].nation as usize == n)
                .map(|k| k as u32),
        );
        let p0 = g.pools.len();
        let offset = model.pool_offset(n);
        for (i, p) in nat.pools.iter().enumerate() {
            g.pools.push(PoolP {
                sampler: p.sampler.clone(),
                // Every amount is at most `MAX_VALUE`, as `to_count` leaves it.
                fixed: p.fixed.unwrap_or(0).min(MAX_VALUE),
                random: p.fixed.is_none(),
                cap: p.capability as u32,
                slot: (offset + i) as u32,
            });
            g.pool_keys.push(p.key);
        }
        g.groups.push(GroupP {
            nation: n as u32,
            contribs: Span::new(c0, g.group_contribs.len()),
            pools: Span::new(p0, g.pools.len()),
            load: nat.ambition.sqrt(),
            own: (1.0 - nat.ambition).sqrt(),
            ambitious: nat.ambition > 0.0,
        });
        g.ambition_keys.push(nat.ambition_key);
    }
    g
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
                    present: c.present,
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

/// `effects` as a span of `refs`.
fn effect_span(effects: &[usize], refs: &mut Vec<u32>) -> Span {
    let start = refs.len();
    refs.extend(effects.iter().map(|&e| e as u32));
    Span::new(start, refs.len())
}

/// The amount as written: its value when fixed (0 when drawn: unused).
fn written(d: &Dist) -> f64 {
    if d.is_fixed() { d.support().0 } else { 0.0 }
}

/// A requirement's plan (`tracked`: its tracked pair, or for the force its
/// capability).
fn req(
    sampler: &Sampler,
    dist: &Dist,
    fixed: Option<u64>,
    tracked: usize,
    effects: &[usize],
    refs: &mut Vec<u32>,
) -> ReqP {
    ReqP {
        sampler: sampler.clone(),
        tracked: tracked as u32,
        fixed: fixed.unwrap_or(0),
        random: fixed.is_none(),
        scaled: !effects.is_empty(),
        written: written(dist),
        effects: effect_span(effects, refs),
    }
}

/// The (lead entry, obligation) slot contribution `c` counts towards, if any.
fn obligation_slot(model: &Model, c: &Contribution, d: &Domains) -> u32 {
    let dom = &model.domains[c.domain];
    let span = d.domains[c.domain].leads;
    for (e, entry) in dom.leads.iter().enumerate() {
        if !entry.members.contains(&c.nation) {
            continue;
        }
        let slots = d.entries[span.lo as usize + e].obligations;
        for (o, ob) in dom.provides.iter().enumerate() {
            if dom.requirements[ob.requirement].capability == c.capability {
                return slots.lo + o as u32;
            }
        }
    }
    NO_SLOT
}

/// The contributions, grouped by the kind of their distribution, and their
/// stream keys.
fn contributions(
    model: &Model,
    d: &Domains,
    refs: &mut Vec<u32>,
    tables: &Tables,
) -> (Vec<ContribP>, Vec<u64>) {
    let mut order: Vec<usize> = (0..model.contributions.len()).collect();
    order.sort_by_key(|&k| model.contributions[k].sampler.kind_rank());
    let copula = |c: &Contribution| model.nations[c.nation].ambition > 0.0 && c.fixed.is_none();
    let dists: Vec<&Dist> = order
        .iter()
        .map(|&k| &model.contributions[k])
        .filter(|c| copula(c))
        .map(|c| &c.dist)
        .collect();
    let mut inverses = tables.get_all(&dists).into_iter();
    let contribs = order
        .iter()
        .map(|&k| {
            let c = &model.contributions[k];
            let scale = model.nations[c.nation].scale;
            ContribP {
                sampler: c.sampler.clone(),
                nation: c.nation as u32,
                index: k as u32,
                tracked: c.tracked as u32,
                cap: c.capability as u32,
                fixed: c.fixed.unwrap_or(0).min(MAX_VALUE),
                random: c.fixed.is_none(),
                scaled: !c.effects.is_empty() || scale != 1.0,
                written: written(&c.dist),
                scale,
                effects: effect_span(&c.effects, refs),
                obligation: obligation_slot(model, c, d),
                grouped: grouped(model, c.nation),
                inverse: if copula(c) { inverses.next() } else { None },
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
    entries: Vec<EntryP>,
    members: Vec<u32>,
    obligations: Vec<OblP>,
    reqs: Vec<ReqP>,
    req_keys: Vec<u64>,
}

fn domains(model: &Model, refs: &mut Vec<u32>) -> Domains {
    let mut p = Domains {
        domains: Vec::new(),
        leads: Vec::new(),
        entries: Vec::new(),
        members: Vec::new(),
        obligations: Vec::new(),
        reqs: Vec::new(),
        req_keys: Vec::new(),
    };
    for d in &model.domains {
        let (l0, r0) = (p.entries.len(), p.reqs.len());
        for r in &d.requirements {
            p.reqs.push(req(
                &r.sampler, &r.dist, r.fixed, r.tracked, &r.effects, refs,
            ));
            p.req_keys.push(r.key);
        }
        for e in &d.leads {
            let m0 = p.members.len();
            p.members.extend(e.members.iter().map(|&n| n as u32));
            let o0 = p.obligations.len();
            p.obligations.extend(d.provides.iter().map(|o| OblP {
                req: (r0 + o.requirement) as u32,
                tracked: d.requirements[o.requirement].tracked as u32,
                share: Share::of(o.share),
            }));
            // Read only where every entry has exactly one member.
            p.leads.push(e.members.first().map_or(0, |&n| n as u32));
            p.entries.push(EntryP {
                members: Span::new(m0, p.members.len()),
                obligations: Span::new(o0, p.obligations.len()),
            });
        }
        p.domains.push(DomainP {
            leads: Span::new(l0, p.entries.len()),
            reqs: Span::new(r0, p.reqs.len()),
            plain_leads: d.provides.is_empty() && d.leads.iter().all(|e| e.members.len() == 1),
        });
    }
    p
}

/// The effects and their stream keys.
fn effects(model: &Model) -> (Vec<EffectP>, Vec<u64>) {
    let effects = model
        .effects
        .iter()
        .map(|e| EffectP {
            sampler: e.sampler.clone(),
            fixed: e.fixed.unwrap_or(1.0),
            random: e.fixed.is_none(),
            condition: e.condition as u32,
            when: e.when,
        })
        .collect();
    (effects, model.effects.iter().map(|e| e.key).collect())
}

/// The force requirements and their stream keys.
fn force(model: &Model, refs: &mut Vec<u32>) -> (Option<Vec<ReqP>>, Vec<u64>) {
    let Some(force) = &model.force else {
        return (None, Vec::new());
    };
    let reqs = force
        .iter()
        .map(|r| req(&r.sampler, &r.dist, r.fixed, r.capability, &r.effects, refs))
        .collect();
    (Some(reqs), force.iter().map(|r| r.key).collect())
}

impl Plan {
    /// Flattens `model`, its inverse distribution functions prepared in the
    /// current rayon pool or taken from [`Tables::shared`].
    pub fn new(model: &Model) -> Plan {
        Plan::with_tables(model, Tables::shared())
    }

    /// Flattens `model`, its inverse distribution functions taken from
    /// `tables` (prepared there where missing).
    pub fn with_tables(model: &Model, tables: &Tables) -> Plan {
        let mut factors = Vec::new();
        let conditions = model
            .conditions
            .iter()
            .map(|c| prob(&c.p, &mut factors))
            .collect();
        let (caps, decisions) = decisions(model, &mut factors);
        let mut effect_refs = Vec::new();
        let d = domains(model, &mut effect_refs);
        let (contribs, contrib_keys) = contributions(model, &d, &mut effect_refs, tables);
        let (effects, effect_keys) = effects(model);
        let g = groups(model, &contribs);
        let (force, force_keys) = force(model, &mut effect_refs);
        let Domains {
            domains,
            leads,
            entries,
            members,
            obligations,
            reqs,
            req_keys,
        } = d;
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
            weighted_leads: domains.iter().any(|d| !d.plain_leads),
            domains,
            leads,
            entries,
            members,
            obligations,
            mission: model.mission.iter().map(|&c| c as u32).collect(),
            effects,
            effect_keys,
            effect_refs,
            force,
            force_keys,
            reqs,
            req_keys,
            thresholds: model.thresholds.clone(),
            days: model.timeline_days.iter().map(|&d| d as f64).collect(),
            tracked: model.tracked.len(),
            tracked_cap: model.tracked.iter().map(|t| t.capability as u32).collect(),
            capabilities: model.capabilities.len(),
            groups: g.groups,
            ambition_keys: g.ambition_keys,
            group_contribs: g.group_contribs,
            pools: g.pools,
            pool_keys: g.pool_keys,
            rotation: model.nations.iter().map(|n| n.rotation).collect(),
            unit_rotation: model.nations.iter().all(|n| n.rotation == 1),
        }
    }
}

//! The compiled scenario: ids become indices into flat vectors, distributions
//! become [`Sampler`]s, and everything the trial loop needs is precomputed.
//!
//! Invariants (established by [`crate::scenario::validate`]):
//! - every index stored here is in range for the vector it indexes;
//! - `order` is a permutation of the nations in which every nation named in
//!   another nation's `if_absent` or `if_present` comes before it;
//! - `contributions` is grouped by nation, `nations[n].contributions` is its range;
//! - `tracked` lists each (domain, capability) pair that is required or
//!   contributed, domain by domain; each requirement names its pair.

use std::ops::Range;

use crate::dist::{Dist, Sampler};
use crate::math::norm_inv;

/// A probability: a product of a fixed part and random factors, each drawn per trial.
#[derive(Debug, Clone)]
pub struct Prob {
    /// Product of the fixed factors.
    pub fixed: f64,
    /// Random factors (empty for a fixed probability).
    pub random: Vec<Sampler>,
    /// `Φ⁻¹(fixed)` when `random` is empty: the threshold on a latent normal.
    pub z: f64,
}

impl Prob {
    /// A probability from factors (participation, approvals …).
    pub fn product<'a>(factors: impl IntoIterator<Item = &'a Dist>) -> Prob {
        let mut fixed = 1.0;
        let mut random = Vec::new();
        for d in factors {
            if d.is_fixed() {
                fixed *= d.support().0;
            } else {
                random.push(Sampler::new(d));
            }
        }
        Prob {
            fixed,
            z: norm_inv(fixed),
            random,
        }
    }

    /// Whether no draw is needed.
    #[inline]
    pub fn is_fixed(&self) -> bool {
        self.random.is_empty()
    }

    /// The exact mean (factors are independent).
    pub fn mean(&self, dists: &[Dist]) -> f64 {
        self.fixed * dists.iter().map(Dist::mean).product::<f64>()
    }
}

/// A capability the scenario counts.
#[derive(Debug, Clone)]
pub struct Capability {
    /// Its id.
    pub id: String,
    /// Its unit ("personnel").
    pub unit: String,
    /// Display name.
    pub name: String,
}

/// A yes/no event drawn once per trial.
#[derive(Debug, Clone)]
pub struct Condition {
    /// Its id.
    pub id: String,
    /// Display description.
    pub description: String,
    /// P(true).
    pub p: Prob,
    /// Stream key.
    pub key: u64,
}

/// Nations whose decisions move together.
#[derive(Debug, Clone)]
pub struct Bloc {
    /// Its id.
    pub id: String,
    /// ρ.
    pub rho: f64,
    /// √ρ, the weight of the bloc factor.
    pub load: f64,
    /// √(1−ρ), the weight of the nation's own noise.
    pub own: f64,
    /// Stream key.
    pub key: u64,
}

/// What a cap applies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapOn {
    /// Applies when this condition is false.
    Condition(usize),
    /// Applies when this nation is absent.
    Nation(usize),
}

/// An `if_absent` or `if_present` cap on a nation's probability.
#[derive(Debug, Clone)]
pub struct Cap {
    /// What it watches.
    pub on: CapOn,
    /// `false` (`if_absent`): applies when the condition is false or the nation
    /// absent; `true` (`if_present`): when the condition is true or the nation
    /// takes part.
    pub present: bool,
    /// The cap.
    pub p: Prob,
}

/// A nation's `decision`: drawn in every trial (the default), or fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Decision {
    /// Drawn from its participation, approvals, caps and bloc.
    #[default]
    Draw,
    /// Takes part in every trial: caps, gates and bloc ignored.
    In,
    /// Never takes part.
    Out,
}

impl Decision {
    /// The value as written in a scenario (`"draw"`, `"in"`, `"out"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Draw => "draw",
            Decision::In => "in",
            Decision::Out => "out",
        }
    }
    /// The decision written `s`, if any.
    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "draw" => Some(Decision::Draw),
            "in" => Some(Decision::In),
            "out" => Some(Decision::Out),
            _ => None,
        }
    }
}

/// A coalition member.
#[derive(Debug, Clone)]
pub struct Nation {
    /// Its id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// participation × Π approvals.
    pub p: Prob,
    /// The same, as the distributions it was built from (for exact means).
    pub p_factors: Vec<Dist>,
    /// Its caps: `if_absent` ones, then `if_present` ones, each in file order.
    pub caps: Vec<Cap>,
    /// Its bloc, if any.
    pub bloc: Option<usize>,
    /// Days until ready, if given.
    pub ready: Option<Sampler>,
    /// Its contributions: a range of [`Model::contributions`].
    pub contributions: Range<usize>,
    /// Stream key of its decision (and of random probability factors).
    pub key: u64,
    /// Stream key of its `ready_days` draws.
    pub ready_key: u64,
    /// `scale`: multiplies every contribution it draws, before rounding (1 by default).
    pub scale: f64,
    /// Units held per unit deployed: its own `rotation`, else the scenario's, else 1.
    pub rotation: u64,
    /// `pool`: what it can commit in all (deployed × rotation), per capability.
    pub pools: Vec<Pool>,
    /// `ambition` ρ in [0, 1): the correlation of its contribution draws (its own,
    /// else the scenario's, else 0).
    pub ambition: f64,
    /// Stream key of its ambition factor A (one standard normal per trial).
    pub ambition_key: u64,
}

/// What a nation can commit in all of one capability, deployed × rotation.
#[derive(Debug, Clone)]
pub struct Pool {
    /// The capability.
    pub capability: usize,
    /// The pool as written.
    pub dist: Dist,
    /// Its sampler (drawn and rounded once per mounted trial).
    pub sampler: Sampler,
    /// The pool when fixed (rounded).
    pub fixed: Option<u64>,
    /// Stream key of its draws (`pool`, `N.C`).
    pub key: u64,
}

impl Nation {
    /// Fixes its decision: `In` takes part in every trial and `Out` in none, with
    /// approval gates, `if_absent` caps and the bloc ignored (a certain threshold
    /// decides whatever the latent draw). Its stream is still read as before, so
    /// every other draw of the run is unchanged. `Draw` changes nothing.
    pub fn decide(&mut self, d: Decision) {
        let (fixed, z) = match d {
            Decision::Draw => return,
            Decision::In => (1.0, f64::INFINITY),
            Decision::Out => (0.0, f64::NEG_INFINITY),
        };
        self.p = Prob {
            fixed,
            random: Vec::new(),
            z,
        };
        self.p_factors.clear();
        self.caps.clear();
    }
}

/// One contribution: what a nation gives to one capability of one domain.
#[derive(Debug, Clone)]
pub struct Contribution {
    /// The nation.
    pub nation: usize,
    /// The domain.
    pub domain: usize,
    /// The capability.
    pub capability: usize,
    /// Index into [`Model::tracked`].
    pub tracked: usize,
    /// The amount.
    pub sampler: Sampler,
    /// The amount as written.
    pub dist: Dist,
    /// The amount when it is fixed (rounded, clamped), so no draw is needed.
    pub fixed: Option<u64>,
    /// Stream key of its draws: each contribution has its own stream, so changing
    /// one leaves every other draw of the run unchanged.
    pub key: u64,
    /// The effects that scale it (indices into [`Model::effects`], each once,
    /// ascending).
    pub effects: Vec<usize>,
}

/// A requirement of a domain.
#[derive(Debug, Clone)]
pub struct Requirement {
    /// The capability.
    pub capability: usize,
    /// Index into [`Model::tracked`].
    pub tracked: usize,
    /// The amount.
    pub sampler: Sampler,
    /// The amount as written.
    pub dist: Dist,
    /// The amount when it is fixed (rounded, clamped), so no draw is needed.
    pub fixed: Option<u64>,
    /// Stream key of its draws.
    pub key: u64,
    /// The effects that scale it (indices into [`Model::effects`], each once,
    /// ascending).
    pub effects: Vec<usize>,
}

impl Requirement {
    /// The requirement when it is the same in every trial: fixed and scaled by no
    /// effect.
    pub fn constant(&self) -> Option<u64> {
        self.fixed.filter(|_| self.effects.is_empty())
    }
}

impl ForceRequirement {
    /// The requirement when it is the same in every trial: fixed and scaled by no
    /// effect.
    pub fn constant(&self) -> Option<u64> {
        self.fixed.filter(|_| self.effects.is_empty())
    }
}

/// One entry of a domain's lead list: a nation, or a group of co-leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadEntry {
    /// Its label: the members' ids joined with `+`, in listed order.
    pub label: String,
    /// Its members (nation indices), in listed order.
    pub members: Vec<usize>,
}

/// A share of a domain's requirement that its leading entry must itself provide.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Obligation {
    /// The requirement, as an index into the domain's `requirements`.
    pub requirement: usize,
    /// The share, in [0, 1].
    pub share: f64,
}

/// A requirement on the whole force: a capability's total over every domain.
#[derive(Debug, Clone)]
pub struct ForceRequirement {
    /// The capability.
    pub capability: usize,
    /// The amount.
    pub sampler: Sampler,
    /// The amount as written.
    pub dist: Dist,
    /// The amount when it is fixed (rounded, clamped), so no draw is needed.
    pub fixed: Option<u64>,
    /// Stream key of its draws.
    pub key: u64,
    /// The effects that scale it (indices into [`Model::effects`]).
    pub effects: Vec<usize>,
}

/// A condition's effect: in the trials where the condition has the value `when`,
/// its scale multiplies the drawn values of its targets before rounding.
#[derive(Debug, Clone)]
pub struct Effect {
    /// The condition.
    pub condition: usize,
    /// The value of the condition at which it applies.
    pub when: bool,
    /// The scale as written.
    pub dist: Dist,
    /// Its sampler (drawn once per mounted trial, shared by every target).
    pub sampler: Sampler,
    /// The scale when fixed.
    pub fixed: Option<f64>,
    /// The targets as written (`domains.air.requirements.aircraft` …).
    pub targets: Vec<String>,
    /// Stream key of its draws.
    pub key: u64,
}

/// An area of the force.
#[derive(Debug, Clone)]
pub struct Domain {
    /// Its id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Lead succession: nations or groups of co-leads, possibly empty.
    pub leads: Vec<LeadEntry>,
    /// `lead_provides`: what the leading entry must itself provide.
    pub provides: Vec<Obligation>,
    /// Requirements.
    pub requirements: Vec<Requirement>,
    /// Its range of [`Model::tracked`].
    pub tracked: Range<usize>,
}

/// A (domain, capability) pair whose provided amount is tracked.
#[derive(Debug, Clone)]
pub struct Tracked {
    /// The domain.
    pub domain: usize,
    /// The capability.
    pub capability: usize,
    /// The requirement on it, as an index into the domain's `requirements`.
    pub requirement: Option<usize>,
    /// Smallest possible provided amount (for histogram layout).
    pub min: u64,
}

/// The compiled scenario.
#[derive(Debug, Clone)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// Scenario description.
    pub description: String,
    /// Path of the scenario file as given.
    pub path: String,
    /// Sources listed in `[scenario]`.
    pub sources: Vec<String>,
    /// `[scenario] rotation`, if given (each nation's default).
    pub rotation: Option<u64>,
    /// `[scenario] ambition`: each nation's default ρ (0 when not given).
    pub ambition: f64,
    /// Trials from `[simulation]`.
    pub default_trials: Option<u64>,
    /// Seed from `[simulation]`.
    pub default_seed: Option<u64>,
    /// Days at which coverage is reported (strictly increasing).
    pub timeline_days: Vec<u64>,
    /// Capabilities.
    pub capabilities: Vec<Capability>,
    /// Conditions.
    pub conditions: Vec<Condition>,
    /// `[mission] requires`: conditions that must all hold for the force to
    /// deploy (empty: every trial is mounted).
    pub mission: Vec<usize>,
    /// Effects of conditions on drawn values.
    pub effects: Vec<Effect>,
    /// `[force] requirements`, on totals over every domain (`None` without `[force]`).
    pub force: Option<Vec<ForceRequirement>>,
    /// Blocs.
    pub blocs: Vec<Bloc>,
    /// Domains.
    pub domains: Vec<Domain>,
    /// Nations, in file order.
    pub nations: Vec<Nation>,
    /// Order in which nations are decided (respects `if_absent` and `if_present`).
    pub order: Vec<usize>,
    /// All contributions, grouped by nation.
    pub contributions: Vec<Contribution>,
    /// Tracked (domain, capability) pairs, grouped by domain.
    pub tracked: Vec<Tracked>,
    /// Per capability, sorted thresholds x for P(total ≥ x).
    pub thresholds: Vec<Vec<u64>>,
    /// The `--set` overrides applied, as given.
    pub overrides: Vec<String>,
    /// Digest of the scenario text and overrides.
    pub digest: u64,
}

impl Model {
    /// Whether `self` and `other` are the same in everything a trial uses, so
    /// that on the same seed every trial of one has the outcome of the other
    /// (the name, description, path, sources, default seed and trials and the
    /// overrides as written may differ). Compared through a digest of every
    /// other field's `Debug` form, which writes each number in full.
    pub fn same_trials(&self, other: &Model) -> bool {
        self.trial_digest() == other.trial_digest()
    }

    /// SHA-256 of the `Debug` form of the fields the trials use.
    fn trial_digest(&self) -> [u8; 32] {
        use sha2::Digest;
        use std::fmt::Write;
        struct Hashing(sha2::Sha256);
        impl Write for Hashing {
            fn write_str(&mut self, s: &str) -> std::fmt::Result {
                self.0.update(s.as_bytes());
                Ok(())
            }
        }
        let m = Model {
            name: String::new(),
            description: String::new(),
            path: String::new(),
            sources: Vec::new(),
            default_trials: None,
            default_seed: None,
            overrides: Vec::new(),
            digest: 0,
            ..self.clone()
        };
        let mut h = Hashing(sha2::Sha256::new());
        // Writing into a hasher cannot fail.
        let _ = write!(h, "{m:?}");
        h.0.finalize().into()
    }

    /// Index of the capability with this id.
    pub fn capability(&self, id: &str) -> Option<usize> {
        self.capabilities.iter().position(|c| c.id == id)
    }
    /// Index of the nation with this id.
    pub fn nation(&self, id: &str) -> Option<usize> {
        self.nations.iter().position(|n| n.id == id)
    }
    /// Index of the domain with this id.
    pub fn domain(&self, id: &str) -> Option<usize> {
        self.domains.iter().position(|d| d.id == id)
    }
    /// Number of (domain, lead) counters: Σ over domains of its lead list's length.
    pub fn lead_slots(&self) -> usize {
        self.domains.iter().map(|d| d.leads.len()).sum()
    }
    /// Number of (nation, pooled capability) counters: Σ over nations of its pools.
    pub fn pool_slots(&self) -> usize {
        self.nations.iter().map(|n| n.pools.len()).sum()
    }
    /// Offset of nation `n`'s first pool counter.
    pub fn pool_offset(&self, n: usize) -> usize {
        self.nations[..n].iter().map(|n| n.pools.len()).sum()
    }
    /// Offset of domain `d`'s first lead counter.
    pub fn lead_offset(&self, d: usize) -> usize {
        self.domains[..d].iter().map(|d| d.leads.len()).sum()
    }
    /// Offset of capability `c`'s first threshold counter.
    pub fn threshold_offset(&self, c: usize) -> usize {
        self.thresholds[..c].iter().map(Vec::len).sum()
    }
    /// The requirement on tracked pair `t`, if any.
    pub fn requirement(&self, t: usize) -> Option<&Requirement> {
        let tr = &self.tracked[t];
        tr.requirement
            .map(|r| &self.domains[tr.domain].requirements[r])
    }
}

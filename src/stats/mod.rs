//! Integer tallies of trial outcomes, and the summary statistics computed from them.
//!
//! A [`Tally`] holds only integer counts, integer sums and integer histograms, so
//! adding two tallies is exact, associative and commutative: however trials are
//! split among threads, shards or checkpoints, the merged tally, and therefore
//! every figure of the report, is the same.

pub mod hist;
mod pages;

use std::ops::AddAssign;

use serde::{Deserialize, Serialize};

pub use hist::Hist;

use crate::model::Model;

/// Everything counted over a set of trials.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    /// Trials counted.
    pub trials: u64,
    /// Trials in which the mission was mounted (every `[mission] requires`
    /// condition held). Every figure below except `condition_true` counts mounted
    /// trials only.
    pub mounted: u64,
    /// Trials in which every domain and the force were covered.
    pub all_covered: u64,
    /// Per nation: trials in which it took part.
    pub nation_in: Vec<u64>,
    /// Per nation: trials in which it took part and every domain was covered.
    pub nation_in_all: Vec<u64>,
    /// Per condition: trials in which it held (over every trial, mounted or not).
    pub condition_true: Vec<u64>,
    /// Per domain: trials in which it was covered.
    pub covered: Vec<u64>,
    /// Per domain: trials in which it had a lead list and no lead (short or
    /// without candidate).
    pub leaderless: Vec<u64>,
    /// Per domain: trials in which entries of its lead list were present but none
    /// qualified (a part of `leaderless`).
    pub lead_short: Vec<u64>,
    /// Per (domain, entry of its lead list): trials in which that entry led.
    pub leads: Vec<u64>,
    /// Trials in which every force requirement was met (0 without `[force]`).
    pub force_covered: u64,
    /// Per (nation, pool) slot ([`Model::pool_offset`]): trials in which the
    /// pool cut the nation's contributions.
    pub pool_binds: Vec<u64>,
    /// Per pool slot: the sum of the pool drawn over the trials in which the nation
    /// took part.
    pub pool_drawn: Vec<u128>,
    /// Per pool slot: histogram of the cut (deployed before − after) over the
    /// trials in which the pool bound.
    pub pool_cut: Vec<Hist>,
    /// Per capability: histogram of the committed force, Σ over participating
    /// nations of deployed × the nation's rotation.
    pub committed: Vec<Hist>,
    /// Per force requirement: trials in which it was met.
    pub force_met: Vec<u64>,
    /// Per force requirement: the sum of the requirement over trials.
    pub force_required_sum: Vec<u128>,
    /// Per force requirement, when random: histogram of the gap.
    pub force_gaps: Vec<Option<Hist>>,
    /// Per force requirement, when random: histogram of the requirement.
    pub force_required: Vec<Option<Hist>>,
    /// Per tracked (domain, capability): trials in which the requirement was met.
    pub met: Vec<u64>,
    /// Per tracked pair: the sum of the requirement over trials.
    pub required_sum: Vec<u128>,
    /// Per (capability, threshold): trials with total ≥ threshold.
    pub above: Vec<u64>,
    /// Per contribution entry: the sum of what was provided (0 when absent).
    pub contributed: Vec<u128>,
    /// Per timeline day: trials with every domain covered by that day.
    pub timeline_all: Vec<u64>,
    /// Per (day, domain), day-major: trials with the domain covered by that day.
    pub timeline_domain: Vec<u64>,
    /// Per timeline day: trials with the force requirements met by that day
    /// (empty without `[force]`).
    pub timeline_force: Vec<u64>,
    /// With `timeline_days`: per domain, then the force (with `[force]`), and last
    /// for everything at once: histogram of the whole day by which it is covered
    /// (trials in which it never is are not counted). Empty without `timeline_days`.
    pub coverage_day: Vec<Hist>,
    /// Per capability: histogram of the total across domains.
    pub totals: Vec<Hist>,
    /// Per tracked pair: histogram of the amount provided.
    pub provided: Vec<Hist>,
    /// Per tracked pair with a random requirement: histogram of the gap.
    pub gaps: Vec<Option<Hist>>,
    /// Per tracked pair with a random requirement: histogram of the requirement.
    pub required: Vec<Option<Hist>>,
}

/// Which histograms a tally keeps ([`Tally::keeping`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keep {
    /// Every histogram.
    All,
    /// Per capability, whether its total (and committed force) is kept; and
    /// whether the days of coverage are. No other histogram is.
    Some {
        /// Per capability: keep its histograms.
        totals: Vec<bool>,
        /// Keep the days of coverage.
        days: bool,
    },
}

/// Contiguous histogram bins one tally allocates up front, at most (32 MiB):
/// the fast path for the ranges a model expects, bounded however many pairs it tracks.
pub const DENSE_BUDGET: usize = 1 << 22;

/// Non-empty bins one tally's histograms hold beyond their expected ranges, at
/// most, shared equally among its histograms ([`Hist::set_cap`]): about 32
/// bytes each, so that a tally stays within about 130 MiB however many
/// histograms a scenario has and however many distinct values they see.
pub const HELD_BUDGET: usize = 1 << 22;

/// Days of coverage binned up front (later days fill in where they fall).
const COVERAGE_DAYS: usize = 1 << 10;

/// The smallest count a draw from `d` can give (after rounding and clamping), and
/// a value that draws rarely exceed (the maximum for bounded forms, six standard
/// deviations out for unbounded ones): where histogram bins are laid out up front.
fn count_bounds(d: &crate::dist::Dist) -> (u64, Option<u64>) {
    use crate::dist::Dist;
    let (lo, hi) = d.support();
    let lo = crate::math::to_count(lo.max(0.0));
    let hint = match d {
        Dist::Normal { mean, sd } => mean + 6.0 * sd,
        Dist::LogNormal { median, sigma } => median * (6.0 * sigma).exp(),
        _ => hi,
    };
    (lo, hint.is_finite().then(|| crate::math::to_count(hint)))
}

/// The count bounds of a requirement drawn from `d`: effects may scale it below
/// its distribution's minimum (to 0), so a scaled one starts at 0.
fn scaled_bounds(d: &crate::dist::Dist, effects: &[usize]) -> (u64, Option<u64>) {
    let (lo, hi) = count_bounds(d);
    (if effects.is_empty() { lo } else { 0 }, hi)
}

/// The count bounds of tracked pair `t`'s requirement, when it is a distribution.
fn random_bounds(model: &Model, t: usize) -> Option<(u64, Option<u64>)> {
    model
        .requirement(t)
        .filter(|r| r.constant().is_none())
        .map(|r| scaled_bounds(&r.dist, &r.effects))
}

/// Per tracked pair, then per capability: the guaranteed minimum (from certain
/// participants) and the possible maximum (`None`: unbounded) of what is provided.
type Bounds = (Vec<u64>, Vec<Option<u64>>, Vec<u64>, Vec<Option<u64>>);

/// The range each provided amount and each capability total can take.
fn bounds(model: &Model) -> Bounds {
    let nt = model.tracked.len();
    let nc = model.capabilities.len();
    let mut t_min = vec![0u64; nt];
    let mut t_max: Vec<Option<u64>> = vec![Some(0); nt];
    for c in &model.contributions {
        let nat = &model.nations[c.nation];
        // A contribution that effects, its nation's `scale` or a pool may shrink
        // has no guaranteed minimum: it can fall below its distribution's.
        let certain = nat.p.is_fixed()
            && nat.p.fixed >= 1.0
            && nat.caps.is_empty()
            && nat.scale >= 1.0
            && nat.pools.is_empty()
            && c.effects.is_empty();
        let (lo, hi) = count_bounds(&c.dist);
        if certain {
            t_min[c.tracked] += lo;
        }
        t_max[c.tracked] = t_max[c.tracked].zip(hi).map(|(a, b)| a.saturating_add(b));
    }
    let mut c_min = vec![0u64; nc];
    let mut c_max: Vec<Option<u64>> = vec![Some(0); nc];
    for (t, tr) in model.tracked.iter().enumerate() {
        c_min[tr.capability] += t_min[t];
        c_max[tr.capability] = c_max[tr.capability]
            .zip(t_max[t])
            .map(|(a, b)| a.saturating_add(b));
    }
    (t_min, t_max, c_min, c_max)
}

/// Per pool slot: the most its nation can deploy of the capability.
fn pool_maxima(model: &Model) -> Vec<Option<u64>> {
    model
        .nations
        .iter()
        .flat_map(|n| n.pools.iter().map(move |p| (n, p.capability)))
        .map(|(n, cap)| {
            model.contributions[n.contributions.clone()]
                .iter()
                .filter(|c| c.capability == cap)
                .try_fold(0u64, |a, c| {
                    count_bounds(&c.dist).1.map(|h| a.saturating_add(h))
                })
        })
        .collect()
}

/// Per domain and the force: the histogram of the day of coverage (none
/// without a timeline).
fn coverage_days(model: &Model) -> Vec<Hist> {
    if model.timeline_days.is_empty() {
        return Vec::new();
    }
    (0..=model.domains.len() + usize::from(model.force.is_some()))
        .map(|_| Hist::with_dense(0, COVERAGE_DAYS))
        .collect()
}

/// Per force requirement drawn (or scaled by effects): the histograms of its gap
/// and of its value, laid out by `hist`.
type ForceHists = (Vec<Option<Hist>>, Vec<Option<Hist>>);

fn force_hists(model: &Model, hist: &mut impl FnMut(u64, Option<u64>) -> Hist) -> ForceHists {
    let force = model.force.as_deref().unwrap_or_default();
    let random: Vec<_> = force
        .iter()
        .map(|r| {
            r.constant()
                .is_none()
                .then(|| scaled_bounds(&r.dist, &r.effects))
        })
        .collect();
    let gaps = random
        .iter()
        .map(|b| b.map(|(_, hi)| hist(0, hi)))
        .collect();
    let required = random
        .iter()
        .map(|b| b.map(|(lo, hi)| hist(lo, hi)))
        .collect();
    (gaps, required)
}

impl Tally {
    /// An empty tally shaped for `model`, with histogram pages allocated over the
    /// range the model can produce.
    pub fn new(model: &Model) -> Tally {
        Tally::with_budget(model, DENSE_BUDGET)
    }

    /// [`Tally::with_budget`] keeping only the histograms `keep` names: the
    /// others keep nothing ([`Hist::off`]), so figures read from them are empty.
    /// Every count, and so every probability, is that of [`Tally::new`].
    pub fn keeping(model: &Model, budget: usize, keep: &Keep) -> Tally {
        let mut t = Tally::with_budget(model, budget);
        let Keep::Some { totals, days } = keep else {
            return t;
        };
        let off = |h: &mut Hist| *h = Hist::off(h.offset());
        let some = |v: &mut Vec<Option<Hist>>| v.iter_mut().flatten().for_each(off);
        some(&mut t.force_gaps);
        some(&mut t.force_required);
        some(&mut t.gaps);
        some(&mut t.required);
        t.pool_cut.iter_mut().for_each(off);
        t.provided.iter_mut().for_each(off);
        let named = |c: usize| totals.get(c).copied().unwrap_or(false);
        for v in [&mut t.totals, &mut t.committed] {
            v.iter_mut()
                .enumerate()
                .filter(|(c, _)| !named(*c))
                .for_each(|(_, h)| off(h));
        }
        if !days {
            t.coverage_day.iter_mut().for_each(off);
        }
        t
    }

    /// [`Tally::new`] with at most `budget` contiguous bins in all: where many
    /// tallies are held at once (one per variant and worker), each takes a
    /// share. Which bins are contiguous changes no figure.
    pub fn with_budget(model: &Model, budget: usize) -> Tally {
        let nn = model.nations.len();
        let nd = model.domains.len();
        let nt = model.tracked.len();
        let nc = model.capabilities.len();
        let days = model.timeline_days.len();
        let (t_min, t_max, c_min, c_max) = bounds(model);
        // Expected ranges kept bin by bin within one budget, the same for every
        // tally of the model (first come, first served); contiguous bins for them
        // within this tally's budget; histograms beyond it keep only the bins
        // they observe.
        let (mut fine_left, mut budget) = (DENSE_BUDGET, budget);
        let mut hist = |offset: u64, max: Option<u64>| {
            let len = Hist::dense_len(offset, max);
            let fine = if len <= fine_left { len } else { 0 };
            fine_left -= fine;
            if fine == 0 || fine > budget {
                return Hist::paged(offset, fine);
            }
            budget -= fine;
            Hist::with_dense(offset, fine)
        };
        let totals = (0..nc).map(|c| hist(c_min[c], c_max[c])).collect();
        let provided = (0..nt).map(|t| hist(t_min[t], t_max[t])).collect();
        let gaps = (0..nt)
            .map(|t| random_bounds(model, t).map(|(_, hi)| hist(0, hi)))
            .collect();
        let required = (0..nt)
            .map(|t| random_bounds(model, t).map(|(lo, hi)| hist(lo, hi)))
            .collect();
        let nf = model.force.as_ref().map_or(0, Vec::len);
        let (force_gaps, force_required) = force_hists(model, &mut hist);
        // The new histograms come last, so that the others keep their bins.
        let rot = model.nations.iter().map(|n| n.rotation).max().unwrap_or(1);
        let committed = (0..nc)
            .map(|c| hist(c_min[c], c_max[c].map(|m| m.saturating_mul(rot))))
            .collect();
        let pool_cut = pool_maxima(model).into_iter().map(|m| hist(0, m)).collect();
        let mut t = Tally {
            trials: 0,
            mounted: 0,
            all_covered: 0,
            nation_in: vec![0; nn],
            nation_in_all: vec![0; nn],
            condition_true: vec![0; model.conditions.len()],
            covered: vec![0; nd],
            leaderless: vec![0; nd],
            lead_short: vec![0; nd],
            leads: vec![0; model.lead_slots()],
            pool_binds: vec![0; model.pool_slots()],
            pool_drawn: vec![0; model.pool_slots()],
            pool_cut,
            committed,
            force_covered: 0,
            force_met: vec![0; nf],
            force_required_sum: vec![0; nf],
            force_gaps,
            force_required,
            met: vec![0; nt],
            required_sum: vec![0; nt],
            above: vec![0; model.thresholds.iter().map(Vec::len).sum()],
            contributed: vec![0; model.contributions.len()],
            timeline_all: vec![0; days],
            timeline_domain: vec![0; days * nd],
            timeline_force: vec![0; if model.force.is_some() { days } else { 0 }],
            coverage_day: coverage_days(model),
            totals,
            provided,
            gaps,
            required,
        };
        let cap = HELD_BUDGET / t.hists_mut().count().max(1);
        t.hists_mut().for_each(|h| h.set_cap(cap));
        t
    }

    /// Every histogram of the tally.
    pub fn hists_mut(&mut self) -> impl Iterator<Item = &mut Hist> {
        let optional = self.gaps.iter_mut().chain(&mut self.required);
        let optional = optional
            .chain(&mut self.force_gaps)
            .chain(&mut self.force_required);
        self.totals
            .iter_mut()
            .chain(&mut self.provided)
            .chain(&mut self.committed)
            .chain(&mut self.pool_cut)
            .chain(&mut self.coverage_day)
            .chain(optional.flatten())
    }
}

fn add_all<T: AddAssign + Copy>(a: &mut [T], b: &[T]) {
    debug_assert_eq!(a.len(), b.len());
    for (x, y) in a.iter_mut().zip(b) {
        *x += *y;
    }
}

impl AddAssign<&Tally> for Tally {
    fn add_assign(&mut self, o: &Tally) {
        self.trials += o.trials;
        self.mounted += o.mounted;
        self.all_covered += o.all_covered;
        self.force_covered += o.force_covered;
        add_all(&mut self.lead_short, &o.lead_short);
        add_all(&mut self.pool_binds, &o.pool_binds);
        add_all(&mut self.pool_drawn, &o.pool_drawn);
        for (a, b) in self.pool_cut.iter_mut().zip(&o.pool_cut) {
            a.merge(b);
        }
        for (a, b) in self.committed.iter_mut().zip(&o.committed) {
            a.merge(b);
        }
        add_all(&mut self.force_met, &o.force_met);
        add_all(&mut self.force_required_sum, &o.force_required_sum);
        add_all(&mut self.timeline_force, &o.timeline_force);
        for (a, b) in self.force_gaps.iter_mut().zip(&o.force_gaps) {
            if let (Some(a), Some(b)) = (a, b) {
                a.merge(b);
            }
        }
        for (a, b) in self.force_required.iter_mut().zip(&o.force_required) {
            if let (Some(a), Some(b)) = (a, b) {
                a.merge(b);
            }
        }
        add_all(&mut self.nation_in, &o.nation_in);
        add_all(&mut self.nation_in_all, &o.nation_in_all);
        add_all(&mut self.condition_true, &o.condition_true);
        add_all(&mut self.covered, &o.covered);
        add_all(&mut self.leaderless, &o.leaderless);
        add_all(&mut self.leads, &o.leads);
        add_all(&mut self.met, &o.met);
        add_all(&mut self.required_sum, &o.required_sum);
        add_all(&mut self.above, &o.above);
        add_all(&mut self.contributed, &o.contributed);
        add_all(&mut self.timeline_all, &o.timeline_all);
        add_all(&mut self.timeline_domain, &o.timeline_domain);
        for (a, b) in self.coverage_day.iter_mut().zip(&o.coverage_day) {
            a.merge(b);
        }
        for (a, b) in self.totals.iter_mut().zip(&o.totals) {
            a.merge(b);
        }
        for (a, b) in self.provided.iter_mut().zip(&o.provided) {
            a.merge(b);
        }
        for (a, b) in self.gaps.iter_mut().zip(&o.gaps) {
            if let (Some(a), Some(b)) = (a, b) {
                a.merge(b);
            }
        }
        for (a, b) in self.required.iter_mut().zip(&o.required) {
            if let (Some(a), Some(b)) = (a, b) {
                a.merge(b);
            }
        }
    }
}

/// Summary statistics of one figure across trials.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Stats {
    /// Mean.
    pub mean: f64,
    /// Population standard deviation.
    pub sd: f64,
    /// Smallest value.
    pub min: f64,
    /// 5th percentile (type 1: smallest v with ≥ ⌈0.05·N⌉ trials ≤ v).
    pub p05: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Largest value.
    pub max: f64,
    /// Present when a quantile above comes from a bin of more than one value
    /// (far beyond the histogram's start, or grouped to bound memory): the most
    /// any of them can differ from the exact quantile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<f64>,
}

impl Stats {
    /// The statistics of a histogram.
    pub fn of(h: &Hist) -> Stats {
        if h.n == 0 {
            return Stats::default();
        }
        let bins = h.quantile_bins([(5, 100), (25, 100), (50, 100), (75, 100), (95, 100)]);
        let [p05, p25, p50, p75, p95] = bins.map(|b| b.map_or(h.max as f64, |b| h.value_of(b)));
        let within = bins
            .iter()
            .flatten()
            .map(|&b| h.error_of(b))
            .fold(0.0, f64::max);
        Stats {
            mean: h.mean(),
            sd: h.sd(),
            min: h.min as f64,
            p05,
            p25,
            p50,
            p75,
            p95,
            max: h.max as f64,
            within: (within > 0.0).then_some(within),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[scenario]
name = "Offsets"
[capabilities]
troops = { unit = "personnel" }
[domains.land]
requirements = { troops = { uniform = [100, 300] } }
[nations.A]
participation = 1.0
contributions.land.troops = 600
"#;

    fn model() -> Model {
        crate::scenario::parse("o.toml", TEXT, &[]).expect("valid")
    }

    #[test]
    fn histograms_start_where_values_can_fall() {
        let m = model();
        let t = Tally::new(&m);
        // A certain participant's fixed contribution is the guaranteed minimum.
        assert_eq!(t.provided[0].offset(), 600);
        assert_eq!(t.totals[0].offset(), 600);
        assert_eq!(t.required[0].as_ref().map(Hist::offset), Some(100));
        // Its nation's scale below 1 can shrink it: no minimum.
        let mut m2 = model();
        m2.nations[0].scale = 0.5;
        assert_eq!(Tally::new(&m2).provided[0].offset(), 0);
        assert_eq!(Tally::new(&m2).totals[0].offset(), 0);
        // Nor when an effect scales it, or the requirement.
        let mut m3 = model();
        m3.contributions[0].effects = vec![0];
        m3.domains[0].requirements[0].effects = vec![0];
        let t3 = Tally::new(&m3);
        assert_eq!(t3.provided[0].offset(), 0);
        assert_eq!(t3.required[0].as_ref().map(Hist::offset), Some(0));
        // A scale above 1 only raises it.
        let mut m4 = model();
        m4.nations[0].scale = 1.5;
        assert_eq!(Tally::new(&m4).provided[0].offset(), 600);
    }

    #[test]
    fn a_smaller_budget_changes_no_figure() {
        let m = model();
        let full = crate::engine::run_serial(&m, 3, 5000, 0..1);
        let mut lean = Tally::with_budget(&m, 0);
        assert!(
            lean.required[0]
                .as_ref()
                .is_some_and(|h| h.bins().count() == 0)
        );
        lean += &full;
        assert_eq!(lean, full);
        let req = |t: &Tally| t.required[0].as_ref().map(|h| h.quantile(1, 2));
        assert_eq!(req(&lean), req(&full));
    }
}

//! Variants run on the same trials, block by block, with paired sums of their
//! per-trial outcomes.
//!
//! Every variant of a scenario draws each entity's random numbers from the same
//! streams (common random numbers), so trial `i` of one variant and trial `i` of
//! another differ only by what the variants change. [`run`] runs every variant
//! on each block in one worker pass (each variant's model compiled once, its
//! buffers reused for every block), records the per-trial outcomes of the block
//! ([`Outcomes`]) and accumulates, for each requested pair `(a, b)`, integer sums
//! of the per-trial differences `b − a`:
//!
//! - for an indicator (every domain covered, one domain covered): the discordant
//!   pairs `n10` (b covered, a not) and `n01` (a covered, b not);
//! - for a capability's total: Σd and Σd².
//!
//! The sums are integers, merged across workers by addition: the result does not
//! depend on the thread count. The paired 95 % interval of a difference of
//! indicators combines the Wilson intervals of the two discordant cells (`n10/n`
//! and `n01/n`) by the MOVER method (Zou and Donner 2008, "Construction of
//! confidence limits about effect measures: a general approach", Statistics in
//! Medicine 27: 1693–1702), with the cells' multinomial correlation. It keeps its
//! coverage where few or no trials are discordant, the usual case on common
//! random numbers, where a change moves trials one way only (the Wald interval
//! then has zero width). That of a difference of means is
//! `d̄ ± z·s/√n`, `s²` the sample variance of the per-trial differences, where
//! the differences vary (not every trial's the same): else none (the caller
//! keeps the interval that treats the runs as independent). Variants whose
//! models are the same in everything the trials use differ by exactly 0 in
//! every trial, with the interval [0, 0].

use std::ops::Range;
use std::sync::Mutex;
use std::time::Instant;

use crate::engine::{
    BLOCK_TRIALS, Control, EngineError, Outcomes, Plan, Scratch, block_count, block_len, in_waves,
};
use crate::math::wilson;
use crate::model::Model;
use crate::stats::{Keep, Tally};

/// Discordant pairs of an indicator between variants `a` and `b`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Discordant {
    /// Trials where `b` holds and `a` does not.
    pub n10: u64,
    /// Trials where `a` holds and `b` does not.
    pub n01: u64,
}

impl Discordant {
    /// The paired 95 % interval of `P(b) − P(a)` over `n` trials: the MOVER
    /// method (Zou and Donner 2008) on the two discordant cells, each with its
    /// Wilson interval, and their multinomial correlation (Newcombe's
    /// square-and-add); within [−1, 1].
    pub fn ci95(&self, n: u64) -> Option<[f64; 2]> {
        if n == 0 {
            return None;
        }
        let nf = n as f64;
        let (p, q) = (self.n10 as f64 / nf, self.n01 as f64 / nf);
        let ([lp, up], [lq, uq]) = (wilson(self.n10, n), wilson(self.n01, n));
        // Corr(p̂, q̂) of two cells of one multinomial: −√(pq / ((1 − p)(1 − q))).
        let den = (1.0 - p) * (1.0 - q);
        let r = if den > 0.0 {
            -(p * q / den).sqrt()
        } else {
            0.0
        };
        let spread = |a: f64, b: f64| (a * a + b * b - 2.0 * r * a * b).max(0.0).sqrt();
        let d = p - q;
        let lo = d - spread(p - lp, uq - q);
        let hi = d + spread(up - p, q - lq);
        Some([lo.max(-1.0), hi.min(1.0)])
    }
}

/// Σd and Σd² of the per-trial differences of a total between `a` and `b`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiffSums {
    /// Σ (b − a).
    pub sum: i128,
    /// Σ (b − a)².
    pub sum_sq: u128,
}

impl DiffSums {
    /// Adds the per-trial differences `b − a`.
    fn add(&mut self, a: &[u64], b: &[u64]) {
        for (&x, &y) in a.iter().zip(b) {
            let d = i128::from(y) - i128::from(x);
            self.sum += d;
            self.sum_sq += d.unsigned_abs() * d.unsigned_abs();
        }
    }

    /// Half the width of the paired 95 % interval of `mean(b) − mean(a)` over
    /// `n` trials; `None` where the differences do not vary (fewer than two
    /// trials, or every trial's difference the same: their spread says nothing
    /// of trials in which they would differ).
    pub fn half95(&self, n: u64) -> Option<f64> {
        if n < 2 || !self.varies(n) {
            return None;
        }
        let nf = n as f64;
        let mean = self.sum as f64 / nf;
        let var = ((self.sum_sq as f64 - nf * mean * mean) / (nf - 1.0)).max(0.0);
        Some(crate::quantile::t95(nf - 1.0) * (var / nf).sqrt())
    }

    /// Whether the `n` per-trial differences are not all the same: `n·Σd² >
    /// (Σd)²`, in integers where they fit.
    fn varies(&self, n: u64) -> bool {
        let square = self.sum.unsigned_abs().checked_mul(self.sum.unsigned_abs());
        match (self.sum_sq.checked_mul(u128::from(n)), square) {
            (Some(a), Some(b)) => a > b,
            _ => {
                let mean = self.sum as f64 / n as f64;
                self.sum_sq as f64 > n as f64 * mean * mean
            }
        }
    }
}

/// The paired sums of one pair of variants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairSums {
    /// Trials paired.
    pub trials: u64,
    /// Trials mounted in both variants: the figures' denominator.
    pub mounted: u64,
    /// Trials mounted in one variant only: then the two figures are over
    /// different trials, and no paired interval applies.
    pub gate_differs: u64,
    /// The mission mounted.
    pub mount: Discordant,
    /// Every domain covered (false where the mission is not mounted).
    pub all: Discordant,
    /// Each domain covered.
    pub covered: Vec<Discordant>,
    /// Each capability's total.
    pub totals: Vec<DiffSums>,
    /// Each capability's committed force.
    pub committed: Vec<DiffSums>,
    /// The two models are the same in everything the trials use
    /// ([`Model::same_trials`]): every difference is exactly 0.
    pub identical: bool,
}

impl PairSums {
    fn new(domains: usize, capabilities: usize) -> PairSums {
        PairSums {
            trials: 0,
            mounted: 0,
            gate_differs: 0,
            mount: Discordant::default(),
            all: Discordant::default(),
            covered: vec![Discordant::default(); domains],
            totals: vec![DiffSums::default(); capabilities],
            committed: vec![DiffSums::default(); capabilities],
            identical: false,
        }
    }

    /// Adds the first `len` trials of a block recorded for `a` and for `b`.
    fn add(&mut self, a: &Outcomes, b: &Outcomes, len: usize) {
        let stride = BLOCK_TRIALS as usize;
        self.trials += len as u64;
        for (&x, &y) in a.mounted[..len].iter().zip(&b.mounted[..len]) {
            self.mounted += u64::from(x & y);
            self.gate_differs += u64::from(x != y);
        }
        discord(&mut self.mount, &a.mounted[..len], &b.mounted[..len]);
        discord(&mut self.all, &a.all[..len], &b.all[..len]);
        for (d, acc) in self.covered.iter_mut().enumerate() {
            let r = d * stride..d * stride + len;
            discord(acc, &a.covered[r.clone()], &b.covered[r]);
        }
        for (c, acc) in self.totals.iter_mut().enumerate() {
            let r = c * stride..c * stride + len;
            acc.add(&a.totals[r.clone()], &b.totals[r]);
        }
        for (c, acc) in self.committed.iter_mut().enumerate() {
            let r = c * stride..c * stride + len;
            acc.add(&a.committed[r.clone()], &b.committed[r]);
        }
    }

    fn merge(&mut self, o: &PairSums) {
        self.trials += o.trials;
        self.mounted += o.mounted;
        self.gate_differs += o.gate_differs;
        self.mount.n10 += o.mount.n10;
        self.mount.n01 += o.mount.n01;
        self.all.n10 += o.all.n10;
        self.all.n01 += o.all.n01;
        for (a, b) in self.covered.iter_mut().zip(&o.covered) {
            a.n10 += b.n10;
            a.n01 += b.n01;
        }
        for (a, b) in self.totals.iter_mut().zip(&o.totals) {
            a.sum += b.sum;
            a.sum_sq += b.sum_sq;
        }
        for (a, b) in self.committed.iter_mut().zip(&o.committed) {
            a.sum += b.sum;
            a.sum_sq += b.sum_sq;
        }
    }
}

fn discord(acc: &mut Discordant, a: &[bool], b: &[bool]) {
    let (mut n10, mut n01) = (0u64, 0u64);
    for (&x, &y) in a.iter().zip(b) {
        n10 += u64::from(y & !x);
        n01 += u64::from(x & !y);
    }
    acc.n10 += n10;
    acc.n01 += n01;
}

/// What a paired pass produced.
#[derive(Debug, Clone)]
pub struct Pass {
    /// Per variant: its merged tally (the same as a run of it alone).
    pub tallies: Vec<Tally>,
    /// Per requested pair: the paired sums.
    pub pairs: Vec<PairSums>,
    /// Whether a stop request ended the pass before every block.
    pub interrupted: bool,
    /// Worker threads used.
    pub threads: usize,
    /// Seconds the pass took.
    pub elapsed_s: f64,
}

struct Worker {
    scratches: Vec<Scratch>,
    tallies: Vec<Tally>,
    pairs: Vec<PairSums>,
}

/// Runs `trials` trials of every model seeded `seed`, each block of every model in
/// the same worker pass, and sums the paired differences of each pair `(a, b)` of
/// model indices. The models must count the same domains and capabilities as
/// `models[0]` where they are paired (variants of one scenario do).
pub fn run(
    models: &[Model],
    pairs: &[(usize, usize)],
    seed: u64,
    trials: u64,
    threads: usize,
    control: Control<'_>,
) -> Result<Pass, EngineError> {
    run_with(models, pairs, (seed, trials, threads), control, &Keep::All)
}

/// [`run`], with tallies that keep only the histograms `keep` names
/// ([`Tally::keeping`]): for an analysis that reads only some figures.
pub fn run_with(
    models: &[Model],
    pairs: &[(usize, usize)],
    (seed, trials, threads): (u64, u64, usize),
    control: Control<'_>,
    keep: &Keep,
) -> Result<Pass, EngineError> {
    let start = Instant::now();
    let (pool, threads) = crate::engine::pool(threads)?;
    let plans: Vec<Plan> = pool.install(|| models.iter().map(Plan::new).collect());
    let (nd, nc) = models
        .first()
        .map_or((0, 0), |m| (m.domains.len(), m.capabilities.len()));
    let budget = budget(models.len(), threads);
    let workers: Vec<Mutex<Worker>> = pool.install(|| {
        use rayon::prelude::*;
        (0..threads)
            .into_par_iter()
            .map(|_| Mutex::new(worker(models, &plans, pairs.len(), (nd, nc, budget), keep)))
            .collect()
    });
    let blocks = block_count(trials);
    let done = waves(&pool, &workers, 0..blocks, trials, control, &|w, b| {
        block(&plans, pairs, seed, trials, b, w)
    });
    let (tallies, mut sums) = pool.install(|| totals(workers, PairSums::new(nd, nc), pairs.len()));
    for (s, &(a, b)) in sums.iter_mut().zip(pairs) {
        s.identical = models[a].same_trials(&models[b]);
    }
    Ok(Pass {
        tallies,
        pairs: sums,
        interrupted: done < blocks,
        threads,
        elapsed_s: start.elapsed().as_secs_f64(),
    })
}

/// The workers' tallies and paired sums added up, variant by variant in
/// parallel. The first worker's tallies become the totals: no third set is
/// allocated.
fn totals(
    workers: Vec<Mutex<Worker>>,
    empty: PairSums,
    npairs: usize,
) -> (Vec<Tally>, Vec<PairSums>) {
    use rayon::prelude::*;
    let mut tallies: Vec<Tally> = Vec::new();
    let mut sums = vec![empty; npairs];
    for w in workers {
        let w = w.into_inner().unwrap_or_else(|e| e.into_inner());
        if tallies.is_empty() {
            tallies = w.tallies;
        } else {
            tallies
                .par_iter_mut()
                .zip(w.tallies.par_iter())
                .for_each(|(t, wt)| *t += wt);
        }
        for (s, ws) in sums.iter_mut().zip(&w.pairs) {
            s.merge(ws);
        }
    }
    (tallies, sums)
}

/// Contiguous histogram bins in all the tallies of a pass (2^26 bins, 512 MiB
/// at most): 16 runs' worth. More buys little speed for much memory (the
/// reference sensitivity at 100,000 trials: 64 runs' worth, 12.4 s and 2.5 GB
/// peak; 16, 14.8 s and 1.8 GB; 1, 17.5 s and 1.7 GB).
const PASS_BUDGET: usize = 16 * crate::stats::DENSE_BUDGET;

/// Contiguous histogram bins per tally when `variants` tallies are held by each
/// of `threads` workers: the pass's budget shared out, so that the contiguous
/// bins do not grow with the number of variants.
fn budget(variants: usize, threads: usize) -> usize {
    (PASS_BUDGET / (variants.max(1) * threads.max(1))).max(1 << 12)
}

fn worker(
    models: &[Model],
    plans: &[Plan],
    npairs: usize,
    dims: (usize, usize, usize),
    keep: &Keep,
) -> Worker {
    let (nd, nc, budget) = dims;
    Worker {
        scratches: plans
            .iter()
            .map(|p| {
                let mut s = Scratch::lean(p);
                s.outcomes = Some(Outcomes::new(p));
                s
            })
            .collect(),
        tallies: models
            .iter()
            .map(|m| Tally::keeping(m, budget, keep))
            .collect(),
        pairs: vec![PairSums::new(nd, nc); npairs],
    }
}

/// One block of every model, then the block's pairs.
fn block(plans: &[Plan], pairs: &[(usize, usize)], seed: u64, trials: u64, b: u64, w: &mut Worker) {
    let len = block_len(trials, b);
    let Worker {
        scratches,
        tallies,
        pairs: sums,
    } = w;
    for ((plan, s), t) in plans
        .iter()
        .zip(scratches.iter_mut())
        .zip(tallies.iter_mut())
    {
        crate::engine::run_block(plan, seed, b, len, s, t);
    }
    for (acc, &(a, bb)) in sums.iter_mut().zip(pairs) {
        if let (Some(x), Some(y)) = (&scratches[a].outcomes, &scratches[bb].outcomes) {
            acc.add(x, y, len as usize);
        }
    }
}

/// Runs `range` in waves of blocks over the pool ([`in_waves`]), honouring the
/// stop flag between waves; returns the end of the finished prefix.
fn waves(
    pool: &rayon::ThreadPool,
    workers: &[Mutex<Worker>],
    range: Range<u64>,
    trials: u64,
    control: Control<'_>,
    f: &(dyn Fn(&mut Worker, u64) + Sync),
) -> u64 {
    in_waves(pool, workers.len(), (range, trials), control, &|b| {
        let i = rayon::current_thread_index().unwrap_or(0) % workers.len();
        let mut w = workers[i].lock().unwrap_or_else(|e| e.into_inner());
        f(&mut w, b);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[scenario]
name = "t"
[capabilities]
troops = { unit = "personnel" }
[domains.land]
requirements = { troops = 10 }
[nations.A]
participation = 0.6
contributions.land.troops = 10
[nations.B]
participation = 0.3
contributions.land.troops = { triangular = [5, 10, 15] }
"#;

    fn model(sets: &[&str]) -> Model {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        crate::scenario::parse("t.toml", TEXT, &sets).unwrap()
    }

    /// The MOVER interval, computed by hand: with no discordant trial it is the
    /// Wilson interval of 0 of n either way, ±z²/(n + z²), and holds a small true
    /// difference; with trials one way only, the upper end is the Wilson bound
    /// of that cell.
    #[test]
    fn discordant_intervals_keep_their_width_without_discordant_trials() {
        let none = Discordant { n10: 0, n01: 0 };
        let [lo, hi] = none.ci95(1000).unwrap();
        let z2 = crate::math::Z95 * crate::math::Z95;
        let u0 = z2 / (1000.0 + z2);
        assert!((hi - u0).abs() < 1e-15 && (lo + u0).abs() < 1e-15);
        assert!(lo < 0.0005 && 0.0005 < hi);
        let one_way = Discordant { n10: 3, n01: 0 };
        let [lo, hi] = one_way.ci95(4000).unwrap();
        let [l3, u3] = wilson(3, 4000);
        assert!((hi - u3).abs() < 1e-15);
        let p = 3.0 / 4000.0;
        let spread = ((p - l3).powi(2) + (z2 / (4000.0 + z2)).powi(2)).sqrt();
        assert!((lo - (p - spread)).abs() < 1e-15);
        // Both ways: the cells' correlation −√(pq/((1 − p)(1 − q))) widens it.
        let both = Discordant { n10: 30, n01: 10 };
        let [lo, hi] = both.ci95(200).unwrap();
        let (p, q) = (0.15f64, 0.05f64);
        let ([lp, up], [lq, uq]) = (wilson(30, 200), wilson(10, 200));
        let r = -(p * q / ((1.0 - p) * (1.0 - q))).sqrt();
        let s = |a: f64, b: f64| (a * a + b * b - 2.0 * r * a * b).sqrt();
        assert!((lo - (0.1 - s(p - lp, uq - q))).abs() < 1e-15);
        assert!((hi - (0.1 + s(up - p, q - lq))).abs() < 1e-15);
        // Within [−1, 1], even for one trial; none for none.
        let [lo, hi] = Discordant { n10: 1, n01: 0 }.ci95(1).unwrap();
        assert!((-1.0..=1.0).contains(&lo) && hi == 1.0);
        assert_eq!(none.ci95(0), None);
    }

    /// Exact coverage of a change that moves trials one way only (the usual case
    /// on common random numbers): n10 ~ Binomial(n, δ), n01 = 0. Over true
    /// differences of 0.1 to 60 trials in 1,000, the interval holds δ with
    /// probability at least 94.5 % (the Wald interval of the discordant pairs
    /// fell to 0 %, and one with ½ added to each cell to 86 %, near 2 trials).
    #[test]
    fn one_way_changes_are_covered_at_the_nominal_rate() {
        let n = 1000u64;
        for tenths in 1..=600 {
            let delta = f64::from(tenths) / 10.0 / n as f64;
            // P(n10 = k), from the binomial's ratio of successive terms.
            let mut pk = (1.0 - delta).powf(n as f64);
            let mut covered = 0.0;
            for k in 0..=n {
                let [lo, hi] = Discordant { n10: k, n01: 0 }.ci95(n).unwrap();
                if lo <= delta && delta <= hi {
                    covered += pk;
                }
                pk *= (n - k) as f64 / (k + 1) as f64 * delta / (1.0 - delta);
                if pk < 1e-300 && k as f64 > delta * n as f64 {
                    break;
                }
            }
            assert!(covered >= 0.945, "δ = {delta}: {covered}");
        }
    }

    /// A mean's paired interval needs differences that vary.
    #[test]
    fn differences_that_do_not_vary_give_no_interval() {
        let mut same = DiffSums::default();
        same.add(&[1, 2, 3], &[4, 5, 6]);
        assert_eq!(same.half95(3), None);
        let mut zero = DiffSums::default();
        zero.add(&[7, 7], &[7, 7]);
        assert_eq!(zero.half95(2), None);
        let mut one = DiffSums::default();
        one.add(&[0], &[5]);
        assert_eq!(one.half95(1), None);
        // Differences 3 and 5: s² = 2, half = t(1 df)·√(2/2), t = 12.7062047.
        let mut two = DiffSums::default();
        two.add(&[1, 1], &[4, 6]);
        assert!((two.half95(2).unwrap() - 12.706_204_736_174_7).abs() < 1e-9);
    }

    /// Variants that differ only in what the trials do not use are the same.
    #[test]
    fn models_the_same_in_what_the_trials_use() {
        let base = model(&[]);
        assert!(base.same_trials(&model(&["nations.A.participation=0.6"])));
        assert!(base.same_trials(&model(&["scenario.name=\"other\""])));
        assert!(!base.same_trials(&model(&["nations.A.participation=0.6000001"])));
    }

    /// Each variant's tally is the tally of a run of it alone, and the paired sums
    /// do not depend on the thread count.
    #[test]
    fn tallies_match_single_runs_and_threads_do_not_matter() {
        let models = vec![model(&[]), model(&["nations.A.decision=out"])];
        let trials = 3 * BLOCK_TRIALS + 11;
        let one = run(&models, &[(0, 1)], 7, trials, 1, Control::default()).unwrap();
        let three = run(&models, &[(0, 1)], 7, trials, 3, Control::default()).unwrap();
        assert_eq!(one.pairs, three.pairs);
        for (m, t) in models.iter().zip(&one.tallies) {
            let alone = crate::engine::run_serial(m, 7, trials, 0..block_count(trials));
            assert_eq!(t, &alone);
        }
        let p = &one.pairs[0];
        assert_eq!(p.trials, trials);
        // Losing A can only uncover trials: no trial is covered only without it.
        assert_eq!(p.all.n10, 0);
        let diff = one.tallies[1].all_covered as i64 - one.tallies[0].all_covered as i64;
        assert_eq!(p.all.n10 as i64 - p.all.n01 as i64, diff);
    }
}

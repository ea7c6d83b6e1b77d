//! One block of trials: the semantics of docs/design.md's numbered steps, on the flat
//! arrays of a [`Plan`], in stages over batches of trials.
//!
//! Random draws are counter-based (see [`crate::streams`]): the words a condition,
//! a bloc factor, a nation's decision, a nation's readiness, a contribution or a
//! random requirement uses in trial t are a function of (seed, its key, t) alone.
//! A block computes each entity's key once and each trial's key once per batch;
//! then a batch of [`BATCH`] trials is run step by step — every condition for the
//! whole batch, then every nation's decision, then each contribution for the trials
//! in which its nation takes part, then the domains, then the tallies. Each stage
//! is a tight loop over trials with one sampler, no data-dependent dispatch and no
//! dependency from one trial to the next: the words of a one-word draw (a uniform,
//! a triangular, a condition or a decision) are pure arithmetic on two keys, which
//! the compiler runs in SIMD lanes, and the other draws overlap in the processor.
//!
//! With a mission gate (`[mission] requires`), the conditions are drawn and
//! counted in every trial of the batch; the batch is then compacted to its
//! mounted trials (their trial keys and conditions moved to the front, in
//! order) and every later stage runs on those only. Each draw still uses its
//! trial's own key, so a trial's values do not depend on which other trials
//! were mounted. Format-2 parts a scenario does not use (effects, nation scales,
//! co-lead entries and obligations, the force) are chosen per entity outside the
//! trial loops, so a format-1 scenario runs the format-1 loops.
//!
//! Nothing here allocates, hashes or touches a string: every buffer lives in a
//! [`Scratch`] made once per worker, and every figure goes into the worker's
//! [`Tally`] by index.

use super::days::{self, DayScratch};
use super::plan::{CapP, Decision, GroupP, NO_BLOC, NO_SLOT, Plan, ProbP, ReqP, obligation_need};
use super::trace::Trace;
use crate::dist::{BetaSampler, Sampler, discrete_from_units, std_normal, std_normals, unit};
use crate::isa::{Isa, multiversion};
use crate::math::to_count;
use crate::stats::Tally;
use crate::streams::{BLOCK_TRIALS, TrialRng, entity_key, trial_base, trial_key};

/// Trials per batch, at most. Wider batches spread each stage's fixed costs
/// over more trials and give longer vector loops (more so with a mission gate,
/// which leaves a batch's stages only its mounted trials); narrower ones keep
/// the buffers in the nearer caches.
pub const BATCH: usize = 1024;

/// Trials per batch of a worker that holds buffers for many models at once
/// (a paired pass: one per variant), at most.
pub const LEAN_BATCH: usize = 256;

/// Per-trial buffer entries a worker's batch may hold (1 Mi entries, 8 MiB):
/// the batch is as wide as this allows, up to [`BATCH`], so that a scenario with
/// many nations or tracked pairs gets narrower batches.
const BUFFER_ENTRIES: usize = 1 << 20;

/// Per-trial outcomes of one block, recorded when a caller asks for them (paired
/// comparisons of variants on the same trials): for each trial of the block,
/// whether the mission was mounted, whether everything (every domain and the
/// force) was covered, whether each domain was covered, and each capability's
/// total. A trial not mounted records false, false and 0. Laid out entity-major
/// with stride [`BLOCK_TRIALS`].
#[derive(Debug, Clone, Default)]
pub struct Outcomes {
    /// Per trial: the mission was mounted.
    pub mounted: Vec<bool>,
    /// Per trial: every domain and the force covered.
    pub all: Vec<bool>,
    /// Per domain and trial: the domain covered.
    pub covered: Vec<bool>,
    /// Per capability and trial: the total across domains.
    pub totals: Vec<u64>,
    /// Per capability and trial: the committed force (Σ deployed × rotation).
    pub committed: Vec<u64>,
    /// Trials recorded so far in this block.
    pub len: usize,
}

impl Outcomes {
    /// Buffers for one block of `plan`'s scenario.
    pub fn new(plan: &Plan) -> Outcomes {
        let n = BLOCK_TRIALS as usize;
        Outcomes {
            mounted: vec![false; n],
            all: vec![false; n],
            covered: vec![false; plan.domains.len() * n],
            totals: vec![0; plan.capabilities * n],
            committed: vec![0; plan.capabilities * n],
            len: 0,
        }
    }
}

/// Per-worker buffers, reused by every block and batch. Per-trial arrays are laid
/// out entity-major: `x[entity * b + trial]`, `b` the batch width.
pub struct Scratch {
    /// Per entity of each kind: its key in this run ([`entity_key`]).
    cond_key: Vec<u64>,
    bloc_key: Vec<u64>,
    nation_key: Vec<u64>,
    ready_key: Vec<u64>,
    contrib_key: Vec<u64>,
    req_key: Vec<u64>,
    effect_key: Vec<u64>,
    force_key: Vec<u64>,
    ambition_key: Vec<u64>,
    pool_key: Vec<u64>,
    /// Per listed trial of an ambitious nation: its common factor A.
    common: Vec<f64>,
    /// Per listed trial of an ambitious contribution: where its table places
    /// the amount, before rounding ([`crate::quantile::Tabled::brackets`]).
    lo: Vec<f64>,
    hi: Vec<f64>,
    /// Per contribution of a nation group and listed trial: its amount.
    grouped: Vec<u64>,
    /// Per listed trial of a nation: a pool drawn.
    pool_size: Vec<u64>,
    /// Per listed trial: the nation's deployed amount of a pool's capability.
    pool_need: Vec<u64>,
    /// Per capability and trial: the committed force (unused where every
    /// rotation is 1: then it is the total).
    committed: Vec<u64>,
    /// Per trial of the batch: its key ([`trial_key`]). With a mission gate,
    /// after the conditions: the mounted trials' keys, in order.
    tk: Vec<u64>,
    /// Per mounted trial of the batch: its place among all the batch's trials
    /// (the identity without a mission gate).
    pos: Vec<u16>,
    /// Per trial of the batch (all of them): the mission was mounted.
    mounted: Vec<bool>,
    /// Per effect and mounted trial: the scale it applies (1 where its
    /// condition does not have the value of `when`).
    scale: Vec<f64>,
    /// Per (lead entry, obligation) slot and mounted trial: what the entry's
    /// participating members provide to the obligation's requirement.
    obl_sum: Vec<u64>,
    /// Per mounted trial: a lead entry is present (and qualifies), and some entry
    /// of the domain is present.
    entry: Vec<bool>,
    any_present: Vec<bool>,
    /// Per force requirement and mounted trial: the requirement.
    force_req: Vec<u64>,
    /// Per listed trial of a nation: its trial key.
    keys: Vec<u64>,
    /// The run's trial-key base ([`trial_base`]).
    tbase: u64,
    /// The number, in the run, of the batch's first trial.
    first: u64,
    /// Per condition and trial: it holds.
    cond: Vec<bool>,
    /// Per bloc and trial: the common factor F.
    factor: Vec<f64>,
    /// Per nation and trial: it takes part.
    part: Vec<bool>,
    /// Per trial: a decision's threshold (probability, or its normal quantile).
    thr: Vec<f64>,
    /// Per trial: a decision's uniform, or its latent normal.
    draws: Vec<f64>,
    /// The trials whose decision the quantile grid leaves open.
    open: Vec<u16>,
    /// Per cap of a decision and trial: the cap's drawn probability.
    cap_p: Vec<f64>,
    /// Per nation: the trials (of the batch) in which it takes part, and how many.
    active: Vec<u16>,
    active_len: Vec<usize>,
    /// Per trial of a contribution's nation: the values drawn, and as counts.
    values: Vec<f64>,
    amounts: Vec<u64>,
    /// Per tracked pair and trial: amount provided.
    provided: Vec<u64>,
    /// Per capability and trial: total across domains.
    totals: Vec<u64>,
    /// Per tracked pair and trial: the requirement.
    required: Vec<u64>,
    /// Per domain and trial: it has a lead (or needs none).
    has_lead: Vec<bool>,
    /// Per trial: every domain is covered.
    all: Vec<bool>,
    /// Per trial: the domain being evaluated is covered.
    covered: Vec<bool>,
    /// The days-to-coverage stage's buffers.
    days: DayScratch,
    /// Trials per batch (the stride of the per-trial arrays).
    b: usize,
    /// Which copy of the stages to run.
    pub(crate) isa: Isa,
    /// When set, each block's per-trial outcomes are recorded here.
    pub outcomes: Option<Outcomes>,
    /// Where a traced run records each entity's values (tests only).
    pub(crate) trace: Option<Box<Trace>>,
}

/// The widest batch, up to `most` trials, whose buffers fit [`BUFFER_ENTRIES`].
fn batch_width(plan: &Plan, most: usize) -> usize {
    (BUFFER_ENTRIES / per_trial(plan)).clamp(1, most)
}

/// Entries the buffers hold per trial of a batch.
fn per_trial(plan: &Plan) -> usize {
    let nn = plan.nation_keys.len();
    3 * plan.tracked.max(1)
        + plan.effects.len()
        + plan.obligations.len()
        + plan.force_keys.len()
        + 3 * nn
        + plan.capabilities
        + plan
            .groups
            .iter()
            .map(|g| g.contribs.len())
            .max()
            .unwrap_or(0)
        + usize::from(!plan.unit_rotation) * plan.capabilities
        + usize::from(!plan.days.is_empty()) * DayScratch::per_trial(plan)
}

impl Scratch {
    /// Buffers sized for `plan`: batches as wide as [`BUFFER_ENTRIES`] allow, up
    /// to [`BATCH`] trials.
    pub fn new(plan: &Plan) -> Scratch {
        Scratch::with_batch(plan, batch_width(plan, BATCH))
    }

    /// Buffers for a worker that holds one for each of many models (a paired
    /// pass): batches of at most [`LEAN_BATCH`] trials, so that their memory
    /// grows less with the variants.
    pub fn lean(plan: &Plan) -> Scratch {
        Scratch::with_batch(plan, batch_width(plan, LEAN_BATCH))
    }

    /// Buffers for batches of `b` trials (results do not depend on `b`).
    pub fn with_batch(plan: &Plan, b: usize) -> Scratch {
        let nn = plan.nation_keys.len();
        let b = b.clamp(1, BATCH);
        let max_caps = plan
            .decisions
            .iter()
            .map(|d| d.caps.len())
            .max()
            .unwrap_or(0);
        let max_group = plan
            .groups
            .iter()
            .map(|g| g.contribs.len())
            .max()
            .unwrap_or(0);
        Scratch {
            cond_key: vec![0; plan.conditions.len()],
            bloc_key: vec![0; plan.bloc_keys.len()],
            nation_key: vec![0; nn],
            ready_key: vec![0; nn],
            contrib_key: vec![0; plan.contribs.len()],
            req_key: vec![0; plan.reqs.len()],
            effect_key: vec![0; plan.effects.len()],
            force_key: vec![0; plan.force_keys.len()],
            ambition_key: vec![0; plan.ambition_keys.len()],
            pool_key: vec![0; plan.pool_keys.len()],
            common: vec![0.0; b],
            lo: vec![0.0; b],
            hi: vec![0.0; b],
            grouped: vec![0; max_group * b],
            pool_size: vec![0; b],
            pool_need: vec![0; b],
            committed: vec![
                0;
                if plan.unit_rotation {
                    0
                } else {
                    plan.capabilities * b
                }
            ],
            tk: vec![0; b],
            pos: (0..b as u16).collect(),
            mounted: vec![true; b],
            scale: vec![1.0; plan.effects.len() * b],
            obl_sum: vec![0; plan.obligations.len() * b],
            entry: vec![false; b],
            any_present: vec![false; b],
            force_req: vec![0; plan.force_keys.len() * b],
            keys: vec![0; b],
            tbase: 0,
            first: 0,
            cond: vec![false; plan.conditions.len() * b],
            factor: vec![0.0; plan.bloc_keys.len() * b],
            part: vec![false; nn * b],
            thr: vec![0.0; b],
            draws: vec![0.0; b],
            open: vec![0; b],
            cap_p: vec![0.0; max_caps * b],
            active: vec![0; nn * b],
            active_len: vec![0; nn],
            values: vec![0.0; b],
            amounts: vec![0; b],
            provided: vec![0; plan.tracked * b],
            totals: vec![0; plan.capabilities * b],
            required: vec![0; plan.tracked * b],
            has_lead: vec![false; plan.domains.len() * b],
            all: vec![false; b],
            covered: vec![false; b],
            days: DayScratch::new(plan, b),
            b,
            isa: Isa::detect(),
            outcomes: None,
            trace: None,
        }
    }
}

/// Draws the random factors of `p` and returns the probability and its normal
/// quantile, or NaN for the quantile when it must be computed (random factors).
#[inline(always)]
fn draw_prob(p: &ProbP, factors: &[Sampler], rng: &mut TrialRng) -> (f64, f64) {
    if p.is_fixed() {
        (p.p, p.z)
    } else {
        let mut v = p.p;
        for f in p.factors.of(factors) {
            v *= f.sample(rng);
        }
        (v, f64::NAN)
    }
}

/// Draws, trial by trial from the nation's words, a decision's probability
/// `p · factor` and its uniform (or, for a bloc member `(load, own, bloc factors)`,
/// its latent normal).
#[inline(always)]
fn one_factor(
    p: f64,
    latent: Option<(f64, f64, &[f64])>,
    (thr, draws): (&mut [f64], &mut [f64]),
    (key, tk): (u64, &[u64]),
    factor: impl Fn(&mut TrialRng) -> f64,
) {
    match latent {
        Some((load, own, f)) => {
            for (((t, d), &f), &k) in thr.iter_mut().zip(draws.iter_mut()).zip(f).zip(tk) {
                let mut r = TrialRng::new(key, k);
                *t = p * factor(&mut r);
                *d = load * f + own * std_normal(&mut r);
            }
        }
        None => {
            for ((t, d), &k) in thr.iter_mut().zip(draws.iter_mut()).zip(tk) {
                let mut r = TrialRng::new(key, k);
                *t = p * factor(&mut r);
                *d = unit(&mut r);
            }
        }
    }
}

/// `if c { a } else { b }` without a branch: `c` depends on random draws, so a
/// branch would be mispredicted often.
#[inline(always)]
fn select(c: bool, a: f64, b: f64) -> f64 {
    let m = u64::from(c).wrapping_neg();
    f64::from_bits((a.to_bits() & m) | (b.to_bits() & !m))
}

/// Each entity's key in a run seeded `seed`.
fn keys_of(out: &mut [u64], keys: &[u64], seed: u64) {
    for (o, &key) in out.iter_mut().zip(keys) {
        *o = entity_key(seed, key);
    }
}

/// Runs block `block` (of `len` trials) and adds its outcomes to `tally`.
pub fn run_block(plan: &Plan, seed: u64, block: u64, len: u64, s: &mut Scratch, tally: &mut Tally) {
    keys_of(&mut s.cond_key, &plan.condition_keys, seed);
    keys_of(&mut s.bloc_key, &plan.bloc_keys, seed);
    keys_of(&mut s.nation_key, &plan.nation_keys, seed);
    keys_of(&mut s.ready_key, &plan.ready_keys, seed);
    keys_of(&mut s.contrib_key, &plan.contrib_keys, seed);
    keys_of(&mut s.req_key, &plan.req_keys, seed);
    keys_of(&mut s.effect_key, &plan.effect_keys, seed);
    keys_of(&mut s.force_key, &plan.force_keys, seed);
    keys_of(&mut s.ambition_key, &plan.ambition_keys, seed);
    keys_of(&mut s.pool_key, &plan.pool_keys, seed);
    s.tbase = trial_base(seed);
    s.first = block.wrapping_mul(BLOCK_TRIALS);
    let len = len as usize;
    if let Some(o) = &mut s.outcomes {
        o.len = 0;
    }
    batches(s.isa, plan, s, tally, len);
    tally.trials += len as u64;
}

multiversion!(
    /// [`std_normals`], compiled for `isa` on its own: inlined into the trial
    /// loop, the compiler leaves its lanes scalar.
    fn normals_on(key: u64, tk: &[u64], out: &mut [f64]) = std_normals
);

multiversion!(
    /// [`BetaSampler::sample_lanes`], compiled for `isa` on its own (as
    /// [`normals_on`]).
    fn betas_on(beta: &BetaSampler, key: u64, tk: &[u64], out: &mut [f64]) = BetaSampler::sample_lanes
);

multiversion!(
    /// [`days::record`], compiled for `isa` on its own (as [`normals_on`]).
    fn days_on(at: (&Plan, Isa), s: &mut DayScratch, all: &[bool], m: usize, tally: &mut Tally) = days::record
);

multiversion!(
    /// The batches of a block, compiled for `isa`.
    fn batches(plan: &Plan, s: &mut Scratch, tally: &mut Tally, len: usize) = batches_inline
);

/// Every stage is inlined here, so that each copy above compiles all of them for
/// its own processor.
#[inline(always)]
fn batches_inline(plan: &Plan, s: &mut Scratch, tally: &mut Tally, len: usize) {
    let mut start = 0;
    while start < len {
        let m = (len - start).min(s.b);
        for (j, k) in s.tk[..m].iter_mut().enumerate() {
            *k = trial_key(s.tbase, s.first.wrapping_add(j as u64));
        }
        batch(plan, s, tally, m);
        s.first = s.first.wrapping_add(m as u64);
        start += m;
    }
}

/// Draws `out.len()` values from `sampler`, value `i` from the entity's words
/// (`key`) in the trial whose key is `tk[i]`. Each kind of distribution gets its
/// own loop with the sampler inlined. Where a draw is a function of one word
/// (triangular, uniform), the uniforms are computed first, in SIMD lanes, and
/// transformed in a second loop, which the compiler vectorises too.
#[inline(always)]
fn draw_values(isa: Isa, sampler: &Sampler, key: u64, tk: &[u64], out: &mut [f64]) {
    let pairs = out.iter_mut().zip(tk);
    match *sampler {
        Sampler::Triangular(ref tri) => {
            pairs.for_each(|(o, &k)| *o = unit(&mut TrialRng::new(key, k)));
            tri.from_units(out);
        }
        Sampler::Pert {
            min,
            range,
            ref beta,
        } => {
            betas_on(isa, beta, key, tk, out);
            out.iter_mut().for_each(|o| *o = min + range * *o);
        }
        Sampler::Uniform { min, width } => {
            for (o, &k) in pairs {
                *o = min + width * unit(&mut TrialRng::new(key, k));
            }
        }
        Sampler::Normal { mean, sd } => {
            normals_on(isa, key, tk, out);
            out.iter_mut().for_each(|o| *o = mean + sd * *o);
        }
        Sampler::LogNormal { median, sigma } => {
            normals_on(isa, key, tk, out);
            out.iter_mut()
                .for_each(|o| *o = median * (sigma * *o).exp());
        }
        Sampler::Discrete {
            ref values,
            ref cumulative,
        } => {
            pairs.for_each(|(o, &k)| *o = unit(&mut TrialRng::new(key, k)));
            discrete_from_units(values, cumulative, out);
        }
        _ => {
            for (o, &k) in pairs {
                *o = sampler.sample(&mut TrialRng::new(key, k));
            }
        }
    }
}

/// The keys of the listed trials of the batch, in `keys`.
#[inline(always)]
fn gather(keys: &mut [u64], tk: &[u64], list: &[u16]) {
    for (k, &j) in keys.iter_mut().zip(list) {
        *k = tk[usize::from(j)];
    }
}

/// Runs `all` (≤ the batch width) trials, stage by stage: the conditions in
/// every trial, then, with a mission gate, every later stage on the mounted
/// trials only (the batch compacted to them).
#[inline(always)]
fn batch(plan: &Plan, s: &mut Scratch, tally: &mut Tally, all: usize) {
    conditions(plan, s, tally, all);
    if let Some(t) = s.trace.as_deref_mut() {
        t.conditions(&s.cond, s.b, all);
    }
    let m = if plan.mission.is_empty() {
        all
    } else {
        mount(plan, s, all)
    };
    tally.mounted += m as u64;
    blocs(s, m);
    decisions(plan, s, m);
    participation(plan, s, tally, m);
    if !plan.effects.is_empty() {
        effects(plan, s, m);
    }
    contributions(plan, s, tally);
    coverage(plan, s, tally, m);
    if s.outcomes.is_some() {
        record(plan, s, all, m);
    }
    tallies(plan, s, tally, m);
    if !plan.days.is_empty() {
        days_on(s.isa, (plan, s.isa), &mut s.days, &s.all, m, tally);
    }
    if let Some(t) = s.trace.as_deref_mut() {
        let rows = super::trace::Rows {
            factor: &s.factor,
            part: &s.part,
            required: &s.required,
            force: &s.force_req,
            mounted: &s.mounted[..all],
            pos: &s.pos[..m],
        };
        t.batch(&rows, s.b);
    }
}

/// The mission gate: keeps the trials of the batch in which every required
/// condition holds, moving their keys and conditions to the front (in order).
/// Returns how many.
#[inline(always)]
fn mount(plan: &Plan, s: &mut Scratch, all: usize) -> usize {
    let b = s.b;
    let mounted = &mut s.mounted[..all];
    mounted.fill(true);
    for &c in &plan.mission {
        let c = c as usize * b;
        for (x, &h) in mounted.iter_mut().zip(&s.cond[c..c + all]) {
            *x &= h;
        }
    }
    let mut m = 0;
    for (j, &x) in mounted.iter().enumerate() {
        s.pos[m] = j as u16;
        m += usize::from(x);
    }
    let pos = &s.pos[..m];
    for (k, &j) in pos.iter().enumerate() {
        s.tk[k] = s.tk[usize::from(j)];
    }
    for i in 0..plan.conditions.len() {
        let row = &mut s.cond[i * b..i * b + all];
        for (k, &j) in pos.iter().enumerate() {
            row[k] = row[usize::from(j)];
        }
    }
    m
}

/// The bloc factors.
#[inline(always)]
fn blocs(s: &mut Scratch, m: usize) {
    let b = s.b;
    for (bl, &key) in s.bloc_key.iter().enumerate() {
        normals_on(s.isa, key, &s.tk[..m], &mut s.factor[bl * b..bl * b + m]);
    }
}

/// Each effect's scale row: drawn (or fixed) in every mounted trial, applied
/// (else 1) where its condition has the value of `when`.
#[inline(always)]
fn effects(plan: &Plan, s: &mut Scratch, m: usize) {
    let b = s.b;
    for (e, eff) in plan.effects.iter().enumerate() {
        let row = &mut s.scale[e * b..e * b + m];
        if eff.random {
            draw_values(s.isa, &eff.sampler, s.effect_key[e], &s.tk[..m], row);
        } else {
            row.fill(eff.fixed);
        }
        if let Some(t) = s.trace.as_deref_mut() {
            t.effect(e, s.first, &s.pos[..m], row);
        }
        let c = eff.condition as usize * b;
        for (x, &h) in row.iter_mut().zip(&s.cond[c..c + m]) {
            *x = select(h == eff.when, *x, 1.0);
        }
    }
}

/// Step 1: conditions.
#[inline(always)]
fn conditions(plan: &Plan, s: &mut Scratch, tally: &mut Tally, m: usize) {
    let b = s.b;
    // 1. Conditions: a fixed probability takes one word per trial (in SIMD lanes).
    let tk = &s.tk[..m];
    for (i, c) in plan.conditions.iter().enumerate() {
        let key = s.cond_key[i];
        let out = &mut s.cond[i * b..i * b + m];
        if c.is_fixed() {
            for (o, &k) in out.iter_mut().zip(tk) {
                *o = unit(&mut TrialRng::new(key, k)) < c.p;
            }
        } else {
            for (o, &k) in out.iter_mut().zip(tk) {
                let mut r = TrialRng::new(key, k);
                let (p, _) = draw_prob(c, &plan.factors, &mut r);
                *o = unit(&mut r) < p;
            }
        }
        tally.condition_true[i] += out.iter().map(|&o| u64::from(o)).sum::<u64>();
    }
}

/// Steps 2–3: each nation's decision, in an order where every `if_absent` nation
/// is decided first. Each decision takes one of three strategies, by what it draws.
#[inline(always)]
fn decisions(plan: &Plan, s: &mut Scratch, m: usize) {
    for d in &plan.decisions {
        let n = d.nation as usize;
        let key = s.nation_key[n];
        let caps = d.caps.of(&plan.caps);
        if caps.is_empty() && d.prob.is_fixed() {
            fixed_decision(plan, d, s, m, key);
        } else if d.prob.is_fixed() && caps.iter().all(|c| c.prob.is_fixed()) {
            capped_decision(plan, d, caps, s, m, key);
        } else {
            drawn_decision(plan, d, caps, s, m, key);
        }
    }
}

/// A fixed probability and no caps: one uniform per trial against `p`, or for a
/// bloc member its latent normal against `Φ⁻¹(p)`.
#[inline(always)]
fn fixed_decision(plan: &Plan, d: &Decision, s: &mut Scratch, m: usize, key: u64) {
    let b = s.b;
    let n = d.nation as usize;
    let out = &mut s.part[n * b..n * b + m];
    let tk = &s.tk[..m];
    if d.bloc == NO_BLOC {
        for (o, &k) in out.iter_mut().zip(tk) {
            *o = unit(&mut TrialRng::new(key, k)) < d.prob.p;
        }
    } else {
        let bl = d.bloc as usize;
        let (load, own, z) = (plan.bloc_load[bl], plan.bloc_own[bl], d.prob.z);
        let own_draws = &mut s.draws[..m];
        normals_on(s.isa, key, tk, own_draws);
        for ((o, &f), &x) in out
            .iter_mut()
            .zip(&s.factor[bl * b..bl * b + m])
            .zip(own_draws.iter())
        {
            *o = load * f + own * x < z;
        }
    }
}

/// Fixed probabilities with caps: the binding caps' minimum, taken in quantile
/// space for a bloc member (Φ⁻¹ is monotone), one cap at a time over the batch.
#[inline(always)]
fn capped_decision(plan: &Plan, d: &Decision, caps: &[CapP], s: &mut Scratch, m: usize, key: u64) {
    let b = s.b;
    let n = d.nation as usize;
    let bloc = (d.bloc != NO_BLOC).then_some(d.bloc as usize);
    let thr = &mut s.thr[..m];
    thr.fill(if bloc.is_some() { d.prob.z } else { d.prob.p });
    for cap in caps {
        let present = cap_present(cap, &s.part, &s.cond, b, m);
        let c = if bloc.is_some() {
            cap.prob.z
        } else {
            cap.prob.p
        };
        for (t, &here) in thr.iter_mut().zip(present) {
            *t = t.min(select(here ^ cap.present, f64::INFINITY, c));
        }
    }
    let out = &mut s.part[n * b..n * b + m];
    let tk = &s.tk[..m];
    match bloc {
        None => {
            for ((o, &t), &k) in out.iter_mut().zip(thr.iter()).zip(tk) {
                *o = unit(&mut TrialRng::new(key, k)) < t;
            }
        }
        Some(bl) => {
            let (load, own) = (plan.bloc_load[bl], plan.bloc_own[bl]);
            let factor = &s.factor[bl * b..bl * b + m];
            let own_draws = &mut s.draws[..m];
            normals_on(s.isa, key, tk, own_draws);
            for (((o, &t), &f), &x) in out
                .iter_mut()
                .zip(thr.iter())
                .zip(factor)
                .zip(own_draws.iter())
            {
                *o = load * f + own * x < t;
            }
        }
    }
}

/// Per trial of the batch: whether a cap's nation takes part, or its condition
/// holds (an `if_absent` cap binds where not, an `if_present` cap where so).
#[inline(always)]
fn cap_present<'a>(
    cap: &CapP,
    part: &'a [bool],
    cond: &'a [bool],
    b: usize,
    m: usize,
) -> &'a [bool] {
    let on = cap.on as usize * b;
    if cap.on_nation {
        &part[on..on + m]
    } else {
        &cond[on..on + m]
    }
}

/// Drawn probabilities. First every random number, trial by trial in stream
/// order (the probability's factors, each cap's, then the uniform or normal), then
/// the caps one at a time over the batch, then the decisions.
#[inline(always)]
fn drawn_decision(plan: &Plan, d: &Decision, caps: &[CapP], s: &mut Scratch, m: usize, key: u64) {
    let b = s.b;
    let n = d.nation as usize;
    let bloc = (d.bloc != NO_BLOC).then_some(d.bloc as usize);
    draw_thresholds(plan, d, caps, bloc, s, m, key);
    // An `if_absent` cap binds when its condition is false (or its nation
    // absent), an `if_present` cap when it is true (or present): p = min(p, cap).
    let thr = &mut s.thr[..m];
    for (c, cap) in caps.iter().enumerate() {
        let present = cap_present(cap, &s.part, &s.cond, b, m);
        if cap.prob.is_fixed() {
            for (t, &here) in thr.iter_mut().zip(present) {
                *t = t.min(select(here ^ cap.present, f64::INFINITY, cap.prob.p));
            }
        } else {
            let drawn = &s.cap_p[c * b..c * b + m];
            for ((t, &here), &cp) in thr.iter_mut().zip(present).zip(drawn) {
                *t = t.min(select(here ^ cap.present, f64::INFINITY, cp));
            }
        }
    }
    let out = &mut s.part[n * b..n * b + m];
    let draws = &s.draws[..m];
    if bloc.is_none() {
        for ((o, &t), &u) in out.iter_mut().zip(thr.iter()).zip(draws.iter()) {
            *o = u < t;
        }
    } else {
        settle_latent(plan, out, thr, draws, &mut s.open[..m]);
    }
}

/// The drawn probabilities' random numbers, in stream order: each trial's
/// probability into `thr`, its caps' into `cap_p`, and its uniform (or latent
/// normal) into `draws`.
#[inline(always)]
fn draw_thresholds(
    plan: &Plan,
    d: &Decision,
    caps: &[CapP],
    bloc: Option<usize>,
    s: &mut Scratch,
    m: usize,
    key: u64,
) {
    let b = s.b;
    let thr = &mut s.thr[..m];
    let draws = &mut s.draws[..m];
    let tk = &s.tk[..m];
    let random_caps = caps.iter().any(|c| !c.prob.is_fixed());
    let (load, own) = bloc.map_or((0.0, 0.0), |bl| (plan.bloc_load[bl], plan.bloc_own[bl]));
    let factor = &s.factor[bloc.unwrap_or(0) * b..];
    let latent = bloc.map(|_| (load, own, &factor[..m]));
    let p = d.prob.p;
    // The common cases get loops of their own: one drawn factor of a bounded
    // form, and no drawn caps.
    match (d.prob.factors.of(&plan.factors), random_caps) {
        ([Sampler::Pert { min, range, beta }], false) => {
            one_factor(p, latent, (thr, draws), (key, tk), |r| {
                min + range * beta.sample(r)
            });
        }
        ([Sampler::Triangular(tri)], false) => {
            one_factor(p, latent, (thr, draws), (key, tk), |r| tri.sample(r));
        }
        ([Sampler::Uniform { min, width }], false) => {
            one_factor(p, latent, (thr, draws), (key, tk), |r| {
                min + width * unit(r)
            });
        }
        _ => {
            for j in 0..m {
                let rng = &mut TrialRng::new(key, tk[j]);
                thr[j] = draw_prob(&d.prob, &plan.factors, rng).0;
                if random_caps {
                    for (c, cap) in caps.iter().enumerate() {
                        if !cap.prob.is_fixed() {
                            s.cap_p[c * b + j] = draw_prob(&cap.prob, &plan.factors, rng).0;
                        }
                    }
                }
                draws[j] = if bloc.is_none() {
                    unit(rng)
                } else {
                    load * factor[j] + own * std_normal(rng)
                };
            }
        }
    }
}

/// A bloc member's latent normals against `Φ⁻¹(p)`: settled by the grid without a
/// branch, listing (also without a branch) the rare draws it cannot settle, which
/// then get the exact Φ⁻¹.
#[inline(always)]
fn settle_latent(plan: &Plan, out: &mut [bool], thr: &[f64], draws: &[f64], open: &mut [u16]) {
    let mut unsettled = 0;
    for (j, ((o, &t), &latent)) in out.iter_mut().zip(thr.iter()).zip(draws.iter()).enumerate() {
        let (below, undecided) = plan.grid.settle(latent, t);
        *o = below;
        open[unsettled] = j as u16;
        unsettled += usize::from(undecided);
    }
    for &j in &open[..unsettled] {
        let j = usize::from(j);
        out[j] = plan.grid.below(draws[j], thr[j]);
    }
}

/// Who takes part in which trial, and when it is ready.
#[inline(always)]
fn participation(plan: &Plan, s: &mut Scratch, tally: &mut Tally, m: usize) {
    let b = s.b;
    // Who takes part in which trial (listed without a branch), and when it is ready.
    let days = plan.days.len();
    if days > 0 {
        s.days.start(m);
    }
    for (n, ready) in plan.ready.iter().enumerate() {
        let part = &s.part[n * b..n * b + m];
        let list = &mut s.active[n * b..n * b + m];
        let mut len = 0;
        for (j, &p) in part.iter().enumerate() {
            list[len] = j as u16;
            len += usize::from(p);
        }
        s.active_len[n] = len;
        tally.nation_in[n] += len as u64;
        if days > 0 {
            match ready {
                Some(r) => {
                    let ready = &mut s.values[..len];
                    let list = &list[..len];
                    gather(&mut s.keys[..len], &s.tk, list);
                    draw_values(s.isa, r, s.ready_key[n], &s.keys[..len], ready);
                    if let Some(t) = s.trace.as_deref_mut() {
                        t.ready(n, s.first, &s.pos, list, ready);
                    }
                    let whole = &mut s.amounts[..len];
                    for (w, &ready) in whole.iter_mut().zip(ready.iter()) {
                        *w = u64::from(days::ready_day(ready));
                    }
                    for (&j, &w) in list.iter().zip(whole.iter()) {
                        s.days.nation(n, j as usize, w as u32);
                    }
                    s.days.member(n, m, list, Some(whole));
                }
                None => {
                    for &j in &list[..len] {
                        s.days.nation(n, j as usize, 0);
                    }
                    s.days.member(n, m, &list[..len], None);
                }
            }
        }
    }
}

/// Step 4: contributions, each for the trials in which its nation takes part;
/// those of nations with pools or ambition drawn nation by nation.
#[inline(always)]
fn contributions(plan: &Plan, s: &mut Scratch, tally: &mut Tally) {
    let b = s.b;
    let nt = plan.tracked;
    s.provided[..nt * b].fill(0);
    s.totals.fill(0);
    s.obl_sum.fill(0);
    if !plan.unit_rotation {
        s.committed.fill(0);
    }
    // The lists and the amounts buffer leave the scratch while it is lent out.
    let active = std::mem::take(&mut s.active);
    let mut amounts = std::mem::take(&mut s.amounts);
    for (k, c) in plan.contribs.iter().enumerate() {
        if c.grouped {
            continue;
        }
        let n = c.nation as usize;
        let list = &active[n * b..n * b + s.active_len[n]];
        let amounts = &mut amounts[..list.len()];
        amounts_of(plan, s, k, list, amounts);
        deposit(plan, s, tally, k, list, amounts);
    }
    s.amounts = amounts;
    if !plan.groups.is_empty() {
        let mut grouped = std::mem::take(&mut s.grouped);
        for (g, group) in plan.groups.iter().enumerate() {
            let n = group.nation as usize;
            let list = &active[n * b..n * b + s.active_len[n]];
            nation_group(plan, s, tally, (g, group), list, &mut grouped);
        }
        s.grouped = grouped;
    }
    s.active = active;
    // Each capability's total: its tracked pairs' sums (every contributed pair is
    // tracked).
    for (t, &cap) in plan.tracked_cap.iter().enumerate() {
        let cap = cap as usize;
        let provided = &s.provided[t * b..t * b + b];
        for (total, &p) in s.totals[cap * b..cap * b + b].iter_mut().zip(provided) {
            *total += p;
        }
    }
}

/// Contribution `k`'s amounts in the listed trials: drawn (or fixed), scaled by
/// its effects and its nation's scale, rounded.
#[inline(always)]
fn amounts_of(plan: &Plan, s: &mut Scratch, k: usize, list: &[u16], amounts: &mut [u64]) {
    let b = s.b;
    let c = &plan.contribs[k];
    if c.scaled {
        let values = &mut s.values[..list.len()];
        if c.random {
            gather(&mut s.keys[..list.len()], &s.tk, list);
            let keys = &s.keys[..list.len()];
            draw_values(s.isa, &c.sampler, s.contrib_key[k], keys, values);
        } else {
            values.fill(c.written);
        }
        for &e in c.effects.of(&plan.effect_refs) {
            let row = &s.scale[e as usize * b..e as usize * b + b];
            for (v, &j) in values.iter_mut().zip(list) {
                *v *= row[usize::from(j)];
            }
        }
        for (a, &v) in amounts.iter_mut().zip(values.iter()) {
            *a = to_count(v * c.scale);
        }
    } else if c.random {
        let values = &mut s.values[..list.len()];
        gather(&mut s.keys[..list.len()], &s.tk, list);
        draw_values(
            s.isa,
            &c.sampler,
            s.contrib_key[k],
            &s.keys[..list.len()],
            values,
        );
        for (a, &v) in amounts.iter_mut().zip(values.iter()) {
            *a = to_count(v);
        }
    } else {
        amounts.fill(c.fixed);
    }
}

/// Contribution `k`'s amounts under its nation's ambition: the value at
/// `Φ(√ρ·A + √(1−ρ)·ε)` of its inverse distribution function, `A` in
/// `s.common`, `ε` from its own stream; then its effects and scale, rounded.
/// The listed trials' keys are in `s.keys`.
#[inline(always)]
fn ambitious_amounts(
    plan: &Plan,
    s: &mut Scratch,
    k: usize,
    g: &GroupP,
    list: &[u16],
    amounts: &mut [u64],
) {
    let b = s.b;
    let c = &plan.contribs[k];
    let (Some(inv), true) = (c.inverse.as_deref(), c.random) else {
        amounts_of(plan, s, k, list, amounts);
        return;
    };
    let len = list.len();
    normals_on(
        s.isa,
        s.contrib_key[k],
        &s.keys[..len],
        &mut s.values[..len],
    );
    for (z, &common) in s.values[..len].iter_mut().zip(&s.common[..len]) {
        *z = g.load * common + g.own * *z;
    }
    let effects = c.effects.of(&plan.effect_refs);
    let scale = &s.scale;
    let f = |x: f64, j: usize| {
        let mut v = x;
        for &e in effects {
            v *= scale[e as usize * b + j];
        }
        v * c.scale
    };
    let Some(t) = inv.table() else {
        for ((a, &z), &j) in amounts.iter_mut().zip(&s.values[..len]).zip(list) {
            *a = inv.count(z, |x| f(x, usize::from(j)));
        }
        return;
    };
    let (lo, hi) = (&mut s.lo[..len], &mut s.hi[..len]);
    t.brackets(s.isa, &s.values[..len], lo, hi);
    for &e in effects {
        let row = &scale[e as usize * b..e as usize * b + b];
        for ((l, h), &j) in lo.iter_mut().zip(hi.iter_mut()).zip(list) {
            let r = row[usize::from(j)];
            (*l, *h) = (*l * r, *h * r);
        }
    }
    let z = &s.values[..len];
    let open = t.settle((z, lo, hi), c.scale, amounts, &mut s.open);
    // Where the table does not settle the rounding: the quantile itself.
    for &i in &s.open[..open] {
        let i = usize::from(i);
        amounts[i] = to_count(f(inv.value(s.values[i]), usize::from(list[i])));
    }
}

/// Nation group `g` in its listed trials: its contributions drawn (with its
/// ambition), its pools drawn and applied, then each contribution deposited.
#[inline(always)]
fn nation_group(
    plan: &Plan,
    s: &mut Scratch,
    tally: &mut Tally,
    (g, group): (usize, &GroupP),
    list: &[u16],
    buf: &mut [u64],
) {
    let b = s.b;
    let len = list.len();
    if len == 0 {
        return;
    }
    let n = group.nation as usize;
    let members = group.contribs.of(&plan.group_contribs);
    gather(&mut s.keys[..len], &s.tk, list);
    if group.ambitious {
        normals_on(
            s.isa,
            s.ambition_key[g],
            &s.keys[..len],
            &mut s.common[..len],
        );
    }
    for (i, &k) in members.iter().enumerate() {
        let out = &mut buf[i * b..i * b + len];
        if group.ambitious {
            ambitious_amounts(plan, s, k as usize, group, list, out);
        } else {
            amounts_of(plan, s, k as usize, list, out);
        }
    }
    for p in group.pools.range() {
        pool_cut(plan, s, tally, (p, members, plan.rotation[n]), len, buf);
    }
    for (i, &k) in members.iter().enumerate() {
        deposit(plan, s, tally, k as usize, list, &buf[i * b..i * b + len]);
    }
}

/// Pool `p` of a nation whose contributions `members` have their amounts in
/// `buf` (row i: member i, over the nation's `len` listed trials, whose keys
/// are in `s.keys`): drawn and rounded; where the nation's deployed amount D of
/// the capability, times its rotation, exceeds the pool, each amount v becomes
/// ⌊v × T / D⌋ with T = ⌊pool / rotation⌋.
#[inline(always)]
fn pool_cut(
    plan: &Plan,
    s: &mut Scratch,
    tally: &mut Tally,
    (p, members, rot): (usize, &[u32], u64),
    len: usize,
    buf: &mut [u64],
) {
    let b = s.b;
    let pool = &plan.pools[p];
    let sizes = &mut s.pool_size[..len];
    if pool.random {
        let values = &mut s.values[..len];
        draw_values(s.isa, &pool.sampler, s.pool_key[p], &s.keys[..len], values);
        for (x, &v) in sizes.iter_mut().zip(values.iter()) {
            *x = to_count(v);
        }
    } else {
        sizes.fill(pool.fixed);
    }
    let slot = pool.slot as usize;
    // Below 2^40 each (`MAX_VALUE`), so that 2^16 of them add up in a `u64`.
    tally.pool_drawn[slot] += u128::from(sizes.iter().sum::<u64>());
    // D ≤ 1,000 domains × `MAX_VALUE` and D × rotation fit a `u64` too.
    let need = &mut s.pool_need[..len];
    need.fill(0);
    let rows = members.iter().enumerate();
    for (i, _) in rows.filter(|&(_, &k)| plan.contribs[k as usize].cap == pool.cap) {
        for (d, &v) in need.iter_mut().zip(&buf[i * b..i * b + len]) {
            *d += v;
        }
    }
    let rot = rot.max(1);
    // The trials where the pool binds, listed without a branch.
    let mut binds = 0;
    for (j, (&d, &size)) in need.iter().zip(sizes.iter()).enumerate() {
        s.open[binds] = j as u16;
        binds += usize::from(d * rot > size);
    }
    for (at, &j) in s.open[..binds].iter().enumerate() {
        let (j, d) = (usize::from(j), need[usize::from(j)]);
        let t = u128::from(sizes[j] / rot);
        let mut kept = 0;
        for (i, &k) in members.iter().enumerate() {
            if plan.contribs[k as usize].cap == pool.cap {
                let v = &mut buf[i * b + j];
                // v ≤ D, so v × T / D ≤ T fits.
                *v = (u128::from(*v) * t / u128::from(d)) as u64;
                kept += *v;
            }
        }
        // The cuts to the front of `need` (`at ≤ j`: nothing still to read).
        need[at] = d - kept;
    }
    tally.pool_cut[slot].add_all(&need[..binds]);
    tally.pool_binds[slot] += binds as u64;
}

/// Adds contribution `k`'s amounts in the listed trials to what the trials
/// provide: its tracked pair, its obligation slot, the timeline's lanes, the
/// committed force and the tally's sum.
#[inline(always)]
fn deposit(
    plan: &Plan,
    s: &mut Scratch,
    tally: &mut Tally,
    k: usize,
    list: &[u16],
    amounts: &[u64],
) {
    let b = s.b;
    let c = &plan.contribs[k];
    if let Some(t) = s.trace.as_deref_mut() {
        t.values(c.index as usize, s.first, &s.pos, list, amounts);
    }
    if c.obligation != NO_SLOT {
        let o = c.obligation as usize * b;
        let acc = &mut s.obl_sum[o..o + b];
        for (&j, &v) in list.iter().zip(amounts.iter()) {
            acc[usize::from(j)] += v;
        }
    }
    if !plan.days.is_empty() {
        s.days.amounts(k, list, amounts);
    }
    // At most 2^16 amounts of at most `MAX_VALUE` each: the sum fits a `u64`.
    tally.contributed[c.index as usize] += u128::from(amounts.iter().sum::<u64>());
    let t = c.tracked as usize;
    let provided = &mut s.provided[t * b..t * b + b];
    if plan.unit_rotation {
        for (&j, &v) in list.iter().zip(amounts.iter()) {
            provided[usize::from(j)] += v;
        }
        return;
    }
    // The committed force in the same pass (measurably faster than a pass of
    // its own): at most `MAX_VALUE` × `MAX_ROTATION` each, no overflow.
    let rot = plan.rotation[c.nation as usize];
    let cap = c.cap as usize;
    let committed = &mut s.committed[cap * b..cap * b + b];
    for (&j, &v) in list.iter().zip(amounts.iter()) {
        provided[usize::from(j)] += v;
        committed[usize::from(j)] += v * rot;
    }
}

/// Steps 5–6: requirements, leads, coverage of each domain, then the force.
#[inline(always)]
fn coverage(plan: &Plan, s: &mut Scratch, tally: &mut Tally, m: usize) {
    let b = s.b;
    s.all[..m].fill(true);
    for d in 0..plan.domains.len() {
        s.covered[..m].fill(true);
        requirements(plan, s, tally, d, m);
        leads(plan, s, tally, d, m);
        let mut covered = 0u64;
        for (a, &c) in s.all[..m].iter_mut().zip(&s.covered[..m]) {
            covered += u64::from(c);
            *a &= c;
        }
        tally.covered[d] += covered;
        if !plan.days.is_empty() {
            s.days.domain(plan, d, &s.covered[..m], &s.required);
        }
        if let Some(o) = &mut s.outcomes {
            let at = d * BLOCK_TRIALS as usize + o.len;
            o.covered[at..at + m].copy_from_slice(&s.covered[..m]);
        }
    }
    if let Some(force) = &plan.force {
        whole_force(plan, force, s, tally, m);
    }
    tally.all_covered += s.all[..m].iter().map(|&a| u64::from(a)).sum::<u64>();
    for (n, acc) in tally.nation_in_all.iter_mut().enumerate() {
        let part = &s.part[n * b..n * b + m];
        *acc += part
            .iter()
            .zip(&s.all[..m])
            .map(|(&p, &a)| u64::from(p & a))
            .sum::<u64>();
    }
}

/// Lead succession of domain `d` over the batch: `has_lead` is set where an
/// entry qualifies (or none is needed), the first qualifying entry leads, and a
/// trial without one is leaderless (and short where some entry was present);
/// `covered` keeps only the trials with a lead.
#[inline(always)]
fn leads(plan: &Plan, s: &mut Scratch, tally: &mut Tally, d: usize, m: usize) {
    let b = s.b;
    let dom = &plan.domains[d];
    let has_lead = &mut s.has_lead[d * b..d * b + m];
    if dom.leads.is_empty() {
        has_lead.fill(true);
        return;
    }
    if dom.plain_leads {
        has_lead.fill(false);
        for (slot, &l) in dom.leads.of(&plan.leads).iter().enumerate() {
            let part = &s.part[l as usize * b..l as usize * b + m];
            let mut led = 0u64;
            for (h, &p) in has_lead.iter_mut().zip(part) {
                let leads_here = p & !*h;
                led += u64::from(leads_here);
                *h |= p;
            }
            tally.leads[dom.leads.lo as usize + slot] += led;
        }
    } else {
        weighted_leads(plan, s, tally, d, m);
    }
    let has_lead = &s.has_lead[d * b..d * b + m];
    let mut leaderless = 0u64;
    for (c, &h) in s.covered[..m].iter_mut().zip(has_lead) {
        *c &= h;
        leaderless += u64::from(!h);
    }
    tally.leaderless[d] += leaderless;
}

/// Co-lead entries and obligations: an entry is present where a member takes
/// part, and qualifies where, besides, its participating members provide each
/// obligation's share of this trial's requirement.
#[inline(always)]
fn weighted_leads(plan: &Plan, s: &mut Scratch, tally: &mut Tally, d: usize, m: usize) {
    let b = s.b;
    let dom = &plan.domains[d];
    let has_lead = &mut s.has_lead[d * b..d * b + m];
    has_lead.fill(false);
    let any = &mut s.any_present[..m];
    any.fill(false);
    let here = &mut s.entry[..m];
    for (slot, e) in dom.leads.of(&plan.entries).iter().enumerate() {
        here.fill(false);
        for &n in e.members.of(&plan.members) {
            let part = &s.part[n as usize * b..n as usize * b + m];
            for (h, &p) in here.iter_mut().zip(part) {
                *h |= p;
            }
        }
        for (a, &h) in any.iter_mut().zip(here.iter()) {
            *a |= h;
        }
        for o in e.obligations.range() {
            let ob = &plan.obligations[o];
            let sum = &s.obl_sum[o * b..o * b + m];
            let t = ob.tracked as usize;
            let required = &s.required[t * b..t * b + m];
            for ((h, &x), &q) in here.iter_mut().zip(sum).zip(required) {
                *h &= x >= obligation_need(ob.share, q);
            }
        }
        let mut led = 0u64;
        for (h, &q) in has_lead.iter_mut().zip(here.iter()) {
            led += u64::from(q & !*h);
            *h |= q;
        }
        tally.leads[dom.leads.lo as usize + slot] += led;
    }
    tally.lead_short[d] += has_lead
        .iter()
        .zip(any.iter())
        .map(|(&h, &a)| u64::from(a & !h))
        .sum::<u64>();
}

/// Where a requirement's values go.
#[derive(Clone, Copy)]
enum Dest {
    /// A domain's requirement on tracked pair `t`.
    Tracked(usize),
    /// Force requirement `i`.
    Force(usize),
}

/// Requirement `r`'s values in the `m` mounted trials: drawn (or fixed), scaled
/// by its effects, rounded.
#[inline(always)]
fn required_values(plan: &Plan, r: &ReqP, key: u64, s: &mut Scratch, m: usize, dest: Dest) {
    let b = s.b;
    let required = match dest {
        Dest::Tracked(t) => &mut s.required[t * b..t * b + m],
        Dest::Force(i) => &mut s.force_req[i * b..i * b + m],
    };
    if r.scaled {
        let values = &mut s.values[..m];
        if r.random {
            draw_values(s.isa, &r.sampler, key, &s.tk[..m], values);
        } else {
            values.fill(r.written);
        }
        for &e in r.effects.of(&plan.effect_refs) {
            let row = &s.scale[e as usize * b..e as usize * b + m];
            for (v, &x) in values.iter_mut().zip(row) {
                *v *= x;
            }
        }
        for (q, &v) in required.iter_mut().zip(values.iter()) {
            *q = to_count(v);
        }
    } else if r.random {
        let values = &mut s.values[..m];
        draw_values(s.isa, &r.sampler, key, &s.tk[..m], values);
        for (q, &v) in required.iter_mut().zip(values.iter()) {
            *q = to_count(v);
        }
    } else {
        required.fill(r.fixed);
    }
}

/// Domain `d`'s requirements over the batch: drawn where random, met or not,
/// gaps; `covered` keeps only the trials where every one is met.
#[inline(always)]
fn requirements(plan: &Plan, s: &mut Scratch, tally: &mut Tally, d: usize, m: usize) {
    let reqs = plan.domains[d].reqs.range();
    let b = s.b;
    for (r, k) in plan.reqs[reqs.clone()].iter().zip(reqs) {
        let t = r.tracked as usize;
        required_values(plan, r, s.req_key[k], s, m, Dest::Tracked(t));
        let provided = &s.provided[t * b..t * b + m];
        let required = &s.required[t * b..t * b + m];
        let mut met = 0u64;
        let mut req_sum = 0u128;
        for ((c, &q), &p) in s.covered[..m].iter_mut().zip(required.iter()).zip(provided) {
            let ok = p >= q;
            met += u64::from(ok);
            req_sum += u128::from(q);
            *c &= ok;
        }
        tally.met[t] += met;
        tally.required_sum[t] += req_sum;
        if let Some(g) = &mut tally.gaps[t] {
            for (&q, &p) in required.iter().zip(provided) {
                g.add(q.saturating_sub(p));
            }
        }
        if let Some(h) = &mut tally.required[t] {
            h.add_all(required);
        }
    }
}

/// The whole force: each requirement against the capability's total over every
/// domain; `all` keeps only the trials where every one is met.
#[inline(always)]
fn whole_force(plan: &Plan, force: &[ReqP], s: &mut Scratch, tally: &mut Tally, m: usize) {
    let b = s.b;
    s.covered[..m].fill(true);
    for (i, r) in force.iter().enumerate() {
        required_values(plan, r, s.force_key[i], s, m, Dest::Force(i));
        let c = r.tracked as usize;
        let totals = &s.totals[c * b..c * b + m];
        let required = &s.force_req[i * b..i * b + m];
        let mut met = 0u64;
        let mut req_sum = 0u128;
        for ((c, &q), &p) in s.covered[..m].iter_mut().zip(required).zip(totals) {
            let here = p >= q;
            met += u64::from(here);
            req_sum += u128::from(q);
            *c &= here;
        }
        tally.force_met[i] += met;
        tally.force_required_sum[i] += req_sum;
        if let Some(g) = &mut tally.force_gaps[i] {
            for (&q, &p) in required.iter().zip(totals) {
                g.add(q.saturating_sub(p));
            }
        }
        if let Some(h) = &mut tally.force_required[i] {
            h.add_all(required);
        }
    }
    let mut covered = 0u64;
    for (a, &c) in s.all[..m].iter_mut().zip(&s.covered[..m]) {
        covered += u64::from(c);
        *a &= c;
    }
    tally.force_covered += covered;
    if !plan.days.is_empty() {
        s.days.force(plan, &s.covered[..m], &s.force_req);
    }
}

/// Records the batch's mounted trials, coverage of everything and totals in
/// [`Scratch::outcomes`] (each domain's coverage was recorded as it was
/// evaluated), each mounted trial at its place among the batch's `all` trials.
#[inline(never)]
fn record(plan: &Plan, s: &mut Scratch, all: usize, m: usize) {
    let b = s.b;
    let Some(o) = &mut s.outcomes else { return };
    let stride = BLOCK_TRIALS as usize;
    let at = o.len;
    o.mounted[at..at + all].copy_from_slice(&s.mounted[..all]);
    o.all[at..at + m].copy_from_slice(&s.all[..m]);
    let committed = if plan.unit_rotation {
        &s.totals
    } else {
        &s.committed
    };
    for c in 0..plan.capabilities {
        let at = c * stride + at;
        o.totals[at..at + m].copy_from_slice(&s.totals[c * b..c * b + m]);
        o.committed[at..at + m].copy_from_slice(&committed[c * b..c * b + m]);
    }
    if m < all {
        let pos = &s.pos[..m];
        expand(&mut o.all[at..at + all], pos, false);
        for d in 0..plan.domains.len() {
            let at = d * stride + at;
            expand(&mut o.covered[at..at + all], pos, false);
        }
        for c in 0..plan.capabilities {
            let at = c * stride + at;
            expand(&mut o.totals[at..at + all], pos, 0);
            expand(&mut o.committed[at..at + all], pos, 0);
        }
    }
    o.len += all;
}

/// Spreads the first `pos.len()` values of `row` to their places `pos`
/// (ascending, each at or after its index), `zero` elsewhere.
fn expand<T: Copy>(row: &mut [T], pos: &[u16], zero: T) {
    row[pos.len()..].fill(zero);
    for (k, &j) in pos.iter().enumerate().rev() {
        let v = row[k];
        row[k] = zero;
        row[usize::from(j)] = v;
    }
}

/// Histograms, thresholds and per-nation counts.
#[inline(always)]
fn tallies(plan: &Plan, s: &mut Scratch, tally: &mut Tally, m: usize) {
    let b = s.b;
    // Histograms and thresholds.
    for (t, h) in tally.provided.iter_mut().enumerate() {
        h.add_all(&s.provided[t * b..t * b + m]);
    }
    let committed = if plan.unit_rotation {
        &s.totals
    } else {
        &s.committed
    };
    for (c, h) in tally.committed.iter_mut().enumerate() {
        h.add_all(&committed[c * b..c * b + m]);
    }
    let mut slot = 0;
    for (c, h) in tally.totals.iter_mut().enumerate() {
        let totals = &s.totals[c * b..c * b + m];
        h.add_all(totals);
        for &x in &plan.thresholds[c] {
            tally.above[slot] += totals.iter().map(|&v| u64::from(v >= x)).sum::<u64>();
            slot += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The batch width is a matter of speed only: every width gives the same tally.
    #[test]
    fn results_do_not_depend_on_the_batch_width() {
        let text = crate::synth::scenario(12, 4, 3);
        let synthetic = crate::scenario::parse("synthetic.toml", &text, &[]).unwrap();
        for model in [synthetic, super::super::format2_tests::format2()] {
            let plan = Plan::new(&model);
            let run = |b: usize| {
                let mut s = Scratch::with_batch(&plan, b);
                let mut t = Tally::new(&model);
                run_block(&plan, 9, 0, 1000, &mut s, &mut t);
                run_block(&plan, 9, 1, 333, &mut s, &mut t);
                t
            };
            let wide = run(BATCH);
            for b in [1, 7, 64] {
                assert_eq!(run(b), wide, "batch width {b}");
            }
        }
    }

    /// Every copy of the stages this processor runs gives the same tally, bit for
    /// bit. (Where it lacks x86-64-v3 or v4, those copies cannot be run here.)
    #[test]
    fn results_do_not_depend_on_the_instruction_set() {
        let models = [
            crate::synth::scenario(20, 5, 4),
            crate::synth::EVERY_FORM.to_string(),
        ]
        .map(|text| crate::scenario::parse("forms.toml", &text, &[]).unwrap());
        for model in models
            .into_iter()
            .chain([super::super::format2_tests::format2()])
        {
            let plan = Plan::new(&model);
            let run = |isa: Isa| {
                let mut s = Scratch::new(&plan);
                s.isa = isa;
                let mut t = Tally::new(&model);
                for block in 0..3 {
                    run_block(&plan, 5, block, 4096, &mut s, &mut t);
                }
                t
            };
            let baseline = run(Isa::baseline());
            for isa in Isa::available() {
                assert_eq!(run(isa), baseline, "{}", isa.name());
            }
        }
    }
}

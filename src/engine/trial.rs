//! One block of trials: the semantics of docs/design.md's numbered steps, on the flat
//! arrays of a [`Plan`], in stages over batches of trials.
//!
//! Random draws come from per-entity streams (see [`crate::streams`]): a condition,
//! a bloc factor, a nation's decision, a nation's readiness, each contribution and
//! each random requirement has its own stream in every block, and each stream is
//! read in trial order. That freedom is used here: instead of running one whole
//! trial after another, a batch of [`BATCH`] trials is run step by step — every
//! condition for the whole batch, then every nation's decision, then each
//! contribution for the trials in which its nation takes part, then the domains,
//! then the tallies. Each stage is a tight loop over trials with one sampler and
//! no data-dependent dispatch, so independent draws overlap in the processor, and
//! the result is draw for draw the same as running the trials one by one.
//!
//! Nothing here allocates, hashes or touches a string: every buffer lives in a
//! [`Scratch`] made once per worker, and every figure goes into the worker's
//! [`Tally`] by index.

use rand_xoshiro::Xoshiro256PlusPlus;

use super::days::{self, DayScratch};
use super::isa::{Isa, multiversion};
use super::plan::{CapP, Decision, NO_BLOC, Plan, ProbP};
use crate::dist::{Sampler, std_normal, unit};
use crate::math::to_count;
use crate::stats::Tally;
use crate::streams::{BLOCK_TRIALS, stream};

/// Trials per batch, at most: the buffers of a batch stay in the caches.
pub const BATCH: usize = 256;

/// Per-trial buffer entries a worker may hold (4 Mi entries, 32 MiB): scenarios with
/// very many tracked pairs and timeline days get smaller batches.
const BUFFER_ENTRIES: usize = 1 << 22;

/// Per-trial outcomes of one block, recorded when a caller asks for them (paired
/// comparisons of variants on the same trials): for each trial of the block,
/// whether every domain was covered, whether each domain was covered, and each
/// capability's total. Laid out entity-major with stride [`BLOCK_TRIALS`].
#[derive(Debug, Clone, Default)]
pub struct Outcomes {
    /// Per trial: every domain covered.
    pub all: Vec<bool>,
    /// Per domain and trial: the domain covered.
    pub covered: Vec<bool>,
    /// Per capability and trial: the total across domains.
    pub totals: Vec<u64>,
    /// Trials recorded so far in this block.
    pub len: usize,
}

impl Outcomes {
    /// Buffers for one block of `plan`'s scenario.
    pub fn new(plan: &Plan) -> Outcomes {
        let n = BLOCK_TRIALS as usize;
        Outcomes {
            all: vec![false; n],
            covered: vec![false; plan.domains.len() * n],
            totals: vec![0; plan.capabilities * n],
            len: 0,
        }
    }
}

/// Per-worker buffers, reused by every block and batch. Per-trial arrays are laid
/// out entity-major: `x[entity * b + trial]`, `b` the batch width.
pub struct Scratch {
    cond_rng: Vec<Xoshiro256PlusPlus>,
    bloc_rng: Vec<Xoshiro256PlusPlus>,
    nation_rng: Vec<Xoshiro256PlusPlus>,
    ready_rng: Vec<Xoshiro256PlusPlus>,
    contrib_rng: Vec<Xoshiro256PlusPlus>,
    req_rng: Vec<Xoshiro256PlusPlus>,
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
    /// Per nation and trial: the first timeline day by which it is ready.
    row: Vec<u16>,
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
    /// Per (day row, tracked pair, trial): amounts that arrive by that day
    /// (row `days`: after the last timeline day).
    arrive: Vec<u64>,
    /// The days-to-coverage stage's buffers.
    days: DayScratch,
    /// Trials per batch (the stride of the per-trial arrays).
    b: usize,
    /// Which copy of the stages to run.
    pub(crate) isa: Isa,
    /// When set, each block's per-trial outcomes are recorded here.
    pub outcomes: Option<Outcomes>,
}

impl Scratch {
    /// Buffers sized for `plan`.
    pub fn new(plan: &Plan) -> Scratch {
        let nn = plan.nation_keys.len();
        let per_trial = (plan.days.len() + 3) * plan.tracked.max(1)
            + 4 * nn
            + plan.capabilities
            + usize::from(!plan.days.is_empty()) * (nn + plan.contribs.len());
        Scratch::with_batch(plan, (BUFFER_ENTRIES / per_trial).clamp(1, BATCH))
    }

    /// Buffers for batches of `b` trials (results do not depend on `b`).
    pub fn with_batch(plan: &Plan, b: usize) -> Scratch {
        let r = stream(0, 0, 0);
        let nn = plan.nation_keys.len();
        let b = b.clamp(1, BATCH);
        let max_caps = plan
            .decisions
            .iter()
            .map(|d| d.caps.len())
            .max()
            .unwrap_or(0);
        Scratch {
            cond_rng: vec![r.clone(); plan.conditions.len()],
            bloc_rng: vec![r.clone(); plan.bloc_keys.len()],
            nation_rng: vec![r.clone(); nn],
            ready_rng: vec![r.clone(); nn],
            contrib_rng: vec![r.clone(); plan.contribs.len()],
            req_rng: vec![r; plan.reqs.len()],
            cond: vec![false; plan.conditions.len() * b],
            factor: vec![0.0; plan.bloc_keys.len() * b],
            part: vec![false; nn * b],
            thr: vec![0.0; b],
            draws: vec![0.0; b],
            open: vec![0; b],
            cap_p: vec![0.0; max_caps * b],
            active: vec![0; nn * b],
            active_len: vec![0; nn],
            row: vec![0; nn * b],
            values: vec![0.0; b],
            amounts: vec![0; b],
            provided: vec![0; plan.tracked * b],
            totals: vec![0; plan.capabilities * b],
            required: vec![0; plan.tracked * b],
            has_lead: vec![false; plan.domains.len() * b],
            all: vec![false; b],
            covered: vec![false; b],
            arrive: vec![0; (plan.days.len() + 1) * plan.tracked * b],
            days: DayScratch::new(plan, b),
            b,
            isa: Isa::detect(),
            outcomes: None,
        }
    }
}

/// Draws the random factors of `p` and returns the probability and its normal
/// quantile, or NaN for the quantile when it must be computed (random factors).
#[inline(always)]
fn draw_prob(p: &ProbP, factors: &[Sampler], rng: &mut Xoshiro256PlusPlus) -> (f64, f64) {
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

/// Draws, in stream order, a decision's probability `p · factor` and its uniform (or,
/// for a bloc member `(load, own, bloc factors)`, its latent normal) for each trial.
#[inline(always)]
fn one_factor(
    p: f64,
    latent: Option<(f64, f64, &[f64])>,
    thr: &mut [f64],
    draws: &mut [f64],
    rng: &mut Xoshiro256PlusPlus,
    factor: impl Fn(&mut Xoshiro256PlusPlus) -> f64,
) {
    match latent {
        Some((load, own, f)) => {
            for ((t, d), &f) in thr.iter_mut().zip(draws.iter_mut()).zip(f) {
                *t = p * factor(rng);
                *d = load * f + own * std_normal(rng);
            }
        }
        None => {
            for (t, d) in thr.iter_mut().zip(draws.iter_mut()) {
                *t = p * factor(rng);
                *d = unit(rng);
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

fn seed_all(rngs: &mut [Xoshiro256PlusPlus], keys: &[u64], seed: u64, block: u64) {
    for (rng, &key) in rngs.iter_mut().zip(keys) {
        *rng = stream(seed, block, key);
    }
}

/// Runs block `block` (of `len` trials) and adds its outcomes to `tally`.
pub fn run_block(plan: &Plan, seed: u64, block: u64, len: u64, s: &mut Scratch, tally: &mut Tally) {
    seed_all(&mut s.cond_rng, &plan.condition_keys, seed, block);
    seed_all(&mut s.bloc_rng, &plan.bloc_keys, seed, block);
    seed_all(&mut s.nation_rng, &plan.nation_keys, seed, block);
    for (n, ready) in plan.ready.iter().enumerate() {
        if ready.as_ref().is_some_and(|r| !r.is_fixed()) {
            s.ready_rng[n] = stream(seed, block, plan.ready_keys[n]);
        }
    }
    for (k, c) in plan.contribs.iter().enumerate() {
        if c.random {
            s.contrib_rng[k] = stream(seed, block, plan.contrib_keys[k]);
        }
    }
    for (k, r) in plan.reqs.iter().enumerate() {
        if r.random {
            s.req_rng[k] = stream(seed, block, plan.req_keys[k]);
        }
    }
    let len = len as usize;
    if let Some(o) = &mut s.outcomes {
        o.len = 0;
    }
    batches(s.isa, plan, s, tally, len);
    tally.trials += len as u64;
}

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
        batch(plan, s, tally, m);
        start += m;
    }
}

/// Draws `out.len()` values from `sampler`. Each kind of distribution gets its own
/// loop with the sampler inlined, and the stream's state lives in registers for the
/// loop. Where a draw is a function of one uniform (triangular, uniform), the
/// uniforms are drawn first and transformed in a second loop, which the compiler
/// vectorises.
#[inline(always)]
fn draw_values(sampler: &Sampler, rng: &mut Xoshiro256PlusPlus, out: &mut [f64]) {
    let mut r = rng.clone();
    match *sampler {
        Sampler::Triangular(ref tri) => {
            out.iter_mut().for_each(|o| *o = unit(&mut r));
            tri.from_units(out);
        }
        Sampler::Pert {
            min,
            range,
            ref beta,
        } => out
            .iter_mut()
            .for_each(|o| *o = min + range * beta.sample(&mut r)),
        Sampler::Uniform { min, width } => {
            out.iter_mut().for_each(|o| *o = unit(&mut r));
            out.iter_mut().for_each(|o| *o = min + width * *o);
        }
        Sampler::Normal { mean, sd } => out
            .iter_mut()
            .for_each(|o| *o = mean + sd * std_normal(&mut r)),
        Sampler::LogNormal { median, sigma } => {
            out.iter_mut().for_each(|o| *o = sigma * std_normal(&mut r));
            out.iter_mut().for_each(|o| *o = median * o.exp());
        }
        _ => {
            for o in out.iter_mut() {
                *o = sampler.sample(&mut r);
            }
        }
    }
    *rng = r;
}

/// Runs `m` (≤ the batch width) trials, stage by stage.
#[inline(always)]
fn batch(plan: &Plan, s: &mut Scratch, tally: &mut Tally, m: usize) {
    conditions(plan, s, tally, m);
    decisions(plan, s, m);
    participation(plan, s, tally, m);
    contributions(plan, s, tally);
    coverage(plan, s, tally, m);
    if s.outcomes.is_some() {
        record(plan, s, m);
    }
    tallies(plan, s, tally, m);
    if !plan.days.is_empty() {
        timeline(plan, s, tally, m);
        days::record(plan, &mut s.days, &s.has_lead, &s.required, s.b, m, tally);
    }
}

/// Step 1: conditions, and the bloc factors.
#[inline(always)]
fn conditions(plan: &Plan, s: &mut Scratch, tally: &mut Tally, m: usize) {
    let b = s.b;
    // 1. Conditions. (Each loop works on a copy of its stream, kept in registers.)
    for (i, c) in plan.conditions.iter().enumerate() {
        let mut rng = s.cond_rng[i].clone();
        let out = &mut s.cond[i * b..i * b + m];
        let mut held = 0u64;
        for o in out.iter_mut() {
            let (p, _) = draw_prob(c, &plan.factors, &mut rng);
            *o = unit(&mut rng) < p;
            held += u64::from(*o);
        }
        s.cond_rng[i] = rng;
        tally.condition_true[i] += held;
    }
    // Bloc factors.
    for (bl, stream) in s.bloc_rng.iter_mut().enumerate() {
        let mut rng = stream.clone();
        for f in &mut s.factor[bl * b..bl * b + m] {
            *f = std_normal(&mut rng);
        }
        *stream = rng;
    }
}

/// Steps 2–3: each nation's decision, in an order where every `if_absent` nation
/// is decided first. Each decision takes one of three strategies, by what it draws.
#[inline(always)]
fn decisions(plan: &Plan, s: &mut Scratch, m: usize) {
    for d in &plan.decisions {
        let n = d.nation as usize;
        let mut rng = s.nation_rng[n].clone();
        let caps = d.caps.of(&plan.caps);
        if caps.is_empty() && d.prob.is_fixed() {
            fixed_decision(plan, d, s, m, &mut rng);
        } else if d.prob.is_fixed() && caps.iter().all(|c| c.prob.is_fixed()) {
            capped_decision(plan, d, caps, s, m, &mut rng);
        } else {
            drawn_decision(plan, d, caps, s, m, &mut rng);
        }
        s.nation_rng[n] = rng;
    }
}

/// A fixed probability and no caps: one uniform per trial against `p`, or for a
/// bloc member its latent normal against `Φ⁻¹(p)`.
#[inline(always)]
fn fixed_decision(
    plan: &Plan,
    d: &Decision,
    s: &mut Scratch,
    m: usize,
    rng: &mut Xoshiro256PlusPlus,
) {
    let b = s.b;
    let n = d.nation as usize;
    let out = &mut s.part[n * b..n * b + m];
    if d.bloc == NO_BLOC {
        for o in out {
            *o = unit(rng) < d.prob.p;
        }
    } else {
        let bl = d.bloc as usize;
        let (load, own, z) = (plan.bloc_load[bl], plan.bloc_own[bl], d.prob.z);
        for (o, &f) in out.iter_mut().zip(&s.factor[bl * b..bl * b + m]) {
            *o = load * f + own * std_normal(rng) < z;
        }
    }
}

/// Fixed probabilities with caps: the binding caps' minimum, taken in quantile
/// space for a bloc member (Φ⁻¹ is monotone), one cap at a time over the batch.
#[inline(always)]
fn capped_decision(
    plan: &Plan,
    d: &Decision,
    caps: &[CapP],
    s: &mut Scratch,
    m: usize,
    rng: &mut Xoshiro256PlusPlus,
) {
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
            *t = t.min(select(here, f64::INFINITY, c));
        }
    }
    let out = &mut s.part[n * b..n * b + m];
    match bloc {
        None => {
            for (o, &t) in out.iter_mut().zip(thr.iter()) {
                *o = unit(rng) < t;
            }
        }
        Some(bl) => {
            let (load, own) = (plan.bloc_load[bl], plan.bloc_own[bl]);
            let factor = &s.factor[bl * b..bl * b + m];
            for ((o, &t), &f) in out.iter_mut().zip(thr.iter()).zip(factor) {
                *o = load * f + own * std_normal(rng) < t;
            }
        }
    }
}

/// Per trial of the batch: whether a cap's nation takes part, or its condition
/// holds (the cap binds where not).
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
fn drawn_decision(
    plan: &Plan,
    d: &Decision,
    caps: &[CapP],
    s: &mut Scratch,
    m: usize,
    rng: &mut Xoshiro256PlusPlus,
) {
    let b = s.b;
    let n = d.nation as usize;
    let bloc = (d.bloc != NO_BLOC).then_some(d.bloc as usize);
    draw_thresholds(plan, d, caps, bloc, s, m, rng);
    // A cap binds when its condition is false (or its nation absent):
    // p = min(p, cap).
    let thr = &mut s.thr[..m];
    for (c, cap) in caps.iter().enumerate() {
        let present = cap_present(cap, &s.part, &s.cond, b, m);
        if cap.prob.is_fixed() {
            for (t, &here) in thr.iter_mut().zip(present) {
                *t = t.min(select(here, f64::INFINITY, cap.prob.p));
            }
        } else {
            let drawn = &s.cap_p[c * b..c * b + m];
            for ((t, &here), &cp) in thr.iter_mut().zip(present).zip(drawn) {
                *t = t.min(select(here, f64::INFINITY, cp));
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
    rng: &mut Xoshiro256PlusPlus,
) {
    let b = s.b;
    let thr = &mut s.thr[..m];
    let draws = &mut s.draws[..m];
    let random_caps = caps.iter().any(|c| !c.prob.is_fixed());
    let (load, own) = bloc.map_or((0.0, 0.0), |bl| (plan.bloc_load[bl], plan.bloc_own[bl]));
    let factor = &s.factor[bloc.unwrap_or(0) * b..];
    let latent = bloc.map(|_| (load, own, &factor[..m]));
    let p = d.prob.p;
    // The common cases get loops of their own: one drawn factor of a bounded
    // form, and no drawn caps.
    match (d.prob.factors.of(&plan.factors), random_caps) {
        ([Sampler::Pert { min, range, beta }], false) => {
            one_factor(p, latent, thr, draws, rng, |r| min + range * beta.sample(r));
        }
        ([Sampler::Triangular(tri)], false) => {
            one_factor(p, latent, thr, draws, rng, |r| tri.sample(r));
        }
        ([Sampler::Uniform { min, width }], false) => {
            one_factor(p, latent, thr, draws, rng, |r| min + width * unit(r));
        }
        _ => {
            for j in 0..m {
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
            let row = &mut s.row[n * b..n * b + m];
            match ready {
                Some(r) => {
                    let ready = &mut s.values[..len];
                    draw_values(r, &mut s.ready_rng[n], ready);
                    // The first timeline day on or after `ready` (branch-free count).
                    for (&j, &ready) in list[..len].iter().zip(ready.iter()) {
                        row[j as usize] = plan.days.iter().map(|&d| u16::from(d < ready)).sum();
                        s.days.ready_day[n * b + j as usize] = days::ready_day(ready);
                    }
                }
                None => {
                    row.fill(0);
                    s.days.ready_day[n * b..n * b + m].fill(0);
                }
            }
        }
    }
}

/// Step 4: contributions.
#[inline(always)]
fn contributions(plan: &Plan, s: &mut Scratch, tally: &mut Tally) {
    let b = s.b;
    let days = plan.days.len();
    // 4. Contributions, each for the trials in which its nation takes part.
    let nt = plan.tracked;
    s.provided[..nt * b].fill(0);
    s.totals.fill(0);
    if days > 0 {
        s.arrive.fill(0);
    }
    for (k, c) in plan.contribs.iter().enumerate() {
        let n = c.nation as usize;
        let list = &s.active[n * b..n * b + s.active_len[n]];
        let amounts = &mut s.amounts[..list.len()];
        if c.random {
            let values = &mut s.values[..list.len()];
            draw_values(&c.sampler, &mut s.contrib_rng[k], values);
            for (a, &v) in amounts.iter_mut().zip(values.iter()) {
                *a = to_count(v);
            }
        } else {
            amounts.fill(c.fixed);
        }
        let t = c.tracked as usize;
        let provided = &mut s.provided[t * b..t * b + b];
        let mut sum = 0u64;
        if days > 0 {
            // Filed under the first timeline day by which its nation is ready.
            let rows = &s.row[n * b..n * b + b];
            let arrive = &mut s.arrive[t * b..];
            let stride = nt * b;
            let amount = &mut s.days.amount[k * b..k * b + b];
            amount.fill(0);
            for (&j, &v) in list.iter().zip(amounts.iter()) {
                let j = j as usize;
                amount[j] = v;
                provided[j] += v;
                sum += v;
                arrive[usize::from(rows[j]) * stride + j] += v;
            }
        } else {
            for (&j, &v) in list.iter().zip(amounts.iter()) {
                provided[j as usize] += v;
                sum += v;
            }
        }
        tally.contributed[c.index as usize] += u128::from(sum);
    }
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

/// Steps 5–6: leads, requirements, coverage.
#[inline(always)]
fn coverage(plan: &Plan, s: &mut Scratch, tally: &mut Tally, m: usize) {
    let b = s.b;
    // 5–6. Leads, requirements, coverage.
    s.all[..m].fill(true);
    for (d, dom) in plan.domains.iter().enumerate() {
        let has_lead = &mut s.has_lead[d * b..d * b + m];
        if dom.leads.is_empty() {
            has_lead.fill(true);
        } else {
            has_lead.fill(false);
            // Succession: a lead counts where no earlier lead takes part.
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
        }
        let mut leaderless = 0u64;
        for (c, &h) in s.covered[..m].iter_mut().zip(has_lead.iter()) {
            *c = h;
            leaderless += u64::from(!h);
        }
        tally.leaderless[d] += leaderless;
        let reqs = dom.reqs.range();
        for (r, rng) in plan.reqs[reqs.clone()].iter().zip(&mut s.req_rng[reqs]) {
            let t = r.tracked as usize;
            let provided = &s.provided[t * b..t * b + m];
            let required = &mut s.required[t * b..t * b + m];
            if r.random {
                let values = &mut s.values[..m];
                draw_values(&r.sampler, rng, values);
                for (q, &v) in required.iter_mut().zip(values.iter()) {
                    *q = to_count(v);
                }
            } else {
                required.fill(r.fixed);
            }
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
        let mut covered = 0u64;
        for (a, &c) in s.all[..m].iter_mut().zip(&s.covered[..m]) {
            covered += u64::from(c);
            *a &= c;
        }
        tally.covered[d] += covered;
        if let Some(o) = &mut s.outcomes {
            let at = d * BLOCK_TRIALS as usize + o.len;
            o.covered[at..at + m].copy_from_slice(&s.covered[..m]);
        }
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

/// Records the batch's every-domain coverage and totals in [`Scratch::outcomes`]
/// (each domain's coverage was recorded as it was evaluated).
#[inline(never)]
fn record(plan: &Plan, s: &mut Scratch, m: usize) {
    let b = s.b;
    let Some(o) = &mut s.outcomes else { return };
    let stride = BLOCK_TRIALS as usize;
    o.all[o.len..o.len + m].copy_from_slice(&s.all[..m]);
    for c in 0..plan.capabilities {
        let at = c * stride + o.len;
        o.totals[at..at + m].copy_from_slice(&s.totals[c * b..c * b + m]);
    }
    o.len += m;
}

/// Histograms, thresholds and per-nation counts.
#[inline(always)]
fn tallies(plan: &Plan, s: &mut Scratch, tally: &mut Tally, m: usize) {
    let b = s.b;
    // Histograms and thresholds.
    for (t, h) in tally.provided.iter_mut().enumerate() {
        h.add_all(&s.provided[t * b..t * b + m]);
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

/// Coverage by each timeline day: a contribution counts once its nation is ready.
#[inline(always)]
fn timeline(plan: &Plan, s: &mut Scratch, tally: &mut Tally, m: usize) {
    let b = s.b;
    let nt = plan.tracked;
    let nd = plan.domains.len();
    let days = plan.days.len();
    // Running sums over day rows, in place: after step k, row k holds what has
    // arrived by day k.
    for k in 1..days {
        let (before, rest) = s.arrive.split_at_mut(k * nt * b);
        let prev = &before[(k - 1) * nt * b..];
        for (a, p) in rest[..nt * b].iter_mut().zip(prev) {
            *a += p;
        }
    }
    for k in 0..days {
        let by_day = &s.arrive[k * nt * b..(k + 1) * nt * b];
        s.all[..m].fill(true);
        for (d, dom) in plan.domains.iter().enumerate() {
            s.covered[..m].copy_from_slice(&s.has_lead[d * b..d * b + m]);
            for r in dom.reqs.of(&plan.reqs) {
                let t = r.tracked as usize;
                let have = &by_day[t * b..t * b + m];
                let need = &s.required[t * b..t * b + m];
                for ((c, &h), &q) in s.covered[..m].iter_mut().zip(have).zip(need) {
                    *c &= h >= q;
                }
            }
            let mut covered = 0u64;
            for (a, &c) in s.all[..m].iter_mut().zip(&s.covered[..m]) {
                covered += u64::from(c);
                *a &= c;
            }
            tally.timeline_domain[k * nd + d] += covered;
        }
        tally.timeline_all[k] += s.all[..m].iter().map(|&a| u64::from(a)).sum::<u64>();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The batch width is a matter of speed only: every width gives the same tally.
    #[test]
    fn results_do_not_depend_on_the_batch_width() {
        let text = crate::synth::scenario(12, 4, 3);
        let model = crate::scenario::parse("synthetic.toml", &text, &[]).unwrap();
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

    /// Every copy of the stages this processor runs gives the same tally, bit for
    /// bit. (Where it lacks x86-64-v3 or v4, those copies cannot be run here.)
    #[test]
    fn results_do_not_depend_on_the_instruction_set() {
        for text in [
            crate::synth::scenario(20, 5, 4),
            crate::synth::EVERY_FORM.to_string(),
        ] {
            let model = crate::scenario::parse("forms.toml", &text, &[]).unwrap();
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

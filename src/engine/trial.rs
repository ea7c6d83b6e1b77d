//! One block of trials: the semantics of DESIGN.md's numbered steps, on the flat
//! arrays of a [`Plan`].
//!
//! Nothing here allocates, hashes or touches a string: every buffer lives in a
//! [`Scratch`] made once per worker, and every figure goes into the worker's
//! [`Tally`] by index. Random draws come from per-entity streams (see
//! [`super::stream`]): a condition, a bloc factor, a nation's decision, a nation's
//! readiness, each contribution and each random requirement has its own stream in
//! every block, so changing one of them leaves every other draw of the run as it was.

use rand_xoshiro::Xoshiro256PlusPlus;

use super::plan::{NO_BLOC, Plan, ProbP};
use super::{stream, to_count};
use crate::dist::{Sampler, std_normal, unit};
use crate::math::norm_inv;
use crate::stats::Tally;

/// Per-worker buffers, reused by every block and trial.
pub struct Scratch {
    cond_rng: Vec<Xoshiro256PlusPlus>,
    bloc_rng: Vec<Xoshiro256PlusPlus>,
    nation_rng: Vec<Xoshiro256PlusPlus>,
    ready_rng: Vec<Xoshiro256PlusPlus>,
    contrib_rng: Vec<Xoshiro256PlusPlus>,
    req_rng: Vec<Xoshiro256PlusPlus>,
    cond: Vec<bool>,
    factor: Vec<f64>,
    part: Vec<bool>,
    provided: Vec<u64>,
    totals: Vec<u64>,
    required: Vec<u64>,
    has_lead: Vec<bool>,
    /// Per participating nation: the first timeline day by which it is ready.
    row: Vec<usize>,
    /// Indices of the contributions of this trial's participating nations.
    active: Vec<u32>,
    /// Row k (of days + 1): amounts that arrive by day k (row `days`: later).
    arrive: Vec<u64>,
    cumulative: Vec<u64>,
}

impl Scratch {
    /// Buffers sized for `plan`.
    pub fn new(plan: &Plan) -> Scratch {
        let r = stream(0, 0, 0);
        let nn = plan.nation_keys.len();
        Scratch {
            cond_rng: vec![r.clone(); plan.conditions.len()],
            bloc_rng: vec![r.clone(); plan.bloc_keys.len()],
            nation_rng: vec![r.clone(); nn],
            ready_rng: vec![r.clone(); nn],
            contrib_rng: vec![r.clone(); plan.contribs.len()],
            req_rng: vec![r; plan.reqs.len()],
            cond: vec![false; plan.conditions.len()],
            factor: vec![0.0; plan.bloc_keys.len()],
            part: vec![false; nn],
            provided: vec![0; plan.tracked],
            totals: vec![0; plan.capabilities],
            required: vec![0; plan.tracked],
            has_lead: vec![false; plan.domains.len()],
            row: vec![0; nn],
            active: vec![0; plan.contribs.len()],
            arrive: vec![0; (plan.days.len() + 1) * plan.tracked],
            cumulative: vec![0; plan.tracked],
        }
    }
}

/// Draws the random factors of `p` and returns the probability and its normal
/// quantile, or NaN for the quantile when it must be computed (random factors).
#[inline(always)]
fn draw_prob(p: &ProbP, factors: &[Sampler], rng: &mut Xoshiro256PlusPlus) -> (f64, f64) {
    if p.factors.0 == p.factors.1 {
        (p.p, p.z)
    } else {
        let mut v = p.p;
        for f in &factors[p.factors.0 as usize..p.factors.1 as usize] {
            v *= f.sample(rng);
        }
        (v, f64::NAN)
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
    for _ in 0..len {
        trial(plan, s, tally);
    }
    tally.trials += len;
}

#[inline]
fn trial(plan: &Plan, s: &mut Scratch, tally: &mut Tally) {
    // 1. Conditions.
    for (i, c) in plan.conditions.iter().enumerate() {
        let rng = &mut s.cond_rng[i];
        let (p, _) = draw_prob(c, &plan.factors, rng);
        let holds = unit(rng) < p;
        s.cond[i] = holds;
        tally.condition_true[i] += u64::from(holds);
    }
    // Bloc factors.
    for (f, rng) in s.factor.iter_mut().zip(s.bloc_rng.iter_mut()) {
        *f = std_normal(rng);
    }
    // 2–3. Nations, in an order where every `if_absent` nation is decided first.
    for d in &plan.decisions {
        let n = d.nation as usize;
        let rng = &mut s.nation_rng[n];
        let (mut p, mut z) = draw_prob(&d.prob, &plan.factors, rng);
        for cap in &plan.caps[d.caps.0 as usize..d.caps.1 as usize] {
            let (cp, cz) = draw_prob(&cap.prob, &plan.factors, rng);
            let absent = if cap.on_nation {
                !s.part[cap.on as usize]
            } else {
                !s.cond[cap.on as usize]
            };
            // The cap binds when its condition is false (or nation absent) and it
            // is lower: p = min(p, cap), and Φ⁻¹ is monotone, so z follows.
            let binds = absent & (cp < p);
            p = select(binds, cp, p);
            z = select(binds, cz, z);
        }
        s.part[n] = if d.bloc == NO_BLOC {
            unit(rng) < p
        } else {
            let b = d.bloc as usize;
            let latent = plan.bloc_load[b] * s.factor[b] + plan.bloc_own[b] * std_normal(rng);
            latent < if z.is_nan() { norm_inv(p) } else { z }
        };
    }
    // 4. Contributions of participating nations.
    let days = plan.days.len();
    let nt = plan.tracked;
    s.provided.fill(0);
    s.totals.fill(0);
    if days > 0 {
        s.arrive.fill(0);
    }
    for (n, ready) in plan.ready.iter().enumerate() {
        if !s.part[n] {
            continue;
        }
        tally.nation_in[n] += 1;
        if days > 0 {
            s.row[n] = match ready {
                Some(r) => {
                    let ready = r.sample(&mut s.ready_rng[n]);
                    plan.days.partition_point(|&d| d < ready)
                }
                None => 0,
            };
        }
    }
    // The participating nations' contributions, listed without a branch per entry
    // (participation is random, a branch on it mispredicts); the list keeps the
    // plan's order, grouped by distribution, so the sampler dispatch stays predictable.
    let mut m = 0;
    for (k, &n) in plan.contrib_nations.iter().enumerate() {
        s.active[m] = k as u32;
        m += usize::from(s.part[n as usize]);
    }
    for &k in &s.active[..m] {
        let k = k as usize;
        let c = &plan.contribs[k];
        let v = if c.random {
            to_count(c.sampler.sample(&mut s.contrib_rng[k]))
        } else {
            c.fixed
        };
        let t = c.tracked as usize;
        s.provided[t] += v;
        s.totals[c.cap as usize] += v;
        tally.contributed[c.index as usize] += u128::from(v);
        if days > 0 {
            s.arrive[s.row[c.nation as usize] * nt + t] += v;
        }
    }
    // 5–6. Leads, requirements, coverage.
    let mut all = true;
    for (d, dom) in plan.domains.iter().enumerate() {
        let (l0, l1) = (dom.leads.0 as usize, dom.leads.1 as usize);
        let mut has_lead = l0 == l1;
        for (slot, &l) in plan.leads[l0..l1].iter().enumerate() {
            if s.part[l as usize] {
                tally.leads[l0 + slot] += 1;
                has_lead = true;
                break;
            }
        }
        s.has_lead[d] = has_lead;
        tally.leaderless[d] += u64::from(!has_lead);
        let mut met_all = true;
        let (r0, r1) = (dom.reqs.0 as usize, dom.reqs.1 as usize);
        for (r, rng) in plan.reqs[r0..r1].iter().zip(&mut s.req_rng[r0..r1]) {
            let t = r.tracked as usize;
            let req = if r.random {
                to_count(r.sampler.sample(rng))
            } else {
                r.fixed
            };
            s.required[t] = req;
            tally.required_sum[t] += u128::from(req);
            let prov = s.provided[t];
            let met = prov >= req;
            tally.met[t] += u64::from(met);
            met_all &= met;
            if r.random {
                if let Some(g) = &mut tally.gaps[t] {
                    g.add(req.saturating_sub(prov));
                }
            }
        }
        let covered = has_lead && met_all;
        tally.covered[d] += u64::from(covered);
        all &= covered;
    }
    tally.all_covered += u64::from(all);
    for (h, &v) in tally.provided.iter_mut().zip(&s.provided) {
        h.add(v);
    }
    let mut slot = 0;
    for (c, h) in tally.totals.iter_mut().enumerate() {
        let total = s.totals[c];
        h.add(total);
        for &x in &plan.thresholds[c] {
            tally.above[slot] += u64::from(total >= x);
            slot += 1;
        }
    }
    if all {
        for (acc, &inn) in tally.nation_in_all.iter_mut().zip(&s.part) {
            *acc += u64::from(inn);
        }
    }
    // Timeline: a contribution counts by day k once its nation is ready.
    if days > 0 {
        s.cumulative.fill(0);
        let nd = plan.domains.len();
        for k in 0..days {
            for (cum, a) in s.cumulative.iter_mut().zip(&s.arrive[k * nt..(k + 1) * nt]) {
                *cum += a;
            }
            let mut all_k = true;
            for (d, dom) in plan.domains.iter().enumerate() {
                let covered = s.has_lead[d]
                    && plan.reqs[dom.reqs.0 as usize..dom.reqs.1 as usize]
                        .iter()
                        .all(|r| {
                            s.cumulative[r.tracked as usize] >= s.required[r.tracked as usize]
                        });
                tally.timeline_domain[k * nd + d] += u64::from(covered);
                all_k &= covered;
            }
            tally.timeline_all[k] += u64::from(all_k);
        }
    }
}

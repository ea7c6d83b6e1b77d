//! One block of trials: the semantics of DESIGN.md's numbered steps, on flat arrays.
//!
//! Nothing here allocates, hashes or touches a string: every buffer lives in a
//! [`Scratch`] made once per worker, and every figure goes into the worker's
//! [`Tally`] by index.

use rand_xoshiro::Xoshiro256PlusPlus;

use super::{stream, to_count};
use crate::dist::{std_normal, unit};
use crate::math::norm_inv;
use crate::model::{CapOn, Model, Prob};
use crate::stats::Tally;

/// Per-worker buffers, reused by every block and trial.
pub struct Scratch {
    cond_rng: Vec<Xoshiro256PlusPlus>,
    bloc_rng: Vec<Xoshiro256PlusPlus>,
    domain_rng: Vec<Xoshiro256PlusPlus>,
    nation_rng: Vec<Xoshiro256PlusPlus>,
    cond: Vec<bool>,
    factor: Vec<f64>,
    part: Vec<bool>,
    provided: Vec<u64>,
    totals: Vec<u64>,
    required: Vec<u64>,
    has_lead: Vec<bool>,
    /// Row k (of days + 1): amounts that arrive by day k (row `days`: never in the window).
    arrive: Vec<u64>,
    cumulative: Vec<u64>,
}

impl Scratch {
    /// Buffers sized for `model`.
    pub fn new(model: &Model) -> Scratch {
        let dummy = stream(0, 0, 0);
        let nt = model.tracked.len();
        Scratch {
            cond_rng: vec![dummy.clone(); model.conditions.len()],
            bloc_rng: vec![dummy.clone(); model.blocs.len()],
            domain_rng: vec![dummy.clone(); model.domains.len()],
            nation_rng: vec![dummy; model.nations.len()],
            cond: vec![false; model.conditions.len()],
            factor: vec![0.0; model.blocs.len()],
            part: vec![false; model.nations.len()],
            provided: vec![0; nt],
            totals: vec![0; model.capabilities.len()],
            required: vec![0; nt],
            has_lead: vec![false; model.domains.len()],
            arrive: vec![0; (model.timeline_days.len() + 1) * nt],
            cumulative: vec![0; nt],
        }
    }
}

/// Draws the random factors of `p` and returns the probability and, when it is
/// known without computing it, its normal quantile.
#[inline]
fn draw_prob(p: &Prob, rng: &mut Xoshiro256PlusPlus) -> (f64, Option<f64>) {
    if p.is_fixed() {
        (p.fixed, Some(p.z))
    } else {
        let mut v = p.fixed;
        for f in &p.random {
            v *= f.sample(rng);
        }
        (v, None)
    }
}

/// Runs block `block` (of `len` trials) and adds its outcomes to `tally`.
pub fn run_block(
    model: &Model,
    seed: u64,
    block: u64,
    len: u64,
    s: &mut Scratch,
    tally: &mut Tally,
) {
    for (rng, c) in s.cond_rng.iter_mut().zip(&model.conditions) {
        *rng = stream(seed, block, c.key);
    }
    for (rng, b) in s.bloc_rng.iter_mut().zip(&model.blocs) {
        *rng = stream(seed, block, b.key);
    }
    for (rng, d) in s.domain_rng.iter_mut().zip(&model.domains) {
        *rng = stream(seed, block, d.key);
    }
    for (rng, n) in s.nation_rng.iter_mut().zip(&model.nations) {
        *rng = stream(seed, block, n.key);
    }
    for _ in 0..len {
        trial(model, s, tally);
    }
    tally.trials += len;
}

#[inline]
fn trial(model: &Model, s: &mut Scratch, tally: &mut Tally) {
    // 1. Conditions.
    for (i, c) in model.conditions.iter().enumerate() {
        let rng = &mut s.cond_rng[i];
        let (p, _) = draw_prob(&c.p, rng);
        let holds = unit(rng) < p;
        s.cond[i] = holds;
        tally.condition_true[i] += u64::from(holds);
    }
    // Bloc factors.
    for (f, rng) in s.factor.iter_mut().zip(s.bloc_rng.iter_mut()) {
        *f = std_normal(rng);
    }
    // 2–3. Nations, in an order where every `if_absent` nation is decided first.
    for &n in &model.order {
        let nat = &model.nations[n];
        let rng = &mut s.nation_rng[n];
        let (mut p, mut z) = draw_prob(&nat.p, rng);
        for cap in &nat.caps {
            let (cp, cz) = draw_prob(&cap.p, rng);
            let applies = match cap.on {
                CapOn::Condition(c) => !s.cond[c],
                CapOn::Nation(m) => !s.part[m],
            };
            if applies && cp < p {
                p = cp;
                z = cz;
            }
        }
        s.part[n] = match nat.bloc {
            None => unit(rng) < p,
            Some(b) => {
                let bloc = &model.blocs[b];
                let latent = bloc.load * s.factor[b] + bloc.own * std_normal(rng);
                latent < z.unwrap_or_else(|| norm_inv(p))
            }
        };
    }
    // 4. Contributions of participating nations.
    let days = model.timeline_days.len();
    let nt = model.tracked.len();
    s.provided.fill(0);
    s.totals.fill(0);
    if days > 0 {
        s.arrive.fill(0);
    }
    for (n, nat) in model.nations.iter().enumerate() {
        if !s.part[n] {
            continue;
        }
        tally.nation_in[n] += 1;
        let rng = &mut s.nation_rng[n];
        let row = match &nat.ready {
            Some(r) => {
                let ready = r.sample(rng);
                model.timeline_days.partition_point(|&d| (d as f64) < ready)
            }
            None => 0,
        };
        for k in nat.contributions.clone() {
            let c = &model.contributions[k];
            let v = match c.fixed {
                Some(v) => v,
                None => to_count(c.sampler.sample(rng)),
            };
            s.provided[c.tracked] += v;
            s.totals[c.capability] += v;
            tally.contributed[k] += u128::from(v);
            if days > 0 {
                s.arrive[row * nt + c.tracked] += v;
            }
        }
    }
    // 5–6. Leads, requirements, coverage.
    let mut all = true;
    let mut lead_slot = 0;
    for (d, dom) in model.domains.iter().enumerate() {
        let mut has_lead = dom.leads.is_empty();
        for (i, &l) in dom.leads.iter().enumerate() {
            if s.part[l] {
                tally.leads[lead_slot + i] += 1;
                has_lead = true;
                break;
            }
        }
        lead_slot += dom.leads.len();
        s.has_lead[d] = has_lead;
        tally.leaderless[d] += u64::from(!has_lead);
        let mut met_all = true;
        for r in &dom.requirements {
            let t = r.tracked;
            let req = match r.fixed {
                Some(v) => v,
                None => to_count(r.sampler.sample(&mut s.domain_rng[d])),
            };
            s.required[t] = req;
            tally.required_sum[t] += u128::from(req);
            let prov = s.provided[t];
            let met = prov >= req;
            tally.met[t] += u64::from(met);
            met_all &= met;
            if let Some(g) = &mut tally.gaps[t] {
                g.add(req.saturating_sub(prov));
            }
        }
        let covered = has_lead && met_all;
        tally.covered[d] += u64::from(covered);
        all &= covered;
    }
    tally.all_covered += u64::from(all);
    for (t, h) in tally.provided.iter_mut().enumerate() {
        h.add(s.provided[t]);
    }
    let mut slot = 0;
    for (c, h) in tally.totals.iter_mut().enumerate() {
        let total = s.totals[c];
        h.add(total);
        for &x in &model.thresholds[c] {
            tally.above[slot] += u64::from(total >= x);
            slot += 1;
        }
    }
    if all {
        for (n, &inn) in s.part.iter().enumerate() {
            tally.nation_in_all[n] += u64::from(inn);
        }
    }
    // Timeline: a contribution counts by day k once its nation is ready.
    if days > 0 {
        s.cumulative.fill(0);
        let nd = model.domains.len();
        for k in 0..days {
            for (cum, a) in s.cumulative.iter_mut().zip(&s.arrive[k * nt..(k + 1) * nt]) {
                *cum += a;
            }
            let mut all_k = true;
            for (d, dom) in model.domains.iter().enumerate() {
                let covered = s.has_lead[d]
                    && dom
                        .requirements
                        .iter()
                        .all(|r| s.cumulative[r.tracked] >= s.required[r.tracked]);
                tally.timeline_domain[k * nd + d] += u64::from(covered);
                all_k &= covered;
            }
            tally.timeline_all[k] += u64::from(all_k);
        }
    }
}

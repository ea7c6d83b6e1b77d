//! Days to coverage: in each trial, the first whole day by which each domain, and
//! every domain at once, is covered, counting a contribution from the day its
//! nation is ready (`ready_days`, rounded up to a whole day).
//!
//! Coverage by day `d` only grows with `d` (contributions only add), so a
//! requirement is met from the ready day at which its running sum, in order of
//! ready days, first reaches the requirement; a domain is covered from the latest
//! of its requirements' days (when it has a lead), and every domain from the latest
//! domain's day. A trial in which a domain is never covered adds nothing to that
//! domain's histogram: "never" is the trials less the histogram's count.
//! P(covered by day d) is therefore exact for every day, and equals the timeline's
//! figure at each of `timeline_days`.

use super::plan::Plan;
use crate::stats::Tally;

/// Per-worker buffers of the days-to-coverage stage.
pub struct DayScratch {
    /// Per nation and trial: its whole ready day (0 without `ready_days`).
    pub(super) ready_day: Vec<u32>,
    /// Per contribution (plan order) and trial: the amount provided (0 when absent).
    pub(super) amount: Vec<u64>,
    /// Per tracked pair: the contributions (plan order) that provide it.
    by_tracked: Vec<Vec<u32>>,
    /// One requirement's (ready day, amount) pairs in one trial.
    pairs: Vec<(u32, u64)>,
    /// Per trial: the day by which every domain is covered so far (`None`: never).
    all: Vec<Option<u32>>,
    /// Per trial: the day by which the current domain is covered so far.
    day: Vec<Option<u32>>,
}

impl DayScratch {
    /// Buffers for batches of `b` trials; empty without `timeline_days`.
    pub fn new(plan: &Plan, b: usize) -> DayScratch {
        let on = !plan.days.is_empty();
        let mut by_tracked = vec![Vec::new(); if on { plan.tracked } else { 0 }];
        if on {
            for (k, c) in plan.contribs.iter().enumerate() {
                by_tracked[c.tracked as usize].push(k as u32);
            }
        }
        let len = |n: usize| if on { n * b } else { 0 };
        DayScratch {
            ready_day: vec![0; len(plan.ready.len())],
            amount: vec![0; len(plan.contribs.len())],
            by_tracked,
            pairs: Vec::new(),
            all: vec![None; len(1)],
            day: vec![None; len(1)],
        }
    }
}

/// The whole day from which a nation ready at `ready` (days) counts: the smallest
/// whole day `d ≥ 0` with `d ≥ ready` (a timeline day counts it exactly then).
#[inline]
pub fn ready_day(ready: f64) -> u32 {
    // `max` returns the other operand for NaN (counted from day 0, as the timeline does).
    ready.max(0.0).ceil().min(f64::from(u32::MAX)) as u32
}

/// The first day by which `need` is reached when `pairs` (ready day, amount)
/// arrive, or `None` when their sum never reaches it. Sorts `pairs`.
pub fn day_reached(pairs: &mut [(u32, u64)], need: u64) -> Option<u32> {
    if need == 0 {
        return Some(0);
    }
    if pairs
        .iter()
        .map(|&(_, a)| a)
        .fold(0u64, u64::saturating_add)
        < need
    {
        return None;
    }
    pairs.sort_unstable_by_key(|&(d, _)| d);
    let mut sum = 0u64;
    for &(d, a) in pairs.iter() {
        sum = sum.saturating_add(a);
        if sum >= need {
            return Some(d);
        }
    }
    None
}

/// Records each domain's and every domain's day of coverage for the `m` trials of
/// the batch (`b` the batch width; `has_lead` and `required` as the coverage stage
/// left them).
pub fn record(
    plan: &Plan,
    s: &mut DayScratch,
    has_lead: &[bool],
    required: &[u64],
    b: usize,
    m: usize,
    tally: &mut Tally,
) {
    let nd = plan.domains.len();
    s.all[..m].fill(Some(0));
    for (d, dom) in plan.domains.iter().enumerate() {
        for (j, day) in s.day[..m].iter_mut().enumerate() {
            *day = has_lead[d * b + j].then_some(0u32);
        }
        for r in dom.reqs.of(&plan.reqs) {
            requirement(
                plan,
                s,
                r.tracked as usize,
                &required[r.tracked as usize * b..],
                b,
                m,
            );
        }
        for j in 0..m {
            let day = s.day[j];
            s.all[j] = s.all[j].zip(day).map(|(a, x)| a.max(x));
            if let Some(x) = day {
                tally.coverage_day[d].add(u64::from(x));
            }
        }
    }
    for &a in &s.all[..m] {
        if let Some(x) = a {
            tally.coverage_day[nd].add(u64::from(x));
        }
    }
}

/// One requirement (tracked pair `t`) over the batch: the (ready day, amount)
/// pairs are gathered contribution by contribution (contiguous reads), then each
/// trial still open finds the day its amount is reached.
fn requirement(plan: &Plan, s: &mut DayScratch, t: usize, required: &[u64], b: usize, m: usize) {
    let ks = &s.by_tracked[t];
    let w = ks.len();
    s.pairs.clear();
    s.pairs.resize(w.max(1) * m, (0, 0));
    for (i, &k) in ks.iter().enumerate() {
        let k = k as usize;
        let n = plan.contribs[k].nation as usize;
        let amounts = &s.amount[k * b..k * b + m];
        let days = &s.ready_day[n * b..n * b + m];
        for (j, (&a, &d)) in amounts.iter().zip(days).enumerate() {
            s.pairs[j * w + i] = (d, a);
        }
    }
    let open = s.day[..m].iter_mut().zip(&required[..m]);
    for ((day, &need), pairs) in open.zip(s.pairs.chunks_exact_mut(w.max(1))) {
        let Some(so_far) = *day else { continue };
        // Absent or zero contributions never complete a requirement: leave them out.
        let mut n = 0;
        for i in 0..pairs.len() {
            if pairs[i].1 > 0 {
                pairs.swap(n, i);
                n += 1;
            }
        }
        *day = day_reached(&mut pairs[..n], need).map(|x| x.max(so_far));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_requirement_is_reached_at_the_ready_day_that_completes_it() {
        let mut p = vec![(30, 2), (5, 1), (10, 4)];
        assert_eq!(day_reached(&mut p, 5), Some(10));
        assert_eq!(day_reached(&mut p, 1), Some(5));
        assert_eq!(day_reached(&mut p, 7), Some(30));
        assert_eq!(day_reached(&mut p, 8), None);
        assert_eq!(day_reached(&mut [], 0), Some(0));
        assert_eq!(day_reached(&mut [], 1), None);
    }

    #[test]
    fn ready_days_round_up_to_whole_days() {
        assert_eq!(ready_day(0.0), 0);
        assert_eq!(ready_day(-3.0), 0);
        assert_eq!(ready_day(4.2), 5);
        assert_eq!(ready_day(7.0), 7);
        assert_eq!(ready_day(f64::NAN), 0);
        assert_eq!(ready_day(1e30), u32::MAX);
    }
}

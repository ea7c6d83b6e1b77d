//! Days to coverage: in each trial, the first whole day by which each domain, the
//! force, and everything at once, is covered, counting a contribution (and a
//! lead) from the day its nation is ready (`ready_days`, rounded up to a whole
//! day).
//!
//! Coverage by day `d` only grows with `d` (contributions only add), so a
//! requirement is met from the ready day at which its running sum, in order of
//! ready days, first reaches the requirement. Each trial sorts its taking-part
//! nations by ready day once; each *lane* (a requirement, a lead entry's
//! obligation, a force requirement: one column of a nation's row of amounts)
//! then counts the running sums in that order that fall short of it, and the
//! nation at that place in the order is the one whose day meets it.
//!
//! A lead entry qualifies from the latest of its presence day (the earliest
//! ready day of its taking-part members) and its obligations' days; the domain
//! has a lead from the earliest of its entries' days. A domain is covered from
//! the latest of its requirements' days and its lead's day, the force from the
//! latest of its requirements' days, and everything from the latest of those. A
//! trial in which one is never covered adds nothing to its histogram: "never"
//! is the trials less the histogram's count. P(covered by day d) is therefore
//! exact for every day, and the timeline's figure at each of `timeline_days` is
//! read from the same day.

use super::plan::{NO_SLOT, Plan, obligation_need};
use crate::isa::Isa;
use crate::limits::MAX_DAYS;
use crate::stats::{Hist, Tally};

/// No requirement: the contribution counts towards none.
const NONE: u32 = u32::MAX;

/// The day of a domain not covered at all, in a batch's days.
const NEVER: u64 = u64::MAX;

/// Requirements are handled in groups of this many lanes, then groups of 4 and
/// 2 for what is left: a row is the lanes rounded up to [`PAIR`].
const LANES: usize = 8;
const PAIR: usize = 2;

/// Per-worker buffers of the days-to-coverage stage. The earlier stages fill them
/// as they go ([`DayScratch::start`], [`DayScratch::nation`],
/// [`DayScratch::amounts`], [`DayScratch::domain`], [`DayScratch::force`]), so
/// that each trial then reads its own rows.
pub struct DayScratch {
    /// Per nation: its row among those that count towards a lane (`NONE` when it
    /// counts towards none).
    slot: Vec<u32>,
    /// The row width: lanes rounded up to whole groups of lanes.
    width: usize,
    /// The first obligation lane and the first force lane (lanes: the
    /// requirements, then the (entry, obligation) slots, then the force
    /// requirements).
    obl_lane: usize,
    force_lane: usize,
    /// Per nation: its row among the lead entries' members (`NONE`: it is a
    /// member of none).
    member: Vec<u32>,
    /// Per lead member and trial: its ready day where it takes part (`NEVER`
    /// where not).
    ready: Vec<u64>,
    /// Per trial: the earliest day by which a lead entry of the domain at hand
    /// qualifies, and that of one entry.
    lead: Vec<u64>,
    entry: Vec<u64>,
    /// Per contribution: whether it adds to its force lane (rather than writing
    /// it: its nation's earlier contribution to the capability wrote it).
    force_add: Vec<bool>,
    /// Per trial: the force is covered at all.
    force_live: Vec<bool>,
    /// Entries per trial of `order`: the counted nations rounded up to whole
    /// groups of lanes (so that each trial's block starts on a new group).
    stride: usize,
    /// Trials per batch.
    batch: usize,
    /// Per contribution: where its nation's row starts in `rows` for the
    /// batch's first trial (`usize::MAX`: nowhere), and its lanes there (a
    /// requirement, an obligation, a force requirement; `NONE`: none).
    dest: Vec<usize>,
    lanes: Vec<[u32; 3]>,
    /// Per trial: its taking-part counted nations, as (ready day << 32 | row),
    /// in a block of `stride` entries, and how many are filled.
    order: Vec<u64>,
    count: Vec<u32>,
    /// One trial's `order`, sorted.
    sorted: Vec<u64>,
    /// Per counted nation, trial and requirement (in that order, so that a
    /// contribution writes one row after the next): the amount provided. Written
    /// for the trials in which the nation takes part (the only ones read); a
    /// requirement the nation does not contribute to stays 0.
    rows: Vec<u64>,
    /// Per trial and requirement lane: the requirement where its domain is
    /// covered at all (0 where it is not: nothing to meet), and the day it is met.
    need: Vec<u64>,
    met: Vec<u64>,
    /// Per domain and trial: it is covered at all (a lead, every requirement
    /// provided); per trial: the latest of its domains' days.
    live: Vec<bool>,
    latest: Vec<u64>,
    /// Per trial: one domain's day.
    day: Vec<u64>,
    /// The timeline days.
    timeline: Vec<u64>,
}

impl DayScratch {
    /// Buffers for batches of `b` trials; empty without `timeline_days`.
    pub fn new(plan: &Plan, b: usize) -> DayScratch {
        let on = !plan.days.is_empty();
        let l = layout(plan);
        let width = l.lanes.div_ceil(PAIR) * PAIR;
        let dest = l
            .cells
            .iter()
            .map(|&(s, _)| {
                if s == NONE {
                    usize::MAX
                } else {
                    s as usize * slot_stride(b, width)
                }
            })
            .collect();
        let len = |n: usize| if on { n * b } else { 0 };
        let counted = l.counted;
        DayScratch {
            slot: l.slot,
            width,
            obl_lane: plan.reqs.len(),
            force_lane: plan.reqs.len() + plan.obligations.len(),
            ready: vec![NEVER; len(l.members)],
            member: l.member,
            lead: vec![NEVER; len(1)],
            entry: vec![NEVER; len(1)],
            force_add: l.force_add,
            force_live: vec![false; len(1)],
            stride: counted.div_ceil(LANES) * LANES,
            batch: b,
            dest,
            lanes: l.cells.iter().map(|&(_, lanes)| lanes).collect(),
            order: vec![u64::MAX; len(counted.div_ceil(LANES) * LANES)],
            count: vec![0; len(1)],
            sorted: vec![0; counted],
            rows: vec![0; usize::from(on) * counted * slot_stride(b, width)],
            need: vec![0; len(width)],
            met: vec![0; len(width)],
            live: vec![false; len(plan.domains.len())],
            latest: vec![0; len(1)],
            day: vec![0; len(1)],
            // Whole days (validated), so `ready_day ≤ t` is `ready ≤ t`.
            timeline: plan.days.iter().map(|&t| t as u64).collect(),
        }
    }

    /// Entries per trial of the buffers (for sizing the batch).
    pub fn per_trial(plan: &Plan) -> usize {
        let l = layout(plan);
        let width = l.lanes.div_ceil(PAIR) * PAIR;
        (l.counted + 2) * width + l.counted + LANES + plan.domains.len() + l.members + 5
    }

    /// Starts a batch of `m` trials.
    #[inline(always)]
    pub(super) fn start(&mut self, m: usize) {
        self.count[..m].fill(0);
    }

    /// Nation `n` takes part in trial `j`, ready at whole day `day`.
    #[inline(always)]
    pub(super) fn nation(&mut self, n: usize, j: usize, day: u32) {
        let slot = self.slot[n];
        if slot != NONE {
            let c = &mut self.count[j];
            self.order[j * self.stride + *c as usize] = u64::from(day) << 32 | u64::from(slot);
            *c += 1;
        }
    }

    /// Nation `n` takes part in the `list`ed trials of the first `m` of the
    /// batch, ready on the whole days `ready` (for each listed trial; `None`:
    /// day 0): where it is a lead member, its row of ready days.
    #[inline(always)]
    pub(super) fn member(&mut self, n: usize, m: usize, list: &[u16], ready: Option<&[u64]>) {
        let r = self.member[n];
        if r == NONE {
            return;
        }
        let b = self.batch;
        let row = &mut self.ready[r as usize * b..r as usize * b + m];
        row.fill(NEVER);
        match ready {
            Some(days) => {
                for (&j, &d) in list.iter().zip(days) {
                    row[usize::from(j)] = d;
                }
            }
            None => {
                for &j in list {
                    row[usize::from(j)] = 0;
                }
            }
        }
    }

    /// Domain `d` is `covered` (at all) in the first `m` trials of the batch,
    /// which require `required` (per tracked pair and trial).
    #[inline(always)]
    pub(super) fn domain(&mut self, plan: &Plan, d: usize, covered: &[bool], required: &[u64]) {
        let (b, w) = (self.batch, self.width);
        let m = covered.len();
        self.live[d * b..d * b + m].copy_from_slice(covered);
        let dom = &plan.domains[d];
        for r in dom.reqs.range() {
            let t = plan.reqs[r].tracked as usize;
            let need = &mut self.need[r..];
            for (j, (&c, &q)) in covered.iter().zip(&required[t * b..t * b + m]).enumerate() {
                need[j * w] = if c { q } else { 0 };
            }
        }
        for e in dom.leads.of(&plan.entries) {
            for o in e.obligations.range() {
                let ob = &plan.obligations[o];
                let t = ob.tracked as usize;
                let need = &mut self.need[self.obl_lane + o..];
                for (j, (&c, &q)) in covered.iter().zip(&required[t * b..t * b + m]).enumerate() {
                    need[j * w] = if c { obligation_need(ob.share, q) } else { 0 };
                }
            }
        }
    }

    /// The force is `covered` (at all) in the first `m` trials of the batch,
    /// which require `required` (per force requirement and trial).
    #[inline(always)]
    pub(super) fn force(&mut self, plan: &Plan, covered: &[bool], required: &[u64]) {
        let (b, w) = (self.batch, self.width);
        let m = covered.len();
        self.force_live[..m].copy_from_slice(covered);
        let n = plan.force.as_ref().map_or(0, Vec::len);
        for i in 0..n {
            let need = &mut self.need[self.force_lane + i..];
            for (j, (&c, &q)) in covered.iter().zip(&required[i * b..i * b + m]).enumerate() {
                need[j * w] = if c { q } else { 0 };
            }
        }
    }

    /// Contribution `k` provides `amounts` in the `list`ed trials of the batch
    /// (those in which its nation takes part).
    #[inline(always)]
    pub(super) fn amounts(&mut self, k: usize, list: &[u16], amounts: &[u64]) {
        let (dest, w) = (self.dest[k], self.width);
        if dest == usize::MAX {
            return;
        }
        let [req, obl, force] = self.lanes[k];
        let rows = &mut self.rows[dest..];
        for lane in [req, obl] {
            if lane != NONE {
                let rows = &mut rows[lane as usize..];
                for (&j, &v) in list.iter().zip(amounts) {
                    rows[usize::from(j) * w] = v;
                }
            }
        }
        if force != NONE {
            let rows = &mut rows[force as usize..];
            if self.force_add[k] {
                for (&j, &v) in list.iter().zip(amounts) {
                    rows[usize::from(j) * w] += v;
                }
            } else {
                for (&j, &v) in list.iter().zip(amounts) {
                    rows[usize::from(j) * w] = v;
                }
            }
        }
    }
}

/// The rows and lanes of [`DayScratch`].
struct Layout {
    /// Per nation: its row among the nations that count towards a lane (`NONE`
    /// when it counts towards none).
    slot: Vec<u32>,
    /// How many nations count.
    counted: usize,
    /// How many lanes.
    lanes: usize,
    /// Per contribution (plan order): its nation's row and its lanes (a
    /// requirement, an obligation, a force requirement; `NONE`: none).
    cells: Vec<(u32, [u32; 3])>,
    /// Per contribution: whether it adds to its force lane.
    force_add: Vec<bool>,
    /// Per nation: its row among the lead entries' members (`NONE`: none), and
    /// how many are members.
    member: Vec<u32>,
    members: usize,
}

/// The rows of [`DayScratch`]: see [`Layout`].
fn layout(plan: &Plan) -> Layout {
    let nn = plan.ready.len();
    let mut req_of = vec![NONE; plan.tracked];
    for (r, req) in plan.reqs.iter().enumerate() {
        req_of[req.tracked as usize] = r as u32;
    }
    let obl_lane = plan.reqs.len();
    let force_lane = obl_lane + plan.obligations.len();
    let force = plan.force.as_deref().unwrap_or_default();
    let mut force_of = vec![NONE; plan.capabilities];
    for (i, f) in force.iter().enumerate() {
        force_of[f.tracked as usize] = (force_lane + i) as u32;
    }
    let mut slot = vec![NONE; nn];
    let mut counted = 0;
    let mut cells = vec![(NONE, [NONE; 3]); plan.contribs.len()];
    let mut force_add = vec![false; plan.contribs.len()];
    // Per (nation, capability): a contribution before wrote its force lane.
    let mut wrote = vec![false; nn * plan.capabilities];
    for (k, c) in plan.contribs.iter().enumerate() {
        let obl = if c.obligation == NO_SLOT {
            NONE
        } else {
            (obl_lane + c.obligation as usize) as u32
        };
        let lanes = [req_of[c.tracked as usize], obl, force_of[c.cap as usize]];
        if lanes.iter().all(|&l| l == NONE) {
            continue;
        }
        let s = &mut slot[c.nation as usize];
        if *s == NONE {
            *s = counted;
            counted += 1;
        }
        cells[k] = (*s, lanes);
        if lanes[2] != NONE {
            let w = &mut wrote[c.nation as usize * plan.capabilities + c.cap as usize];
            force_add[k] = *w;
            *w = true;
        }
    }
    let mut member = vec![NONE; nn];
    let mut members = 0;
    for &n in &plan.members {
        if member[n as usize] == NONE {
            member[n as usize] = members;
            members += 1;
        }
    }
    Layout {
        slot,
        counted: counted as usize,
        lanes: force_lane + force.len(),
        cells,
        force_add,
        member,
        members: members as usize,
    }
}

/// Entries from one counted nation's rows to the next: a batch of rows and one
/// cache line more, so that one trial's rows of successive nations (read
/// together in [`walk`]) do not fall in the same cache set.
#[inline(always)]
fn slot_stride(batch: usize, width: usize) -> usize {
    batch * width + LANES
}

/// The whole day from which a nation ready at `ready` (days) counts: the smallest
/// whole day `d ≥ 0` with `d ≥ ready` (a timeline day counts it exactly then);
/// past the limit of days ([`MAX_DAYS`]), the day after it: later than any
/// timeline day, and the days to coverage stay exact.
#[inline]
pub fn ready_day(ready: f64) -> u32 {
    // `max` returns the other operand for NaN (counted from day 0, as the timeline does).
    ready.max(0.0).ceil().min(AFTER_LIMIT as f64) as u32
}

/// The day that stands for "after the limit of days".
pub const AFTER_LIMIT: u32 = MAX_DAYS as u32 + 1;

/// Records each domain's, the force's and everything's day of coverage for the
/// `m` trials of the batch (`all`: everything is covered), and whether it is
/// covered by each timeline day.
#[inline(always)]
pub fn record(
    (plan, isa): (&Plan, Isa),
    s: &mut DayScratch,
    all: &[bool],
    m: usize,
    tally: &mut Tally,
) {
    let w = s.width;
    for j in 0..m {
        let met = &mut s.met[j * w..(j + 1) * w];
        met.fill(0);
        if s.need[j * w..(j + 1) * w].iter().any(|&q| q > 0) {
            walk(s, j, isa);
        }
    }
    let nd = plan.domains.len();
    s.latest[..m].fill(0);
    for d in 0..nd {
        domain_days(plan, s, d, m);
        for (l, &x) in s.latest[..m].iter_mut().zip(&s.day[..m]) {
            *l = (*l).max(x);
        }
        let counts = tally.timeline_domain[d..].iter_mut().step_by(nd);
        tally_days(
            &mut s.day[..m],
            &s.timeline,
            counts,
            &mut tally.coverage_day[d],
        );
    }
    let mut at = nd;
    if let Some(force) = &plan.force {
        let lanes = s.force_lane..s.force_lane + force.len();
        for (j, (day, &live)) in s.day[..m].iter_mut().zip(&s.force_live).enumerate() {
            let met = &s.met[j * w..(j + 1) * w];
            let x = met[lanes.clone()].iter().copied().max().unwrap_or(0);
            *day = if live { x } else { NEVER };
        }
        for (l, &x) in s.latest[..m].iter_mut().zip(&s.day[..m]) {
            *l = (*l).max(x);
        }
        let counts = tally.timeline_force.iter_mut();
        tally_days(
            &mut s.day[..m],
            &s.timeline,
            counts,
            &mut tally.coverage_day[at],
        );
        at += 1;
    }
    // Everything is covered where the latest day is not `NEVER` (that is, `all`).
    debug_assert!(
        s.latest[..m]
            .iter()
            .zip(all)
            .all(|(&l, &a)| a == (l != NEVER))
    );
    let counts = tally.timeline_all.iter_mut();
    tally_days(
        &mut s.latest[..m],
        &s.timeline,
        counts,
        &mut tally.coverage_day[at],
    );
}

/// Domain `d`'s day in each of the `m` trials, in `s.day` (`NEVER` where it is
/// not covered at all): the latest of its requirements' days and, with a lead
/// list, the earliest day by which an entry qualifies.
#[inline(always)]
fn domain_days(plan: &Plan, s: &mut DayScratch, d: usize, m: usize) {
    let (b, w) = (s.batch, s.width);
    let dom = &plan.domains[d];
    let reqs = dom.reqs.range();
    for (j, (day, &live)) in s.day[..m].iter_mut().zip(&s.live[d * b..]).enumerate() {
        let met = &s.met[j * w..(j + 1) * w];
        let x = met[reqs.clone()].iter().copied().max().unwrap_or(0);
        *day = if live { x } else { NEVER };
    }
    if dom.leads.is_empty() {
        return;
    }
    let lead = &mut s.lead[..m];
    lead.fill(NEVER);
    for e in dom.leads.of(&plan.entries) {
        if let ([n], true) = (e.members.of(&plan.members), e.obligations.is_empty()) {
            // One nation, no obligation: it qualifies from its ready day.
            let r = s.member[*n as usize] as usize;
            for (l, &d) in lead.iter_mut().zip(&s.ready[r * b..r * b + m]) {
                *l = (*l).min(d);
            }
            continue;
        }
        // Present from its earliest taking-part member's day, qualifying from
        // the latest of that and its obligations' days.
        let x = &mut s.entry[..m];
        x.fill(NEVER);
        for &n in e.members.of(&plan.members) {
            let r = s.member[n as usize] as usize;
            for (x, &d) in x.iter_mut().zip(&s.ready[r * b..r * b + m]) {
                *x = (*x).min(d);
            }
        }
        for o in e.obligations.range() {
            let lane = s.obl_lane + o;
            for (j, x) in x.iter_mut().enumerate() {
                *x = (*x).max(s.met[j * w + lane]);
            }
        }
        for (l, &x) in lead.iter_mut().zip(x.iter()) {
            *l = (*l).min(x);
        }
    }
    for (day, &l) in s.day[..m].iter_mut().zip(lead.iter()) {
        *day = (*day).max(l);
    }
}

/// Counts `days` (`NEVER`: not covered) by each timeline day, and adds the
/// covered ones to `hist` (`days` is left reordered).
#[inline(always)]
fn tally_days<'a>(
    days: &mut [u64],
    timeline: &[u64],
    counts: impl Iterator<Item = &'a mut u64>,
    hist: &mut Hist,
) {
    for (c, &t) in counts.zip(timeline) {
        *c += days.iter().map(|&x| u64::from(x <= t)).sum::<u64>();
    }
    // The covered days to the front, without a branch.
    let mut n = 0;
    for i in 0..days.len() {
        let x = days[i];
        days[n] = x;
        n += usize::from(x != NEVER);
    }
    hist.add_all(&days[..n]);
}

/// Trial `j`: the taking-part nations in order of ready day. Each lane adds their amounts and counts the running sums still short of the
/// requirement: that count is the place, in ready-day order, of the nation that
/// meets it, and that nation's day is the day it is met (no branch per nation).
#[inline(always)]
fn walk(s: &mut DayScratch, j: usize, isa: Isa) {
    let n = s.count[j] as usize;
    let order = &mut s.order[j * s.stride..j * s.stride + n];
    let sorted = &mut s.sorted[..n];
    sort(order, sorted, isa);
    let (w, slot) = (s.width, slot_stride(s.batch, s.width));
    let (rows, need) = (&s.rows[j * w..], &s.need[j * w..(j + 1) * w]);
    let met = &mut s.met[j * w..(j + 1) * w];
    let mut c = 0;
    while c + LANES <= w {
        lanes::<LANES>(&rows[c..], &need[c..], &mut met[c..], sorted, slot);
        c += LANES;
    }
    if c + 4 <= w {
        lanes::<4>(&rows[c..], &need[c..], &mut met[c..], sorted, slot);
        c += 4;
    }
    if c < w {
        lanes::<PAIR>(&rows[c..], &need[c..], &mut met[c..], sorted, slot);
    }
}

/// [`walk`]'s next `N` lanes: the day each is met, in `met`, from the `need`
/// and the `rows` of the nations in `sorted` (each `slot` entries after the
/// previous nation's).
#[inline(always)]
fn lanes<const N: usize>(rows: &[u64], need: &[u64], met: &mut [u64], sorted: &[u64], slot: usize) {
    let need: &[u64; N] = need[..N].try_into().expect("whole lanes");
    let (mut sum, mut short) = ([0u64; N], [0u64; N]);
    for &key in sorted {
        let at = key as u32 as usize * slot;
        let row: &[u64; N] = rows[at..at + N].try_into().expect("whole lanes");
        for i in 0..N {
            sum[i] += row[i];
            short[i] += u64::from(sum[i] < need[i]);
        }
    }
    for i in 0..N {
        // A lane with nothing to meet is met on day 0; one whose running sum
        // never reaches it (an entry that does not qualify) is met `NEVER`.
        let at = sorted
            .get(short[i] as usize)
            .map_or(NEVER, |&key| key >> 32);
        met[i] = if need[i] > 0 { at } else { 0 };
    }
}

/// `keys` (distinct) into `out`, in ascending order of their days (`key >> 32`;
/// keys of one day in any order: the walk reads only a place's day). A few dozen
/// keys are placed by rank (each key's count of keys before it: no branch to
/// mispredict), on x86-64-v4 a whole vector of keys to a comparison where the
/// days allow ([`rank_v4`]); more keys are sorted.
#[inline(always)]
fn sort(keys: &mut [u64], out: &mut [u64], isa: Isa) {
    if keys.len() > RANKED {
        keys.sort_unstable();
        out.copy_from_slice(keys);
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if isa.has_v4() && keys.iter().fold(0, |a, &k| a | k >> 32) < 1 << (16 - INDEX_BITS) {
        // SAFETY: `has_v4` is true only for an `Isa` detected on a processor
        // with every feature `rank_v4` is compiled with; the keys are at most
        // `RANKED` and their days below 2^10, as it requires.
        unsafe { rank_v4(keys, out) };
        return;
    }
    let _ = isa;
    for &k in keys.iter() {
        let rank: u64 = keys.iter().map(|&x| u64::from(x < k)).sum();
        out[rank as usize] = k;
    }
}

/// At most this many keys are placed by rank.
const RANKED: usize = 64;

/// Bits of a key's index among at most [`RANKED`].
#[cfg(target_arch = "x86_64")]
const INDEX_BITS: u32 = RANKED.trailing_zeros();

#[cfg(target_arch = "x86_64")]
crate::isa::at_v4! {
    /// [`sort`]'s ranks for at most [`RANKED`] keys whose days are below 2^10:
    /// each key's 16-bit form (its day, then its index: distinct, ordered as
    /// the days) is compared with all 64 forms in two instructions, and the
    /// forms below it counted from the masks.
    fn rank_v4(keys: &[u64], out: &mut [u64]) {
        use std::arch::x86_64::{_mm512_cmplt_epu16_mask, _mm512_loadu_epi16, _mm512_set1_epi16};
        let mut x = [u16::MAX; RANKED];
        for (i, (x, &k)) in x.iter_mut().zip(keys.iter()).enumerate() {
            *x = ((k >> 32) as u16) << INDEX_BITS | i as u16;
        }
        // SAFETY: each load reads 32 `u16` from `x`, which holds 64.
        let (low, high) = unsafe {
            (
                _mm512_loadu_epi16(x.as_ptr().cast()),
                _mm512_loadu_epi16(x[32..].as_ptr().cast()),
            )
        };
        for (&form, &k) in x.iter().zip(keys.iter()) {
            let v = _mm512_set1_epi16(form as i16);
            let below = _mm512_cmplt_epu16_mask(low, v).count_ones()
                + _mm512_cmplt_epu16_mask(high, v).count_ones();
            out[below as usize] = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first day by which `need` is reached when `pairs` (ready day, amount)
    /// arrive, or `None` when their sum never reaches it. Sorts `pairs`.
    fn day_reached(pairs: &mut [(u32, u64)], need: u64) -> Option<u32> {
        if need == 0 {
            return Some(0);
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

    #[test]
    fn placing_by_rank_orders_by_day() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        // Few distinct days (ties) and many; up to 64 keys (placed by rank)
        // and more (sorted).
        for days in [3, 1 << 10, crate::limits::MAX_DAYS + 1] {
            for n in [0, 1, 2, 7, 20, 32, 33, 63, 64, 65, 200] {
                let keys: Vec<u64> = (0..n)
                    .map(|i| {
                        x = x
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        ((x >> 11) % days) << 32 | i
                    })
                    .collect();
                let mut expected = keys.clone();
                expected.sort_unstable();
                for isa in Isa::available() {
                    let mut out = vec![0; keys.len()];
                    sort(&mut keys.clone(), &mut out, isa);
                    let day = |k: &u64| k >> 32;
                    let got: Vec<u64> = out.iter().map(day).collect();
                    let want: Vec<u64> = expected.iter().map(day).collect();
                    assert_eq!(got, want, "{n} keys, days below {days}, {}", isa.name());
                    out.sort_unstable();
                    assert_eq!(out, expected, "{n} keys: each placed once");
                }
            }
        }
    }

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
        assert_eq!(ready_day(36_500.0), 36_500);
        assert_eq!(ready_day(36_500.2), AFTER_LIMIT);
        assert_eq!(ready_day(1e30), AFTER_LIMIT);
    }
}

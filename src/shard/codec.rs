//! A compact binary encoding of a [`Tally`]: the body of a partial file
//! (`docs/partial-format.md` describes it byte by byte).
//!
//! Every number is an unsigned LEB128 varint (7 bits per byte, low bits first,
//! high bit set on every byte but the last, minimal length). Fields follow the
//! declaration order of [`Tally`]; each list starts with its length; histograms
//! store their exact moments and only their non-empty bins, as (bin delta, count)
//! pairs.
//!
//! Decoding takes a template tally shaped by the model ([`Tally::new`]) and never
//! trusts the bytes: every length must equal the template's, every index is
//! bounds-checked, nothing is allocated from a length read from the input, and
//! the decoded tally must be internally consistent ([`check`]), so that merging
//! any number of decoded tallies within [`crate::limits::MAX_TRIALS`] cannot
//! overflow a counter and summarising them cannot fail.

use std::fmt;

use crate::limits;
use crate::stats::hist::MAX_LEVEL;
use crate::stats::{Hist, Tally};

/// Why bytes are not a valid tally body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecError {
    /// Byte offset in the body where the problem was found.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {} of the tally: {}", self.offset, self.message)
    }
}

impl std::error::Error for CodecError {}

/// Appends `v` as a minimal unsigned LEB128 varint.
pub fn put_varint(out: &mut Vec<u8>, mut v: u128) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A cursor over untrusted bytes.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    /// The current offset.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn err(&self, at: usize, message: impl Into<String>) -> CodecError {
        CodecError {
            offset: at,
            message: message.into(),
        }
    }

    /// Reads a minimal LEB128 varint of at most 128 bits; `what` names it in errors.
    pub fn varint(&mut self, what: &str) -> Result<u128, CodecError> {
        let start = self.pos;
        let mut v: u128 = 0;
        let mut shift = 0u32;
        loop {
            let Some(&byte) = self.bytes.get(self.pos) else {
                return Err(self.err(start, format!("the data ends inside {what}")));
            };
            self.pos += 1;
            let low = u128::from(byte & 0x7f);
            if shift >= 128 || (shift > 0 && low >> (128 - shift) != 0) {
                return Err(self.err(start, format!("{what} does not fit in 128 bits")));
            }
            v |= low << shift;
            if byte & 0x80 == 0 {
                if byte == 0 && shift > 0 {
                    return Err(self.err(start, format!("{what} is not minimally encoded")));
                }
                return Ok(v);
            }
            shift += 7;
        }
    }

    /// Reads a varint that must fit in 64 bits.
    pub fn u64(&mut self, what: &str) -> Result<u64, CodecError> {
        let start = self.pos;
        let v = self.varint(what)?;
        u64::try_from(v).map_err(|_| self.err(start, format!("{what} ({v}) exceeds 2^64 − 1")))
    }

    /// Reads `n` raw bytes.
    pub fn bytes(&mut self, n: usize, what: &str) -> Result<&'a [u8], CodecError> {
        if n > self.remaining() {
            return Err(self.err(
                self.pos,
                format!(
                    "{what} needs {n} bytes but only {} remain: the file is truncated",
                    self.remaining()
                ),
            ));
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }
}

fn put_u64s(out: &mut Vec<u8>, v: &[u64]) {
    put_varint(out, v.len() as u128);
    for &x in v {
        put_varint(out, u128::from(x));
    }
}

fn put_u128s(out: &mut Vec<u8>, v: &[u128]) {
    put_varint(out, v.len() as u128);
    for &x in v {
        put_varint(out, x);
    }
}

fn put_hist(out: &mut Vec<u8>, h: &Hist) {
    put_varint(out, u128::from(h.offset()));
    put_varint(out, u128::from(h.n));
    put_varint(out, h.sum);
    put_varint(out, u128::from(h.min));
    put_varint(out, u128::from(h.max));
    put_varint(out, u128::from(h.level()));
    let bins: Vec<(usize, u64)> = h.bins().collect();
    put_varint(out, bins.len() as u128);
    let mut prev = 0usize;
    for (b, c) in bins {
        put_varint(out, (b - prev) as u128);
        put_varint(out, u128::from(c));
        prev = b;
    }
}

/// Encodes `t` (see the module documentation for the layout).
pub fn encode(t: &Tally) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, u128::from(t.trials));
    put_varint(&mut out, u128::from(t.mounted));
    put_varint(&mut out, u128::from(t.all_covered));
    put_u64s(&mut out, &t.nation_in);
    put_u64s(&mut out, &t.nation_in_all);
    put_u64s(&mut out, &t.condition_true);
    put_u64s(&mut out, &t.covered);
    put_u64s(&mut out, &t.leaderless);
    put_u64s(&mut out, &t.lead_short);
    put_u64s(&mut out, &t.leads);
    put_u64s(&mut out, &t.met);
    put_u128s(&mut out, &t.required_sum);
    put_u64s(&mut out, &t.above);
    put_u128s(&mut out, &t.contributed);
    put_u64s(&mut out, &t.timeline_all);
    put_u64s(&mut out, &t.timeline_domain);
    put_varint(&mut out, t.totals.len() as u128);
    for h in &t.totals {
        put_hist(&mut out, h);
    }
    put_varint(&mut out, t.provided.len() as u128);
    for h in &t.provided {
        put_hist(&mut out, h);
    }
    put_optional_hists(&mut out, &t.gaps);
    // Only with `timeline_days` (so partials without a timeline keep their layout).
    if !t.coverage_day.is_empty() {
        put_varint(&mut out, t.coverage_day.len() as u128);
        for h in &t.coverage_day {
            put_hist(&mut out, h);
        }
    }
    // The requirement's histogram of each pair with a random requirement (the
    // pairs whose gap is stored), nothing else.
    for h in t.required.iter().flatten() {
        put_hist(&mut out, h);
    }
    // The whole force (empty lists without `[force]`).
    put_varint(&mut out, u128::from(t.force_covered));
    put_u64s(&mut out, &t.force_met);
    put_u128s(&mut out, &t.force_required_sum);
    put_optional_hists(&mut out, &t.force_gaps);
    for h in t.force_required.iter().flatten() {
        put_hist(&mut out, h);
    }
    put_u64s(&mut out, &t.timeline_force);
    // Pools (per pool slot) and the committed force (per capability).
    put_u64s(&mut out, &t.pool_binds);
    put_u128s(&mut out, &t.pool_drawn);
    put_hists(&mut out, &t.pool_cut);
    put_hists(&mut out, &t.committed);
    out
}

/// A list of histograms: its length, then each histogram.
fn put_hists(out: &mut Vec<u8>, list: &[Hist]) {
    put_varint(out, list.len() as u128);
    for h in list {
        put_hist(out, h);
    }
}

/// Reads a list of histograms shaped like `into` (the template's).
fn get_hists(r: &mut Reader<'_>, what: &str, into: &mut [Hist]) -> Result<(), CodecError> {
    len(r, what, into.len())?;
    for (i, h) in into.iter_mut().enumerate() {
        *h = get_hist(r, &format!("{what}[{i}]"), h)?;
    }
    Ok(())
}

/// A list of optional histograms: its length, then per entry `00` (none) or
/// `01` and the histogram.
fn put_optional_hists(out: &mut Vec<u8>, list: &[Option<Hist>]) {
    put_varint(out, list.len() as u128);
    for g in list {
        match g {
            None => put_varint(out, 0),
            Some(h) => {
                put_varint(out, 1);
                put_hist(out, h);
            }
        }
    }
}

fn len(r: &mut Reader<'_>, what: &str, expected: usize) -> Result<(), CodecError> {
    let at = r.pos();
    let n = r.varint(&format!("the length of {what}"))?;
    if n != expected as u128 {
        return Err(CodecError {
            offset: at,
            message: format!(
                "{what} has {n} entries but the scenario has {expected}: the partial does not match its scenario"
            ),
        });
    }
    Ok(())
}

fn get_u64s(r: &mut Reader<'_>, what: &str, into: &mut [u64]) -> Result<(), CodecError> {
    len(r, what, into.len())?;
    for (i, x) in into.iter_mut().enumerate() {
        *x = r.u64(&format!("{what}[{i}]"))?;
    }
    Ok(())
}

fn get_u128s(r: &mut Reader<'_>, what: &str, into: &mut [u128]) -> Result<(), CodecError> {
    len(r, what, into.len())?;
    for (i, x) in into.iter_mut().enumerate() {
        *x = r.varint(&format!("{what}[{i}]"))?;
    }
    Ok(())
}

fn get_hist(r: &mut Reader<'_>, what: &str, template: &Hist) -> Result<Hist, CodecError> {
    let at = r.pos();
    let offset = r.u64(&format!("the offset of {what}"))?;
    if offset != template.offset() {
        return Err(CodecError {
            offset: at,
            message: format!(
                "{what} starts at {offset} but the scenario's starts at {}: the partial does not match its scenario",
                template.offset()
            ),
        });
    }
    let n = r.u64(&format!("the count of {what}"))?;
    let sum = r.varint(&format!("the sum of {what}"))?;
    let min = r.u64(&format!("the minimum of {what}"))?;
    let max = r.u64(&format!("the maximum of {what}"))?;
    let mut h = Hist::like(template);
    h.raise_to(level(r, what)?);
    let at = r.pos();
    let bins = r.varint(&format!("the number of bins of {what}"))?;
    // Each bin takes at least two bytes: a longer list cannot be in the data.
    if bins > (r.remaining() / 2) as u128 {
        return Err(CodecError {
            offset: at,
            message: format!(
                "{what} claims {bins} bins but only {} bytes remain: the file is truncated",
                r.remaining()
            ),
        });
    }
    let mut bin: u128 = 0;
    let mut total: u128 = 0;
    for i in 0..bins {
        let at = r.pos();
        let delta = r.varint(&format!("bin {i} of {what}"))?;
        if i > 0 && delta == 0 {
            return Err(CodecError {
                offset: at,
                message: format!("bins of {what} are not in increasing order"),
            });
        }
        bin = bin.saturating_add(delta);
        let count = r.u64(&format!("the count of bin {i} of {what}"))?;
        let fits = usize::try_from(bin).is_ok_and(|b| count > 0 && h.add_bin(b, count));
        if !fits {
            return Err(CodecError {
                offset: at,
                message: if count == 0 {
                    format!("bin {i} of {what} is stored with a zero count")
                } else {
                    match h.level() {
                        0 => format!("bin {bin} of {what} is out of range"),
                        l => format!(
                            "bin {bin} of {what} is out of range, or not the first of a group of {} bins",
                            1u64 << l
                        ),
                    }
                },
            });
        }
        total += u128::from(count);
    }
    if total != u128::from(n) {
        return Err(CodecError {
            offset: at,
            message: format!("the bins of {what} hold {total} values but its count says {n}"),
        });
    }
    h.set_moments(n, sum, min, max);
    Ok(h)
}

/// Reads a histogram's level: how many bins its groups beyond the fine range
/// hold, as a power of two.
fn level(r: &mut Reader<'_>, what: &str) -> Result<u8, CodecError> {
    let at = r.pos();
    let level = r.varint(&format!("the level of {what}"))?;
    match u8::try_from(level) {
        Ok(l) if l <= MAX_LEVEL => Ok(l),
        _ => Err(CodecError {
            offset: at,
            message: format!("the level of {what} is {level}, above the largest, {MAX_LEVEL}"),
        }),
    }
}

/// Reads a list of optional histograms into `into` (shaped by the template:
/// each entry present exactly where the template's is).
fn get_optional_hists(
    r: &mut Reader<'_>,
    what: &str,
    into: &mut [Option<Hist>],
) -> Result<(), CodecError> {
    len(r, what, into.len())?;
    for (i, g) in into.iter_mut().enumerate() {
        let at = r.pos();
        let present = r.varint(&format!("{what}[{i}]"))?;
        match (present, g.as_ref()) {
            (0, None) => {}
            (1, Some(h)) => *g = Some(get_hist(r, &format!("{what}[{i}]"), h)?),
            _ => {
                return Err(CodecError {
                    offset: at,
                    message: format!(
                        "{what}[{i}] is {} but the scenario's is {}: the partial does not match its scenario",
                        if present == 0 { "absent" } else { "present" },
                        if g.is_some() { "present" } else { "absent" }
                    ),
                });
            }
        }
    }
    Ok(())
}

/// Decodes a tally shaped like `template` (the empty tally of the same model),
/// then checks that it is consistent ([`check`]).
pub fn decode(bytes: &[u8], template: &Tally) -> Result<Tally, CodecError> {
    let mut r = Reader::new(bytes);
    let mut t = template.clone();
    t.trials = r.u64("trials")?;
    t.mounted = r.u64("mounted")?;
    t.all_covered = r.u64("all_covered")?;
    get_u64s(&mut r, "nation_in", &mut t.nation_in)?;
    get_u64s(&mut r, "nation_in_all", &mut t.nation_in_all)?;
    get_u64s(&mut r, "condition_true", &mut t.condition_true)?;
    get_u64s(&mut r, "covered", &mut t.covered)?;
    get_u64s(&mut r, "leaderless", &mut t.leaderless)?;
    get_u64s(&mut r, "lead_short", &mut t.lead_short)?;
    get_u64s(&mut r, "leads", &mut t.leads)?;
    get_u64s(&mut r, "met", &mut t.met)?;
    get_u128s(&mut r, "required_sum", &mut t.required_sum)?;
    get_u64s(&mut r, "above", &mut t.above)?;
    get_u128s(&mut r, "contributed", &mut t.contributed)?;
    get_u64s(&mut r, "timeline_all", &mut t.timeline_all)?;
    get_u64s(&mut r, "timeline_domain", &mut t.timeline_domain)?;
    len(&mut r, "totals", template.totals.len())?;
    for (i, h) in t.totals.iter_mut().enumerate() {
        *h = get_hist(&mut r, &format!("totals[{i}]"), h)?;
    }
    len(&mut r, "provided", template.provided.len())?;
    for (i, h) in t.provided.iter_mut().enumerate() {
        *h = get_hist(&mut r, &format!("provided[{i}]"), h)?;
    }
    get_optional_hists(&mut r, "gaps", &mut t.gaps)?;
    if !template.coverage_day.is_empty() {
        len(&mut r, "coverage_day", template.coverage_day.len())?;
        for (i, h) in t.coverage_day.iter_mut().enumerate() {
            *h = get_hist(&mut r, &format!("coverage_day[{i}]"), h)?;
        }
    }
    for (i, h) in t.required.iter_mut().enumerate() {
        if let Some(h) = h {
            *h = get_hist(&mut r, &format!("required[{i}]"), h)?;
        }
    }
    t.force_covered = r.u64("force_covered")?;
    get_u64s(&mut r, "force_met", &mut t.force_met)?;
    get_u128s(&mut r, "force_required_sum", &mut t.force_required_sum)?;
    get_optional_hists(&mut r, "force_gaps", &mut t.force_gaps)?;
    for (i, h) in t.force_required.iter_mut().enumerate() {
        if let Some(h) = h {
            *h = get_hist(&mut r, &format!("force_required[{i}]"), h)?;
        }
    }
    get_u64s(&mut r, "timeline_force", &mut t.timeline_force)?;
    get_u64s(&mut r, "pool_binds", &mut t.pool_binds)?;
    get_u128s(&mut r, "pool_drawn", &mut t.pool_drawn)?;
    get_hists(&mut r, "pool_cut", &mut t.pool_cut)?;
    get_hists(&mut r, "committed", &mut t.committed)?;
    if r.remaining() != 0 {
        return Err(CodecError {
            offset: r.pos(),
            message: format!("{} unexpected bytes after the tally", r.remaining()),
        });
    }
    check(&t).map_err(|message| CodecError {
        offset: bytes.len(),
        message,
    })?;
    Ok(t)
}

/// Checks that a tally could have come from counting trials: the mounted trials
/// at most the trials, every condition count at most the trials and every other
/// count at most the mounted trials, every sum at most mounted trials ×
/// [`limits::MAX_VALUE`], every histogram holding one value per mounted trial
/// with consistent moments. Sums of such tallies within [`limits::MAX_TRIALS`]
/// trials cannot overflow, and every subtraction in the report stays
/// non-negative.
pub fn check(t: &Tally) -> Result<(), String> {
    check_counts(t)?;
    check_implied(t)?;
    check_sums(t)?;
    let cap = value_cap(t);
    for (what, h) in hists(t) {
        check_hist(&what, h, t.mounted, cap)?;
    }
    check_coverage_days(t)?;
    check_pools(t, cap)
}

/// Each pool's cut histogram holds one value per trial in which it bound (a cut
/// at most what the scenario can deploy); each committed histogram one value per
/// mounted trial (deployed × a rotation of at most [`limits::MAX_ROTATION`]).
/// Which nation each pool belongs to is the model's: [`check_pools_of`].
fn check_pools(t: &Tally, cap: u64) -> Result<(), String> {
    if t.pool_binds.len() != t.pool_cut.len() || t.pool_drawn.len() != t.pool_cut.len() {
        return Err(format!(
            "pool_binds, pool_drawn and pool_cut have {}, {} and {} entries",
            t.pool_binds.len(),
            t.pool_drawn.len(),
            t.pool_cut.len()
        ));
    }
    for (i, (h, &b)) in t.pool_cut.iter().zip(&t.pool_binds).enumerate() {
        check_hist(&format!("pool_cut[{i}]"), h, b, cap)?;
    }
    let committed_cap = cap.saturating_mul(limits::MAX_ROTATION).min(u64::MAX - 1);
    for (i, h) in t.committed.iter().enumerate() {
        check_hist(&format!("committed[{i}]"), h, t.mounted, committed_cap)?;
    }
    Ok(())
}

/// The checks that need the model: each pool's binding trials and drawn sum
/// against the trials in which its nation took part (pool slots follow
/// [`crate::model::Model::pool_offset`]).
pub fn check_pools_of(t: &Tally, model: &crate::model::Model) -> Result<(), String> {
    if t.pool_binds.len() != model.pool_slots() {
        return Err(format!(
            "the tally has {} pools but the scenario has {}",
            t.pool_binds.len(),
            model.pool_slots()
        ));
    }
    for (n, nat) in model.nations.iter().enumerate() {
        let inn = t.nation_in.get(n).copied().unwrap_or(0);
        let base = model.pool_offset(n);
        for (k, p) in nat.pools.iter().enumerate() {
            let slot = base + k;
            let (binds, drawn) = (t.pool_binds[slot], t.pool_drawn[slot]);
            let what = format!(
                "the pool of {} ({})",
                nat.id, model.capabilities[p.capability].id
            );
            if binds > inn {
                return Err(format!(
                    "{what} binds in {binds} trials but the nation takes part in {inn}"
                ));
            }
            let most = u128::from(inn) * u128::from(limits::MAX_VALUE);
            if drawn > most {
                return Err(format!(
                    "{what} sums to {drawn} over {inn} trials, more than {} each",
                    limits::MAX_VALUE
                ));
            }
        }
    }
    Ok(())
}

/// Each day-of-coverage histogram counts exactly the trials in which its domain
/// (then the force, with `[force]`; last: everything) was covered.
fn check_coverage_days(t: &Tally) -> Result<(), String> {
    if t.coverage_day.is_empty() {
        return Ok(());
    }
    let force = (t.coverage_day.len() > t.covered.len() + 1).then_some(&t.force_covered);
    let covered = t
        .covered
        .iter()
        .chain(force)
        .chain(std::iter::once(&t.all_covered));
    if covered.clone().count() != t.coverage_day.len() {
        return Err(format!(
            "coverage_day has {} histograms for {} domains",
            t.coverage_day.len(),
            t.covered.len()
        ));
    }
    for (i, (h, &c)) in t.coverage_day.iter().zip(covered).enumerate() {
        check_hist(&format!("coverage_day[{i}]"), h, c, u64::from(u32::MAX))?;
    }
    Ok(())
}

/// The first entry of `list` above `max`, as an error.
fn at_most(what: &str, list: &[u64], max: u64, of: &str) -> Result<(), String> {
    match list.iter().enumerate().find(|(_, x)| **x > max) {
        Some((i, x)) => Err(format!("{what}[{i}] ({x}) exceeds {of} ({max})")),
        None => Ok(()),
    }
}

/// The mounted trials at most the trials; each condition's count at most the
/// trials; every other count at most the mounted trials.
fn check_counts(t: &Tally) -> Result<(), String> {
    let n = t.trials;
    if n > limits::MAX_TRIALS {
        return Err(format!(
            "trials: {n}, more than the limit of {}",
            limits::MAX_TRIALS
        ));
    }
    if t.mounted > n {
        return Err(format!("mounted ({}) exceeds the trials ({n})", t.mounted));
    }
    at_most("condition_true", &t.condition_true, n, "the trials")?;
    let m = t.mounted;
    let lists: [(&str, &[u64]); 15] = [
        ("pool_binds", &t.pool_binds),
        ("all_covered", std::slice::from_ref(&t.all_covered)),
        ("force_covered", std::slice::from_ref(&t.force_covered)),
        ("nation_in", &t.nation_in),
        ("nation_in_all", &t.nation_in_all),
        ("covered", &t.covered),
        ("leaderless", &t.leaderless),
        ("lead_short", &t.lead_short),
        ("leads", &t.leads),
        ("force_met", &t.force_met),
        ("met", &t.met),
        ("above", &t.above),
        ("timeline_all", &t.timeline_all),
        ("timeline_domain", &t.timeline_domain),
        ("timeline_force", &t.timeline_force),
    ];
    for (what, list) in lists {
        at_most(what, list, m, "the mounted trials")?;
    }
    Ok(())
}

/// Counts that imply each other are ordered: a trial with everything covered
/// covers each domain and the force; a covered domain has a lead; a short lead
/// is leaderless; the force covered meets each force requirement.
fn check_implied(t: &Tally) -> Result<(), String> {
    let all = t.all_covered;
    at_most_each("all_covered", all, &t.covered, "covered")?;
    if !t.force_met.is_empty() {
        at_most_each(
            "all_covered",
            all,
            std::slice::from_ref(&t.force_covered),
            "force_covered",
        )?;
        at_most_each("force_covered", t.force_covered, &t.force_met, "force_met")?;
        for (k, (&a, &f)) in t.timeline_all.iter().zip(&t.timeline_force).enumerate() {
            if a > f {
                return Err(format!(
                    "timeline_all[{k}] ({a}) exceeds timeline_force[{k}] ({f})"
                ));
            }
        }
    }
    for (d, ((&short, &less), &cov)) in t
        .lead_short
        .iter()
        .zip(&t.leaderless)
        .zip(&t.covered)
        .enumerate()
    {
        if short > less {
            return Err(format!(
                "lead_short[{d}] ({short}) exceeds leaderless[{d}] ({less})"
            ));
        }
        if u128::from(less) + u128::from(cov) > u128::from(t.mounted) {
            return Err(format!(
                "leaderless[{d}] ({less}) and covered[{d}] ({cov}) together exceed the mounted trials ({})",
                t.mounted
            ));
        }
    }
    for (i, (&both, &inn)) in t.nation_in_all.iter().zip(&t.nation_in).enumerate() {
        if both > inn || both > all {
            return Err(format!(
                "nation_in_all[{i}] ({both}) exceeds nation_in ({inn}) or all_covered ({all})"
            ));
        }
    }
    Ok(())
}

/// `x` at most every entry of `list`.
fn at_most_each(what: &str, x: u64, list: &[u64], of: &str) -> Result<(), String> {
    match list.iter().enumerate().find(|(_, c)| **c < x) {
        Some((i, c)) => Err(format!("{what} ({x}) exceeds {of}[{i}] ({c})")),
        None => Ok(()),
    }
}

/// Every sum at most mounted trials × [`limits::MAX_VALUE`].
fn check_sums(t: &Tally) -> Result<(), String> {
    let cap = u128::from(t.mounted) * u128::from(limits::MAX_VALUE);
    for (what, list) in [
        ("required_sum", &t.required_sum),
        ("contributed", &t.contributed),
        ("force_required_sum", &t.force_required_sum),
        ("pool_drawn", &t.pool_drawn),
    ] {
        if let Some((i, x)) = list.iter().enumerate().find(|(_, x)| **x > cap) {
            return Err(format!(
                "{what}[{i}] ({x}) exceeds mounted trials × {} ({cap})",
                limits::MAX_VALUE
            ));
        }
    }
    Ok(())
}

/// The largest value a histogram of `t` can hold: every contribution (or one
/// requirement) at [`limits::MAX_VALUE`]; below `u64::MAX`, so that a range
/// `max − min + 1` always fits.
fn value_cap(t: &Tally) -> u64 {
    let entries = (t.contributed.len() as u64).max(1);
    entries.saturating_mul(limits::MAX_VALUE).min(u64::MAX - 1)
}

/// Every histogram of `t`, with its field name.
fn hists(t: &Tally) -> impl Iterator<Item = (String, &Hist)> {
    let totals = t
        .totals
        .iter()
        .enumerate()
        .map(|(i, h)| (format!("totals[{i}]"), h));
    let provided = t
        .provided
        .iter()
        .enumerate()
        .map(|(i, h)| (format!("provided[{i}]"), h));
    let gaps = t
        .gaps
        .iter()
        .enumerate()
        .filter_map(|(i, g)| g.as_ref().map(|h| (format!("gaps[{i}]"), h)));
    let required = t
        .required
        .iter()
        .enumerate()
        .filter_map(|(i, g)| g.as_ref().map(|h| (format!("required[{i}]"), h)));
    let force_gaps = t
        .force_gaps
        .iter()
        .enumerate()
        .filter_map(|(i, g)| g.as_ref().map(|h| (format!("force_gaps[{i}]"), h)));
    let force_required = t
        .force_required
        .iter()
        .enumerate()
        .filter_map(|(i, g)| g.as_ref().map(|h| (format!("force_required[{i}]"), h)));
    totals
        .chain(provided)
        .chain(gaps)
        .chain(required)
        .chain(force_gaps)
        .chain(force_required)
}

/// A histogram holds one value per trial, at most `cap`, with moments that agree
/// with each other and with its bins.
fn check_hist(what: &str, h: &Hist, n: u64, cap: u64) -> Result<(), String> {
    if h.n != n {
        return Err(format!("{what}.n: {} values for {n} trials", h.n));
    }
    if h.n == 0 {
        if h.sum != 0 || h.min != u64::MAX || h.max != 0 {
            return Err(format!("{what}: empty but has a sum, minimum or maximum"));
        }
        return Ok(());
    }
    if h.max > cap {
        return Err(format!(
            "{what}.max: {} exceeds the largest value the scenario can produce ({cap})",
            h.max
        ));
    }
    let lo = u128::from(h.min) * u128::from(h.n);
    let hi = u128::from(h.max) * u128::from(h.n);
    if h.min > h.max || h.sum < lo || h.sum > hi {
        return Err(format!(
            "{what}: inconsistent moments (minimum {}, maximum {}, sum {} of {} values)",
            h.min, h.max, h.sum, h.n
        ));
    }
    let first = h.bins().next().map(|(b, _)| b);
    let last = h.bins().last().map(|(b, _)| b);
    if first != Some(h.bin_of_value(h.min)) || last != Some(h.bin_of_value(h.max)) {
        return Err(format!(
            "{what}.min/max: the minimum {} or maximum {} is not in the first or last non-empty bin",
            h.min, h.max
        ));
    }
    Ok(())
}

/// `t` with its committed histograms filled from the totals when they are empty
/// (an engine that does not fill them yet; every nation at rotation 1, so
/// committed = deployed).
#[cfg(test)]
pub(crate) fn with_committed(mut t: Tally) -> Tally {
    for (c, h) in t.committed.iter_mut().zip(&t.totals) {
        if c.n == 0 && h.n > 0 {
            *c = h.map(0, |v| v);
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str = r#"
[scenario]
name = "Codec"
[simulation]
timeline_days = [10, 40]
[report]
thresholds = { troops = [1000, 2000] }
[capabilities]
troops = { unit = "personnel" }
ships = { unit = "ships" }
[conditions.c]
probability = 0.6
[domains.land]
lead = ["A", "B"]
requirements = { troops = { triangular = [500, 1000, 3000] } }
[domains.sea]
requirements = { ships = 3 }
[nations.A]
participation = 0.8
if_absent = { c = 0.4 }
ready_days = { uniform = [5, 50] }
contributions.land.troops = { pert = [200, 900, 4000] }
contributions.sea.ships = 2
[nations.B]
participation = 0.5
contributions.land.troops = { normal = { mean = 1500, sd = 400 } }
contributions.sea.ships = { discrete = { values = [0, 1, 2], weights = [1, 1, 1] } }
"#;

    fn model() -> crate::Model {
        crate::scenario::parse("codec.toml", SCENARIO, &[]).expect("valid")
    }

    fn tally(m: &crate::Model, blocks: std::ops::Range<u64>) -> Tally {
        mounted(crate::engine::run_serial(
            m,
            7,
            5 * crate::engine::BLOCK_TRIALS,
            blocks,
        ))
    }

    /// A tally of a scenario without `[mission]`: every trial is mounted (set
    /// here for an engine that does not count them yet).
    fn mounted(mut t: Tally) -> Tally {
        if t.mounted == 0 {
            t.mounted = t.trials;
        }
        with_committed(t)
    }

    #[test]
    fn varints_round_trip_and_reject_overlong_forms() {
        for v in [0u128, 1, 127, 128, 300, u128::from(u64::MAX), u128::MAX] {
            let mut b = Vec::new();
            put_varint(&mut b, v);
            let mut r = Reader::new(&b);
            assert_eq!(r.varint("v"), Ok(v));
            assert_eq!(r.remaining(), 0);
        }
        assert!(Reader::new(&[0x80, 0x00]).varint("v").is_err());
        assert!(Reader::new(&[0xff; 20]).varint("v").is_err());
        assert!(Reader::new(&[0x80]).varint("v").is_err());
        let mut b = vec![0xff; 18];
        b.push(0x7f);
        assert!(Reader::new(&b).varint("v").is_err(), "2^133 − 1 overflows");
    }

    #[test]
    fn decode_inverts_encode() {
        let m = model();
        let empty = Tally::new(&m);
        for t in [empty.clone(), tally(&m, 0..1), tally(&m, 2..5)] {
            let bytes = encode(&t);
            assert_eq!(decode(&bytes, &empty).expect("decodes"), t);
        }
    }

    #[test]
    fn every_truncation_and_corruption_is_an_error_not_a_panic() {
        let m = model();
        let empty = Tally::new(&m);
        let t = mounted(crate::engine::run_serial(&m, 3, 300, 0..1));
        let bytes = encode(&t);
        assert!(bytes.len() < 4096, "a small tally encodes small");
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut], &empty).is_err(), "truncated at {cut}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(decode(&extra, &empty).is_err());
        // Any single-byte change either fails to decode or decodes to a consistent tally.
        for i in 0..bytes.len() {
            for x in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[i] ^= x;
                if let Ok(d) = decode(&b, &empty) {
                    assert_eq!(check(&d), Ok(()));
                }
            }
        }
    }

    #[test]
    fn inconsistent_tallies_are_rejected() {
        let m = model();
        let empty = Tally::new(&m);
        let good = tally(&m, 0..1);
        let mut t = good.clone();
        t.nation_in[0] = t.trials + 1;
        assert!(decode(&encode(&t), &empty).is_err());
        let mut t = good.clone();
        t.all_covered = 0;
        assert!(
            decode(&encode(&t), &empty).is_err(),
            "nation_in_all > all_covered"
        );
        let mut t = good.clone();
        t.contributed[0] = u128::MAX;
        assert!(decode(&encode(&t), &empty).is_err());
        let mut t = good;
        t.totals[0].sum += u128::from(u64::MAX) * 10_000;
        assert!(decode(&encode(&t), &empty).is_err());
    }
}

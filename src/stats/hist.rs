//! An integer histogram that is exact over 2^20 consecutive values and within
//! 0.1 % beyond, with exact count, sum, minimum and maximum.
//!
//! Layout: a value `v` is stored at `x = v − offset`. Bins `0 .. 2^20` hold one
//! value each. Above that, each power of two `[2^e, 2^(e+1))` is split into 1024
//! equal bins (relative width < 2^-10 < 0.1 %). The bins of the expected range are
//! one contiguous array allocated up front (the fast path: one bounds check and one
//! increment), within a budget per tally. Every other non-empty bin is one entry of
//! an ordered map until a quarter of its page of 64 bins is filled; the page is then
//! allocated and its bins move there ([`Pages`]). So a histogram costs memory in
//! proportion to the distinct bins observed, however wide its range, and adding to
//! a bin where values are dense costs two loads, not a search. Where a bin is held
//! changes no figure. Merging adds bins: it is exact, associative and commutative.
//!
//! Memory is bounded by design. Bins below `fine` (the expected range, which a
//! tally grants within a budget) are always kept one by one. Beyond it, a
//! histogram holds at most `cap` non-empty bins: when a value would make one
//! more, bins beyond `fine` are grouped two by two (`level` 1), then four by
//! four, and so on, until they fit ([`Hist::coarsen`]). The level is always the
//! smallest at which the values seen fit in `cap` groups, a function of the
//! values alone: so however trials are split among threads, shards and merges,
//! the same values give the same groups, and merging stays exact, associative
//! and commutative. A figure read from a group lies within the group's range.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use super::pages::{PAGE_BITS, PAGE_LEN, Pages};

/// Values `offset .. offset + EXACT` are binned exactly.
pub const EXACT: u64 = 1 << 20;
const SUB_BITS: u32 = 10;
const SUB: u64 = 1 << SUB_BITS;
const LOG_BINS: u64 = (64 - 20) * SUB;
const BINS: u64 = EXACT + LOG_BINS;
/// The contiguous array is allocated in multiples of this many bins.
const PAGE: u64 = 1 << 12;

/// Ranges up to this many values get their bins allocated up front.
pub const PREALLOCATE: u64 = 1 << 17;

/// Map entries in one page of the exact range at which the page is allocated (a
/// quarter of it: a page then costs at most twice what the map entries did).
const PROMOTE: usize = PAGE_LEN / 4;

/// Bins always kept one by one, whatever the expected range (so that a mass at
/// or near the offset, such as gaps of 0, stays exact).
const ALWAYS_FINE: usize = PAGE_LEN;

/// The level at which every bin beyond `fine` is one group (`BINS < 2^21`).
pub const MAX_LEVEL: u8 = 21;

/// A mergeable histogram of `u64` values.
#[derive(Debug, Clone)]
pub struct Hist {
    offset: u64,
    /// Bins `0 .. dense.len()`, contiguous.
    dense: Box<[u64]>,
    /// Pages of the exact range from `dense.len()` on.
    pages: Pages,
    /// Every other non-empty bin: bin → count (never below `dense.len()`, never
    /// in an allocated page).
    sparse: BTreeMap<u32, u64>,
    /// Whether a page of the exact range is allocated at its first value (for a
    /// modest expected range without contiguous bins) rather than at a quarter.
    touch: bool,
    /// Whether values are kept at all ([`Hist::off`]: none are).
    on: bool,
    /// Bins below this are always kept one by one (`≥ dense.len()`).
    fine: usize,
    /// The most non-empty bins (or groups of bins) held beyond `fine`.
    cap: usize,
    /// Bins beyond `fine` are grouped `2^level` at a time (aligned, the first
    /// group starting at `fine`); map keys there are the groups' first bins.
    level: u8,
    /// Non-empty bins (or groups) beyond `fine`: map entries and page bins.
    held: usize,
    /// Number of values added.
    pub n: u64,
    /// Exact sum of the values.
    pub sum: u128,
    /// Smallest value (`u64::MAX` when empty).
    pub min: u64,
    /// Largest value (0 when empty).
    pub max: u64,
}

impl PartialEq for Hist {
    /// Equal when they hold the same values (however their bins were allocated).
    fn eq(&self, other: &Self) -> bool {
        self.offset == other.offset
            && self.level == other.level
            && self.n == other.n
            && self.sum == other.sum
            && self.min == other.min
            && self.max == other.max
            && self.bins().eq(other.bins())
    }
}

#[inline(always)]
fn bin_of(x: u64) -> usize {
    if x < EXACT {
        x as usize
    } else {
        let e = 63 - x.leading_zeros(); // 20 ..= 63
        let sub = (x >> (e - SUB_BITS)) & (SUB - 1);
        (EXACT + u64::from(e - 20) * SUB + sub) as usize
    }
}

/// The range `[lo, hi]` of offset values that fall in bin `b`.
fn bin_range(b: usize) -> (u64, u64) {
    let b = b as u64;
    if b < EXACT {
        (b, b)
    } else {
        let e = (b - EXACT) / SUB + 20;
        let sub = (b - EXACT) % SUB;
        let width = 1u64 << (e - u64::from(SUB_BITS));
        let lo = (1u64 << e) + sub * width;
        (lo, lo + (width - 1))
    }
}

impl Hist {
    /// An empty histogram for values `≥ offset`, with bins allocated up front for
    /// values up to `expected_max` (when it is finite and within the exact range).
    pub fn new(offset: u64, expected_max: Option<u64>) -> Hist {
        let dense_len = Hist::dense_len(offset, expected_max);
        Hist::with_dense(offset, dense_len)
    }

    /// How many contiguous bins [`Hist::new`] allocates for this range: modest
    /// ranges only; wider ones fill in where values fall.
    pub fn dense_len(offset: u64, expected_max: Option<u64>) -> usize {
        match expected_max {
            Some(m) if m.saturating_sub(offset) < PREALLOCATE => {
                (m - offset.min(m) + 1).next_multiple_of(PAGE) as usize
            }
            _ => 0,
        }
    }

    /// An empty histogram for values `≥ offset` with `dense_len` contiguous bins.
    pub fn with_dense(offset: u64, dense_len: usize) -> Hist {
        Hist {
            offset,
            dense: vec![0; dense_len].into_boxed_slice(),
            pages: Pages::default(),
            sparse: BTreeMap::new(),
            touch: false,
            on: true,
            fine: dense_len.max(ALWAYS_FINE),
            cap: usize::MAX,
            level: 0,
            held: 0,
            n: 0,
            sum: 0,
            min: u64::MAX,
            max: 0,
        }
    }

    /// An empty histogram for values `≥ offset` that expects a modest range of
    /// `fine` bins but has no contiguous bins: its pages there are allocated
    /// where values first fall (only those used).
    pub fn paged(offset: u64, fine: usize) -> Hist {
        Hist {
            touch: true,
            fine: fine.max(ALWAYS_FINE),
            ..Hist::with_dense(offset, 0)
        }
    }

    /// An empty histogram shaped like `h` (offset, fine range and cap), without
    /// contiguous bins (for decoding a stored one).
    pub fn like(h: &Hist) -> Hist {
        Hist {
            fine: h.fine,
            cap: h.cap,
            ..Hist::with_dense(h.offset, 0)
        }
    }

    /// Holds at most `cap` (≥ 1) non-empty bins or groups beyond the fine range
    /// (set on an empty histogram).
    pub fn set_cap(&mut self, cap: usize) {
        debug_assert!(self.n == 0);
        self.cap = cap.max(1);
    }

    /// How many bins are grouped beyond the fine range, as a power of two.
    pub fn level(&self) -> u8 {
        self.level
    }

    /// A histogram that keeps nothing: every value added is dropped, so that
    /// it stays empty (for a tally of counts only).
    pub fn off(offset: u64) -> Hist {
        Hist {
            on: false,
            ..Hist::with_dense(offset, 0)
        }
    }

    /// The offset: the smallest value this histogram expects.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Adds one value.
    #[inline]
    pub fn add(&mut self, v: u64) {
        if !self.on {
            return;
        }
        let x = v.saturating_sub(self.offset);
        match self.dense.get_mut(x as usize) {
            Some(count) => *count += 1,
            None => self.add_outside(bin_of(x), 1),
        }
        self.n += 1;
        self.sum += u128::from(v);
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    /// Adds every value of `values` (the trial loop's batch form of [`Hist::add`],
    /// inlined there to be compiled for its instruction set).
    #[inline(always)]
    pub fn add_all(&mut self, values: &[u64]) {
        if !self.on {
            return;
        }
        // The sum's high and low halves apart: each below 2^64 for up to 2^32
        // values, so that the loop adds in vector lanes, and exact.
        let (mut high, mut low, mut lo, mut hi) = (0u64, 0u64, u64::MAX, 0u64);
        for &v in values {
            high += v >> 32;
            low += v & 0xffff_ffff;
            lo = lo.min(v);
            hi = hi.max(v);
        }
        let sum = (u128::from(high) << 32) + u128::from(low);
        for &v in values {
            let x = v.saturating_sub(self.offset);
            // Pages hold only bins of the exact range, where the bin is `x`.
            if let Some(count) = self.dense.get_mut(x as usize) {
                *count += 1;
            } else if let Some(count) = self.pages.get_mut(x as usize) {
                *count += 1;
                if *count == 1 && x as usize >= self.fine {
                    self.hold();
                }
            } else {
                self.add_outside(bin_of(x), 1);
            }
        }
        self.n += values.len() as u64;
        self.sum += sum;
        self.min = self.min.min(lo);
        self.max = self.max.max(hi);
    }

    #[cold]
    #[inline(never)]
    fn add_outside(&mut self, b: usize, count: u64) {
        self.add_to_bin(b, count);
    }

    fn add_to_bin(&mut self, b: usize, count: u64) {
        if let Some(c) = self.dense.get_mut(b) {
            *c += count;
            return;
        }
        let b = self.group_of(b);
        if let Some(c) = self.pages.get_mut(b) {
            *c += count;
            if *c == count && b >= self.fine {
                self.hold();
            }
            return;
        }
        // `b < BINS < 2^32`.
        match self.sparse.entry(b as u32) {
            Entry::Occupied(mut e) => *e.get_mut() += count,
            Entry::Vacant(e) => {
                e.insert(count);
                // Pages beyond the fine range only while bins there are single.
                if (b as u64) < EXACT && (self.level == 0 || b < self.fine) {
                    self.promote(b >> PAGE_BITS);
                }
                if b >= self.fine {
                    self.hold();
                }
            }
        }
    }

    /// The first bin of the group that holds bin `b`.
    #[inline]
    fn group_of(&self, b: usize) -> usize {
        if b < self.fine || self.level == 0 {
            b
        } else {
            ((b >> self.level) << self.level).max(self.fine)
        }
    }

    /// Counts one more non-empty bin beyond the fine range; groups bins when
    /// they no longer fit.
    #[inline]
    fn hold(&mut self) {
        self.held += 1;
        if self.held > self.cap {
            self.coarsen(self.level + 1);
        }
    }

    /// Groups bins beyond the fine range at `level` or above, the smallest at
    /// which they fit in `cap` (only ever justified by values seen: a level
    /// rises past `l` only when the values hold more than `cap` groups at `l`).
    #[cold]
    #[inline(never)]
    fn coarsen(&mut self, level: u8) {
        let mut level = level.max(self.level).min(MAX_LEVEL);
        loop {
            if level == self.level {
                return;
            }
            self.regroup(level);
            if self.held <= self.cap || level == MAX_LEVEL {
                return;
            }
            level += 1;
        }
    }

    /// Moves every bin beyond the fine range (pages included) to map entries
    /// keyed by their group at `level`, and counts them.
    fn regroup(&mut self, level: u8) {
        self.level = level;
        let first_page = self.fine.div_ceil(PAGE_LEN);
        let mut moved: Vec<(usize, u64)> = Vec::new();
        for p in self
            .pages
            .numbers()
            .into_iter()
            .filter(|&p| p >= first_page)
        {
            if let Some(page) = self.pages.remove(p) {
                let bins = page.iter().enumerate().filter(|(_, c)| **c > 0);
                moved.extend(bins.map(|(i, &c)| ((p << PAGE_BITS) | i, c)));
            }
        }
        let beyond = self
            .sparse
            .split_off(&(self.fine.min(u32::MAX as usize) as u32));
        moved.extend(beyond.into_iter().map(|(b, c)| (b as usize, c)));
        let mut groups: BTreeMap<u32, u64> = BTreeMap::new();
        for (b, c) in moved {
            *groups.entry(self.group_of(b) as u32).or_insert(0) += c;
        }
        self.held = groups.len();
        self.sparse.append(&mut groups);
    }

    /// Groups bins at `level` at least (before adding bins grouped so).
    pub fn raise_to(&mut self, level: u8) {
        if level > self.level {
            self.coarsen(level);
        }
    }

    /// Moves the map's entries of page `p` into the page, once they fill a
    /// quarter of it. Only pages wholly above the contiguous bins are allocated.
    fn promote(&mut self, p: usize) {
        let (lo, hi) = (p << PAGE_BITS, (p + 1) << PAGE_BITS);
        if lo < self.dense.len() {
            return;
        }
        let keys = lo as u32..hi as u32;
        // Touched pages only within the expected range: beyond it a page must
        // be a quarter full, so pages there cost at most 32 bytes a held bin.
        let touch = self.touch && hi <= self.fine;
        if !touch && self.sparse.range(keys.clone()).take(PROMOTE).count() < PROMOTE {
            return;
        }
        let moved: Vec<(u32, u64)> = self.sparse.range(keys).map(|(&b, &c)| (b, c)).collect();
        let page = self.pages.insert(p);
        for &(b, c) in &moved {
            page[b as usize - lo] = c;
        }
        for (b, _) in moved {
            self.sparse.remove(&b);
        }
    }

    /// Adds `count` copies of `v` (summary-time transforms; not for the trial loop).
    pub fn add_n(&mut self, v: u64, count: u64) {
        if count == 0 || !self.on {
            return;
        }
        let b = bin_of(v.saturating_sub(self.offset));
        self.add_to_bin(b, count);
        self.n += count;
        self.sum += u128::from(v) * u128::from(count);
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    /// Adds another histogram with the same offset.
    pub fn merge(&mut self, other: &Hist) {
        debug_assert_eq!(self.offset, other.offset);
        if !self.on {
            return;
        }
        self.raise_to(other.level);
        if self.dense.len() == other.dense.len() {
            for (a, b) in self.dense.iter_mut().zip(other.dense.iter()) {
                *a += *b;
            }
        } else {
            for (b, c) in other.dense.iter().enumerate().filter(|(_, c)| **c > 0) {
                self.add_to_bin(b, *c);
            }
        }
        for (p, page) in other.pages.pages() {
            let lo = p << PAGE_BITS;
            // Page to page below the fine range; beyond it bin by bin, counted.
            if lo >= self.dense.len()
                && (lo + PAGE_LEN <= self.fine)
                && let Some(mine) = self.pages.page_mut(p)
            {
                for (a, b) in mine.iter_mut().zip(page) {
                    *a += *b;
                }
                continue;
            }
            for (i, &c) in page.iter().enumerate().filter(|(_, c)| **c > 0) {
                self.add_to_bin(lo + i, c);
            }
        }
        // Keys beyond `other`'s fine range are its groups' first bins: each
        // falls in one group of this histogram (at a level at least as high).
        for (&b, &c) in &other.sparse {
            self.add_to_bin(b as usize, c);
        }
        self.n += other.n;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Non-empty bins in increasing order: (bin index, count).
    pub fn bins(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        let dense = self
            .dense
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(b, c)| (b, *c));
        let mut paged = self.pages.bins().peekable();
        let mut sparse = self
            .sparse
            .iter()
            .map(|(&b, &c)| (b as usize, c))
            .peekable();
        // Pages and map entries interleave: merge the two increasing sequences.
        let rest = std::iter::from_fn(move || match (paged.peek(), sparse.peek()) {
            (Some(a), Some(b)) if a.0 < b.0 => paged.next(),
            (Some(_), None) => paged.next(),
            _ => sparse.next(),
        });
        dense.chain(rest)
    }

    /// Adds `count` to bin `b` directly (for decoding a stored histogram, after
    /// [`Hist::raise_to`] its level): false when `b` is no bin, or not the first
    /// bin of its group.
    pub fn add_bin(&mut self, b: usize, count: u64) -> bool {
        if b >= BINS as usize || self.group_of(b) != b {
            return false;
        }
        self.add_to_bin(b, count);
        true
    }

    /// Sets the exact count, sum, minimum and maximum (for decoding a stored histogram).
    pub fn set_moments(&mut self, n: u64, sum: u128, min: u64, max: u64) {
        self.n = n;
        self.sum = sum;
        self.min = min;
        self.max = max;
    }

    /// The value that represents bin `b`: exact in the exact range, else the bin's
    /// midpoint, clamped to the observed minimum and maximum.
    pub fn value_of(&self, b: usize) -> f64 {
        let (lo, hi) = self.range_of(b);
        let v = if lo == hi {
            lo as f64 + self.offset as f64
        } else {
            (lo as f64 + hi as f64) / 2.0 + self.offset as f64
        };
        v.clamp(self.min as f64, self.max as f64)
    }

    /// The range `[lo, hi]` of offset values in bin (or group) `b`.
    fn range_of(&self, b: usize) -> (u64, u64) {
        if b < self.fine || self.level == 0 {
            return bin_range(b);
        }
        let end = (((b >> self.level) + 1) << self.level).min(BINS as usize);
        (bin_range(b).0, bin_range(end - 1).1)
    }

    /// The bin (or group) that value `v` falls in.
    pub fn bin_of_value(&self, v: u64) -> usize {
        self.group_of(bin_of(v.saturating_sub(self.offset)))
    }

    /// Whether bin `b` holds a single value (so figures from it are exact).
    pub fn is_exact_bin(&self, b: usize) -> bool {
        let (lo, hi) = self.range_of(b);
        lo == hi
    }

    /// The type-1 quantile: the smallest value v with at least ⌈num/den · n⌉ values ≤ v.
    /// `num/den` is an exact fraction (p05 is 5/100), so the rank is computed exactly.
    pub fn quantile(&self, num: u64, den: u64) -> f64 {
        self.quantiles([(num, den)])[0]
    }

    /// [`Hist::quantile`] at several fractions in increasing order, in one pass
    /// over the bins.
    pub fn quantiles<const N: usize>(&self, fracs: [(u64, u64); N]) -> [f64; N] {
        self.quantile_bins(fracs)
            .map(|b| b.map_or(self.max as f64, |b| self.value_of(b)))
    }

    /// The bins holding the quantiles at `fracs` (in increasing order); `None`
    /// when the histogram is empty.
    pub fn quantile_bins<const N: usize>(&self, fracs: [(u64, u64); N]) -> [Option<usize>; N] {
        let mut out = [None; N];
        if self.n == 0 {
            return out;
        }
        let ranks = fracs.map(|(num, den)| {
            (u128::from(num) * u128::from(self.n))
                .div_ceil(u128::from(den))
                .max(1)
        });
        debug_assert!(ranks.windows(2).all(|w| w[0] <= w[1]));
        let (mut i, mut seen) = (0, 0u128);
        for (b, c) in self.bins() {
            seen += u128::from(c);
            while i < N && seen >= ranks[i] {
                out[i] = Some(b);
                i += 1;
            }
            if i == N {
                break;
            }
        }
        out
    }

    /// The most a value in bin `b` (clamped to the observed range) can differ
    /// from the value that represents it: 0 for a bin of one value.
    pub fn error_of(&self, b: usize) -> f64 {
        let (lo, hi) = self.range_of(b);
        let lo = (lo as f64 + self.offset as f64).max(self.min as f64);
        let hi = (hi as f64 + self.offset as f64).min(self.max as f64);
        let v = self.value_of(b);
        (v - lo).max(hi - v).max(0.0)
    }

    /// The most any value can differ from the value that represents its bin,
    /// over every non-empty bin (0 when every bin holds one value).
    pub fn max_error(&self) -> f64 {
        self.bins()
            .map(|(b, _)| self.error_of(b))
            .fold(0.0, f64::max)
    }

    /// Mean (exact sum / n).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum as f64 / self.n as f64
        }
    }

    /// Population standard deviation, from the bins around the exact mean.
    pub fn sd(&self) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        let m = self.mean();
        let ss: f64 = self
            .bins()
            .map(|(b, c)| {
                let d = self.value_of(b) - m;
                c as f64 * d * d
            })
            .sum();
        (ss / self.n as f64).sqrt()
    }

    /// Number of values ≥ x (exact when x falls in the exact range).
    pub fn count_at_least(&self, x: u64) -> u64 {
        self.bins()
            .filter(|(b, _)| {
                let (lo, _) = self.range_of(*b);
                lo.saturating_add(self.offset) >= x
            })
            .map(|(_, c)| c)
            .sum()
    }

    /// A new histogram of `f(v)` for every value v, where `f` is applied to each
    /// bin's representative value. Exact when every bin is exact.
    pub fn map(&self, offset: u64, f: impl Fn(u64) -> u64) -> Hist {
        let mut out = Hist::new(offset, None);
        for (b, c) in self.bins() {
            let v = self.value_of(b).round() as u64;
            out.add_n(f(v), c);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cover_every_value_once() {
        for x in [0, 1, EXACT - 1, EXACT, EXACT + 1, 3 << 40, u64::MAX] {
            let b = bin_of(x);
            let (lo, hi) = bin_range(b);
            assert!(lo <= x && x <= hi, "{x} not in bin {b} = [{lo}, {hi}]");
            assert!(((hi - lo) as f64) / (lo as f64).max(1.0) < 1e-3);
        }
        assert_eq!(bin_of(u64::MAX) as u64, BINS - 1);
    }

    #[test]
    fn quantiles_are_type_one() {
        // Values 1..=100: p05 is the 5th value, p50 the 50th, p95 the 95th.
        let mut h = Hist::new(0, Some(200));
        for v in (1..=100).rev() {
            h.add(v);
        }
        assert_eq!(h.quantile(5, 100), 5.0);
        assert_eq!(h.quantile(50, 100), 50.0);
        assert_eq!(h.quantile(95, 100), 95.0);
        assert_eq!(h.quantile(0, 100), 1.0);
        assert_eq!(h.quantile(100, 100), 100.0);
        assert_eq!(h.mean(), 50.5);
        // Population sd of 1..=100 is sqrt((100² − 1)/12).
        assert!((h.sd() - ((100.0f64 * 100.0 - 1.0) / 12.0).sqrt()).abs() < 1e-9);
        // 7 values: p25 → rank ⌈1.75⌉ = 2.
        let mut h = Hist::new(0, None);
        for v in [10, 20, 30, 40, 50, 60, 70] {
            h.add(v);
        }
        assert_eq!(h.quantile(25, 100), 20.0);
        assert_eq!(h.quantile(50, 100), 40.0);
        assert_eq!(h.count_at_least(40), 4);
    }

    #[test]
    fn large_values_within_a_tenth_of_a_percent() {
        let mut h = Hist::new(0, None);
        for i in 0..1000u64 {
            h.add(5_000_000 + i * 7_919);
        }
        let exact_p50 = 5_000_000 + 499 * 7_919;
        let q = h.quantile(50, 100);
        assert!(((q - exact_p50 as f64) / exact_p50 as f64).abs() < 1e-3);
        assert_eq!(h.min, 5_000_000);
        assert_eq!(h.sum, (0..1000u128).map(|i| 5_000_000 + i * 7_919).sum());
    }

    #[test]
    fn offset_keeps_a_far_range_exact() {
        let mut h = Hist::new(10_000_000, Some(10_500_000));
        for v in [10_000_003, 10_000_001, 10_400_000] {
            h.add(v);
        }
        assert_eq!(h.quantile(50, 100), 10_000_003.0);
        assert_eq!(h.quantile(100, 100), 10_400_000.0);
    }

    #[test]
    fn pages_change_no_figure() {
        // Dense in [1000, 9000), a few far beyond: the same values held in
        // contiguous bins, in pages and map entries, and merged across both.
        let vals: Vec<u64> = (0..20_000u64)
            .map(|i| {
                let x = i.wrapping_mul(2_654_435_761) % 8000 + 1000;
                if i % 97 == 0 { x * 1000 } else { x }
            })
            .collect();
        let (mut full, mut lean) = (Hist::with_dense(0, 1 << 14), Hist::with_dense(0, 0));
        for &v in &vals {
            full.add(v);
            lean.add(v);
        }
        assert!(lean.pages.pages().count() > 100 && !lean.sparse.is_empty());
        assert_eq!(full, lean);
        for q in [1, 5, 25, 50, 75, 95, 99] {
            assert_eq!(full.quantile(q, 100), lean.quantile(q, 100));
        }
        let bins: Vec<usize> = lean.bins().map(|(b, _)| b).collect();
        assert!(bins.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(lean.bins().map(|(_, c)| c).sum::<u64>(), vals.len() as u64);
        let (a, b) = vals.split_at(7000);
        let (mut x, mut y) = (Hist::with_dense(0, 1 << 12), Hist::with_dense(0, 0));
        a.iter().for_each(|&v| x.add(v));
        b.iter().for_each(|&v| y.add(v));
        let (mut xy, mut yx) = (x.clone(), y.clone());
        xy.merge(&y);
        yx.merge(&x);
        assert_eq!((xy == full, yx == full), (true, true));
        // Values far apart stay map entries: no page is allocated for them.
        let mut spread = Hist::with_dense(0, 0);
        (0..500u64).for_each(|i| spread.add(i * 1000));
        assert_eq!(spread.pages.pages().count(), 0);
    }

    #[test]
    fn merge_is_exact_and_order_free() {
        let (mut a, mut b, mut all) = (Hist::new(0, None), Hist::new(0, None), Hist::new(0, None));
        for v in 0..5000u64 {
            let x = v * v % 70_001;
            if v % 3 == 0 {
                a.add(x)
            } else {
                b.add(x)
            }
            all.add(x);
        }
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, all);
        assert_eq!(ba, all);
    }

    #[test]
    fn adding_many_is_adding_each() {
        // Values whose low halves carry into the high half when summed, and
        // whose sum passes 2^64.
        let values = [
            u64::MAX,
            u64::MAX - 1,
            (1 << 32) - 1,
            1 << 32,
            7,
            0,
            u64::MAX,
        ];
        let (mut each, mut all) = (Hist::new(0, None), Hist::new(0, None));
        for &v in &values {
            each.add(v);
        }
        all.add_all(&values);
        assert_eq!(all, each);
        let sum: u128 = values.iter().map(|&v| u128::from(v)).sum();
        assert_eq!(all.sum, sum);
    }

    /// Values spread wide: most beyond any expected range, a tenth at 0.
    fn spread(n: u64, seed: u64) -> Vec<u64> {
        (0..n)
            .map(|i| {
                let x = (i ^ seed).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                let v = ((x >> 24) % 1_000_000_000_000) >> (x % 29);
                if x.is_multiple_of(10) { 0 } else { v }
            })
            .collect()
    }

    /// The level the rule asks for, by enumeration: the smallest at which the
    /// values' bins beyond `fine` fall in at most `cap` groups.
    fn level_by_enumeration(values: &[u64], fine: usize, cap: usize) -> u8 {
        (0..=MAX_LEVEL)
            .find(|&l| {
                let groups: std::collections::BTreeSet<usize> = values
                    .iter()
                    .map(|&v| bin_of(v))
                    .filter(|&b| b >= fine)
                    .map(|b| b >> l)
                    .collect();
                groups.len() <= cap
            })
            .expect("one group at the last level")
    }

    #[test]
    fn held_bins_are_bounded_and_the_level_is_the_values_own() {
        for (n, fine, cap) in [
            (20_000, 0, 300),
            (5_000, 4096, 64),
            (3_000, 4096, 1),
            (500, 0, 10_000),
        ] {
            let values = spread(n, 7);
            let mut h = Hist::with_dense(0, fine);
            h.set_cap(cap);
            values.iter().for_each(|&v| h.add(v));
            let fine = fine.max(ALWAYS_FINE);
            assert_eq!(
                h.level(),
                level_by_enumeration(&values, fine, cap),
                "{n} {fine} {cap}"
            );
            assert_eq!(
                h.level() > 0,
                cap < 1000,
                "grouped exactly where the cap is small"
            );
            assert!(h.held <= cap && h.bins().filter(|(b, _)| *b >= fine).count() == h.held);
            assert_eq!((h.n, h.bins().map(|(_, c)| c).sum::<u64>()), (n, n));
            // Every quantile lies in the range of the group it reports.
            let mut sorted = values.clone();
            sorted.sort_unstable();
            for q in [1, 5, 25, 50, 75, 95, 99] {
                let exact = sorted[((q * n).div_ceil(100) - 1) as usize];
                let b = h.bin_of_value(exact);
                let (lo, hi) = h.range_of(b);
                let got = h.quantile(q, 100);
                assert!(
                    lo as f64 <= got && got <= hi as f64,
                    "p{q}: {got} not in [{lo}, {hi}]"
                );
                assert!(
                    (got - exact as f64).abs() <= h.error_of(b),
                    "p{q}: {got} vs {exact}"
                );
                assert_eq!(h.is_exact_bin(b), lo == hi);
            }
            // The values at 0 stay exact: p05 is 0 (a tenth of them are 0).
            assert_eq!(
                (h.quantile(5, 100), h.error_of(h.bin_of_value(0))),
                (0.0, 0.0)
            );
        }
    }

    #[test]
    fn grouped_bins_merge_exactly_whatever_the_split() {
        let values = spread(12_000, 3);
        let shaped = |dense: bool| {
            let mut h = if dense {
                Hist::with_dense(0, 8192)
            } else {
                Hist::paged(0, 8192)
            };
            h.set_cap(200);
            h
        };
        let mut one = shaped(true);
        values.iter().for_each(|&v| one.add(v));
        assert!(one.level() > 0);
        for parts in [2, 3, 7] {
            let mut pieces: Vec<Hist> = (0..parts).map(|i| shaped(i % 2 == 0)).collect();
            for (i, &v) in values.iter().enumerate() {
                // Unequal, interleaved pieces: some at a lower level than the whole.
                pieces[(i * i + i / 5) % parts].add(v);
            }
            let mut forward = shaped(false);
            pieces.iter().for_each(|p| forward.merge(p));
            let mut backward = Hist::like(&pieces[0]);
            pieces.iter().rev().for_each(|p| backward.merge(p));
            let mut nested = pieces[parts - 1].clone();
            for p in &pieces[..parts - 1] {
                let mut q = p.clone();
                q.merge(&nested);
                nested = q;
            }
            assert_eq!(forward, one, "{parts} parts, forward");
            assert_eq!(backward, one, "{parts} parts, backward");
            assert_eq!(nested, one, "{parts} parts, nested");
        }
    }

    #[test]
    fn a_grouped_histogram_is_rebuilt_from_its_bins() {
        let mut h = Hist::with_dense(0, 4096);
        h.set_cap(50);
        spread(4_000, 11).iter().for_each(|&v| h.add(v));
        let mut back = Hist::like(&h);
        back.raise_to(h.level());
        for (b, c) in h.bins() {
            assert!(back.add_bin(b, c));
        }
        back.set_moments(h.n, h.sum, h.min, h.max);
        assert_eq!(back, h);
        // A bin inside a group is not a group's first bin.
        let inner = h
            .bins()
            .map(|(b, _)| b)
            .find(|&b| b >= 4096)
            .expect("grouped")
            + 1;
        assert!(!back.add_bin(inner, 1));
    }
}

//! Exact inverse distribution functions: the value below which a share `u` of a
//! distribution's mass lies, for every form of the format. The β-PERT quantile
//! inverts the regularised incomplete beta function to 1e-12 (Newton steps kept
//! inside a shrinking bracket); the others are closed forms.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::dist::{Dist, pert_shape};
use crate::isa::Isa;
use crate::math::{norm_cdf, norm_inv, to_count};

/// Absolute accuracy of [`beta_inv`] in x.
pub const BETA_TOL: f64 = 1e-12;

/// `ln B(a, b)`.
fn ln_beta(a: f64, b: f64) -> f64 {
    libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b)
}

/// The continued fraction of the incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    d = 1.0 / if d.abs() < TINY { TINY } else { d };
    let mut h = d;
    for m in 1..=500 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = 1.0 / if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = 1.0 / if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// The regularised incomplete beta function `I_x(a, b)`, for a, b > 0.
pub fn beta_cdf(a: f64, b: f64, x: f64) -> f64 {
    beta_cdf_ln(a, b, ln_beta(a, b), x)
}

/// [`beta_cdf`] with `ln B(a, b)` given (`lnb`).
fn beta_cdf_ln(a: f64, b: f64, lnb: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (a * x.ln() + b * (-x).ln_1p() - lnb).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

/// The β(a, b) density at x.
fn beta_pdf(a: f64, b: f64, x: f64) -> f64 {
    beta_pdf_ln(a, b, ln_beta(a, b), x)
}

/// [`beta_pdf`] with `ln B(a, b)` given (`lnb`).
fn beta_pdf_ln(a: f64, b: f64, lnb: f64, x: f64) -> f64 {
    ((a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - lnb).exp()
}

/// The two-sided 95 % quantile of Student's t with `df` > 0 degrees of freedom
/// (not a whole number for Welch's): t² = df (1 − x) / x, with x the 5 %
/// quantile of β(df/2, 1/2); the normal's past 10⁷ (they then agree to 1e-7).
pub fn t95(df: f64) -> f64 {
    if df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if df >= 1e7 {
        return crate::math::Z95;
    }
    let x = beta_inv(df / 2.0, 0.5, 0.05);
    (df * (1.0 - x) / x).sqrt()
}

/// Half Welch's 95 % interval of a difference of two means, from each run's
/// population standard deviation `s` over its `n` trials (at least two each).
pub fn welch_half95((sa, na): (f64, u64), (sb, nb): (f64, u64)) -> f64 {
    // Sample variances of the means.
    let va = sa * sa / (na as f64 - 1.0);
    let vb = sb * sb / (nb as f64 - 1.0);
    let df = (va + vb).powi(2) / (va * va / (na as f64 - 1.0) + vb * vb / (nb as f64 - 1.0));
    t95(df) * (va + vb).sqrt()
}

/// The β(a, b) quantile: the x in [0, 1] with `I_x(a, b) = u`, to [`BETA_TOL`].
/// The upper half is solved as the lower tail of β(b, a) (1 − u is exact there),
/// so that the tail's small density does not magnify the rounding of `I_x`.
pub fn beta_inv(a: f64, b: f64, u: f64) -> f64 {
    if u <= 0.0 {
        return 0.0;
    }
    if u >= 1.0 {
        return 1.0;
    }
    if u > 0.5 {
        return 1.0 - beta_inv_lower(b, a, 1.0 - u);
    }
    beta_inv_lower(a, b, u)
}

/// [`beta_inv`] for u ≤ 1/2: Newton steps from the mean, each kept inside the
/// bracket that the signs of `I_x − u` have established (a bisection where a step
/// would leave it).
fn beta_inv_lower(a: f64, b: f64, u: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let mut x = a / (a + b);
    let lnb = ln_beta(a, b);
    for _ in 0..200 {
        let f = beta_cdf_ln(a, b, lnb, x) - u;
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let step = f / beta_pdf_ln(a, b, lnb, x);
        let mut next = x - step;
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        if (next - x).abs() < 0.25 * BETA_TOL || hi - lo < BETA_TOL {
            return next;
        }
        x = next;
    }
    x
}

impl Dist {
    /// The inverse distribution function at `u` in (0, 1): the smallest value v
    /// with P(X ≤ v) ≥ u. Exact for every form (β-PERT to 1e-12 of its range);
    /// a discrete distribution's values are taken in ascending order.
    pub fn quantile(&self, u: f64) -> f64 {
        match self {
            Dist::Fixed(v) => *v,
            Dist::Uniform { min, max } => min + (max - min) * u,
            Dist::Triangular { min, mode, max } => triangular_inv(*min, *mode, *max, u),
            Dist::Pert { min, mode, max } => {
                let range = max - min;
                if range <= 0.0 {
                    return *min;
                }
                let a = 1.0 + 4.0 * (mode - min) / range;
                let b = 1.0 + 4.0 * (max - mode) / range;
                min + range * beta_inv(a, b, u)
            }
            Dist::Normal { mean, sd } => mean + sd * norm_inv(u),
            Dist::LogNormal { median, sigma } => median * (sigma * norm_inv(u)).exp(),
            Dist::Discrete { values, weights } => discrete_inv(values, weights, u),
        }
    }
}

fn triangular_inv(min: f64, mode: f64, max: f64, u: f64) -> f64 {
    let range = max - min;
    if range <= 0.0 {
        return min;
    }
    let split = (mode - min) / range;
    if u < split {
        min + (u * range * (mode - min)).sqrt()
    } else {
        max - ((1.0 - u) * range * (max - mode)).sqrt()
    }
}

/// A discrete distribution prepared for [`Dist::quantile`]: its values with
/// positive weight in ascending order, their running weights, the total weight
/// and the value returned when none is reached.
#[derive(Debug, Clone)]
pub struct DiscreteInv {
    values: Vec<f64>,
    acc: Vec<f64>,
    total: f64,
    first: f64,
    /// Per value but the last, the normal draws z about which [`DiscreteInv::at`]
    /// at `Φ(z)` passes it ([`DiscreteInv::band`]).
    bands: Vec<(f64, f64)>,
}

/// Normal draws within this of 0 are placed by [`DiscreteInv::bands`]; beyond,
/// one draw in 26 million, by the quantile itself.
const DISCRETE_FAST_Z: f64 = 5.5;

impl DiscreteInv {
    fn new(values: &[f64], weights: &[f64]) -> DiscreteInv {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        let (mut vs, mut accs) = (Vec::new(), Vec::new());
        for i in order {
            if weights[i] <= 0.0 {
                continue;
            }
            acc += weights[i];
            vs.push(values[i]);
            accs.push(acc);
        }
        let mut d = DiscreteInv {
            values: vs,
            acc: accs,
            total,
            first: values.first().copied().unwrap_or(0.0),
            bands: Vec::new(),
        };
        d.bands = (0..d.acc.len().saturating_sub(1))
            .map(|k| d.band(k))
            .collect();
        d
    }

    /// Where, in z, [`DiscreteInv::at`] at `Φ(z)` (as computed) passes value
    /// `k`: below `lo` it does not, from `hi` on it does, between them it is
    /// computed. Found by bisection on `[-6, 6]` and widened by 1e-6 either
    /// side (there `Φ` changes by more than 6e-15, far above its rounding); a
    /// pass outside `[-6, 6]` lies at least 0.5 beyond the draws it places.
    fn band(&self, k: usize) -> (f64, f64) {
        let within = |z: f64| norm_cdf(z) * self.total <= self.acc[k];
        let (mut a, mut b) = (-6.0f64, 6.0f64);
        if !within(a) {
            return (f64::NEG_INFINITY, a);
        }
        if within(b) {
            return (b, f64::INFINITY);
        }
        for _ in 0..100 {
            let mid = 0.5 * (a + b);
            if within(mid) {
                a = mid;
            } else {
                b = mid;
            }
        }
        (a - 1e-6, b + 1e-6)
    }

    /// [`DiscreteInv::at`] at `Φ(z)`: placed by the bands without computing
    /// `Φ` where `z` lies outside all of them (and within
    /// [`DISCRETE_FAST_Z`]), else computed.
    #[inline]
    fn at_z(&self, z: f64) -> f64 {
        if z.abs() < DISCRETE_FAST_Z && !self.values.is_empty() {
            let (mut passed, mut unsure) = (0, false);
            for &(lo, hi) in &self.bands {
                passed += usize::from(z >= hi);
                unsure |= z > lo && z < hi;
            }
            if !unsure {
                return self.values[passed];
            }
        }
        self.at(norm_cdf(z))
    }

    /// The quantile at `u`.
    #[inline]
    fn at(&self, u: f64) -> f64 {
        let x = u * self.total;
        for (&v, &a) in self.values.iter().zip(&self.acc) {
            if x <= a {
                return v;
            }
        }
        self.values.last().copied().unwrap_or(self.first)
    }
}

fn discrete_inv(values: &[f64], weights: &[f64], u: f64) -> f64 {
    DiscreteInv::new(values, weights).at(u)
}

/// Normal draws z per table of [`Inverse`]: nodes from `-Z_EDGE` to `Z_EDGE`
/// (beyond, one draw in 1.7 million, the quantile itself: in the far tails the
/// interpolant's error changes too fast to be measured at a few points).
const Z_EDGE: f64 = 5.0;

/// Intervals of a β-PERT table.
const TABLE_INTERVALS: usize = 256;

/// What a [`PertTable`] tabulates: a quantile function `Q`, on `[0, 1]` for the
/// forms whose quantile is `min + range × Q(u)` as [`Dist::quantile`] computes
/// it (so that the β-PERTs of one shape, and all uniforms, share one table).
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    /// The β(a, b) quantile: a β-PERT's, `a` and `b` from [`pert_shape`].
    Beta(f64, f64),
    /// `Q(u) = u`: a uniform's.
    Unit,
    /// A distribution's own quantile (a triangular's: its square roots are
    /// not of the form above, in floating point).
    Own(Dist),
}

impl Shape {
    /// The shape of a bounded continuous `dist` and the `min`, `range` that
    /// make its quantile from the shape's, or `None` for another form.
    fn of(dist: &Dist) -> Option<(Shape, f64, f64)> {
        match *dist {
            Dist::Pert { min, mode, max } if max > min => {
                let (a, b) = pert_shape(min, mode, max);
                Some((Shape::Beta(a, b), min, max - min))
            }
            Dist::Uniform { min, max } if max > min => Some((Shape::Unit, min, max - min)),
            Dist::Triangular { min, max, .. } if max > min => {
                Some((Shape::Own(dist.clone()), 0.0, 1.0))
            }
            _ => None,
        }
    }

    /// `Q(u)`, computed exactly as [`Dist::quantile`] computes it.
    fn quantile(&self, u: f64) -> f64 {
        match self {
            Shape::Beta(a, b) => beta_inv(*a, *b, u),
            Shape::Unit => u,
            Shape::Own(d) => d.quantile(u),
        }
    }

    /// The values `Q` takes.
    fn support(&self) -> (f64, f64) {
        match self {
            Shape::Own(d) => d.support(),
            _ => (0.0, 1.0),
        }
    }

    /// The density at `x` (∞ where there is none).
    fn density(&self, x: f64) -> f64 {
        let d = match self {
            Shape::Beta(a, b) => beta_pdf(*a, *b, x.clamp(0.0, 1.0)),
            Shape::Unit => 1.0,
            Shape::Own(d) => density(d, x),
        };
        if d > 0.0 { d } else { f64::INFINITY }
    }
}

/// A bounded continuous form's `G(z) = Q(Φ(z))` ([`Shape`]) on a grid of z: per
/// interval, the cubic Hermite interpolant of its values and slopes at the two
/// nodes and a bound on the interpolation's error, measured at build time
/// against `Q` at interior points and widened eightfold, plus twice the β
/// quantile's tolerance.
#[derive(Debug, Clone)]
pub struct PertTable {
    shape: Shape,
    /// 1 / the nodes' spacing in z.
    inv_h: f64,
    /// The tolerance by which the nodes' values are widened.
    tol: f64,
    cells: Box<[Cell; TABLE_INTERVALS]>,
}

/// One interval of a [`PertTable`], in half a cache line (a scenario's tables
/// are read in turn, batch after batch: the smaller they are, the more of them
/// the processor's nearer caches hold). The interpolant is a cubic in the
/// fraction f ∈ [0, 1): its two leading coefficients exact, the two others in
/// single precision; `err` bounds its error (covering the single-precision
/// coefficients' rounding), rounded up; and the value at the next node, widened
/// by the tolerance, lies at most `span` above `c0` (rounded up). The quantile
/// is monotone: the nodes' values bound it.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct Cell {
    c0: f64,
    c1: f64,
    c2: f32,
    c3: f32,
    err: f32,
    span: f32,
}

/// `x` rounded up to single precision (∞ stays ∞).
fn up32(x: f64) -> f32 {
    let y = x as f32;
    if f64::from(y) < x { y.next_up() } else { y }
}

impl Cell {
    /// The Hermite interpolant with values `g0`, `g1` and slopes (per unit of
    /// f) `d0`, `d1` at f = 0 and 1, in powers of f, and its exact `c2`, `c3`;
    /// its error bound is set by [`Cell::bound`].
    fn hermite(g0: f64, g1: f64, d0: f64, d1: f64, tol: f64) -> (Cell, (f64, f64)) {
        let c2 = 3.0 * (g1 - g0) - 2.0 * d0 - d1;
        let c3 = 2.0 * (g0 - g1) + d0 + d1;
        // One single-precision step above, so that `c0 + span` (rounded to
        // nearest) is not below `g1 + tol`.
        let span = up32((g1 + tol) - g0).next_up();
        let cell = Cell {
            c0: g0,
            c1: d0,
            c2: c2 as f32,
            c3: c3 as f32,
            err: f32::INFINITY,
            span,
        };
        (cell, (c2, c3))
    }

    /// Sets the error bound to `e` (the interpolant's measured error, widened)
    /// plus what rounding `c2`, `c3` to single precision moved the cubic by
    /// at most (f < 1), rounded up.
    fn bound(&mut self, e: f64, (c2, c3): (f64, f64)) {
        let moved = (c2 - f64::from(self.c2)).abs() + (c3 - f64::from(self.c3)).abs();
        let e = e + moved;
        self.err = if e.is_finite() {
            up32(e)
        } else {
            f32::INFINITY
        };
    }

    /// The interpolant at `f` (Horner's rule).
    #[inline(always)]
    fn at(&self, f: f64) -> f64 {
        ((f64::from(self.c3) * f + f64::from(self.c2)) * f + self.c1) * f + self.c0
    }

    /// The bracket at `f`: the interpolant widened by its error, within the
    /// nodes' values widened by `tol`.
    #[inline(always)]
    fn around(&self, f: f64, tol: f64) -> (f64, f64) {
        let mid = self.at(f);
        let err = f64::from(self.err);
        (
            (mid - err).max(self.c0 - tol),
            (mid + err).min(self.c0 + f64::from(self.span)),
        )
    }
}

impl PertTable {
    fn new(shape: Shape) -> PertTable {
        let (min, max) = shape.support();
        let range = max - min;
        let n = TABLE_INTERVALS;
        let h = 2.0 * Z_EDGE / n as f64;
        let z = |i: f64| -Z_EDGE + i * h;
        let g: Vec<f64> = (0..=n)
            .map(|i| shape.quantile(norm_cdf(z(i as f64))))
            .collect();
        let slope: Vec<f64> = (0..=n)
            .map(|i| {
                let phi = (-0.5 * z(i as f64).powi(2)).exp() / (2.0 * std::f64::consts::PI).sqrt();
                phi / shape.density(g[i]) * h
            })
            .collect();
        let tol = 2.0 * BETA_TOL * range + 1e-15 * max.abs().max(min.abs());
        let mut cells = Box::new([Cell::default(); TABLE_INTERVALS]);
        for (i, cell) in cells.iter_mut().enumerate() {
            let exact_c;
            (*cell, exact_c) = Cell::hermite(g[i], g[i + 1], slope[i], slope[i + 1], tol);
            let mut worst: f64 = 0.0;
            // The Hermite error is f²(1−f)² times a slowly varying factor.
            for f in [0.25, 0.5, 0.75] {
                let exact = shape.quantile(norm_cdf(z(i as f64 + f)));
                worst = worst.max((cell.at(f) - exact).abs());
            }
            cell.bound(8.0 * worst + tol, exact_c);
        }
        PertTable {
            shape,
            inv_h: 1.0 / h,
            tol,
            cells,
        }
    }

    /// The table's interval of `z` and the fraction within it, where `z` lies
    /// inside the table; else interval 0 and a fraction that means nothing.
    #[inline(always)]
    fn locate(&self, z: f64) -> (usize, f64) {
        let x = (z + Z_EDGE) * self.inv_h;
        let x = if self.inside(z) { x } else { 0.0 };
        let i = (x as usize).min(TABLE_INTERVALS - 1);
        (i, x - i as f64)
    }

    /// Whether `z` lies inside the table.
    #[inline(always)]
    pub fn inside(&self, z: f64) -> bool {
        let x = (z + Z_EDGE) * self.inv_h;
        x >= 0.0 && x < TABLE_INTERVALS as f64
    }

    /// Rounds the brackets `lo`, `hi` of the normals `z` (each end times
    /// `scale`) into `counts`, and lists in `open` the lanes the bracket does
    /// not settle (ends that round apart, or `z` outside the table), whose
    /// counts the caller computes from the quantile itself. Returns how many
    /// lanes are open. One loop without branches; at most 2^16 lanes.
    #[inline(always)]
    pub fn settle(
        &self,
        (z, lo, hi): (&[f64], &[f64], &[f64]),
        scale: f64,
        counts: &mut [u64],
        open: &mut [u16],
    ) -> usize {
        debug_assert!(counts.len() <= 1 << 16);
        let mut n = 0;
        for (i, ((c, (&l, &h)), &z)) in counts.iter_mut().zip(lo.iter().zip(hi)).zip(z).enumerate()
        {
            let (x, y) = (to_count(l * scale), to_count(h * scale));
            *c = x;
            open[n] = i as u16;
            n += usize::from(x != y || !self.inside(z));
        }
        n
    }
}

/// A distribution's [`PertTable`] (perhaps shared with others of its shape)
/// and the `min + range ×` that makes the table's values its own. Rounding is
/// monotone, so `min + range × x`, computed, is monotone in `x`: the ends of a
/// bracket of `Q(Φ(z))` so mapped bracket the distribution's quantile as
/// [`Dist::quantile`] computes it.
#[derive(Debug, Clone)]
pub struct Tabled {
    table: Arc<PertTable>,
    min: f64,
    range: f64,
    dist: Dist,
}

impl Tabled {
    /// [`Tabled::bracket`] of each `z`, in `lo` and `hi`, without a branch;
    /// on x86-64-v4 eight at a time ([`brackets_v4`]), with the same bits.
    /// Where `z` lies outside the table ([`PertTable::inside`]), `lo` and `hi`
    /// are those of its first interval and mean nothing.
    #[inline(always)]
    pub fn brackets(&self, isa: Isa, z: &[f64], lo: &mut [f64], hi: &mut [f64]) {
        let n = z.len().min(lo.len()).min(hi.len());
        let mut done = 0;
        #[cfg(target_arch = "x86_64")]
        if isa.has_v4() {
            done = n - n % 8;
            // SAFETY: `has_v4` is true only for an `Isa` detected on a
            // processor with every feature `brackets_v4` is compiled with; the
            // three slices hold at least `done` values, a multiple of 8.
            unsafe { brackets_v4(self, &z[..done], &mut lo[..done], &mut hi[..done]) };
        }
        let _ = isa;
        self.brackets_scalar(&z[done..n], &mut lo[done..n], &mut hi[done..n]);
    }

    /// [`Tabled::brackets`], one value at a time.
    #[inline(always)]
    fn brackets_scalar(&self, z: &[f64], lo: &mut [f64], hi: &mut [f64]) {
        let (t, min, range) = (&*self.table, self.min, self.range);
        for ((&z, lo), hi) in z.iter().zip(lo.iter_mut()).zip(hi.iter_mut()) {
            let (i, f) = t.locate(z);
            let (l, h) = t.cells[i].around(f, t.tol);
            (*lo, *hi) = (min + range * l, min + range * h);
        }
    }

    /// [`PertTable::settle`] of this table.
    #[inline(always)]
    pub fn settle(
        &self,
        zs: (&[f64], &[f64], &[f64]),
        scale: f64,
        counts: &mut [u64],
        open: &mut [u16],
    ) -> usize {
        self.table.settle(zs, scale, counts, open)
    }

    /// Where the quantile at `Φ(z)` lies: an interval `[lo, hi]` that holds
    /// [`Dist::quantile`] at `Φ(z)`, or `None` outside the table.
    #[inline(always)]
    fn bracket(&self, z: f64) -> Option<(f64, f64)> {
        let t = &*self.table;
        if !t.inside(z) {
            return None;
        }
        let (i, f) = t.locate(z);
        let (l, h) = t.cells[i].around(f, t.tol);
        Some((self.min + self.range * l, self.min + self.range * h))
    }
}

#[cfg(target_arch = "x86_64")]
crate::isa::at_v4! {
    /// [`Tabled::brackets`] of eight values at a time (`z.len()` a multiple of
    /// 8, `lo` and `hi` as long): [`PertTable::locate`] and [`Cell::around`]
    /// in the same operations in the same order (a multiply and an add never
    /// fused), each interval's four fields gathered from its 32 bytes. A
    /// maximum or minimum takes the other operand where one is NaN, as
    /// `f64::max` and `f64::min` do.
    fn brackets_v4(tabled: &Tabled, z: &[f64], lo: &mut [f64], hi: &mut [f64]) {
        use std::arch::x86_64::*;
        let t = &*tabled.table;
        let base = t.cells.as_ptr().cast::<u8>();
        let edge = _mm512_set1_pd(Z_EDGE);
        let inv_h = _mm512_set1_pd(t.inv_h);
        let top = _mm512_set1_pd(TABLE_INTERVALS as f64);
        let tol = _mm512_set1_pd(t.tol);
        let (min, range) = (_mm512_set1_pd(tabled.min), _mm512_set1_pd(tabled.range));
        let low32 = |v: __m512i| _mm512_cvtps_pd(_mm256_castsi256_ps(_mm512_cvtepi64_epi32(v)));
        let high32 = |v: __m512i| low32(_mm512_srli_epi64::<32>(v));
        for ((z, lo), hi) in z.chunks_exact(8).zip(lo.chunks_exact_mut(8)).zip(hi.chunks_exact_mut(8)) {
            // SAFETY: `z` holds 8 values.
            let zv = unsafe { _mm512_loadu_pd(z.as_ptr()) };
            let x = _mm512_mul_pd(_mm512_add_pd(zv, edge), inv_h);
            let inside = _mm512_cmp_pd_mask::<_CMP_GE_OQ>(x, _mm512_setzero_pd())
                & _mm512_cmp_pd_mask::<_CMP_LT_OQ>(x, top);
            let x = _mm512_maskz_mov_pd(inside, x);
            // 0 ≤ x < 256: its truncation is the interval, exactly a double.
            let i = _mm512_cvttpd_epi64(x);
            let f = _mm512_sub_pd(x, _mm512_cvtepi64_pd(i));
            let at = _mm512_slli_epi64::<5>(i);
            // SAFETY: each offset is that of an interval below 256 of `cells`,
            // and each field read lies within its 32 bytes.
            let (c0, c1, c23, es) = unsafe {
                (
                    _mm512_i64gather_pd::<1>(at, base.cast()),
                    _mm512_i64gather_pd::<1>(at, base.add(8).cast()),
                    _mm512_i64gather_epi64::<1>(at, base.add(16).cast()),
                    _mm512_i64gather_epi64::<1>(at, base.add(24).cast()),
                )
            };
            let mid = _mm512_add_pd(_mm512_mul_pd(high32(c23), f), low32(c23));
            let mid = _mm512_add_pd(_mm512_mul_pd(mid, f), c1);
            let mid = _mm512_add_pd(_mm512_mul_pd(mid, f), c0);
            let err = low32(es);
            let l = max_pd(_mm512_sub_pd(mid, err), _mm512_sub_pd(c0, tol));
            let h = min_pd(_mm512_add_pd(mid, err), _mm512_add_pd(c0, high32(es)));
            // SAFETY: `lo` and `hi` hold 8 values each.
            unsafe {
                _mm512_storeu_pd(lo.as_mut_ptr(), _mm512_add_pd(min, _mm512_mul_pd(range, l)));
                _mm512_storeu_pd(hi.as_mut_ptr(), _mm512_add_pd(min, _mm512_mul_pd(range, h)));
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
crate::isa::at_v4! {
    /// `a.max(b)` in each lane: `b` where `a` is NaN, `a` where `b` is.
    #[inline]
    fn max_pd(a: std::arch::x86_64::__m512d, b: std::arch::x86_64::__m512d) -> std::arch::x86_64::__m512d {
        use std::arch::x86_64::*;
        // MAXPD gives its second operand where either is NaN.
        let m = _mm512_max_pd(b, a);
        _mm512_mask_mov_pd(m, _mm512_cmp_pd_mask::<_CMP_UNORD_Q>(a, a), b)
    }
}

#[cfg(target_arch = "x86_64")]
crate::isa::at_v4! {
    /// `a.min(b)` in each lane: `b` where `a` is NaN, `a` where `b` is.
    #[inline]
    fn min_pd(a: std::arch::x86_64::__m512d, b: std::arch::x86_64::__m512d) -> std::arch::x86_64::__m512d {
        use std::arch::x86_64::*;
        let m = _mm512_min_pd(b, a);
        _mm512_mask_mov_pd(m, _mm512_cmp_pd_mask::<_CMP_UNORD_Q>(a, a), b)
    }
}

/// The density of a triangular `dist` at `x` (0 for another form).
fn density(dist: &Dist, x: f64) -> f64 {
    match *dist {
        Dist::Triangular { min, mode, max } => {
            let r = max - min;
            if x < mode {
                2.0 * (x - min) / (r * (mode - min))
            } else {
                2.0 * (max - x) / (r * (max - mode))
            }
        }
        _ => 0.0,
    }
}

/// `F⁻¹(Φ(z))` for drawing a contribution under a Gaussian copula, exact as a
/// count: [`Inverse::count`] gives `to_count(f(dist.quantile(Φ(z))))` for a
/// monotone `f`, from a table where the rounding is settled by it and from
/// [`Dist::quantile`] itself elsewhere.
#[derive(Debug, Clone)]
pub enum Inverse {
    /// Closed forms (fixed, uniform, triangular, normal, log-normal).
    Exact(Dist),
    /// A discrete distribution, sorted once.
    Discrete(DiscreteInv),
    /// A bounded continuous form (β-PERT, triangular, uniform), tabulated.
    Pert(Tabled),
}

impl Inverse {
    /// Prepares `dist`.
    pub fn new(dist: &Dist) -> Inverse {
        match *dist {
            Dist::Discrete {
                ref values,
                ref weights,
            } => Inverse::Discrete(DiscreteInv::new(values, weights)),
            _ => match Shape::of(dist) {
                Some((shape, ..)) => Inverse::tabled(dist, Arc::new(PertTable::new(shape))),
                None => Inverse::Exact(dist.clone()),
            },
        }
    }

    /// A bounded continuous `dist` drawn through `table`, its shape's.
    fn tabled(dist: &Dist, table: Arc<PertTable>) -> Inverse {
        let (shape, min, range) = Shape::of(dist).expect("a bounded continuous form");
        debug_assert!(shape == table.shape);
        Inverse::Pert(Tabled {
            table,
            min,
            range,
            dist: dist.clone(),
        })
    }

    /// `dist.quantile(Φ(z))`, computed exactly.
    pub fn value(&self, z: f64) -> f64 {
        match self {
            Inverse::Exact(d) => d.quantile(norm_cdf(z)),
            Inverse::Discrete(d) => d.at_z(z),
            Inverse::Pert(t) => t.dist.quantile(norm_cdf(z)),
        }
    }

    /// `to_count(f(dist.quantile(Φ(z))))`, for `f` monotone (a chain of
    /// multiplications by constants): settled by the table's bracket where both
    /// ends round alike, else computed exactly.
    #[inline(always)]
    pub fn count(&self, z: f64, f: impl Fn(f64) -> f64) -> u64 {
        match self.settled(z, &f) {
            Some(n) => n,
            None => to_count(f(self.value(z))),
        }
    }

    /// The table, for a bounded continuous form.
    pub fn table(&self) -> Option<&Tabled> {
        match self {
            Inverse::Pert(t) => Some(t),
            _ => None,
        }
    }

    /// The count where the table settles it (a β-PERT whose bracket at z rounds
    /// alike at both ends), else `None`.
    #[inline(always)]
    pub fn settled(&self, z: f64, f: impl Fn(f64) -> f64) -> Option<u64> {
        let Inverse::Pert(t) = self else { return None };
        let (lo, hi) = t.bracket(z)?;
        let (a, b) = (to_count(f(lo)), to_count(f(hi)));
        (a == b).then_some(a)
    }
}

/// [`Inverse`]s prepared once per distinct distribution and shared: every plan
/// built with the same `Tables` (by default [`Tables::shared`], so the variants
/// of one scenario in `sweep`, `compare`, `secure` and `sensitivity` too)
/// tabulates a β-PERT once, and the β-PERTs of one shape (the same `a`, `b`),
/// and all uniforms, share one table. A distribution (and a shape) is known by
/// its `Debug` text, which writes every parameter exactly (shortest round-trip
/// `f64`).
#[derive(Debug, Default)]
pub struct Tables {
    map: Mutex<HashMap<String, Arc<Inverse>>>,
    shapes: Mutex<HashMap<String, Arc<PertTable>>>,
}

/// Distributions, and shapes, a [`Tables`] keeps at most (a table is about 8
/// KiB); past this it starts afresh.
const TABLES_KEPT: usize = 4096;

impl Tables {
    /// The process's tables.
    pub fn shared() -> &'static Tables {
        static SHARED: std::sync::OnceLock<Tables> = std::sync::OnceLock::new();
        SHARED.get_or_init(Tables::default)
    }

    /// The inverse of each of `dists`, the tables not prepared yet built in
    /// parallel (on the current rayon pool).
    pub fn get_all(&self, dists: &[&Dist]) -> Vec<Arc<Inverse>> {
        let keys: Vec<String> = dists.iter().map(|d| format!("{d:?}")).collect();
        let mut missing: Vec<(&String, &Dist)> = {
            let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
            keys.iter()
                .zip(dists)
                .filter(|(k, _)| !map.contains_key(*k))
                .map(|(k, &d)| (k, d))
                .collect()
        };
        missing.sort_by(|a, b| a.0.cmp(b.0));
        missing.dedup_by(|a, b| a.0 == b.0);
        let tables = self.tables_of(missing.iter().map(|&(_, d)| d));
        let built = missing.into_iter().map(|(k, d)| {
            let table = Shape::of(d).and_then(|(shape, ..)| tables.get(&format!("{shape:?}")));
            let inv = match table {
                Some(t) => Inverse::tabled(d, t.clone()),
                None => Inverse::new(d),
            };
            (k.clone(), Arc::new(inv))
        });
        let built: Vec<(String, Arc<Inverse>)> = built.collect();
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() + built.len() > TABLES_KEPT {
            map.clear();
        }
        map.extend(built);
        keys.iter()
            .zip(dists)
            .map(|(k, d)| {
                let inv = map.get(k).cloned();
                inv.unwrap_or_else(|| Arc::new(Inverse::new(d)))
            })
            .collect()
    }

    /// The table of each shape of `dists` (the bounded continuous ones), those
    /// not prepared yet built in parallel; by the shape's `Debug` text.
    fn tables_of<'a>(
        &self,
        dists: impl Iterator<Item = &'a Dist>,
    ) -> HashMap<String, Arc<PertTable>> {
        let mut wanted: Vec<(String, Shape)> = dists
            .filter_map(Shape::of)
            .map(|(shape, ..)| (format!("{shape:?}"), shape))
            .collect();
        wanted.sort_by(|a, b| a.0.cmp(&b.0));
        wanted.dedup_by(|a, b| a.0 == b.0);
        let mut out = HashMap::new();
        let mut todo = Vec::new();
        {
            let shapes = self.shapes.lock().unwrap_or_else(|e| e.into_inner());
            for (k, shape) in wanted {
                match shapes.get(&k) {
                    Some(t) => drop(out.insert(k, t.clone())),
                    None => todo.push((k, shape)),
                }
            }
        }
        // Built without the lock held: other threads may fetch meanwhile.
        let built: Vec<(String, Arc<PertTable>)> = todo
            .into_par_iter()
            .map(|(k, shape)| (k, Arc::new(PertTable::new(shape))))
            .collect();
        let mut shapes = self.shapes.lock().unwrap_or_else(|e| e.into_inner());
        if shapes.len() + built.len() > TABLES_KEPT {
            shapes.clear();
        }
        for (k, t) in built {
            shapes.insert(k.clone(), t.clone());
            out.insert(k, t);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Student's t at 2.5 % in each tail, against tables (closed forms for
    /// 1 and 2 degrees of freedom: tan(0.475 π) and (2p − 1) / √(2p(1 − p)), p = 0.975).
    #[test]
    fn t_quantiles_match_the_closed_forms_and_tables() {
        let one = (0.475 * std::f64::consts::PI).tan();
        let two = 0.95 / (2.0 * 0.975 * 0.025f64).sqrt();
        let table = [
            (1.0, one),
            (2.0, two),
            (10.0, 2.228_138_851_986),
            (30.0, 2.042_272_456_301),
        ];
        for (df, t) in table {
            assert!((t95(df) - t).abs() < 1e-9 * t, "{df}: {} vs {t}", t95(df));
        }
        assert!((t95(1e9) - crate::math::Z95).abs() < 1e-12);
        assert!(t95(0.0).is_nan());
        // Welch with equal spreads and sizes: 2(n − 1) degrees of freedom.
        let half = welch_half95((3.0, 11), (3.0, 11));
        let want = t95(20.0) * (2.0 * 9.0 / 10.0f64).sqrt();
        assert!((half - want).abs() < 1e-12, "{half} vs {want}");
    }

    /// `I_x(a, b)` for whole a and b: a binomial tail, in closed form.
    fn binomial_tail(a: u32, b: u32, x: f64) -> f64 {
        let n = a + b - 1;
        let choose =
            |n: u32, k: u32| (0..k).fold(1.0, |c, i| c * f64::from(n - i) / f64::from(i + 1));
        (a..=n)
            .map(|j| choose(n, j) * x.powi(j as i32) * (1.0 - x).powi((n - j) as i32))
            .sum()
    }

    #[test]
    fn the_incomplete_beta_matches_its_closed_forms() {
        for (a, b) in [(1, 1), (1, 5), (5, 1), (2, 2), (3, 4), (5, 5), (2, 5)] {
            for i in 1..100 {
                let x = f64::from(i) / 100.0;
                let exact = binomial_tail(a, b, x);
                let got = beta_cdf(f64::from(a), f64::from(b), x);
                assert!(
                    (got - exact).abs() < 1e-14,
                    "I_{x}({a},{b}) = {got}, exact {exact}"
                );
            }
        }
    }

    #[test]
    fn the_beta_quantile_inverts_to_1e_12() {
        let us: [f64; 10] = [
            1e-15,
            1e-9,
            1e-4,
            0.01,
            0.2,
            0.5,
            0.77,
            0.99,
            1.0 - 1e-9,
            1.0 - 1e-15,
        ];
        // Closed forms: a = 1 and b = 1.
        for b in [1.0f64, 2.5, 5.0] {
            for &u in &us {
                let exact = 1.0 - (1.0 - u).powf(1.0 / b);
                assert!(
                    (beta_inv(1.0, b, u) - exact).abs() < BETA_TOL,
                    "a=1 b={b} u={u}"
                );
                let exact = u.powf(1.0 / b);
                assert!(
                    (beta_inv(b, 1.0, u) - exact).abs() < BETA_TOL,
                    "a={b} b=1 u={u}"
                );
            }
        }
        // Whole shapes: I at the quantile is u, and the quantile is pinned to
        // 1e-12 by the density (a bracket of ±1e-12 straddles u).
        for (a, b) in [(2u32, 2u32), (3, 4), (5, 5), (2, 5), (4, 2)] {
            for &u in &us {
                let x = beta_inv(f64::from(a), f64::from(b), u);
                let lo = binomial_tail(a, b, (x - BETA_TOL).max(0.0));
                let hi = binomial_tail(a, b, (x + BETA_TOL).min(1.0));
                assert!(
                    lo <= u * (1.0 + 1e-9) && u <= hi * (1.0 + 1e-9),
                    "({a},{b}) u={u}: {lo} {hi}"
                );
            }
        }
    }

    #[test]
    fn tables_prepare_each_distribution_once_and_change_no_value() {
        let tables = Tables::default();
        let a = Dist::Pert {
            min: 10.0,
            mode: 30.0,
            max: 90.0,
        };
        let b = Dist::Triangular {
            min: 0.0,
            mode: 1.0,
            max: 4.0,
        };
        let first = tables.get_all(&[&a, &b, &a]);
        assert!(Arc::ptr_eq(&first[0], &first[2]));
        let again = tables.get_all(&[&b, &a]);
        assert!(Arc::ptr_eq(&again[0], &first[1]));
        assert!(Arc::ptr_eq(&again[1], &first[0]));
        for (inv, d) in [(&first[0], &a), (&first[1], &b)] {
            let fresh = Inverse::new(d);
            for i in -60..=60 {
                let z = f64::from(i) / 10.0;
                assert_eq!(inv.count(z, |x| x * 3.0), fresh.count(z, |x| x * 3.0));
            }
        }
    }

    /// β-PERTs of one shape share one table, uniforms another, and a
    /// triangular has its own; each count drawn through a shared table is the
    /// quantile's own, at random z and on the rounding boundaries of each.
    #[test]
    fn pert_shapes_share_a_table_and_count_exactly() {
        use crate::dist::std_normal;
        use crate::streams::TrialRng;
        let pert = |min, mode, max| Dist::Pert { min, mode, max };
        let uniform = |min, max| Dist::Uniform { min, max };
        let dists = [
            pert(100.0, 200.0, 300.0),
            pert(1000.0, 2000.0, 3000.0),
            pert(0.5, 1.5, 2.5),
            pert(10.0, 30.0, 90.0),
            pert(20.0, 60.0, 180.0),
            uniform(3.0, 9.0),
            uniform(250.0, 25_000.0),
            Dist::Triangular {
                min: 0.0,
                mode: 1.0,
                max: 4.0,
            },
            Dist::Triangular {
                min: 0.0,
                mode: 2.0,
                max: 8.0,
            },
            // 0.55 − 0.3 is not 0.25 in floating point: a shape of its own.
            pert(0.3, 0.55, 0.8),
        ];
        let tables = Tables::default();
        let invs = tables.get_all(&dists.iter().collect::<Vec<_>>());
        let table = |i: usize| &invs[i].table().expect("tabulated").table;
        // One shape: the same `a`, `b` (shortest round-trip f64, so exactly).
        let same = |i, j| Arc::ptr_eq(table(i), table(j));
        assert!(same(0, 1) && same(0, 2) && same(3, 4) && same(5, 6));
        assert!(!same(0, 3) && !same(0, 5) && !same(7, 8) && !same(0, 7) && !same(0, 9));
        let mut rng = TrialRng::new(3, 5);
        for (inv, d) in invs.iter().zip(&dists) {
            for chain in [1.0, 1.7, 0.35] {
                let f = |x: f64| x * chain;
                let exact = |z: f64| to_count(f(d.quantile(norm_cdf(z))));
                for _ in 0..5_000 {
                    let z = std_normal(&mut rng) * 1.5;
                    assert_eq!(inv.count(z, f), exact(z), "{d:?} ×{chain} z={z}");
                }
                // Rounding boundaries: z where f(quantile) = k + ½, by bisection.
                let (lo_c, hi_c) = (exact(-4.0), exact(4.0));
                for k in lo_c..hi_c.min(lo_c + 200) {
                    let (mut a, mut b) = (-4.0f64, 4.0f64);
                    for _ in 0..80 {
                        let mid = 0.5 * (a + b);
                        if f(d.quantile(norm_cdf(mid))) < k as f64 + 0.5 {
                            a = mid;
                        } else {
                            b = mid;
                        }
                    }
                    for z in [a, b, a - 1e-12, b + 1e-12] {
                        assert_eq!(inv.count(z, f), exact(z), "{d:?} ×{chain} z={z}");
                    }
                }
            }
        }
    }

    /// The table of a β-PERT gives the exact count: `to_count(f(quantile(Φ(z))))`
    /// for every z of a large sample, random and placed on rounding boundaries
    /// (and a hair either side), under several scale chains; and it settles
    /// almost every random draw without the quantile.
    #[test]
    fn the_pert_table_counts_exactly() {
        use crate::dist::{std_normal, unit};
        use crate::streams::TrialRng;
        let mut rng = TrialRng::new(7, 11);
        let perts = [
            (0.0, 20000.0, 100000.0),
            (1000.0, 1500.0, 9000.0),
            (0.0, 1.0, 4.0),
            (10.0, 10.0, 50.0),
            (2.0, 9.9, 10.0),
            (0.0, 300.0, 2_000_000.0),
        ];
        let chains: [&[f64]; 4] = [&[1.0], &[1.1], &[0.5, 1.37], &[3.0, 0.25, 1.9]];
        let dists = perts
            .iter()
            .map(|&(min, mode, max)| Dist::Pert { min, mode, max })
            .chain(
                perts
                    .iter()
                    .map(|&(min, mode, max)| Dist::Triangular { min, mode, max }),
            )
            .chain([Dist::Uniform {
                min: 3.0,
                max: 70000.0,
            }]);
        for dist in dists {
            let (min, max) = dist.support();
            let inv = Inverse::new(&dist);
            for chain in chains {
                let f = |x: f64| chain.iter().fold(x, |v, &c| v * c);
                let exact = |z: f64| to_count(f(dist.quantile(norm_cdf(z))));
                let mut settled = 0;
                let n = 20_000;
                for _ in 0..n {
                    let z = std_normal(&mut rng) * 1.5;
                    settled += usize::from(inv.settled(z, f).is_some());
                    assert_eq!(inv.count(z, f), exact(z), "{dist:?} {chain:?} z={z}");
                }
                if max - min > 1000.0 {
                    assert!(settled > n * 90 / 100, "{dist:?} settled {settled} of {n}");
                }
                // Rounding boundaries: z where f(G(z)) = k + ½, by bisection.
                let (lo_c, hi_c) = (exact(-7.0), exact(7.0));
                for _ in 0..300 {
                    let span = (hi_c - lo_c + 1) as f64;
                    let k = (lo_c as f64 + (unit(&mut rng) * span).floor()) + 0.5;
                    let (mut a, mut b) = (-7.0f64, 7.0f64);
                    for _ in 0..80 {
                        let mid = 0.5 * (a + b);
                        if f(dist.quantile(norm_cdf(mid))) < k {
                            a = mid;
                        } else {
                            b = mid;
                        }
                    }
                    for z in [a, b, 0.5 * (a + b), a - 1e-9, b + 1e-9, a - 1e-6, b + 1e-6] {
                        assert_eq!(inv.count(z, f), exact(z), "{dist:?} {chain:?} z={z}");
                    }
                }
            }
        }
    }

    /// The brackets are the same bits on every instruction set this processor
    /// runs (eight at a time on x86-64-v4, the rest one by one), inside the
    /// table, at its nodes and edges, and outside it.
    #[test]
    fn brackets_are_the_same_on_every_instruction_set() {
        use crate::dist::std_normal;
        use crate::isa::Isa;
        use crate::streams::TrialRng;
        let mut rng = TrialRng::new(3, 5);
        let h = 2.0 * Z_EDGE / TABLE_INTERVALS as f64;
        let mut z: Vec<f64> = (0..2000).map(|_| std_normal(&mut rng) * 2.5).collect();
        z.extend((0..=TABLE_INTERVALS).map(|i| -Z_EDGE + i as f64 * h));
        for e in [Z_EDGE, -Z_EDGE] {
            z.extend([e, e.next_up(), e.next_down()]);
        }
        z.extend([
            0.0,
            -0.0,
            1e300,
            -1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ]);
        for dist in [
            Dist::Pert {
                min: 0.0,
                mode: 20000.0,
                max: 100000.0,
            },
            Dist::Pert {
                min: 2.0,
                mode: 9.9,
                max: 10.0,
            },
            Dist::Triangular {
                min: 10.0,
                mode: 10.0,
                max: 50.0,
            },
            Dist::Uniform {
                min: 3.0,
                max: 70000.0,
            },
        ] {
            let inv = Inverse::new(&dist);
            let t = inv.table().expect("a tabled form");
            let run = |isa: Isa| {
                let (mut lo, mut hi) = (vec![0.0; z.len()], vec![0.0; z.len()]);
                t.brackets(isa, &z, &mut lo, &mut hi);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                (bits(&lo), bits(&hi))
            };
            let baseline = run(Isa::baseline());
            for isa in Isa::available() {
                assert!(run(isa) == baseline, "{dist:?} on {}", isa.name());
            }
        }
    }

    /// A discrete distribution's prepared inverse is its quantile.
    #[test]
    fn the_discrete_inverse_is_its_quantile() {
        let d = Dist::Discrete {
            values: vec![30.0, 10.0, 20.0, 5.0],
            weights: vec![1.0, 1.0, 2.0, 0.0],
        };
        let inv = Inverse::new(&d);
        for i in -400..=400 {
            let z = f64::from(i) / 100.0;
            assert_eq!(inv.value(z), d.quantile(norm_cdf(z)));
        }
    }

    /// A discrete inverse placed by its bands in z is the quantile at `Φ(z)`
    /// as computed: at random z, on each band's edges and at the passes
    /// themselves (a hair either side), with passes in the middle, in the
    /// tails, beyond ±6 and between values of equal weight.
    #[test]
    fn the_discrete_bands_give_the_quantile_of_phi() {
        use crate::dist::std_normal;
        use crate::streams::TrialRng;
        let cases: [(&[f64], &[f64]); 5] = [
            (&[30.0, 10.0, 20.0, 5.0], &[1.0, 1.0, 2.0, 0.0]),
            (&[0.0, 500.0, 1000.0], &[0.5, 0.3, 0.2]),
            (&[1.0, 2.0, 3.0], &[1e-12, 1.0, 1e-12]),
            (&[1.0, 2.0, 3.0], &[1e-300, 1.0, 1e-300]),
            (&[7.0, 8.0, 9.0, 10.0], &[0.1, 0.2, 0.3, 0.4]),
        ];
        let mut rng = TrialRng::new(11, 13);
        for (values, weights) in cases {
            let d = Dist::Discrete {
                values: values.to_vec(),
                weights: weights.to_vec(),
            };
            let Inverse::Discrete(inv) = Inverse::new(&d) else {
                panic!("a discrete inverse")
            };
            let check = |z: f64| assert_eq!(inv.at_z(z), d.quantile(norm_cdf(z)), "{d:?} z={z}");
            for _ in 0..20_000 {
                check(std_normal(&mut rng) * 2.0);
            }
            for &(lo, hi) in &inv.bands {
                for edge in [lo, hi, 0.5 * (lo + hi)] {
                    for dz in [0.0, 1e-15, -1e-15, 1e-9, -1e-9, 1e-6, -1e-6] {
                        check(edge + dz);
                    }
                }
            }
            for z in [-5.5, 5.5, -5.499_999, 5.499_999, -7.0, 7.0, 0.0, f64::NAN] {
                let (a, b) = (inv.at_z(z), d.quantile(norm_cdf(z)));
                assert!(a == b || (a.is_nan() && b.is_nan()), "{d:?} z={z}");
            }
        }
    }

    #[test]
    fn quantiles_of_every_form() {
        let tri = Dist::Triangular {
            min: 0.0,
            mode: 2.0,
            max: 4.0,
        };
        assert!((tri.quantile(0.5) - 2.0).abs() < 1e-12);
        assert!((tri.quantile(0.125) - 1.0).abs() < 1e-12);
        let uni = Dist::Uniform {
            min: 10.0,
            max: 20.0,
        };
        assert_eq!(uni.quantile(0.25), 12.5);
        let n = Dist::Normal { mean: 5.0, sd: 2.0 };
        assert!((n.quantile(0.975) - (5.0 + 2.0 * 1.959_963_984_540_054)).abs() < 1e-9);
        let ln = Dist::LogNormal {
            median: 100.0,
            sigma: 0.5,
        };
        assert!((ln.quantile(0.5) - 100.0).abs() < 1e-9);
        let d = Dist::Discrete {
            values: vec![30.0, 10.0, 20.0],
            weights: vec![1.0, 1.0, 2.0],
        };
        assert_eq!(d.quantile(0.2), 10.0);
        assert_eq!(d.quantile(0.25), 10.0);
        assert_eq!(d.quantile(0.26), 20.0);
        assert_eq!(d.quantile(0.76), 30.0);
        let pert = Dist::Pert {
            min: 0.0,
            mode: 50.0,
            max: 100.0,
        };
        assert!((pert.quantile(0.5) - 50.0).abs() < 1e-9);
        assert_eq!(Dist::Fixed(7.0).quantile(0.3), 7.0);
    }
}

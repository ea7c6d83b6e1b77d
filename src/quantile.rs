//! Exact inverse distribution functions: the value below which a share `u` of a
//! distribution's mass lies, for every form of the format. The β-PERT quantile
//! inverts the regularised incomplete beta function to 1e-12 (Newton steps kept
//! inside a shrinking bracket); the others are closed forms.

use crate::dist::Dist;
use crate::math::norm_inv;

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
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (a * x.ln() + b * (-x).ln_1p() - ln_beta(a, b)).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

/// The β(a, b) density at x.
fn beta_pdf(a: f64, b: f64, x: f64) -> f64 {
    ((a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - ln_beta(a, b)).exp()
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
    for _ in 0..200 {
        let f = beta_cdf(a, b, x) - u;
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let step = f / beta_pdf(a, b, x);
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

fn discrete_inv(values: &[f64], weights: &[f64], u: f64) -> f64 {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    let mut last = values.first().copied().unwrap_or(0.0);
    for i in order {
        if weights[i] <= 0.0 {
            continue;
        }
        acc += weights[i];
        last = values[i];
        if u * total <= acc {
            return last;
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

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

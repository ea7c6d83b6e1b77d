//! Distributions through the whole pipeline: contributions' means and spreads
//! against closed forms, bounds respected, and the copula's pairwise dependence.

mod common;

use common::{assert_prop, run};
use forcesim::math::{norm_cdf, norm_inv};

/// P(Z₁ < a, Z₂ < b) for standard normals with correlation ρ, by Simpson's rule on
/// ∫ φ(x) Φ((b − ρx)/√(1−ρ²)) dx over (−10, a).
fn bivariate(a: f64, b: f64, rho: f64) -> f64 {
    let lo = -10.0;
    let steps = 20_000;
    let h = (a - lo) / steps as f64;
    let f = |x: f64| {
        (-x * x / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt()
            * norm_cdf((b - rho * x) / (1.0 - rho * rho).sqrt())
    };
    let mut s = f(lo) + f(a);
    for i in 1..steps {
        let x = lo + i as f64 * h;
        s += if i % 2 == 1 { 4.0 } else { 2.0 } * f(x);
    }
    s * h / 3.0
}

fn pair(rho: f64, p1: f64, p2: f64) -> String {
    format!(
        r#"
[scenario]
name = "pair"
[capabilities]
troops = {{ unit = "personnel" }}
[blocs.west]
correlation = {rho:?}
[domains.land]
requirements = {{ troops = 2 }}
[nations.A]
participation = {p1:?}
bloc = "west"
contributions.land.troops = 1
[nations.B]
participation = {p2:?}
bloc = "west"
contributions.land.troops = 1
"#
    )
}

#[test]
fn copula_gives_the_joint_probability_that_rho_implies() {
    let n = 200_000;
    for (rho, p1, p2, seed) in [(0.4, 0.6, 0.3, 1), (0.8, 0.5, 0.5, 2), (0.0, 0.7, 0.4, 3)] {
        let r = run(&pair(rho, p1, p2), n, seed, 2);
        let both = bivariate(norm_inv(p1), norm_inv(p2), rho);
        assert_prop(&format!("P(both) at ρ = {rho}"), r.p_all_covered, both, n);
        assert_prop("P(A)", r.nations["A"].p_participates, p1, n);
        assert_prop("P(B)", r.nations["B"].p_participates, p2, n);
        // The correlation of the two decisions follows.
        let phi = (both - p1 * p2) / (p1 * (1.0 - p1) * p2 * (1.0 - p2)).sqrt();
        if rho == 0.0 {
            assert!(phi.abs() < 1e-9);
        } else {
            assert!(phi > 0.1, "positive dependence for ρ = {rho}");
        }
    }
    // Sanity of the integrator: independence and a closed form at p = 1/2.
    assert!((bivariate(0.0, 0.0, 0.0) - 0.25).abs() < 1e-9);
    let rho: f64 = 0.5;
    assert!(
        (bivariate(0.0, 0.0, rho) - (0.25 + rho.asin() / (2.0 * std::f64::consts::PI))).abs()
            < 1e-9
    );
}

fn one(form: &str) -> String {
    format!(
        r#"
[scenario]
name = "one"
[capabilities]
x = {{ unit = "units" }}
[domains.d]
[nations.A]
participation = 1
contributions.d.x = {form}
"#
    )
}

/// Rounding to the nearest integer shifts the variance by about 1/12 and the mean by
/// almost nothing for these smooth, wide distributions.
#[test]
fn contributions_match_closed_form_moments_and_bounds() {
    let n = 200_000;
    let cases: [(&str, f64, f64, f64, f64); 6] = [
        // form, mean, variance, min, max
        (
            "{ uniform = [100, 300] }",
            200.0,
            200.0 * 200.0 / 12.0,
            100.0,
            300.0,
        ),
        (
            "{ triangular = [5000, 7500, 10000] }",
            7500.0,
            (5000.0f64 * 5000.0 + 10000.0 * 10000.0 + 7500.0 * 7500.0
                - 5000.0 * 10000.0
                - 5000.0 * 7500.0
                - 10000.0 * 7500.0)
                / 18.0,
            5000.0,
            10000.0,
        ),
        // PERT(8, 12, 20): α = 1 + 4·4/12, β = 1 + 4·8/12; mean (8 + 48 + 20)/6.
        (
            "{ pert = [800, 1200, 2000] }",
            7600.0 / 6.0,
            {
                let (a, b) = (1.0 + 16.0 / 12.0, 1.0 + 32.0 / 12.0);
                1200.0f64.powi(2) * a * b / ((a + b).powi(2) * (a + b + 1.0))
            },
            800.0,
            2000.0,
        ),
        (
            "{ normal = { mean = 5000, sd = 400 } }",
            5000.0,
            160_000.0,
            f64::NEG_INFINITY,
            f64::INFINITY,
        ),
        (
            "{ lognormal = { median = 1000, sigma = 0.25 } }",
            1000.0 * (0.25f64 * 0.25 / 2.0).exp(),
            (0.0625f64.exp() - 1.0) * 1e6 * 0.0625f64.exp(),
            0.0,
            f64::INFINITY,
        ),
        (
            "{ discrete = { values = [0, 1000, 4000], weights = [1, 2, 1] } }",
            1500.0,
            (2.25e6 + 2.0 * 0.25e6 + 6.25e6) / 4.0,
            0.0,
            4000.0,
        ),
    ];
    for (i, (form, mean, var, lo, hi)) in cases.iter().enumerate() {
        let r = run(&one(form), n, 100 + i as u64, 1);
        let t = &r.totals["x"].stats;
        let se = (var / n as f64).sqrt();
        assert!(
            (t.mean - mean).abs() <= 4.5 * se + 0.5 / (n as f64).sqrt(),
            "{form}: mean {} vs {mean}",
            t.mean
        );
        let sd = (var + 1.0 / 12.0).sqrt();
        // The sd of a sample of 200,000 is within 2 % for these light tails.
        assert!(
            (t.sd - sd).abs() <= 0.02 * sd,
            "{form}: sd {} vs {sd}",
            t.sd
        );
        assert!(
            t.min >= lo.round() && t.max <= hi.round(),
            "{form}: [{}, {}] outside [{lo}, {hi}]",
            t.min,
            t.max
        );
        // Contributions are counts: never below 0.
        assert!(t.min >= 0.0);
    }
}

#[test]
fn quantiles_of_a_known_discrete_total_are_exact() {
    // Values 1..=4 with weights 1..=4: CDF 0.1, 0.3, 0.6, 1.0.
    let r = run(
        &one("{ discrete = { values = [1, 2, 3, 4], weights = [1, 2, 3, 4] } }"),
        100_000,
        5,
        2,
    );
    let t = &r.totals["x"].stats;
    assert_eq!(
        (t.min, t.p05, t.p25, t.p50, t.p75, t.p95, t.max),
        (1.0, 1.0, 2.0, 3.0, 4.0, 4.0, 4.0)
    );
}

//! The value limit (10¹²) after scales: an amount that its nation's `scale` or
//! its effects' scales can carry past the limit, where draws are capped, is an
//! error at the amount; a normal or log-normal count whose tail passes the
//! limit gets a warning with the share of draws capped, checked against the
//! closed form.

use forcesim::scenario;

/// A scenario with one requirement, one contribution and one effect on the
/// requirement; `req`, `contrib`, `effect` and `scale` are TOML values.
fn scenario(req: &str, contrib: &str, effect: &str, scale: &str) -> String {
    format!(
        r#"[scenario]
name = "value limit"
[capabilities]
troops = {{ unit = "personnel" }}
[conditions.surge]
probability = 0.5
effects = [{{ when = true, targets = ["domains.land.requirements.troops"], scale = {effect} }}]
[domains.land]
requirements = {{ troops = {req} }}
[nations.A]
participation = 1
scale = {scale}
[nations.A.contributions.land]
troops = {contrib}
"#
    )
}

/// The rendered errors of `text`, or a panic if it is accepted.
fn errors(text: &str) -> String {
    match scenario::parse("s.toml", text, &[]) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(d) => d.to_string(),
    }
}

/// The rendered warnings of `text`, which must be valid.
fn warnings(text: &str) -> String {
    match scenario::check_bytes("s.toml", text.as_bytes(), &[]) {
        Ok(c) => c.warnings.to_string(),
        Err(d) => panic!("rejected:\n{d}"),
    }
}

#[test]
fn a_requirement_scaled_past_the_limit_is_an_error_at_the_amount() {
    let out = errors(&scenario("1e9", "10", "1e6", "1"));
    assert!(
        out.contains("s.toml:9:27: domains.land.requirements.troops: with its effects' scales (up to ×1e6) this amount can reach 1e15, past the limit of 1e12"),
        "{out}"
    );
    assert!(out.contains("1 problem"), "{out}");
}

#[test]
fn a_contribution_scaled_past_the_limit_by_its_nation_is_an_error() {
    let out = errors(&scenario(
        "100",
        "{ triangular = [0, 10, 20] }",
        "2",
        "1e11",
    ));
    assert!(
        out.contains("s.toml:14:10: nations.A.contributions.land.troops: with its nation's scale (up to ×1e11) this amount can reach 2e12"),
        "{out}"
    );
}

#[test]
fn a_product_of_scales_is_shown_without_rounding_noise() {
    // 10 × 1e200 is 9.999999999999999e200 in floating point.
    let out = errors(&scenario("100", "10", "2", "1e200"));
    assert!(out.contains("this amount can reach 1e201,"), "{out}");
}

#[test]
fn the_limit_itself_is_allowed_and_one_unit_more_is_not() {
    // 10^6 × 10^6 is exactly 10^12: within the limit.
    warnings(&scenario("1e6", "10", "1e6", "1"));
    let out = errors(&scenario("1000001", "10", "1e6", "1"));
    assert!(out.contains("can reach 1.000001e12"), "{out}");
    // A scale below 1 never carries a value past the limit.
    warnings(&scenario("1e12", "1e12", "0.5", "0.5"));
}

#[test]
fn an_unbounded_count_is_held_to_its_centre_times_its_scales() {
    // The median (1e7) times the effect (1e6) passes the limit.
    let req = "{ lognormal = { median = 1e7, sigma = 0.1 } }";
    let out = errors(&scenario(req, "10", "1e6", "1"));
    assert!(out.contains("can reach 1e13"), "{out}");
    // An effect whose scale is a log-normal counts with its median.
    let effect = "{ lognormal = { median = 2e6, sigma = 3 } }";
    let out = errors(&scenario("1e6", "10", effect, "1"));
    assert!(
        out.contains("(up to ×2e6) this amount can reach 2e12"),
        "{out}"
    );
}

/// Φ(x) to about 1e-7 (Abramowitz and Stegun 7.1.26), independent of the
/// library's own.
fn phi(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erfc = poly * (-z * z).exp();
    if x >= 0.0 {
        1.0 - erfc / 2.0
    } else {
        erfc / 2.0
    }
}

#[test]
fn a_heavy_tail_past_the_limit_is_a_warning_with_its_share() {
    let req = "{ lognormal = { median = 1000, sigma = 30 } }";
    let out = warnings(&scenario(req, "10", "1", "1"));
    // P(1000 · e^(30 Z) > 1e12) = Φ(ln(1000 / 1e12) / 30).
    let share = phi((1e3f64 / 1e12).ln() / 30.0);
    let expected = format!("in about {:.1} % of draws", share * 100.0);
    assert!(
        out.contains(
            "s.toml:9:27: domains.land.requirements.troops: this lognormal passes the limit of 1e12"
        ),
        "{out}"
    );
    assert!(out.contains(&expected), "{expected} not in:\n{out}");
    // With its effect's scale of 10 the threshold falls to 1e11.
    let out = warnings(&scenario(req, "10", "10", "1"));
    let share = phi((1e3f64 / 1e11).ln() / 30.0);
    let expected = format!("in about {:.1} % of draws", share * 100.0);
    assert!(out.contains(&expected), "{expected} not in:\n{out}");
}

#[test]
fn a_heavy_tailed_effect_scale_past_the_limit_is_a_warning_with_its_share() {
    // A fixed requirement of 1e11 × a log-normal scale of median 1, σ 3: past
    // 1e12 when the scale passes 10, P = Φ(−ln 10 / 3) ≈ 22.1 %.
    let effect = "{ lognormal = { median = 1, sigma = 3 } }";
    let out = warnings(&scenario("1e11", "1e12", effect, "1"));
    let share = phi(-(10f64).ln() / 3.0);
    let expected = format!(
        "s.toml:9:27: domains.land.requirements.troops: the lognormal scale of an effect of condition `surge` takes this amount past the limit of 1e12 in about {:.1} % of the trials in which the effect applies",
        share * 100.0
    );
    assert!(out.contains(&expected), "{expected} not in:\n{out}");
    // A scale that stays far below: no warning.
    let narrow = "{ lognormal = { median = 1, sigma = 0.1 } }";
    let out = warnings(&scenario("1e11", "1e12", narrow, "1"));
    assert!(
        !out.contains("passes the limit") && !out.contains("past the limit"),
        "{out}"
    );
}

#[test]
fn a_normal_tail_is_measured_and_a_narrow_one_is_not_warned() {
    // Mean 5e11, sd 2.5e11: P(X > 1e12) = Φ(−2) ≈ 2.3 %.
    let contrib = "{ normal = { mean = 5e11, sd = 2.5e11 } }";
    let out = warnings(&scenario("100", contrib, "1", "1"));
    let expected = format!("in about {:.1} % of draws", phi(-2.0) * 100.0);
    assert!(
        out.contains("nations.A.contributions.land.troops: this normal passes"),
        "{out}"
    );
    assert!(out.contains(&expected), "{expected} not in:\n{out}");
    // Far below the limit: no warning at all.
    let narrow = "{ lognormal = { median = 1000, sigma = 0.5 } }";
    let out = warnings(&scenario(narrow, narrow, "1.5", "2"));
    assert!(!out.contains("passes the limit"), "{out}");
}

/// Rounding is of the binary floating-point product, as the README says: 45 ×
/// a nation scale of 0.7 is 31.499999999999996, so it counts 31 (a requirement
/// of 31 is met, one of 32 is not); 45 × 0.5 = 22.5 exactly, so it counts 23.
#[test]
fn a_scaled_amount_is_rounded_as_computed_in_binary() {
    assert_eq!(45.0 * 0.7, 31.499_999_999_999_996);
    let covered = |req: &str, scale: &str| {
        let text = scenario(req, "45", "1", scale);
        let m = scenario::parse("s.toml", &text, &[]).unwrap();
        let opts = forcesim::RunOptions {
            trials: 1000,
            seed: 1,
            threads: 1,
            ..Default::default()
        };
        forcesim::simulate(&m, &opts).unwrap().report.domains[0].p_covered
    };
    assert_eq!(covered("31", "0.7"), 1.0);
    assert_eq!(covered("32", "0.7"), 0.0);
    assert_eq!(covered("23", "0.5"), 1.0);
    assert_eq!(covered("24", "0.5"), 0.0);
}

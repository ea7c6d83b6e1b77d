//! Helpers shared by the integration tests.
#![allow(dead_code)]

use forcesim::{Report, RunOptions, scenario, simulate};

/// Parses inline TOML, panicking with every diagnostic when it is invalid.
pub fn model(text: &str) -> forcesim::Model {
    match scenario::parse("test.toml", text, &[]) {
        Ok(m) => m,
        Err(d) => panic!("scenario should be valid:\n{d}"),
    }
}

/// Runs `trials` trials on `threads` threads with `seed`.
pub fn run(text: &str, trials: u64, seed: u64, threads: usize) -> Report {
    let m = model(text);
    simulate(
        &m,
        &RunOptions {
            trials,
            seed,
            threads,
            ..Default::default()
        },
    )
    .expect("runner starts")
    .report
}

/// The report as JSON without its `engine` member.
pub fn json_without_engine(r: &Report) -> String {
    let mut v = serde_json::to_value(r).expect("serialises");
    v.as_object_mut().expect("object").remove("engine");
    serde_json::to_string_pretty(&v).expect("serialises")
}

/// Asserts that a Monte Carlo proportion is within 4.5 standard errors of the exact value
/// (and equal to it when the exact value is 0 or 1).
pub fn assert_prop(what: &str, mc: f64, exact: f64, n: u64) {
    if exact == 0.0 || exact == 1.0 {
        assert_eq!(mc, exact, "{what}: exact value is {exact}, simulated {mc}");
        return;
    }
    let se = (exact * (1.0 - exact) / n as f64).sqrt();
    assert!(
        (mc - exact).abs() <= 4.5 * se,
        "{what}: simulated {mc}, exact {exact}, {:.2} standard errors apart",
        (mc - exact).abs() / se
    );
}

/// Asserts that `exact` lies in the interval `ci`.
pub fn assert_in_ci(what: &str, ci: [f64; 2], exact: f64) {
    assert!(
        ci[0] <= exact && exact <= ci[1],
        "{what}: exact {exact} outside the 95 % interval [{}, {}]",
        ci[0],
        ci[1]
    );
}

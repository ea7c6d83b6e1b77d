//! Reports and what-if results at their edges: runs without trials, control
//! characters in names, interrupted CSVs, `simulation.*` in what varies, and
//! results that say whether their goal was reached.

use std::process::Command;
use std::sync::atomic::AtomicBool;

use forcesim::report::csv::to_csv;
use forcesim::report::table::to_table;
use forcesim::{RunOptions, simulate};

const TEXT: &str = r#"
[scenario]
name = "Two nations"
rotation = 3
[capabilities]
troops = { unit = "personnel" }
[domains.land]
lead = ["A"]
requirements = { troops = 1000 }
[nations.A]
participation = 0.8
contributions.land.troops = 600
[nations.B]
participation = 0.5
contributions.land.troops = 600
[report]
thresholds = { troops = [1200] }
[simulation]
timeline_days = [10]
"#;

fn model() -> forcesim::Model {
    forcesim::scenario::parse("two.toml", TEXT, &["nations.B.participation=0.5".into()]).unwrap()
}

fn zero_trial_report() -> forcesim::Report {
    let stop = AtomicBool::new(true);
    let opts = RunOptions {
        trials: 100_000,
        seed: 1,
        threads: 1,
        stop: Some(&stop),
        ..Default::default()
    };
    let mut r = simulate(&model(), &opts).unwrap().report;
    if r.trials != 0 {
        // The engine finished a first wave before looking at the flag: build
        // the report of no trial directly from an empty tally.
        let m = model();
        let tally = forcesim::Tally::new(&m);
        r = forcesim::Report::build(&m, &tally, 1, forcesim::report::Engine::measured(1, 0.0, 0));
        r.interrupted = true;
    }
    r
}

#[test]
fn a_report_of_no_trial_has_null_figures_in_json() {
    let r = zero_trial_report();
    assert_eq!(r.trials, 0);
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert!(v["p_all_covered"].is_null(), "{}", v["p_all_covered"]);
    assert!(v["p_all_covered_ci95"][0].is_null());
    let land = &v["domains"]["land"];
    assert!(land["p_covered"].is_null());
    assert!(land["capabilities"]["troops"]["p_met"].is_null());
    assert!(land["capabilities"]["troops"]["gap"]["p50"].is_null());
    assert!(land["capabilities"]["troops"]["provided"]["mean"].is_null());
    assert!(v["totals"]["troops"]["mean"].is_null());
    assert!(v["totals"]["troops"]["committed"]["p95"].is_null());
    assert!(v["thresholds"]["troops"][0]["p"].is_null());
    assert!(v["nations"]["A"]["p_participates"].is_null());
    assert!(v["nations"]["A"]["mean_provided"]["troops"].is_null());
    assert!(v["timeline"]["p_all_covered"][0].is_null());
}

#[test]
fn a_report_of_no_trial_says_so_in_the_table_and_invents_nothing_in_csv() {
    let r = zero_trial_report();
    let t = to_table(&r);
    assert!(t.contains("No trial finished"), "{t}");
    assert!(!t.contains("0.0 %"), "{t}");
    assert!(!t.contains("NaN"), "{t}");
    let csv = to_csv(&r);
    for line in csv.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let (metric, value) = (fields[6], fields[8]);
        let given = [
            "trials",
            "mounted_trials",
            "seed",
            "interrupted",
            "override",
            "required",
            // Inputs as written: a nation's rotation, ambition and fixed pool.
            "rotation",
            "ambition",
            "pool",
        ];
        if given.contains(&metric) || metric.starts_with("histogram_") {
            continue;
        }
        assert!(value.is_empty(), "invented figure: {line}");
    }
    assert!(csv.contains(",run,,,p_all_covered,,,,\n"), "{csv}");
    assert!(csv.contains(",domain,land,troops,gap,p50,,,\n"), "{csv}");
}

#[test]
fn an_interrupted_csv_carries_the_interrupted_and_override_rows() {
    let opts = RunOptions {
        trials: 5_000,
        seed: 1,
        threads: 1,
        ..Default::default()
    };
    let mut r = simulate(&model(), &opts).unwrap().report;
    let csv = to_csv(&r);
    assert!(csv.contains(",run,,,interrupted,,0,,\n"), "{csv}");
    assert!(
        csv.contains(",run,,,override,nations.B.participation,0.5,,\n"),
        "{csv}"
    );
    r.interrupted = true;
    let csv = to_csv(&r);
    assert!(csv.contains(",run,,,interrupted,,1,,\n"), "{csv}");
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(v["interrupted"], true);
}

#[test]
fn control_characters_never_reach_the_terminal_or_the_csv_raw() {
    let sets = ["scenario.name=\"red\\u001b[31m\\r\"".to_string()];
    let m = forcesim::scenario::parse("two.toml", TEXT, &sets).unwrap();
    assert!(m.name.contains('\x1b'));
    let opts = RunOptions {
        trials: 1_000,
        seed: 1,
        threads: 1,
        ..Default::default()
    };
    let mut r = simulate(&m, &opts).unwrap().report;
    r.overrides.push("x=\x1b]0;owned\x07,\"q\"".into());
    let t = to_table(&r);
    assert!(t.starts_with("red\\x1b[31m\\r\n"), "{t}");
    assert!(t.contains("override: x=\\x1b]0;owned\\x07,\"q\""), "{t}");
    let csv = to_csv(&r);
    assert!(
        csv.contains(",run,,,override,x,\"\\x1b]0;owned\\x07,\"\"q\"\"\",,\n"),
        "{csv}"
    );
    for text in [&t, &csv] {
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "raw control character in {text:?}"
        );
    }
}

#[test]
fn an_unmet_precision_is_visible_in_the_result() {
    let m = model();
    let opts = RunOptions {
        trials: 8 * forcesim::engine::BLOCK_TRIALS,
        seed: 1,
        threads: 1,
        ..Default::default()
    };
    let on = forcesim::whatif::precision::On::AllCovered;
    let run = forcesim::whatif::precision::simulate(&m, &opts, 1e-6, &on).unwrap();
    let p: &forcesim::report::Precision = run.report.precision.as_ref().unwrap();
    assert!(!p.met);
    let run = forcesim::whatif::precision::simulate(&m, &opts, 0.5, &on).unwrap();
    assert!(run.report.precision.as_ref().unwrap().met);
}

#[test]
fn a_precision_without_a_mounted_trial_has_no_interval_and_is_not_met() {
    let text = format!("{TEXT}[conditions.c]\nprobability = 0\n[mission]\nrequires = [\"c\"]\n");
    let m = forcesim::scenario::parse("gate.toml", &text, &[]).unwrap();
    let opts = RunOptions {
        trials: 4 * forcesim::engine::BLOCK_TRIALS,
        seed: 1,
        threads: 1,
        ..Default::default()
    };
    let on = forcesim::whatif::precision::On::AllCovered;
    let run = forcesim::whatif::precision::simulate(&m, &opts, 0.5, &on).unwrap();
    let p = run.report.precision.as_ref().unwrap();
    assert!(!p.met && p.half_width.is_nan(), "{p:?}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gate.toml");
    std::fs::write(&path, &text).unwrap();
    let p = path.to_str().unwrap();
    let out = forcesim(&["run", p, "--precision", "0.5", "-n", "20000", "--json", "-"]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["precision"]["half_width"], serde_json::Value::Null);
    assert_eq!(json["precision"]["met"], false);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no interval (no trial mounted the mission)"),
        "{err}"
    );
    assert!(
        err.contains("– (no interval: no trial mounted the mission)"),
        "{err}"
    );
}

#[test]
fn a_missed_secure_target_is_visible_in_the_result() {
    use forcesim::whatif::secure::{Opts, Search, secure};
    let m = model();
    let o = Opts {
        trials: 2_000,
        seed: 1,
        threads: 1,
        stop: None,
        on_run: None,
    };
    let s = Search {
        exhaustive: false,
        no_relax: true,
    };
    // A and B together give 1,200 ≥ 1,000 whenever both take part: securing
    // both reaches any target.
    let hit = secure(&m, &o, 0.99, s).unwrap();
    assert!(hit.reached && !hit.missed());
    let hard = m.with_requirement(0, 0, 5_000);
    let miss = secure(&hard, &o, 0.5, s).unwrap();
    assert!(!miss.reached && miss.missed());
}

#[test]
fn simulation_keys_cannot_vary_in_what_if_commands() {
    use forcesim::whatif::sweep::Axis;
    let e = Axis::parse("simulation.seed=1,2").unwrap_err();
    assert!(e.contains("--seed"), "{e}");
    let e = Axis::parse("simulation.trials=1000:2000:1000").unwrap_err();
    assert!(e.contains("-n"), "{e}");
    assert!(Axis::parse("simulation.timeline_days=[1, 2]").is_ok());
}

fn forcesim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_forcesim"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn sweep_and_compare_reject_a_varied_seed_with_exit_2() {
    let dir = std::env::temp_dir().join(format!("forcesim-hr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("two.toml");
    std::fs::write(&path, TEXT).unwrap();
    let p = path.to_str().unwrap();
    let out = forcesim(&["sweep", p, "--vary", "simulation.seed=1,2", "-n", "1000"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--seed"), "{err}");
    let out = forcesim(&[
        "compare",
        p,
        "--variant",
        "s: simulation.seed=1",
        "-n",
        "1000",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--seed"), "{err}");
    let out = forcesim(&[
        "compare",
        p,
        "--variant",
        "simulation.trials=10",
        "-n",
        "1000",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ready_days_past_the_limit_count_as_the_day_after_it_with_a_warning() {
    let set = [
        "nations.A.participation=1".to_string(),
        "nations.B.participation=0".to_string(),
        "domains.land.requirements.troops=500".to_string(),
        "nations.A.ready_days={ lognormal = { median = 10, sigma = 20 } }".to_string(),
    ];
    let checked = forcesim::scenario::parse_checked("two.toml", TEXT, &set).unwrap();
    let w = checked.warnings.to_string();
    assert!(
        w.contains("pass the limit of 36500 days in about 34.1 % of draws"),
        "{w}"
    );
    let opts = RunOptions {
        trials: 20_000,
        seed: 1,
        threads: 1,
        ..Default::default()
    };
    let r = simulate(&checked.model, &opts).unwrap().report;
    let t = r.timeline.as_ref().expect("a timeline");
    let d = &t.days_to_all_covered;
    // Exact days: A alone covers land from its ready day, 36,501 past the limit;
    // P(ready after 36,500) = Φ(−ln(3650) / 20) ≈ 0.3405.
    assert_eq!(d.within, None);
    let (last, p) = *d.steps.last().unwrap_or_else(|| panic!("{t:?}"));
    assert_eq!(last, 36_501);
    let before = d.p_by(36_500);
    let exact = 1.0 - forcesim::math::norm_cdf(-(3650f64).ln() / 20.0);
    assert!((before - exact).abs() < 0.015, "{before} vs {exact}");
    assert_eq!(p, 1.0);
    assert_eq!(d.p90, Some(36_501));
    let table = to_table(&r);
    assert!(table.contains(">36500"), "{table}");
    assert!(!table.contains("36501"), "{table}");
}

#[test]
fn quantiles_read_from_grouped_bins_are_marked_in_the_table() {
    let set = [
        "nations.A.participation=1".to_string(),
        "nations.B.participation=0".to_string(),
        "domains.land.requirements.troops=1000000000".to_string(),
        "nations.A.contributions.land.troops={ uniform = [0, 100000000000] }".to_string(),
    ];
    let model = forcesim::scenario::parse("two.toml", TEXT, &set).unwrap();
    let opts = RunOptions {
        trials: 20_000,
        seed: 1,
        threads: 1,
        ..Default::default()
    };
    let r = simulate(&model, &opts).unwrap().report;
    let within = r.totals["troops"].stats.within.expect("grouped bins");
    let table = to_table(&r);
    let row = table
        .lines()
        .find(|l| l.trim_start().starts_with("troops"))
        .unwrap_or_else(|| panic!("{table}"));
    // The mean is exact; each quantile is marked.
    assert_eq!(row.matches('≈').count(), 3, "{row}");
    // The note gives the widest bound of the figures marked.
    let widest: f64 = table
        .split("within ±")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no bound in:\n{table}"));
    assert!(widest >= within, "{widest} < {within}");
    // A run whose bins hold one value each has neither mark nor note.
    let plain = to_table(
        &simulate(
            &forcesim::scenario::parse("two.toml", TEXT, &[]).unwrap(),
            &opts,
        )
        .unwrap()
        .report,
    );
    assert!(!plain.contains('≈'), "{plain}");
}

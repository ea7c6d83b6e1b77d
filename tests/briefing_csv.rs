//! One tidy CSV layout for run, merge, sweep and compare: the exact header,
//! one row per figure (no key twice), parsed by a CSV reader and, where
//! python3 with pandas is installed, by pandas.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

use common::{forcesim, scratch, write};
use serde_json::Value;

const HEADER: [&str; 11] = [
    "scenario",
    "scenario_sha256",
    "variant",
    "scope",
    "id",
    "capability",
    "metric",
    "qualifier",
    "value",
    "ci95_lo",
    "ci95_hi",
];

const EVERY: &str = forcesim::synth::EVERY_FORM;

/// Parses a tidy CSV, checking its header, that every row has 11 fields and
/// that no (variant, scope, id, capability, metric, qualifier) comes twice.
fn rows(path: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(path).expect("opens");
    assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), HEADER);
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row parses")).collect();
    let mut seen = HashSet::new();
    for row in &rows {
        assert_eq!(row.len(), 11);
        let key: Vec<&str> = (2..8).map(|i| &row[i]).collect();
        assert!(seen.insert(key.join("|")), "twice: {row:?}");
    }
    rows
}

/// The figures of a JSON report: numbers and nulls (intervals and timeline
/// days excepted: they are columns and qualifiers), booleans, overrides.
fn figures(v: &Value, key: &str) -> usize {
    match v {
        // A threshold's x is the qualifier of its row.
        Value::Number(_) if key == "at_least" => 0,
        // A difference's interval is its row's columns (or empty).
        Value::Null if key == "ci95" => 0,
        Value::Number(_) | Value::Null | Value::Bool(_) => 1,
        Value::Array(a) if key.ends_with("ci95") || key == "days" => {
            assert!(a.iter().all(|x| x.is_number() || x.is_null()));
            0
        }
        // A step of days to coverage, [day, p]: the day is the qualifier of p's row.
        Value::Array(a) if key == "steps" => a.len(),
        Value::Array(a) => a.iter().map(|x| figures(x, "")).sum(),
        Value::Object(o) => o
            .iter()
            .filter(|(k, _)| k.as_str() != "engine")
            .map(|(k, x)| figures(x, k))
            .sum(),
        Value::String(_) => 0,
    }
}

fn value_of<'a>(rows: &'a [csv::StringRecord], key: [&str; 5]) -> &'a str {
    let row = rows
        .iter()
        .find(|r| (0..5).all(|i| &r[3 + i] == key[i]))
        .unwrap_or_else(|| panic!("no row {key:?}"));
    &row[8]
}

#[test]
fn a_run_csv_has_one_row_per_figure_of_its_json() {
    let dir = scratch();
    let d = dir.path();
    let s = write(d, "s.toml", EVERY);
    forcesim()
        .args([
            "run",
            "-n",
            "20000",
            "-q",
            "--set",
            "nations.C.participation=0.5",
        ])
        .args(["--json", "r.json", "--csv", "r.csv"])
        .arg(&s)
        .current_dir(d)
        .assert()
        .success();
    let json: Value = serde_json::from_slice(&std::fs::read(d.join("r.json")).unwrap()).unwrap();
    let rows = rows(&d.join("r.csv"));
    // + the override row, + the interrupted row (absent from the JSON when false).
    assert_eq!(rows.len(), figures(&json, "") + 1 + 1);
    let sha = forcesim::briefing::sha256_hex(EVERY);
    assert!(
        rows.iter()
            .all(|r| &r[0] == "every form" && r[1] == *sha && r[2].is_empty())
    );
    let num = |k| value_of(&rows, k).parse::<f64>().unwrap();
    assert_eq!(
        num(["run", "", "", "p_all_covered", ""]),
        json["p_all_covered"].as_f64().unwrap()
    );
    assert_eq!(
        num(["domain", "land", "", "lead_share", "B"]),
        json["domains"]["land"]["lead_share"]["B"].as_f64().unwrap()
    );
    assert_eq!(
        num(["timeline", "sea", "", "p_covered_by_day", "40"]),
        json["timeline"]["domains"]["sea"][1].as_f64().unwrap()
    );
    assert_eq!(
        num(["domain", "land", "troops", "gap", "p95"]),
        json["domains"]["land"]["capabilities"]["troops"]["gap"]["p95"]
            .as_f64()
            .unwrap()
    );
    assert_eq!(
        num(["threshold", "", "troops", "p_at_least", "3000"]),
        json["thresholds"]["troops"][0]["p"].as_f64().unwrap()
    );
    assert_eq!(
        value_of(
            &rows,
            ["run", "", "", "override", "nations.C.participation"]
        ),
        "0.5"
    );
    assert_eq!(value_of(&rows, ["run", "", "", "interrupted", ""]), "0");
    let ci = rows.iter().find(|r| &r[6] == "p_all_covered").unwrap();
    // serde_json's number parsing may land one unit in the last place away.
    let (a, b) = (
        ci[9].parse::<f64>().unwrap(),
        json["p_all_covered_ci95"][0].as_f64().unwrap(),
    );
    assert!((a - b).abs() <= 1e-15, "{a} vs {b}");
    pandas(&d.join("r.csv"), rows.len());
}

#[test]
fn sweep_and_compare_write_the_same_layout() {
    let dir = scratch();
    let d = dir.path();
    let s = write(d, "s.toml", EVERY);
    let (sweep, _) = sweep_rows(d, &s, "nations.A.participation=0:1:0.5");
    assert!(
        sweep
            .iter()
            .any(|r| &r[2] == "nations.A.participation=0.5" && &r[6] == "p_all_covered")
    );
    pandas(&d.join("s.csv"), sweep.len());

    forcesim()
        .args([
            "compare",
            "-n",
            "2000",
            "-q",
            "--variant",
            "half: nations.A.participation=0.5",
        ])
        .args(["--csv", "c.csv"])
        .arg(&s)
        .current_dir(d)
        .assert()
        .success();
    let cmp = rows(&d.join("c.csv"));
    assert!(
        cmp.iter()
            .any(|r| &r[2] == "half minus s" && &r[6] == "p_all_covered" && !r[9].is_empty())
    );
    assert!(
        cmp.iter()
            .all(|r| r[1] == *forcesim::briefing::sha256_hex(EVERY))
    );
    pandas(&d.join("c.csv"), cmp.len());
}

/// Loads the CSV with pandas and checks the row count and the columns
/// (skipped, saying so, without python3 and pandas).
fn pandas(path: &Path, rows: usize) {
    let script = "import sys, pandas as pd\n\
d = pd.read_csv(sys.argv[1], keep_default_na=False)\n\
print(len(d), ','.join(d.columns))\n";
    let Ok(out) = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
    else {
        eprintln!("skipped: no python3 on PATH");
        return;
    };
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        if err.contains("No module named 'pandas'") {
            eprintln!("skipped: python3 has no pandas (pip install pandas)");
            return;
        }
        panic!("pandas failed: {err}");
    }
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.trim(), format!("{rows} {}", HEADER.join(",")));
}

#[test]
fn a_sweep_with_rotation_writes_every_json_figure_as_a_row() {
    let dir = scratch();
    let d = dir.path();
    let text = EVERY.replace(
        "name = \"every form\"",
        "name = \"every form\"\nrotation = 3",
    );
    let s = write(d, "s.toml", &text);
    let (sweep, json) = sweep_rows(d, &s, "nations.A.participation=0,1");
    assert!(
        json["base"]["totals"]["troops"]["committed_sd"].is_number(),
        "{json}"
    );
    assert!(sweep.iter().any(|r| &r[6] == "committed" && &r[7] == "sd"));
}

/// Runs `sweep --vary VARY` on `s` in `d`: its CSV rows and its JSON, after
/// checking that every figure of the JSON is a row of the CSV (per point its
/// figures, overrides and differences; the base's figures; seed and interrupted).
fn sweep_rows(d: &Path, s: &Path, vary: &str) -> (Vec<csv::StringRecord>, Value) {
    forcesim()
        .args(["sweep", "--vary", vary, "-n", "2000", "-q"])
        .args(["--json", "s.json", "--csv", "s.csv"])
        .arg(s)
        .current_dir(d)
        .assert()
        .success();
    let sweep = rows(&d.join("s.csv"));
    let json: Value = serde_json::from_slice(&std::fs::read(d.join("s.json")).unwrap()).unwrap();
    let points = json["points"].as_array().unwrap();
    let per_point: usize = points.iter().map(|p| figures(p, "")).sum();
    assert_eq!(sweep.len(), 2 + per_point + figures(&json["base"], ""));
    (sweep, json)
}

#[test]
fn a_sweep_of_totals_over_a_wide_range_gives_their_quantiles_bound() {
    let dir = scratch();
    let d = dir.path();
    // Totals spread over 10⁹ values: their quantiles come from grouped bins.
    let s = write(
        d,
        "s.toml",
        r#"
[scenario]
name = "wide"
[capabilities]
troops = { unit = "personnel" }
[domains.land]
requirements = { troops = 100000000 }
[nations.A]
participation = 0.9
contributions.land.troops = { uniform = [0, 1000000000] }
"#,
    );
    let (sweep, json) = sweep_rows(d, &s, "nations.A.participation=0.5,0.9");
    let within = json["base"]["totals"]["troops"]["within"].as_f64();
    let within = within.unwrap_or_else(|| panic!("no within: {json}"));
    // The same bound as the run of the same scenario.
    forcesim()
        .args(["run", "-n", "2000", "-q", "--json", "r.json"])
        .arg(&s)
        .current_dir(d)
        .assert()
        .success();
    let run: Value = serde_json::from_slice(&std::fs::read(d.join("r.json")).unwrap()).unwrap();
    assert_eq!(run["totals"]["troops"]["within"].as_f64(), Some(within));
    assert!(sweep.iter().any(|r| &r[6] == "total" && &r[7] == "within"));
}

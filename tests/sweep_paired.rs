//! Sweeps on paired trials: the base scenario and every point run in one pass, and
//! each point's difference from the base carries a paired 95 % interval.

mod common;

use common::forcesim;
use forcesim::whatif::sweep::{self, Axis};
use forcesim::{RunOptions, scenario, simulate};

const TEXT: &str = r#"[scenario]
name = "paired sweep"
[capabilities]
troops = { unit = "personnel" }
[conditions.backstop]
probability = 0.6
[domains.land]
lead = ["A", "B"]
requirements = { troops = { pert = [800, 1000, 1400] } }
[nations.A]
participation = 0.7
if_absent = { backstop = 0.4 }
contributions.land.troops = { triangular = [400, 600, 900] }
[nations.B]
participation = 0.6
contributions.land.troops = 500
[nations.C]
participation = 0.5
contributions.land.troops = { uniform = [100, 400] }
"#;

fn opts(trials: u64) -> RunOptions<'static> {
    RunOptions {
        trials,
        seed: 11,
        threads: 2,
        ..Default::default()
    }
}

fn paired(vary: &str, trials: u64) -> (sweep::Sweep, Vec<forcesim::Model>) {
    let axes = vec![Axis::parse(vary).unwrap()];
    let points = sweep::points(&axes).unwrap();
    let base = scenario::parse("t.toml", TEXT, &[]).unwrap();
    let models = sweep::prepare("t.toml", TEXT.as_bytes(), &[], &points).unwrap();
    let (s, interrupted) =
        sweep::run_paired(&base, &axes, &points, models.clone(), &opts(trials)).unwrap();
    assert!(!interrupted);
    (s, models)
}

/// Every point's figures, and the base's, equal a run of that model alone, and
/// each difference is the point's value minus the base's.
#[test]
fn paired_points_equal_single_runs_and_differences_are_point_minus_base() {
    let (s, models) = paired("nations.C.participation=0:1:0.5", 20_000);
    let base = scenario::parse("t.toml", TEXT, &[]).unwrap();
    let alone = simulate(&base, &opts(20_000)).unwrap().report;
    let b = s.base.as_ref().expect("a paired sweep reports its base");
    assert_eq!(b.p_all_covered, alone.p_all_covered);
    for (p, m) in s.points.iter().zip(&models) {
        let r = simulate(m, &opts(20_000)).unwrap().report;
        assert_eq!(p.figures.p_all_covered, r.p_all_covered);
        assert_eq!(
            p.figures.domains["land"].p_covered,
            r.domains["land"].p_covered
        );
        let d = p
            .vs_base
            .iter()
            .find(|d| d.figure == "p_all_covered")
            .unwrap();
        assert_eq!(d.difference, p.figures.p_all_covered - b.p_all_covered);
        let [lo, hi] = d.ci95.expect("paired interval");
        assert!(lo <= d.difference && d.difference <= hi);
    }
}

/// Paired intervals are narrower than the independent (Newcombe) ones.
#[test]
fn paired_intervals_are_narrower_than_independent_ones() {
    let (s, _) = paired("nations.C.participation=0.6,0.9", 20_000);
    let b = s.base.as_ref().unwrap();
    for p in &s.points {
        let d = p
            .vs_base
            .iter()
            .find(|d| d.figure == "p_all_covered")
            .unwrap();
        let [lo, hi] = d.ci95.unwrap();
        let indep = forcesim::whatif::compare::newcombe(
            b.p_all_covered,
            b.p_all_covered_ci95,
            p.figures.p_all_covered,
            p.figures.p_all_covered_ci95,
        );
        assert!(
            hi - lo < 0.5 * (indep[1] - indep[0]),
            "paired {lo}..{hi} vs independent {indep:?}"
        );
    }
}

/// Point 0 sets C's participation to what the base has: the same model, so its
/// difference is exactly 0 with a zero-width interval.
#[test]
fn a_point_equal_to_the_base_differs_by_exactly_zero() {
    let (s, _) = paired("nations.C.participation=0.5,0.8", 5_000);
    let d = s.points[0]
        .vs_base
        .iter()
        .find(|d| d.figure == "p_all_covered")
        .unwrap();
    assert_eq!(d.difference, 0.0);
    assert_eq!(d.ci95, Some([0.0, 0.0]));
}

/// A point that differs from the base in a way few trials show: with no
/// discordant trial among 1,000, its interval is still that of the Wilson bound
/// of 0 of n either way (±z²/(n + z²)) and holds the true difference, 0.05 pp; the mean
/// total, whose per-trial differences are then all 0, gets the independent one.
#[test]
fn a_point_no_trial_tells_apart_still_has_an_interval() {
    let text = "[scenario]\nname = \"one\"\n[capabilities]\ntroops = { unit = \"personnel\" }\n[domains.land]\nrequirements = { troops = 1 }\n[nations.A]\nparticipation = 0.5\ncontributions.land.troops = 1\n";
    let axes = vec![Axis::parse("nations.A.participation=0.5005").unwrap()];
    let points = sweep::points(&axes).unwrap();
    let base = scenario::parse("t.toml", text, &[]).unwrap();
    let models = sweep::prepare("t.toml", text.as_bytes(), &[], &points).unwrap();
    // Seed 4: no trial among the first 1,000 falls between 0.5 and 0.5005.
    let o = RunOptions {
        trials: 1000,
        seed: 4,
        threads: 1,
        ..Default::default()
    };
    let (s, _) = sweep::run_paired(&base, &axes, &points, models.clone(), &o).unwrap();
    let diff = |f: &str| s.points[0].vs_base.iter().find(|d| d.figure == f).unwrap();
    let d = diff("p_all_covered");
    assert_eq!(d.difference, 0.0);
    let [lo, hi] = d.ci95.unwrap();
    let z2 = 1.959963984540054f64.powi(2);
    assert!((hi - z2 / (1000.0 + z2)).abs() < 1e-12 && lo == -hi);
    assert!(lo < 0.0005 && 0.0005 < hi);
    let t = diff("totals.troops.mean");
    let [lo, hi] = t.ci95.unwrap();
    assert!(hi - lo > 0.05, "{lo}..{hi}");
}

/// The command prints the paired column, writes base and vs_base in JSON and
/// minus-base rows in CSV; --unpaired writes neither.
#[test]
fn the_command_reports_differences_from_the_base_unless_unpaired() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("s.toml");
    std::fs::write(&sc, TEXT).unwrap();
    let json = dir.path().join("s.json");
    let csv = dir.path().join("s.csv");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "sweep".to_string(),
            sc.display().to_string(),
            "--vary".into(),
            "nations.C.participation=0.2,0.9".into(),
            "-n".into(),
            "4000".into(),
            "--json".into(),
            json.display().to_string(),
            "--csv".into(),
            csv.display().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let out = forcesim().args(&args).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        (
            String::from_utf8(out.stdout).unwrap(),
            v,
            std::fs::read_to_string(&csv).unwrap(),
        )
    };
    let (table, v, csv_text) = run(&[]);
    assert!(table.contains("vs base (95 % CI)"), "{table}");
    assert!(table.contains("base (no --vary value)"), "{table}");
    assert!(v["base"]["p_all_covered"].is_number());
    assert!(
        v["points"][0]["vs_base"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
    assert!(csv_text.contains("nations.C.participation=0.2 minus base"));
    let (table, v, csv_text) = run(&["--unpaired"]);
    assert!(!table.contains("vs base"), "{table}");
    assert!(v.get("base").is_none());
    assert!(v["points"][0].get("vs_base").is_none());
    assert!(!csv_text.contains("minus base"));
}

const GATED: &str = r#"[scenario]
name = "gated sweep"
[capabilities]
troops = { unit = "personnel" }
[conditions.ceasefire]
probability = 0.4
[mission]
requires = ["ceasefire"]
[domains.land]
lead = ["A", "B"]
requirements = { troops = 1000 }
[nations.A]
participation = 0.7
contributions.land.troops = { triangular = [400, 600, 900] }
[nations.B]
participation = 0.6
contributions.land.troops = 500
"#;

/// Under a mission gate the figures are over the mounted trials: a point that
/// leaves the gate alone gets a paired interval over those trials, as wide as
/// the discordant trials among them say; a point that moves the gate is over other
/// trials, and keeps the independent interval.
#[test]
fn under_a_mission_gate_pairs_only_points_that_mount_the_same_trials() {
    let run = |vary: &str| {
        let axes = vec![Axis::parse(vary).unwrap()];
        let points = sweep::points(&axes).unwrap();
        let base = scenario::parse("g.toml", GATED, &[]).unwrap();
        let models = sweep::prepare("g.toml", GATED.as_bytes(), &[], &points).unwrap();
        sweep::run_paired(&base, &axes, &points, models.clone(), &opts(40_000))
            .unwrap()
            .0
    };
    let s = run("nations.B.participation=0.9");
    let b = s.base.as_ref().unwrap();
    assert!(b.mounted_trials > 15_000 && b.mounted_trials < 17_000);
    let p = &s.points[0];
    let d = p
        .vs_base
        .iter()
        .find(|d| d.figure == "p_all_covered")
        .unwrap();
    let [lo, hi] = d.ci95.unwrap();
    // Raising B's participation only adds covered trials: every discordant pair
    // is (base not covered, point covered), so the paired variance is
    // p(1 − p)/n with p = the difference, over the mounted trials.
    let n = b.mounted_trials as f64;
    let half = 1.959_963_984_540_054 * (d.difference * (1.0 - d.difference) / (n - 1.0)).sqrt();
    assert!(
        ((hi - lo) / 2.0 - half).abs() < 1e-3 * half,
        "{lo}..{hi} vs ±{half}"
    );
    // Moving the gate: not paired, so the interval is Newcombe's.
    let s = run("conditions.ceasefire.probability=0.8");
    let b = s.base.as_ref().unwrap();
    let p = &s.points[0];
    let d = p
        .vs_base
        .iter()
        .find(|d| d.figure == "p_all_covered")
        .unwrap();
    let indep = forcesim::whatif::compare::newcombe(
        b.p_all_covered,
        b.p_all_covered_ci95,
        p.figures.p_all_covered,
        p.figures.p_all_covered_ci95,
    );
    assert_eq!(d.ci95, Some(indep));
}

/// The committed force is paired too: with every nation's rotation 3 it is three
/// times the total in every trial, so its difference and paired interval are
/// three times the total's.
#[test]
fn the_committed_mean_is_paired_as_the_total_is() {
    let text = TEXT.replace(
        "name = \"paired sweep\"",
        "name = \"paired sweep\"\nrotation = 3",
    );
    let axes = vec![Axis::parse("nations.C.participation=0.9").unwrap()];
    let points = sweep::points(&axes).unwrap();
    let base = scenario::parse("t.toml", &text, &[]).unwrap();
    let models = sweep::prepare("t.toml", text.as_bytes(), &[], &points).unwrap();
    let (s, _) = sweep::run_paired(&base, &axes, &points, models.clone(), &opts(20_000)).unwrap();
    let find = |f: &str| {
        s.points[0]
            .vs_base
            .iter()
            .find(|d| d.figure == f)
            .unwrap_or_else(|| panic!("{f}"))
            .clone()
    };
    let (total, committed) = (
        find("totals.troops.mean"),
        find("totals.troops.committed_mean"),
    );
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert!(close(committed.difference, 3.0 * total.difference));
    let ([tl, th], [cl, ch]) = (total.ci95.unwrap(), committed.ci95.unwrap());
    assert!(close(ch - cl, 3.0 * (th - tl)), "{cl}..{ch} vs {tl}..{th}");
}

/// A sweep whose points run a chunk at a time (each chunk in one pass with the
/// base, over every trial) is the sweep of one pass, byte for byte: its JSON,
/// CSV, table and every point's report. The base has no mission gate and only the
/// points of the second row have one, so the chunks of the first row alone would
/// show no gate: the gate's figures are those of the whole sweep.
#[test]
fn points_run_a_chunk_at_a_time_give_the_sweep_of_one_pass() {
    let text = format!("{TEXT}[mission]\nrequires = [\"backstop\"]\n");
    let set = vec!["mission.requires=[]".to_string()];
    for vary in [
        &["nations.C.participation=0:1:0.25"][..],
        &[
            "mission.requires=[],[\"backstop\"]",
            "nations.C.participation=0:1:0.25",
        ],
    ] {
        let axes: Vec<Axis> = vary.iter().map(|v| Axis::parse(v).unwrap()).collect();
        let points = sweep::points(&axes).unwrap();
        let base = scenario::parse("t.toml", &text, &set).unwrap();
        let models = sweep::prepare("t.toml", text.as_bytes(), &set, &points).unwrap();
        let run = |per_chunk: usize| {
            let (s, interrupted) = sweep::run_paired_chunked(
                &base,
                &axes,
                &points,
                models.clone(),
                &opts(3000),
                per_chunk,
            )
            .unwrap();
            assert!(!interrupted);
            s
        };
        let whole = run(usize::MAX);
        assert_eq!(whole.points.len(), points.len());
        let json = forcesim::whatif::to_json(&whole);
        for per_chunk in [1, 2, 3, 5] {
            let s = run(per_chunk);
            // Compared whole, not printed: the JSON runs to thousands of lines.
            let by = format!("{vary:?} by {per_chunk}");
            assert!(forcesim::whatif::to_json(&s) == json, "JSON: {by}");
            assert!(s.to_csv() == whole.to_csv(), "CSV: {by}");
            assert!(s.to_table() == whole.to_table(), "table: {by}");
            assert_eq!(s.reports.len(), whole.reports.len());
            for (a, b) in s.reports.iter().zip(&whole.reports) {
                assert_eq!(
                    serde_json::to_value(a).unwrap()["domains"],
                    serde_json::to_value(b).unwrap()["domains"]
                );
            }
        }
        // The sizing of `run_paired` gives the same sweep.
        let (s, _) = sweep::run_paired(&base, &axes, &points, models.clone(), &opts(3000)).unwrap();
        assert!(forcesim::whatif::to_json(&s) == json, "{vary:?} sized");
    }
}

/// The command with a chunk limit small enough that every point is a chunk of its
/// own (`FORCESIM_CHUNK_UNITS=1`) writes the JSON, CSV and table of one pass.
#[test]
fn the_command_in_chunks_writes_what_it_writes_in_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("s.toml");
    std::fs::write(&sc, TEXT).unwrap();
    let run = |units: &str| {
        let (json, csv) = (dir.path().join("s.json"), dir.path().join("s.csv"));
        let out = forcesim()
            .env("FORCESIM_CHUNK_UNITS", units)
            .args(["sweep", sc.to_str().unwrap()])
            .args(["--vary", "nations.C.participation=0:1:0.25"])
            .args(["--vary", "nations.B.participation=0.2,0.9", "-n", "3000"])
            .args(["--json", json.to_str().unwrap()])
            .args(["--csv", csv.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap();
        (out.stdout, read(&json), read(&csv))
    };
    let whole = run("600000");
    let chunked = run("1");
    assert!(chunked.0 == whole.0, "table");
    assert!(chunked.1 == whole.1, "JSON");
    assert!(chunked.2 == whole.2, "CSV");
}

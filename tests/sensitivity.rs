//! `forcesim sensitivity`, the `decision` key of a nation, and paired intervals.

mod common;

use std::path::Path;

use common::{forcesim, scenario_file};
use forcesim::engine::Control;
use forcesim::whatif::sensitivity::{self, Kind, Spec};
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let out = forcesim().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn run_figure(path: &Path, sets: &[String], n: &str, seed: &str, fig: &str) -> f64 {
    let mut args = vec![
        "run",
        path.to_str().unwrap(),
        "-n",
        n,
        "--seed",
        seed,
        "--json",
        "-",
        "-q",
    ];
    for s in sets {
        args.push("--set");
        args.push(s);
    }
    sensitivity::lookup(&json(&args), fig).unwrap()
}

/// Every row's figure at its low and high setting is exactly `run --set` at that
/// setting, with the same -n and seed; the base is `run` as written.
#[test]
fn rows_equal_run_with_set_exactly() {
    let path = Path::new("scenarios/tutorial.toml");
    let (n, seed) = ("5000", "11");
    let figs = [
        "p_all_covered",
        "totals.troops.mean",
        "domains.air.p_covered",
    ];
    let s = json(&[
        "sensitivity",
        "scenarios/tutorial.toml",
        "-n",
        n,
        "--seed",
        seed,
        "-j",
        "2",
        "--figure",
        figs[0],
        "--figure",
        figs[1],
        "--figure",
        figs[2],
        "--json",
        "-",
        "-q",
    ]);
    assert_eq!(s["format"], "forcesim-sensitivity/2");
    let figures = s["figures"].as_array().unwrap();
    assert_eq!(figures.len(), 3);
    // Every kind of the tutorial: 3 nations, 1 condition, 1 approval, 1 bloc, 3
    // requirements, the scale and the ambition of the 3 nations.
    assert_eq!(figures[0]["rows"].as_array().unwrap().len(), 15);
    for (f, fig) in figures.iter().zip(figs) {
        assert_eq!(
            f["base"].as_f64().unwrap(),
            run_figure(path, &[], n, seed, fig)
        );
    }
    // Each row of the first figure, and the settings' other figures from the same runs.
    for row in figures[0]["rows"].as_array().unwrap() {
        let input = row["input"].as_str().unwrap();
        for (setting, at) in [("low", "at_low"), ("high", "at_high")] {
            let set = format!("{input}={}", row[setting].as_str().unwrap());
            let out = json(&[
                "run",
                "scenarios/tutorial.toml",
                "-n",
                n,
                "--seed",
                seed,
                "--set",
                &set,
                "--json",
                "-",
                "-q",
            ]);
            for (f, fig) in figures.iter().zip(figs) {
                let r = f["rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| r["input"] == row["input"])
                    .unwrap();
                assert_eq!(
                    r[at].as_f64().unwrap(),
                    sensitivity::lookup(&out, fig).unwrap(),
                    "{fig} with {set}"
                );
            }
        }
    }
}

/// Rows are ranked by |effect|; the effect is high − low.
#[test]
fn rows_are_ranked_by_the_size_of_the_effect() {
    let s = json(&[
        "sensitivity",
        "scenarios/tutorial.toml",
        "-n",
        "3000",
        "--json",
        "-",
        "-q",
    ]);
    let rows = s["figures"][0]["rows"].as_array().unwrap();
    let effects: Vec<f64> = rows.iter().map(|r| r["effect"].as_f64().unwrap()).collect();
    for w in effects.windows(2) {
        assert!(w[0].abs() >= w[1].abs(), "{effects:?}");
    }
    for r in rows {
        let d = r["at_high"].as_f64().unwrap() - r["at_low"].as_f64().unwrap();
        assert!((r["effect"].as_f64().unwrap() - d).abs() < 1e-12);
    }
}

/// Paired intervals are narrower than the intervals of independent samples.
#[test]
fn paired_intervals_are_narrower_than_independent_ones() {
    let s = json(&[
        "sensitivity",
        "scenarios/tutorial.toml",
        "-n",
        "20000",
        "--figure",
        "p_all_covered",
        "--figure",
        "totals.troops.mean",
        "--json",
        "-",
        "-q",
    ]);
    for f in s["figures"].as_array().unwrap() {
        let (mut paired, mut unpaired) = (0.0, 0.0);
        for r in f["rows"].as_array().unwrap() {
            let w = |k: &str| r[k][1].as_f64().unwrap() - r[k][0].as_f64().unwrap();
            let (p, u) = (w("ci95"), w("ci95_unpaired"));
            // Never wider (up to n / (n − 1) of the sample variance, when one
            // setting's figure is constant and there is nothing to pair away).
            assert!(p <= u * 1.001, "{}: paired {p} wider than {u}", r["input"]);
            paired += p;
            unpaired += u;
        }
        assert!(
            paired < 0.8 * unpaired,
            "{}: {paired} vs {unpaired}",
            f["figure"]
        );
    }
}

const TWO: &str = r#"
[scenario]
name = "two"
[capabilities]
troops = { unit = "personnel" }
aircraft = { unit = "aircraft" }
[domains.land]
requirements = { troops = 10 }
[domains.air]
[nations.A]
participation = 0.6
approval = [{ body = "parliament", probability = 0.5 }]
contributions.land.troops = 10
contributions.air.aircraft = { triangular = [0, 10, 20] }
[nations.B]
participation = 0.3
contributions.land.troops = 10
"#;

/// In repeated analyses with different seeds, the paired 95 % intervals of the
/// effect of A's approval gate (0 → 1) cover the true difference at their nominal
/// rate: P(all covered) 0.3 → 1 − 0.4 × 0.7 = 0.72 (+0.42), mean aircraft 0 → 6.
#[test]
fn paired_intervals_cover_the_true_difference_at_the_nominal_rate() {
    let (_dir, path) = scenario_file(TWO);
    let figures = [
        "p_all_covered".to_string(),
        "totals.aircraft.mean".to_string(),
    ];
    let reps = 200;
    let mut covered = [0u32; 2];
    for seed in 0..reps {
        let spec = Spec {
            path: &path,
            set: &[],
            kinds: &[Kind::Approvals],
            range: 0.2,
            figures: &figures,
            trials: 2000,
            seed,
            threads: 1,
        };
        let (s, interrupted) = sensitivity::analyse(&spec, Control::default()).unwrap();
        assert!(!interrupted);
        for (k, truth) in [0.42, 6.0].into_iter().enumerate() {
            let row = &s.figures[k].rows[0];
            assert_eq!(row.input, "nations.A.approval[0].probability");
            let ci = row.ci95.unwrap();
            covered[k] += u32::from(ci[0] <= truth && truth <= ci[1]);
        }
    }
    // 95 % of 200 ± 3 binomial standard deviations (3 × 3.1).
    for c in covered {
        assert!(
            (181..=199).contains(&c),
            "coverage {c} of {reps}: {covered:?}"
        );
    }
}

const DECIDE: &str = r#"
[scenario]
name = "decide"
[capabilities]
troops = { unit = "personnel" }
[conditions.c]
probability = 0.5
[blocs.b]
correlation = 0.6
[domains.land]
requirements = { troops = 10 }
[nations.A]
participation = 0.5
approval = [{ body = "p", probability = 0.8 }]
if_absent = { c = 0.1 }
bloc = "b"
contributions.land.troops = 10
[nations.B]
participation = 0.4
bloc = "b"
if_absent = { A = 0.2 }
contributions.land.troops = 10
"#;

/// `decision = "in" | "out"` against exact enumeration: with A fixed, A's caps,
/// gates and bloc do not matter, and B's decision sees A's fixed state.
#[test]
fn decision_in_and_out_match_exact_enumeration() {
    let (_dir, path) = scenario_file(DECIDE);
    let n = 40_000.0;
    // P(B) when A takes part: 0.4; when A is absent: min(0.4, 0.2) = 0.2.
    let cases: [(&str, &str, f64); 6] = [
        ("in", "draw", 1.0),
        ("in", "out", 1.0),
        ("out", "draw", 0.2),
        ("out", "in", 1.0),
        ("out", "out", 0.0),
        ("draw", "out", 0.5 * 0.8 * 0.5 + 0.1 * 0.5), // A alone: c true → 0.4, false → min(0.4, 0.1)
    ];
    for (a, b, exact) in cases {
        let sets = vec![
            format!("nations.A.decision={a}"),
            format!("nations.B.decision={b}"),
        ];
        let p = run_figure(&path, &sets, "40000", "3", "p_all_covered");
        let sd = (exact * (1.0 - exact) / n).sqrt();
        assert!(
            (p - exact).abs() <= 4.5 * sd + 1e-12,
            "A={a} B={b}: {p} vs exact {exact}"
        );
        if exact == 0.0 || exact == 1.0 {
            assert_eq!(p, exact, "A={a} B={b}");
        }
    }
}

/// "draw" is the default: writing it changes no figure.
#[test]
fn decision_draw_is_the_default() {
    let (_dir, path) = scenario_file(DECIDE);
    let p = path.to_str().unwrap();
    let args = ["run", p, "-n", "5000", "--json", "-", "-q"];
    let plain = json(&args);
    let mut with = args.to_vec();
    with.extend(["--set", "nations.A.decision=draw"]);
    let drawn = json(&with);
    for k in [
        "p_all_covered",
        "domains",
        "totals",
        "nations",
        "conditions",
    ] {
        assert_eq!(plain[k], drawn[k], "{k}");
    }
}

/// A bad decision is refused with the file position and dotted key, exit 2.
#[test]
fn a_bad_decision_is_refused() {
    let text = DECIDE.replace(
        "bloc = \"b\"\ncontributions",
        "bloc = \"b\"\ndecision = \"maybe\"\ncontributions",
    );
    let (_dir, path) = scenario_file(text);
    let out = forcesim()
        .args(["validate", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nations.A.decision"), "{err}");
    assert!(err.contains("s.toml:17:"), "{err}");
    assert!(err.contains("\"draw\", \"in\" or \"out\""), "{err}");
    let schema = forcesim().arg("schema").output().unwrap();
    assert!(String::from_utf8_lossy(&schema.stdout).contains("\"decision\""));
}

/// Every step of `secure` is reproduced by `run --set nations.N.decision=in` for
/// the nations secured so far.
#[test]
fn secure_steps_reproduce_with_decision_in() {
    let s = json(&[
        "secure",
        "scenarios/tutorial.toml",
        "--target",
        "0.8",
        "-n",
        "4000",
        "--json",
        "-",
        "-q",
    ]);
    let path = Path::new("scenarios/tutorial.toml");
    let mut sets = Vec::new();
    let steps = s["steps"].as_array().unwrap();
    assert!(!steps.is_empty());
    for step in steps {
        sets.push(format!(
            "nations.{}.decision=in",
            step["nation"].as_str().unwrap()
        ));
        let p = run_figure(path, &sets, "4000", "42", "p_all_covered");
        assert_eq!(p, step["p_all_covered"].as_f64().unwrap(), "{sets:?}");
    }
}

/// Usage errors: an unknown figure or kind of input, exit 2.
#[test]
fn unknown_figures_and_kinds_are_refused() {
    let out = forcesim()
        .args([
            "sensitivity",
            "scenarios/tutorial.toml",
            "--figure",
            "totals.tanks.mean",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a figure of the report"));
    let out = forcesim()
        .args([
            "sensitivity",
            "scenarios/tutorial.toml",
            "--inputs",
            "nations,tanks",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown kind of input"));
}

/// The CSV has one line per (figure, input), and the chart is written.
#[test]
fn csv_and_chart() {
    let dir = common::scratch();
    let out = forcesim()
        .args([
            "sensitivity",
            "scenarios/tutorial.toml",
            "-n",
            "2000",
            "--inputs",
            "nations,blocs",
            "--csv",
            "-",
            "-q",
            "--charts",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "scenario,scenario_sha256,variant,scope,id,capability,metric,qualifier,value,ci95_lo,ci95_hi"
    );
    // The run's own rows and the figure as written; per input its kind, then its
    // rank, the figure at each setting, the effect with the paired and with the
    // unpaired interval.
    assert_eq!(lines.len(), 1 + 5 + 4 + 4 * 5, "{csv}");
    let value = |variant: &str, qualifier: &str| -> f64 {
        let line = lines
            .iter()
            .find(|l| l.contains(variant) && l.contains(&format!(",p_all_covered,{qualifier},")))
            .unwrap_or_else(|| panic!("no row {variant} {qualifier}"));
        let fields: Vec<&str> = line.rsplitn(4, ',').collect();
        fields[2].parse().unwrap()
    };
    for n in ["ARL", "BRV", "CLD"] {
        let (lo, hi) = (
            format!(",\"nations.{n}.decision=\"\"out\"\"\","),
            format!(",\"nations.{n}.decision=\"\"in\"\"\","),
        );
        let effect = format!("in\"\" minus nations.{n}.decision=\"\"out\"\"\",");
        let (at_lo, at_hi) = (value(&lo, ""), value(&hi, ""));
        assert!((value(&effect, "") - (at_hi - at_lo)).abs() < 1e-12, "{n}");
        assert_eq!(value(&effect, ""), value(&effect, "unpaired"), "{n}");
    }
    let png = std::fs::read(dir.path().join("sensitivity.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}

/// compare: paired intervals by default, narrower than --unpaired's, on the same figures.
#[test]
fn compare_intervals_are_paired_unless_asked_otherwise() {
    let args = [
        "compare",
        "scenarios/tutorial.toml",
        "--variant",
        "no-ally: conditions.ally_support.probability=0",
        "-n",
        "20000",
        "--json",
        "-",
        "-q",
    ];
    let paired = json(&args);
    let mut u = args.to_vec();
    u.push("--unpaired");
    let unpaired = json(&u);
    assert_eq!(paired["scenarios"], unpaired["scenarios"]);
    let width = |c: &Value, fig: &str| {
        let d = c["differences"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["figure"] == fig)
            .unwrap();
        d["ci95"][1].as_f64().unwrap() - d["ci95"][0].as_f64().unwrap()
    };
    for fig in [
        "p_all_covered",
        "domains.land.p_covered",
        "totals.troops.mean",
    ] {
        let (p, w) = (width(&paired, fig), width(&unpaired, fig));
        assert!(p < 0.9 * w, "{fig}: paired {p}, unpaired {w}");
    }
    assert!(paired["note"].as_str().unwrap().contains("paired"));
}

/// An interrupted paired comparison keeps every scenario, each on the same prefix
/// of whole blocks, marks itself interrupted and exits 130.
#[test]
#[cfg(unix)]
fn interrupted_paired_compare_covers_a_prefix_of_blocks() {
    use std::process::{Command, Stdio};
    let (dir, path) = scenario_file(DECIDE);
    let json = dir.path().join("cmp.json");
    let child = Command::new(common::bin())
        .args([
            "compare",
            path.to_str().unwrap(),
            "-n",
            "200000000",
            "-j",
            "1",
            "-q",
            "--json",
        ])
        .arg(&json)
        .args([
            "--variant",
            "a-in: nations.A.decision=in",
            "--variant",
            "b-out: nations.B.decision=out",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["interrupted"], true);
    let cols = v["scenarios"].as_array().unwrap();
    assert_eq!(cols.len(), 3);
    let n = cols[0]["trials"].as_u64().unwrap();
    assert!(
        n > 0 && n < 200_000_000 && n.is_multiple_of(forcesim::engine::BLOCK_TRIALS),
        "{n}"
    );
    assert!(cols.iter().all(|c| c["trials"].as_u64() == Some(n)));
}

/// With several figures the tidy CSV still holds each (variant, scope, id,
/// capability, metric, qualifier) once, and each input's kind once.
#[test]
fn tidy_csv_rows_are_unique_with_several_figures() {
    let out = forcesim()
        .args([
            "sensitivity",
            "scenarios/tutorial.toml",
            "-n",
            "1000",
            "--figure",
            "p_all_covered",
            "--figure",
            "domains.land.p_covered",
            "--csv",
            "-",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut reader = csv.lines().skip(1).map(split_csv);
    let mut seen = std::collections::HashSet::new();
    let mut kinds = 0;
    for fields in reader.by_ref() {
        assert_eq!(fields.len(), 11, "{fields:?}");
        kinds += usize::from(fields[3] == "input" && fields[6] == "kind");
        assert!(seen.insert(fields[2..8].to_vec()), "twice: {fields:?}");
    }
    assert!(kinds > 0 && seen.iter().any(|k| k[4] == "p_covered"));
}

/// Splits one CSV line (quoted fields with doubled quotes).
fn split_csv(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Probability figures alone (tallies of counts, variants without the day of
/// coverage) and a figure of the timeline (which keeps it) both equal
/// `run --set`, in the reference scenario with its timeline.
#[test]
fn probability_and_timeline_figures_equal_run_with_set() {
    let path = Path::new("scenarios/paris-2026.toml");
    let (n, seed) = ("3000", "5");
    for fig in [
        "domains.land.p_covered",
        "timeline.days_to_coverage.land.p_never",
    ] {
        let s = json(&[
            "sensitivity",
            "scenarios/paris-2026.toml",
            "-n",
            n,
            "--seed",
            seed,
            "--inputs",
            "requirements",
            "--figure",
            fig,
            "--json",
            "-",
            "-q",
        ]);
        let f = &s["figures"][0];
        assert_eq!(
            f["base"].as_f64().unwrap(),
            run_figure(path, &[], n, seed, fig)
        );
        let rows = f["rows"].as_array().unwrap();
        let row = rows
            .iter()
            .find(|r| r["effect"].as_f64().is_some_and(|e| e != 0.0))
            .unwrap();
        for (setting, at) in [("low", "at_low"), ("high", "at_high")] {
            let set = format!(
                "{}={}",
                row["input"].as_str().unwrap(),
                row[setting].as_str().unwrap()
            );
            assert_eq!(
                row[at].as_f64().unwrap(),
                run_figure(path, &[set], n, seed, fig),
                "{fig}"
            );
        }
    }
}

/// Whatever path names a figure, its rows in the sensitivity CSV carry the key
/// that `run --csv` gives that figure: the figure as written is the value of
/// `run`'s row of that key (same -n and seed), and its rows at each setting and
/// the effect share that key.
#[test]
fn figures_are_keyed_as_run_csv_keys_them() {
    let figs = [
        "totals.troops.committed.mean",
        "thresholds.troops[0].p",
        "domains.land.capabilities.troops.gap.mean",
        "domains.land.lead_share.ARL",
        "nations.ARL.swing",
        "timeline.p_all_covered[1]",
        "timeline.days_to_coverage.land.median",
    ];
    let csv = |args: &[&str]| -> Vec<Vec<String>> {
        let out = forcesim().args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {err}");
        let text = String::from_utf8(out.stdout).unwrap();
        text.lines().skip(1).map(split_csv).collect()
    };
    let common = ["scenarios/tutorial.toml", "-n", "2000", "--seed", "11"];
    let mut args = vec!["sensitivity", "--inputs", "nations", "--csv", "-", "-q"];
    args.extend(common);
    args.extend(figs.iter().flat_map(|f| ["--figure", f]));
    let rows = csv(&args);
    let run = csv(&[&["run", "--csv", "-", "-q"][..], &common].concat());
    let base: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[2].is_empty() && r[3] != "run" && r[3] != "input")
        .collect();
    assert_eq!(base.len(), figs.len(), "{rows:?}");
    for (fig, row) in figs.iter().zip(&base) {
        let key = &row[3..8];
        let at = run.iter().find(|r| &r[3..8] == key);
        let at = at.unwrap_or_else(|| panic!("{fig}: run --csv has no row {key:?}"));
        assert_eq!(at[8].parse::<f64>(), row[8].parse::<f64>(), "{fig}");
        // Per nation: the low and high settings and the effect.
        let same = rows.iter().filter(|r| !r[2].is_empty() && &r[3..8] == key);
        assert_eq!(same.count(), 3 * 3, "{fig}");
    }
    let keys: Vec<String> = base.iter().map(|r| r[3..8].join(",")).collect();
    assert_eq!(keys[0], "total,,troops,committed,mean");
    assert_eq!(keys[1], "threshold,,troops,p_at_least,3000");
    assert_eq!(keys[2], "domain,land,troops,gap,mean");
    assert_eq!(keys[5], "timeline,all,,p_covered_by_day,90");
}

/// Two figures that differ only in their qualifier (two thresholds of one
/// capability) keep their rows apart, the unpaired effect's too: no key twice.
#[test]
fn figures_that_differ_in_their_qualifier_keep_their_rows_apart() {
    let out = forcesim()
        .args([
            "sensitivity",
            "scenarios/tutorial.toml",
            "-n",
            "2000",
            "--inputs",
            "nations",
        ])
        .args([
            "--figure",
            "thresholds.troops[0].p",
            "--figure",
            "thresholds.troops[1].p",
        ])
        .args(["--csv", "-", "-q"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut r = csv::Reader::from_reader(&out.stdout[..]);
    let mut seen = std::collections::HashSet::new();
    for row in r.records() {
        let row = row.unwrap();
        let key: Vec<&str> = (2..8).map(|i| &row[i]).collect();
        assert!(seen.insert(key.join("|")), "twice: {row:?}");
    }
    assert!(seen.iter().any(|k| k.ends_with("unpaired")));
}

/// A setting under which no trial is mounted has no figure, so its row has no
/// effect and no interval (not one of ±100 pp made up from nothing).
#[test]
fn a_row_with_no_trial_behind_it_has_no_interval() {
    let (_d, path) = scenario_file(
        "[scenario]\nname = \"g\"\n[capabilities]\ntroops = { unit = \"personnel\" }\n\
         [mission]\nrequires = [\"ceasefire\"]\n[conditions.ceasefire]\nprobability = 0.5\n\
         [domains.land]\nrequirements = { troops = 10 }\n[nations.A]\nparticipation = 0.5\n\
         contributions.land.troops = 15\n",
    );
    let out = forcesim()
        .args([
            "sensitivity",
            path.to_str().unwrap(),
            "-n",
            "2000",
            "--inputs",
            "conditions",
        ])
        .args(["--json", "-", "-q"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["figures"][0]["rows"].as_array().unwrap();
    let row = rows
        .iter()
        .find(|r| r["input"] == "conditions.ceasefire.probability")
        .unwrap();
    assert!(row["effect"].is_null(), "{row}");
    assert!(
        row["ci95"].is_null() && row["ci95_unpaired"].is_null(),
        "{row}"
    );
}

/// A scenario of 400 nations: its settings do not fit in memory at once, so
/// `sensitivity` runs its inputs a chunk at a time. Rows of every chunk are
/// still exactly `run --set` at their setting, ranked together.
#[test]
fn inputs_run_a_chunk_at_a_time_give_the_rows_of_run_with_set() {
    let mut text = String::from(
        "[scenario]\nname = \"chunks\"\n[capabilities]\ntroops = { unit = \"personnel\" }\n\
         [domains.land]\nrequirements = { troops = 4000 }\n",
    );
    for n in 0..400 {
        let p = 0.3 + 0.5 * f64::from(n % 7) / 6.0;
        text.push_str(&format!(
            "[nations.N{n}]\nparticipation = {p}\ncontributions.land.troops = {{ triangular = [0, {}, 40] }}\n",
            5 + n % 30
        ));
    }
    let (_d, path) = scenario_file(text);
    let (n, seed) = ("2000", "5");
    let s = json(&[
        "sensitivity",
        path.to_str().unwrap(),
        "-n",
        n,
        "--seed",
        seed,
        "--inputs",
        "nations,scale",
        "--json",
        "-",
        "-q",
    ]);
    let rows = s["figures"][0]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 800, "every input has its row");
    let effect = |r: &Value| r["effect"].as_f64().unwrap().abs();
    assert!(rows.windows(2).all(|w| effect(&w[0]) >= effect(&w[1])));
    // Inputs of the first and the last chunk.
    for key in [
        "nations.N0.decision",
        "nations.N399.scale",
        "nations.N200.decision",
    ] {
        let row = rows.iter().find(|r| r["input"] == key).unwrap();
        for (side, setting) in [("at_low", "low"), ("at_high", "high")] {
            let set = format!("{key}={}", row[setting].as_str().unwrap());
            let want = run_figure(&path, &[set], n, seed, "p_all_covered");
            assert_eq!(row[side].as_f64().unwrap(), want, "{key} {side}");
        }
    }
}

/// `--inputs` that name no input of the scenario are bad usage, with the kinds
/// it has; nothing is written.
#[test]
fn inputs_of_no_kind_the_scenario_has_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let charts = dir.path().join("c");
    let out = std::process::Command::new(common::bin())
        .args([
            "sensitivity",
            "scenarios/tutorial.toml",
            "-n",
            "100",
            "--inputs",
            "pools",
            "--charts",
        ])
        .arg(&charts)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no input of these kinds to vary; it has nations"),
        "{err}"
    );
    assert!(!charts.exists());
}

/// A range too small to move a scale or a share (1 − R rounds to 1) is refused,
/// rather than giving rows whose low and high are the written value; the
/// smallest range allowed still moves a requirement a unit each way.
#[test]
fn a_range_too_small_to_move_anything_is_refused() {
    for r in ["1e-17", "0.0009", "0", "1"] {
        let out = forcesim()
            .args([
                "sensitivity",
                "scenarios/tutorial.toml",
                "-n",
                "100",
                "--range",
                r,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--range {r}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is not a range"), "{err}");
    }
    let v = json(&[
        "sensitivity",
        "scenarios/tutorial.toml",
        "-n",
        "200",
        "--range",
        "0.001",
        "--inputs",
        "requirements",
        "--json",
        "-",
    ]);
    let rows = v["figures"][0]["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 3, "{v}");
    for row in rows {
        let (lo, hi) = (row["low"].as_str().unwrap(), row["high"].as_str().unwrap());
        let (lo, hi): (u64, u64) = (lo.parse().unwrap(), hi.parse().unwrap());
        assert!(lo < hi, "{row}");
    }
}

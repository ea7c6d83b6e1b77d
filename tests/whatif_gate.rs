//! What-if outputs of a scenario with a mission gate: `compare` and `sweep`
//! show P(mounted) and the overall P(all covered), paired on the same trials;
//! a gate that never opens gives no number anywhere (never "NaN", never an
//! interval made up from no trials), and `secure` refuses it.

mod common;

use common::{forcesim, scenario_file};
use forcesim::math::Z95;
use serde_json::Value;

/// One nation, one requirement it always meets when it takes part; the mission
/// needs `ceasefire` (probability set by `--set` or `p`).
fn gated(p: f64) -> String {
    format!(
        r#"[scenario]
name = "gated"
[capabilities]
troops = {{ unit = "personnel" }}
[mission]
requires = ["ceasefire"]
[conditions.ceasefire]
probability = {p}
[domains.land]
requirements = {{ troops = 10 }}
[nations.A]
participation = 0.5
[nations.A.contributions.land]
troops = 15
"#
    )
}

fn json(args: &[&str]) -> Value {
    let out = forcesim().args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The difference of `figure` for the variant, from the comparison's JSON.
fn difference<'a>(c: &'a Value, figure: &str) -> &'a Value {
    c["differences"]
        .as_array()
        .expect("differences")
        .iter()
        .find(|d| d["figure"] == figure)
        .unwrap_or_else(|| panic!("no difference of {figure}"))
}

#[test]
fn compare_pairs_p_mounted_on_the_same_trials() {
    let (_d, path) = scenario_file(gated(0.3));
    let n = 20_000u64;
    let c = json(&[
        "compare",
        path.to_str().unwrap(),
        "--variant",
        "likely: conditions.ceasefire.probability=0.95",
        "-n",
        &n.to_string(),
        "-q",
        "--json",
        "-",
    ]);
    let mounted = |i: usize| c["scenarios"][i]["mounted_trials"].as_u64().unwrap();
    let (ma, mb) = (mounted(0), mounted(1));
    for (i, m) in [ma, mb].into_iter().enumerate() {
        let p = c["scenarios"][i]["p_mounted"]
            .as_f64()
            .expect("p_mounted shown");
        assert_eq!(p, m as f64 / n as f64);
    }
    // On common random numbers, a trial mounted at 0.3 is mounted at 0.95: every
    // discordant pair is (b mounted, a not), so n10 = mb − ma and n01 = 0, and
    // the paired interval runs from d less √((d − l)² + u0²) to the Wilson upper
    // bound u of n10 of n (l its lower bound, u0 = z²/(n + z²) that of 0 of n).
    let d = difference(&c, "p_mounted");
    let n10 = mb - ma;
    let nf = n as f64;
    let p = n10 as f64 / nf;
    assert_eq!(d["difference"].as_f64().unwrap(), p);
    let [l, u] = forcesim::math::wilson(n10, n);
    let u0 = Z95 * Z95 / (nf + Z95 * Z95);
    let ci = d["ci95"].as_array().expect("a paired interval");
    let low = p - ((p - l).powi(2) + u0 * u0).sqrt();
    assert!((ci[0].as_f64().unwrap() - low).abs() < 1e-12, "{ci:?}");
    assert!((ci[1].as_f64().unwrap() - u).abs() < 1e-12, "{ci:?}");
    // Overall: mounted and covered; A takes part in half the trials.
    let overall = difference(&c, "p_all_covered_overall");
    assert!(overall["ci95"].is_array(), "{overall}");
    let table = forcesim()
        .args([
            "compare",
            path.to_str().unwrap(),
            "--variant",
            "likely: conditions.ceasefire.probability=0.95",
            "-n",
            "2000",
        ])
        .output()
        .expect("runs");
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.contains("p_mounted") && table.contains("p_all_covered_overall"),
        "{table}"
    );
}

#[test]
fn a_gate_that_never_opens_gives_no_number() {
    let (_d, path) = scenario_file(gated(0.0));
    let p = path.to_str().unwrap();
    let variant = ["--variant", "more: nations.A.participation=0.9"];
    let c = json(
        &[
            &["compare", p, "-n", "1000", "-q", "--json", "-"][..],
            &variant,
        ]
        .concat(),
    );
    for d in c["differences"].as_array().unwrap() {
        if d["difference"].is_null() {
            assert!(d["ci95"].is_null(), "an interval of nothing: {d}");
        }
    }
    assert!(difference(&c, "p_all_covered")["difference"].is_null());
    let out = forcesim()
        .args([&["compare", p, "-n", "1000"][..], &variant].concat())
        .output()
        .expect("runs");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        !table.contains("NaN") && !table.contains("-100.0"),
        "{table}"
    );
    let out = forcesim()
        .args([
            "sweep",
            p,
            "--vary",
            "conditions.ceasefire.probability=0,0.5",
            "-n",
            "1000",
        ])
        .output()
        .expect("runs");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!table.contains("NaN"), "{table}");
    assert!(table.contains("P(mounted)"), "{table}");
    let out = forcesim()
        .args(["secure", p, "--target", "0.5", "-n", "1000"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mounted in none of the 1000 trials"), "{err}");
}

#[test]
fn figures_over_the_mounted_trials_get_intervals_over_them() {
    // A threshold's probability is over the mounted trials, as is its interval:
    // k of the mounted trials, not of every trial.
    let text = gated(0.4) + "[report]\nthresholds = { troops = [10] }\n";
    let (_d, path) = scenario_file(text);
    let n = 4000u64;
    let c = json(&[
        "compare",
        path.to_str().unwrap(),
        "--variant",
        "v: nations.A.participation=0.6",
        "-n",
        &n.to_string(),
        "-q",
        "--json",
        "-",
        "--unpaired",
    ]);
    let s = &c["scenarios"][0];
    let m = s["mounted_trials"].as_u64().unwrap();
    assert!(m < n);
    let p = s["thresholds"]["troops"][0]["p"].as_f64().unwrap();
    let t = c["scenarios"][1]["thresholds"]["troops"][0]["p"]
        .as_f64()
        .unwrap();
    let mb = c["scenarios"][1]["mounted_trials"].as_u64().unwrap();
    let ca = forcesim::math::wilson((p * m as f64).round() as u64, m);
    let cb = forcesim::math::wilson((t * mb as f64).round() as u64, mb);
    let want = forcesim::whatif::compare::newcombe(p, ca, t, cb);
    let d = difference(&c, "thresholds.troops.10");
    let ci: Vec<f64> = d["ci95"]
        .as_array()
        .expect("an interval")
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert_eq!(ci, want.to_vec());
}

/// A variant without the gate (deploy without waiting for the ceasefire) is
/// mounted in every trial: `compare` and `sweep` show its P(mounted), 100 %,
/// and its overall P(all covered), as `run` does, beside the gated base's.
#[test]
fn a_variant_without_the_gate_shows_the_gate_figures_as_run_does() {
    let (_d, path) = scenario_file(gated(0.3));
    let path = path.to_str().unwrap();
    let c = json(&[
        "compare",
        path,
        "--variant",
        "now: mission.requires=[]",
        "-n",
        "4000",
        "-q",
        "--json",
        "-",
    ]);
    let r = json(&[
        "run",
        path,
        "--set",
        "mission.requires=[]",
        "-n",
        "4000",
        "-q",
        "--json",
        "-",
    ]);
    let v = &c["scenarios"][1];
    for key in [
        "p_mounted",
        "p_mounted_ci95",
        "p_all_covered_overall",
        "p_all_covered_overall_ci95",
    ] {
        assert_eq!(v[key], r[key], "{key}");
    }
    assert_eq!(v["p_mounted"], 1.0);
    // Nothing is left unshared (the list is then absent).
    let unshared = c["not_shared"].as_array().cloned().unwrap_or_default();
    assert!(
        unshared
            .iter()
            .all(|f| !f.to_string().contains("p_mounted")),
        "{unshared:?}"
    );
    // On the same trials: mounted at 0.3 only where the ceasefire holds.
    let d = difference(&c, "p_mounted");
    let m0 = c["scenarios"][0]["mounted_trials"].as_u64().unwrap() as f64;
    assert_eq!(d["difference"].as_f64().unwrap(), 1.0 - m0 / 4000.0);
    let s = json(&[
        "sweep",
        path,
        "--vary",
        "mission.requires=[],[\"ceasefire\"]",
        "-n",
        "4000",
        "-q",
        "--json",
        "-",
    ]);
    assert_eq!(s["points"][0]["p_mounted"], 1.0);
    assert_eq!(
        s["points"][0]["p_all_covered_overall"],
        r["p_all_covered_overall"]
    );
    assert_eq!(s["points"][1]["p_mounted"], c["scenarios"][0]["p_mounted"]);
}

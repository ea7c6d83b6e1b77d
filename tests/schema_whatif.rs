//! `forcesim schema --secure/--sensitivity`: real outputs of `secure` and
//! `sensitivity` validate against the printed schemas, and every member they
//! hold is one the schema names (so that a field added to either output without
//! its schema fails here).

mod common;

use common::schema::{json_of, problems, schema, valid};
use common::{forcesim, scratch, write};
use serde_json::Value;

/// A and B bring 500 troops each and never take part on their own, C brings 300
/// half the time; land needs 1,000. No single nation secured raises P(all
/// covered), so greedy stops short and `--exhaustive` finds {A, B}; relaxing
/// the requirement to C's 300 reaches 50 %. Air needs a uniform number of
/// aircraft: a requirement that neither `secure` nor `sensitivity` can relax or
/// scale. Together these give every optional member of both outputs.
const PAIR: &str = r#"
[scenario]
name = "A pair that only works together"
[capabilities]
troops = { unit = "personnel" }
aircraft = { unit = "aircraft" }
[conditions.host]
probability = 0.7
[blocs.west]
correlation = 0.5
[domains.land]
lead = ["A", "B", "C"]
requirements = { troops = 1000 }
[domains.air]
lead = ["C"]
requirements = { aircraft = { uniform = [1, 2] } }
[nations.A]
participation = 0
contributions.land.troops = 500
[nations.B]
participation = 0
contributions.land.troops = 500
contributions.air.aircraft = 5
[nations.C]
participation = 0.5
bloc = "west"
approval = [{ body = "parliament", probability = 0.9 }]
if_absent = { host = 0.4 }
contributions.land.troops = 300
contributions.air.aircraft = 5
"#;

#[test]
fn secure_output_validates_against_its_schema() {
    let dir = scratch();
    let d = dir.path();
    let s = write(d, "s.toml", PAIR);
    // Exit 3: greedy stops short of the target.
    forcesim()
        .args([
            "secure",
            "--target",
            "0.4",
            "--exhaustive",
            "-n",
            "2000",
            "-q",
        ])
        .args(["--set", "nations.C.participation=0.6", "--json", "g.json"])
        .arg(&s)
        .current_dir(d)
        .assert()
        .code(3);
    let out = json_of(&d.join("g.json"));
    let ex = &out["exhaustive"];
    assert!(
        ex.get("level").is_some() && ex["smallest"].is_array(),
        "{ex}"
    );
    let relax = out["relaxations"].as_array().unwrap();
    assert!(relax.iter().any(|r| r.get("reduction").is_some()));
    assert!(relax.iter().any(|r| r["required"].is_null()));
    assert!(out["scenario"].get("overrides").is_some());
    let ss = schema("--secure");
    valid(&ss, &out);

    // The tutorial: greedy reaches the target in steps.
    forcesim()
        .args([
            "secure", "--target", "0.6", "-n", "2000", "-q", "--json", "t.json",
        ])
        .arg(tutorial_path())
        .current_dir(d)
        .assert()
        .success();
    let tutorial = json_of(&d.join("t.json"));
    assert!(!tutorial["steps"].as_array().unwrap().is_empty());
    valid(&ss, &tutorial);

    // A figure of the wrong type, a missing member or an undescribed one fail.
    let mut bad = out.clone();
    bad["baseline"]["p_all_covered"] = Value::String("high".into());
    bad.as_object_mut().unwrap().remove("reached");
    bad["exhaustive"]["new_figure"] = 1.into();
    assert_eq!(problems(&ss, &bad).len(), 3, "{:#?}", problems(&ss, &bad));
}

fn tutorial_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tutorial.toml")
}

#[test]
fn sensitivity_output_validates_against_its_schema() {
    let dir = scratch();
    let d = dir.path();
    let s = write(d, "s.toml", PAIR);
    // Every kind of input; a figure with a paired interval and one without.
    forcesim()
        .args(["sensitivity", "-n", "2000", "-q", "--inputs", "all"])
        .args(["--figure", "p_all_covered", "--figure", "totals.troops.p05"])
        .args(["--set", "nations.C.participation=0.6", "--json", "a.json"])
        .args(["--set", "domains.land.lead_provides.troops=0.2"])
        .args(["--set", "nations.A.pool.troops=1200"])
        .arg(&s)
        .current_dir(d)
        .assert()
        .success();
    let out = json_of(&d.join("a.json"));
    assert_eq!(out["skipped"][0], "domains.air.requirements.aircraft");
    let rows = |f: usize| out["figures"][f]["rows"].as_array().unwrap().clone();
    assert!(rows(0).iter().all(|r| r["ci95"].is_array()));
    assert!(rows(1).iter().all(|r| r["ci95"].is_null()));
    // A row of every kind: each value of `kind` is checked against the schema.
    let mut kinds: Vec<String> = rows(0).iter().map(|r| r["kind"].to_string()).collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds.len(), 9, "{kinds:?}");
    let ss = schema("--sensitivity");
    valid(&ss, &out);

    // The tutorial, with its default figure and range.
    forcesim()
        .args(["sensitivity", "-n", "2000", "-q", "--json", "t.json"])
        .arg(tutorial_path())
        .current_dir(d)
        .assert()
        .success();
    valid(&ss, &json_of(&d.join("t.json")));

    // A kind of input the schema does not list, a missing member, an
    // undescribed one, a number where an interval or null belongs: all fail.
    let mut bad = out.clone();
    bad["figures"][0]["rows"][0]["kind"] = "weather".into();
    bad["figures"][1].as_object_mut().unwrap().remove("base");
    bad["scenario"]["hash"] = "0".into();
    bad["figures"][0]["rows"][1]["ci95"] = 0.5.into();
    assert_eq!(problems(&ss, &bad).len(), 4, "{:#?}", problems(&ss, &bad));
}

#[test]
fn the_whatif_schemas_are_one_flag_each() {
    let out = forcesim()
        .args(["schema", "--secure", "--sensitivity"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        schema("--secure")["properties"]["format"]["const"],
        "forcesim-secure/1"
    );
    assert_eq!(
        schema("--sensitivity")["properties"]["format"]["const"],
        "forcesim-sensitivity/2"
    );
}

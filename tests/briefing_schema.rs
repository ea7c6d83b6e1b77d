//! `forcesim schema --report/--sweep/--compare`: real outputs validate against
//! the printed schemas, and every member they hold is one the schema names
//! (so that a field added to an output without its schema fails here).

mod common;

use common::schema::{check, json_of, schema, valid};
use common::{forcesim, scratch, write};
use serde_json::Value;

const EVERY: &str = forcesim::synth::EVERY_FORM;

#[test]
fn real_outputs_validate_against_their_schemas() {
    let dir = scratch();
    let d = dir.path();
    // Rotation for `committed`, an override, a precision target: every optional member.
    let text = EVERY.replacen("[simulation]", "rotation = 3\n[simulation]", 1);
    let s = write(d, "s.toml", &text);
    forcesim()
        .args([
            "run",
            "-n",
            "5000",
            "-q",
            "--set",
            "nations.C.participation=0.5",
        ])
        .args(["--precision", "0.2", "--json", "r.json"])
        .arg(&s)
        .current_dir(d)
        .assert()
        .success();
    let report = json_of(&d.join("r.json"));
    assert!(report.get("precision").is_some() && report.get("timeline").is_some());
    let rs = schema("--report");
    valid(&rs, &report);
    // A figure of the wrong type, a missing member or an undescribed one fail.
    let mut bad = report.clone();
    bad["domains"]["land"]["p_covered"] = Value::String("high".into());
    bad.as_object_mut().unwrap().remove("seed");
    bad["nations"]["A"]["new_figure"] = 1.into();
    let mut problems = Vec::new();
    check(&rs, &bad, "$", &mut problems);
    assert_eq!(problems.len(), 3, "{problems:#?}");

    forcesim()
        .args([
            "sweep",
            "--vary",
            "nations.A.participation=0:1:0.5",
            "-n",
            "2000",
            "-q",
        ])
        .args(["--json", "s.json"])
        .arg(&s)
        .current_dir(d)
        .assert()
        .success();
    valid(&schema("--sweep"), &json_of(&d.join("s.json")));

    forcesim()
        .args([
            "compare",
            "-n",
            "2000",
            "-q",
            "--variant",
            "half: nations.A.participation=0.5",
        ])
        .args(["--json", "c.json"])
        .arg(&s)
        .current_dir(d)
        .assert()
        .success();
    valid(&schema("--compare"), &json_of(&d.join("c.json")));
}

#[test]
fn only_one_schema_at_a_time() {
    let out = forcesim()
        .args(["schema", "--report", "--sweep"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // Without a flag: the scenario format, as before.
    let out = forcesim().arg("schema").output().unwrap();
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(s["properties"].get("nations").is_some());
}

#[test]
fn a_sweep_point_that_mounts_no_trial_validates() {
    let dir = scratch();
    let d = dir.path();
    let s = write(
        d,
        "g.toml",
        r#"
[scenario]
name = "Gated"
[capabilities]
troops = { unit = "personnel" }
[conditions.ceasefire]
probability = 0.5
[mission]
requires = ["ceasefire"]
[domains.land]
requirements = { troops = 10 }
[nations.A]
participation = 0.5
contributions.land.troops = 10
"#,
    );
    forcesim()
        .args(["sweep", "--vary", "conditions.ceasefire.probability=0:1:1"])
        .args(["-n", "2000", "-q", "--json", "s.json"])
        .arg(&s)
        .current_dir(d)
        .assert()
        .success();
    let out = json_of(&d.join("s.json"));
    // At 0 no trial is mounted: its differences are null, which the schema allows.
    let all = out["points"][0]["vs_base"]
        .as_array()
        .and_then(|v| v.iter().find(|d| d["figure"] == "p_all_covered"))
        .expect("P(all covered) against the base");
    assert!(all["difference"].is_null(), "{all:#}");
    valid(&schema("--sweep"), &out);
}

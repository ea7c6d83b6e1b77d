//! `forcesim schema --report/--sweep/--compare`: real outputs validate against
//! the printed schemas, and every member they hold is one the schema names
//! (so that a field added to an output without its schema fails here).

mod common;

use common::{forcesim, scratch, write};
use serde_json::Value;

/// Checks `v` against the subset of JSON Schema the schemas use (type, const,
/// properties, required, additionalProperties, items, minItems, maxItems,
/// anyOf), and that every object member is named by `properties` or allowed by
/// an `additionalProperties` schema. Returns the problems, with their paths.
fn check(schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
        let ok = any.iter().any(|s| {
            let mut sub = Vec::new();
            check(s, v, at, &mut sub);
            sub.is_empty()
        });
        if !ok {
            out.push(format!("{at}: matches no anyOf branch"));
        }
        return;
    }
    if let Some(c) = schema.get("const").filter(|c| *c != v) {
        out.push(format!("{at}: {v} is not {c}"));
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let fits = |ty: &str| match ty {
            "null" => v.is_null(),
            "boolean" => v.is_boolean(),
            "string" => v.is_string(),
            "number" => v.is_number(),
            "integer" => v.is_u64() || v.is_i64(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            _ => false,
        };
        if !types.iter().any(|t| fits(t)) {
            out.push(format!("{at}: {v} is not {types:?}"));
            return;
        }
    }
    if let Some(o) = v.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let r = r.as_str().unwrap();
            if !o.contains_key(r) {
                out.push(format!("{at}: missing {r}"));
            }
        }
        for (k, x) in o {
            let at = format!("{at}.{k}");
            match (
                props.and_then(|p| p.get(k)),
                schema.get("additionalProperties"),
            ) {
                (Some(s), _) => check(s, x, &at, out),
                (None, Some(s)) if s.is_object() => check(s, x, &at, out),
                _ => out.push(format!("{at}: not named by the schema")),
            }
        }
    }
    if let Some(a) = v.as_array() {
        let n = a.len() as u64;
        if schema
            .get("minItems")
            .and_then(Value::as_u64)
            .is_some_and(|m| n < m)
            || schema
                .get("maxItems")
                .and_then(Value::as_u64)
                .is_some_and(|m| n > m)
        {
            out.push(format!("{at}: {n} items"));
        }
        if let Some(items) = schema.get("items") {
            for (i, x) in a.iter().enumerate() {
                check(items, x, &format!("{at}[{i}]"), out);
            }
        }
    }
}

fn schema(flag: &str) -> Value {
    let out = forcesim().args(["schema", flag]).output().unwrap();
    assert!(out.status.success());
    let s: Value = serde_json::from_slice(&out.stdout).expect("the schema is JSON");
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    s
}

fn valid(schema: &Value, doc: &Value) {
    let mut problems = Vec::new();
    check(schema, doc, "$", &mut problems);
    assert!(problems.is_empty(), "{problems:#?}");
}

fn json_of(path: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

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

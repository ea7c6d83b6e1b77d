//! A checker for the subset of JSON Schema that `forcesim schema` prints, shared
//! by the tests that validate real outputs against the schemas.

use serde_json::Value;

use super::forcesim;

/// Checks `v` against the subset of JSON Schema the schemas use (type, const,
/// enum, properties, required, additionalProperties, items, minItems, maxItems,
/// anyOf), and that every object member is named by `properties` or allowed by
/// an `additionalProperties` schema. Returns the problems, with their paths.
pub fn check(schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
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
    if let Some(e) = schema.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        out.push(format!("{at}: {v} is not one of {e:?}"));
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

/// The schema `forcesim schema FLAG` prints (checked to be a 2020-12 schema).
pub fn schema(flag: &str) -> Value {
    let out = forcesim().args(["schema", flag]).output().unwrap();
    assert!(out.status.success());
    let s: Value = serde_json::from_slice(&out.stdout).expect("the schema is JSON");
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    s
}

/// Every problem of `doc` against `schema`, with its path.
pub fn problems(schema: &Value, doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(schema, doc, "$", &mut out);
    out
}

/// Asserts that `doc` has no problem against `schema`.
pub fn valid(schema: &Value, doc: &Value) {
    let p = problems(schema, doc);
    assert!(p.is_empty(), "{p:#?}");
}

/// The JSON file at `path`.
pub fn json_of(path: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

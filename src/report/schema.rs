//! JSON Schemas (draft 2020-12) of the JSON outputs: the report
//! (`forcesim-report/2`), the sweep (`forcesim-sweep/1`), the comparison
//! (`forcesim-compare/1`), the goal seek (`forcesim-secure/1`) and the
//! sensitivity analysis (`forcesim-sensitivity/2`), printed by
//! `forcesim schema --report`, `--sweep`, `--compare`, `--secure`, `--sensitivity`.
//!
//! Within one format version fields are only added, never renamed or removed
//! (docs/outputs.md), so the schemas allow members they do not name: a reader
//! written against `/1` keeps working on a later `/1` report. A figure is a
//! number or `null` (no trial gave it: a run stopped before its first trial, or
//! a figure over mounted trials when the mission was mounted in none).

use serde_json::{Value as Json, json};

const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// A figure: a number, or null when no trial gave it.
fn num() -> Json {
    json!({ "type": ["number", "null"] })
}

/// A 95 % interval `[low, high]`.
fn interval() -> Json {
    json!({ "type": "array", "items": num(), "minItems": 2, "maxItems": 2 })
}

/// An object keyed by scenario ids whose values follow `values`.
fn by_id(values: Json) -> Json {
    json!({ "type": "object", "additionalProperties": values })
}

fn count() -> Json {
    json!({ "type": "integer", "minimum": 0 })
}

/// An object with every named member required.
fn all_of(props: Json) -> Json {
    let required: Vec<Json> = props
        .as_object()
        .map(|o| o.keys().map(|k| Json::String(k.clone())).collect())
        .unwrap_or_default();
    json!({ "type": "object", "properties": props, "required": required })
}

/// The statistics block: mean, sd, min, p05, p25, p50, p75, p95, max.
fn stats_props() -> serde_json::Map<String, Json> {
    [
        "mean", "sd", "min", "p05", "p25", "p50", "p75", "p95", "max",
    ]
    .into_iter()
    .map(|k| (k.to_string(), num()))
    .collect()
}

fn stats() -> Json {
    let mut props = stats_props();
    let required: Vec<Json> = props.keys().map(|k| Json::String(k.clone())).collect();
    props.insert("within".into(), num());
    json!({ "type": "object", "properties": props, "required": required })
}

fn total() -> Json {
    let mut props = stats_props();
    let mut required: Vec<Json> = props.keys().map(|k| Json::String(k.clone())).collect();
    props.insert("within".into(), num());
    props.insert("committed".into(), stats());
    props.insert(
        "histogram".into(),
        all_of(json!({
            "start": { "type": "number" },
            "width": { "type": "number" },
            "counts": { "type": "array", "items": count() },
        })),
    );
    required.push("histogram".into());
    json!({ "type": "object", "properties": props, "required": required })
}

/// A requirement's figures (of a domain's capability, or of the whole force).
fn capability() -> Json {
    with_optional(
        all_of(json!({
            "required": num(),
            "p_met": num(),
            "provided": stats(),
            "gap": stats(),
        })),
        json!({ "required_p05_p95": interval() }),
    )
}

fn domain() -> Json {
    all_of(json!({
        "name": { "type": "string" },
        "p_covered": num(),
        "p_covered_ci95": interval(),
        "p_leaderless": num(),
        "p_lead_short": num(),
        "p_no_lead_candidate": num(),
        "lead_share": by_id(num()),
        "capabilities": by_id(capability()),
    }))
}

/// The whole force (`[force]`).
fn force() -> Json {
    all_of(json!({
        "p_covered": num(),
        "p_covered_ci95": interval(),
        "capabilities": by_id(capability()),
    }))
}

fn timeline() -> Json {
    with_optional(
        all_of(json!({
            "days": { "type": "array", "items": count() },
            "p_all_covered": { "type": "array", "items": num() },
            "domains": by_id(json!({ "type": "array", "items": num() })),
            "days_to_all_covered": days_to_coverage(),
            "days_to_coverage": by_id(days_to_coverage()),
        })),
        json!({
            "force": { "type": "array", "items": num() },
            "days_to_force": days_to_coverage(),
        }),
    )
}

/// Days to coverage: median and p90 (null when not reached), P(never), steps,
/// and `within` where days are read from bins of more than one day.
fn days_to_coverage() -> Json {
    with_optional(
        all_of(json!({
            "median": { "type": ["integer", "null"], "minimum": 0 },
            "p90": { "type": ["integer", "null"], "minimum": 0 },
            "p_never": num(),
            "steps": { "type": "array", "items": { "type": "array", "items": { "type": "number" } } },
        })),
        json!({ "within": num() }),
    )
}

fn nation() -> Json {
    with_optional(
        all_of(json!({
            "name": { "type": "string" },
            "p_participates": num(),
            "swing": num(),
            "mean_provided": by_id(num()),
            "mean_provided_by_domain": by_id(by_id(num())),
        })),
        json!({
            "swing_ci95": interval(),
            "rotation": { "type": "integer", "minimum": 1 },
            "ambition": { "type": "number", "minimum": 0, "exclusiveMaximum": 1 },
            "pools": by_id(pool()),
        }),
    )
}

/// A nation's pool of one capability: the pool, P(it binds), the cut when it does.
fn pool() -> Json {
    all_of(json!({
        "pool": num(),
        "p_binds": num(),
        "cut": { "anyOf": [stats(), { "type": "null" }] },
    }))
}

/// Adds optional members to an object schema.
fn with_optional(mut schema: Json, optional: Json) -> Json {
    if let (Some(props), Some(extra)) = (
        schema.get_mut("properties").and_then(Json::as_object_mut),
        optional.as_object(),
    ) {
        for (k, v) in extra {
            props.insert(k.clone(), v.clone());
        }
    }
    schema
}

fn thresholds() -> Json {
    by_id(json!({
        "type": "array",
        "items": all_of(json!({ "at_least": count(), "p": num() })),
    }))
}

/// The report's schema (`forcesim-report/2`).
pub fn report() -> Json {
    let body = all_of(json!({
        "format": { "const": super::FORMAT },
        "scenario": with_optional(
            all_of(json!({ "name": { "type": "string" }, "path": { "type": "string" } })),
            json!({ "description": { "type": "string" } }),
        ),
        "trials": count(),
        "mounted_trials": count(),
        "seed": count(),
        "p_mounted": num(),
        "p_mounted_ci95": interval(),
        "p_all_covered": num(),
        "p_all_covered_ci95": interval(),
        "p_all_covered_overall": num(),
        "p_all_covered_overall_ci95": interval(),
        "capabilities": by_id(all_of(json!({
            "name": { "type": "string" },
            "unit": { "type": "string" },
        }))),
        "totals": by_id(total()),
        "thresholds": thresholds(),
        "domains": by_id(domain()),
        "nations": by_id(nation()),
        "engine": all_of(json!({
            "version": { "type": "string" },
            "threads": count(),
            "elapsed_s": { "type": "number" },
            "trials_per_s": { "type": "number" },
        })),
    }));
    let body = with_optional(
        body,
        json!({
            "overrides": { "type": "array", "items": { "type": "string" } },
            "interrupted": { "type": "boolean" },
            "mission": strings(),
            "force": force(),
            "conditions": by_id(all_of(json!({ "p_true": num() }))),
            "timeline": timeline(),
            "precision": all_of(json!({
                "target": { "type": "number" },
                "on": { "type": "string" },
                "half_width": num(),
                "met": { "type": "boolean" },
                "trials": count(),
                "max_trials": count(),
            })),
        }),
    );
    document("forcesim report", body)
}

/// The key figures shared by sweep points and compared scenarios, as members.
fn key_figures() -> Json {
    let total = with_optional(
        all_of(json!({
            "mean": num(), "sd": num(), "p05": num(), "p50": num(), "p95": num(),
        })),
        json!({ "within": num(), "committed_mean": num(), "committed_sd": num() }),
    );
    with_optional(
        all_of(json!({
            "trials": count(),
            "mounted_trials": count(),
            "p_all_covered": num(),
            "p_all_covered_ci95": interval(),
            "domains": by_id(all_of(json!({
                "p_covered": num(),
                "p_covered_ci95": interval(),
                "p_leaderless": num(),
            }))),
            "totals": by_id(total),
        })),
        json!({
            "thresholds": thresholds(),
            "p_mounted": num(),
            "p_mounted_ci95": interval(),
            "p_all_covered_overall": num(),
            "p_all_covered_overall_ci95": interval(),
        }),
    )
}

/// Merges the members of `extra` (an object schema) into `base`'s.
fn merged(base: Json, extra: Json) -> Json {
    let mut out = with_optional(base, extra.get("properties").cloned().unwrap_or(json!({})));
    if let (Some(req), Some(more)) = (
        out.get_mut("required").and_then(Json::as_array_mut),
        extra.get("required").and_then(Json::as_array),
    ) {
        req.extend(more.iter().cloned());
    }
    out
}

fn strings() -> Json {
    json!({ "type": "array", "items": { "type": "string" } })
}

/// The scenario of a what-if output: name, path and the `--set` overrides.
fn source() -> Json {
    with_optional(
        all_of(json!({ "name": { "type": "string" }, "path": { "type": "string" } })),
        json!({ "overrides": strings() }),
    )
}

/// The sweep's schema (`forcesim-sweep/1`).
pub fn sweep() -> Json {
    let delta = all_of(json!({
        "figure": { "type": "string" },
        "difference": num(),
        "ci95": { "anyOf": [interval(), { "type": "null" }] },
    }));
    let point = with_optional(
        merged(
            all_of(json!({ "values": { "type": "array" }, "set": strings() })),
            key_figures(),
        ),
        json!({ "vs_base": { "type": "array", "items": delta } }),
    );
    let body = with_optional(
        all_of(json!({
            "format": { "const": "forcesim-sweep/1" },
            "scenario": source(),
            "trials": count(),
            "seed": count(),
            "axes": { "type": "array", "items": all_of(json!({
                "key": { "type": "string" },
                "values": { "type": "array" },
            })) },
            "points": { "type": "array", "items": point },
        })),
        json!({
            "interrupted": { "type": "boolean" },
            "trials_asked": count(),
            "base": key_figures(),
        }),
    );
    document("forcesim sweep", body)
}

/// The comparison's schema (`forcesim-compare/1`).
pub fn compare() -> Json {
    let column = with_optional(
        merged(
            all_of(json!({
                "label": { "type": "string" },
                "name": { "type": "string" },
                "path": { "type": "string" },
            })),
            key_figures(),
        ),
        json!({ "overrides": strings() }),
    );
    let body = with_optional(
        all_of(json!({
            "format": { "const": "forcesim-compare/1" },
            "trials": count(),
            "seed": count(),
            "scenarios": { "type": "array", "items": column },
            "differences": { "type": "array", "items": all_of(json!({
                "figure": { "type": "string" },
                "of": { "type": "string" },
                "from": { "type": "string" },
                "base": num(),
                "value": num(),
                "difference": num(),
                "ci95": { "anyOf": [interval(), { "type": "null" }] },
            })) },
            "note": { "type": "string" },
        })),
        json!({
            "interrupted": { "type": "boolean" },
            "trials_asked": count(),
            "not_shared": { "type": "array", "items": all_of(json!({
                "figure": { "type": "string" },
                "only_in": strings(),
            })) },
        }),
    );
    document("forcesim comparison", body)
}

/// P(all covered) with its 95 % interval, as members.
fn level() -> Json {
    all_of(json!({ "p_all_covered": num(), "p_all_covered_ci95": interval() }))
}

/// A requirement's value, or null (a distribution, or no value found).
fn amount() -> Json {
    json!({ "type": ["integer", "null"], "minimum": 0 })
}

/// The goal seek's schema (`forcesim-secure/1`).
pub fn secure() -> Json {
    let step = merged(
        all_of(json!({ "nation": { "type": "string" }, "name": { "type": "string" } })),
        level(),
    );
    let exhaustive = with_optional(
        all_of(json!({
            "sets_checked": count(),
            "max_size": count(),
            "smallest": { "type": ["array", "null"], "items": { "type": "string" } },
            "greedy_is_smallest": { "type": "boolean" },
        })),
        json!({ "level": level(), "refused_sets": count() }),
    );
    let relaxation = with_optional(
        all_of(json!({
            "domain": { "type": "string" },
            "capability": { "type": "string" },
            "required": amount(),
            "relax_to": amount(),
        })),
        json!({
            "force": { "const": true },
            "reduction": count(),
            "level": level(),
            "note": { "type": "string" },
        }),
    );
    let body = with_optional(
        all_of(json!({
            "format": { "const": "forcesim-secure/1" },
            "scenario": source(),
            "trials": count(),
            "seed": count(),
            "target": { "type": "number" },
            "baseline": level(),
            "steps": { "type": "array", "items": step },
            "reached": { "type": "boolean" },
            "secured": strings(),
            "stopped": { "type": "string" },
            "note": { "type": "string" },
            "relaxations": { "type": "array", "items": relaxation },
        })),
        json!({ "interrupted": { "type": "boolean" }, "exhaustive": exhaustive }),
    );
    document("forcesim goal seek", body)
}

/// The kinds of input a sensitivity analysis varies.
const INPUT_KINDS: [&str; 9] = [
    "nations",
    "conditions",
    "approvals",
    "blocs",
    "requirements",
    "scale",
    "obligations",
    "pools",
    "ambition",
];

/// The sensitivity analysis's schema (`forcesim-sensitivity/2`).
pub fn sensitivity() -> Json {
    let kind = json!({ "type": "string", "enum": INPUT_KINDS });
    let paired = json!({ "anyOf": [interval(), { "type": "null" }] });
    let row = all_of(json!({
        "input": { "type": "string" },
        "kind": kind.clone(),
        "low": { "type": "string" },
        "high": { "type": "string" },
        "at_low": num(),
        "at_high": num(),
        "effect": num(),
        "ci95": paired.clone(),
        "ci95_unpaired": paired,
    }));
    let figure = all_of(json!({
        "figure": { "type": "string" },
        "base": num(),
        "probability": { "type": "boolean" },
        "rows": { "type": "array", "items": row },
    }));
    let body = with_optional(
        all_of(json!({
            "format": { "const": "forcesim-sensitivity/2" },
            "scenario": source(),
            "trials": count(),
            "seed": count(),
            "range": { "type": "number" },
            "inputs": { "type": "array", "items": kind },
            "figures": { "type": "array", "items": figure },
        })),
        json!({
            "interrupted": { "type": "boolean" },
            "trials_asked": count(),
            "skipped": strings(),
        }),
    );
    document("forcesim sensitivity analysis", body)
}

fn document(title: &str, mut body: Json) -> Json {
    if let Some(o) = body.as_object_mut() {
        let mut head = serde_json::Map::new();
        head.insert("$schema".into(), DRAFT.into());
        head.insert("title".into(), title.into());
        for (k, v) in std::mem::take(o) {
            head.insert(k, v);
        }
        *o = head;
    }
    body
}

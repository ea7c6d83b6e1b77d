//! The assumptions annex: every input of a scenario with the source it cites.
//!
//! The scenario text is walked as TOML (the decoder's own types keep no
//! sources): conditions' probabilities and effects' scales, blocs'
//! correlations, domains' requirements and lead obligations (`lead_provides`),
//! the whole force's requirements, nations' participation, approvals, caps
//! (`if_absent`, `if_present`), readiness, scale and contributions. An input's source is its own (`{ pert = […],
//! source = "…" }`), else that of its approval gate, else that of its table.
//! An input is flagged when it has no source or its source says "assumption".

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One input of the scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assumption {
    /// Dotted key, e.g. `nations.FRA.contributions.land.troops`.
    pub key: String,
    /// The value as written (compact TOML, without its `source`).
    pub value: String,
    /// The source cited, empty when none.
    pub source: String,
    /// Why the input is flagged: `no source`, `assumption`, or empty.
    pub flag: &'static str,
}

type Node<'i> = Spanned<DeValue<'i>>;

/// The inputs of the scenario `text`, in file order (empty when it is not TOML).
pub fn annex(text: &str) -> Vec<Assumption> {
    let Ok(root) = DeTable::parse(text) else {
        return Vec::new();
    };
    let root = root.get_ref();
    let mut out = Vec::new();
    if let Some(sc) = root.get("scenario").and_then(|f| f.get_ref().as_table()) {
        for f in ["rotation", "ambition"] {
            if let Some(v) = sc.get(f) {
                walk(&mut out, &format!("scenario.{f}"), v, source_of(sc), false);
            }
        }
    }
    for (section, fields) in [
        ("conditions", &["probability", "effects"][..]),
        ("blocs", &["correlation"][..]),
        ("domains", &["requirements", "lead_provides"][..]),
        (
            "nations",
            &[
                "participation",
                "approval",
                "if_absent",
                "if_present",
                "ready_days",
                "scale",
                "rotation",
                "pool",
                "ambition",
                "contributions",
            ][..],
        ),
    ] {
        for (id, entity) in entries(root.get(section)) {
            let Some(t) = entity.get_ref().as_table() else {
                continue;
            };
            let inherited = source_of(t);
            for f in fields {
                let key = format!("{section}.{id}.{f}");
                match t.get(*f) {
                    Some(v) if *f == "effects" => effects(&mut out, &key, v, inherited),
                    Some(v) => walk(&mut out, &key, v, inherited, *f == "approval"),
                    None => {}
                }
            }
        }
    }
    if let Some(force) = root.get("force").and_then(|f| f.get_ref().as_table())
        && let Some(v) = force.get("requirements")
    {
        walk(&mut out, "force.requirements", v, source_of(force), false);
    }
    out
}

/// A condition's effects: the scale of each, keyed with its position and the
/// value of the condition at which it applies.
fn effects(out: &mut Vec<Assumption>, key: &str, v: &Node<'_>, inherited: Option<&str>) {
    let DeValue::Array(items) = v.get_ref() else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let Some(t) = item.get_ref().as_table() else {
            continue;
        };
        let when = t
            .get("when")
            .and_then(|w| w.get_ref().as_bool())
            .unwrap_or(false);
        if let Some(scale) = t.get("scale") {
            let key = format!("{key}[{i}].scale (when {when})");
            walk(out, &key, scale, source_of(t).or(inherited), false);
        }
    }
}

/// The `(key, value)` pairs of a table node (none when it is not a table).
fn entries<'a, 'i>(node: Option<&'a Node<'i>>) -> Vec<(&'a str, &'a Node<'i>)> {
    node.and_then(|n| n.get_ref().as_table())
        .map(|t| t.iter().map(|(k, v)| (k.get_ref().as_ref(), v)).collect())
        .unwrap_or_default()
}

/// A table's `source` string, if any.
fn source_of<'a>(t: &'a DeTable<'_>) -> Option<&'a str> {
    t.get("source").and_then(|s| s.get_ref().as_str())
}

/// Whether a table is a distribution (`{ pert = … }`, `{ fixed = … }`, …)
/// rather than a table of inputs.
fn is_distribution(t: &DeTable<'_>) -> bool {
    const FORMS: [&str; 8] = [
        "discrete",
        "fixed",
        "uniform",
        "triangular",
        "pert",
        "normal",
        "lognormal",
        "beta",
    ];
    t.iter().any(|(k, _)| FORMS.contains(&k.get_ref().as_ref()))
        || t.iter().all(|(k, _)| k.get_ref() == "source")
}

fn walk(out: &mut Vec<Assumption>, key: &str, v: &Node<'_>, inherited: Option<&str>, gates: bool) {
    match v.get_ref() {
        DeValue::Array(items) if gates => {
            for (i, gate) in items.iter().enumerate() {
                let Some(t) = gate.get_ref().as_table() else {
                    continue;
                };
                let source = source_of(t).or(inherited);
                let body = t.get("body").and_then(|b| b.get_ref().as_str());
                let key = match body {
                    Some(b) => format!("{key}[{i}].probability ({b})"),
                    None => format!("{key}[{i}].probability"),
                };
                if let Some(p) = t.get("probability") {
                    walk(out, &key, p, source, false);
                }
            }
        }
        DeValue::Table(t) if !is_distribution(t) => {
            for (k, child) in t {
                let key = format!("{key}.{}", k.get_ref());
                walk(out, &key, child, inherited, false);
            }
        }
        value => {
            let own = value.as_table().and_then(source_of);
            let source = own.or(inherited).unwrap_or("").to_string();
            out.push(Assumption {
                key: key.to_string(),
                value: compact(value),
                flag: flag(&source),
                source,
            });
        }
    }
}

/// Why an input with this source is flagged.
fn flag(source: &str) -> &'static str {
    if source.trim().is_empty() {
        "no source"
    } else if source.to_lowercase().contains("assumption") {
        "assumption"
    } else {
        ""
    }
}

/// A value as compact TOML, without its `source`.
fn compact(v: &DeValue<'_>) -> String {
    match v {
        DeValue::Integer(i) => i.to_string(),
        DeValue::Float(f) => f.to_string(),
        DeValue::Boolean(b) => b.to_string(),
        DeValue::String(s) => format!("{s:?}"),
        DeValue::Datetime(d) => d.to_string(),
        DeValue::Array(items) => {
            let parts: Vec<String> = items.iter().map(|i| compact(i.get_ref())).collect();
            format!("[{}]", parts.join(", "))
        }
        DeValue::Table(t) => {
            let parts: Vec<String> = t
                .iter()
                .filter(|(k, _)| k.get_ref() != "source")
                .map(|(k, v)| format!("{} = {}", k.get_ref(), compact(v.get_ref())))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[scenario]
name = "T"
[conditions.c]
probability = 0.5
source = "Intelligence estimate"
[blocs.b]
correlation = { uniform = [0.2, 0.4], source = "Working assumption" }
[domains.land]
requirements = { troops = { pert = [1, 2, 3] } }
[nations.A]
participation = 0.7
approval = [{ body = "Parliament", probability = 0.9, source = "Poll" }]
contributions.land.troops = 100
source = "Defence review"
"#;

    #[test]
    fn every_input_is_listed_with_its_source_and_flag() {
        let a = annex(TEXT);
        let keys: Vec<&str> = a.iter().map(|x| x.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "conditions.c.probability",
                "blocs.b.correlation",
                "domains.land.requirements.troops",
                "nations.A.participation",
                "nations.A.approval[0].probability (Parliament)",
                "nations.A.contributions.land.troops",
            ]
        );
        assert_eq!(a[0].source, "Intelligence estimate");
        assert_eq!(a[0].flag, "");
        assert_eq!(a[1].flag, "assumption");
        assert_eq!(a[1].value, "{ uniform = [0.2, 0.4] }");
        assert_eq!(a[2].flag, "no source");
        assert_eq!(a[2].value, "{ pert = [1, 2, 3] }");
        assert_eq!(a[4].source, "Poll");
        assert_eq!(a[5].source, "Defence review");
    }

    #[test]
    fn format_2_inputs_are_listed() {
        let text = r#"
[conditions.us]
probability = 0.6
[[conditions.us.effects]]
when = false
scale = { uniform = [1.2, 1.8] }
targets = ["domains.air.requirements.aircraft"]
source = "Working assumption"
[force]
requirements = { troops = 15_000 }
source = "Reports: 15,000-30,000"
[domains.land]
lead = [["GBR", "FRA"]]
lead_provides = { troops = 0.4 }
requirements = { troops = 100 }
[nations.GBR]
participation = 0.9
if_present = { us = 0.95 }
scale = 0.8
"#;
        let a = annex(text);
        let keys: Vec<&str> = a.iter().map(|x| x.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "conditions.us.probability",
                "conditions.us.effects[0].scale (when false)",
                "domains.land.requirements.troops",
                "domains.land.lead_provides.troops",
                "nations.GBR.participation",
                "nations.GBR.if_present.us",
                "nations.GBR.scale",
                "force.requirements.troops",
            ]
        );
        assert_eq!(a[1].flag, "assumption");
        assert_eq!(a[1].value, "{ uniform = [1.2, 1.8] }");
        assert_eq!(a[7].source, "Reports: 15,000-30,000");
    }

    #[test]
    fn text_that_is_not_toml_has_no_inputs() {
        assert!(annex("[[[").is_empty());
    }
}

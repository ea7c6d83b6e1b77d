//! The assumptions annex: every input of a scenario with the source it cites.
//!
//! The scenario text is walked as TOML (the decoder's own types keep no
//! sources): conditions' probabilities, blocs' correlations, domains'
//! requirements, nations' participation, approvals, caps (`if_absent`),
//! readiness and contributions. An input's source is its own (`{ pert = […],
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
    for (section, fields) in [
        ("conditions", &["probability"][..]),
        ("blocs", &["correlation"][..]),
        ("domains", &["requirements"][..]),
        (
            "nations",
            &[
                "participation",
                "approval",
                "if_absent",
                "ready_days",
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
                if let Some(v) = t.get(*f) {
                    walk(&mut out, &key, v, inherited, *f == "approval");
                }
            }
        }
    }
    out
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
    fn text_that_is_not_toml_has_no_inputs() {
        assert!(annex("[[[").is_empty());
    }
}

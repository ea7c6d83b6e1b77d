//! The scenario file as written: raw types decoded from TOML with every local check.
//!
//! These types mirror the file one to one. Each carries the location of each value
//! so that later checks (unknown ids, cycles) can point at the exact place. Ranges,
//! types and distribution parameters are checked here, while decoding; references
//! between entries are checked in [`super::validate`].

use serde_json::{Value as Json, json};
use toml::de::DeValue;

use super::decode::{
    At, Cx, Decode, Located, Node, Table, decode_struct, for_each_field, join, number, whole,
    whole_between, wrong_type,
};
use crate::dist::Dist;
use crate::limits;
use crate::math::brief;

/// A whole number in `[0, MAX]`.
#[derive(Debug, Clone)]
pub struct Int<const MAX: u64>(pub Located<u64>);

impl<const MAX: u64> Decode for Int<MAX> {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        whole(node, key, cx, MAX).map(|v| {
            Int(Located {
                value: v,
                at: At::of(node, key),
            })
        })
    }
    fn placeholder() -> Option<Self> {
        Some(Int(Located {
            value: 0,
            at: At::default(),
        }))
    }
    fn schema() -> Json {
        json!({ "type": "integer", "minimum": 0, "maximum": MAX })
    }
}

/// `[simulation] trials`: a whole number in `[1, MAX_TRIALS]`.
#[derive(Debug, Clone)]
pub struct Trials(pub Located<u64>);

impl Decode for Trials {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        // Below 1 is one mistake, whatever its sign.
        if let DeValue::Integer(i) = node.get_ref()
            && let Ok(x) = i128::from_str_radix(i.as_str(), i.radix())
            && x < 1
        {
            cx.error(
                node.span(),
                key,
                format!("trials must be at least 1, found {x}"),
            );
            return None;
        }
        let value = whole(node, key, cx, limits::MAX_TRIALS)?;
        Some(Trials(Located {
            value,
            at: At::of(node, key),
        }))
    }
    fn schema() -> Json {
        json!({ "type": "integer", "minimum": 1, "maximum": limits::MAX_TRIALS })
    }
}

/// `[simulation] timeline_days`: at most [`limits::MAX_TIMELINE_DAYS`] days. A
/// longer list is one error, its elements left unchecked.
#[derive(Debug, Clone, Default)]
pub struct TimelineDays(pub Vec<Int<{ limits::MAX_DAYS }>>);

impl Decode for TimelineDays {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        let max = limits::MAX_TIMELINE_DAYS;
        if let DeValue::Array(items) = node.get_ref()
            && items.len() > max
        {
            cx.error(
                node.span(),
                key,
                format!("at most {max} timeline days, found {}", items.len()),
            );
            return None;
        }
        Vec::decode(node, key, cx).map(TimelineDays)
    }
    fn missing() -> Option<Self> {
        Some(TimelineDays::default())
    }
    fn schema() -> Json {
        let mut s = Vec::<Int<{ limits::MAX_DAYS }>>::schema();
        s["maxItems"] = json!(limits::MAX_TIMELINE_DAYS);
        s
    }
}

/// A nation's `decision`: `"draw"`, `"in"` or `"out"`.
#[derive(Debug, Clone)]
pub struct DecisionKey(pub Located<crate::model::Decision>);

impl Decode for DecisionKey {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        let s = Located::<String>::decode(node, key, cx)?;
        let Some(v) = crate::model::Decision::parse(&s.value) else {
            cx.error(
                node.span(),
                key,
                format!(
                    "decision must be \"draw\", \"in\" or \"out\", found {:?}",
                    s.value
                ),
            );
            return None;
        };
        Some(DecisionKey(Located { value: v, at: s.at }))
    }
    fn schema() -> Json {
        json!({ "enum": ["draw", "in", "out"], "default": "draw" })
    }
}

/// A number ρ with 0 ≤ ρ < 1; `what` names it in the message.
fn rho(node: &Node<'_>, key: &str, cx: &mut Cx, what: &str) -> Option<Located<f64>> {
    let v = number(node, key, cx)?;
    if !(0.0..1.0).contains(&v) {
        cx.error(
            node.span(),
            key,
            format!("{what} must satisfy 0 ≤ ρ < 1, found {v}"),
        );
        return None;
    }
    Some(Located {
        value: v,
        at: At::of(node, key),
    })
}

/// A bloc's correlation ρ, with 0 ≤ ρ < 1.
#[derive(Debug, Clone)]
pub struct Correlation(pub Located<f64>);

impl Decode for Correlation {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        rho(node, key, cx, "correlation").map(Correlation)
    }
    fn placeholder() -> Option<Self> {
        Some(Correlation(Located {
            value: 0.0,
            at: At::default(),
        }))
    }
    fn schema() -> Json {
        json!({ "type": "number", "minimum": 0, "exclusiveMaximum": 1 })
    }
}

/// `ambition` ρ, with 0 ≤ ρ < 1: how a nation's contribution draws move together.
#[derive(Debug, Clone)]
pub struct Ambition(pub Located<f64>);

impl Decode for Ambition {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        rho(node, key, cx, "ambition").map(Ambition)
    }
    fn schema() -> Json {
        json!({ "type": "number", "minimum": 0, "exclusiveMaximum": 1 })
    }
}

/// A rotation: a whole number in `[1, MAX_ROTATION]`.
#[derive(Debug, Clone)]
pub struct Rotation(pub Located<u64>);

impl Decode for Rotation {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        let v = whole_between(node, key, cx, 1, limits::MAX_ROTATION)?;
        Some(Rotation(Located {
            value: v,
            at: At::of(node, key),
        }))
    }
    fn schema() -> Json {
        json!({ "type": "integer", "minimum": 1, "maximum": limits::MAX_ROTATION })
    }
}

const FORMS: &str = "a number, or one of { uniform = [min, max] }, { triangular = [min, mode, max] }, \
{ pert = [min, mode, max] }, { normal = { mean = m, sd = s } }, { lognormal = { median = m, sigma = s } }, \
{ discrete = { values = [...], weights = [...] } }";

/// [`FORMS`] for a probability: bounded forms only.
const PROB_FORMS: &str = "a number from 0 to 1, or one of { uniform = [min, max] }, \
{ triangular = [min, mode, max] }, { pert = [min, mode, max] }, { discrete = { values = [...], weights = [...] } }";

/// [`FORMS`] for a scale or a pool: every form but the normal.
const SCALE_FORMS: &str = "a number, or one of { uniform = [min, max] }, { triangular = [min, mode, max] }, \
{ pert = [min, mode, max] }, { lognormal = { median = m, sigma = s } }, \
{ discrete = { values = [...], weights = [...] } }";

fn numbers(node: &Node<'_>, key: &str, cx: &mut Cx, n: usize, shape: &str) -> Option<Vec<f64>> {
    let DeValue::Array(items) = node.get_ref() else {
        return wrong_type(node, key, cx, &format!("an array {shape}"));
    };
    if items.len() != n {
        cx.error(
            node.span(),
            key,
            format!("expected {n} numbers {shape}, found {}", items.len()),
        );
        return None;
    }
    let mut out = Vec::with_capacity(n);
    for (i, item) in items.iter().enumerate() {
        out.push(number(item, &format!("{key}[{i}]"), cx));
    }
    out.into_iter().collect()
}

fn number_list(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Vec<f64>> {
    let DeValue::Array(items) = node.get_ref() else {
        return wrong_type(node, key, cx, "an array of numbers");
    };
    let out: Vec<Option<f64>> = items
        .iter()
        .enumerate()
        .map(|(i, item)| number(item, &format!("{key}[{i}]"), cx))
        .collect();
    out.into_iter().collect()
}

/// Reads a table with exactly the named numeric fields, in order.
fn named_numbers<const N: usize>(
    node: &Node<'_>,
    key: &str,
    cx: &mut Cx,
    names: [&str; N],
) -> Option<[f64; N]> {
    let mut found: [Option<f64>; N] = [None; N];
    let mut bad = false;
    if !for_each_field(node, key, cx, &names, |name, value, sub, cx| {
        let i = names.iter().position(|n| *n == name).unwrap_or(0);
        found[i] = number(value, sub, cx);
        bad |= found[i].is_none();
    }) {
        return None;
    }
    let mut out = [0.0; N];
    for (i, name) in names.iter().enumerate() {
        match found[i] {
            Some(v) => out[i] = v,
            None => {
                if !bad {
                    cx.error(
                        node.span(),
                        &join(key, name),
                        format!("missing required key `{name}`"),
                    );
                }
                bad = true;
            }
        }
    }
    (!bad).then_some(out)
}

const FORM_NAMES: [&str; 6] = [
    "uniform",
    "triangular",
    "pert",
    "normal",
    "lognormal",
    "discrete",
];

/// Reads a distribution: a number (fixed) or a table of one form and an optional
/// `source`, its parameters checked.
/// A distribution at `node`, or an error that lists the forms the place takes
/// (`expected`).
fn decode_dist(node: &Node<'_>, key: &str, cx: &mut Cx, expected: &str) -> Option<Located<Dist>> {
    let at = At::of(node, key);
    let table = match node.get_ref() {
        DeValue::Integer(_) | DeValue::Float(_) => {
            return number(node, key, cx).map(|v| Located {
                value: Dist::Fixed(v),
                at,
            });
        }
        DeValue::Table(t) => t,
        _ => return wrong_type(node, key, cx, expected),
    };
    let forms: Vec<_> = table
        .iter()
        .filter(|(k, _)| k.get_ref() != "source")
        .collect();
    let [(form, value)] = forms.as_slice() else {
        not_one_form(node, &forms, key, cx, expected);
        return None;
    };
    let mut source_ok = true;
    if let Some((k, v)) = table.iter().find(|(k, _)| k.get_ref() == "source")
        && !matches!(v.get_ref(), DeValue::String(_))
    {
        wrong_type::<()>(v, &join(key, k.get_ref()), cx, "a string");
        source_ok = false;
    }
    let name: &str = form.get_ref();
    let sub = join(key, name);
    let dist = match name {
        "discrete" => discrete(value, &sub, cx)?,
        _ if FORM_NAMES.contains(&name) => parametric(name, value, &sub, cx)?,
        other => {
            let hint = match super::decode::closest(other, &FORM_NAMES) {
                Some(c) => format!(" (did you mean `{c}`?)"),
                None => String::new(),
            };
            cx.error(
                form.span(),
                &sub,
                format!("unknown distribution `{other}`{hint}; expected {expected}"),
            );
            return None;
        }
    };
    if let Err(msg) = dist.check() {
        cx.error(blamed(value, cx), &sub, msg);
        return None;
    }
    source_ok.then_some(Located { value: dist, at })
}

/// A distribution table without exactly one form: each key that is no form
/// is named at its place; otherwise the table is told it needs one form.
fn not_one_form(
    node: &Node<'_>,
    forms: &[(&toml::Spanned<std::borrow::Cow<'_, str>>, &Node<'_>)],
    key: &str,
    cx: &mut Cx,
    expected: &str,
) {
    let is_form = |k: &str| k == "discrete" || FORM_NAMES.contains(&k);
    let strays: Vec<_> = forms
        .iter()
        .filter(|(k, _)| !is_form(k.get_ref()))
        .collect();
    if strays.is_empty() || strays.len() == forms.len() {
        let msg = format!(
            "a distribution table needs exactly one form (and optionally `source`); expected {expected}"
        );
        return cx.error(node.span(), key, msg);
    }
    for (k, _) in strays {
        let name: &str = k.get_ref();
        let hint = match super::decode::closest(name, &FORM_NAMES) {
            Some(c) => format!(" (did you mean `{c}`?)"),
            None => String::new(),
        };
        let msg = format!(
            "unknown key `{name}` in a distribution table{hint}: it holds one form and optionally `source`"
        );
        cx.error(k.span(), &join(key, name), msg);
    }
}

/// Where a problem of the whole of `node` is reported: at a `--set` that
/// changed a part of it (one element of a list), else at `node`.
fn blamed(node: &Node<'_>, cx: &Cx) -> std::ops::Range<usize> {
    fn set_part(node: &Node<'_>, cx: &Cx) -> Option<std::ops::Range<usize>> {
        if cx.is_override(&node.span()) {
            return Some(node.span());
        }
        match node.get_ref() {
            DeValue::Array(items) => items.iter().find_map(|n| set_part(n, cx)),
            DeValue::Table(t) => t.values().find_map(|n| set_part(n, cx)),
            _ => None,
        }
    }
    set_part(node, cx).unwrap_or_else(|| node.span())
}

/// The forms given by a fixed number of parameters: uniform, triangular, pert,
/// normal and lognormal.
fn parametric(name: &str, value: &Node<'_>, sub: &str, cx: &mut Cx) -> Option<Dist> {
    Some(match name {
        "uniform" => {
            let v = numbers(value, sub, cx, 2, "[min, max]")?;
            Dist::Uniform {
                min: v[0],
                max: v[1],
            }
        }
        "triangular" => {
            let v = numbers(value, sub, cx, 3, "[min, mode, max]")?;
            Dist::Triangular {
                min: v[0],
                mode: v[1],
                max: v[2],
            }
        }
        "pert" => {
            let v = numbers(value, sub, cx, 3, "[min, mode, max]")?;
            Dist::Pert {
                min: v[0],
                mode: v[1],
                max: v[2],
            }
        }
        "normal" => {
            let [mean, sd] = named_numbers(value, sub, cx, ["mean", "sd"])?;
            Dist::Normal { mean, sd }
        }
        _ => {
            let [median, sigma] = named_numbers(value, sub, cx, ["median", "sigma"])?;
            Dist::LogNormal { median, sigma }
        }
    })
}

/// `{ discrete = { values = [...], weights = [...] } }`; weights default to equal.
fn discrete(value: &Node<'_>, sub: &str, cx: &mut Cx) -> Option<Dist> {
    let mut values = None;
    let mut weights = None;
    let mut bad = false;
    if !for_each_field(value, sub, cx, &["values", "weights"], |n, v, s, cx| {
        let list = number_list(v, s, cx);
        bad |= list.is_none();
        if n == "values" {
            values = list;
        } else {
            weights = list;
        }
    }) || bad
    {
        return None;
    }
    let Some(values) = values else {
        cx.error(
            value.span(),
            &join(sub, "values"),
            "missing required key `values`",
        );
        return None;
    };
    let weights = weights.unwrap_or_else(|| vec![1.0; values.len()]);
    Some(Dist::Discrete { values, weights })
}

/// " (did you mean 0.9?)" for a probability written as a percentage
/// ([`reads_as_percent`](super::figures::reads_as_percent)).
fn percent_hint(p: f64) -> String {
    if super::figures::reads_as_percent(p) {
        // Shifted in decimal: the fraction as it would be written, without the
        // noise of the division (1.8 / 100 = 0.018000000000000002).
        let fraction = super::figures::percent(p);
        format!(" (did you mean {fraction}? a probability is a fraction, not a percentage)")
    } else {
        String::new()
    }
}

fn dist_schema(bounds: Json) -> Json {
    let num = {
        let mut n = json!({ "type": "number" });
        if let (Some(o), Some(b)) = (n.as_object_mut(), bounds.as_object()) {
            o.extend(b.clone());
        }
        n
    };
    let arr = |n: usize, what: &str| json!({ "type": "array", "items": num, "minItems": n, "maxItems": n, "description": what });
    let one = |name: &str, schema: Json| {
        json!({
            "type": "object",
            "properties": { name: schema, "source": { "type": "string" } },
            "required": [name],
            "additionalProperties": false,
        })
    };
    json!({
        "description": "A number, or a distribution table drawn once per trial.",
        "oneOf": [
            num,
            one("uniform", arr(2, "[min, max]")),
            one("triangular", arr(3, "[min, mode, max]")),
            one("pert", arr(3, "[min, mode, max] (beta-PERT, lambda = 4)")),
            one("normal", json!({
                "type": "object",
                "properties": { "mean": { "type": "number" }, "sd": { "type": "number", "minimum": 0 } },
                "required": ["mean", "sd"], "additionalProperties": false })),
            one("lognormal", json!({
                "type": "object",
                "properties": { "median": { "type": "number", "exclusiveMinimum": 0 }, "sigma": { "type": "number", "minimum": 0 } },
                "required": ["median", "sigma"], "additionalProperties": false })),
            one("discrete", json!({
                "type": "object",
                "properties": { "values": { "type": "array", "items": num, "minItems": 1 },
                                "weights": { "type": "array", "items": { "type": "number", "minimum": 0 } } },
                "required": ["values"], "additionalProperties": false })),
        ]
    })
}

/// `schema` without the distribution forms `names` (those a kind refuses).
fn without_forms(mut schema: Json, names: &[&str]) -> Json {
    if let Some(forms) = schema.get_mut("oneOf").and_then(Json::as_array_mut) {
        forms.retain(|f| {
            !names
                .iter()
                .any(|n| f.pointer(&format!("/properties/{n}")).is_some())
        });
    }
    schema
}

/// `schema` with a normal's mean and a log-normal's median held to `bounds`
/// (a count's centre cannot be negative nor above the limit).
fn centres_within(mut schema: Json, bounds: &Json) -> Json {
    for at in ["/normal/properties/mean", "/lognormal/properties/median"] {
        let Some(forms) = schema.get_mut("oneOf").and_then(Json::as_array_mut) else {
            break;
        };
        let centre = forms
            .iter_mut()
            .find_map(|f| f.pointer_mut(&format!("/properties{at}")));
        if let (Some(Json::Object(c)), Some(b)) = (centre, bounds.as_object()) {
            c.extend(b.clone());
        }
    }
    schema
}

macro_rules! dist_kind {
    ($(#[doc = $doc:literal])* $name:ident, $forms:expr, $check:expr, $schema:expr) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub Located<Dist>);

        impl Decode for $name {
            fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
                let d = decode_dist(node, key, cx, $forms)?;
                let check: fn(&Dist) -> Result<(), String> = $check;
                if let Err(msg) = check(&d.value) {
                    cx.error(node.span(), key, msg);
                    return None;
                }
                Some($name(d))
            }
            fn placeholder() -> Option<Self> {
                Some($name(Located {
                    value: Dist::Fixed(0.0),
                    at: At::default(),
                }))
            }
            fn schema() -> Json {
                $schema
            }
        }
    };
}

dist_kind!(
    /// A probability, or a distribution of one whose every draw lies in [0, 1].
    ProbDist,
    PROB_FORMS,
    |d| {
        let (lo, hi) = d.support();
        if matches!(d, Dist::Normal { .. } | Dist::LogNormal { .. }) && lo != hi {
            return Err(format!(
                "a probability needs a bounded distribution (uniform, triangular, pert, discrete), not {}",
                d.form()
            ));
        }
        if lo < 0.0 || hi > 1.0 {
            return Err(if lo == hi {
                format!("probability must be between 0 and 1, found {lo}{}", percent_hint(lo))
            } else {
                format!("every draw of a probability must lie in [0, 1]; this {} spans [{lo}, {hi}]", d.form())
            });
        }
        Ok(())
    },
    without_forms(dist_schema(json!({ "minimum": 0, "maximum": 1 })), &["normal", "lognormal"])
);

dist_kind!(
    /// A count (troops, aircraft …): draws are rounded to the nearest integer, never below 0.
    CountDist,
    FORMS,
    |d| {
        let (lo, hi) = d.support();
        let max = limits::MAX_VALUE as f64;
        let centre = match d {
            Dist::Normal { mean, .. } => *mean,
            Dist::LogNormal { median, .. } => *median,
            _ => lo,
        };
        if lo < 0.0 && !matches!(d, Dist::Normal { .. }) {
            return Err(format!("a count cannot be negative, found {}", brief(lo)));
        }
        if centre < 0.0 {
            return Err(format!("a count's mean cannot be negative, found {}", brief(centre)));
        }
        if (hi.is_finite() && hi > max) || centre > max {
            return Err(format!(
                "too large to count: values must be at most {} (1e12)",
                limits::MAX_VALUE
            ));
        }
        Ok(())
    },
    {
        let bounds = json!({ "minimum": 0, "maximum": 1e12 });
        centres_within(dist_schema(bounds.clone()), &bounds)
    }
);

dist_kind!(
    /// Days until a nation's forces are in place (any distribution; bounded forms start at 0 or later).
    DaysDist,
    FORMS,
    |d| {
        let (lo, hi) = d.support();
        if lo < 0.0 && !matches!(d, Dist::Normal { .. }) {
            return Err(format!("days cannot be negative, found {}", brief(lo)));
        }
        if hi.is_finite() && hi > limits::MAX_DAYS as f64 {
            return Err(format!("at most {} days", limits::MAX_DAYS));
        }
        Ok(())
    },
    dist_schema(json!({ "minimum": 0, "maximum": limits::MAX_DAYS }))
);

/// An effect's scale: a number ≥ 0, or a distribution whose every draw is ≥ 0 (not a normal).
#[derive(Debug, Clone)]
pub struct ScaleDist(pub Located<Dist>);

impl Decode for ScaleDist {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        let d = decode_dist(node, key, cx, SCALE_FORMS)?;
        let lo = d.value.support().0;
        let msg = if matches!(d.value, Dist::Normal { .. }) && !d.value.is_fixed() {
            "a scale must be ≥ 0 in every draw, so it takes a number ≥ 0 or a uniform, triangular, pert, lognormal or discrete distribution, not a normal".to_string()
        } else if lo < 0.0 {
            format!("a scale cannot be negative, found {}", brief(lo))
        } else {
            return Some(ScaleDist(d));
        };
        cx.error(node.span(), key, msg);
        None
    }
    fn placeholder() -> Option<Self> {
        Some(ScaleDist(Located {
            value: Dist::Fixed(1.0),
            at: At::default(),
        }))
    }
    fn schema() -> Json {
        without_forms(dist_schema(json!({ "minimum": 0 })), &["normal"])
    }
}

/// A nation's pool of one capability: a count ≥ 0, or a distribution whose every
/// draw is ≥ 0 (not a normal), drawn and rounded once per mounted trial.
#[derive(Debug, Clone)]
pub struct PoolDist(pub Located<Dist>);

impl Decode for PoolDist {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        if key.ends_with(".source") && matches!(node.get_ref(), DeValue::String(_)) {
            cx.error(
                node.span(),
                key,
                "a pool maps capabilities to amounts; its source goes inside the capability's distribution table, e.g. pool = { troops = { pert = [10_000, 20_000, 30_000], source = \"…\" } }, or in the nation's `source`",
            );
            return None;
        }
        let d = decode_dist(node, key, cx, SCALE_FORMS)?;
        let (lo, hi) = d.value.support();
        let max = limits::MAX_VALUE as f64;
        let centre = match &d.value {
            Dist::LogNormal { median, .. } => *median,
            _ => lo,
        };
        let msg = if matches!(d.value, Dist::Normal { .. }) && !d.value.is_fixed() {
            "a pool must be ≥ 0 in every draw, so it takes a number ≥ 0 or a uniform, triangular, pert, lognormal or discrete distribution, not a normal".to_string()
        } else if lo < 0.0 {
            format!("a pool cannot be negative, found {}", brief(lo))
        } else if (hi.is_finite() && hi > max) || centre > max {
            format!(
                "too large to count: a pool must be at most {} (1e12)",
                limits::MAX_VALUE
            )
        } else {
            return Some(PoolDist(d));
        };
        cx.error(node.span(), key, msg);
        None
    }
    fn schema() -> Json {
        without_forms(
            dist_schema(json!({ "minimum": 0, "maximum": 1e12 })),
            &["normal"],
        )
    }
}

/// A number ≥ 0 (a nation's `scale`).
#[derive(Debug, Clone)]
pub struct NonNegative(pub Located<f64>);

impl Decode for NonNegative {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        let v = number(node, key, cx)?;
        if v < 0.0 {
            cx.error(node.span(), key, format!("must be a number ≥ 0, found {v}"));
            return None;
        }
        Some(NonNegative(Located {
            value: v,
            at: At::of(node, key),
        }))
    }
    fn schema() -> Json {
        json!({ "type": "number", "minimum": 0 })
    }
}

/// A share of a requirement, in [0, 1] (`lead_provides`).
#[derive(Debug, Clone)]
pub struct Share(pub Located<f64>);

impl Decode for Share {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        let v = number(node, key, cx)?;
        if !(0.0..=1.0).contains(&v) {
            cx.error(
                node.span(),
                key,
                format!(
                    "a share must be between 0 and 1, found {v}{}",
                    percent_hint(v).replace("probability", "share")
                ),
            );
            return None;
        }
        Some(Share(Located {
            value: v,
            at: At::of(node, key),
        }))
    }
    fn schema() -> Json {
        json!({ "type": "number", "minimum": 0, "maximum": 1 })
    }
}

impl Decode for Located<bool> {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        match node.get_ref() {
            DeValue::Boolean(b) => Some(Located {
                value: *b,
                at: At::of(node, key),
            }),
            _ => wrong_type(node, key, cx, "true or false"),
        }
    }
    fn schema() -> Json {
        json!({ "type": "boolean" })
    }
}

/// One entry of a domain's `lead` list: a nation (`"GBR"`) or a group of
/// co-leads (`["GBR", "FRA"]`, at least one).
#[derive(Debug, Clone)]
pub struct LeadItem {
    /// Its members, as written.
    pub members: Vec<Located<String>>,
    /// Where the entry is.
    pub at: At,
}

impl Decode for LeadItem {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        let at = At::of(node, key);
        match node.get_ref() {
            DeValue::String(_) => Located::<String>::decode(node, key, cx).map(|s| LeadItem {
                members: vec![s],
                at,
            }),
            DeValue::Array(items) => {
                if items.is_empty() {
                    cx.error(
                        node.span(),
                        key,
                        "a group of co-leads needs at least one nation, e.g. [\"GBR\", \"FRA\"]",
                    );
                    return None;
                }
                let mut members = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    let sub = format!("{key}[{i}]");
                    match item.get_ref() {
                        DeValue::String(_) => {
                            members.extend(Located::<String>::decode(item, &sub, cx))
                        }
                        _ => {
                            ok = false;
                            wrong_type::<()>(item, &sub, cx, "a nation id (a string)");
                        }
                    }
                }
                ok.then_some(LeadItem { members, at })
            }
            other => {
                cx.error(
                    node.span(),
                    key,
                    format!(
                        "expected a string, found {}: a lead entry is a nation id, or an array of nation ids for co-leads (\"GBR\" or [\"GBR\", \"FRA\"])",
                        super::decode::type_name(other)
                    ),
                );
                None
            }
        }
    }
    fn schema() -> Json {
        json!({
            "description": "A nation id, or a group of co-leads (an array of at least one nation id).",
            "oneOf": [
                { "type": "string" },
                { "type": "array", "items": { "type": "string" }, "minItems": 1 },
            ]
        })
    }
}

decode_struct! {
    /// `[scenario]`: what this scenario is and where its facts come from.
    pub struct ScenarioMeta {
        /// Title shown in reports and charts.
        name: Located<String>,
        /// A longer description.
        description: Option<Located<String>>,
        /// The reports the scenario is built on, one string each.
        sources: Vec<Located<String>>,
        /// Every nation's default rotation (3 = rule of thirds): units held per unit deployed, committed = deployed × rotation (1 to 10; 1 when absent).
        rotation: Option<Rotation>,
        /// Every nation's default ambition ρ, 0 ≤ ρ < 1 (0 when absent): how its contribution draws move together.
        ambition: Option<Ambition>,
    }
}

decode_struct! {
    /// `[simulation]`: defaults that command-line flags override.
    pub struct Simulation {
        /// Number of trials.
        trials: Option<Trials>,
        /// Seed of the random streams.
        seed: Option<Int<{ u64::MAX }>>,
        /// Report coverage by each of these days (strictly increasing).
        timeline_days: TimelineDays,
    }
}

decode_struct! {
    /// `[report]`: extra figures to report.
    pub struct ReportSpec {
        /// Per capability, totals x for which to report P(total ≥ x).
        thresholds: Table<Vec<Int<{ limits::MAX_VALUE }>>>,
    }
}

decode_struct! {
    /// `[capabilities.ID]`: something the scenario counts, summed across nations.
    pub struct Capability {
        /// The unit, e.g. "personnel".
        unit: Option<Located<String>>,
        /// A display name.
        name: Option<Located<String>>,
        /// A longer description.
        description: Option<Located<String>>,
        /// Where this comes from.
        source: Option<Located<String>>,
    }
}

decode_struct! {
    /// `[conditions.ID]`: a yes/no event drawn once per trial.
    pub struct Condition {
        /// P(the condition holds).
        probability: ProbDist,
        /// What the condition is.
        description: Option<Located<String>>,
        /// Where the probability comes from.
        source: Option<Located<String>>,
        /// What the condition does to drawn values (`[[conditions.ID.effects]]`).
        effects: Vec<Effect>,
    }
}

decode_struct! {
    /// `[[conditions.ID.effects]]`: in the trials where the condition has the value
    /// `when`, `scale` multiplies the drawn values of the targets before rounding.
    pub struct Effect {
        /// The value of the condition at which the effect applies (default false).
        when: Option<Located<bool>>,
        /// The factor: a number ≥ 0, or a distribution drawn once per trial (never a normal).
        scale: ScaleDist,
        /// What it scales: `domains.D.requirements[.C]`, `force.requirements[.C]` or `nations.N.contributions[.D[.C]]`.
        targets: Targets,
        /// What the effect is.
        description: Option<Located<String>>,
        /// Where it comes from.
        source: Option<Located<String>>,
    }
}

/// An effect's targets, and where the list is written (for the error of an
/// empty one).
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// The targets, in order.
    pub list: Vec<Located<String>>,
    /// The span of the array; `None` when the key is absent.
    pub span: Option<std::ops::Range<usize>>,
}

impl Decode for Targets {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        let list = Vec::<Located<String>>::decode(node, key, cx)?;
        Some(Targets {
            list,
            span: Some(node.span()),
        })
    }
    fn missing() -> Option<Self> {
        Some(Targets::default())
    }
    fn schema() -> Json {
        Vec::<Located<String>>::schema()
    }
}

decode_struct! {
    /// `[mission]`: what must hold for the force to deploy at all.
    pub struct Mission {
        /// Conditions that must all be true for the force to deploy; a trial where one is false is not mounted.
        requires: Vec<Located<String>>,
        /// What the gate is.
        description: Option<Located<String>>,
        /// Where it comes from.
        source: Option<Located<String>>,
    }
}

decode_struct! {
    /// `[force]`: requirements on the whole force, over every domain.
    pub struct Force {
        /// Per capability, what the force needs in all (the total over every domain).
        requirements: Table<CountDist>,
        /// A longer description.
        description: Option<Located<String>>,
        /// Where the requirements come from.
        source: Option<Located<String>>,
    }
}

decode_struct! {
    /// `[blocs.ID]`: nations whose decisions move together (one-factor Gaussian copula).
    pub struct Bloc {
        /// Latent correlation ρ, 0 ≤ ρ < 1.
        correlation: Correlation,
        /// A display name.
        name: Option<Located<String>>,
        /// A longer description.
        description: Option<Located<String>>,
        /// Where the correlation comes from.
        source: Option<Located<String>>,
    }
}

decode_struct! {
    /// `[domains.ID]`: an area of the force with a lead and requirements.
    pub struct Domain {
        /// A display name.
        name: Option<Located<String>>,
        /// Lead succession: each entry a nation or a group of co-leads; the first that qualifies leads; none → leaderless.
        lead: Vec<LeadItem>,
        /// Shares of the domain's requirements that the leading entry must itself provide (each in [0, 1]).
        lead_provides: Table<Share>,
        /// What the domain needs, per capability.
        requirements: Table<CountDist>,
        /// A longer description.
        description: Option<Located<String>>,
        /// Where the requirements come from.
        source: Option<Located<String>>,
    }
}

decode_struct! {
    /// One approval gate: a body that must approve the deployment.
    pub struct Approval {
        /// Who approves (a parliament, a coalition).
        body: Located<String>,
        /// P(approval).
        probability: ProbDist,
        /// Where the probability comes from.
        source: Option<Located<String>>,
    }
}

decode_struct! {
    /// `[nations.ID]`: a coalition member and what it would contribute.
    pub struct Nation {
        /// A display name.
        name: Option<Located<String>>,
        /// P(it commits forces), before approval gates; required unless `decision` is `"in"` or `"out"`, which ignore it.
        participation: Option<ProbDist>,
        /// Approval gates; each multiplies the participation probability.
        approval: Vec<Approval>,
        /// Caps on the probability when a condition is false or a nation is absent.
        if_absent: Table<ProbDist>,
        /// Caps on the probability when a condition is true or a nation takes part.
        if_present: Table<ProbDist>,
        /// Multiplies every contribution it draws, before rounding (a number ≥ 0; default 1).
        scale: Option<NonNegative>,
        /// The bloc whose decisions this nation's decision is correlated with.
        bloc: Option<Located<String>>,
        /// `"draw"` (default), `"in"` (takes part in every trial: caps, gates and
        /// bloc ignored) or `"out"` (never takes part).
        decision: Option<DecisionKey>,
        /// Days until its forces are in place.
        ready_days: Option<DaysDist>,
        /// What it contributes when it takes part: domain → capability → amount.
        contributions: Table<Table<CountDist>>,
        /// Units held per unit deployed (1 to 10): its own, else `[scenario] rotation`, else 1.
        rotation: Option<Rotation>,
        /// Per capability it contributes, what it can commit in all (deployed × rotation): a count ≥ 0 or a distribution (not a normal), drawn per trial; deployments above it are cut.
        pool: Table<PoolDist>,
        /// ρ, 0 ≤ ρ < 1: how its contribution draws rise and fall together (its own, else `[scenario] ambition`, else 0).
        ambition: Option<Ambition>,
        /// A longer description.
        description: Option<Located<String>>,
        /// Where the figures come from.
        source: Option<Located<String>>,
    }
}

decode_struct! {
    /// A whole scenario file.
    pub struct ScenarioFile {
        /// What this scenario is.
        scenario: ScenarioMeta,
        /// Default trial count, seed and timeline.
        simulation: Option<Simulation>,
        /// The conditions under which the force deploys at all.
        mission: Option<Mission>,
        /// Requirements on the whole force.
        force: Option<Force>,
        /// Extra figures to report.
        report: Option<ReportSpec>,
        /// What the scenario counts.
        capabilities: Table<Capability>,
        /// Yes/no events drawn once per trial.
        conditions: Table<Condition>,
        /// Groups of nations that decide together.
        blocs: Table<Bloc>,
        /// Areas of the force, with leads and requirements.
        domains: Table<Domain>,
        /// Coalition members.
        nations: Table<Nation>,
    }
}

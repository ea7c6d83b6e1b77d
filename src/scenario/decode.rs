//! Typed decoding of a spanned TOML tree that reports every error, not just the first.
//!
//! Each raw scenario type implements [`Decode`]: it reads a `Spanned<DeValue>`,
//! checks everything that can be checked locally (types, unknown keys, ranges,
//! distribution parameters) and records every problem in a [`Cx`] with its span
//! and dotted key. A value that fails is dropped, its siblings are still read.
//! The same trait describes each type as JSON Schema, so the schema printed by
//! `forcesim schema` cannot drift from what the decoder accepts.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use serde_json::{Value as Json, json};
use toml::Spanned;
use toml::de::DeValue;

use super::diag::Diagnostic;

/// A spanned TOML value, as read from the file.
pub type Node<'i> = Spanned<DeValue<'i>>;

/// Collects diagnostics while decoding.
#[derive(Debug, Default)]
pub struct Cx {
    /// Every problem found so far.
    pub diags: Vec<Diagnostic>,
    /// The dotted keys of values that are present but invalid (their errors are
    /// in `diags`): checks of structure count them as present, so that one bad
    /// value does not also read as a missing one.
    rejected: BTreeSet<String>,
    /// The virtual offset at which the `--set` overrides start, if any.
    pub overrides_from: Option<usize>,
    /// Per list of values (keys alike but for their indices, `a.b[]`), and per
    /// key outside a list, how many errors were found in it and where its "… and
    /// N more" line is in `diags`.
    lists: HashMap<String, (usize, Option<usize>)>,
    /// The keys that `[scenario] remove` took out of a base, in the order they
    /// were removed: an id that is unknown because of one says so.
    pub removals: Vec<Removal>,
}

/// A dotted key that `[scenario] remove` took out of a base.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removal {
    /// The key removed, as written (`nations.GBR`).
    pub path: String,
    /// Where the entry of `remove` that names it is written, and its key
    /// (`scenario.remove[0]`).
    pub at: At,
    /// That place as messages name it (`var.toml:3:11`), once the files are
    /// located; empty before.
    pub place: String,
    /// The keys the removed table held (`GBR`, `FRA` for `nations`); none for a
    /// value.
    pub keys: Vec<String>,
}

impl Removal {
    /// Whether the key `path` was taken out by this removal: it is the key
    /// removed, or lies within one of the keys the removed table held (a key
    /// the base never had was not removed).
    pub fn covers(&self, path: &str) -> bool {
        match path.strip_prefix(self.path.as_str()) {
            Some("") => true,
            Some(rest) => rest.strip_prefix('.').is_some_and(|rest| {
                let first = rest.split('.').next().unwrap_or(rest);
                self.keys.iter().any(|k| k == first)
            }),
            None => false,
        }
    }

    /// The latest of `removals` that took out one of the keys `paths`.
    pub fn of<'r>(removals: &'r [Removal], paths: &[String]) -> Option<&'r Removal> {
        removals
            .iter()
            .rev()
            .find(|r| paths.iter().any(|p| r.covers(p)))
    }

    /// "`GBR` was removed by var.toml:3:11 (scenario.remove[0] = \"nations.GBR\"); …":
    /// why `word` is missing, and the two ways to mend it.
    pub fn note(&self, word: &str) -> String {
        let place = if self.place.is_empty() {
            String::new()
        } else {
            format!(" {}", self.place)
        };
        format!(
            "`{word}` was removed by{place} ({} = \"{}\"); delete this reference as well, or take \"{}\" out of `remove` to keep it",
            self.at.key, self.path, self.path
        )
    }
}

/// How many errors in the elements of one list (or at one key: a key set many
/// times over) are shown; the others are counted in one line, so that a list of a
/// hundred thousand bad values stays readable.
pub const SHOWN_PER_LIST: usize = 20;

/// `key` with every index left out (`a.b[3].c[0]` → `a.b[].c[]`), when it has one.
fn list_pattern(key: &str) -> Option<String> {
    if !key.contains('[') {
        return None;
    }
    let mut out = String::with_capacity(key.len());
    let mut in_index = false;
    for c in key.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push(c);
            }
            ']' => {
                in_index = false;
                out.push(c);
            }
            _ if in_index && c.is_ascii_digit() => {}
            _ => out.push(c),
        }
    }
    Some(out)
}

impl Cx {
    /// Records a problem at `span` for `key`. Past [`SHOWN_PER_LIST`] problems in
    /// the elements of one list, or at one key, the others are counted in one line.
    pub fn error(&mut self, span: Range<usize>, key: &str, message: impl Into<String>) {
        let pattern = list_pattern(key);
        let in_list = pattern.is_some();
        let (count, line) = self
            .lists
            .entry(pattern.unwrap_or_else(|| key.to_string()))
            .or_default();
        *count += 1;
        if *count > SHOWN_PER_LIST {
            let more = *count - SHOWN_PER_LIST;
            let (list, place) = match key.rfind('[') {
                Some(i) if in_list => (&key[..i], " in this list"),
                _ if key.is_empty() => (key, ""),
                _ => (key, " at this key"),
            };
            let message = format!(
                "… and {more} more error{}{place}, not shown",
                if more == 1 { "" } else { "s" }
            );
            match line.and_then(|i| self.diags.get_mut(i)) {
                Some(d) => (d.message, d.more) = (message, more),
                None => {
                    *line = Some(self.diags.len());
                    self.diags.push(Diagnostic {
                        more,
                        span,
                        key: list.to_string(),
                        message,
                    });
                }
            }
            return;
        }
        self.diags.push(Diagnostic {
            more: 0,
            span,
            key: key.to_string(),
            message: message.into(),
        });
    }

    /// Records that the value at `key` is present but invalid (its error is
    /// recorded separately).
    pub fn reject(&mut self, key: &str) {
        self.rejected.insert(key.to_string());
    }

    /// Whether the value at `key`, or a table or array that holds it, was rejected.
    pub fn within_rejected(&self, key: &str) -> bool {
        let ends = key.char_indices().filter(|(_, c)| matches!(c, '.' | '['));
        ends.map(|(i, _)| &key[..i])
            .chain([key])
            .any(|k| self.rejected.contains(k))
    }

    /// Whether the value at `key`, or a value inside it, was rejected.
    pub fn holds_rejected(&self, key: &str) -> bool {
        self.rejected
            .range::<str, _>((std::ops::Bound::Included(key), std::ops::Bound::Unbounded))
            .take_while(|k| k.starts_with(key))
            .any(|k| matches!(k.as_bytes().get(key.len()), None | Some(b'.' | b'[')))
    }

    /// Whether a rejected value is at `key`, inside it or holds it: a structural
    /// check of `key` would count it as missing and mislead.
    pub fn near_rejected(&self, key: &str) -> bool {
        self.within_rejected(key) || self.holds_rejected(key)
    }

    /// Whether `span` points into a `--set` override rather than a file.
    pub fn is_override(&self, span: &Range<usize>) -> bool {
        self.overrides_from.is_some_and(|from| span.start >= from)
    }
}

/// Where a decoded value came from: its span and its dotted key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct At {
    /// Byte span of the value.
    pub span: Range<usize>,
    /// Dotted key (`nations.GBR.participation`).
    pub key: String,
}

impl At {
    pub(crate) fn of(node: &Node<'_>, key: &str) -> Self {
        At {
            span: node.span(),
            key: key.to_string(),
        }
    }
}

/// A decoded value with the place it was written (its span and dotted key).
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub at: At,
}

/// Joins a dotted key and a sub-key.
pub fn join(key: &str, sub: &str) -> String {
    if key.is_empty() {
        sub.to_string()
    } else {
        format!("{key}.{sub}")
    }
}

/// A type that can be read from a spanned TOML value, with every error recorded.
pub trait Decode: Sized {
    /// Reads `node` (at dotted key `key`); `None` when it is invalid (the reason is in `cx`).
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self>;
    /// The value when the key is absent; `None` means the key is required.
    fn missing() -> Option<Self> {
        None
    }
    /// A stand-in for a required value that was missing or invalid (its error is
    /// already recorded), so that the rest of its table is still checked. No model
    /// is ever built from a stand-in: the recorded error stops that.
    fn placeholder() -> Option<Self> {
        None
    }
    /// JSON Schema of what [`Decode::decode`] accepts.
    fn schema() -> Json;
}

/// "a string", "an integer" … for messages.
pub(crate) fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// Records "expected X, found Y" and returns `None`.
pub fn wrong_type<T>(node: &Node<'_>, key: &str, cx: &mut Cx, expected: &str) -> Option<T> {
    // A figure in quotes: how to write it as a number.
    let hint = match node.get_ref() {
        DeValue::String(s) if expected.starts_with("a number") => {
            let t = s.trim();
            let plain = t.bytes().any(|b| b.is_ascii_digit())
                && t.bytes()
                    .all(|b| b.is_ascii_digit() || b"+-.eE_".contains(&b));
            if plain && t.replace('_', "").parse::<f64>().is_ok() {
                " (write it without quotes)".to_string()
            } else {
                super::figures::figure_hint(s)
            }
        }
        _ => String::new(),
    };
    cx.error(
        node.span(),
        key,
        format!(
            "expected {expected}, found {}{hint}",
            type_name(node.get_ref())
        ),
    );
    None
}

/// Reads a number (integer or float), rejecting NaN and infinities.
pub fn number(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<f64> {
    match node.get_ref() {
        DeValue::Integer(i) => {
            let parsed = i128::from_str_radix(i.as_str(), i.radix()).ok();
            match parsed {
                Some(x) if x.unsigned_abs() <= (1u128 << 63) => Some(x as f64),
                _ => {
                    let message = if i.as_str().starts_with('-') {
                        "integer is too small: below −2^63"
                    } else {
                        "integer is too large: above 2^63"
                    };
                    cx.error(node.span(), key, message);
                    None
                }
            }
        }
        DeValue::Float(f) => match f.as_str().parse::<f64>() {
            Ok(x) if x.is_finite() => Some(x),
            Ok(_) | Err(_) => {
                cx.error(
                    node.span(),
                    key,
                    format!("expected a finite number, found `{}`", f.as_str()),
                );
                None
            }
        },
        _ => wrong_type(node, key, cx, "a number"),
    }
}

/// Reads a whole number in `[0, max]`; a float with an integral value is accepted.
pub fn whole(node: &Node<'_>, key: &str, cx: &mut Cx, max: u64) -> Option<u64> {
    whole_between(node, key, cx, 0, max)
}

/// Reads a whole number in `[min, max]`; a float with an integral value is accepted.
pub fn whole_between(node: &Node<'_>, key: &str, cx: &mut Cx, min: u64, max: u64) -> Option<u64> {
    let value = match node.get_ref() {
        DeValue::Integer(i) => match i128::from_str_radix(i.as_str(), i.radix()) {
            Ok(x) => x,
            Err(_) => {
                cx.error(node.span(), key, format!("too large: at most {max}"));
                return None;
            }
        },
        DeValue::Float(_) => {
            let x = number(node, key, cx)?;
            if x.fract() != 0.0 {
                cx.error(
                    node.span(),
                    key,
                    format!("expected a whole number, found {x}"),
                );
                return None;
            }
            if x.abs() > 1e30 {
                cx.error(node.span(), key, format!("too large: at most {max}"));
                return None;
            }
            x as i128
        }
        _ => return wrong_type(node, key, cx, "a whole number"),
    };
    if value < min as i128 {
        let range = match min {
            0 => "must be at least 0".to_string(),
            _ => format!("must be between {min} and {max}"),
        };
        cx.error(node.span(), key, format!("{range}, found {value}"));
        return None;
    }
    if value > max as i128 {
        cx.error(
            node.span(),
            key,
            format!("too large: at most {max}, found {value}"),
        );
        return None;
    }
    Some(value as u64)
}

impl Decode for Located<String> {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        match node.get_ref() {
            DeValue::String(s) => Some(Located {
                value: s.to_string(),
                at: At::of(node, key),
            }),
            _ => wrong_type(node, key, cx, "a string"),
        }
    }
    fn placeholder() -> Option<Self> {
        Some(Located {
            value: String::new(),
            at: At::default(),
        })
    }
    fn schema() -> Json {
        json!({ "type": "string" })
    }
}

impl Decode for Located<f64> {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        number(node, key, cx).map(|v| Located {
            value: v,
            at: At::of(node, key),
        })
    }
    fn schema() -> Json {
        json!({ "type": "number" })
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        T::decode(node, key, cx).map(Some)
    }
    fn missing() -> Option<Self> {
        Some(None)
    }
    fn schema() -> Json {
        T::schema()
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        let DeValue::Array(items) = node.get_ref() else {
            return wrong_type(node, key, cx, "an array");
        };
        // Items that fail are left out (their errors are recorded); the others are
        // kept so that references in them are still checked.
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let sub = format!("{key}[{i}]");
            match T::decode(item, &sub, cx) {
                Some(v) => out.push(v),
                None => cx.reject(&sub),
            }
        }
        Some(out)
    }
    fn missing() -> Option<Self> {
        Some(Vec::new())
    }
    fn schema() -> Json {
        json!({ "type": "array", "items": T::schema() })
    }
}

/// One entry of a table keyed by id (`[nations.GBR]`).
#[derive(Debug, Clone)]
pub struct Entry<T> {
    /// The id, with the span of the key.
    pub id: Located<String>,
    /// The value, or `None` when it failed to decode (its errors are already recorded).
    pub value: Option<T>,
}

/// A table keyed by ids, in file order. Entries that failed to decode keep their id,
/// so that references to them do not raise a second, misleading error.
#[derive(Debug, Clone)]
pub struct Table<T> {
    /// The entries, in file order.
    pub entries: Vec<Entry<T>>,
    /// Where the table itself is.
    pub at: At,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            entries: Vec::new(),
            at: At::default(),
        }
    }
}

impl<T> Table<T> {
    /// Entries whose value decoded.
    pub fn ok(&self) -> impl Iterator<Item = (&Located<String>, &T)> {
        self.entries
            .iter()
            .filter_map(|e| e.value.as_ref().map(|v| (&e.id, v)))
    }
    /// Whether any entry has this id (decoded or not).
    pub fn has(&self, id: &str) -> bool {
        self.entries.iter().any(|e| e.id.value == id)
    }
    /// Whether every entry decoded.
    pub fn all_ok(&self) -> bool {
        self.entries.iter().all(|e| e.value.is_some())
    }
}

/// Whether `id` is a valid identifier: ASCII letters, digits, `_` and `-`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl<T: Decode> Decode for Table<T> {
    fn decode(node: &Node<'_>, key: &str, cx: &mut Cx) -> Option<Self> {
        let DeValue::Table(table) = node.get_ref() else {
            return wrong_type(node, key, cx, "a table");
        };
        let mut entries = Vec::with_capacity(table.len());
        for (k, v) in table.iter() {
            let sub = join(key, k.get_ref());
            if !valid_id(k.get_ref()) {
                cx.error(
                    k.span(),
                    &sub,
                    format!(
                        "`{}` is not a valid id: use 1 to 64 ASCII letters (A–Z, a–z), digits, `_` or `-`",
                        k.get_ref()
                    ),
                );
            }
            entries.push(Entry {
                id: Located {
                    value: k.get_ref().to_string(),
                    at: At {
                        span: k.span(),
                        key: sub.clone(),
                    },
                },
                value: T::decode(v, &sub, cx),
            });
            if entries.last().is_some_and(|e| e.value.is_none()) {
                cx.reject(&sub);
            }
        }
        Some(Table {
            entries,
            at: At::of(node, key),
        })
    }
    fn missing() -> Option<Self> {
        Some(Table::default())
    }
    fn schema() -> Json {
        json!({
            "type": "object",
            "propertyNames": { "pattern": "^[A-Za-z0-9_-]{1,64}$" },
            "additionalProperties": T::schema(),
        })
    }
}

/// Reads `node` as a table and hands each known key to `field`; unknown keys are
/// errors that list the valid keys. Used by [`decode_struct!`].
pub fn for_each_field<'a, 'i>(
    node: &'a Node<'i>,
    key: &str,
    cx: &mut Cx,
    fields: &[&str],
    mut field: impl FnMut(&str, &'a Node<'i>, &str, &mut Cx),
) -> bool {
    let DeValue::Table(table) = node.get_ref() else {
        wrong_type::<()>(node, key, cx, "a table");
        return false;
    };
    for (k, v) in table.iter() {
        let name: &str = k.get_ref();
        let sub = join(key, name);
        if fields.contains(&name) {
            field(name, v, &sub, cx);
        } else {
            // `[scenario]` also takes `extends` and `remove`, read before decoding.
            let mut valid = fields.to_vec();
            if key == "scenario" {
                valid.extend(["extends", "remove"]);
            }
            let hint = match closest(name, &valid) {
                Some(c) => format!(" (did you mean `{c}`?)"),
                None => String::new(),
            };
            cx.error(
                k.span(),
                &sub,
                format!(
                    "unknown key `{name}`{hint}; valid keys here: {}",
                    valid.join(", ")
                ),
            );
        }
    }
    true
}

/// The candidate closest to `word` by edit distance (a swap of two neighbours
/// counts one edit), when it is close enough to be a typo; the first of equals.
/// A candidate of up to four characters is a typo's target at one edit (two of
/// three letters changed is another word: `UKR` is not a typo of `GBR`); longer
/// ones at two, or a quarter of their characters.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let len = word.chars().count();
    let lower = word.to_ascii_lowercase();
    candidates
        .iter()
        // The distance is at least the difference in length: a candidate too
        // short or too long is no typo's target, and is not measured (a long
        // word against many ids would take minutes).
        .filter(|c| len.abs_diff(c.chars().count()) <= typo_edits(c))
        .map(|c| (strsim::osa_distance(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= typo_edits(c) && *d < c.chars().count())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The most edits that make `word` a typo of `candidate` (see [`closest`]).
fn typo_edits(candidate: &str) -> usize {
    match candidate.chars().count() {
        0..=4 => 1,
        n => 2.max(n / 4),
    }
}

/// Defines a raw scenario struct and its [`Decode`] implementation (and schema)
/// from one list of documented fields. Every field type must implement `Decode`;
/// `Option`, `Vec` and `Table` fields are optional, others are required. A struct
/// decodes when its required fields do; an optional field that fails reads as
/// absent (its errors are recorded), so that the rest of the file is still checked.
macro_rules! decode_struct {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            $( $(#[doc = $fdoc:literal])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            /// Where this table is.
            pub at: $crate::scenario::decode::At,
            $( $(#[doc = $fdoc])* pub $field: $ty, )*
        }

        impl $crate::scenario::decode::Decode for $name {
            fn decode(
                node: &$crate::scenario::decode::Node<'_>,
                key: &str,
                cx: &mut $crate::scenario::decode::Cx,
            ) -> Option<Self> {
                use $crate::scenario::decode::Decode;
                const FIELDS: &[&str] = &[$(stringify!($field)),*];
                $( let mut $field: Option<Option<$ty>> = None; )*
                let is_table = $crate::scenario::decode::for_each_field(
                    node, key, cx, FIELDS,
                    |name, value, sub, cx| match name {
                        $( stringify!($field) => $field = Some(<$ty as Decode>::decode(value, sub, cx)), )*
                        _ => {}
                    },
                );
                if !is_table {
                    return None;
                }
                let mut ok = true;
                $(
                    let $field: Option<$ty> = match $field {
                        Some(Some(v)) => Some(v),
                        // A value that failed (its errors are recorded) reads as absent
                        // when optional, else as a stand-in, so that checks elsewhere in
                        // the file still run.
                        Some(None) => {
                            cx.reject(&$crate::scenario::decode::join(key, stringify!($field)));
                            match <$ty as Decode>::missing().or_else(<$ty as Decode>::placeholder) {
                                Some(v) => Some(v),
                                None => { ok = false; None }
                            }
                        }
                        None => match <$ty as Decode>::missing() {
                            Some(v) => Some(v),
                            None => {
                                cx.error(
                                    node.span(),
                                    &$crate::scenario::decode::join(key, stringify!($field)),
                                    format!("missing required key `{}`", stringify!($field)),
                                );
                                match <$ty as Decode>::placeholder() {
                                    Some(v) => Some(v),
                                    None => { ok = false; None }
                                }
                            }
                        },
                    };
                )*
                if !ok {
                    return None;
                }
                Some($name {
                    at: $crate::scenario::decode::At::of(node, key),
                    $( $field: $field?, )*
                })
            }

            // A table that is missing or invalid stands in with each field's own
            // default or stand-in, when every field has one.
            fn placeholder() -> Option<Self> {
                use $crate::scenario::decode::Decode;
                Some($name {
                    at: $crate::scenario::decode::At::default(),
                    $( $field: <$ty as Decode>::missing().or_else(<$ty as Decode>::placeholder)?, )*
                })
            }

            fn schema() -> serde_json::Value {
                use $crate::scenario::decode::Decode;
                let mut properties = serde_json::Map::new();
                let mut required: Vec<&str> = Vec::new();
                $(
                    let mut field_schema = <$ty as Decode>::schema();
                    let text: &[&str] = &[$($fdoc),*];
                    let text = text.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
                    if !text.is_empty() {
                        if let Some(obj) = field_schema.as_object_mut() {
                            obj.insert("description".into(), serde_json::Value::String(text));
                        }
                    }
                    properties.insert(stringify!($field).into(), field_schema);
                    if <$ty as Decode>::missing().is_none() {
                        required.push(stringify!($field));
                    }
                )*
                let text: &[&str] = &[$($doc),*];
                let text = text.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
                serde_json::json!({
                    "type": "object",
                    "description": text,
                    "additionalProperties": false,
                    "properties": properties,
                    "required": required,
                })
            }
        }
    };
}

pub(crate) use decode_struct;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_integer_out_of_range_says_which_way() {
        let text = "[scenario]\nname = \"x\"\n[capabilities]\nt = {}\n[domains.d]\n\
                    requirements = { t = 1 }\n[nations.A]\nparticipation = 1\n";
        let bad = |v: &str| {
            let t = text.replace("t = 1 }", &format!("t = {v} }}"));
            match crate::scenario::parse("t.toml", &t, &[]) {
                Ok(_) => panic!("{v} is no integer of 64 bits"),
                Err(d) => d.to_string(),
            }
        };
        assert!(bad("-9223372036854775809").contains("integer is too small: below −2^63"));
        assert!(bad("99999999999999999999").contains("integer is too large: above 2^63"));
    }

    #[test]
    fn closest_finds_typos_only() {
        let f = ["participation", "approval", "bloc"];
        assert_eq!(closest("participaton", &f), Some("participation"));
        assert_eq!(closest("blok", &f), Some("bloc"));
        assert_eq!(closest("zzzzzz", &f), None);
    }

    #[test]
    fn closest_counts_characters_ignores_case_and_prefers_the_nearest() {
        let f = [
            "uniform",
            "triangular",
            "pert",
            "normal",
            "lognormal",
            "discrete",
        ];
        assert_eq!(closest("Normale", &f), Some("normal"));
        assert_eq!(closest("lognormal", &f), Some("lognormal"));
        assert_eq!(closest("perts", &f), Some("pert"));
        // A distance equal to the candidate's length is no hint ("ab" is not a typo of "xy").
        assert_eq!(closest("xy", &["ab"]), None);
        // Distances count characters, not bytes (`è` is two bytes).
        assert_eq!(closest("nèe", &["nee"]), Some("nee"));
        assert_eq!(closest("nèèdle", &["needle"]), Some("needle"));
        // Short ids: one edit is a typo, two are another word.
        assert_eq!(closest("GRB", &["GBR", "CYP"]), Some("GBR"));
        assert_eq!(closest("UKR", &["GBR", "CYP"]), None);
        assert_eq!(closest("XYZ", &["GBR", "CYP"]), None);
        assert_eq!(closest("FRAN", &["FRA"]), Some("FRA"));
        assert_eq!(closest("lnad", &["land"]), Some("land"));
        assert_eq!(closest("sae", &["sea"]), Some("sea"));
        assert_eq!(closest("aor", &["air"]), Some("air"));
        assert_eq!(closest("ear", &["air"]), None);
        assert_eq!(closest("ESPP", &["ESP", "FRA"]), Some("ESP"));
        assert_eq!(closest("q", &[]), None);
        // Lengths far apart are never measured, and never a typo.
        assert_eq!(closest("GBRR", &["GBR"]), Some("GBR"));
        assert_eq!(closest("GBRRR", &["GBR"]), None);
        assert_eq!(
            closest("participationss", &["participation"]),
            Some("participation")
        );
        assert_eq!(
            closest("participationsss", &["participation"]),
            Some("participation")
        );
        assert_eq!(closest("participationssss", &["participation"]), None);
    }

    #[test]
    fn errors_past_twenty_in_one_list_are_counted_in_one_line() {
        assert_eq!(list_pattern("a.b[3].c[10]").as_deref(), Some("a.b[].c[]"));
        assert_eq!(list_pattern("a.b"), None);
        let mut cx = Cx::default();
        for i in 0..SHOWN_PER_LIST + 1 {
            cx.error(i..i, &format!("n.A.approval[{i}].body"), "bad");
            cx.error(i..i, &format!("n.B.lead[{i}]"), "bad");
        }
        cx.error(0..0, "n.A.name", "bad");
        let more: Vec<&Diagnostic> = cx
            .diags
            .iter()
            .filter(|d| d.message.contains("more"))
            .collect();
        assert_eq!(more.len(), 2);
        assert_eq!(more[0].key, "n.A.approval");
        assert_eq!(
            more[0].message,
            "… and 1 more error in this list, not shown"
        );
        assert_eq!(more[1].key, "n.B.lead");
        assert_eq!(cx.diags.len(), 2 * SHOWN_PER_LIST + 3);
    }

    #[test]
    fn ids_are_restricted() {
        assert!(valid_id("GBR"));
        assert!(valid_id("us_backstop-2"));
        assert!(!valid_id(""));
        assert!(!valid_id("a.b"));
        assert!(!valid_id("a b"));
    }
}

//! `[scenario] extends = "base.toml"`: a scenario written as changes to another.
//!
//! The base is read first (relative to the extending file), then the extending
//! file's tables are merged into it key by key:
//!
//! - Tables that group entries or settings are merged key by key: the top-level
//!   tables, each entry of `capabilities`, `conditions`, `blocs`, `domains` and
//!   `nations`, `report.thresholds`, `force.requirements`, a domain's
//!   `requirements` and `lead_provides`, a nation's `if_absent`, `if_present`,
//!   `pool`, `contributions` and each of its domains' contributions. A key the base
//!   lacks is added after the base's keys.
//! - Every other value replaces the base's whole: a number, a string, an array
//!   (`lead = []` empties the lead list, `approval = [...]` replaces every gate, a
//!   condition's `effects` replace all its effects) and a distribution table
//!   (`troops = { pert = [1, 2, 3] }` replaces the base's distribution, its
//!   `source` included).
//! - `[scenario] remove = ["nations.DNK", "domains.sea.requirements.vessels"]`
//!   deletes those dotted keys from the base before the merge; a removed entry may be
//!   written again in full.
//!
//! A base may itself extend another, up to [`MAX_EXTENDS_DEPTH`] files deep; a
//! cycle or a missing base is an error at the `extends` that names it. Each base's
//! text is kept in the [`SourceText`] at its own offsets, so that every diagnostic
//! names the file, line and column where the value was written.

use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::decode::{At, Cx, Removal, closest, join};
use super::diag::{BaseText, SourceText};

/// Most files a chain of `extends` may pass through (not counting the first).
pub const MAX_EXTENDS_DEPTH: usize = 8;

/// The keys of `[scenario]` that say how to build the document; they are taken
/// out of each file before the merge.
const EXTENDS: &str = "extends";
const REMOVE: &str = "remove";

/// `[scenario] extends` of a parsed file, as (path text, span); errors when it is
/// not a string.
pub(crate) fn extends_of(root: &DeTable<'_>, cx: &mut Cx) -> Option<(String, Range<usize>)> {
    let node = scenario_key(root, EXTENDS)?;
    match node.get_ref() {
        DeValue::String(s) if !s.trim().is_empty() => Some((s.to_string(), node.span())),
        _ => {
            cx.error(
                node.span(),
                "scenario.extends",
                "expected the path of the base scenario, relative to this file, e.g. extends = \"paris-2026.toml\"",
            );
            None
        }
    }
}

/// Whether the file has `[scenario] remove` (an error without `extends`).
pub(crate) fn remove_of<'a, 'i>(root: &'a DeTable<'i>) -> Option<&'a Spanned<DeValue<'i>>> {
    scenario_key(root, REMOVE)
}

fn scenario_key<'a, 'i>(root: &'a DeTable<'i>, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
    match root.get("scenario").map(Spanned::get_ref) {
        Some(DeValue::Table(t)) => t.get(key),
        _ => None,
    }
}

/// Reads every base of the chain that starts at the file `origin` (whose `extends`
/// is `first`), nearest first, each placed after `source`'s text and earlier
/// bases. Errors (missing file, cycle, depth, syntax) are recorded in `cx`, at the
/// `extends` that names the file, and the chain read so far is returned.
pub(crate) fn read_chain(
    origin: &str,
    first: (String, Range<usize>),
    source: &SourceText,
    cx: &mut Cx,
) -> Vec<BaseText> {
    let mut chain: Vec<BaseText> = Vec::new();
    let mut seen: Vec<(PathBuf, String)> = vec![(canonical(Path::new(origin)), origin.into())];
    let mut next = Some(first);
    let mut from = origin.to_string();
    while let Some((rel, span)) = next.take() {
        if chain.len() == MAX_EXTENDS_DEPTH {
            cx.error(
                span,
                "scenario.extends",
                format!(
                    "too many levels of `extends`: a chain may pass through at most {MAX_EXTENDS_DEPTH} base files"
                ),
            );
            break;
        }
        let path = relative_to(&from, &rel);
        let shown = path.display().to_string();
        let text = match read_base(&path) {
            Ok(text) => text,
            Err(why) => {
                cx.error(
                    span,
                    "scenario.extends",
                    format!("cannot read the base scenario `{rel}` ({shown}): {why}"),
                );
                break;
            }
        };
        let canon = canonical(&path);
        if let Some(pos) = seen.iter().position(|(c, _)| *c == canon) {
            let mut names: Vec<&str> = seen[pos..].iter().map(|(_, o)| o.as_str()).collect();
            names.push(&shown);
            cx.error(
                span,
                "scenario.extends",
                format!(
                    "`extends` forms a cycle: {}; the chain must end in a scenario that extends nothing",
                    names.join(" → ")
                ),
            );
            break;
        }
        let start = chain
            .last()
            .map_or(source.text.len() + 1, |b| b.start + b.text.len() + 1);
        let (root, errors) = DeTable::parse_recoverable(&text);
        super::keys::syntax_errors(&text, start, &errors, cx);
        if errors.is_empty() {
            let root = super::shift_table(root.into_inner(), start);
            next = extends_of(&root, cx);
        }
        seen.push((canon, shown.clone()));
        chain.push(BaseText::new(start, shown.clone(), text));
        from = shown;
    }
    chain
}

/// `rel` relative to the directory of the file `from`.
fn relative_to(from: &str, rel: &str) -> PathBuf {
    let rel = Path::new(rel);
    match Path::new(from).parent() {
        Some(dir) if !rel.is_absolute() => dir.join(rel),
        _ => rel.to_path_buf(),
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A base file's text: at most the scenario size limit, valid UTF-8, without the
/// byte-order mark that may open it. (The scenario's own file keeps its mark,
/// which its diagnostics skip at offset 0; a base's lines and columns are counted
/// from its text alone, so the mark is taken out here, where no column is lost.)
fn read_base(path: &Path) -> Result<String, String> {
    let limit = crate::limits::MAX_SCENARIO_BYTES;
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file (a directory, device, pipe or socket)".into());
    }
    let bytes = crate::input::read_limited(path, limit as u64).map_err(|e| e.to_string())?;
    if bytes.len() > limit {
        return Err(format!(
            "the file is larger than {limit} bytes, the limit for a scenario"
        ));
    }
    let mut text = String::from_utf8(bytes)
        .map_err(|_| "the file is not valid UTF-8 text: save it as UTF-8".to_string())?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// The document of `main` (already parsed, spans in place) merged onto its
/// chain of `bases` (nearest first), with `extends` and `remove` taken out.
pub(crate) fn resolve<'i>(main: DeTable<'i>, bases: &'i [BaseText], cx: &mut Cx) -> DeTable<'i> {
    let mut files: Vec<DeTable<'i>> = bases
        .iter()
        .map(|b| {
            let (root, _) = DeTable::parse_recoverable(&b.text);
            super::shift_table(root.into_inner(), b.start)
        })
        .collect();
    files.insert(0, main);
    let mut doc = DeTable::new();
    for mut file in files.into_iter().rev() {
        let remove = take_scenario_key(&mut file, REMOVE);
        take_scenario_key(&mut file, EXTENDS);
        if let Some(remove) = remove {
            apply_removals(&mut doc, &remove, cx);
        }
        merge(&mut doc, file, &mut Vec::new());
    }
    doc
}

/// The file's own document without `extends` and `remove` (which only a
/// chain gives meaning to).
pub(crate) fn own_keys(mut root: DeTable<'_>) -> DeTable<'_> {
    take_scenario_key(&mut root, REMOVE);
    take_scenario_key(&mut root, EXTENDS);
    root
}

fn take_scenario_key<'i>(root: &mut DeTable<'i>, key: &str) -> Option<Spanned<DeValue<'i>>> {
    match root.get_mut("scenario").map(Spanned::get_mut) {
        Some(DeValue::Table(t)) => t.remove(key),
        _ => None,
    }
}

/// Whether the table at `path` is merged key by key (else it is a value, replaced whole).
fn merged(path: &[String]) -> bool {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    matches!(
        p.as_slice(),
        [_] | [
            "capabilities" | "conditions" | "blocs" | "domains" | "nations",
            _,
        ] | ["report", "thresholds"]
            | ["force", "requirements"]
            | ["domains", _, "requirements" | "lead_provides"]
            | [
                "nations",
                _,
                "if_absent" | "if_present" | "contributions" | "pool"
            ]
            | ["nations", _, "contributions", _]
    )
}

/// Merges `child` into `base` (the table at `path`) by the rule of the module docs.
fn merge<'i>(base: &mut DeTable<'i>, child: DeTable<'i>, path: &mut Vec<String>) {
    for (k, v) in child {
        path.push(k.get_ref().to_string());
        let deeper = merged(path) && matches!(v.get_ref(), DeValue::Table(_));
        match base.get_mut(k.get_ref().as_ref()) {
            Some(b) if deeper && matches!(b.get_ref(), DeValue::Table(_)) => {
                if let (DeValue::Table(bt), DeValue::Table(ct)) = (b.get_mut(), v.into_inner()) {
                    merge(bt, ct, path);
                }
            }
            Some(b) => *b = v,
            None => {
                base.insert(k, v);
            }
        }
        path.pop();
    }
}

/// Names the place of each key `[scenario] remove` took out (`var.toml:3:11`),
/// for the messages about the ids it removed.
pub(crate) fn locate_removals(source: &SourceText, cx: &mut Cx) {
    for r in &mut cx.removals {
        r.place = source.place_text(r.at.span.start);
    }
}

/// Applies `[scenario] remove` (an array of dotted keys) to the base document;
/// each key removed is recorded in `cx`, with the place that removes it.
fn apply_removals(doc: &mut DeTable<'_>, remove: &Spanned<DeValue<'_>>, cx: &mut Cx) {
    let DeValue::Array(items) = remove.get_ref() else {
        cx.error(
            remove.span(),
            "scenario.remove",
            "expected an array of dotted keys to remove from the base, e.g. remove = [\"nations.DNK\"]",
        );
        return;
    };
    let first = cx.removals.len();
    for (i, item) in items.iter().enumerate() {
        let key = format!("scenario.remove[{i}]");
        let earlier = match item.get_ref() {
            DeValue::String(s) => cx.removals[first..].iter().find(|r| r.covers(s)),
            _ => None,
        };
        if let (Some(r), DeValue::String(s)) = (earlier, item.get_ref()) {
            let msg = format!("cannot remove `{s}`: `{}` already removed it", r.at.key);
            cx.error(item.span(), &key, msg);
            continue;
        }
        match item.get_ref() {
            DeValue::String(s) => match remove_key(doc, s) {
                Ok(keys) => cx.removals.push(Removal {
                    path: s.to_string(),
                    at: At::of(item, &key),
                    place: String::new(),
                    keys,
                }),
                Err(msg) => cx.error(item.span(), &key, msg),
            },
            _ => cx.error(
                item.span(),
                &key,
                "expected a dotted key as a string, e.g. \"nations.DNK\"",
            ),
        }
    }
}

/// Removes the dotted `key` from `doc`, with the keys the removed table held
/// (none for a value), or says why it cannot.
fn remove_key(doc: &mut DeTable<'_>, key: &str) -> Result<Vec<String>, String> {
    let parts: Vec<&str> = key.split('.').collect();
    if parts.iter().any(|p| p.trim().is_empty()) {
        return Err(format!(
            "`{key}` is not a dotted key: write e.g. \"nations.DNK\""
        ));
    }
    let (last, parents) = parts.split_last().expect("split yields one part");
    let mut cur = doc;
    let mut path = String::new();
    for p in parents {
        let next = cur.get_mut(*p).map(Spanned::get_mut);
        match next {
            Some(DeValue::Table(t)) => cur = t,
            Some(_) => {
                let at = join(&path, p);
                return Err(format!(
                    "cannot remove `{key}`: `{at}` in the base is a value, not a table, so it has no keys to remove (remove `{at}` itself)"
                ));
            }
            None => return Err(nothing_at(key, &path, p, None)),
        }
        path = join(&path, p);
    }
    let present: Vec<String> = cur.keys().map(|k| k.get_ref().to_string()).collect();
    match cur.remove(*last).map(Spanned::into_inner) {
        Some(DeValue::Table(t)) => Ok(t.keys().map(|k| k.get_ref().to_string()).collect()),
        Some(_) => Ok(Vec::new()),
        None => Err(nothing_at(key, &path, last, Some(&present))),
    }
}

fn nothing_at(key: &str, path: &str, missing: &str, present: Option<&[String]>) -> String {
    let level = if path.is_empty() {
        "at the top level".to_string()
    } else {
        format!("in `{path}`")
    };
    let hint = present
        .and_then(|p| {
            let p: Vec<&str> = p.iter().map(String::as_str).collect();
            closest(missing, &p).map(|c| format!(" (did you mean `{}`?)", join(path, c)))
        })
        .unwrap_or_default();
    format!("cannot remove `{key}`: the base has no `{missing}` {level}{hint}")
}

/// The document as TOML text: each table that is merged key by key under its own
/// `[header]`, every other value inline. Parsing the text gives the same document
/// (comments and layout aside); a sharded run embeds it in its partials.
pub(crate) fn to_toml(doc: &DeTable<'_>) -> String {
    let mut out = String::new();
    write_table(&mut out, doc, &mut Vec::new());
    out
}

fn write_table(out: &mut String, t: &DeTable<'_>, path: &mut Vec<String>) {
    let is_header = |k: &str, v: &DeValue<'_>, path: &mut Vec<String>| {
        path.push(k.to_string());
        let h = merged(path) && matches!(v, DeValue::Table(_));
        path.pop();
        h
    };
    for (k, v) in t {
        if !is_header(k.get_ref(), v.get_ref(), path) {
            out.push_str(&format!("{} = ", key_text(k.get_ref())));
            write_value(out, v.get_ref());
            out.push('\n');
        }
    }
    for (k, v) in t {
        if let DeValue::Table(sub) = v.get_ref()
            && is_header(k.get_ref(), v.get_ref(), path)
        {
            path.push(k.get_ref().to_string());
            let header: Vec<String> = path.iter().map(|p| key_text(p)).collect();
            out.push_str(&format!("\n[{}]\n", header.join(".")));
            write_table(out, sub, path);
            path.pop();
        }
    }
}

fn write_value(out: &mut String, v: &DeValue<'_>) {
    match v {
        DeValue::String(s) => out.push_str(&string_text(s)),
        DeValue::Integer(i) => out.push_str(&i.to_string()),
        DeValue::Float(f) => out.push_str(f.as_str()),
        DeValue::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        DeValue::Datetime(d) => out.push_str(&d.to_string()),
        DeValue::Array(a) => {
            out.push('[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item.get_ref());
            }
            out.push(']');
        }
        DeValue::Table(t) => {
            out.push('{');
            for (i, (k, item)) in t.iter().enumerate() {
                out.push_str(if i > 0 { ", " } else { " " });
                out.push_str(&format!("{} = ", key_text(k.get_ref())));
                write_value(out, item.get_ref());
            }
            out.push_str(if t.is_empty() { "}" } else { " }" });
        }
    }
}

fn key_text(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        string_text(k)
    }
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
pub(crate) fn string_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> DeTable<'_> {
        DeTable::parse(text).unwrap().into_inner()
    }

    #[test]
    fn tables_merge_and_values_replace() {
        let base = parse(
            "[domains.land]\nlead = [\"GBR\", \"FRA\"]\nrequirements = { troops = 5, tanks = 2 }\n\
             [nations.GBR.contributions.land]\ntroops = { pert = [1, 2, 3], source = \"s\" }\ntanks = 1\n",
        );
        let child = parse(
            "[domains.land]\nlead = []\nrequirements.troops = 9\n\
             [nations.GBR.contributions.land]\ntroops = { triangular = [1, 2, 4] }\n",
        );
        let mut doc = DeTable::new();
        merge(&mut doc, base, &mut Vec::new());
        merge(&mut doc, child, &mut Vec::new());
        assert_eq!(
            to_toml(&doc),
            "\n[domains]\n\n[domains.land]\nlead = []\n\n[domains.land.requirements]\ntroops = 9\ntanks = 2\n\
             \n[nations]\n\n[nations.GBR]\n\n[nations.GBR.contributions]\n\n[nations.GBR.contributions.land]\n\
             troops = { triangular = [1, 2, 4] }\ntanks = 1\n"
        );
    }

    #[test]
    fn removals_name_what_is_missing() {
        let mut doc = parse("[nations.DNK]\nx = 1\n[nations.GBR]\nx = 2\n");
        assert!(remove_key(&mut doc, "nations.DNK").is_ok());
        assert_eq!(to_toml(&doc), "\n[nations]\n\n[nations.GBR]\nx = 2\n");
        assert_eq!(
            remove_key(&mut doc, "nations.GRB").unwrap_err(),
            "cannot remove `nations.GRB`: the base has no `GRB` in `nations` (did you mean `nations.GBR`?)"
        );
        assert_eq!(
            remove_key(&mut doc, "blocs.e3").unwrap_err(),
            "cannot remove `blocs.e3`: the base has no `blocs` at the top level"
        );
        assert_eq!(
            remove_key(&mut doc, "nations.GBR.x.y").unwrap_err(),
            "cannot remove `nations.GBR.x.y`: `nations.GBR.x` in the base is a value, not a table, so it has no keys to remove (remove `nations.GBR.x` itself)"
        );
    }

    #[test]
    fn written_text_parses_to_the_same_values() {
        let doc = parse(
            "[scenario]\nname = \"a \\\"q\\\" \\u0007 é\"\nsources = [\"x\", 'y']\n\
             [nations.\"odd key\"]\nparticipation = 1e-3\nn = 0x1F\nb = true\n",
        );
        let text = to_toml(&doc);
        assert_eq!(to_toml(&parse(&text)), text);
        assert!(text.contains("name = \"a \\\"q\\\" \\u0007 é\""));
        assert!(text.contains("[nations.\"odd key\"]"));
        assert!(text.contains("n = 0x1F"));
    }
}

//! The ids of a scenario's entries, and the "unknown id" diagnostics with their
//! "did you mean" hints, shared by the checks of references.

use super::decode::{Cx, Located, Removal, Table, closest};
use super::raw::ScenarioFile;

/// Records that `id` names no known `what`, unless the table of such entries was
/// itself rejected (then its ids are unknown because of that error, already
/// recorded). Either way the reference is invalid.
pub(super) fn unknown(cx: &mut Cx, what: &str, id: &Located<String>, known: &[&str]) {
    cx.reject(&id.at.key);
    if let Some(message) = co_lead(&id.at.key, &id.value, known) {
        cx.error(id.at.span.clone(), &id.at.key, message);
        return;
    }
    if tables(what).iter().any(|t| cx.within_rejected(t)) {
        return;
    }
    let message = unknown_message(what, &id.value, known, &cx.removals);
    cx.error(id.at.span.clone(), &id.at.key, message);
}

/// The keys of the entries that `word` names as a `what` (`nations.GBR`; both
/// tables for a "condition or nation").
fn entry_keys(what: &str, word: &str) -> Vec<String> {
    tables(what).iter().map(|t| format!("{t}.{word}")).collect()
}

/// The tables whose entries a `what` names.
fn tables(what: &str) -> &'static [&'static str] {
    match what {
        "nation" => &["nations"],
        "domain" => &["domains"],
        "capability" => &["capabilities"],
        "condition" => &["conditions"],
        "bloc" => &["blocs"],
        _ => &["conditions", "nations"],
    }
}

/// "unknown nation `UK` (did you mean `GBR`, United Kingdom?)".
/// In a lead list (`key`), an entry written as the report labels co-leads
/// (`FRA+DEU`, distinct known nations): how to write it.
fn co_lead(key: &str, word: &str, known: &[&str]) -> Option<String> {
    let parts: Vec<&str> = word.split('+').map(str::trim).collect();
    let distinct = parts
        .iter()
        .enumerate()
        .all(|(i, p)| !parts[..i].contains(p));
    let fits = key.contains(".lead[") && parts.len() > 1 && distinct;
    (fits && parts.iter().all(|p| known.contains(p))).then(|| {
        let quoted: Vec<String> = parts.iter().map(|p| format!("\"{p}\"")).collect();
        format!(
            "unknown nation `{word}`: nations that lead together are a list in the list, e.g. lead = [[{}]] (the report labels them `{word}`)",
            quoted.join(", ")
        )
    })
}

/// "unknown nation `UK` (did you mean `GBR`, United Kingdom?)"; where
/// `[scenario] remove` took the entry out (one of `removals`), which one.
pub(super) fn unknown_message(
    what: &str,
    word: &str,
    known: &[&str],
    removals: &[Removal],
) -> String {
    if let Some(r) = Removal::of(removals, &entry_keys(what, word)) {
        return format!("unknown {what} `{word}`: {}", r.note(word));
    }
    let country = what
        .ends_with("nation")
        .then(|| super::iso::suggest(word, known))
        .flatten();
    let hint = match (country, closest(word, known)) {
        (Some((code, name)), _) => format!(" (did you mean `{code}`, {name}?)"),
        (None, c) => unknown_hint(what, c, known),
    };
    format!("unknown {what} `{word}`{hint}")
}

fn unknown_hint(what: &str, closest: Option<&str>, known: &[&str]) -> String {
    match closest {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None if known.is_empty() => format!("; the scenario defines no {what}"),
        None if known.len() <= 40 => format!("; known: {}", known.join(", ")),
        None => String::new(),
    }
}

/// The ids of each kind of entry, in file order.
pub(super) struct Ids<'a> {
    pub(super) caps: Vec<&'a str>,
    pub(super) conds: Vec<&'a str>,
    pub(super) blocs: Vec<&'a str>,
    pub(super) doms: Vec<&'a str>,
    pub(super) nats: Vec<&'a str>,
    /// The keys `[scenario] remove` took out of a base ([`Cx::removals`]).
    pub(super) removals: Vec<Removal>,
}

impl<'a> Ids<'a> {
    /// The ids of `file`, with the keys removed from its bases (`removals`).
    pub(super) fn of(file: &'a ScenarioFile, removals: &[Removal]) -> Self {
        fn ids<T>(t: &Table<T>) -> Vec<&str> {
            t.entries.iter().map(|e| e.id.value.as_str()).collect()
        }
        Ids {
            caps: ids(&file.capabilities),
            conds: ids(&file.conditions),
            blocs: ids(&file.blocs),
            doms: ids(&file.domains),
            nats: ids(&file.nations),
            removals: removals.to_vec(),
        }
    }
}

pub(super) fn index(ids: &[&str], id: &str) -> Option<usize> {
    ids.iter().position(|x| *x == id)
}

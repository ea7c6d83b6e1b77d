//! The ids of a scenario's entries, and the "unknown id" diagnostics with their
//! "did you mean" hints, shared by the checks of references.

use super::decode::{Cx, Located, Table, closest};
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
    let tables: &[&str] = match what {
        "nation" => &["nations"],
        "domain" => &["domains"],
        "capability" => &["capabilities"],
        "condition" => &["conditions"],
        "bloc" => &["blocs"],
        _ => &["conditions", "nations"],
    };
    if tables.iter().any(|t| cx.within_rejected(t)) {
        return;
    }
    cx.error(
        id.at.span.clone(),
        &id.at.key,
        unknown_message(what, &id.value, known),
    );
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

pub(super) fn unknown_message(what: &str, word: &str, known: &[&str]) -> String {
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
}

impl<'a> Ids<'a> {
    pub(super) fn of(file: &'a ScenarioFile) -> Self {
        fn ids<T>(t: &Table<T>) -> Vec<&str> {
            t.entries.iter().map(|e| e.id.value.as_str()).collect()
        }
        Ids {
            caps: ids(&file.capabilities),
            conds: ids(&file.conditions),
            blocs: ids(&file.blocs),
            doms: ids(&file.domains),
            nats: ids(&file.nations),
        }
    }
}

pub(super) fn index(ids: &[&str], id: &str) -> Option<usize> {
    ids.iter().position(|x| *x == id)
}

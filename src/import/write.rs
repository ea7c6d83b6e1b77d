//! Writing the pledges: merged into a scenario's TOML, or as a new scenario.

use super::*;

/// A figure as TOML: an integer when it is whole (and exactly held), else a
/// decimal.
pub(super) fn figure(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

/// The TOML value of a pledge: a plain number when low = likely = high.
pub(super) fn amount_value(p: &Pledge, shape: Shape) -> Value {
    if p.low == p.likely && p.likely == p.high {
        let mut v = figure(p.likely);
        if let Some(source) = &p.source {
            let one_line: String = source.chars().filter(|c| !c.is_control()).collect();
            v.decor_mut().set_suffix(format!("  # source: {one_line}"));
        }
        return v;
    }
    let mut arr = Array::new();
    for x in [p.low, p.likely, p.high] {
        arr.push(figure(x));
    }
    let mut t = InlineTable::new();
    t.insert(shape.key(), Value::Array(arr));
    if let Some(source) = &p.source {
        t.insert("source", Value::from(source.as_str()));
    }
    Value::InlineTable(t)
}

pub(super) fn table_at<'a>(parent: &'a mut Table, key: &str) -> &'a mut Table {
    let item = parent.entry(key).or_insert_with(|| {
        let mut t = Table::new();
        t.set_implicit(true);
        Item::Table(t)
    });
    if !item.is_table() {
        // An inline table (`contributions = { … }`) becomes a [table] to add keys to.
        let taken = std::mem::take(item);
        *item = match taken.into_table() {
            Ok(t) => Item::Table(t),
            Err(_) => Item::Table(Table::new()),
        };
    }
    item.as_table_mut().expect("made a table above")
}

/// `text` (a scenario in directory `from`) as it reads from directory `to`: a
/// relative `[scenario] extends` is rewritten to name the same file from there.
/// Both directories must exist.
pub fn rebase_extends(text: &str, from: &Path, to: &Path) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    let Some(ext) = doc
        .get_mut("scenario")
        .and_then(|s| s.get_mut("extends"))
        .and_then(|e| e.as_value_mut())
    else {
        return Ok(text.to_string());
    };
    let Some(base) = ext.as_str().map(Path::new).filter(|b| b.is_relative()) else {
        return Ok(text.to_string());
    };
    let canon = |d: &Path| {
        let d = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        d.canonicalize()
            .map_err(|e| format!("cannot resolve {}: {e}", d.display()))
    };
    let (from, to) = (canon(from)?, canon(to)?);
    if from == to {
        return Ok(text.to_string());
    }
    let rebased = path_from(&to, &from).join(base);
    let rebased = rebased.to_string_lossy().replace('\\', "/");
    let decor = ext.decor().clone();
    *ext = toml_edit::Value::from(rebased);
    *ext.decor_mut() = decor;
    Ok(doc.to_string())
}

/// The relative path that leads from the absolute directory `to` to `from`.
pub(super) fn path_from(to: &Path, from: &Path) -> std::path::PathBuf {
    let (a, b): (Vec<_>, Vec<_>) = (to.components().collect(), from.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = std::path::PathBuf::new();
    for _ in common..a.len() {
        out.push("..");
    }
    for c in &b[common..] {
        out.push(c);
    }
    out
}

/// `text` (a scenario) with each pledge's contribution added or replaced (with
/// the row's source), and each row's participation and name set on its nation;
/// comments and layout are kept.
pub fn merge_into(text: &str, pledges: &[Pledge], shape: Shape) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    merge(&mut doc, pledges, shape);
    Ok(doc.to_string())
}

/// [`merge_into`] on a document.
pub(super) fn merge(doc: &mut DocumentMut, pledges: &[Pledge], shape: Shape) {
    let nations = table_at(doc.as_table_mut(), "nations");
    for p in pledges {
        let nation = table_at(nations, &p.nation);
        if let Some(x) = p.participation {
            nation.insert("participation", toml_edit::value(x));
        }
        if let Some(name) = &p.name {
            nation.insert("name", toml_edit::value(name.as_str()));
        }
        let domain = table_at(table_at(nation, "contributions"), &p.domain);
        let mut new = amount_value(p, shape);
        if let Some(old) = domain.get(&p.capability).and_then(Item::as_value)
            && new.decor().suffix().is_none()
        {
            *new.decor_mut() = old.decor().clone();
        }
        domain.insert(&p.capability, Item::Value(new));
    }
}

/// A new scenario holding the pledges: capabilities, domains (led by the nations
/// that pledge to them, in row order) and nations, with every requirement set to
/// the sum of the likely pledges and marked TODO. The document is built as a
/// tree, never parsed from text, so that no file name can break it.
pub fn fresh(origin: &str, pledges: &[Pledge], shape: Shape) -> String {
    let (caps, domains) = outline(pledges);
    let mut doc = DocumentMut::new();
    let root = doc.as_table_mut();
    root.insert("scenario", Item::Table(scenario_table(origin)));
    root.insert("capabilities", Item::Table(capabilities_table(&caps)));
    let all = table_at(root, "domains");
    for d in &domains {
        all.insert(d.id, Item::Table(domain_table(d)));
    }
    let nations = table_at(root, "nations");
    for p in pledges {
        let nation = table_at(nations, &p.nation);
        if !nation.contains_key("participation") {
            let mut v = Value::from(p.participation.unwrap_or(1.0));
            if p.participation.is_none() {
                v.decor_mut().set_suffix("  # TODO: P(it takes part)");
            }
            nation.insert("participation", Item::Value(v));
        }
    }
    merge(&mut doc, pledges, shape);
    doc.to_string()
}

/// One domain of a new scenario: its id, the nations that pledge to it (in row
/// order), and per capability the sum of the likely pledges.
pub(super) struct DomainOutline<'a> {
    id: &'a str,
    leads: Vec<&'a str>,
    needs: Vec<(&'a str, f64)>,
}

/// The capabilities (in row order) and domains that the pledges name (each
/// seen one found by index: a sheet may hold 100,000 rows).
pub(super) fn outline(pledges: &[Pledge]) -> (Vec<&str>, Vec<DomainOutline<'_>>) {
    use std::collections::{HashMap, HashSet};
    let mut caps: Vec<&str> = Vec::new();
    let mut domains: Vec<DomainOutline> = Vec::new();
    let mut domain_at: HashMap<&str, usize> = HashMap::new();
    let mut seen_caps: HashSet<&str> = HashSet::new();
    let mut seen_leads: HashSet<(&str, &str)> = HashSet::new();
    let mut need_at: HashMap<(&str, &str), usize> = HashMap::new();
    for p in pledges {
        if seen_caps.insert(&p.capability) {
            caps.push(&p.capability);
        }
        let i = *domain_at.entry(&p.domain).or_insert_with(|| {
            domains.push(DomainOutline {
                id: &p.domain,
                leads: Vec::new(),
                needs: Vec::new(),
            });
            domains.len() - 1
        });
        let d = &mut domains[i];
        if seen_leads.insert((&p.domain, &p.nation)) {
            d.leads.push(&p.nation);
        }
        match need_at.get(&(p.domain.as_str(), p.capability.as_str())) {
            Some(&k) => d.needs[k].1 += p.likely,
            None => {
                need_at.insert((&p.domain, &p.capability), d.needs.len());
                d.needs.push((&p.capability, p.likely));
            }
        }
    }
    (caps, domains)
}

/// `[scenario]` of a new scenario, under the comment that says where it comes
/// from: the file's name as a TOML string in the title, and with its control
/// characters written as escapes (`\n`) in the comment.
pub(super) fn scenario_table(origin: &str) -> Table {
    let mut t = Table::new();
    t.decor_mut().set_prefix(format!(
        "# Scenario written by `forcesim import` from {}.\n\
         # TODO: every line marked TODO is a placeholder to replace with the real figure.\n\n",
        crate::present::escape(origin)
    ));
    let title = format!("Pledges from {origin}");
    // On one line, whatever the name holds (a plain value of a title with a
    // line break would be written over several).
    let mut name: Value = crate::scenario::extend::string_text(&title)
        .parse()
        .unwrap_or_else(|_| Value::from(title));
    name.decor_mut()
        .set_suffix("  # TODO: the scenario's title");
    t.insert("name", Item::Value(name));
    t
}

/// `[capabilities]` of a new scenario: each with a placeholder unit.
pub(super) fn capabilities_table(caps: &[&str]) -> Table {
    let mut t = Table::new();
    t.decor_mut().set_prefix("\n");
    for c in caps {
        let mut unit = InlineTable::new();
        unit.insert("unit", Value::from("units"));
        let mut v = Value::InlineTable(unit);
        v.decor_mut().set_suffix("  # TODO: the unit counted");
        t.insert(c, Item::Value(v));
    }
    t
}

/// `[domains.ID]` of a new scenario: led by the nations that pledge to it,
/// requiring the sum of their likely pledges.
pub(super) fn domain_table(d: &DomainOutline) -> Table {
    let mut t = Table::new();
    t.decor_mut().set_prefix("\n");
    let mut lead: Array = d.leads.iter().copied().collect();
    lead.decor_mut()
        .set_suffix("  # TODO: the lead succession, first choice first");
    t.insert("lead", Item::Value(Value::Array(lead)));
    let mut needs = InlineTable::new();
    for (c, sum) in &d.needs {
        needs.insert(*c, figure(sum.round()));
    }
    let key = toml_edit::Key::new("requirements").with_leaf_decor(toml_edit::Decor::new(
        "# TODO: the requirements; set here to the sum of the likely pledges\n",
        " ",
    ));
    t.insert_formatted(&key, Item::Value(Value::InlineTable(needs)));
    t
}

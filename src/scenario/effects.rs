//! `[[conditions.ID.effects]]`: what a condition does to drawn values.
//!
//! Each effect's targets are resolved to the values they scale (requirements,
//! force requirements, contributions); an unknown id, a malformed path or a
//! target that matches no value is an error at that target. Each value then lists
//! the effects that scale it, each once, in ascending order.

use super::decode::{Cx, Removal, closest};
use super::ids::{Ids, index, unknown_message};
use super::raw::ScenarioFile;
use crate::dist::Sampler;
use crate::model::{Contribution, Domain, Effect, ForceRequirement};
use crate::streams::stream_key;

/// The values effects can target, as compiled so far.
pub(super) struct Values<'a> {
    /// Domains (their requirements).
    pub(super) domains: &'a mut [Domain],
    /// Every contribution.
    pub(super) contributions: &'a mut [Contribution],
    /// `[force] requirements`, if any.
    pub(super) force: Option<&'a mut [ForceRequirement]>,
}

/// One value a target matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// Requirement `r` of domain `d`.
    Requirement(usize, usize),
    /// A force requirement.
    Force(usize),
    /// A contribution.
    Contribution(usize),
}

impl Values<'_> {
    /// Records that effect `e` scales the value `slot` (effects come in ascending
    /// order, so each list stays ascending and holds `e` once).
    fn add(&mut self, slot: Slot, e: usize) {
        let list = match slot {
            Slot::Requirement(d, r) => &mut self.domains[d].requirements[r].effects,
            Slot::Force(i) => match self.force.as_deref_mut() {
                Some(f) => &mut f[i].effects,
                None => return,
            },
            Slot::Contribution(k) => &mut self.contributions[k].effects,
        };
        if list.last() != Some(&e) {
            list.push(e);
        }
    }
}

/// Every effect, in file order (condition by condition), with its targets
/// resolved into `values`.
pub(super) fn effects(
    file: &ScenarioFile,
    ids: &Ids<'_>,
    mut values: Values<'_>,
    cx: &mut Cx,
) -> Vec<Effect> {
    let mut out = Vec::new();
    for (c_id, cond) in file.conditions.ok() {
        let c = index(&ids.conds, &c_id.value).unwrap_or(0);
        for (i, e) in cond.effects.iter().enumerate() {
            let idx = out.len();
            let targets_key = super::decode::join(&e.at.key, "targets");
            if e.targets.list.is_empty() && !cx.holds_rejected(&targets_key) {
                cx.error(
                    e.targets.span.clone().unwrap_or_else(|| e.at.span.clone()),
                    &targets_key,
                    "an effect needs at least one target, e.g. targets = [\"domains.air.requirements.aircraft\"]",
                );
            }
            for t in &e.targets.list {
                match resolve(&t.value, ids, &values, file) {
                    Ok(slots) => slots.into_iter().for_each(|s| values.add(s, idx)),
                    // A target of the grammar's shape into a value that is
                    // present but invalid is not checked: that value's own
                    // error says what is wrong.
                    Err(_) if shaped(&t.value) && cx.near_rejected(&t.value) => {}
                    Err(msg) => {
                        let note = removed_value(&t.value, ids);
                        cx.error(t.at.span.clone(), &t.at.key, format!("{msg}{note}"));
                    }
                }
            }
            let dist = &e.scale.0.value;
            out.push(Effect {
                condition: c,
                when: e.when.as_ref().is_some_and(|w| w.value),
                dist: dist.clone(),
                sampler: Sampler::new(dist),
                fixed: dist.is_fixed().then(|| dist.support().0),
                targets: e.targets.list.iter().map(|t| t.value.clone()).collect(),
                key: stream_key("effect", &format!("{}#{i}", c_id.value)),
            });
        }
    }
    out
}

const GRAMMAR: &str = "a target is domains.D.requirements[.C], force.requirements[.C] or nations.N.contributions[.D[.C]]";

/// Whether `t` has the shape of a target ([`GRAMMAR`]), whatever it names.
fn shaped(t: &str) -> bool {
    let parts: Vec<&str> = t.split('.').collect();
    if t.trim() != t || parts.iter().any(|p| p.is_empty()) {
        return false;
    }
    match parts.as_slice() {
        ["domains", _, "requirements", rest @ ..] => rest.len() <= 1,
        ["force", "requirements", rest @ ..] => rest.len() <= 1,
        ["nations", _, "contributions", rest @ ..] => rest.len() <= 2,
        _ => false,
    }
}

/// The values the target `t` matches, or why it matches none.
fn resolve(
    t: &str,
    ids: &Ids<'_>,
    v: &Values<'_>,
    file: &ScenarioFile,
) -> Result<Vec<Slot>, String> {
    if t.trim() != t {
        return Err(format!(
            "`{t}` has spaces around it: write the target without them, `{}`",
            t.trim()
        ));
    }
    let parts: Vec<&str> = t.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!("`{t}` is not a target: {GRAMMAR}"));
    }
    match parts.as_slice() {
        ["domains", d, word, rest @ ..] if rest.len() <= 1 => {
            keyword(t, word, "requirements")?;
            let d = known(t, "domain", d, &ids.doms, &ids.removals)?;
            domain_requirements(t, d, rest.first().copied(), ids, v, file)
        }
        ["force", word, rest @ ..] if rest.len() <= 1 => {
            keyword(t, word, "requirements")?;
            force_requirements(t, rest.first().copied(), ids, v, file)
        }
        ["nations", n, word, rest @ ..] if rest.len() <= 2 => {
            keyword(t, word, "contributions")?;
            let n = known(t, "nation", n, &ids.nats, &ids.removals)?;
            nation_contributions(t, n, rest, ids, v)
        }
        [first, ..] => {
            let hint = closest(first, &["domains", "force", "nations"])
                .filter(|c| c != first)
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            Err(format!("`{t}` is not a target{hint}: {GRAMMAR}"))
        }
        [] => Err(format!("`{t}` is not a target: {GRAMMAR}")),
    }
}

/// `word` is the keyword `expected` of the target grammar.
fn keyword(t: &str, word: &str, expected: &str) -> Result<(), String> {
    if word == expected {
        return Ok(());
    }
    let hint = closest(word, &[expected])
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default();
    Err(format!(
        "`{t}` is not a target: expected `{expected}` where it says `{word}`{hint}; {GRAMMAR}"
    ))
}

/// Where `[scenario] remove` took out the value the target `t` names, or a
/// table that holds it, within an entry (an entry removed whole makes its id
/// unknown, which says so): why, as a note to add to the message; else nothing.
fn removed_value(t: &str, ids: &Ids<'_>) -> String {
    let within_entry = |r: &&Removal| r.path.starts_with("force") || r.path.split('.').count() > 2;
    ids.removals
        .iter()
        .rev()
        .filter(within_entry)
        .find(|r| r.covers(t))
        .map(|r| {
            let word = r.path.rsplit('.').next().unwrap_or(&r.path);
            format!("; {}", r.note(word))
        })
        .unwrap_or_default()
}

/// The index of `id` among `known`, or an "unknown …" message.
fn known(
    t: &str,
    what: &str,
    id: &str,
    known: &[&str],
    removals: &[Removal],
) -> Result<usize, String> {
    index(known, id).ok_or_else(|| {
        format!(
            "target `{t}`: {}",
            unknown_message(what, id, known, removals)
        )
    })
}

fn domain_requirements(
    t: &str,
    d: usize,
    cap: Option<&str>,
    ids: &Ids<'_>,
    v: &Values<'_>,
    file: &ScenarioFile,
) -> Result<Vec<Slot>, String> {
    let reqs = &v.domains[d].requirements;
    let d_id = ids.doms[d];
    let written = file
        .domains
        .ok()
        .find(|(id, _)| id.value == d_id)
        .map(|(_, dom)| written(&dom.requirements))
        .unwrap_or_default();
    if let Some(cap) = cap {
        let c = known(t, "capability", cap, &ids.caps, &ids.removals)?;
        if let Some(r) = reqs.iter().position(|r| r.capability == c) {
            return Ok(vec![Slot::Requirement(d, r)]);
        }
    } else if !reqs.is_empty() {
        return Ok((0..reqs.len()).map(|r| Slot::Requirement(d, r)).collect());
    }
    Err(no_value(t, &format!("`{d_id}`"), cap, &written))
}

/// The capabilities a table of requirements names, as written (including
/// those whose value is invalid: they are there, and have their own error).
fn written(reqs: &super::decode::Table<super::raw::CountDist>) -> Vec<&str> {
    reqs.entries.iter().map(|e| e.id.value.as_str()).collect()
}

/// Why target `t` (into `whose` requirements, of capability `cap` if given)
/// matches no value, the requirements being `written`.
fn no_value(t: &str, whose: &str, cap: Option<&str>, written: &[&str]) -> String {
    match cap {
        _ if written.is_empty() => {
            format!("target `{t}` matches no value: {whose} requires nothing")
        }
        Some(cap) => format!(
            "target `{t}` matches no value: {whose} does not require `{cap}` (it requires {})",
            written.join(", ")
        ),
        // Every requirement written is invalid: their own errors say why.
        None => format!("target `{t}` matches no value: {whose}'s requirements are invalid"),
    }
}

fn force_requirements(
    t: &str,
    cap: Option<&str>,
    ids: &Ids<'_>,
    v: &Values<'_>,
    file: &ScenarioFile,
) -> Result<Vec<Slot>, String> {
    let force = v.force.as_deref().unwrap_or_default();
    let written = file.force.as_ref().map(|f| written(&f.requirements));
    let Some(written) = written.filter(|w| !w.is_empty()) else {
        return Err(format!(
            "target `{t}` matches no value: the scenario has no [force] requirements"
        ));
    };
    if let Some(cap) = cap {
        let c = known(t, "capability", cap, &ids.caps, &ids.removals)?;
        if let Some(i) = force.iter().position(|r| r.capability == c) {
            return Ok(vec![Slot::Force(i)]);
        }
    } else if !force.is_empty() {
        return Ok((0..force.len()).map(Slot::Force).collect());
    }
    Err(no_value(t, "[force]", cap, &written))
}

fn nation_contributions(
    t: &str,
    n: usize,
    rest: &[&str],
    ids: &Ids<'_>,
    v: &Values<'_>,
) -> Result<Vec<Slot>, String> {
    let d = match rest.first() {
        Some(d) => Some(known(t, "domain", d, &ids.doms, &ids.removals)?),
        None => None,
    };
    let c = match rest.get(1) {
        Some(c) => Some(known(t, "capability", c, &ids.caps, &ids.removals)?),
        None => None,
    };
    let slots: Vec<Slot> = v
        .contributions
        .iter()
        .enumerate()
        .filter(|(_, k)| {
            k.nation == n && d.is_none_or(|d| k.domain == d) && c.is_none_or(|c| k.capability == c)
        })
        .map(|(i, _)| Slot::Contribution(i))
        .collect();
    if !slots.is_empty() {
        return Ok(slots);
    }
    let n_id = ids.nats[n];
    Err(match rest {
        [] => format!("target `{t}` matches no value: `{n_id}` contributes nothing"),
        [d] => format!("target `{t}` matches no value: `{n_id}` contributes nothing to `{d}`"),
        [d, c, ..] => {
            format!("target `{t}` matches no value: `{n_id}` contributes no `{c}` to `{d}`")
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::scenario::parse;

    const BASE: &str = r#"
[scenario]
name = "e"
[capabilities]
troops = {}
jets = {}
[conditions.c]
probability = 0.5
[domains.land]
requirements = { troops = 10 }
[domains.air]
requirements = { jets = 2, troops = 1 }
[force]
requirements = { troops = 12 }
[nations.A]
participation = 1
contributions.land.troops = 5
contributions.air = { jets = 1, troops = 1 }
[nations.B]
participation = 1
contributions.land.troops = 7
"#;

    fn with(effects: &str) -> crate::model::Model {
        let text = format!("{BASE}\n{effects}");
        match parse("t.toml", &text, &[]) {
            Ok(m) => m,
            Err(d) => panic!("{d}"),
        }
    }

    #[test]
    fn targets_reach_each_value_once_and_in_order() {
        let m = with(
            r#"
[[conditions.c.effects]]
scale = 2
targets = ["nations.A.contributions", "nations.A.contributions.air.jets", "domains.air.requirements"]
[[conditions.c.effects]]
when = true
scale = { uniform = [0, 1] }
targets = ["force.requirements.troops", "nations.A.contributions.air", "domains.land.requirements.troops"]
"#,
        );
        assert_eq!(m.effects.len(), 2);
        assert!(!m.effects[0].when && m.effects[1].when);
        assert_eq!(m.effects[0].fixed, Some(2.0));
        assert_eq!(m.effects[1].fixed, None);
        let k = |n: &str, d: &str| {
            m.contributions
                .iter()
                .filter(|k| m.nations[k.nation].id == n && m.domains[k.domain].id == d)
                .map(|k| k.effects.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(k("A", "land"), vec![vec![0]]);
        assert_eq!(k("A", "air"), vec![vec![0, 1], vec![0, 1]]);
        assert_eq!(k("B", "land"), vec![Vec::<usize>::new()]);
        let land = &m.domains[0].requirements;
        assert_eq!(land[0].effects, vec![1]);
        let air = &m.domains[1].requirements;
        assert_eq!(
            (air[0].effects.clone(), air[1].effects.clone()),
            (vec![0], vec![0])
        );
        assert_eq!(m.force.as_ref().unwrap()[0].effects, vec![1]);
        assert_eq!(
            m.effects[1].key,
            crate::streams::stream_key("effect", "c#1")
        );
    }

    fn errors(effects: &str) -> String {
        let text = format!("{BASE}\n{effects}");
        match parse("t.toml", &text, &[]) {
            Ok(_) => panic!("should fail"),
            Err(d) => d.to_string(),
        }
    }

    #[test]
    fn bad_targets_say_why() {
        let e = errors(
            r#"
[[conditions.c.effects]]
scale = 1
targets = ["domains.lnd.requirements", "domains.land.requirement", "force.requirements.jets",
  "nations.B.contributions.air", "nations.B.contributions.land.jets", "nation.A.contributions",
  "domains.land", "nations.A.contributions.land.troops.x", "domains..requirements", "nations.GBR.contributions"]
"#,
        );
        for want in [
            "target `domains.lnd.requirements`: unknown domain `lnd` (did you mean `land`?)",
            "expected `requirements` where it says `requirement` (did you mean `requirements`?)",
            "[force] does not require `jets` (it requires troops)",
            "`B` contributes nothing to `air`",
            "`B` contributes no `jets` to `land`",
            "`nation.A.contributions` is not a target (did you mean `nations`?)",
            "`domains.land` is not a target",
            "`nations.A.contributions.land.troops.x` is not a target",
            "`domains..requirements` is not a target",
            "unknown nation `GBR`",
        ] {
            assert!(e.contains(want), "missing {want:?} in\n{e}");
        }
        assert_eq!(e.matches("error: ").count(), 10, "{e}");
    }

    #[test]
    fn a_target_not_of_the_grammar_is_an_error_beside_its_nations_own() {
        // A's pool is invalid; a target into A of the grammar's shape is left to
        // that error, one that is no target at all is reported too.
        let text = format!(
            "{BASE}\n{}",
            r#"
[[conditions.c.effects]]
scale = 2
targets = ["nations.A", "domains.land", "nations.A.contributions.land.troops"]
"#
        )
        .replace("[nations.A]\n", "[nations.A]\npool = { troops = -5 }\n");
        let e = match parse("t.toml", &text, &[]) {
            Ok(_) => panic!("should fail"),
            Err(d) => d.to_string(),
        };
        assert!(e.contains("a pool cannot be negative"), "{e}");
        assert!(e.contains("`nations.A` is not a target"), "{e}");
        assert!(e.contains("`domains.land` is not a target"), "{e}");
        assert_eq!(e.matches("error: ").count(), 3, "{e}");
    }
}

//! From a decoded [`ScenarioFile`] to a [`Model`]: references between entries
//! (ids of nations, domains, capabilities, conditions, blocs; the mission gate,
//! lead entries and their obligations, the whole force, effect targets in
//! `effects.rs`), the graph of `if_absent` and `if_present` (acyclic),
//! limits, and compilation into flat index-based vectors.

use std::collections::HashMap;

use super::decode::At;
use super::decode::{Cx, Located, Table};
use super::ids::{Ids, index, unknown};
use super::raw::{Domain as RawDomain, Nation as RawNation, ScenarioFile};
use crate::dist::{Dist, Sampler};
use crate::limits;
use crate::model::{
    Bloc, Cap, CapOn, Capability, Condition, Contribution, Decision, Domain, ForceRequirement,
    LeadEntry, Model, Nation, Obligation, Pool, Prob, Requirement, Tracked,
};
use crate::streams::stream_key;

fn text(s: &Option<Located<String>>) -> String {
    s.as_ref().map(|s| s.value.clone()).unwrap_or_default()
}

/// Checks references and compiles the model. Decoding errors are already in `cx`;
/// entries that failed to decode are skipped, but their ids still resolve.
pub fn validate(file: &ScenarioFile, path: &str, cx: &mut Cx) -> Option<Model> {
    let ids = Ids::of(file, &cx.removals);
    check_counts(file, &ids, cx);
    let timeline_days = check_simulation(file, cx);
    let capabilities = capabilities(file);
    let conditions = conditions(file);
    let blocs = blocs(file);
    let mission = mission(file, &ids, cx);
    let (mut domains, tracked) = domains(file, &ids, cx);
    let (nations, mut contributions, deps) = nations(file, &ids, &domains, &tracked, cx);
    let order = decision_order(&ids, &deps, cx);
    let mut force = force(file, &ids, cx);
    let effects = super::effects::effects(
        file,
        &ids,
        super::effects::Values {
            domains: &mut domains,
            contributions: &mut contributions,
            force: force.as_deref_mut(),
        },
        cx,
    );
    let thresholds = thresholds(file, &ids, cx);
    if !cx.diags.is_empty() {
        return None;
    }
    let meta = &file.scenario;
    let sim = file.simulation.as_ref();
    let model = Model {
        name: meta.name.value.clone(),
        description: text(&meta.description),
        path: path.to_string(),
        sources: meta.sources.iter().map(|s| s.value.clone()).collect(),
        rotation: meta.rotation.as_ref().map(|r| r.0.value),
        ambition: meta.ambition.as_ref().map_or(0.0, |a| a.0.value),
        default_trials: sim.and_then(|s| s.trials.as_ref().map(|t| t.0.value)),
        default_seed: sim.and_then(|s| s.seed.as_ref().map(|t| t.0.value)),
        timeline_days,
        capabilities,
        conditions,
        mission,
        effects,
        force,
        blocs,
        domains,
        nations,
        order,
        contributions,
        tracked,
        thresholds,
        overrides: Vec::new(),
        digest: 0,
    };
    super::reach::check(file, &model, cx);
    cx.diags.is_empty().then_some(model)
}

/// At least one domain and one nation; every kind of entry within its limit; no
/// id both a nation and a condition.
fn check_counts(file: &ScenarioFile, ids: &Ids<'_>, cx: &mut Cx) {
    let top = file.at.span.start..file.at.span.start;
    // An empty table where it is written (or set), else the file's start.
    let at = |t: &std::ops::Range<usize>| if t.is_empty() { top.clone() } else { t.clone() };
    if file.domains.entries.is_empty() && !cx.within_rejected("domains") {
        cx.error(
            at(&file.domains.at.span),
            "domains",
            "the scenario defines no domain: add at least one [domains.ID] table",
        );
    }
    if file.nations.entries.is_empty() && !cx.within_rejected("nations") {
        cx.error(
            at(&file.nations.at.span),
            "nations",
            "the scenario defines no nation: add at least one [nations.ID] table",
        );
    }
    // Each count at its table (effects, spread over the conditions, at the top).
    let tables = [
        &file.nations.at,
        &file.domains.at,
        &file.capabilities.at,
        &file.conditions.at,
        &file.blocs.at,
    ];
    for (i, (what, n, max)) in [
        ("nations", ids.nats.len(), limits::MAX_NATIONS),
        ("domains", ids.doms.len(), limits::MAX_DOMAINS),
        ("capabilities", ids.caps.len(), limits::MAX_CAPABILITIES),
        ("conditions", ids.conds.len(), limits::MAX_CONDITIONS),
        ("blocs", ids.blocs.len(), limits::MAX_CONDITIONS),
        ("effects", effect_count(file), limits::MAX_CONDITIONS),
        (
            "contributions",
            contribution_count(file),
            limits::MAX_CONTRIBUTIONS,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        // Contributions are counted at the nations.
        let table = if what == "contributions" {
            Some(tables[0])
        } else {
            tables.get(i).copied()
        };
        let place = table.map_or_else(|| top.clone(), |t| at(&t.span));
        if n > max {
            let key = if what == "contributions" {
                "nations"
            } else {
                what
            };
            cx.error(place, key, format!("too many {what}: {n}, at most {max}"));
        }
    }
    // Conditions and nations share the namespace of `if_absent` keys.
    for e in &file.nations.entries {
        if ids.conds.contains(&e.id.value.as_str()) {
            cx.error(
                e.id.at.span.clone(),
                &e.id.at.key,
                format!(
                    "`{}` is both a nation and a condition: `if_absent` and `if_present` could not tell them apart; rename one",
                    e.id.value
                ),
            );
        }
    }
}

fn effect_count(file: &ScenarioFile) -> usize {
    file.conditions.ok().map(|(_, c)| c.effects.len()).sum()
}

fn contribution_count(file: &ScenarioFile) -> usize {
    let nations = file.nations.ok().map(|(_, n)| n);
    nations
        .flat_map(|n| n.contributions.ok().map(|(_, caps)| caps.entries.len()))
        .sum()
}

/// `[simulation]`: timeline days strictly increasing (their count is checked
/// while decoding).
/// Returns the timeline days.
fn check_simulation(file: &ScenarioFile, cx: &mut Cx) -> Vec<u64> {
    let Some(s) = file.simulation.as_ref() else {
        return Vec::new();
    };
    for w in s.timeline_days.0.windows(2) {
        if w[1].0.value <= w[0].0.value {
            cx.error(
                w[1].0.at.span.clone(),
                &w[1].0.at.key,
                format!(
                    "timeline days must be strictly increasing: {} follows {}",
                    w[1].0.value, w[0].0.value
                ),
            );
        }
    }
    s.timeline_days.0.iter().map(|d| d.0.value).collect()
}

fn capabilities(file: &ScenarioFile) -> Vec<Capability> {
    file.capabilities
        .entries
        .iter()
        .map(|e| {
            let c = e.value.as_ref();
            Capability {
                id: e.id.value.clone(),
                unit: c.map(|c| text(&c.unit)).unwrap_or_default(),
                name: c
                    .and_then(|c| c.name.as_ref().map(|n| n.value.clone()))
                    .unwrap_or_else(|| e.id.value.clone()),
            }
        })
        .collect()
}

fn conditions(file: &ScenarioFile) -> Vec<Condition> {
    file.conditions
        .ok()
        .map(|(id, c)| Condition {
            id: id.value.clone(),
            description: text(&c.description),
            p: Prob::product([&c.probability.0.value]),
            key: stream_key("condition", &id.value),
        })
        .collect()
}

fn blocs(file: &ScenarioFile) -> Vec<Bloc> {
    file.blocs
        .ok()
        .map(|(id, b)| {
            let rho = b.correlation.0.value;
            Bloc {
                id: id.value.clone(),
                rho,
                load: rho.sqrt(),
                own: (1.0 - rho).sqrt(),
                key: stream_key("bloc", &id.value),
            }
        })
        .collect()
}

/// The capabilities contributed to each domain (by index), in first-seen order.
fn contributed(file: &ScenarioFile, ids: &Ids<'_>) -> HashMap<usize, Vec<usize>> {
    let mut contributed: HashMap<usize, Vec<usize>> = HashMap::new();
    for n in file.nations.ok().map(|(_, n)| n) {
        for (d_id, caps) in n.contributions.ok() {
            let Some(d) = index(&ids.doms, &d_id.value) else {
                continue;
            };
            for (c_id, _) in caps.ok() {
                if let Some(c) = index(&ids.caps, &c_id.value) {
                    let list = contributed.entry(d).or_default();
                    if !list.contains(&c) {
                        list.push(c);
                    }
                }
            }
        }
    }
    contributed
}

/// Domains, with their leads and requirements, and the tracked (domain,
/// capability) pairs: each domain's requirements, then what is contributed to
/// it without being required.
fn domains(file: &ScenarioFile, ids: &Ids<'_>, cx: &mut Cx) -> (Vec<Domain>, Vec<Tracked>) {
    let contributed = contributed(file, ids);
    let mut domains = Vec::new();
    let mut tracked: Vec<Tracked> = Vec::new();
    for (d, entry) in file.domains.entries.iter().enumerate() {
        let start = tracked.len();
        let Some(dom) = entry.value.as_ref() else {
            // Keep indices aligned with ids: a placeholder that is never run.
            domains.push(Domain {
                id: entry.id.value.clone(),
                name: entry.id.value.clone(),
                leads: vec![],
                provides: vec![],
                requirements: vec![],
                tracked: start..start,
            });
            continue;
        };
        let leads = leads(dom, ids, cx);
        let requirements = requirements(d, &entry.id.value, dom, ids, &mut tracked, cx);
        let provides = provides(&entry.id.value, dom, ids, &requirements, cx);
        for &c in contributed.get(&d).map(Vec::as_slice).unwrap_or(&[]) {
            if !tracked[start..].iter().any(|t| t.capability == c) {
                tracked.push(Tracked {
                    domain: d,
                    capability: c,
                    requirement: None,
                    min: 0,
                });
            }
        }
        domains.push(Domain {
            id: entry.id.value.clone(),
            name: dom
                .name
                .as_ref()
                .map(|n| n.value.clone())
                .unwrap_or_else(|| entry.id.value.clone()),
            leads,
            provides,
            requirements,
            tracked: start..tracked.len(),
        });
    }
    if tracked.len() > limits::MAX_TRACKED {
        cx.error(
            file.at.span.start..file.at.span.start,
            "domains",
            format!(
                "too many (domain, capability) pairs required or contributed: {}, at most {}",
                tracked.len(),
                limits::MAX_TRACKED
            ),
        );
    }
    (domains, tracked)
}

/// A domain's lead succession: entries of known nations, each nation in one
/// entry only; a group's label joins its members with `+`.
fn leads(dom: &RawDomain, ids: &Ids<'_>, cx: &mut Cx) -> Vec<LeadEntry> {
    let mut seen: Vec<usize> = Vec::new();
    let mut leads = Vec::new();
    for item in &dom.lead {
        let mut members = Vec::with_capacity(item.members.len());
        for l in &item.members {
            match index(&ids.nats, &l.value) {
                Some(n) if seen.contains(&n) => cx.error(
                    l.at.span.clone(),
                    &l.at.key,
                    format!(
                        "`{}` appears twice in the lead list: a nation may be in one entry only",
                        l.value
                    ),
                ),
                Some(n) => {
                    seen.push(n);
                    members.push(n);
                }
                None => unknown(cx, "nation", l, &ids.nats),
            }
        }
        if members.len() == item.members.len() {
            let label: Vec<&str> = members.iter().map(|&n| ids.nats[n]).collect();
            leads.push(LeadEntry {
                label: label.join("+"),
                members,
            });
        }
    }
    leads
}

/// `lead_provides`: shares of requirements of this domain, which needs a lead list.
fn provides(
    d_id: &str,
    dom: &RawDomain,
    ids: &Ids<'_>,
    requirements: &[Requirement],
    cx: &mut Cx,
) -> Vec<Obligation> {
    let table = &dom.lead_provides;
    // A lead list whose entries were all rejected is there, only invalid.
    let lead_key = super::decode::join(&dom.at.key, "lead");
    if !table.entries.is_empty() && dom.lead.is_empty() && !cx.holds_rejected(&lead_key) {
        cx.error(
            table.at.span.clone(),
            &table.at.key,
            format!(
                "`lead_provides` says what the leading entry must provide, but `{d_id}` has no lead entry (its `lead` list is absent or empty): add lead = [NATION, …] to [domains.{d_id}], or remove lead_provides"
            ),
        );
    }
    let mut out = Vec::new();
    unknown_failed(table, &ids.caps, "capability", cx);
    for (c_id, share) in table.ok() {
        let Some(c) = index(&ids.caps, &c_id.value) else {
            unknown(cx, "capability", c_id, &ids.caps);
            continue;
        };
        match requirements.iter().position(|r| r.capability == c) {
            Some(r) => out.push(Obligation {
                requirement: r,
                share: share.0.value,
            }),
            // A requirement that failed to decode has its own error.
            None if dom.requirements.has(&c_id.value) => {}
            None => cx.error(
                c_id.at.span.clone(),
                &c_id.at.key,
                format!(
                    "`{d_id}` does not require `{c}`: an obligation is a share of a requirement; add {c} to [domains.{d_id}.requirements] or remove it from lead_provides",
                    c = c_id.value
                ),
            ),
        }
    }
    out
}

/// `[mission] requires`: known conditions, each once.
fn mission(file: &ScenarioFile, ids: &Ids<'_>, cx: &mut Cx) -> Vec<usize> {
    let mut out = Vec::new();
    let Some(m) = &file.mission else {
        return out;
    };
    for r in &m.requires {
        match index(&ids.conds, &r.value) {
            Some(c) if out.contains(&c) => cx.error(
                r.at.span.clone(),
                &r.at.key,
                format!("`{}` appears twice in `requires`", r.value),
            ),
            Some(c) => out.push(c),
            None => unknown(cx, "condition", r, &ids.conds),
        }
    }
    out
}

/// Reports the keys of `table` whose values failed to decode and that are
/// not among `known` either (a `what`): both problems at once, rather than the
/// second only once the first is fixed. A misplaced `source` has its own
/// message already.
fn unknown_failed<T>(table: &Table<T>, known: &[&str], what: &str, cx: &mut Cx) {
    let failed = table.entries.iter().filter(|e| e.value.is_none());
    for e in failed.filter(|e| e.id.value != "source") {
        if index(known, &e.id.value).is_none() {
            unknown(cx, what, &e.id, known);
        }
    }
}

/// `[force] requirements`: on known capabilities, at least one.
fn force(file: &ScenarioFile, ids: &Ids<'_>, cx: &mut Cx) -> Option<Vec<ForceRequirement>> {
    let f = file.force.as_ref()?;
    if f.requirements.entries.is_empty() && !cx.near_rejected("force.requirements") {
        // At the empty table where it is written (or set), else at `[force]`.
        let at = &f.requirements.at.span;
        cx.error(
            if at.is_empty() {
                f.at.span.clone()
            } else {
                at.clone()
            },
            "force.requirements",
            "[force] lists no requirements: add requirements = { CAP = amount }, or remove [force]",
        );
    }
    let mut out = Vec::new();
    unknown_failed(&f.requirements, &ids.caps, "capability", cx);
    for (c_id, req) in f.requirements.ok() {
        let Some(c) = index(&ids.caps, &c_id.value) else {
            unknown(cx, "capability", c_id, &ids.caps);
            continue;
        };
        let dist = &req.0.value;
        out.push(ForceRequirement {
            capability: c,
            sampler: Sampler::new(dist),
            dist: dist.clone(),
            fixed: dist
                .is_fixed()
                .then(|| crate::math::to_count(dist.support().0)),
            key: stream_key("force", &c_id.value),
            effects: Vec::new(),
        });
    }
    Some(out)
}

/// Domain `d`'s requirements, each on a known capability and tracked.
fn requirements(
    d: usize,
    d_id: &str,
    dom: &RawDomain,
    ids: &Ids<'_>,
    tracked: &mut Vec<Tracked>,
    cx: &mut Cx,
) -> Vec<Requirement> {
    let mut requirements = Vec::new();
    unknown_failed(&dom.requirements, &ids.caps, "capability", cx);
    for (c_id, req) in dom.requirements.ok() {
        let Some(c) = index(&ids.caps, &c_id.value) else {
            unknown(cx, "capability", c_id, &ids.caps);
            continue;
        };
        let dist = &req.0.value;
        requirements.push(Requirement {
            capability: c,
            tracked: tracked.len(),
            sampler: Sampler::new(dist),
            dist: dist.clone(),
            fixed: dist
                .is_fixed()
                .then(|| crate::math::to_count(dist.support().0)),
            key: stream_key("requirement", &format!("{d_id}.{}", c_id.value)),
            effects: Vec::new(),
        });
        tracked.push(Tracked {
            domain: d,
            capability: c,
            requirement: Some(requirements.len() - 1),
            min: 0,
        });
    }
    requirements
}

/// A nation that another's `if_absent` or `if_present` names: it is decided
/// first. `at` is the key that names it, `table` its table.
struct Dep {
    on: usize,
    at: At,
    table: At,
}

/// Nations, their contributions (in nation order) and, per nation, the nations
/// its `if_absent` and `if_present` caps depend on.
fn nations(
    file: &ScenarioFile,
    ids: &Ids<'_>,
    domains: &[Domain],
    tracked: &[Tracked],
    cx: &mut Cx,
) -> (Vec<Nation>, Vec<Contribution>, Vec<Vec<Dep>>) {
    let mut nations = Vec::new();
    let mut contributions = Vec::new();
    let mut deps: Vec<Vec<Dep>> = Vec::new();
    for (n, entry) in file.nations.entries.iter().enumerate() {
        let id = &entry.id.value;
        let start = contributions.len();
        let mut my_deps = Vec::new();
        let Some(nat) = entry.value.as_ref() else {
            nations.push(placeholder_nation(id, start));
            deps.push(my_deps);
            continue;
        };
        let mut factors: Vec<Dist> = vec![participation(&entry.id.at.key, nat, cx)];
        factors.extend(nat.approval.iter().map(|a| a.probability.0.value.clone()));
        let caps = caps(n, id, nat, ids, &mut my_deps, cx);
        let bloc = nat
            .bloc
            .as_ref()
            .and_then(|b| match index(&ids.blocs, &b.value) {
                Some(i) => Some(i),
                None => {
                    unknown(cx, "bloc", b, &ids.blocs);
                    None
                }
            });
        let cx_n = NationCx {
            n,
            id,
            ids,
            domains,
            tracked,
        };
        contributions_of(&cx_n, nat, &mut contributions, cx);
        nations.push(Nation {
            id: id.clone(),
            name: nat
                .name
                .as_ref()
                .map(|s| s.value.clone())
                .unwrap_or_else(|| id.clone()),
            p: Prob::product(factors.iter()),
            p_factors: factors,
            caps,
            bloc,
            ready: nat.ready_days.as_ref().map(|r| Sampler::new(&r.0.value)),
            contributions: start..contributions.len(),
            key: stream_key("nation", id),
            ready_key: stream_key("ready", id),
            scale: nat.scale.as_ref().map_or(1.0, |s| s.0.value),
            rotation: nat
                .rotation
                .as_ref()
                .or(file.scenario.rotation.as_ref())
                .map_or(1, |r| r.0.value),
            pools: pools(id, nat, ids, cx),
            ambition: nat
                .ambition
                .as_ref()
                .or(file.scenario.ambition.as_ref())
                .map_or(0.0, |a| a.0.value),
            ambition_key: stream_key("ambition", id),
        });
        if let (Some(d), Some(last)) = (&nat.decision, nations.last_mut()) {
            last.decide(d.0.value);
        }
        deps.push(my_deps);
    }
    (nations, contributions, deps)
}

/// A nation's participation. It is required unless the nation's decision is
/// fixed (`"in"` or `"out"`), which ignores it; a fixed decision without one
/// stands in with 1 or 0 (the decision replaces it anyway).
fn participation(key: &str, nat: &RawNation, cx: &mut Cx) -> Dist {
    if let Some(p) = &nat.participation {
        return p.0.value.clone();
    }
    match nat.decision.as_ref().map(|d| d.0.value) {
        Some(Decision::In) => Dist::Fixed(1.0),
        Some(Decision::Out) => Dist::Fixed(0.0),
        _ => {
            // A participation that is present but invalid, or a decision that
            // may have been meant to be fixed: their own errors are enough.
            let participation = format!("{key}.participation");
            if !cx.within_rejected(&participation)
                && !cx.within_rejected(&format!("{key}.decision"))
            {
                cx.error(
                    nat.at.span.clone(),
                    &participation,
                    "missing required key `participation` (a nation whose decision is \"in\" or \"out\" needs none)",
                );
            }
            Dist::Fixed(0.0)
        }
    }
}

/// A nation's `pool`: each on a known capability that the nation contributes
/// to some domain.
fn pools(id: &str, nat: &RawNation, ids: &Ids<'_>, cx: &mut Cx) -> Vec<Pool> {
    let mut out = Vec::new();
    unknown_failed(&nat.pool, &ids.caps, "capability", cx);
    for (c_id, pool) in nat.pool.ok() {
        let Some(c) = index(&ids.caps, &c_id.value) else {
            unknown(cx, "capability", c_id, &ids.caps);
            continue;
        };
        let contributes = nat.contributions.ok().any(|(_, t)| t.has(&c_id.value));
        // A domain's contributions that failed to decode might have named it: their
        // errors are recorded, and a second one here would mislead.
        if !contributes && nat.contributions.all_ok() {
            cx.error(
                c_id.at.span.clone(),
                &c_id.at.key,
                format!(
                    "`{id}` contributes no `{c}` to any domain, so a pool of it has nothing to cut: add {c} to [nations.{id}.contributions.DOMAIN], or remove it from the pool",
                    c = c_id.value
                ),
            );
            continue;
        }
        let dist = &pool.0.value;
        out.push(Pool {
            capability: c,
            sampler: Sampler::new(dist),
            dist: dist.clone(),
            fixed: dist
                .is_fixed()
                .then(|| crate::math::to_count(dist.support().0)),
            key: stream_key("pool", &format!("{id}.{}", c_id.value)),
        });
    }
    out
}

/// A stand-in for a nation that failed to decode, keeping indices aligned with
/// ids; never run (its errors stop the model).
fn placeholder_nation(id: &str, start: usize) -> Nation {
    Nation {
        id: id.to_string(),
        name: id.to_string(),
        p: Prob::product([&Dist::Fixed(0.0)]),
        p_factors: vec![Dist::Fixed(0.0)],
        caps: vec![],
        bloc: None,
        ready: None,
        contributions: start..start,
        key: 0,
        ready_key: 0,
        scale: 1.0,
        rotation: 1,
        pools: vec![],
        ambition: 0.0,
        ambition_key: 0,
    }
}

/// Nation `n`'s `if_absent` then `if_present` caps, each on a condition or
/// another nation; the nations it depends on are pushed to `deps`.
fn caps(
    n: usize,
    id: &str,
    nat: &RawNation,
    ids: &Ids<'_>,
    deps: &mut Vec<Dep>,
    cx: &mut Cx,
) -> Vec<Cap> {
    let mut caps = Vec::new();
    let tables = [(false, &nat.if_absent), (true, &nat.if_present)];
    for (present, table) in tables {
        caps_of(n, id, (present, table), ids, deps, &mut caps, cx);
    }
    caps
}

/// The caps of one table (`if_absent` or `if_present`, as `present` says).
fn caps_of(
    n: usize,
    id: &str,
    (present, table): (bool, &Table<super::raw::ProbDist>),
    ids: &Ids<'_>,
    deps: &mut Vec<Dep>,
    caps: &mut Vec<Cap>,
    cx: &mut Cx,
) {
    for (k, cap) in table.ok() {
        let on = if let Some(c) = index(&ids.conds, &k.value) {
            CapOn::Condition(c)
        } else if let Some(m) = index(&ids.nats, &k.value) {
            if m == n {
                let own = if present { "participation" } else { "absence" };
                cx.error(
                    k.at.span.clone(),
                    &k.at.key,
                    format!("`{id}` cannot depend on its own {own}"),
                );
                continue;
            }
            deps.push(Dep {
                on: m,
                at: k.at.clone(),
                table: table.at.clone(),
            });
            CapOn::Nation(m)
        } else {
            let mut known = ids.conds.clone();
            known.extend(ids.nats.iter().copied());
            unknown(cx, "condition or nation", k, &known);
            continue;
        };
        caps.push(Cap {
            on,
            present,
            p: Prob::product([&cap.0.value]),
        });
    }
}

/// What [`contributions_of`] needs to know about the nation and the model so far.
struct NationCx<'a> {
    n: usize,
    id: &'a str,
    ids: &'a Ids<'a>,
    domains: &'a [Domain],
    tracked: &'a [Tracked],
}

/// A nation's contributions, each to a known domain and capability.
fn contributions_of(c: &NationCx<'_>, nat: &RawNation, out: &mut Vec<Contribution>, cx: &mut Cx) {
    unknown_failed(&nat.contributions, &c.ids.doms, "domain", cx);
    for (d_id, caps_of_domain) in nat.contributions.ok() {
        let Some(d) = index(&c.ids.doms, &d_id.value) else {
            unknown(cx, "domain", d_id, &c.ids.doms);
            continue;
        };
        unknown_failed(caps_of_domain, &c.ids.caps, "capability", cx);
        for (c_id, amount) in caps_of_domain.ok() {
            let Some(cap) = index(&c.ids.caps, &c_id.value) else {
                unknown(cx, "capability", c_id, &c.ids.caps);
                continue;
            };
            let t = c.domains[d]
                .tracked
                .clone()
                .find(|t| c.tracked[*t].capability == cap);
            let Some(t) = t else { continue };
            let dist = &amount.0.value;
            out.push(Contribution {
                nation: c.n,
                domain: d,
                capability: cap,
                tracked: t,
                sampler: Sampler::new(dist),
                dist: dist.clone(),
                fixed: dist
                    .is_fixed()
                    .then(|| crate::math::to_count(dist.support().0)),
                key: stream_key(
                    "contribution",
                    &format!("{}.{}.{}", c.id, d_id.value, c_id.value),
                ),
                effects: Vec::new(),
            });
        }
    }
}

/// Decision order: nations named in `if_absent` or `if_present` come first
/// (stable by file order); each cycle is one error that names it.
fn decision_order(ids: &Ids<'_>, deps: &[Vec<Dep>], cx: &mut Cx) -> Vec<usize> {
    let plain: Vec<Vec<usize>> = deps
        .iter()
        .map(|d| d.iter().map(|d| d.on).collect())
        .collect();
    let (order, cycles) = topo_order(&plain);
    for cycle in &cycles {
        cycle_error(ids, deps, cycle, cx);
    }
    order
}

/// The error for one cycle of caps, at the first step set by a `--set` override
/// if one is, else at the table of its first step.
fn cycle_error(ids: &Ids<'_>, deps: &[Vec<Dep>], cycle: &[usize], cx: &mut Cx) {
    let names: Vec<&str> = cycle.iter().map(|&n| ids.nats[n]).collect();
    // The key of each step of the cycle: `nations.A.if_present.B` …
    let steps: Vec<&Dep> = cycle
        .iter()
        .zip(cycle.iter().cycle().skip(1))
        .filter_map(|(&a, &b)| deps[a].iter().find(|d| d.on == b))
        .collect();
    let keys: Vec<&str> = steps.iter().map(|d| d.at.key.as_str()).collect();
    let which = if keys.iter().any(|k| k.contains(".if_present.")) {
        if keys.iter().any(|k| k.contains(".if_absent.")) {
            "`if_absent` and `if_present`"
        } else {
            "`if_present`"
        }
    } else {
        "`if_absent`"
    };
    let at = match steps.iter().find(|d| cx.is_override(&d.at.span)) {
        Some(d) => d.at.clone(),
        None => steps.first().map(|d| d.table.clone()).unwrap_or_default(),
    };
    cx.error(
        at.span,
        &at.key,
        format!(
            "{which} references form a cycle: {} → {} ({}); nations must be decidable in some order",
            shortened(&names, " → "),
            names[0],
            shortened(&keys, ", ")
        ),
    );
}

/// `items` joined by `sep`; past a dozen, the first ten, a count, and the last.
fn shortened(items: &[&str], sep: &str) -> String {
    const SHOWN: usize = 10;
    if items.len() <= SHOWN + 2 {
        return items.join(sep);
    }
    let more = items.len() - SHOWN - 1;
    format!(
        "{}{sep}… {more} more …{sep}{}",
        items[..SHOWN].join(sep),
        items[items.len() - 1]
    )
}

/// `[report.thresholds]`: per capability, sorted and deduplicated.
fn thresholds(file: &ScenarioFile, ids: &Ids<'_>, cx: &mut Cx) -> Vec<Vec<u64>> {
    let mut thresholds: Vec<Vec<u64>> = vec![Vec::new(); ids.caps.len()];
    let Some(r) = &file.report else {
        return thresholds;
    };
    unknown_failed(&r.thresholds, &ids.caps, "capability", cx);
    for (c_id, xs) in r.thresholds.ok() {
        let Some(c) = index(&ids.caps, &c_id.value) else {
            unknown(cx, "capability", c_id, &ids.caps);
            continue;
        };
        let mut v: Vec<u64> = xs.iter().map(|x| x.0.value).collect();
        v.sort_unstable();
        v.dedup();
        if v.len() > limits::MAX_THRESHOLDS {
            cx.error(
                c_id.at.span.clone(),
                &c_id.at.key,
                format!(
                    "at most {} thresholds per capability",
                    limits::MAX_THRESHOLDS
                ),
            );
        }
        thresholds[c] = v;
    }
    thresholds
}

/// A stable topological order (each nation after those it depends on), and
/// the cycles that prevent one: each cycle found is placed as it stands, so
/// that the nations after it are still ordered and an independent cycle is
/// found in turn.
fn topo_order(deps: &[Vec<usize>]) -> (Vec<usize>, Vec<Vec<usize>>) {
    let n = deps.len();
    let mut placed = vec![false; n];
    let mut order = Vec::with_capacity(n);
    let mut cycles = Vec::new();
    // Repeatedly place the first unplaced nation whose dependencies are placed:
    // O(n²) in the worst case, fine for the nation limit.
    while order.len() < n {
        let next = (0..n).find(|&i| !placed[i] && deps[i].iter().all(|&d| placed[d]));
        let group = match next {
            Some(i) => vec![i],
            None => {
                let cycle = find_cycle(deps, &placed);
                cycles.push(cycle.clone());
                cycle
            }
        };
        for i in group {
            placed[i] = true;
            order.push(i);
        }
    }
    (order, cycles)
}

/// A cycle among the unplaced nations: follow unplaced dependencies until one repeats.
fn find_cycle(deps: &[Vec<usize>], placed: &[bool]) -> Vec<usize> {
    let start = (0..deps.len()).find(|&i| !placed[i]).unwrap_or(0);
    let mut path = vec![start];
    let mut cur = start;
    loop {
        let Some(&next) = deps[cur].iter().find(|&&d| !placed[d]) else {
            return path;
        };
        if let Some(pos) = path.iter().position(|&p| p == next) {
            let mut cycle = path.split_off(pos);
            let min = cycle
                .iter()
                .enumerate()
                .min_by_key(|(_, v)| **v)
                .map_or(0, |(i, _)| i);
            cycle.rotate_left(min);
            return cycle;
        }
        path.push(next);
        cur = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topo_order_is_stable_and_respects_deps() {
        // 0 depends on 2; 1 free; 2 free.
        let deps = vec![vec![2], vec![], vec![]];
        assert_eq!(topo_order(&deps), (vec![1, 2, 0], vec![]));
    }

    #[test]
    fn cycles_are_found() {
        let deps = vec![vec![1], vec![2], vec![0], vec![]];
        assert_eq!(topo_order(&deps).1, vec![vec![0, 1, 2]]);
    }

    #[test]
    fn each_independent_cycle_is_found_once() {
        // 0 ↔ 1 and 2 ↔ 3; 4 depends on both cycles.
        let deps = vec![vec![1], vec![0], vec![3], vec![2], vec![0, 2]];
        let (order, cycles) = topo_order(&deps);
        assert_eq!(cycles, vec![vec![0, 1], vec![2, 3]]);
        assert_eq!(order.len(), 5);
    }
}

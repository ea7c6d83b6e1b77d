//! From a decoded [`ScenarioFile`] to a [`Model`]: references between entries
//! (ids of nations, domains, capabilities, conditions, blocs), the `if_absent`
//! graph (acyclic), limits, and compilation into flat index-based vectors.

use std::collections::HashMap;

use super::decode::{Cx, S, closest};
use super::raw::ScenarioFile;
use crate::dist::{Dist, Sampler};
use crate::limits;
use crate::model::{
    Bloc, Cap, CapOn, Capability, Condition, Contribution, Domain, Model, Nation, Prob,
    Requirement, Tracked,
};
use crate::streams::stream_key;

fn text(s: &Option<S<String>>) -> String {
    s.as_ref().map(|s| s.v.clone()).unwrap_or_default()
}

fn unknown(cx: &mut Cx, what: &str, id: &S<String>, known: &[&str]) {
    let hint = match closest(&id.v, known) {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None if known.is_empty() => format!("; the scenario defines no {what}"),
        None if known.len() <= 40 => format!("; known: {}", known.join(", ")),
        None => String::new(),
    };
    cx.error(
        id.at.span.clone(),
        &id.at.key,
        format!("unknown {what} `{}`{hint}", id.v),
    );
}

/// Checks references and compiles the model. Decoding errors are already in `cx`;
/// entries that failed to decode are skipped, but their ids still resolve.
pub fn validate(file: &ScenarioFile, path: &str, cx: &mut Cx) -> Option<Model> {
    let cap_ids: Vec<&str> = file
        .capabilities
        .entries
        .iter()
        .map(|e| e.id.v.as_str())
        .collect();
    let cond_ids: Vec<&str> = file
        .conditions
        .entries
        .iter()
        .map(|e| e.id.v.as_str())
        .collect();
    let bloc_ids: Vec<&str> = file.blocs.entries.iter().map(|e| e.id.v.as_str()).collect();
    let dom_ids: Vec<&str> = file
        .domains
        .entries
        .iter()
        .map(|e| e.id.v.as_str())
        .collect();
    let nat_ids: Vec<&str> = file
        .nations
        .entries
        .iter()
        .map(|e| e.id.v.as_str())
        .collect();
    let index = |ids: &[&str], id: &str| ids.iter().position(|x| *x == id);

    // Counts and limits.
    if file.domains.entries.is_empty() {
        cx.error(
            file.at.span.start..file.at.span.start,
            "domains",
            "the scenario defines no domain: add at least one [domains.ID] table",
        );
    }
    if file.nations.entries.is_empty() {
        cx.error(
            file.at.span.start..file.at.span.start,
            "nations",
            "the scenario defines no nation: add at least one [nations.ID] table",
        );
    }
    for (what, n, max) in [
        ("nations", nat_ids.len(), limits::MAX_NATIONS),
        ("domains", dom_ids.len(), limits::MAX_DOMAINS),
        ("capabilities", cap_ids.len(), limits::MAX_CAPABILITIES),
        ("conditions", cond_ids.len(), limits::MAX_CONDITIONS),
        ("blocs", bloc_ids.len(), limits::MAX_CONDITIONS),
    ] {
        if n > max {
            cx.error(
                file.at.span.start..file.at.span.start,
                what,
                format!("too many {what}: {n}, at most {max}"),
            );
        }
    }
    // Conditions and nations share the namespace of `if_absent` keys.
    for e in &file.nations.entries {
        if cond_ids.contains(&e.id.v.as_str()) {
            cx.error(
                e.id.at.span.clone(),
                &e.id.at.key,
                format!(
                    "`{}` is both a nation and a condition: `if_absent` could not tell them apart; rename one",
                    e.id.v
                ),
            );
        }
    }

    if let Some(r) = &file.scenario.rotation
        && r.0.v == 0
    {
        cx.error(
            r.0.at.span.clone(),
            &r.0.at.key,
            format!(
                "rotation must be between 1 and {}, found 0",
                limits::MAX_ROTATION
            ),
        );
    }

    // Simulation defaults.
    let sim = file.simulation.as_ref();
    let timeline_days: Vec<u64> = sim
        .map(|s| s.timeline_days.iter().map(|d| d.0.v).collect())
        .unwrap_or_default();
    if let Some(s) = sim {
        for w in s.timeline_days.windows(2) {
            if w[1].0.v <= w[0].0.v {
                cx.error(
                    w[1].0.at.span.clone(),
                    &w[1].0.at.key,
                    format!(
                        "timeline days must be strictly increasing: {} follows {}",
                        w[1].0.v, w[0].0.v
                    ),
                );
            }
        }
        if s.timeline_days.len() > limits::MAX_TIMELINE_DAYS {
            cx.error(
                s.at.span.clone(),
                "simulation.timeline_days",
                format!("at most {} timeline days", limits::MAX_TIMELINE_DAYS),
            );
        }
        if let Some(t) = &s.trials
            && t.0.v == 0
        {
            cx.error(
                t.0.at.span.clone(),
                &t.0.at.key,
                "trials must be at least 1",
            );
        }
    }

    // Capabilities.
    let capabilities: Vec<Capability> = file
        .capabilities
        .entries
        .iter()
        .map(|e| {
            let c = e.value.as_ref();
            Capability {
                id: e.id.v.clone(),
                unit: c.map(|c| text(&c.unit)).unwrap_or_default(),
                name: c
                    .and_then(|c| c.name.as_ref().map(|n| n.v.clone()))
                    .unwrap_or_else(|| e.id.v.clone()),
            }
        })
        .collect();

    // Conditions.
    let conditions: Vec<Condition> = file
        .conditions
        .ok()
        .map(|(id, c)| Condition {
            id: id.v.clone(),
            description: text(&c.description),
            p: Prob::product([&c.probability.0.v]),
            key: stream_key("condition", &id.v),
        })
        .collect();

    // Blocs.
    let blocs: Vec<Bloc> = file
        .blocs
        .ok()
        .map(|(id, b)| {
            let rho = b.correlation.0.v;
            Bloc {
                id: id.v.clone(),
                rho,
                load: rho.sqrt(),
                own: (1.0 - rho).sqrt(),
                key: stream_key("bloc", &id.v),
            }
        })
        .collect();

    // Domains: leads, requirements, tracked pairs.
    let mut domains = Vec::new();
    let mut tracked: Vec<Tracked> = Vec::new();
    // Capabilities contributed to each domain, in first-seen order.
    let mut contributed: HashMap<usize, Vec<usize>> = HashMap::new();
    for n in file.nations.ok().map(|(_, n)| n) {
        for (d_id, caps) in n.contributions.ok() {
            if let Some(d) = index(&dom_ids, &d_id.v) {
                for (c_id, _) in caps.ok() {
                    if let Some(c) = index(&cap_ids, &c_id.v) {
                        let list = contributed.entry(d).or_default();
                        if !list.contains(&c) {
                            list.push(c);
                        }
                    }
                }
            }
        }
    }
    for (d, entry) in file.domains.entries.iter().enumerate() {
        let Some(dom) = entry.value.as_ref() else {
            // Keep indices aligned with ids: a placeholder that is never run.
            domains.push(Domain {
                id: entry.id.v.clone(),
                name: entry.id.v.clone(),
                leads: vec![],
                requirements: vec![],
                tracked: tracked.len()..tracked.len(),
            });
            continue;
        };
        let mut leads = Vec::new();
        for l in &dom.lead {
            match index(&nat_ids, &l.v) {
                Some(n) if leads.contains(&n) => cx.error(
                    l.at.span.clone(),
                    &l.at.key,
                    format!("`{}` appears twice in the lead list", l.v),
                ),
                Some(n) => leads.push(n),
                None => unknown(cx, "nation", l, &nat_ids),
            }
        }
        let start = tracked.len();
        let mut requirements = Vec::new();
        for (c_id, req) in dom.requirements.ok() {
            let Some(c) = index(&cap_ids, &c_id.v) else {
                unknown(cx, "capability", c_id, &cap_ids);
                continue;
            };
            requirements.push(Requirement {
                capability: c,
                tracked: tracked.len(),
                sampler: Sampler::new(&req.0.v),
                dist: req.0.v.clone(),
                fixed: req
                    .0
                    .v
                    .is_fixed()
                    .then(|| crate::math::to_count(req.0.v.support().0)),
                key: stream_key("requirement", &format!("{}.{}", entry.id.v, c_id.v)),
            });
            tracked.push(Tracked {
                domain: d,
                capability: c,
                requirement: Some(requirements.len() - 1),
                min: 0,
            });
        }
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
            id: entry.id.v.clone(),
            name: dom
                .name
                .as_ref()
                .map(|n| n.v.clone())
                .unwrap_or_else(|| entry.id.v.clone()),
            leads,
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

    // Nations.
    let mut nations = Vec::new();
    let mut contributions = Vec::new();
    let mut deps: Vec<Vec<usize>> = Vec::new();
    for (n, entry) in file.nations.entries.iter().enumerate() {
        let id = &entry.id.v;
        let start = contributions.len();
        let mut my_deps = Vec::new();
        let Some(nat) = entry.value.as_ref() else {
            nations.push(Nation {
                id: id.clone(),
                name: id.clone(),
                p: Prob::product([&Dist::Fixed(0.0)]),
                p_factors: vec![Dist::Fixed(0.0)],
                caps: vec![],
                bloc: None,
                ready: None,
                contributions: start..start,
                key: 0,
                ready_key: 0,
            });
            deps.push(my_deps);
            continue;
        };
        let mut factors: Vec<Dist> = vec![nat.participation.0.v.clone()];
        factors.extend(nat.approval.iter().map(|a| a.probability.0.v.clone()));
        let mut caps = Vec::new();
        for (k, cap) in nat.if_absent.ok() {
            let on = if let Some(c) = index(&cond_ids, &k.v) {
                CapOn::Condition(c)
            } else if let Some(m) = index(&nat_ids, &k.v) {
                if m == n {
                    cx.error(
                        k.at.span.clone(),
                        &k.at.key,
                        format!("`{id}` cannot depend on its own absence"),
                    );
                    continue;
                }
                my_deps.push(m);
                CapOn::Nation(m)
            } else {
                let mut known = cond_ids.clone();
                known.extend(nat_ids.iter().copied());
                unknown(cx, "condition or nation", k, &known);
                continue;
            };
            caps.push(Cap {
                on,
                p: Prob::product([&cap.0.v]),
            });
        }
        let bloc = nat
            .bloc
            .as_ref()
            .and_then(|b| match index(&bloc_ids, &b.v) {
                Some(i) => Some(i),
                None => {
                    unknown(cx, "bloc", b, &bloc_ids);
                    None
                }
            });
        for (d_id, caps_of_domain) in nat.contributions.ok() {
            let Some(d) = index(&dom_ids, &d_id.v) else {
                unknown(cx, "domain", d_id, &dom_ids);
                continue;
            };
            for (c_id, amount) in caps_of_domain.ok() {
                let Some(c) = index(&cap_ids, &c_id.v) else {
                    unknown(cx, "capability", c_id, &cap_ids);
                    continue;
                };
                let t = domains[d]
                    .tracked
                    .clone()
                    .find(|t| tracked[*t].capability == c);
                let Some(t) = t else { continue };
                contributions.push(Contribution {
                    nation: n,
                    domain: d,
                    capability: c,
                    tracked: t,
                    sampler: Sampler::new(&amount.0.v),
                    dist: amount.0.v.clone(),
                    fixed: amount
                        .0
                        .v
                        .is_fixed()
                        .then(|| crate::math::to_count(amount.0.v.support().0)),
                    key: stream_key("contribution", &format!("{id}.{}.{}", d_id.v, c_id.v)),
                });
            }
        }
        nations.push(Nation {
            id: id.clone(),
            name: nat
                .name
                .as_ref()
                .map(|s| s.v.clone())
                .unwrap_or_else(|| id.clone()),
            p: Prob::product(factors.iter()),
            p_factors: factors,
            caps,
            bloc,
            ready: nat.ready_days.as_ref().map(|r| Sampler::new(&r.0.v)),
            contributions: start..contributions.len(),
            key: stream_key("nation", id),
            ready_key: stream_key("ready", id),
        });
        if let (Some(d), Some(last)) = (&nat.decision, nations.last_mut()) {
            last.decide(d.0.v);
        }
        deps.push(my_deps);
    }

    // Decision order: nations named in `if_absent` come first (Kahn, stable by file order).
    let order = match topo_order(&deps) {
        Ok(order) => order,
        Err(cycle) => {
            let names: Vec<&str> = cycle.iter().map(|&n| nat_ids[n]).collect();
            let first = cycle[0];
            let at = file.nations.entries[first]
                .value
                .as_ref()
                .map(|n| n.if_absent.at.clone())
                .unwrap_or_else(|| file.nations.entries[first].id.at.clone());
            cx.error(
                at.span,
                &format!("nations.{}.if_absent", nat_ids[first]),
                format!(
                    "`if_absent` references form a cycle: {} → {}; nations must be decidable in some order",
                    names.join(" → "),
                    names[0]
                ),
            );
            (0..nations.len()).collect()
        }
    };

    // Report thresholds.
    let mut thresholds: Vec<Vec<u64>> = vec![Vec::new(); capabilities.len()];
    if let Some(r) = &file.report {
        for (c_id, xs) in r.thresholds.ok() {
            match index(&cap_ids, &c_id.v) {
                Some(c) => {
                    let mut v: Vec<u64> = xs.iter().map(|x| x.0.v).collect();
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
                None => unknown(cx, "capability", c_id, &cap_ids),
            }
        }
    }

    if !cx.diags.is_empty() {
        return None;
    }
    let meta = &file.scenario;
    Some(Model {
        name: meta.name.v.clone(),
        description: text(&meta.description),
        path: path.to_string(),
        sources: meta.sources.iter().map(|s| s.v.clone()).collect(),
        rotation: meta.rotation.as_ref().map(|r| r.0.v),
        default_trials: sim.and_then(|s| s.trials.as_ref().map(|t| t.0.v)),
        default_seed: sim.and_then(|s| s.seed.as_ref().map(|t| t.0.v)),
        timeline_days,
        capabilities,
        conditions,
        blocs,
        domains,
        nations,
        order,
        contributions,
        tracked,
        thresholds,
        overrides: Vec::new(),
        digest: 0,
    })
}

/// A stable topological order (each nation after those it depends on), or a cycle.
fn topo_order(deps: &[Vec<usize>]) -> Result<Vec<usize>, Vec<usize>> {
    let n = deps.len();
    let mut placed = vec![false; n];
    let mut order = Vec::with_capacity(n);
    // Repeatedly place the first unplaced nation whose dependencies are placed:
    // O(n²) in the worst case, fine for the nation limit.
    while order.len() < n {
        let next = (0..n).find(|&i| !placed[i] && deps[i].iter().all(|&d| placed[d]));
        match next {
            Some(i) => {
                placed[i] = true;
                order.push(i);
            }
            None => return Err(find_cycle(deps, &placed)),
        }
    }
    Ok(order)
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
        assert_eq!(topo_order(&deps).unwrap(), vec![1, 2, 0]);
    }

    #[test]
    fn cycles_are_found() {
        let deps = vec![vec![1], vec![2], vec![0], vec![]];
        assert_eq!(topo_order(&deps).unwrap_err(), vec![0, 1, 2]);
    }
}

//! Warnings: likely modelling mistakes in a scenario that is valid.
//!
//! Each rule looks at the decoded file (for the place each value was written) once
//! validation has passed, so every id resolves. A warning names the dotted key,
//! says what will happen and how to fix it. `validate` prints them (exit code 0,
//! or 2 with `--strict`); `run` prints them once on stderr.

use std::collections::{HashMap, HashSet};

use super::decode::{Located, Table};
use super::diag::Diagnostic;
use super::raw::{CountDist, Domain, Nation, ScenarioFile};
use crate::dist::Dist;
use crate::math::to_count;
use crate::model::Model;

/// Every warning about `file` (compiled to `model`).
pub fn lint(file: &ScenarioFile, model: &Model) -> Vec<Diagnostic> {
    let mut w = Warnings {
        targets: effect_targets(file),
        ..Warnings::default()
    };
    let nations: HashMap<&str, &Nation> = (file.nations.ok())
        .map(|(id, n)| (id.value.as_str(), n))
        .collect();
    for (d_id, dom) in file.domains.ok() {
        domain_warnings((model, &nations), d_id, dom, &mut w);
    }
    let referenced = referenced_nations(file);
    for (n_id, nat) in file.nations.ok() {
        let referenced = referenced.contains(n_id.value.as_str());
        nation_warnings(file, (n_id, referenced), nat, &mut w);
    }
    bloc_warnings(file, &mut w);
    condition_warnings(file, &mut w);
    case_warnings(file, &mut w);
    timeline_warnings(file, &mut w);
    mission_warnings(file, &mut w);
    effect_warnings(file, &mut w);
    force_warnings(file, model, &mut w);
    pool_warnings(file, &mut w);
    ambition_warnings(file, model, &mut w);
    capped_warnings(file, model, &mut w);
    w.items
}

#[derive(Default)]
struct Warnings {
    items: Vec<Diagnostic>,
    /// Nations looked at for a misspelt id ([`misspelt`]).
    looked: usize,
    /// The effects' targets ([`effect_targets`]).
    targets: HashSet<String>,
}

impl Warnings {
    /// Whether an effect targets the value at the dotted `key` (under
    /// `domains`, `force` or `nations`): a target names it or a table holding it.
    fn targeted(&self, key: &str) -> bool {
        let mut at = key;
        loop {
            if self.targets.contains(at) {
                return true;
            }
            match at.rfind('.') {
                Some(i) => at = &at[..i],
                None => return false,
            }
        }
    }

    fn at<T>(&mut self, v: &Located<T>, message: String) {
        self.items.push(Diagnostic {
            more: 0,
            span: v.at.span.clone(),
            key: v.at.key.clone(),
            message,
        });
    }
}

/// A number as written in messages: whole numbers without a fraction.
fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        crate::math::brief(x)
    }
}

/// The largest amount a count distribution can give (rounded as draws are);
/// `None` when it is unbounded.
fn count_max(d: &Dist) -> Option<u64> {
    let hi = d.support().1;
    hi.is_finite().then(|| to_count(hi))
}

/// `nation`'s contributions to domain `d_id`, if any.
fn contributions_to<'a>(nation: &'a Nation, d_id: &str) -> Option<&'a Table<CountDist>> {
    nation
        .contributions
        .ok()
        .find(|(id, _)| id.value == d_id)
        .map(|(_, t)| t)
}

/// Whether `nation` can contribute anything above 0 to `d_id` (any capability).
fn gives_to(nation: &Nation, d_id: &str) -> bool {
    contributions_to(nation, d_id)
        .is_some_and(|t| t.ok().any(|(_, a)| count_max(&a.0.value) != Some(0)))
}

/// `nations`: the file's nations by id.
fn domain_warnings(
    (model, nations): (&Model, &HashMap<&str, &Nation>),
    id: &Located<String>,
    dom: &Domain,
    w: &mut Warnings,
) {
    let d_id = id.value.as_str();
    if dom.requirements.entries.is_empty() {
        w.at(
            id,
            format!(
                "`{d_id}` requires nothing, so it never falls short: add what it needs, e.g. [domains.{d_id}.requirements] troops = 1000"
            ),
        );
    }
    for (c_id, req) in dom.requirements.ok() {
        let key = format!("domains.{d_id}.requirements.{}", c_id.value);
        fractional(&req.0, w.targeted(&key), w);
        unreachable_requirement(model, d_id, &c_id.value, req, w);
    }
    for lead in dom.lead.iter().flat_map(|item| &item.members) {
        if let Some(n) = nations.get(lead.value.as_str())
            && !gives_to(n, d_id)
        {
            w.at(
                lead,
                format!(
                    "`{}` leads `{d_id}` but contributes nothing to it: add [nations.{}.contributions.{d_id}] or take it out of the lead list",
                    lead.value, lead.value
                ),
            );
        }
    }
    for (c_id, share) in dom.lead_provides.ok() {
        if share.0.value == 0.0 {
            w.at(
                &share.0,
                format!(
                    "a share of 0 is always met, so this obligation never changes which entry leads `{d_id}`: give {} a share above 0, or remove it",
                    c_id.value
                ),
            );
        }
    }
}

/// Draws of a normal or log-normal count that reach the value limit (with
/// their largest scales) in more than this share of trials get a warning.
const CAPPED_SHARE: f64 = 1e-9;

/// Normal and log-normal counts that pass the value limit (with their scales)
/// often enough to matter: capped there, they change the figures.
fn capped_warnings(file: &ScenarioFile, model: &Model, w: &mut Warnings) {
    use super::reach::{amounts, share_over};
    amounts(file, model, |amount, scales| {
        let (share, effect) = share_over(model, &amount.value, scales);
        if share <= CAPPED_SHARE {
            return;
        }
        let share = brief_share(share);
        let message = match effect {
            None => format!(
                "this {} passes the limit of 1e12 (with its largest scales) in about {share} of draws, which count as 1e12, so the figures that involve it are capped: narrow the distribution",
                amount.value.form()
            ),
            Some(e) => {
                let (dist, c) = (&model.effects[e].dist, model.effects[e].condition);
                format!(
                    "the {} scale of an effect of condition `{}` takes this amount past the limit of 1e12 in about {share} of the trials in which the effect applies, which count as 1e12, so the figures that involve it are capped: narrow the scale's distribution",
                    dist.form(),
                    model.conditions[c].id
                )
            }
        };
        w.at(amount, message);
    });
}

/// A requirement above the sum of every nation's largest contribution to it.
fn unreachable_requirement(
    model: &Model,
    d_id: &str,
    c_id: &str,
    req: &CountDist,
    w: &mut Warnings,
) {
    let (Some(d), Some(c)) = (model.domain(d_id), model.capability(c_id)) else {
        return;
    };
    let effects = model.domains[d]
        .requirements
        .iter()
        .find(|r| r.capability == c)
        .map_or(&[][..], |r| &r.effects);
    let least = least_required(model, &req.0.value, effects);
    let Some(most) = most_contributed(model, Some(d), c) else {
        return;
    };
    if least > most {
        w.at(
            &req.0,
            format!(
                "`{d_id}` needs at least {least} {c_id} but all nations together can contribute at most {most}: it can never be met; lower the requirement or add contributions to {d_id}.{c_id}"
            ),
        );
    }
}

/// The smallest and largest factors by which `effects` can scale a value in a
/// trial, each effect applying or not (then its factor is 1); the largest is
/// infinite when a scale is unbounded.
fn effect_factors(model: &Model, effects: &[usize]) -> (f64, f64) {
    effects.iter().fold((1.0, 1.0), |(lo, hi), &e| {
        let (a, b) = model.effects[e].dist.support();
        (lo * a.min(1.0), hi * b.max(1.0))
    })
}

/// The least a requirement drawn from `dist` and scaled by `effects` can be.
fn least_required(model: &Model, dist: &Dist, effects: &[usize]) -> u64 {
    to_count(dist.support().0.max(0.0) * effect_factors(model, effects).0)
}

/// The sum of every nation's largest contribution of capability `c` to domain
/// `d` (to every domain when `None`), with the largest scales of its effects and
/// its nation's `scale`, and at most what its pool of `c` lets it deploy; a
/// nation that never takes part gives nothing. `None` when one is unbounded.
fn most_contributed(model: &Model, d: Option<usize>, c: usize) -> Option<u64> {
    let mut most: u64 = 0;
    for (n, nation) in model.nations.iter().enumerate() {
        if nation.p.fixed <= 0.0 {
            continue;
        }
        let mut given: Option<u64> = Some(0);
        for k in &model.contributions[nation.contributions.clone()] {
            if k.capability != c || d.is_some_and(|d| d != k.domain) {
                continue;
            }
            let drawn = k.dist.support().1 * model.nations[k.nation].scale;
            let hi = if drawn == 0.0 {
                0.0
            } else {
                drawn * effect_factors(model, &k.effects).1
            };
            given = given
                .zip(hi.is_finite().then(|| to_count(hi)))
                .map(|(a, b)| a.saturating_add(b));
        }
        match (given, pool_room(model, n, c)) {
            (Some(g), Some(room)) => most = most.saturating_add(g.min(room)),
            (Some(g), None) => most = most.saturating_add(g),
            (None, Some(room)) => most = most.saturating_add(room),
            (None, None) => return None,
        }
    }
    Some(most)
}

/// The most nation `n` can deploy of capability `c` under its pool (the pool's
/// largest draw over its rotation), or `None` without a bounded pool.
fn pool_room(model: &Model, n: usize, c: usize) -> Option<u64> {
    let nation = &model.nations[n];
    let pool = nation.pools.iter().find(|p| p.capability == c)?;
    let hi = pool.dist.support().1;
    hi.is_finite()
        .then(|| to_count(hi) / nation.rotation.max(1))
}

/// A count that is not a whole number (draws are rounded). Where `scaled` (a
/// nation's `scale` or an effect may multiply it first), what it rounds to is
/// not said: the rounding comes after the scales.
fn fractional(amount: &Located<Dist>, scaled: bool, w: &mut Warnings) {
    let bad: Vec<f64> = match &amount.value {
        Dist::Fixed(x) => vec![*x],
        Dist::Discrete { values, .. } => values.clone(),
        _ => return,
    };
    let Some(x) = bad.into_iter().find(|x| x.fract() != 0.0) else {
        return;
    };
    let range = format!(
        "a distribution such as {{ uniform = [{}, {}] }} for a range",
        to_count(x.floor()),
        to_count(x.ceil())
    );
    // `{x}`: the shortest text that reads back as x, so as it was written.
    let message = if scaled {
        format!(
            "{x} is not a whole number: counts are rounded after the scales (the nation's `scale`, the effects) multiply it; write a whole number, or {range}"
        )
    } else {
        let r = to_count(x);
        format!(
            "{x} is not a whole number: counts are rounded, so this is {r}; write {r}, or {range}"
        )
    };
    w.at(amount, message);
}

/// Every effect's targets in `file`.
fn effect_targets(file: &ScenarioFile) -> HashSet<String> {
    (file.conditions.ok())
        .flat_map(|(_, c)| c.effects.iter())
        .flat_map(|e| e.targets.list.iter().map(|t| t.value.clone()))
        .collect()
}

/// For a nation that contributes nothing, whose id is close to another
/// nation's: a hint that a table under a misspelt id adds a nation (as in a
/// file that extends another, to change one of its nations). Looked for in the
/// first few such nations only (each look is linear in the nations).
fn misspelt(file: &ScenarioFile, n_id: &str, w: &mut Warnings) -> String {
    w.looked += 1;
    if w.looked > 20 {
        return String::new();
    }
    let others: Vec<&str> = (file.nations.entries.iter())
        .map(|e| e.id.value.as_str())
        .filter(|&o| o != n_id)
        .collect();
    // A country's own code is a nation of its own; else another name of a
    // nation there (`UK`), or one edit from another id (`GRB`).
    if super::iso::country(n_id).is_some_and(|(a3, _)| a3.eq_ignore_ascii_case(n_id)) {
        return String::new();
    }
    let lower = n_id.to_ascii_lowercase();
    let one_edit = || {
        (others.iter().copied())
            .filter(|o| o.len().abs_diff(lower.len()) <= 1)
            .find(|o| strsim::osa_distance(&lower, &o.to_ascii_lowercase()) == 1)
    };
    let close = super::iso::suggest(n_id, &others)
        .map(|(code, _)| code)
        .or_else(one_edit);
    close.map_or(String::new(), |c| {
        format!(" (did you mean `{c}`? a table under a new id adds a nation; it changes none)")
    })
}

/// The nations some nation's `if_absent` or `if_present` names.
fn referenced_nations(file: &ScenarioFile) -> HashSet<&str> {
    let mut named = HashSet::new();
    for (_, n) in file.nations.ok() {
        for list in [&n.if_absent, &n.if_present] {
            named.extend(list.entries.iter().map(|e| e.id.value.as_str()));
        }
    }
    named
}

/// `id` (with whether another nation's cap names it): its contributions that
/// count toward nothing, or nothing contributed at all.
fn nation_warnings(
    file: &ScenarioFile,
    (id, referenced): (&Located<String>, bool),
    nat: &Nation,
    w: &mut Warnings,
) {
    let n_id = id.value.as_str();
    let mut gives = false;
    for (d_id, caps) in nat.contributions.ok() {
        let dom = file.domains.ok().find(|(id, _)| id.value == d_id.value);
        for (c_id, amount) in caps.ok() {
            let key = format!("nations.{n_id}.contributions.{}.{}", d_id.value, c_id.value);
            let scaled = nat.scale.as_ref().is_some_and(|s| s.0.value != 1.0);
            fractional(&amount.0, scaled || w.targeted(&key), w);
            gives |= count_max(&amount.0.value) != Some(0);
            let required = dom.is_some_and(|(_, d)| d.requirements.has(&c_id.value));
            if !required && dom.is_some_and(|(_, d)| !d.requirements.entries.is_empty()) {
                // A whole-force requirement on the capability still counts it.
                let force = file
                    .force
                    .as_ref()
                    .is_some_and(|f| f.requirements.has(&c_id.value));
                let counts = if force {
                    "counts toward the whole force's requirement only, never toward covering it"
                } else {
                    "never counts toward covering it"
                };
                w.at(
                    &amount.0,
                    format!(
                        "`{}` does not require {}, so this contribution {counts}: add {} to [domains.{}.requirements], or contribute it to a domain that requires it",
                        d_id.value, c_id.value, c_id.value, d_id.value
                    ),
                );
            }
        }
    }
    if !gives && !referenced {
        let hint = misspelt(file, n_id, w);
        w.at(
            id,
            format!(
                "`{n_id}` contributes nothing: give it [nations.{n_id}.contributions.DOMAIN] amounts, or remove the nation{hint}"
            ),
        );
    }
    never_binding_caps(n_id, nat, w);
}

/// An `if_absent` or `if_present` cap at or above the highest probability the
/// nation can have. A decision set to `"in"` or `"out"` ignores every cap by
/// rule (the settings `secure` and `sensitivity` apply), and a nation whose
/// probability is 0 (an approval at 0, say) never takes part whatever its caps:
/// nothing to say.
fn never_binding_caps(n_id: &str, nat: &Nation, w: &mut Warnings) {
    if nat
        .decision
        .as_ref()
        .is_some_and(|d| d.0.value != crate::model::Decision::Draw)
    {
        return;
    }
    let Some(participation) = &nat.participation else {
        return;
    };
    let mut most = participation.0.value.support().1;
    for a in &nat.approval {
        most *= a.probability.0.value.support().1;
    }
    if most <= 0.0 {
        return;
    }
    for (k, cap) in nat.if_absent.ok().chain(nat.if_present.ok()) {
        let least = cap.0.value.support().0;
        if least >= most {
            w.at(
                &cap.0,
                format!(
                    "the cap {} is not below `{n_id}`'s probability of taking part (at most {}), so `{}` never changes it: lower the cap below {} or remove it",
                    num(least),
                    crate::math::brief(most),
                    k.value,
                    crate::math::brief(most)
                ),
            );
        }
    }
}

/// Blocs of fewer than two nations.
fn bloc_warnings(file: &ScenarioFile, w: &mut Warnings) {
    for (b_id, _) in file.blocs.ok() {
        let members: Vec<&str> = file
            .nations
            .ok()
            .filter(|(_, n)| n.bloc.as_ref().is_some_and(|b| b.value == b_id.value))
            .map(|(id, _)| id.value.as_str())
            .collect();
        let b = &b_id.value;
        match members.as_slice() {
            [] => w.at(
                b_id,
                format!("no nation is in bloc `{b}`: set bloc = \"{b}\" on two or more nations, or remove the bloc"),
            ),
            [one] => w.at(
                b_id,
                format!("bloc `{b}` has one member (`{one}`): a correlation needs two or more; add members with bloc = \"{b}\", or remove the bloc"),
            ),
            _ => {}
        }
    }
}

/// Conditions that nothing references (no cap, effect or mission gate).
fn condition_warnings(file: &ScenarioFile, w: &mut Warnings) {
    for (c_id, cond) in file.conditions.ok() {
        let capped = file
            .nations
            .ok()
            .any(|(_, n)| n.if_absent.has(&c_id.value) || n.if_present.has(&c_id.value));
        let used = capped || !cond.effects.is_empty() || mission_requires(file, &c_id.value);
        if !used {
            let c = &c_id.value;
            w.at(
                c_id,
                format!(
                    "condition `{c}` is used by no `if_absent` or `if_present` cap, no effect and no [mission] requires, so it changes nothing: cap a nation with if_absent.{c} = P or if_present.{c} = P, give it [[conditions.{c}.effects]], list it in [mission] requires, or remove it"
                ),
            );
        }
    }
}

/// Ids of one kind that differ only in case (`GBR` and `gbr`): ids are
/// case-sensitive, so these are two entries, almost always by mistake.
fn case_warnings(file: &ScenarioFile, w: &mut Warnings) {
    case_twins("capabilities", &file.capabilities, w);
    case_twins("conditions", &file.conditions, w);
    case_twins("blocs", &file.blocs, w);
    case_twins("domains", &file.domains, w);
    case_twins("nations", &file.nations, w);
}

/// Warns at each id of `table` that differs only in case from an earlier one.
fn case_twins<T>(what: &str, table: &Table<T>, w: &mut Warnings) {
    let mut first: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    for e in &table.entries {
        let id = e.id.value.as_str();
        match first.get(&id.to_ascii_lowercase()) {
            Some(earlier) if *earlier != id => w.at(
                &e.id,
                format!(
                    "`{id}` and `{earlier}` differ only in case: ids are case-sensitive, so these are two {what}; use one spelling if they are meant to be the same, or rename one"
                ),
            ),
            Some(_) => {}
            None => {
                first.insert(id.to_ascii_lowercase(), id);
            }
        }
    }
}

/// Timeline days after every nation is ready (they repeat the final coverage).
fn timeline_warnings(file: &ScenarioFile, w: &mut Warnings) {
    let Some(sim) = &file.simulation else { return };
    if !sim.timeline_days.0.is_empty() {
        late_ready_warnings(file, w);
    }
    let mut latest: f64 = 0.0;
    for (_, n) in file.nations.ok() {
        if let Some(r) = &n.ready_days {
            latest = latest.max(r.0.value.support().1);
        }
    }
    if !latest.is_finite() {
        return;
    }
    let latest = latest.ceil();
    for day in &sim.timeline_days.0 {
        if day.0.value as f64 > latest {
            w.at(
                &day.0,
                format!(
                    "day {} is after every nation is ready (day {} at the latest), so it shows the final coverage: use days up to {}, or drop it",
                    day.0.value,
                    num(latest),
                    num(latest)
                ),
            );
        }
    }
}

/// Normal and log-normal `ready_days` that pass the limit of days often enough
/// to matter: such a nation counts as ready only after the limit.
fn late_ready_warnings(file: &ScenarioFile, w: &mut Warnings) {
    let limit = crate::limits::MAX_DAYS;
    for (_, n) in file.nations.ok() {
        let Some(r) = &n.ready_days else { continue };
        let share = super::reach::share_beyond(&r.0.value, limit as f64);
        if share > CAPPED_SHARE {
            w.at(
                &r.0,
                format!(
                    "these ready days pass the limit of {limit} days in about {} of draws, where the nation counts as ready after day {limit} (shown as day {} in the days to coverage): narrow the distribution",
                    brief_share(share),
                    limit + 1
                ),
            );
        }
    }
}

/// A share as a percentage, or in scientific notation below 0.1 %.
fn brief_share(share: f64) -> String {
    if share >= 1e-3 {
        crate::present::pct(share)
    } else {
        format!("{share:.1e}")
    }
}

/// Whether `[mission] requires` lists condition `c_id`.
fn mission_requires(file: &ScenarioFile, c_id: &str) -> bool {
    file.mission
        .as_ref()
        .is_some_and(|m| m.requires.iter().any(|r| r.value == c_id))
}

/// A mission gate that lists nothing, or a condition that is never true.
fn mission_warnings(file: &ScenarioFile, w: &mut Warnings) {
    let Some(m) = &file.mission else { return };
    if m.requires.is_empty() {
        w.items.push(Diagnostic {
            more: 0,
            span: m.at.span.clone(),
            key: "mission.requires".into(),
            message: "[mission] requires no condition, so every trial is mounted: list the conditions the deployment needs, e.g. requires = [\"ceasefire\"], or remove [mission]".into(),
        });
    }
    for r in &m.requires {
        let never = file
            .conditions
            .ok()
            .find(|(id, _)| id.value == r.value)
            .is_some_and(|(_, c)| c.probability.0.value.support().1 <= 0.0);
        if never {
            w.at(
                r,
                format!(
                    "condition `{}` is never true, so no trial is mounted and every figure but p_mounted is empty: raise its probability, or take it out of requires",
                    r.value
                ),
            );
        }
    }
}

/// Effects that never apply or change nothing.
fn effect_warnings(file: &ScenarioFile, w: &mut Warnings) {
    for (c_id, cond) in file.conditions.ok() {
        let gate = mission_requires(file, &c_id.value);
        for e in &cond.effects {
            let when = e.when.as_ref().is_some_and(|w| w.value);
            if gate && !when {
                let message = format!(
                    "`{c}` is required by [mission], so it is true in every mounted trial and an effect with when = false never applies: set when = true, or remove the effect",
                    c = c_id.value
                );
                match &e.when {
                    Some(at) => w.at(at, message),
                    None => w.items.push(Diagnostic {
                        more: 0,
                        span: e.at.span.clone(),
                        key: e.at.key.clone(),
                        message,
                    }),
                }
            }
            if e.scale.0.value == Dist::Fixed(1.0) {
                w.at(
                    &e.scale.0,
                    "a scale of 1 leaves every target as it is, so this effect changes nothing: give another scale, or remove the effect".into(),
                );
            }
        }
    }
}

/// A force requirement above the sum of every nation's largest contributions.
fn force_warnings(file: &ScenarioFile, model: &Model, w: &mut Warnings) {
    let Some(f) = &file.force else { return };
    for (c_id, req) in f.requirements.ok() {
        let key = format!("force.requirements.{}", c_id.value);
        fractional(&req.0, w.targeted(&key), w);
        let Some(c) = model.capability(&c_id.value) else {
            continue;
        };
        let effects = model
            .force
            .iter()
            .flatten()
            .find(|r| r.capability == c)
            .map_or(&[][..], |r| &r.effects);
        let least = least_required(model, &req.0.value, effects);
        let Some(most) = most_contributed(model, None, c) else {
            continue;
        };
        if least > most {
            w.at(
                &req.0,
                format!(
                    "the force needs at least {least} {c} but all nations together can contribute at most {most}: it can never be met; lower the requirement or add contributions of {c}",
                    c = c_id.value
                ),
            );
        }
    }
}

/// Pools that are not whole numbers. (A pool above all the nation can ever
/// commit is not warned about: it records what the nation can hold, and the
/// report's `p_binds` of 0 says that it never binds.)
fn pool_warnings(file: &ScenarioFile, w: &mut Warnings) {
    for (_, nat) in file.nations.ok() {
        for (_, pool) in nat.pool.ok() {
            fractional(&pool.0, false, w);
        }
    }
}

/// How many of nation `n`'s contributions are drawn at random.
fn random_contributions(model: &Model, n: usize) -> usize {
    model.nations[n]
        .contributions
        .clone()
        .filter(|&k| !model.contributions[k].dist.is_fixed())
        .count()
}

/// Ambition on a nation with fewer than two random contributions (nothing to move
/// together), or a scenario default that reaches no such nation.
fn ambition_warnings(file: &ScenarioFile, model: &Model, w: &mut Warnings) {
    let mut default_moves = false;
    let ids = super::reach::Ids::of(model);
    for (n_id, nat) in file.nations.ok() {
        let Some(n) = ids.nation(&n_id.value) else {
            continue;
        };
        let random = random_contributions(model, n);
        match &nat.ambition {
            Some(a) if a.0.value > 0.0 && random < 2 => w.at(
                &a.0,
                format!(
                    "`{}` draws {random} of its contributions at random, so ambition has nothing to move together: no distribution changes, and figures move only by sampling noise; give it two or more distributions, or remove ambition",
                    n_id.value
                ),
            ),
            Some(_) => {}
            None => default_moves |= random >= 2,
        }
    }
    if let Some(a) = &file.scenario.ambition
        && a.0.value > 0.0
        && !default_moves
    {
        w.at(
            &a.0,
            "no nation that takes this default draws two or more contributions at random, so ambition changes no distribution (figures move only by sampling noise): remove it, or give the nations distributions".into(),
        );
    }
}

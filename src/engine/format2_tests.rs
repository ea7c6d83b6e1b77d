//! Format 2 in the engine, checked trial by trial against a direct reading of the
//! contract: a mission gate, `if_present` caps, effects, nation scales, co-lead
//! entries with obligations, the whole force, and the day each is covered.
//!
//! The models are parsed from a format-1 scenario and given their format-2 parts
//! by hand. The expected tally is computed here, trial by trial, from each
//! trial's conditions and decisions (the trace) and from the random draws read
//! directly from the streams: every amount, requirement, lead, coverage and day
//! is re-derived by enumeration (for the days: every ready day of the trial is
//! tried in turn), then the engine's tally must equal it exactly.

use super::{BLOCK_TRIALS, Outcomes, Plan, Scratch, block_count, block_len, run_block};
use crate::dist::{Dist, Sampler};
use crate::model::{Effect, ForceRequirement, LeadEntry, Model, Obligation};
use crate::stats::Tally;
use crate::streams::{stream, stream_key};

/// Format 1: two domains, five nations, two conditions; E sends troops to both
/// domains (its whole-force troops add up over them).
const BASE: &str = r#"
[scenario]
name = "format 2 in the engine"
[simulation]
timeline_days = [0, 5, 10, 20, 30]
[capabilities]
troops = { unit = "personnel" }
ships = { unit = "ships" }
[conditions.peace]
probability = 0.7
[conditions.storm]
probability = 0.4
[domains.land]
lead = ["A", "C"]
requirements = { troops = 100 }
[domains.sea]
lead = ["D"]
requirements = { ships = 3 }
[nations.A]
participation = 0.6
ready_days = 10
[nations.A.contributions.land]
troops = 30
[nations.B]
participation = 0.7
ready_days = { uniform = [0, 30] }
[nations.B.contributions.land]
troops = 45
[nations.B.contributions.sea]
ships = 2
[nations.C]
participation = 0.5
[nations.C.contributions.land]
troops = 40
[nations.D]
participation = 0.8
ready_days = 5
if_absent = { A = 0.0 }
[nations.D.contributions.sea]
ships = 2
[nations.E]
participation = 0.5
if_absent = { storm = 0.25 }
[nations.E.contributions.land]
troops = { triangular = [10, 25, 40] }
[nations.E.contributions.sea]
ships = 1
troops = 5
"#;

fn index(ids: impl Iterator<Item = String>, id: &str) -> usize {
    ids.into_iter().position(|x| x == id).expect("known id")
}

/// The contribution of nation `n` to domain `d`.
fn contribution(model: &Model, n: &str, d: &str) -> usize {
    let (n, d) = (model.nation(n).unwrap(), model.domain(d).unwrap());
    model
        .contributions
        .iter()
        .position(|c| c.nation == n && c.domain == d)
        .unwrap()
}

fn effect(model: &Model, condition: &str, i: usize, when: bool, dist: Dist) -> Effect {
    Effect {
        condition: index(model.conditions.iter().map(|c| c.id.clone()), condition),
        when,
        sampler: Sampler::new(&dist),
        fixed: dist.is_fixed().then(|| dist.support().0),
        dist,
        targets: Vec::new(),
        key: stream_key("effect", &format!("{condition}#{i}")),
    }
}

fn force(model: &Model, cap: &str, dist: Dist, effects: Vec<usize>) -> ForceRequirement {
    ForceRequirement {
        capability: model.capability(cap).unwrap(),
        sampler: Sampler::new(&dist),
        fixed: dist
            .is_fixed()
            .then(|| crate::math::to_count(dist.support().0)),
        dist,
        key: stream_key("force", cap),
        effects,
    }
}

/// The format-1 scenario, parsed.
pub(crate) fn format1() -> Model {
    crate::scenario::parse("format2.toml", BASE, &[]).expect("valid scenario")
}

/// The format-2 model: mission `peace`; D capped at 0 when A takes part and E at
/// 0.25 when `storm` holds (`if_present`); effects `storm#0` (when true, × 0.5 on
/// the ships of B and E) and `storm#1` (when false, × U(1, 2) on the land
/// requirement, the force's troops and E's land troops); A scaled 1.1, C 1.5;
/// land led by A+B, else C, with `lead_provides = { troops = 0.5 }`; the force
/// needs troops 120 (× `storm#1`) and ships 3.
pub(crate) fn format2() -> Model {
    let mut m = format1();
    let n = |m: &Model, id: &str| m.nation(id).unwrap();
    m.mission = vec![0];
    let (d, e) = (n(&m, "D"), n(&m, "E"));
    m.nations[d].caps[0].present = true;
    m.nations[e].caps[0].present = true;
    m.effects = vec![
        effect(&m, "storm", 0, true, Dist::Fixed(0.5)),
        effect(&m, "storm", 1, false, Dist::Uniform { min: 1.0, max: 2.0 }),
    ];
    for (nat, dom, fx) in [("B", "sea", 0), ("E", "sea", 0), ("E", "land", 1)] {
        let k = contribution(&m, nat, dom);
        m.contributions[k].effects = vec![fx];
    }
    let (a, b, c) = (n(&m, "A"), n(&m, "B"), n(&m, "C"));
    m.nations[a].scale = 1.1;
    m.nations[c].scale = 1.5;
    let land = m.domain("land").unwrap();
    m.domains[land].requirements[0].effects = vec![1];
    m.domains[land].leads = vec![
        LeadEntry {
            label: "A+B".into(),
            members: vec![a, b],
        },
        LeadEntry {
            label: "C".into(),
            members: vec![c],
        },
    ];
    m.domains[land].provides = vec![Obligation {
        requirement: 0,
        share: 0.5,
    }];
    m.force = Some(vec![
        force(&m, "troops", Dist::Fixed(120.0), vec![1]),
        force(&m, "ships", Dist::Fixed(3.0), vec![]),
    ]);
    m
}

/// Rounds as the engine does: halves away from zero, never below 0.
fn count(x: f64) -> u64 {
    x.max(0.0).round() as u64
}

/// Asserts that two tallies are equal, naming the fields that differ (a tally's
/// debug form is too long to read).
#[track_caller]
fn assert_same(a: &Tally, b: &Tally, what: &str) {
    macro_rules! differing {
        ($($f:ident),*) => {{
            let mut v = Vec::new();
            $(if a.$f != b.$f { v.push(stringify!($f)); })*
            v
        }};
    }
    let fields = differing!(
        trials,
        mounted,
        all_covered,
        nation_in,
        nation_in_all,
        condition_true,
        covered,
        leaderless,
        lead_short,
        leads,
        force_covered,
        force_met,
        force_required_sum,
        force_gaps,
        force_required,
        met,
        required_sum,
        above,
        contributed,
        timeline_all,
        timeline_domain,
        timeline_force,
        coverage_day,
        totals,
        provided,
        gaps,
        required
    );
    assert!(
        fields.is_empty(),
        "{what}: the tallies differ in {fields:?}"
    );
    assert!(a == b, "{what}: the tallies differ");
}

fn run(model: &Model, seed: u64, trials: u64) -> Tally {
    super::run_serial(model, seed, trials, 0..block_count(trials))
}

/// One trial as the contract reads it.
struct Trial<'a> {
    model: &'a Model,
    /// Per nation: takes part, and its whole ready day.
    part: Vec<bool>,
    ready: Vec<u64>,
    /// Per contribution: its amount where its nation takes part.
    amount: Vec<u64>,
    /// Per tracked pair: the requirement; per force requirement: the requirement.
    required: Vec<u64>,
    force: Vec<u64>,
}

const NEVER: u64 = u64::MAX;

/// A day by which every nation is ready.
const LAST: u64 = u64::MAX - 1;

impl Trial<'_> {
    /// Provided to tracked pair `t` by the nations ready by `day`.
    fn provided(&self, t: usize, day: u64) -> u64 {
        let m = self.model;
        m.contributions
            .iter()
            .enumerate()
            .filter(|(_, c)| c.tracked == t && self.counts(c.nation, day))
            .map(|(k, _)| self.amount[k])
            .sum()
    }

    fn counts(&self, n: usize, day: u64) -> bool {
        self.part[n] && self.ready[n] <= day
    }

    /// The capability's total over every domain, by `day`.
    fn total(&self, cap: usize, day: u64) -> u64 {
        let m = self.model;
        (0..m.tracked.len())
            .filter(|&t| m.tracked[t].capability == cap)
            .map(|t| self.provided(t, day))
            .sum()
    }

    /// Domain `d` by `day`: (present entries, the lead's entry).
    fn lead(&self, d: usize, day: u64) -> (bool, Option<usize>) {
        let m = self.model;
        let dom = &m.domains[d];
        let mut any = false;
        for (e, entry) in dom.leads.iter().enumerate() {
            let present = entry.members.iter().any(|&n| self.counts(n, day));
            any |= present;
            let qualifies = present
                && dom.provides.iter().all(|o| {
                    let r = &dom.requirements[o.requirement];
                    let sum: u64 = m
                        .contributions
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| {
                            c.domain == d
                                && c.capability == r.capability
                                && entry.members.contains(&c.nation)
                                && self.counts(c.nation, day)
                        })
                        .map(|(k, _)| self.amount[k])
                        .sum();
                    meets_share(sum, o.share, self.required[r.tracked])
                });
            if qualifies {
                return (any, Some(e));
            }
        }
        (any, None)
    }

    fn domain_covered(&self, d: usize, day: u64) -> bool {
        let dom = &self.model.domains[d];
        let reqs = dom
            .requirements
            .iter()
            .all(|r| self.provided(r.tracked, day) >= self.required[r.tracked]);
        reqs && (dom.leads.is_empty() || self.lead(d, day).1.is_some())
    }

    fn force_covered(&self, day: u64) -> bool {
        let force = self.model.force.as_deref().unwrap_or_default();
        force
            .iter()
            .zip(&self.force)
            .all(|(r, &q)| self.total(r.capability, day) >= q)
    }

    /// The first of the trial's ready days at which `covered` holds.
    fn day(&self, covered: impl Fn(u64) -> bool) -> u64 {
        let mut days: Vec<u64> = (0..self.part.len())
            .filter(|&n| self.part[n])
            .map(|n| self.ready[n])
            .chain([0])
            .collect();
        days.sort_unstable();
        days.into_iter().find(|&d| covered(d)).unwrap_or(NEVER)
    }
}

/// The values of a mounted trial `t`, from its decisions (`part`) and the
/// streams.
fn trial<'a>(model: &'a Model, seed: u64, t: u64, cond: &[bool], part: Vec<bool>) -> Trial<'a> {
    let draw = |s: &Sampler, key: u64| s.sample(&mut stream(seed, t, key));
    let scale: Vec<f64> = model
        .effects
        .iter()
        .map(|e| {
            let x = draw(&e.sampler, e.key);
            if cond[e.condition] == e.when { x } else { 1.0 }
        })
        .collect();
    let scaled = |v: f64, fx: &[usize]| fx.iter().fold(v, |v, &e| v * scale[e]);
    let ready = model
        .nations
        .iter()
        .map(|n| {
            n.ready.as_ref().map_or(0, |r| {
                u64::from(super::days::ready_day(draw(r, n.ready_key)))
            })
        })
        .collect();
    let amount = model
        .contributions
        .iter()
        .map(|c| {
            let v = match c.fixed {
                Some(_) => c.dist.support().0,
                None => draw(&c.sampler, c.key),
            };
            count(scaled(v, &c.effects) * model.nations[c.nation].scale)
        })
        .collect();
    let mut required = vec![0; model.tracked.len()];
    for r in model.domains.iter().flat_map(|d| &d.requirements) {
        let v = match r.fixed {
            Some(_) => r.dist.support().0,
            None => draw(&r.sampler, r.key),
        };
        required[r.tracked] = count(scaled(v, &r.effects));
    }
    let force = model
        .force
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let v = match r.fixed {
                Some(_) => r.dist.support().0,
                None => draw(&r.sampler, r.key),
            };
            count(scaled(v, &r.effects))
        })
        .collect();
    Trial {
        model,
        part,
        ready,
        amount,
        required,
        force,
    }
}

/// What one mounted trial adds to the tally; returns whether everything was
/// covered.
fn add_trial(x: &Trial<'_>, tally: &mut Tally) -> bool {
    let m = x.model;
    for (n, &p) in x.part.iter().enumerate() {
        tally.nation_in[n] += u64::from(p);
    }
    for (k, c) in m.contributions.iter().enumerate() {
        if x.part[c.nation] {
            tally.contributed[k] += u128::from(x.amount[k]);
        }
    }
    for t in 0..m.tracked.len() {
        tally.provided[t].add(x.provided(t, LAST));
    }
    let mut slot = 0;
    for c in 0..m.capabilities.len() {
        let total = x.total(c, LAST);
        tally.totals[c].add(total);
        // Every rotation is 1: the committed force is the total.
        tally.committed[c].add(total);
        for &th in &m.thresholds[c] {
            tally.above[slot] += u64::from(total >= th);
            slot += 1;
        }
    }
    let mut days = add_domains(x, tally);
    if m.force.is_some() {
        days.push(add_force(x, tally));
    }
    let latest = days.iter().copied().max().unwrap_or(0);
    let all = latest != NEVER;
    tally.all_covered += u64::from(all);
    for (n, &p) in x.part.iter().enumerate() {
        tally.nation_in_all[n] += u64::from(p && all);
    }
    days.push(latest);
    let nd = m.domains.len();
    for (i, &day) in days.iter().enumerate() {
        for (k, &t) in m.timeline_days.iter().enumerate() {
            let hit = u64::from(day <= t);
            if i < nd {
                tally.timeline_domain[k * nd + i] += hit;
            } else if i + 1 < days.len() {
                tally.timeline_force[k] += hit;
            } else {
                tally.timeline_all[k] += hit;
            }
        }
        if day != NEVER {
            tally.coverage_day[i].add(day);
        }
    }
    all
}

/// What one mounted trial adds to the domains' figures; returns each domain's
/// day of coverage.
fn add_domains(x: &Trial<'_>, tally: &mut Tally) -> Vec<u64> {
    let m = x.model;
    let mut days = Vec::new();
    for (d, dom) in m.domains.iter().enumerate() {
        for r in &dom.requirements {
            let (q, p) = (x.required[r.tracked], x.provided(r.tracked, LAST));
            tally.met[r.tracked] += u64::from(p >= q);
            tally.required_sum[r.tracked] += u128::from(q);
            if let Some(g) = &mut tally.gaps[r.tracked] {
                g.add(q.saturating_sub(p));
            }
            if let Some(h) = &mut tally.required[r.tracked] {
                h.add(q);
            }
        }
        if !dom.leads.is_empty() {
            match x.lead(d, LAST) {
                (_, Some(e)) => tally.leads[m.lead_offset(d) + e] += 1,
                (any, None) => {
                    tally.leaderless[d] += 1;
                    tally.lead_short[d] += u64::from(any);
                }
            }
        }
        let covered = x.domain_covered(d, LAST);
        tally.covered[d] += u64::from(covered);
        let day = x.day(|day| x.domain_covered(d, day));
        assert_eq!(covered, day != NEVER);
        days.push(day);
    }
    days
}

/// What one mounted trial adds to the force's figures; returns its day of
/// coverage.
fn add_force(x: &Trial<'_>, tally: &mut Tally) -> u64 {
    let force = x.model.force.as_deref().unwrap_or_default();
    for (i, r) in force.iter().enumerate() {
        let (q, p) = (x.force[i], x.total(r.capability, LAST));
        tally.force_met[i] += u64::from(p >= q);
        tally.force_required_sum[i] += u128::from(q);
        if let Some(g) = &mut tally.force_gaps[i] {
            g.add(q.saturating_sub(p));
        }
        if let Some(h) = &mut tally.force_required[i] {
            h.add(q);
        }
    }
    let covered = x.force_covered(LAST);
    tally.force_covered += u64::from(covered);
    let day = x.day(|day| x.force_covered(day));
    assert_eq!(covered, day != NEVER);
    day
}

/// The tally the contract gives for `model`, and per trial (all of them) whether
/// it was mounted and everything covered.
fn expected(model: &Model, seed: u64, trials: u64) -> (Tally, Vec<(bool, bool)>) {
    let trace = super::trace(model, seed, trials);
    let mut tally = Tally::new(model);
    tally.trials = trials;
    let mut outcomes = Vec::new();
    for t in 0..trials as usize {
        let cond: Vec<bool> = trace.conditions.iter().map(|c| c[t]).collect();
        for (i, &c) in cond.iter().enumerate() {
            tally.condition_true[i] += u64::from(c);
        }
        let mounted = model.mission.iter().all(|&c| cond[c]);
        assert_eq!(trace.mounted[t], mounted);
        if !mounted {
            assert!(trace.part.iter().all(|p| !p[t]));
            outcomes.push((false, false));
            continue;
        }
        tally.mounted += 1;
        let part = trace.part.iter().map(|p| p[t]).collect();
        let x = trial(model, seed, t as u64, &cond, part);
        for (k, c) in model.contributions.iter().enumerate() {
            let want = x.part[c.nation].then_some(x.amount[k]);
            assert_eq!(
                trace.contributions[k][t], want,
                "contribution {k}, trial {t}"
            );
        }
        outcomes.push((true, add_trial(&x, &mut tally)));
    }
    (tally, outcomes)
}

#[test]
fn the_format1_scenario_runs_as_written() {
    let model = format1();
    for (seed, trials) in [(1, 3000), (7, 5000)] {
        let want = expected(&model, seed, trials).0;
        assert_same(&run(&model, seed, trials), &want, "format 1");
    }
}

#[test]
fn every_format2_rule_gives_the_tally_of_the_contract() {
    let model = format2();
    for (seed, trials) in [(1, 3000), (7, 9000)] {
        let (want, _) = expected(&model, seed, trials);
        let got = run(&model, seed, trials);
        assert_same(&got, &want, &format!("seed {seed}"));
        // Every rule is exercised: some trials not mounted, leads short and
        // without candidate, co-leads and the fallback leading, the force met
        // and not.
        assert!(0 < got.mounted && got.mounted < trials);
        let land = model.domain("land").unwrap();
        assert!(got.lead_short[land] > 0);
        assert!(got.leaderless[land] > got.lead_short[land]);
        let lead = model.lead_offset(land);
        assert!(got.leads[lead] > 0 && got.leads[lead + 1] > 0);
        assert!(got.force_met[0] > 0 && got.force_met[0] < got.mounted);
        assert!(got.force_covered > 0 && got.all_covered < got.force_covered);
        assert!(got.timeline_force.iter().any(|&c| c > 0));
    }
}

#[test]
fn the_gate_keeps_every_draw_of_the_mounted_trials() {
    let gated = format2();
    let mut open = format2();
    open.mission.clear();
    let (a, b) = (super::trace(&gated, 3, 5000), super::trace(&open, 3, 5000));
    assert_eq!(a.conditions, b.conditions);
    let mut mounted = 0;
    for t in 0..5000 {
        if !a.mounted[t] {
            assert!(a.part.iter().all(|p| !p[t]));
            assert!(a.effects.iter().all(|e| e[t].is_none()));
            assert!(a.contributions.iter().all(|c| c[t].is_none()));
            continue;
        }
        mounted += 1;
        for (x, y) in a.part.iter().zip(&b.part) {
            assert_eq!(x[t], y[t]);
        }
        for (x, y) in a.factors.iter().zip(&b.factors) {
            assert_eq!(x[t], y[t]);
        }
        for (x, y) in a.effects.iter().zip(&b.effects) {
            assert_eq!(x[t], y[t]);
            assert!(x[t].is_some());
        }
        for (x, y) in a.contributions.iter().zip(&b.contributions) {
            assert_eq!(x[t], y[t]);
        }
        for (x, y) in a.required.iter().zip(&b.required) {
            assert_eq!(x[t], y[t]);
        }
        for (x, y) in a.ready.iter().zip(&b.ready) {
            assert_eq!(x[t], y[t]);
        }
    }
    assert!(b.mounted.iter().all(|&x| x));
    let tally = run(&gated, 3, 5000);
    assert_eq!(tally.mounted, mounted);
    assert_eq!(tally.trials, 5000);
    assert_eq!(
        tally.condition_true,
        a.conditions
            .iter()
            .map(|c| c.iter().filter(|&&x| x).count() as u64)
            .collect::<Vec<_>>()
    );
}

#[test]
fn if_present_caps_bind_where_the_condition_holds_or_the_nation_takes_part() {
    let model = format2();
    let mut uncapped = format2();
    let (a, d, e) = (
        model.nation("A").unwrap(),
        model.nation("D").unwrap(),
        model.nation("E").unwrap(),
    );
    uncapped.nations[d].caps.clear();
    uncapped.nations[e].caps.clear();
    let storm = 1;
    let (x, y) = (
        super::trace(&model, 5, 6000),
        super::trace(&uncapped, 5, 6000),
    );
    let (mut capped_away, mut storm_in) = (0, 0);
    for t in 0..6000 {
        // D: capped at 0 where A takes part, untouched elsewhere.
        assert_eq!(x.part[d][t], y.part[d][t] && !x.part[a][t]);
        // E: capped at 0.25 (from 0.5) where the storm holds.
        if x.conditions[storm][t] {
            assert!(!x.part[e][t] || y.part[e][t]);
            capped_away += u64::from(y.part[e][t] && !x.part[e][t]);
            storm_in += u64::from(x.part[e][t]);
        } else {
            assert_eq!(x.part[e][t], y.part[e][t]);
        }
    }
    assert!(capped_away > 0 && storm_in > 0);
    // The format-1 reading of the same caps (`if_absent`) binds the other way.
    let absent = format1();
    let z = super::trace(&absent, 5, 6000);
    for t in 0..6000 {
        if z.mounted[t] {
            assert!(!z.part[d][t] || z.part[a][t]);
        }
    }
}

#[test]
fn effects_and_scales_touch_only_their_targets() {
    let model = format2();
    let trace = super::trace(&model, 11, 4000);
    let b_sea = contribution(&model, "B", "sea");
    let a_land = contribution(&model, "A", "land");
    let c_land = contribution(&model, "C", "land");
    let storm = 1;
    for t in 0..4000 {
        if !trace.mounted[t] {
            continue;
        }
        if let Some(v) = trace.contributions[b_sea][t] {
            // 2 ships, halved in a storm.
            assert_eq!(v, if trace.conditions[storm][t] { 1 } else { 2 });
        }
        if let Some(v) = trace.contributions[a_land][t] {
            assert_eq!(v, 33); // 30 × 1.1
        }
        if let Some(v) = trace.contributions[c_land][t] {
            assert_eq!(v, 60); // 40 × 1.5
        }
        // The land requirement: 100 × U(1, 2) without a storm, 100 with one;
        // the drawn scale is drawn in every mounted trial.
        let u = trace.effects[1][t].expect("drawn where mounted");
        let q = trace.required[0][t];
        if trace.conditions[storm][t] {
            assert_eq!(q, 100);
        } else {
            assert_eq!(q, count(100.0 * u));
        }
        assert_eq!(trace.effects[0][t], Some(0.5));
        assert_eq!(trace.force[1][t], 3);
    }
}

/// Per-trial outcomes (for paired comparisons) keep each trial at its place:
/// a trial not mounted records nothing covered and no totals.
#[test]
fn outcomes_record_every_trial_in_place() {
    let model = format2();
    let plan = Plan::new(&model);
    let trials = BLOCK_TRIALS + 1000;
    let (_, want) = expected(&model, 13, trials);
    let mut s = Scratch::with_batch(&plan, 100);
    s.outcomes = Some(Outcomes::new(&plan));
    let mut tally = Tally::new(&model);
    let stride = BLOCK_TRIALS as usize;
    for b in 0..block_count(trials) {
        let len = block_len(trials, b) as usize;
        run_block(&plan, 13, b, len as u64, &mut s, &mut tally);
        let o = s.outcomes.as_ref().unwrap();
        assert_eq!(o.len, len);
        for j in 0..len {
            let (mounted, all) = want[b as usize * stride + j];
            assert_eq!((o.mounted[j], o.all[j]), (mounted, all), "trial {j}");
            if !mounted {
                for d in 0..model.domains.len() {
                    assert!(!o.covered[d * stride + j]);
                }
                for c in 0..model.capabilities.len() {
                    assert_eq!(o.totals[c * stride + j], 0);
                }
            }
        }
    }
    assert_same(&tally, &run(&model, 13, trials), "outcomes");
}

/// `sum ≥ share × required` for the share as written in decimal: the fewest
/// decimals `k` at which `share` is `n / 10^k` (found by trying each `k`).
fn meets_share(sum: u64, share: f64, required: u64) -> bool {
    let k = (0..=17)
        .find(|&k| {
            let p = 10f64.powi(k);
            (share * p).round() / p == share
        })
        .expect("a share with at most 17 decimals");
    let n = (share * 10f64.powi(k)).round() as u128;
    u128::from(sum) * 10u128.pow(k as u32) >= n * u128::from(required)
}

/// The contract's fine print: an obligation is met with `Σ ≥ share × required`
/// in whole amounts, for the share as written; a share of 0 asks for nothing,
/// of 1 for everything.
#[test]
fn obligations_need_the_share_rounded_up() {
    use super::plan::{Share, obligation_need};
    let need = |s: f64, q: u64| obligation_need(Share::of(s), q);
    assert_eq!(need(0.5, 101), 51);
    assert_eq!(need(0.5, 100), 50);
    assert_eq!(need(0.0, 100), 0);
    assert_eq!(need(1.0, 7), 7);
    assert_eq!(need(0.4, 0), 0);
    // In binary these products lie just above the whole number.
    assert_eq!(0.55 * 27_000.0, 14_850.000_000_000_002);
    assert_eq!(need(0.55, 27_000), 14_850);
    assert_eq!(need(0.07, 100), 7);
    assert_eq!(need(0.14, 50), 7);
    assert_eq!(need(0.30000000000000004, 10), 4);
    assert_eq!(need(1.0, 1_000_000_000_000), 1_000_000_000_000);
    assert_eq!(
        need(0.999_999_999_999_999_9, 1_000_000_000_000),
        1_000_000_000_000
    );
    // Past 18 decimals the share is rounded up: still at least the exact need.
    assert_eq!(need(5e-324, 1_000_000_000_000), 1);
    assert_eq!(need(1e-19, 1), 1);
    // Every two- and three-decimal share on requirements up to 2,000, by
    // integer arithmetic: ⌈n × q / 10^k⌉.
    for (k, den) in [(2, 100u64), (3, 1000)] {
        for n in 0..=den {
            let s: f64 = format!("{}.{:0k$}", n / den, n % den).parse().unwrap();
            for q in 0..=2_000u64 {
                assert_eq!(need(s, q), (n * q).div_ceil(den), "{s} × {q}");
                let x = need(s, q);
                assert!(meets_share(x, s, q) && (x == 0 || !meets_share(x - 1, s, q)));
            }
        }
    }
}

/// With every format-2 part set to its format-1 value, format 2 runs the
/// format-1 code: a scale of 1 and effects that never apply change nothing.
#[test]
fn neutral_format2_parts_change_nothing() {
    let base = format1();
    let mut m = format1();
    m.effects = vec![effect(&m, "storm", 0, true, Dist::Fixed(1.0))];
    let k = contribution(&m, "B", "land");
    m.contributions[k].effects = vec![0];
    let mut t = run(&m, 2, 5000);
    assert_same(&t, &run(&base, 2, 5000), "neutral effect");
    m.mission = vec![];
    m.force = Some(vec![force(&m, "troops", Dist::Fixed(0.0), vec![])]);
    let f = run(&m, 2, 5000);
    assert_eq!(f.force_covered, f.mounted);
    // The force is covered in every trial: every other figure stays as it was,
    // and everything is covered by a day when every domain is.
    let nd = m.domains.len();
    assert_eq!(f.coverage_day[..nd], t.coverage_day[..nd]);
    assert_eq!(f.coverage_day[nd].n, f.mounted);
    assert_eq!(f.coverage_day[nd + 1], t.coverage_day[nd]);
    t.force_met = f.force_met.clone();
    t.force_required_sum = f.force_required_sum.clone();
    t.force_covered = f.force_covered;
    assert_eq!(
        (&f.force_gaps, &f.force_required),
        (&vec![None], &vec![None])
    );
    t.force_gaps = f.force_gaps.clone();
    t.force_required = f.force_required.clone();
    t.timeline_force = f.timeline_force.clone();
    t.coverage_day = f.coverage_day.clone();
    assert_same(&f, &t, "a force always met");
}

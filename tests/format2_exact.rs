//! Format 2 against exact answers: tiny scenarios with fixed contributions and
//! fixed or discrete effect scales, whose every figure this file computes by
//! enumerating every outcome of the conditions, the effect scales and the nations'
//! decisions. The enumeration reads the same TOML text the engine is given, with
//! its own reading of the contract (docs/design.md, "Format 2: force generation"):
//! the mission gate, `if_present` caps, effects and nation `scale` applied before
//! rounding, co-lead entries with `lead_provides` obligations, the whole force, and
//! the timeline on which leads wait for readiness. The report is read as JSON, by
//! the field names of `forcesim-report/2`.
//!
//! Also: a format-2 report is the same whatever the thread count and whatever the
//! shard split.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{assert_prop, forcesim, json_without_engine, run, scratch};
use serde_json::Value as Json;
use toml::de::{DeTable, DeValue};

type Table = serde_json::Map<String, Json>;
type Value = Json;

/// A TOML value as JSON (tables keep their order).
fn json_of(v: &DeValue) -> Json {
    match v {
        DeValue::String(s) => Json::String(s.to_string()),
        DeValue::Integer(i) => Json::from(
            i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).expect("an integer"),
        ),
        DeValue::Float(f) => {
            Json::from(f.as_str().replace('_', "").parse::<f64>().expect("a float"))
        }
        DeValue::Boolean(b) => Json::Bool(*b),
        DeValue::Array(a) => Json::Array(a.into_iter().map(|x| json_of(x.get_ref())).collect()),
        DeValue::Table(t) => Json::Object(table_of(t)),
        DeValue::Datetime(_) => panic!("no dates in these scenarios"),
    }
}

fn table_of(t: &DeTable) -> Table {
    t.iter()
        .map(|(k, v)| (k.get_ref().to_string(), json_of(v.get_ref())))
        .collect()
}

// ---------------------------------------------------------------------------
// The scenario, as the enumeration reads it.

struct Effect {
    condition: usize,
    when: bool,
    /// (scale, probability)
    options: Vec<(f64, f64)>,
    /// The values it scales, as keys (`req/D/C`, `force/C`, `con/N/D/C`), each once.
    hits: Vec<String>,
}

struct Nation {
    id: String,
    p: f64,
    /// (condition or nation id, cap, true for `if_present`)
    caps: Vec<(String, f64, bool)>,
    ready: f64,
    scale: f64,
    /// (domain, capability, amount)
    gives: Vec<(String, String, f64)>,
}

struct Domain {
    id: String,
    entries: Vec<Vec<String>>,
    provides: Vec<(String, f64)>,
    requires: Vec<(String, f64)>,
}

struct Spec {
    capabilities: Vec<String>,
    conditions: Vec<(String, f64)>,
    mission: Vec<usize>,
    effects: Vec<Effect>,
    nations: Vec<Nation>,
    domains: Vec<Domain>,
    force: Option<Vec<(String, f64)>>,
    days: Vec<u64>,
}

fn num(v: &Value) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("a plain number expected, not {v}"))
}

fn sub<'a>(t: &'a Table, key: &str) -> Option<&'a Table> {
    t.get(key).map(|v| v.as_object().expect("a table"))
}

fn numbers(t: Option<&Table>) -> Vec<(String, f64)> {
    t.map(|t| t.iter().map(|(k, v)| (k.clone(), num(v))).collect())
        .unwrap_or_default()
}

/// Rounded once, halves away from zero, never below 0.
/// `sum ≥ share × required` for the share as written in decimal (`0.55` is
/// 55/100, though `0.55 × 27,000` is 14,850.000000000002 in binary): the
/// share's digits as printed, compared in integers.
fn meets_share(sum: u64, share: f64, required: u64) -> bool {
    let text = format!("{share}");
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let n: u128 = format!("{whole}{frac}").parse().unwrap();
    u128::from(sum) * 10u128.pow(frac.len() as u32) >= n * u128::from(required)
}

fn count(x: f64) -> u64 {
    if x > 0.0 { (x + 0.5).floor() as u64 } else { 0 }
}

fn label(members: &[String]) -> String {
    members.join("+")
}

impl Spec {
    fn parse(text: &str) -> Spec {
        let t = table_of(
            DeTable::parse(text)
                .expect("test scenario is TOML")
                .get_ref(),
        );
        let empty = Table::new();
        let capabilities = sub(&t, "capabilities")
            .unwrap_or(&empty)
            .keys()
            .cloned()
            .collect();
        let conds = sub(&t, "conditions").unwrap_or(&empty);
        let conditions: Vec<(String, f64)> = conds
            .iter()
            .map(|(k, v)| (k.clone(), num(&v.as_object().unwrap()["probability"])))
            .collect();
        let cond_index = |id: &str| conditions.iter().position(|(c, _)| c == id).unwrap();
        let mission = sub(&t, "mission")
            .map(|m| {
                m["requires"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| cond_index(c.as_str().unwrap()))
                    .collect()
            })
            .unwrap_or_default();
        let domains: Vec<Domain> = sub(&t, "domains")
            .unwrap_or(&empty)
            .iter()
            .map(|(id, d)| {
                let d = d.as_object().unwrap();
                let entries = d
                    .get("lead")
                    .map(|l| {
                        l.as_array()
                            .unwrap()
                            .iter()
                            .map(|e| match e {
                                Value::String(s) => vec![s.clone()],
                                Value::Array(a) => {
                                    a.iter().map(|m| m.as_str().unwrap().to_string()).collect()
                                }
                                _ => panic!("lead entry {e}"),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Domain {
                    id: id.clone(),
                    entries,
                    provides: numbers(sub(d, "lead_provides")),
                    requires: numbers(sub(d, "requirements")),
                }
            })
            .collect();
        let nations: Vec<Nation> = sub(&t, "nations")
            .unwrap_or(&empty)
            .iter()
            .map(|(id, n)| {
                let n = n.as_object().unwrap();
                let mut caps = Vec::new();
                for (key, present) in [("if_absent", false), ("if_present", true)] {
                    for (k, p) in numbers(sub(n, key)) {
                        caps.push((k, p, present));
                    }
                }
                let mut gives = Vec::new();
                for (d, cs) in sub(n, "contributions").unwrap_or(&empty) {
                    for (c, x) in cs.as_object().unwrap() {
                        gives.push((d.clone(), c.clone(), num(x)));
                    }
                }
                Nation {
                    id: id.clone(),
                    p: num(&n["participation"]),
                    caps,
                    ready: n.get("ready_days").map_or(0.0, num),
                    scale: n.get("scale").map_or(1.0, num),
                    gives,
                }
            })
            .collect();
        let force = sub(&t, "force").map(|f| numbers(sub(f, "requirements")));
        let days = sub(&t, "simulation")
            .and_then(|s| s.get("timeline_days"))
            .map(|d| {
                d.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_u64().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        let mut spec = Spec {
            capabilities,
            conditions,
            mission,
            effects: Vec::new(),
            nations,
            domains,
            force,
            days,
        };
        for (ci, (_, c)) in conds.iter().enumerate() {
            let Some(list) = c.as_object().unwrap().get("effects") else {
                continue;
            };
            for e in list.as_array().unwrap() {
                let e = e.as_object().unwrap();
                let options = match &e["scale"] {
                    Value::Object(d) => {
                        let d = d["discrete"].as_object().expect("a discrete scale");
                        let values: Vec<f64> =
                            d["values"].as_array().unwrap().iter().map(num).collect();
                        let weights: Vec<f64> = d.get("weights").map_or_else(
                            || vec![1.0; values.len()],
                            |w| w.as_array().unwrap().iter().map(num).collect(),
                        );
                        let sum: f64 = weights.iter().sum();
                        values
                            .into_iter()
                            .zip(weights)
                            .map(|(v, w)| (v, w / sum))
                            .collect()
                    }
                    v => vec![(num(v), 1.0)],
                };
                let mut hits: Vec<String> = e["targets"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|t| spec.values(t.as_str().unwrap()))
                    .collect();
                hits.sort();
                hits.dedup();
                spec.effects.push(Effect {
                    condition: ci,
                    when: e.get("when").is_some_and(|w| w.as_bool().unwrap()),
                    options,
                    hits,
                });
            }
        }
        spec
    }

    /// The values an effect target names.
    fn values(&self, target: &str) -> Vec<String> {
        let p: Vec<&str> = target.split('.').collect();
        let out: Vec<String> = match p[0] {
            "domains" => self
                .domains
                .iter()
                .filter(|d| d.id == p[1])
                .flat_map(|d| d.requires.iter())
                .filter(|(c, _)| p.len() == 3 || p[3] == c)
                .map(|(c, _)| format!("req/{}/{c}", p[1]))
                .collect(),
            "force" => self
                .force
                .iter()
                .flatten()
                .filter(|(c, _)| p.len() == 2 || p[2] == c)
                .map(|(c, _)| format!("force/{c}"))
                .collect(),
            "nations" => self
                .nations
                .iter()
                .filter(|n| n.id == p[1])
                .flat_map(|n| n.gives.iter())
                .filter(|(d, c, _)| (p.len() < 4 || p[3] == d) && (p.len() < 5 || p[4] == c))
                .map(|(d, c, _)| format!("con/{}/{d}/{c}", p[1]))
                .collect(),
            _ => Vec::new(),
        };
        assert!(!out.is_empty(), "target {target} names no value");
        out
    }

    fn nation(&self, id: &str) -> Option<usize> {
        self.nations.iter().position(|n| n.id == id)
    }

    /// Is any effect aimed at this value?
    fn targeted(&self, key: &str) -> bool {
        self.effects.iter().any(|e| e.hits.iter().any(|h| h == key))
    }
}

// ---------------------------------------------------------------------------
// Enumeration.

/// Probabilities of events, keyed by name; every one is over all trials.
#[derive(Default)]
struct Exact(BTreeMap<String, f64>);

impl Exact {
    fn add(&mut self, key: impl Into<String>, w: f64) {
        *self.0.entry(key.into()).or_default() += w;
    }
    fn get(&self, key: &str) -> f64 {
        self.0.get(key).copied().unwrap_or(0.0)
    }
}

fn exact(s: &Spec) -> Exact {
    let nn = s.nations.len();
    // Decide every nation named in a cap before the nation it caps.
    let mut order = Vec::new();
    while order.len() < nn {
        let next = (0..nn)
            .find(|&i| {
                !order.contains(&i)
                    && s.nations[i]
                        .caps
                        .iter()
                        .all(|(k, _, _)| s.nation(k).is_none_or(|m| order.contains(&m)))
            })
            .expect("acyclic caps");
        order.push(next);
    }
    let mut e = Exact::default();
    let nc = s.conditions.len();
    for bits in 0u32..(1 << nc) {
        let cond: Vec<bool> = (0..nc).map(|i| bits >> i & 1 == 1).collect();
        let w0 = w0_of(s, &cond);
        for (i, (id, _)) in s.conditions.iter().enumerate() {
            if cond[i] {
                e.add(format!("cond/{id}"), w0);
            }
        }
        if !s.mission.iter().all(|&c| cond[c]) {
            continue;
        }
        e.add("mounted", w0);
        // Every combination of the effects' scales.
        let mut combos: Vec<(BTreeMap<String, f64>, f64)> = vec![(BTreeMap::new(), w0)];
        for ef in &s.effects {
            let mut next = Vec::new();
            for (mult, w) in &combos {
                for (scale, p) in &ef.options {
                    let mut mult = mult.clone();
                    if cond[ef.condition] == ef.when {
                        for h in &ef.hits {
                            *mult.entry(h.clone()).or_insert(1.0) *= scale;
                        }
                    }
                    next.push((mult, w * p));
                }
            }
            combos = next;
        }
        for (mult, w1) in combos {
            let mut stack: Vec<(usize, Vec<bool>, f64)> = vec![(0, vec![false; nn], w1)];
            while let Some((k, part, w)) = stack.pop() {
                if w == 0.0 {
                    continue;
                }
                if k == nn {
                    outcome(s, &part, &mult, w, &mut e);
                    continue;
                }
                let n = order[k];
                let nat = &s.nations[n];
                let mut p = nat.p;
                for (key, cap, present) in &nat.caps {
                    let state = match s.nation(key) {
                        Some(m) => part[m],
                        None => cond[s.conditions.iter().position(|(c, _)| c == key).unwrap()],
                    };
                    if state == *present {
                        p = p.min(*cap);
                    }
                }
                let mut yes = part.clone();
                yes[n] = true;
                stack.push((k + 1, yes, w * p));
                stack.push((k + 1, part, w * (1.0 - p)));
            }
        }
    }
    e
}

/// The probability of one assignment of the conditions.
fn w0_of(s: &Spec, cond: &[bool]) -> f64 {
    s.conditions
        .iter()
        .enumerate()
        .map(|(i, (_, p))| if cond[i] { *p } else { 1.0 - p })
        .product()
}

/// What one set of decisions gives, by the day given (or at full strength).
struct State {
    covered: Vec<bool>,
    /// Per domain: its leading entry, if any, and whether an entry was present.
    lead: Vec<(Option<usize>, bool)>,
    met: Vec<Vec<bool>>,
    force: bool,
    force_met: Vec<bool>,
    totals: Vec<u64>,
}

fn outcome(s: &Spec, part: &[bool], mult: &BTreeMap<String, f64>, w: f64, e: &mut Exact) {
    let m = |key: String| mult.get(&key).copied().unwrap_or(1.0);
    let amount: Vec<Vec<u64>> = s
        .nations
        .iter()
        .enumerate()
        .map(|(i, n)| {
            n.gives
                .iter()
                .map(|(d, c, x)| {
                    if part[i] {
                        count(x * m(format!("con/{}/{d}/{c}", n.id)) * n.scale)
                    } else {
                        0
                    }
                })
                .collect()
        })
        .collect();
    let required: Vec<Vec<u64>> = s
        .domains
        .iter()
        .map(|d| {
            d.requires
                .iter()
                .map(|(c, x)| count(x * m(format!("req/{}/{c}", d.id))))
                .collect()
        })
        .collect();
    let force_required: Vec<u64> = s
        .force
        .iter()
        .flatten()
        .map(|(c, x)| count(x * m(format!("force/{c}"))))
        .collect();
    let at = |day: Option<u64>| -> State {
        let ready: Vec<bool> = s
            .nations
            .iter()
            .enumerate()
            .map(|(i, n)| part[i] && day.is_none_or(|d| n.ready <= d as f64))
            .collect();
        let got = |members: &dyn Fn(usize) -> bool, dom: &str, cap: &str| -> u64 {
            let mut sum = 0;
            for (i, n) in s.nations.iter().enumerate() {
                if ready[i] && members(i) {
                    for (g, (d, c, _)) in n.gives.iter().enumerate() {
                        if d == dom && c == cap {
                            sum += amount[i][g];
                        }
                    }
                }
            }
            sum
        };
        let mut st = State {
            covered: vec![],
            lead: vec![],
            met: vec![],
            force: true,
            force_met: vec![],
            totals: vec![],
        };
        for (di, d) in s.domains.iter().enumerate() {
            let mut lead = None;
            let mut present_any = false;
            for (i, members) in d.entries.iter().enumerate() {
                let idx: Vec<usize> = members.iter().map(|x| s.nation(x).unwrap()).collect();
                let present = idx.iter().any(|&k| ready[k]);
                present_any |= present;
                let owes = d.provides.iter().all(|(c, share)| {
                    let r = d.requires.iter().position(|(rc, _)| rc == c).unwrap();
                    meets_share(
                        got(&|k| idx.contains(&k), &d.id, c),
                        *share,
                        required[di][r],
                    )
                });
                if present && owes && lead.is_none() {
                    lead = Some(i);
                }
            }
            let met: Vec<bool> = d
                .requires
                .iter()
                .enumerate()
                .map(|(r, (c, _))| got(&|_| true, &d.id, c) >= required[di][r])
                .collect();
            let led = d.entries.is_empty() || lead.is_some();
            st.covered.push(led && met.iter().all(|&x| x));
            st.lead.push((lead, present_any));
            st.met.push(met);
        }
        for cap in &s.capabilities {
            st.totals
                .push(s.domains.iter().map(|d| got(&|_| true, &d.id, cap)).sum());
        }
        for (f, (c, _)) in s.force.iter().flatten().enumerate() {
            let ci = s.capabilities.iter().position(|x| x == c).unwrap();
            let ok = st.totals[ci] >= force_required[f];
            st.force_met.push(ok);
            st.force &= ok;
        }
        st
    };
    let st = at(None);
    let all = st.force && st.covered.iter().all(|&c| c);
    if all {
        e.add("all", w);
    }
    if st.force {
        e.add("force", w);
    }
    for (f, (c, _)) in s.force.iter().flatten().enumerate() {
        let ci = s.capabilities.iter().position(|x| x == c).unwrap();
        if st.force_met[f] {
            e.add(format!("force_met/{c}"), w);
        }
        let gap = force_required[f].saturating_sub(st.totals[ci]) as f64;
        e.add(format!("force_gap/{c}"), w * gap);
        e.add(format!("force_gap2/{c}"), w * gap * gap);
    }
    for (di, d) in s.domains.iter().enumerate() {
        let (lead, present) = st.lead[di];
        if st.covered[di] {
            e.add(format!("covered/{}", d.id), w);
        }
        match lead {
            Some(i) => e.add(format!("lead/{}/{}", d.id, label(&d.entries[i])), w),
            None if d.entries.is_empty() => {}
            None if present => e.add(format!("short/{}", d.id), w),
            None => e.add(format!("nocand/{}", d.id), w),
        }
        for (r, (c, _)) in d.requires.iter().enumerate() {
            if st.met[di][r] {
                e.add(format!("met/{}/{c}", d.id), w);
            }
            let got: u64 = s
                .nations
                .iter()
                .enumerate()
                .flat_map(|(i, n)| n.gives.iter().enumerate().map(move |(g, x)| (i, g, x)))
                .filter(|(_, _, (dd, cc, _))| *dd == d.id && cc == c)
                .map(|(i, g, _)| amount[i][g])
                .sum();
            let gap = required[di][r].saturating_sub(got) as f64;
            e.add(format!("gap/{}/{c}", d.id), w * gap);
            e.add(format!("gap2/{}/{c}", d.id), w * gap * gap);
        }
    }
    for (i, n) in s.nations.iter().enumerate() {
        if part[i] {
            e.add(format!("in/{}", n.id), w);
            if all {
                e.add(format!("in_all/{}", n.id), w);
            }
        }
    }
    for (ci, c) in s.capabilities.iter().enumerate() {
        let t = st.totals[ci] as f64;
        e.add(format!("total/{c}"), w * t);
        e.add(format!("total2/{c}"), w * t * t);
    }
    for (k, &day) in s.days.iter().enumerate() {
        let sk = at(Some(day));
        if sk.force && sk.covered.iter().all(|&c| c) {
            e.add(format!("tl_all/{k}"), w);
        }
        if sk.force {
            e.add(format!("tl_force/{k}"), w);
        }
        for (di, d) in s.domains.iter().enumerate() {
            if sk.covered[di] {
                e.add(format!("tl/{}/{k}", d.id), w);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The report against the enumeration.

fn at<'a>(r: &'a Json, pointer: &str) -> &'a Json {
    r.pointer(pointer)
        .unwrap_or_else(|| panic!("the report has no {pointer}"))
}

fn float(r: &Json, pointer: &str) -> f64 {
    at(r, pointer)
        .as_f64()
        .unwrap_or_else(|| panic!("{pointer} is not a number: {}", at(r, pointer)))
}

/// The interval at `pointer` holds the estimate at `of`.
fn ci_holds(r: &Json, pointer: &str, of: &str) {
    let (lo, hi) = (
        float(r, &format!("{pointer}/0")),
        float(r, &format!("{pointer}/1")),
    );
    let p = float(r, of);
    // (A Wilson bound at 0 or 1 may miss by a rounding error.)
    assert!(
        lo - 1e-12 <= p && p <= hi + 1e-12,
        "{of} = {p} outside {pointer} [{lo}, {hi}]"
    );
}

/// A mean within 4.5 standard errors of its exact value.
fn assert_mean(what: &str, got: f64, mean: f64, var: f64, n: u64) {
    let tol = 4.5 * (var.max(0.0) / n as f64).sqrt() + 1e-9;
    assert!(
        (got - mean).abs() <= tol,
        "{what}: simulated {got}, exact {mean} (tolerance {tol})"
    );
}

/// Runs the scenario, checks every figure against the enumeration, and returns the report.
fn check(text: &str, trials: u64, seed: u64) -> Json {
    let s = Spec::parse(text);
    let e = exact(&s);
    let r = serde_json::to_value(run(text, trials, seed, 2)).expect("serialises");
    let n = trials;
    assert_eq!(r["format"], "forcesim-report/2");
    assert_eq!(r["trials"], n);
    let pm = e.get("mounted");
    assert_prop("p_mounted", float(&r, "/p_mounted"), pm, n);
    ci_holds(&r, "/p_mounted_ci95", "/p_mounted");
    let m = r["mounted_trials"].as_u64().expect("mounted_trials");
    assert_eq!(
        float(&r, "/p_mounted"),
        m as f64 / n as f64,
        "p_mounted = mounted_trials / trials"
    );
    assert_prop(
        "p_all_covered_overall",
        float(&r, "/p_all_covered_overall"),
        e.get("all"),
        n,
    );
    ci_holds(&r, "/p_all_covered_overall_ci95", "/p_all_covered_overall");
    for (id, _) in &s.conditions {
        // A condition's probability is an input: counted over every trial.
        assert_prop(
            &format!("conditions.{id}.p_true"),
            float(&r, &format!("/conditions/{id}/p_true")),
            e.get(&format!("cond/{id}")),
            n,
        );
    }
    assert!(m > 0, "every scenario checked here has mounted trials");
    // Everything else is over the mounted trials.
    let cond = |key: &str| e.get(key) / pm;
    assert_prop("p_all_covered", float(&r, "/p_all_covered"), cond("all"), m);
    ci_holds(&r, "/p_all_covered_ci95", "/p_all_covered");
    for d in &s.domains {
        let id = &d.id;
        let f = |x: &str| float(&r, &format!("/domains/{id}/{x}"));
        assert_prop(
            &format!("{id}.p_covered"),
            f("p_covered"),
            cond(&format!("covered/{id}")),
            m,
        );
        ci_holds(
            &r,
            &format!("/domains/{id}/p_covered_ci95"),
            &format!("/domains/{id}/p_covered"),
        );
        let short = cond(&format!("short/{id}"));
        let none = cond(&format!("nocand/{id}"));
        assert_prop(&format!("{id}.p_lead_short"), f("p_lead_short"), short, m);
        assert_prop(
            &format!("{id}.p_no_lead_candidate"),
            f("p_no_lead_candidate"),
            none,
            m,
        );
        assert_prop(
            &format!("{id}.p_leaderless"),
            f("p_leaderless"),
            short + none,
            m,
        );
        assert!(
            (f("p_leaderless") - f("p_lead_short") - f("p_no_lead_candidate")).abs() < 1e-12,
            "{id}: p_leaderless is the sum of short and without candidate"
        );
        let shares = at(&r, &format!("/domains/{id}/lead_share"))
            .as_object()
            .expect("lead_share is an object");
        let labels: Vec<String> = d.entries.iter().map(|m| label(m)).collect();
        assert_eq!(
            shares.keys().cloned().collect::<Vec<_>>(),
            labels,
            "{id}: lead_share keyed by entry label, in listed order"
        );
        for l in &labels {
            assert_prop(
                &format!("{id}.lead_share.{l}"),
                shares[l].as_f64().expect("a share"),
                cond(&format!("lead/{id}/{l}")),
                m,
            );
        }
        for (c, x) in &d.requires {
            let p = format!("/domains/{id}/capabilities/{c}");
            assert_prop(
                &format!("{id}.{c}.p_met"),
                float(&r, &format!("{p}/p_met")),
                cond(&format!("met/{id}/{c}")),
                m,
            );
            let mean = cond(&format!("gap/{id}/{c}"));
            let var = cond(&format!("gap2/{id}/{c}")) - mean * mean;
            assert_mean(
                &format!("{id}.{c}.gap.mean"),
                float(&r, &format!("{p}/gap/mean")),
                mean,
                var,
                m,
            );
            if !s.targeted(&format!("req/{id}/{c}")) {
                assert_eq!(float(&r, &format!("{p}/required")), *x, "{id}.{c}.required");
            }
        }
    }
    match &s.force {
        None => assert!(r.get("force").is_none(), "no [force], no force figures"),
        Some(reqs) => {
            assert_prop(
                "force.p_covered",
                float(&r, "/force/p_covered"),
                cond("force"),
                m,
            );
            ci_holds(&r, "/force/p_covered_ci95", "/force/p_covered");
            for (c, x) in reqs {
                let p = format!("/force/capabilities/{c}");
                assert_prop(
                    &format!("force.{c}.p_met"),
                    float(&r, &format!("{p}/p_met")),
                    cond(&format!("force_met/{c}")),
                    m,
                );
                let mean = cond(&format!("force_gap/{c}"));
                let var = cond(&format!("force_gap2/{c}")) - mean * mean;
                assert_mean(
                    &format!("force.{c}.gap.mean"),
                    float(&r, &format!("{p}/gap/mean")),
                    mean,
                    var,
                    m,
                );
                if !s.targeted(&format!("force/{c}")) {
                    assert_eq!(
                        float(&r, &format!("{p}/required")),
                        *x,
                        "force.{c}.required"
                    );
                }
            }
        }
    }
    for n in &s.nations {
        let id = &n.id;
        let pin = cond(&format!("in/{id}"));
        assert_prop(
            &format!("{id}.p_participates"),
            float(&r, &format!("/nations/{id}/p_participates")),
            pin,
            m,
        );
        let swing = &r["nations"][id]["swing"];
        if pin > 1e-9 && pin < 1.0 - 1e-9 {
            let all = cond("all");
            let in_all = cond(&format!("in_all/{id}"));
            let (a, b) = (in_all / pin, (all - in_all) / (1.0 - pin));
            let se = (a * (1.0 - a) / (pin * m as f64) + b * (1.0 - b) / ((1.0 - pin) * m as f64))
                .sqrt();
            let got = swing.as_f64().expect("swing is defined");
            assert!(
                (got - (a - b)).abs() <= 4.5 * se.max(1e-12),
                "{id}.swing: simulated {got}, exact {}",
                a - b
            );
        }
    }
    for c in &s.capabilities {
        let mean = cond(&format!("total/{c}"));
        let var = cond(&format!("total2/{c}")) - mean * mean;
        assert_mean(
            &format!("totals.{c}.mean"),
            float(&r, &format!("/totals/{c}/mean")),
            mean,
            var,
            m,
        );
    }
    if s.days.is_empty() {
        assert!(r.get("timeline").is_none());
    }
    for (k, day) in s.days.iter().enumerate() {
        assert_prop(
            &format!("timeline day {day}"),
            float(&r, &format!("/timeline/p_all_covered/{k}")),
            cond(&format!("tl_all/{k}")),
            m,
        );
        for d in &s.domains {
            assert_prop(
                &format!("timeline {} day {day}", d.id),
                float(&r, &format!("/timeline/domains/{}/{k}", d.id)),
                cond(&format!("tl/{}/{k}", d.id)),
                m,
            );
        }
        if s.force.is_some() {
            assert_prop(
                &format!("timeline force day {day}"),
                float(&r, &format!("/timeline/force/{k}")),
                cond(&format!("tl_force/{k}")),
                m,
            );
        }
    }
    if !s.days.is_empty() {
        // Never covered, on any day: not covered once every nation is ready, which
        // is not covered at full strength (all covered includes the force).
        let never = |p: &str| float(&r, &format!("/timeline/{p}/p_never"));
        assert_prop(
            "days_to_all_covered.p_never",
            never("days_to_all_covered"),
            1.0 - cond("all"),
            m,
        );
        for d in &s.domains {
            assert_prop(
                &format!("days_to_coverage.{}.p_never", d.id),
                never(&format!("days_to_coverage/{}", d.id)),
                1.0 - cond(&format!("covered/{}", d.id)),
                m,
            );
        }
        if s.force.is_some() {
            assert_prop(
                "days_to_force.p_never",
                never("days_to_force"),
                1.0 - cond("force"),
                m,
            );
        } else {
            assert!(
                r["timeline"].get("force").is_none()
                    && r["timeline"].get("days_to_force").is_none(),
                "no [force], no force row"
            );
        }
    }
    r
}

// ---------------------------------------------------------------------------
// The scenarios.

/// A mission gate; `if_present` caps on a condition and on a nation, beside an
/// `if_absent` cap; effects with a discrete scale on a domain requirement and the
/// whole force, with scale 0 on all of a nation's contributions, and with a fixed
/// scale on one contribution and one domain's contributions; a nation `scale`; a
/// co-lead group with an obligation and a fallback lead; a force requirement; a
/// domain without a lead list; the timeline, where the co-lead group is present
/// from day 8 (GBR ready) but short of its obligation until FRA is ready.
const GATE_AND_LEADS: &str = r#"
[scenario]
name = "gate, caps, effects, co-leads, force, timeline"
[simulation]
timeline_days = [5, 10, 30, 60]
[capabilities]
troops = { unit = "personnel" }
jets = { unit = "aircraft" }
[conditions.truce]
probability = 0.6
[conditions.escalation]
probability = 0.3
[[conditions.escalation.effects]]
when = true
scale = { discrete = { values = [1.5, 2.0], weights = [3, 1] } }
targets = ["domains.air.requirements.jets", "force.requirements"]
[[conditions.escalation.effects]]
when = true
scale = 0
targets = ["nations.DNK.contributions"]
[conditions.backstop]
probability = 0.7
[[conditions.backstop.effects]]
scale = 0.5
targets = ["nations.POL.contributions.land.troops", "nations.GBR.contributions.land"]
[mission]
requires = ["truce"]
[force]
requirements = { troops = 9000 }
[domains.land]
lead = [["GBR", "FRA"], "POL"]
lead_provides = { troops = 0.5 }
requirements = { troops = 7000 }
[domains.air]
lead = ["FRA", "DNK"]
requirements = { jets = 20 }
[domains.watch]
requirements = { troops = 500 }
[nations.GBR]
participation = 0.85
if_present = { escalation = 0.6 }
ready_days = 8
contributions.land.troops = 3000
contributions.air.jets = 8
[nations.FRA]
participation = 0.8
if_absent = { GBR = 0.5 }
ready_days = 40
contributions.land.troops = 2500
contributions.air.jets = 12
[nations.POL]
participation = 0.7
if_present = { FRA = 0.6 }
scale = 0.8
contributions.land.troops = 6000
contributions.watch.troops = 600
[nations.DNK]
participation = 0.5
ready_days = 5
contributions.air.jets = 10
contributions.watch.troops = 300
"#;

#[test]
fn mission_gate_caps_effects_co_leads_force_and_timeline() {
    let r = check(GATE_AND_LEADS, 200_000, 20260106);
    // The gate matters: about 60 % of the trials are mounted, and the overall
    // figure is the conditional one times P(mounted).
    let (pm, all, overall) = (
        float(&r, "/p_mounted"),
        float(&r, "/p_all_covered"),
        float(&r, "/p_all_covered_overall"),
    );
    assert!((0.59..0.61).contains(&pm), "p_mounted {pm}");
    assert!(
        (all * pm - overall).abs() < 1e-9,
        "overall = conditional × P(mounted)"
    );
}

/// Several effects on one value multiply (ITA's ships: straits × discrete
/// straits scale × storm); one effect's targets overlap (ITA's sea ships named
/// twice by the first, once more by the second: each effect counts once); a
/// nation with `scale = 0` takes part and still leads where no obligation binds
/// (shore) but never where one does (sea); a co-lead group behind it; both an
/// `if_absent` and an `if_present` cap on one nation, and `if_present` on a
/// condition and on a nation; a force requirement per capability, one of them
/// scaled; readiness at day 0.
const EFFECTS_MULTIPLY: &str = r#"
[scenario]
name = "effects multiply; a zero-scaled nation still leads"
[simulation]
timeline_days = [0, 15, 45]
[capabilities]
troops = { unit = "personnel" }
ships = { unit = "ships" }
[conditions.straits]
probability = 0.35
[[conditions.straits.effects]]
when = true
scale = 0
targets = ["nations.ROU.contributions.sea", "nations.ITA.contributions.sea.ships"]
[[conditions.straits.effects]]
when = true
scale = { discrete = { values = [0.5, 1.0, 1.25] } }
targets = ["nations.ITA.contributions", "nations.ITA.contributions.sea", "domains.sea.requirements"]
[conditions.storm]
probability = 0.5
[[conditions.storm.effects]]
when = false
scale = 1.4
targets = ["nations.ITA.contributions.sea.ships", "force.requirements.troops", "domains.sea.requirements.ships"]
[force]
requirements = { troops = 2000, ships = 6 }
[domains.sea]
lead = ["ROU", ["TUR", "BGR"]]
lead_provides = { ships = 0.3 }
requirements = { ships = 7 }
[domains.shore]
lead = ["ROU", "ITA"]
requirements = { troops = 1500 }
[nations.ROU]
participation = 0.9
scale = 0.0
ready_days = 10
contributions.sea.ships = 3
contributions.shore.troops = 800
[nations.TUR]
participation = 0.6
if_absent = { straits = 0.2 }
ready_days = 30
contributions.sea.ships = 4
[nations.BGR]
participation = 0.5
if_absent = { TUR = 0.45 }
if_present = { TUR = 0.35, straits = 0.4 }
contributions.sea.ships = 2
contributions.shore.troops = 700
[nations.ITA]
participation = 0.75
ready_days = 12
contributions.sea.ships = 3
contributions.shore.troops = 1500
"#;

#[test]
fn effects_multiply_and_a_zero_scaled_nation_leads_where_no_obligation_binds() {
    let r = check(EFFECTS_MULTIPLY, 200_000, 7);
    // ROU takes part in ~90 % of trials, contributes nothing, leads the shore
    // whenever it takes part and never the sea.
    assert_eq!(float(&r, "/domains/sea/lead_share/ROU"), 0.0);
    let shore = float(&r, "/domains/shore/lead_share/ROU");
    assert!((0.88..0.92).contains(&shore), "shore led by ROU {shore}");
    assert_eq!(float(&r, "/nations/ROU/mean_provided/ships"), 0.0);
}

/// Short of an obligation against without candidate, with obligations on two
/// capabilities; a three-member co-lead group whose third member gives nothing
/// to the domain; an obligation of share 1 and one of share 0; a member whose
/// contribution to another domain does not count toward this one's obligation;
/// no mission (every trial mounted); no force (no force figures).
const SHORT_OR_NO_CANDIDATE: &str = r#"
[scenario]
name = "leads short of their obligations"
[simulation]
timeline_days = [20, 50]
[capabilities]
troops = { unit = "personnel" }
hq = { unit = "headquarters" }
[conditions.crisis]
probability = 0.25
[[conditions.crisis.effects]]
when = true
scale = { discrete = { values = [1.2, 1.6], weights = [1, 1] } }
targets = ["domains.north.requirements.troops"]
[domains.north]
lead = [["NOR", "SWE", "FIN"], "DNK", "EST"]
lead_provides = { troops = 0.6, hq = 1.0 }
requirements = { troops = 3000, hq = 1 }
[domains.south]
lead = ["EST"]
lead_provides = { troops = 0.0 }
requirements = { troops = 400 }
[nations.NOR]
participation = 0.6
ready_days = 10
contributions.north.troops = 1200
contributions.north.hq = 1
[nations.SWE]
participation = 0.7
if_present = { crisis = 0.5 }
ready_days = 30
contributions.north.troops = 900
contributions.south.troops = 2000
[nations.FIN]
participation = 0.5
ready_days = 15
contributions.south.troops = 300
[nations.DNK]
participation = 0.8
if_absent = { NOR = 0.4 }
contributions.north.troops = 1900
contributions.north.hq = 1
[nations.EST]
participation = 0.9
ready_days = 40
contributions.north.troops = 500
contributions.north.hq = 1
contributions.south.troops = 150
"#;

#[test]
fn short_of_an_obligation_or_without_a_candidate() {
    let r = check(SHORT_OR_NO_CANDIDATE, 200_000, 11);
    assert!(float(&r, "/domains/north/p_lead_short") > 0.05);
    assert!(float(&r, "/domains/north/p_no_lead_candidate") > 0.001);
    assert_eq!(
        float(&r, "/p_mounted"),
        1.0,
        "no [mission]: every trial mounted"
    );
    assert_eq!(r["mounted_trials"], r["trials"]);
    assert_eq!(
        float(&r, "/p_all_covered"),
        float(&r, "/p_all_covered_overall")
    );
}

/// A lead that provides exactly its share, where share × requirement is not
/// exact in binary (0.55 × 27,000 = 14,850.000000000002): it qualifies, on the
/// timeline too.
const EXACT_SHARE: &str = r#"
[scenario]
name = "a lead that gives exactly its share"
[simulation]
timeline_days = [5, 10]
[capabilities]
troops = { unit = "personnel" }
[domains.land]
lead = ["GBR"]
lead_provides = { troops = 0.55 }
requirements = { troops = 27000 }
[nations.GBR]
participation = 0.9
ready_days = 10
contributions.land.troops = 14850
[nations.FRA]
participation = 0.8
ready_days = 5
contributions.land.troops = 12150
"#;

#[test]
fn a_lead_that_gives_exactly_its_share_qualifies() {
    let r = check(EXACT_SHARE, 20_000, 3);
    assert!(float(&r, "/domains/land/p_covered") > 0.6);
    assert_eq!(float(&r, "/domains/land/p_lead_short"), 0.0);
}

/// A format-1 file whose lead is ready later than the others' forces: on the
/// timeline the domain waits for its lead (a nation without `ready_days` is ready
/// on day 0), though its requirement is met earlier.
const LEADS_WAIT: &str = r#"
[scenario]
name = "leads wait for readiness"
[simulation]
timeline_days = [0, 10, 25, 90]
[capabilities]
troops = { unit = "personnel" }
[domains.land]
lead = ["GBR", "FRA"]
requirements = { troops = 1000 }
[domains.watch]
requirements = { troops = 100 }
[nations.GBR]
participation = 0.7
ready_days = 60
contributions.land.troops = 100
[nations.FRA]
participation = 0.6
ready_days = 20
contributions.land.troops = 200
contributions.watch.troops = 100
[nations.NLD]
participation = 0.9
contributions.land.troops = 1000
"#;

#[test]
fn format_1_leads_wait_for_readiness_on_the_timeline() {
    let r = check(LEADS_WAIT, 100_000, 3);
    // Day 10: the requirement is met by NLD alone, but no lead is ready yet.
    assert_eq!(float(&r, "/timeline/domains/land/0"), 0.0);
    assert_eq!(float(&r, "/timeline/domains/land/1"), 0.0);
    assert!(float(&r, "/timeline/domains/land/2") > 0.3);
    assert!(r.get("force").is_none());
}

/// A mission that is never mounted: the conditional figures are null, never 0.
#[test]
fn no_mounted_trial_gives_null_figures() {
    let text = r#"
[scenario]
name = "never mounted"
[simulation]
timeline_days = [30]
[capabilities]
troops = { unit = "personnel" }
[conditions.never]
probability = 0.0
[conditions.other]
probability = 0.4
[mission]
requires = ["other", "never"]
[force]
requirements = { troops = 10 }
[domains.land]
lead = ["A"]
requirements = { troops = 5 }
[nations.A]
participation = 0.5
contributions.land.troops = 10
"#;
    let n = 20_000;
    let r = serde_json::to_value(run(text, n, 5, 2)).expect("serialises");
    assert_eq!(r["trials"], n);
    assert_eq!(r["mounted_trials"], 0);
    assert_eq!(r["p_mounted"], 0.0);
    assert_eq!(r["p_all_covered_overall"], 0.0);
    assert_prop(
        "conditions.other.p_true",
        float(&r, "/conditions/other/p_true"),
        0.4,
        n,
    );
    for pointer in [
        "/p_all_covered",
        "/p_all_covered_ci95/0",
        "/p_all_covered_ci95/1",
        "/domains/land/p_covered",
        "/domains/land/p_leaderless",
        "/domains/land/p_lead_short",
        "/domains/land/p_no_lead_candidate",
        "/domains/land/lead_share/A",
        "/domains/land/capabilities/troops/p_met",
        "/force/p_covered",
        "/force/capabilities/troops/p_met",
        "/nations/A/p_participates",
        "/totals/troops/mean",
        "/timeline/p_all_covered/0",
        "/timeline/domains/land/0",
        "/timeline/force/0",
    ] {
        assert_eq!(
            at(&r, pointer),
            &Json::Null,
            "{pointer} is null, not invented"
        );
    }
    // The run itself, through the binary, succeeds and prints its table.
    let tmp = scratch();
    let s = common::write(tmp.path(), "s.toml", text);
    let out = forcesim()
        .args(["run", "-n", "5000", "--json", "-"])
        .arg(&s)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------------------
// Determinism.

/// Every format-2 feature, with random values (the effect scale, requirements,
/// contributions, readiness and the force requirement are drawn), a bloc and
/// thresholds.
const RANDOM_FORMAT_2: &str = r#"
[scenario]
name = "format 2, drawn"
[simulation]
timeline_days = [15, 45, 120]
[report]
thresholds = { troops = [4000, 8000] }
[capabilities]
troops = { unit = "personnel" }
jets = { unit = "aircraft" }
[conditions.ceasefire]
probability = 0.7
[conditions.backstop]
probability = { uniform = [0.4, 0.8] }
[[conditions.backstop.effects]]
scale = { uniform = [1.2, 1.8] }
targets = ["domains.air.requirements", "force.requirements.jets"]
[[conditions.backstop.effects]]
when = true
scale = { discrete = { values = [0.0, 1.0], weights = [1, 3] } }
targets = ["nations.NLD.contributions.air"]
[blocs.west]
correlation = 0.4
[mission]
requires = ["ceasefire"]
[force]
requirements = { troops = { triangular = [5000, 7000, 9000] }, jets = 20 }
[domains.land]
lead = [["GBR", "FRA"], "DEU"]
lead_provides = { troops = 0.4 }
requirements = { troops = { pert = [4000, 6000, 9000] } }
[domains.air]
lead = ["FRA", "NLD"]
requirements = { jets = { uniform = [12, 24] } }
[nations.GBR]
participation = 0.85
bloc = "west"
ready_days = { triangular = [10, 30, 90] }
contributions.land.troops = { triangular = [1500, 2500, 4000] }
contributions.air.jets = { pert = [4, 8, 12] }
[nations.FRA]
participation = 0.8
bloc = "west"
if_absent = { GBR = 0.5 }
ready_days = { uniform = [20, 60] }
contributions.land.troops = { pert = [1000, 2000, 3500] }
contributions.air.jets = { uniform = [6, 14] }
[nations.DEU]
participation = 0.6
if_present = { backstop = 0.5 }
scale = 0.9
contributions.land.troops = { lognormal = { median = 2500, sigma = 0.3 } }
[nations.NLD]
participation = 0.7
if_present = { FRA = 0.5 }
ready_days = 14
contributions.air.jets = { discrete = { values = [2, 4, 6] } }
contributions.land.troops = 500
"#;

#[test]
fn format_2_reports_do_not_depend_on_threads() {
    // 11 blocks and a partial one: every thread count splits them differently.
    let trials = 11 * 4096 + 123;
    let one = json_without_engine(&run(RANDOM_FORMAT_2, trials, 42, 1));
    assert!(one.contains("forcesim-report/2") && one.contains("\"p_mounted\""));
    for threads in [2, 3] {
        let other = json_without_engine(&run(RANDOM_FORMAT_2, trials, 42, threads));
        assert_eq!(one, other, "{threads} threads changed the report");
    }
    assert_ne!(
        one,
        json_without_engine(&run(RANDOM_FORMAT_2, trials, 43, 2))
    );
}

/// The report's text up to its `engine` member (the last one), which may differ.
fn without_engine(json: &[u8]) -> String {
    let text = String::from_utf8(json.to_vec()).expect("UTF-8");
    let at = text.find("\n  \"engine\": {").expect("report has engine");
    text[..at].to_string()
}

fn shard(dir: &Path, s: &Path, k: usize, n: usize) -> PathBuf {
    let part = dir.join(format!("part-{k}-of-{n}.fsp"));
    forcesim()
        .args(["run", "-n", "82043", "--seed", "9", "-q", "-j"])
        .arg((1 + k % 2).to_string())
        .args(["--shard", &format!("{k}/{n}"), "--partial"])
        .arg(&part)
        .arg(s)
        .assert()
        .success();
    part
}

#[test]
fn format_2_shards_merge_to_the_single_run() {
    let tmp = scratch();
    let dir = tmp.path();
    let s = common::write(dir, "s.toml", RANDOM_FORMAT_2);
    let single = dir.join("single.json");
    let single_csv = dir.join("single.csv");
    forcesim()
        .args([
            "run", "-n", "82043", "--seed", "9", "-j", "2", "-q", "--json",
        ])
        .arg(&single)
        .arg("--csv")
        .arg(&single_csv)
        .arg(&s)
        .assert()
        .success();
    let single = std::fs::read(&single).expect("single json");
    assert!(String::from_utf8_lossy(&single).contains("\"mounted_trials\""));
    for n in [2usize, 3] {
        let mut parts: Vec<PathBuf> = (1..=n).map(|k| shard(dir, &s, k, n)).collect();
        parts.reverse();
        let merged = dir.join(format!("merged-{n}.json"));
        let merged_csv = dir.join(format!("merged-{n}.csv"));
        let out = forcesim()
            .arg("merge")
            .args(&parts)
            .args(["-q", "--json"])
            .arg(&merged)
            .arg("--csv")
            .arg(&merged_csv)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{n} shards: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            without_engine(&std::fs::read(&merged).expect("merged json")),
            without_engine(&single),
            "{n} shards differ from the single run"
        );
        assert_eq!(
            std::fs::read(&merged_csv).expect("merged csv"),
            std::fs::read(&single_csv).expect("single csv"),
            "{n} shards: CSV"
        );
    }
}

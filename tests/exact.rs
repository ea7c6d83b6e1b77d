//! Figures against exact answers: small scenarios with fixed contributions, where
//! every figure is computed here by enumerating every outcome of the conditions and
//! the nations' decisions (approvals, `if_absent` caps and lead succession included).

mod common;

use std::collections::BTreeMap;

use common::{assert_in_ci, assert_prop, run};

struct Nation {
    id: &'static str,
    participation: f64,
    approvals: Vec<f64>,
    caps: Vec<(&'static str, f64)>,
    ready: Option<u64>,
    /// (domain, capability, amount)
    gives: Vec<(&'static str, &'static str, u64)>,
}

struct Domain {
    id: &'static str,
    lead: Vec<&'static str>,
    requires: Vec<(&'static str, u64)>,
}

struct Scenario {
    capabilities: Vec<&'static str>,
    conditions: Vec<(&'static str, f64)>,
    domains: Vec<Domain>,
    nations: Vec<Nation>,
    thresholds: Vec<(&'static str, Vec<u64>)>,
    days: Vec<u64>,
}

impl Scenario {
    fn toml(&self) -> String {
        let mut s = String::from("[scenario]\nname = \"exact\"\n");
        if !self.days.is_empty() {
            s += &format!("[simulation]\ntimeline_days = {:?}\n", self.days);
        }
        if !self.thresholds.is_empty() {
            s += "[report.thresholds]\n";
            for (c, xs) in &self.thresholds {
                s += &format!("{c} = {xs:?}\n");
            }
        }
        s += "[capabilities]\n";
        for c in &self.capabilities {
            s += &format!("{c} = {{ unit = \"units\" }}\n");
        }
        for (c, p) in &self.conditions {
            s += &format!("[conditions.{c}]\nprobability = {p:?}\n");
        }
        for d in &self.domains {
            s += &format!("[domains.{}]\nlead = {:?}\n", d.id, d.lead);
            let reqs: Vec<String> = d
                .requires
                .iter()
                .map(|(c, x)| format!("{c} = {x}"))
                .collect();
            s += &format!("requirements = {{ {} }}\n", reqs.join(", "));
        }
        for n in &self.nations {
            s += &format!(
                "[nations.{}]\nparticipation = {:?}\n",
                n.id, n.participation
            );
            if !n.approvals.is_empty() {
                let gates: Vec<String> = n
                    .approvals
                    .iter()
                    .map(|p| format!("{{ body = \"parliament\", probability = {p:?} }}"))
                    .collect();
                s += &format!("approval = [{}]\n", gates.join(", "));
            }
            if !n.caps.is_empty() {
                let caps: Vec<String> =
                    n.caps.iter().map(|(k, p)| format!("{k} = {p:?}")).collect();
                s += &format!("if_absent = {{ {} }}\n", caps.join(", "));
            }
            if let Some(r) = n.ready {
                s += &format!("ready_days = {r}\n");
            }
            for (d, c, x) in &n.gives {
                s += &format!("contributions.{d}.{c} = {x}\n");
            }
        }
        s
    }
}

/// Exact figures, by enumeration.
#[derive(Default, Debug)]
struct Exact {
    p_all: f64,
    covered: Vec<f64>,
    leaderless: Vec<f64>,
    lead: Vec<Vec<f64>>,
    met: Vec<Vec<f64>>,
    p_in: Vec<f64>,
    p_in_all: Vec<f64>,
    total: Vec<BTreeMap<u64, f64>>,
    above: Vec<Vec<f64>>,
    timeline_all: Vec<f64>,
    timeline: Vec<Vec<f64>>,
    mean_provided: Vec<BTreeMap<&'static str, f64>>,
}

fn exact(s: &Scenario) -> Exact {
    let nn = s.nations.len();
    let nd = s.domains.len();
    let idx = |id: &str| s.nations.iter().position(|n| n.id == id);
    // A decision order: repeatedly take the first nation whose nation caps are decided.
    let mut order = Vec::new();
    while order.len() < nn {
        let next = (0..nn)
            .find(|&i| {
                !order.contains(&i)
                    && s.nations[i]
                        .caps
                        .iter()
                        .all(|(k, _)| idx(k).is_none_or(|m| order.contains(&m)))
            })
            .expect("acyclic");
        order.push(next);
    }
    let mut e = Exact {
        covered: vec![0.0; nd],
        leaderless: vec![0.0; nd],
        lead: s.domains.iter().map(|d| vec![0.0; d.lead.len()]).collect(),
        met: s
            .domains
            .iter()
            .map(|d| vec![0.0; d.requires.len()])
            .collect(),
        p_in: vec![0.0; nn],
        p_in_all: vec![0.0; nn],
        total: vec![BTreeMap::new(); s.capabilities.len()],
        above: s
            .thresholds
            .iter()
            .map(|(_, xs)| vec![0.0; xs.len()])
            .collect(),
        timeline_all: vec![0.0; s.days.len()],
        timeline: vec![vec![0.0; nd]; s.days.len()],
        mean_provided: vec![BTreeMap::new(); nn],
        ..Default::default()
    };
    let nc = s.conditions.len();
    for cond_bits in 0u32..(1 << nc) {
        let mut w0 = 1.0;
        let cond: Vec<bool> = (0..nc).map(|i| cond_bits >> i & 1 == 1).collect();
        for (i, (_, p)) in s.conditions.iter().enumerate() {
            w0 *= if cond[i] { *p } else { 1.0 - p };
        }
        // Enumerate nations in decision order, each branch weighted by its p.
        let mut stack: Vec<(usize, Vec<bool>, f64)> = vec![(0, vec![false; nn], w0)];
        while let Some((k, part, w)) = stack.pop() {
            if w == 0.0 {
                continue;
            }
            if k == nn {
                outcome(s, &cond, &part, w, &mut e);
                continue;
            }
            let n = order[k];
            let nat = &s.nations[n];
            let mut p = nat.participation * nat.approvals.iter().product::<f64>();
            for (key, cap) in &nat.caps {
                let applies = match idx(key) {
                    Some(m) => !part[m],
                    None => {
                        let c = s.conditions.iter().position(|(id, _)| id == key).unwrap();
                        !cond[c]
                    }
                };
                if applies {
                    p = p.min(*cap);
                }
            }
            let mut yes = part.clone();
            yes[n] = true;
            stack.push((k + 1, yes, w * p));
            stack.push((k + 1, part, w * (1.0 - p)));
        }
    }
    e
}

fn outcome(s: &Scenario, _cond: &[bool], part: &[bool], w: f64, e: &mut Exact) {
    let cap_i = |c: &str| s.capabilities.iter().position(|x| *x == c).unwrap();
    let nd = s.domains.len();
    let provided = |d: &str, c: &str, day: Option<u64>| -> u64 {
        s.nations
            .iter()
            .enumerate()
            .filter(|(i, n)| part[*i] && day.is_none_or(|day| n.ready.unwrap_or(0) <= day))
            .flat_map(|(_, n)| n.gives.iter())
            .filter(|(dd, cc, _)| *dd == d && *cc == c)
            .map(|(_, _, x)| x)
            .sum()
    };
    let mut all = true;
    let mut has_lead = vec![true; nd];
    for (d, dom) in s.domains.iter().enumerate() {
        let lead = dom
            .lead
            .iter()
            .position(|l| part[s.nations.iter().position(|n| n.id == *l).unwrap()]);
        if let Some(i) = lead {
            e.lead[d][i] += w;
        }
        has_lead[d] = dom.lead.is_empty() || lead.is_some();
        if !has_lead[d] {
            e.leaderless[d] += w;
        }
        let mut met_all = true;
        for (r, (c, x)) in dom.requires.iter().enumerate() {
            let met = provided(dom.id, c, None) >= *x;
            if met {
                e.met[d][r] += w;
            }
            met_all &= met;
        }
        let cov = has_lead[d] && met_all;
        if cov {
            e.covered[d] += w;
        }
        all &= cov;
    }
    if all {
        e.p_all += w;
    }
    for (n, nat) in s.nations.iter().enumerate() {
        if part[n] {
            e.p_in[n] += w;
            if all {
                e.p_in_all[n] += w;
            }
            for (_, c, x) in &nat.gives {
                *e.mean_provided[n].entry(c).or_default() += w * *x as f64;
            }
        }
    }
    for (c, cap) in s.capabilities.iter().enumerate() {
        let total: u64 = s
            .domains
            .iter()
            .map(|d| provided(d.id, cap, None))
            .sum::<u64>()
            + s.nations
                .iter()
                .enumerate()
                .filter(|(i, _)| part[*i])
                .flat_map(|(_, n)| n.gives.iter())
                .filter(|(d, cc, _)| cc == cap && !s.domains.iter().any(|x| x.id == *d))
                .map(|(_, _, x)| x)
                .sum::<u64>();
        *e.total[c].entry(total).or_default() += w;
        for (t, (tc, xs)) in s.thresholds.iter().enumerate() {
            if cap_i(tc) == c {
                for (j, x) in xs.iter().enumerate() {
                    if total >= *x {
                        e.above[t][j] += w;
                    }
                }
            }
        }
    }
    for (k, day) in s.days.iter().enumerate() {
        let mut all_k = true;
        for (d, dom) in s.domains.iter().enumerate() {
            let cov = has_lead[d]
                && dom
                    .requires
                    .iter()
                    .all(|(c, x)| provided(dom.id, c, Some(*day)) >= *x);
            if cov {
                e.timeline[k][d] += w;
            }
            all_k &= cov;
        }
        if all_k {
            e.timeline_all[k] += w;
        }
    }
}

fn check(s: &Scenario, trials: u64, seed: u64) {
    let r = run(&s.toml(), trials, seed, 2);
    let ex = exact(s);
    let n = trials;
    assert_eq!(r.trials, n);
    assert_prop("p_all_covered", r.p_all_covered, ex.p_all, n);
    assert_in_ci("p_all_covered", r.p_all_covered_ci95, ex.p_all);
    for (d, dom) in s.domains.iter().enumerate() {
        let f = &r.domains[dom.id];
        assert_prop(
            &format!("{}.p_covered", dom.id),
            f.p_covered,
            ex.covered[d],
            n,
        );
        assert_in_ci(
            &format!("{}.p_covered", dom.id),
            f.p_covered_ci95,
            ex.covered[d],
        );
        assert_prop(
            &format!("{}.p_leaderless", dom.id),
            f.p_leaderless,
            ex.leaderless[d],
            n,
        );
        for (i, l) in dom.lead.iter().enumerate() {
            assert_prop(
                &format!("{}.lead_share.{l}", dom.id),
                f.lead_share[*l],
                ex.lead[d][i],
                n,
            );
        }
        for (j, (c, x)) in dom.requires.iter().enumerate() {
            let cf = &f.capabilities[*c];
            assert_eq!(cf.required, *x as f64);
            assert_prop(&format!("{}.{c}.p_met", dom.id), cf.p_met, ex.met[d][j], n);
        }
    }
    for (i, nat) in s.nations.iter().enumerate() {
        let f = &r.nations[nat.id];
        assert_prop(
            &format!("{}.p_participates", nat.id),
            f.p_participates,
            ex.p_in[i],
            n,
        );
        let (pin, pout) = (ex.p_in[i], 1.0 - ex.p_in[i]);
        if pin > 0.0 && pout > 0.0 {
            let a = ex.p_in_all[i] / pin;
            let b = (ex.p_all - ex.p_in_all[i]) / pout;
            let se = (a * (1.0 - a) / (pin * n as f64) + b * (1.0 - b) / (pout * n as f64)).sqrt();
            let swing = f.swing.expect("swing is defined");
            assert!(
                (swing - (a - b)).abs() <= 4.5 * se.max(1e-12),
                "{}.swing: simulated {swing}, exact {}",
                nat.id,
                a - b
            );
        } else {
            assert_eq!(
                f.swing, None,
                "{}: swing is undefined when p is 0 or 1",
                nat.id
            );
        }
        for (c, mean) in &ex.mean_provided[i] {
            let x = nat
                .gives
                .iter()
                .filter(|g| g.1 == *c)
                .map(|g| g.2)
                .sum::<u64>() as f64;
            let sd = x * (pin * pout).sqrt();
            let got = f.mean_provided[*c];
            assert!(
                (got - mean).abs() <= 4.5 * sd / (n as f64).sqrt() + 1e-9,
                "{}.mean_provided.{c}: {got} vs {mean}",
                nat.id
            );
        }
    }
    for (c, cap) in s.capabilities.iter().enumerate() {
        let dist = &ex.total[c];
        let mean: f64 = dist.iter().map(|(v, p)| *v as f64 * p).sum();
        let var: f64 = dist
            .iter()
            .map(|(v, p)| p * (*v as f64 - mean).powi(2))
            .sum();
        let t = &r.totals[*cap].stats;
        assert!(
            (t.mean - mean).abs() <= 4.5 * (var / n as f64).sqrt() + 1e-9,
            "totals.{cap}.mean {} vs {mean}",
            t.mean
        );
        assert!(
            (t.sd - var.sqrt()).abs() <= 0.02 * var.sqrt() + 1e-9,
            "totals.{cap}.sd"
        );
        // Every simulated extreme is a possible value.
        assert!(dist.contains_key(&(t.min as u64)) && dist.contains_key(&(t.max as u64)));
        // The median, where the exact CDF is not too close to 1/2 at a jump.
        let mut cum = 0.0;
        for (v, p) in dist {
            let before = cum;
            cum += p;
            if cum >= 0.5 {
                let margin = 5.0 * (0.25 / n as f64).sqrt();
                if before < 0.5 - margin && cum > 0.5 + margin {
                    assert_eq!(t.p50, *v as f64, "totals.{cap}.p50");
                }
                break;
            }
        }
    }
    for (t, (c, xs)) in s.thresholds.iter().enumerate() {
        for (j, x) in xs.iter().enumerate() {
            let got = r.thresholds[*c][j].p;
            assert_eq!(r.thresholds[*c][j].at_least, *x);
            assert_prop(&format!("P({c} ≥ {x})"), got, ex.above[t][j], n);
        }
    }
    if let Some(tl) = &r.timeline {
        for (k, day) in s.days.iter().enumerate() {
            assert_prop(
                &format!("timeline day {day}"),
                tl.p_all_covered[k],
                ex.timeline_all[k],
                n,
            );
            for (d, dom) in s.domains.iter().enumerate() {
                assert_prop(
                    &format!("timeline {} day {day}", dom.id),
                    tl.domains[dom.id][k],
                    ex.timeline[k][d],
                    n,
                );
            }
        }
    } else {
        assert!(s.days.is_empty());
    }
}

fn nation(id: &'static str, p: f64) -> Nation {
    Nation {
        id,
        participation: p,
        approvals: vec![],
        caps: vec![],
        ready: None,
        gives: vec![],
    }
}

/// Conditions, approvals, caps on conditions and on nations (declared before the
/// nation they depend on), lead succession, thresholds and a timeline.
#[test]
fn coalition_with_conditions_caps_and_leads() {
    let s = Scenario {
        capabilities: vec!["troops", "ships"],
        conditions: vec![("backstop", 0.7), ("ceasefire", 0.85)],
        domains: vec![
            Domain {
                id: "land",
                lead: vec!["GBR", "FRA"],
                requires: vec![("troops", 9_000)],
            },
            Domain {
                id: "sea",
                lead: vec!["TUR"],
                requires: vec![("ships", 6)],
            },
            Domain {
                id: "watch",
                lead: vec![],
                requires: vec![("troops", 500)],
            },
        ],
        nations: vec![
            Nation {
                caps: vec![("GBR", 0.3), ("backstop", 0.5)],
                approvals: vec![0.9, 0.8],
                gives: vec![("land", "troops", 2_000), ("watch", "troops", 300)],
                ready: Some(100),
                ..nation("ESP", 0.9)
            },
            Nation {
                caps: vec![("ceasefire", 0.1)],
                gives: vec![("land", "troops", 6_000)],
                ready: Some(20),
                ..nation("GBR", 0.85)
            },
            Nation {
                caps: vec![("GBR", 0.6)],
                gives: vec![("land", "troops", 4_000), ("sea", "ships", 2)],
                ready: Some(45),
                ..nation("FRA", 0.8)
            },
            Nation {
                approvals: vec![0.95],
                gives: vec![("sea", "ships", 5), ("watch", "troops", 400)],
                ready: Some(60),
                ..nation("TUR", 0.75)
            },
            Nation {
                gives: vec![("land", "troops", 1_500), ("watch", "troops", 200)],
                ..nation("NLD", 0.5)
            },
        ],
        thresholds: vec![("troops", vec![5_000, 10_000, 13_000])],
        days: vec![30, 60, 90, 180],
    };
    check(&s, 200_000, 20260106);
}

/// Always-in and never-in nations (swing undefined), a domain needing no lead,
/// a domain with no requirement (covered iff led), and a contribution to a domain
/// that requires nothing of that capability.
#[test]
fn certain_nations_and_unrequired_capabilities() {
    let s = Scenario {
        capabilities: vec!["troops", "monitors"],
        conditions: vec![],
        domains: vec![
            Domain {
                id: "land",
                lead: vec!["A", "B", "C"],
                requires: vec![("troops", 3_000)],
            },
            Domain {
                id: "monitoring",
                lead: vec!["C"],
                requires: vec![],
            },
            Domain {
                id: "free",
                lead: vec![],
                requires: vec![],
            },
        ],
        nations: vec![
            Nation {
                gives: vec![("land", "troops", 1_000)],
                ..nation("A", 1.0)
            },
            Nation {
                gives: vec![("land", "troops", 5_000)],
                ..nation("B", 0.0)
            },
            Nation {
                gives: vec![("land", "troops", 2_000), ("monitoring", "monitors", 50)],
                ..nation("C", 0.6)
            },
            Nation {
                caps: vec![("C", 0.2)],
                gives: vec![("land", "troops", 2_500), ("monitoring", "troops", 100)],
                ..nation("D", 0.7)
            },
        ],
        thresholds: vec![("troops", vec![0, 3_000, 100_000])],
        days: vec![],
    };
    check(&s, 100_000, 99);
}

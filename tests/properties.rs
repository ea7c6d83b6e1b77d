//! Properties over generated scenarios: small coalitions (1–5 nations, 1–3
//! domains) whose every number is a random distribution of a random kind, with
//! parameters that are mostly valid and sometimes not, random conditions, caps,
//! blocs, approvals, readiness, thresholds and timelines.
//!
//! - Parsing and validation never panic, and a rejection always says why.
//! - Whatever validation accepts, the engine runs: no panic, every figure finite,
//!   every probability in [0, 1].
//! - The report is identical whatever the number of threads, and equals the
//!   serial engine's tally.
//!
//! Few cases and few trials, so that `cargo test` stays fast; raise
//! `PROPTEST_CASES` to search longer.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use common::json_without_engine;
use forcesim::engine::{BLOCK_TRIALS, block_count, run_serial};
use forcesim::{RunOptions, scenario, simulate};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::Value;

/// Two blocks, the second short: enough for threads to split the work.
const TRIALS: u64 = BLOCK_TRIALS + 700;

/// A number as TOML writes it.
fn toml_number(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        format!("{x:?}")
    }
}

/// Amounts: mostly plausible counts, rarely negative, huge, over the limit or not
/// finite.
fn amount() -> BoxedStrategy<f64> {
    prop_oneof![
        60 => (0.0..3000.0f64).prop_map(|x| x.round()),
        20 => 0.0..50.0f64,
        1 => select(vec![0.0, 1e12, 2e12, -5.0, 1e300, f64::NAN, f64::INFINITY]),
    ]
    .boxed()
}

/// Probabilities: mostly in [0, 1], rarely outside or not finite.
fn probability() -> BoxedStrategy<f64> {
    prop_oneof![
        80 => 0.0..=1.0f64,
        16 => select(vec![0.0, 1.0]),
        1 => select(vec![-0.1, 1.5, f64::NAN, f64::NEG_INFINITY]),
    ]
    .boxed()
}

/// `xs` as TOML numbers, put in order unless `sorted` is false.
fn ordered(mut xs: Vec<f64>, sorted: bool) -> String {
    if sorted {
        xs.sort_by(f64::total_cmp);
    }
    let xs: Vec<String> = xs.into_iter().map(toml_number).collect();
    xs.join(", ")
}

/// A distribution of any kind over numbers drawn from `v`, as TOML text.
/// `unbounded` weighs the normal and log-normal forms (invalid for a probability).
fn dist(v: BoxedStrategy<f64>, unbounded: u32) -> BoxedStrategy<String> {
    let sorted = || prop::bool::weighted(0.97);
    let spread = || prop_oneof![30 => 0.0..2.0f64, 1 => Just(-1.0)];
    let weight = prop_oneof![30 => 0.0..5.0f64, 1 => select(vec![-1.0, 1e308, f64::NAN])];
    let n = |k| prop::collection::vec(v.clone(), k);
    prop_oneof![
        4 => v.clone().prop_map(toml_number),
        2 => (n(2), sorted()).prop_map(|(x, s)| format!("{{ uniform = [{}] }}", ordered(x, s))),
        2 => (n(3), sorted()).prop_map(|(x, s)| format!("{{ triangular = [{}] }}", ordered(x, s))),
        2 => (n(3), sorted()).prop_map(|(x, s)| format!("{{ pert = [{}] }}", ordered(x, s))),
        unbounded => (v.clone(), spread()).prop_map(|(m, s)| format!(
            "{{ normal = {{ mean = {}, sd = {} }} }}",
            toml_number(m),
            toml_number(s * 300.0)
        )),
        unbounded => (v.clone(), spread()).prop_map(|(m, s)| format!(
            "{{ lognormal = {{ median = {}, sigma = {} }} }}",
            toml_number(m.abs().max(1e-3)),
            toml_number(s)
        )),
        2 => (
            prop::collection::vec((v.clone(), weight), 1..4),
            prop::option::weighted(0.6, prop::bool::weighted(0.03)),
        )
            .prop_map(|(pairs, weights)| {
                let (values, mut w): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
                match weights {
                    None => format!("{{ discrete = {{ values = [{}] }} }}", ordered(values, false)),
                    Some(mismatch) => {
                        if mismatch {
                            w.pop();
                        }
                        format!(
                            "{{ discrete = {{ values = [{}], weights = [{}] }} }}",
                            ordered(values, false),
                            ordered(w, false)
                        )
                    }
                }
            }),
    ]
    .boxed()
}

fn amount_dist() -> BoxedStrategy<String> {
    dist(amount(), 1)
}

fn probability_dist() -> BoxedStrategy<String> {
    dist(probability(), 0)
}

/// A reference to one of `count` entries named `prefix0`, `prefix1`, …: `r` =
/// [`UNKNOWN`] names one that does not exist; `None` when there is nothing to name.
fn pick(prefix: &str, r: usize, count: usize) -> Option<String> {
    if r >= UNKNOWN {
        Some(format!("{prefix}99"))
    } else if count == 0 {
        None
    } else {
        Some(format!("{prefix}{}", r % count))
    }
}

/// A reference that names nothing that exists.
const UNKNOWN: usize = 199;
/// A reference from a nation's `if_absent` to itself.
const ITSELF: usize = 198;

/// A reference drawn for [`pick`]: rarely [`UNKNOWN`] or [`ITSELF`].
fn reference() -> std::ops::RangeInclusive<usize> {
    0..=UNKNOWN
}

#[derive(Debug, Clone)]
struct Nation {
    participation: String,
    approval: Option<String>,
    /// (reference into conditions then nations, cap)
    if_absent: Vec<(usize, String)>,
    bloc: Option<usize>,
    ready_days: Option<String>,
    /// (domain, capability, amount)
    contributions: Vec<(usize, usize, String)>,
}

#[derive(Debug, Clone)]
struct Domain {
    lead: Option<Vec<usize>>,
    requirements: Vec<(usize, String)>,
}

#[derive(Debug, Clone)]
struct Gen {
    capabilities: usize,
    conditions: Vec<String>,
    /// Bloc correlations.
    blocs: Vec<f64>,
    domains: Vec<Domain>,
    nations: Vec<Nation>,
    rotation: Option<u32>,
    timeline: Option<Vec<u32>>,
    thresholds: Option<Vec<u32>>,
}

fn nation() -> impl Strategy<Value = Nation> {
    (
        probability_dist(),
        prop::option::weighted(0.3, probability_dist()),
        prop::collection::vec((reference(), probability_dist()), 0..3),
        prop::option::weighted(0.4, reference()),
        prop::option::weighted(0.4, amount_dist()),
        prop::collection::vec((reference(), reference(), amount_dist()), 0..5),
    )
        .prop_map(
            |(participation, approval, if_absent, bloc, ready_days, contributions)| Nation {
                participation,
                approval,
                if_absent,
                bloc,
                ready_days,
                contributions,
            },
        )
}

fn domain() -> impl Strategy<Value = Domain> {
    (
        prop::option::weighted(0.6, prop::collection::vec(reference(), 1..4)),
        prop::collection::vec((reference(), amount_dist()), 0..3),
    )
        .prop_map(|(lead, requirements)| Domain { lead, requirements })
}

fn generated() -> impl Strategy<Value = Gen> {
    (
        1..=3usize,
        prop::collection::vec(probability_dist(), 0..3),
        prop::collection::vec(
            prop_oneof![60 => 0.0..0.99f64, 1 => select(vec![1.0, -0.2, 0.999])],
            0..3,
        ),
        prop::collection::vec(domain(), 1..=3),
        prop::collection::vec(nation(), 1..=5),
        prop::option::weighted(0.2, prop_oneof![20 => 1..=10u32, 1 => select(vec![0, 11])]),
        prop::option::weighted(0.3, prop::collection::vec(0..200u32, 1..4)),
        prop::option::weighted(0.3, prop::collection::vec(0..5000u32, 1..3)),
    )
        .prop_map(
            |(
                capabilities,
                conditions,
                blocs,
                domains,
                nations,
                rotation,
                timeline,
                thresholds,
            )| {
                Gen {
                    capabilities,
                    conditions,
                    blocs,
                    domains,
                    nations,
                    rotation,
                    timeline,
                    thresholds,
                }
            },
        )
}

/// Increasing, distinct numbers, as a TOML list.
fn increasing(xs: &[u32]) -> String {
    let xs: BTreeSet<u32> = xs.iter().copied().collect();
    let xs: Vec<String> = xs.iter().map(u32::to_string).collect();
    xs.join(", ")
}

/// The scenario as TOML. Keys stay unique (a duplicate key is a TOML error
/// that would hide everything else), but references may be unknown or cyclic.
fn render(g: &Gen) -> String {
    let mut s = String::from("[scenario]\nname = \"generated\"\n");
    if let Some(r) = g.rotation {
        writeln!(s, "rotation = {r}").unwrap();
    }
    if let Some(days) = &g.timeline {
        writeln!(s, "[simulation]\ntimeline_days = [{}]", increasing(days)).unwrap();
    }
    if let Some(t) = &g.thresholds {
        writeln!(s, "[report]\nthresholds = {{ c0 = [{}] }}", increasing(t)).unwrap();
    }
    s.push_str("[capabilities]\n");
    for c in 0..g.capabilities {
        writeln!(s, "c{c} = {{ unit = \"units\" }}").unwrap();
    }
    for (i, p) in g.conditions.iter().enumerate() {
        writeln!(s, "[conditions.k{i}]\nprobability = {p}").unwrap();
    }
    for (i, rho) in g.blocs.iter().enumerate() {
        writeln!(s, "[blocs.b{i}]\ncorrelation = {}", toml_number(*rho)).unwrap();
    }
    for (i, d) in g.domains.iter().enumerate() {
        writeln!(s, "[domains.d{i}]").unwrap();
        if let Some(lead) = &d.lead {
            let mut seen = BTreeSet::new();
            let names: Vec<String> = lead
                .iter()
                .filter_map(|&r| pick("N", r, g.nations.len()))
                .filter(|n| seen.insert(n.clone()))
                .map(|n| format!("\"{n}\""))
                .collect();
            writeln!(s, "lead = [{}]", names.join(", ")).unwrap();
        }
        let mut seen = BTreeSet::new();
        let reqs: Vec<String> = d
            .requirements
            .iter()
            .filter_map(|(r, a)| Some((pick("c", *r, g.capabilities)?, a)))
            .filter(|(c, _)| seen.insert(c.clone()))
            .map(|(c, a)| format!("{c} = {a}"))
            .collect();
        writeln!(s, "requirements = {{ {} }}", reqs.join(", ")).unwrap();
    }
    for (i, n) in g.nations.iter().enumerate() {
        render_nation(&mut s, i, n, g);
    }
    s
}

fn render_nation(s: &mut String, i: usize, n: &Nation, g: &Gen) {
    writeln!(s, "[nations.N{i}]\nparticipation = {}", n.participation).unwrap();
    if let Some(p) = &n.approval {
        writeln!(
            s,
            "approval = [{{ body = \"parliament\", probability = {p} }}]"
        )
        .unwrap();
    }
    let conditions = g.conditions.len();
    let mut seen = BTreeSet::new();
    let caps: Vec<String> = n
        .if_absent
        .iter()
        .filter_map(|(r, cap)| {
            // Mostly a condition or an earlier nation; sometimes itself (a cycle) or unknown.
            let earlier = conditions + i;
            let id = match *r {
                UNKNOWN.. => "X99".to_string(),
                ITSELF => format!("N{i}"),
                _ if earlier == 0 => return None,
                r => match r % earlier {
                    k if k < conditions => format!("k{k}"),
                    k => format!("N{}", k - conditions),
                },
            };
            Some((id, cap))
        })
        .filter(|(id, _)| seen.insert(id.clone()))
        .map(|(id, cap)| format!("{id} = {cap}"))
        .collect();
    if !caps.is_empty() {
        writeln!(s, "if_absent = {{ {} }}", caps.join(", ")).unwrap();
    }
    if let Some(b) = n.bloc.and_then(|r| pick("b", r, g.blocs.len())) {
        writeln!(s, "bloc = \"{b}\"").unwrap();
    }
    if let Some(r) = &n.ready_days {
        writeln!(s, "ready_days = {r}").unwrap();
    }
    let mut seen = BTreeSet::new();
    for (d, c, a) in &n.contributions {
        let (Some(d), Some(c)) = (
            pick("d", *d, g.domains.len()),
            pick("c", *c, g.capabilities),
        ) else {
            continue;
        };
        if seen.insert((d.clone(), c.clone())) {
            writeln!(s, "contributions.{d}.{c} = {a}").unwrap();
        }
    }
}

/// Every number of the report is finite (a NaN or an infinity would be written
/// `null`, which only `swing` may be), and every probability lies in [0, 1].
fn check_figures(v: &Value, path: &str, probability: bool) -> Result<(), String> {
    match v {
        Value::Null
            if path.ends_with(".swing") || path.ends_with(".median") || path.ends_with(".p90") =>
        {
            Ok(())
        }
        Value::Null => Err(format!("{path} is null")),
        Value::Number(n) => {
            let x = n.as_f64().ok_or(format!("{path} is not a number"))?;
            if !x.is_finite() || (probability && !(0.0..=1.0).contains(&x)) {
                return Err(format!("{path} = {x}"));
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| check_figures(item, &format!("{path}[{i}]"), probability)),
        Value::Object(map) => map.iter().try_for_each(|(k, item)| {
            let p = probability
                || k == "p"
                || k.starts_with("p_")
                || k == "lead_share"
                || (k == "domains" && path.ends_with("timeline"));
            check_figures(item, &format!("{path}.{k}"), p)
        }),
        Value::Bool(_) | Value::String(_) => Ok(()),
    }
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(cases),
        // Shrinking reruns the engine many times; a failing case is printed whole.
        max_shrink_iters: 200,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Parsing never panics, and a rejection carries at least one diagnostic.
    #[test]
    fn validation_never_panics(g in generated(), seed in any::<u64>()) {
        let text = render(&g);
        let set = [format!("simulation.seed={}", seed % 1000)];
        match scenario::parse("generated.toml", &text, &set) {
            Ok(model) => prop_assert!(!model.nations.is_empty()),
            Err(d) => prop_assert!(!d.to_string().trim().is_empty(), "{}", text),
        }
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// Whatever validation accepts runs, with finite figures and probabilities in
    /// [0, 1], the same report on 1, 2 or 3 threads, and the serial engine's tally.
    #[test]
    fn accepted_scenarios_run_the_same_on_any_thread_count(
        g in generated(),
        seed in any::<u64>(),
    ) {
        let text = render(&g);
        let Ok(model) = scenario::parse("generated.toml", &text, &[]) else {
            return Ok(());
        };
        let run = |threads| {
            simulate(&model, &RunOptions { trials: TRIALS, seed, threads, ..Default::default() })
        };
        let one = run(1).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(one.report.trials, TRIALS);
        let json: Value = serde_json::to_value(&one.report).expect("serialises");
        if let Err(e) = check_figures(&json, "report", false) {
            return Err(TestCaseError::fail(format!("{e}\n{text}")));
        }
        let serial = run_serial(&model, seed, TRIALS, 0..block_count(TRIALS));
        prop_assert!(serial == one.tally, "serial tally differs\n{}", text);
        let expected = json_without_engine(&one.report);
        for threads in [2, 3] {
            let other = run(threads).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert!(other.tally == one.tally, "{} threads: tally differs\n{}", threads, text);
            prop_assert_eq!(json_without_engine(&other.report), expected.clone());
        }
    }
}

/// The generator reaches the engine: a fair share of its scenarios are valid,
/// so the property above is not vacuous.
#[test]
fn generated_scenarios_are_often_valid() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let strategy = generated();
    let total = 200;
    let mut valid = 0;
    let mut example = String::new();
    for _ in 0..total {
        let g = strategy.new_tree(&mut runner).expect("generates").current();
        let text = render(&g);
        match scenario::parse("generated.toml", &text, &[]) {
            Ok(_) => valid += 1,
            Err(d) => {
                example = format!(
                    "{text}
{d}"
                )
            }
        }
    }
    assert!(
        valid * 10 >= total * 3,
        "only {valid} of {total} generated scenarios are valid; a rejected one:\n{example}"
    );
    assert!(valid < total, "no generated scenario is invalid");
}

#[test]
fn the_figure_check_catches_what_it_must() {
    let ok = serde_json::json!({"p_x": 0.5, "nations": {"A": {"swing": null, "mean": 3.5}},
        "lead_share": {"A": 1.0}, "timeline": {"domains": {"d": [0.0, 1.0]}, "days": [30]}});
    assert_eq!(check_figures(&ok, "r", false), Ok(()));
    for bad in [
        serde_json::json!({"p_x": 1.5}),
        serde_json::json!({"p_x_ci95": [0.1, -0.1]}),
        serde_json::json!({"lead_share": {"A": 2.0}}),
        serde_json::json!({"timeline": {"domains": {"d": [1.5]}}}),
        serde_json::json!({"totals": {"mean": null}}),
    ] {
        assert!(check_figures(&bad, "r", false).is_err(), "{bad}");
    }
}

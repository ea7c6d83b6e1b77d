//! What-if analysis: `--set` on every kind of key (against the same edit made by
//! hand), override errors, rotation, the schema, sweeps on common random numbers,
//! comparisons, stop on precision, and goal seek against brute force.

mod common;

use common::{forcesim, json_without_engine, model, scenario_file};
use forcesim::engine::{BLOCK_TRIALS, run_serial};
use forcesim::math::wilson;
use forcesim::whatif::precision::{self, On, checkpoints};
use forcesim::whatif::secure::{self, Opts, Search};
use forcesim::whatif::sweep::{self, Axis};
use forcesim::whatif::{compare, coverage};
use forcesim::{Model, Report, RunOptions, scenario, simulate};

/// Every kind of value the format has: conditions, blocs, caps, approvals,
/// distributions, leads, thresholds, readiness.
const S1: &str = r#"[scenario]
name = "What-if test"
[simulation]
trials = 10000
seed = 5
timeline_days = [20, 40]
[report]
thresholds = { troops = [1000, 2000] }
[capabilities]
troops = { unit = "personnel" }
ships = { unit = "ships" }
[conditions.backstop]
probability = 0.7
[blocs.west]
correlation = 0.3
[domains.land]
lead = ["A", "B"]
requirements = { troops = 1500 }
[domains.sea]
lead = ["C"]
requirements = { ships = 6 }
[nations.A]
participation = 0.8
approval = [{ body = "parliament", probability = 0.9 }]
bloc = "west"
contributions.land.troops = { pert = [600, 900, 1400] }
[nations.B]
participation = 0.6
if_absent = { backstop = 0.3 }
bloc = "west"
ready_days = { triangular = [10, 30, 60] }
contributions.land.troops = { triangular = [300, 700, 1000] }
[nations.C]
participation = 0.7
if_absent = { A = 0.4 }
contributions.sea.ships = { uniform = [3, 9] }
contributions.land.troops = 200
[nations.D]
participation = 0.5
contributions.sea.ships = { discrete = { values = [1, 2, 4], weights = [1, 2, 1] } }
contributions.land.troops = { normal = { mean = 400, sd = 100 } }
"#;

fn parse_with(text: &str, set: &[&str]) -> Result<Model, String> {
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    scenario::parse("test.toml", text, &set).map_err(|d| d.to_string())
}

fn report(m: &Model, trials: u64, seed: u64, threads: usize) -> Report {
    simulate(
        m,
        &RunOptions {
            trials,
            seed,
            threads,
            ..Default::default()
        },
    )
    .expect("runs")
    .report
}

/// The report as JSON without `engine` and `overrides`: what an edit by hand gives.
fn figures_json(r: &Report) -> String {
    let mut v = serde_json::to_value(r).unwrap();
    let o = v.as_object_mut().unwrap();
    // `shift_remove` keeps the order of the other members.
    o.shift_remove("engine");
    o.shift_remove("overrides");
    serde_json::to_string_pretty(&v).unwrap()
}

/// Replaces exactly one occurrence of `from`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
    text.replacen(from, to, 1)
}

// ---------------------------------------------------------------------------
// --set

#[test]
fn every_kind_of_override_equals_the_same_edit_by_hand() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "scenario.name=\"Renamed\"",
            "name = \"What-if test\"",
            "name = \"Renamed\"",
        ),
        (
            "scenario.rotation=3",
            "[simulation]",
            "rotation = 3\n[simulation]",
        ),
        ("simulation.timeline_days=[10, 90]", "[20, 40]", "[10, 90]"),
        (
            "report.thresholds.troops=[500, 2500]",
            "[1000, 2000]",
            "[500, 2500]",
        ),
        (
            "capabilities.troops.unit=soldiers",
            "\"personnel\"",
            "\"soldiers\"",
        ),
        (
            "conditions.backstop.probability=0.2",
            "probability = 0.7\n",
            "probability = 0.2\n",
        ),
        (
            "blocs.west.correlation=0.8",
            "correlation = 0.3",
            "correlation = 0.8",
        ),
        (
            "domains.land.lead=[\"B\", \"A\"]",
            "[\"A\", \"B\"]",
            "[\"B\", \"A\"]",
        ),
        (
            "domains.land.requirements.troops=2000",
            "troops = 1500",
            "troops = 2000",
        ),
        (
            "domains.sea.requirements.ships={ uniform = [4, 8] }",
            "ships = 6",
            "ships = { uniform = [4, 8] }",
        ),
        (
            "nations.A.participation=0.3",
            "participation = 0.8",
            "participation = 0.3",
        ),
        (
            "nations.A.approval[0].probability=0.5",
            "probability = 0.9 }",
            "probability = 0.5 }",
        ),
        (
            "nations.A.approval.0.probability=0.5",
            "probability = 0.9 }",
            "probability = 0.5 }",
        ),
        (
            "nations.B.if_absent.backstop=0.1",
            "{ backstop = 0.3 }",
            "{ backstop = 0.1 }",
        ),
        (
            "nations.C.bloc=west",
            "[nations.C]\n",
            "[nations.C]\nbloc = \"west\"\n",
        ),
        (
            "nations.B.ready_days={ triangular = [5, 10, 20] }",
            "[10, 30, 60]",
            "[5, 10, 20]",
        ),
        (
            "nations.A.contributions.land.troops={ pert = [800, 1000, 1200] }",
            "[600, 900, 1400]",
            "[800, 1000, 1200]",
        ),
        (
            "nations.C.contributions.land.troops=700",
            "troops = 200",
            "troops = 700",
        ),
        (
            "nations.D.contributions.sea.ships=5",
            "{ discrete = { values = [1, 2, 4], weights = [1, 2, 1] } }",
            "5",
        ),
    ];
    let plain = figures_json(&report(&model(S1), 8192, 3, 1));
    for (set, from, to) in cases {
        let by_set = parse_with(S1, &[set]).unwrap_or_else(|e| panic!("{set}: {e}"));
        assert_eq!(by_set.overrides, [set.to_string()]);
        let by_hand = model(&edit(S1, from, to));
        let a = report(&by_set, 8192, 3, 1);
        let b = report(&by_hand, 8192, 3, 1);
        assert_eq!(
            a.overrides,
            [set.to_string()],
            "the report records the override"
        );
        assert_eq!(figures_json(&a), figures_json(&b), "{set}");
        assert_ne!(figures_json(&a), plain, "{set} changed nothing");
    }
    // Keys that set run defaults rather than figures.
    let m = parse_with(S1, &["simulation.trials=777", "simulation.seed=9"]).unwrap();
    assert_eq!((m.default_trials, m.default_seed), (Some(777), Some(9)));
    // [simulation] and [report] may be set even when the file has no such table.
    let bare = edit(S1, "[report]\nthresholds = { troops = [1000, 2000] }\n", "");
    let m = parse_with(&bare, &["report.thresholds.troops=[100]"]).unwrap();
    assert_eq!(m.thresholds[0], [100]);
}

#[test]
fn override_errors_name_the_override_the_key_and_what_is_valid() {
    let cases: &[(&str, &str)] = &[
        (
            "nations.XYZ.participation=0.3",
            "nations.XYZ.participation: no key `XYZ` at `nations`; valid keys there: A, B, C, D",
        ),
        (
            "natons.A.participation=0.3",
            "no key `natons` at the top level (did you mean `nations`?); valid keys there: scenario, simulation, report, capabilities, conditions, blocs, domains, nations",
        ),
        (
            "nations.A.participaton=0.3",
            "unknown key `participaton` (did you mean `participation`?); valid keys here: name, participation, approval",
        ),
        (
            "domains.land.requirements.tanks=5",
            "unknown capability `tanks`",
        ),
        (
            "nations.A.participation=high",
            // Only the bounded forms a probability takes.
            "nations.A.participation: expected a number from 0 to 1, or one of { uniform = [min, max] }, { triangular = [min, mode, max] }, { pert = [min, mode, max] }, { discrete = { values = [...], weights = [...] } }, found a string",
        ),
        (
            "nations.A.participation=1.5",
            "probability must be between 0 and 1, found 1.5",
        ),
        (
            "domains.land.requirements.troops=-5",
            "domains.land.requirements.troops:",
        ),
        (
            "scenario.rotation=2.5",
            "scenario.rotation: expected a whole number",
        ),
        (
            "domains.land.lead=A",
            "domains.land.lead: expected an array, found a string",
        ),
        (
            "nations.A.approval[3].probability=0.5",
            "`nations.A.approval` has 1 elements, so there is no [3]",
        ),
        (
            "nations.A.participation.x=1",
            "`nations.A.participation` is not a table",
        ),
        (
            "nations.A.participation",
            "an override must look like KEY=VALUE",
        ),
        ("nations..participation=1", "not a dotted key"),
        (
            "nations.A.contributions.land.troops={ pert = [1, 2 }",
            "the value is not valid TOML",
        ),
    ];
    for (set, want) in cases {
        let e = parse_with(S1, &[set]).expect_err(set);
        assert!(
            e.contains(&format!("test.toml (--set {set}): ")),
            "{set}: the error does not name the override:\n{e}"
        );
        assert!(e.contains(want), "{set}: expected {want:?} in:\n{e}");
    }
    // Every bad override is reported at once.
    let e = parse_with(
        S1,
        &["nations.A.participation=2", "blocs.west.correlation=1"],
    )
    .unwrap_err();
    assert!(e.contains("2 problems"), "{e}");
}

// ---------------------------------------------------------------------------
// Rotation

#[test]
fn rotation_reports_committed_force_as_deployed_times_rotation() {
    let m = parse_with(S1, &["scenario.rotation=3"]).unwrap();
    let r = report(&m, 8192, 1, 1);
    for (cap, t) in &r.totals {
        let c = t.committed.expect("committed with rotation");
        let s = t.stats;
        for (name, dep, com) in [
            ("mean", s.mean, c.mean),
            ("sd", s.sd, c.sd),
            ("min", s.min, c.min),
            ("p05", s.p05, c.p05),
            ("p50", s.p50, c.p50),
            ("p95", s.p95, c.p95),
            ("max", s.max, c.max),
        ] {
            // The committed force has its own histogram: exact for counts and
            // quantiles, the sd to rounding.
            let tol = if name == "sd" { 1e-9 * dep.abs() } else { 0.0 };
            assert!(
                (com - 3.0 * dep).abs() <= tol,
                "{cap} {name}: {com} vs 3 × {dep}"
            );
        }
    }
    let table = forcesim::report::table::to_table(&r);
    let row = table
        .lines()
        .find(|l| l.contains("committed (rot.)"))
        .expect("the table shows the committed force");
    let troops = &r.totals["troops"];
    assert!(
        row.contains(&forcesim::report::table::thousands(
            troops.committed.unwrap().mean
        )),
        "{row}"
    );
    assert!(
        table.lines().any(|l| l.trim_start().starts_with("troops")),
        "deployed row kept:\n{table}"
    );
    let json = r.to_json();
    assert!(json.contains("\"committed\""));
    // Without rotation: committed is what is deployed, and the table does not
    // repeat it.
    let plain = report(&model(S1), 8192, 1, 1);
    for t in plain.totals.values() {
        assert_eq!(t.committed.map(|c| c.mean), Some(t.stats.mean));
    }
    assert!(!forcesim::report::table::to_table(&plain).contains("committed"));
    // Rotation changes nothing else.
    let mut a = serde_json::to_value(&r).unwrap();
    let mut b = serde_json::to_value(&plain).unwrap();
    for v in [&mut a, &mut b] {
        let o = v.as_object_mut().unwrap();
        o.remove("engine");
        o.remove("overrides");
        for t in o["totals"].as_object_mut().unwrap().values_mut() {
            t.as_object_mut().unwrap().remove("committed");
        }
        // Each nation reports the rotation it was given.
        for n in o["nations"].as_object_mut().unwrap().values_mut() {
            n.as_object_mut().unwrap().remove("rotation");
        }
    }
    assert_eq!(a, b);
}

// ---------------------------------------------------------------------------
// Schema

/// Whether `value` is accepted by `schema`, for the subset of JSON Schema the
/// scenario schema uses (type, properties, additionalProperties, items, oneOf/anyOf,
/// minimum/maximum). `path` names the value in failures.
fn accepts(
    schema: &serde_json::Value,
    value: &toml::de::DeValue<'_>,
    path: &str,
    why: &mut Vec<String>,
) -> bool {
    use toml::de::DeValue as V;
    for alt in ["oneOf", "anyOf"] {
        if let Some(branches) = schema.get(alt).and_then(|b| b.as_array()) {
            let ok = branches
                .iter()
                .any(|b| accepts(b, value, path, &mut Vec::new()));
            if !ok {
                why.push(format!("{path}: no {alt} branch accepts it"));
            }
            return ok;
        }
    }
    let ty = schema.get("type").and_then(|t| t.as_str());
    let ok_type = matches!(
        (ty, value),
        (None, _)
            | (Some("object"), V::Table(_))
            | (Some("array"), V::Array(_))
            | (Some("string"), V::String(_))
            | (Some("boolean"), V::Boolean(_))
            | (Some("integer"), V::Integer(_))
            | (Some("number"), V::Integer(_) | V::Float(_))
    );
    if !ok_type {
        why.push(format!("{path}: not of type {ty:?}"));
        return false;
    }
    match value {
        V::Table(t) => {
            let props = schema.get("properties").and_then(|p| p.as_object());
            for (k, v) in t.iter() {
                let k: &str = k.get_ref();
                let sub = format!("{path}.{k}");
                let s = props
                    .and_then(|p| p.get(k))
                    .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()));
                match s {
                    Some(s) => {
                        if !accepts(s, v.get_ref(), &sub, why) {
                            return false;
                        }
                    }
                    None => {
                        why.push(format!("{sub}: not in the schema"));
                        return false;
                    }
                }
            }
            if let Some(req) = schema.get("required").and_then(|r| r.as_array()) {
                for r in req {
                    let r = r.as_str().unwrap();
                    if !t.contains_key(r) {
                        why.push(format!("{path}: missing required {r}"));
                        return false;
                    }
                }
            }
            true
        }
        V::Array(a) => match schema.get("items") {
            Some(items) => a
                .iter()
                .enumerate()
                .all(|(i, v)| accepts(items, v.get_ref(), &format!("{path}[{i}]"), why)),
            None => true,
        },
        _ => true,
    }
}

#[test]
fn the_schema_accepts_every_shipped_scenario_and_rejects_unknown_keys() {
    let schema = scenario::schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["additionalProperties"], false);
    for key in [
        "scenario",
        "simulation",
        "report",
        "capabilities",
        "conditions",
        "blocs",
        "domains",
        "nations",
    ] {
        assert!(
            schema["properties"][key].is_object(),
            "{key} missing from the schema"
        );
    }
    let nation = &schema["properties"]["nations"]["additionalProperties"];
    assert!(nation["properties"]["participation"]["description"].is_string());
    // What a whole scenario requires applies to a file that extends none:
    // `scenario.name`, and `participation` unless the decision is fixed.
    assert_eq!(
        schema["if"],
        serde_json::json!({ "properties": { "scenario": { "required": ["extends"] } } })
    );
    let whole = &schema["else"]["properties"];
    assert_eq!(whole["scenario"]["required"], serde_json::json!(["name"]));
    let nation_rule = &whole["nations"]["additionalProperties"];
    assert_eq!(
        nation_rule["else"]["required"],
        serde_json::json!(["participation"])
    );
    assert!(nation.get("else").is_none() && nation.get("required").is_none());
    let mut files: Vec<(String, String)> = vec![("S1".into(), S1.into())];
    for entry in std::fs::read_dir("scenarios").expect("scenarios/") {
        let p = entry.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        if p.extension().is_some_and(|e| e == "toml") {
            files.push((p.display().to_string(), text));
        }
    }
    assert!(files.len() >= 2, "no shipped scenario found");
    for (name, text) in &files {
        let doc = toml::de::DeTable::parse(text).unwrap();
        let value = toml::de::DeValue::Table(doc.into_inner());
        let mut why = Vec::new();
        assert!(accepts(&schema, &value, "", &mut why), "{name}: {why:?}");
    }
    // A typo is caught by the schema as by the decoder.
    let typo = edit(S1, "participation = 0.8", "participaton = 0.8");
    let doc = toml::de::DeTable::parse(&typo).unwrap();
    let mut why = Vec::new();
    assert!(!accepts(
        &schema,
        &toml::de::DeValue::Table(doc.into_inner()),
        "",
        &mut why
    ));
    assert!(why.iter().any(|w| w.contains("participaton")), "{why:?}");
}

#[test]
fn the_shipped_schema_file_is_current() {
    // `forcesim.schema.json` (used by `.taplo.toml` for editor completion) must be
    // exactly what `forcesim schema` prints; regenerate it with
    // `forcesim schema > forcesim.schema.json`.
    let shipped = std::fs::read_to_string("forcesim.schema.json").expect("forcesim.schema.json");
    let now = serde_json::to_string_pretty(&scenario::schema()).unwrap() + "\n";
    assert!(
        shipped == now,
        "forcesim.schema.json is stale: run `forcesim schema > forcesim.schema.json`"
    );
    let taplo = std::fs::read_to_string(".taplo.toml").expect(".taplo.toml");
    assert!(taplo.contains("path = \"./forcesim.schema.json\""));
}

// ---------------------------------------------------------------------------
// Sweeps

fn run_sweep(text: &str, base: &[&str], vary: &[&str], trials: u64, seed: u64) -> sweep::Sweep {
    let base: Vec<String> = base.iter().map(|s| s.to_string()).collect();
    let axes: Vec<Axis> = vary.iter().map(|v| Axis::parse(v).unwrap()).collect();
    let points = sweep::points(&axes).unwrap();
    let m = scenario::parse("test.toml", text, &base).unwrap();
    let models = sweep::prepare("test.toml", text.as_bytes(), &base, &points)
        .unwrap_or_else(|e| panic!("{}", e[0]));
    sweep::run(
        &m,
        &axes,
        &points,
        &models,
        &RunOptions {
            trials,
            seed,
            threads: 2,
            ..Default::default()
        },
        &|_| {},
    )
    .unwrap()
}

#[test]
fn raising_a_requirement_never_raises_coverage_from_one_point_to_the_next() {
    let s = run_sweep(
        S1,
        &[],
        &["domains.land.requirements.troops=0:3000:100"],
        12_288,
        11,
    );
    assert_eq!(s.points.len(), 31);
    let land: Vec<f64> = s
        .points
        .iter()
        .map(|p| p.figures.domains["land"].p_covered)
        .collect();
    let all: Vec<f64> = s.points.iter().map(|p| p.figures.p_all_covered).collect();
    for i in 1..land.len() {
        // Monotone by construction (common random numbers), not only on average.
        assert!(
            land[i] <= land[i - 1],
            "land P(covered) rose from point {i} to {}: {land:?}",
            i + 1
        );
        assert!(
            all[i] <= all[i - 1],
            "P(all covered) rose at point {}: {all:?}",
            i + 1
        );
    }
    assert!(land[0] > 0.5 && land[30] == 0.0, "{land:?}");
    assert!(
        land.windows(2).filter(|w| w[1] < w[0]).count() >= 10,
        "{land:?}"
    );
    // The sea domain is untouched by the axis: the very same draws at every point.
    let sea = &s.points[0].figures.domains["sea"];
    for p in &s.points {
        assert_eq!(&p.figures.domains["sea"], sea);
    }
    // So is P(leaderless) of land (leads do not depend on the requirement).
    let ll = s.points[0].figures.domains["land"].p_leaderless;
    assert!(
        s.points
            .iter()
            .all(|p| p.figures.domains["land"].p_leaderless == ll)
    );
}

#[test]
fn raising_a_participation_never_lowers_coverage_from_one_point_to_the_next() {
    // Each decision has its own stream: a nation's uniform is the same at every
    // point, so a higher participation only adds trials in which it takes part,
    // and a nation that joins can only add contributions, leads and lift caps.
    let s = run_sweep(S1, &[], &["nations.A.participation=0:1:0.1"], 12_288, 13);
    assert_eq!(s.points.len(), 11);
    let a_in: Vec<f64> = s
        .reports
        .iter()
        .map(|r| r.nations["A"].p_participates)
        .collect();
    let c_in: Vec<f64> = s
        .reports
        .iter()
        .map(|r| r.nations["C"].p_participates)
        .collect();
    let all: Vec<f64> = s.points.iter().map(|p| p.figures.p_all_covered).collect();
    for i in 1..all.len() {
        assert!(a_in[i] >= a_in[i - 1], "{a_in:?}");
        assert!(
            c_in[i] >= c_in[i - 1],
            "C is capped when A is absent: {c_in:?}"
        );
        assert!(
            all[i] >= all[i - 1],
            "P(all covered) fell at point {}: {all:?}",
            i + 1
        );
    }
    assert_eq!(a_in[0], 0.0);
    assert!(all[10] > all[0]);
    // D decides independently of A: the same decisions at every point.
    let d = s.reports[0].nations["D"].p_participates;
    assert!(s.reports.iter().all(|r| r.nations["D"].p_participates == d));
}

#[test]
fn a_sweep_point_is_exactly_a_run_with_the_same_overrides() {
    let base = ["conditions.backstop.probability=0.6"];
    let s = run_sweep(
        S1,
        &base,
        &[
            "nations.A.participation=0.2:0.8:0.3",
            "domains.sea.requirements.ships=4,7",
        ],
        8192,
        21,
    );
    assert_eq!(s.points.len(), 6);
    assert_eq!(
        s.points[3].set,
        [
            "nations.A.participation=0.5",
            "domains.sea.requirements.ships=7"
        ]
    );
    assert_eq!(
        s.points[3].values,
        [serde_json::json!(0.5), serde_json::json!(7)]
    );
    assert_eq!(s.scenario.overrides, base);
    for (p, rep) in s.points.iter().zip(&s.reports) {
        let mut set: Vec<&str> = base.to_vec();
        set.extend(p.set.iter().map(String::as_str));
        let plain = report(&parse_with(S1, &set).unwrap(), 8192, 21, 1);
        assert_eq!(
            json_without_engine(rep),
            json_without_engine(&plain),
            "{:?}",
            p.set
        );
        assert_eq!(p.figures, forcesim::whatif::KeyFigures::of(&plain));
    }
    let table = s.to_table();
    assert!(
        table.contains("rows nations.A.participation, columns domains.sea.requirements.ships"),
        "{table}"
    );
    let csv = s.to_csv();
    assert!(csv.starts_with(forcesim::report::csv::HEADER));
    assert!(
        csv.contains(
            ",nations.A.participation=0.5; domains.sea.requirements.ships=7,run,,,p_all_covered,,"
        ),
        "{csv}"
    );
    assert!(csv.lines().all(|l| l.split(',').count() == 11));
}

#[test]
fn every_point_is_checked_before_anything_runs() {
    let axes = [Axis::parse("domains.land.requirements.troops=1000:-1000:-1000").unwrap()];
    let points = sweep::points(&axes).unwrap();
    let e = sweep::prepare("test.toml", S1.as_bytes(), &[], &points).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].number, 3);
    let text = e[0].to_string();
    assert!(
        text.contains("sweep point 3 (domains.land.requirements.troops=-1000)"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------
// Comparisons

#[test]
fn comparing_a_scenario_with_itself_gives_zero_differences() {
    let a = model(S1);
    let opts = RunOptions {
        trials: 8192,
        seed: 4,
        threads: 2,
        ..Default::default()
    };
    let c = compare::compare(&[("a".into(), a.clone()), ("b".into(), a)], &opts).unwrap();
    assert!(!c.differences.is_empty());
    for d in &c.differences {
        assert_eq!(d.difference, 0.0, "{}", d.figure);
        if let Some([lo, hi]) = d.ci95 {
            assert!(lo <= 0.0 && 0.0 <= hi, "{}: {lo} {hi}", d.figure);
        }
    }
    assert!(c.not_shared.is_empty());
}

#[test]
fn comparisons_give_newcombe_intervals_and_list_unshared_figures() {
    let a = model(S1);
    let b = parse_with(S1, &["conditions.backstop.probability=0"]).unwrap();
    let extra = format!("{S1}[domains.air]\nrequirements = {{ troops = 10 }}\n");
    let c3 = model(&extra);
    let opts = RunOptions {
        trials: 20_000,
        seed: 8,
        threads: 2,
        ..Default::default()
    };
    let c = compare::compare(
        &[
            ("base".into(), a),
            ("no-backstop".into(), b),
            ("with-air".into(), c3),
        ],
        &opts,
    )
    .unwrap();
    let d = c
        .differences
        .iter()
        .find(|d| d.of == "no-backstop" && d.figure == "p_all_covered")
        .unwrap();
    let (k1, k2) = (
        (d.base * 20_000.0).round() as u64,
        (d.value * 20_000.0).round() as u64,
    );
    let want = compare::newcombe(d.base, wilson(k1, 20_000), d.value, wilson(k2, 20_000));
    assert_eq!(d.ci95, Some(want));
    assert!(
        d.difference < 0.0 && want[1] < 0.0,
        "losing the backstop must hurt: {d:?}"
    );
    // Means: Welch.
    let m = c
        .differences
        .iter()
        .find(|d| d.of == "no-backstop" && d.figure == "totals.troops.mean")
        .unwrap();
    let sa = c.scenarios[0].figures.totals["troops"].sd;
    let sb = c.scenarios[1].figures.totals["troops"].sd;
    // Welch's, with sample variances and its degrees of freedom.
    let (va, vb) = (sa * sa / 19_999.0, sb * sb / 19_999.0);
    let df = (va + vb).powi(2) / ((va * va + vb * vb) / 19_999.0);
    let half = forcesim::quantile::t95(df) * (va + vb).sqrt();
    let [lo, hi] = m.ci95.unwrap();
    assert!((lo - (m.difference - half)).abs() < 1e-9 && (hi - (m.difference + half)).abs() < 1e-9);
    // The medians get no interval.
    assert!(
        c.differences
            .iter()
            .filter(|d| d.figure.ends_with(".p50"))
            .all(|d| d.ci95.is_none())
    );
    // The air domain is only in the third scenario.
    let air: Vec<_> = c
        .not_shared
        .iter()
        .filter(|n| n.figure.starts_with("domains.air."))
        .collect();
    assert!(!air.is_empty());
    assert!(air.iter().all(|n| n.only_in == ["with-air"]));
    assert!(
        !c.differences
            .iter()
            .any(|d| d.figure.starts_with("domains.air."))
    );
    let table = c.to_table();
    assert!(table.contains("only in with-air"), "{table}");
    assert!(table.contains("conservative"), "{table}");
    let csv = c.to_csv();
    assert!(csv.starts_with(forcesim::report::csv::HEADER));
    assert!(csv.contains(",base,run,,,p_all_covered,,"));
}

// ---------------------------------------------------------------------------
// Stop on precision

fn precise(text: &str, cap: u64, eps: f64, on: &str, threads: usize) -> Report {
    let m = model(text);
    let on = On::parse(&m, on).unwrap();
    precision::simulate(
        &m,
        &RunOptions {
            trials: cap,
            seed: 17,
            threads,
            ..Default::default()
        },
        eps,
        &on,
    )
    .unwrap()
    .report
}

#[test]
fn precision_runs_are_identical_across_thread_counts() {
    let one = precise(S1, 1_000_000, 0.006, "p_all_covered", 1);
    let two = precise(S1, 1_000_000, 0.006, "p_all_covered", 2);
    assert_eq!(json_without_engine(&one), json_without_engine(&two));
    assert!(one.precision.as_ref().unwrap().met);
}

#[test]
fn precision_stops_at_the_first_checkpoint_that_meets_the_target() {
    let m = model(S1);
    let cap = 1_000_000;
    let eps = 0.004;
    // The half-width at each checkpoint, computed here block by block on one thread.
    let mut first = None;
    let mut previous_missed = Vec::new();
    for c in checkpoints(cap) {
        let t = run_serial(&m, 17, cap, 0..c);
        let [lo, hi] = wilson(t.all_covered, t.trials);
        let half = (hi - lo) / 2.0;
        if half <= eps {
            first = Some((c, t.trials, half));
            break;
        }
        previous_missed.push(c);
    }
    let (c, trials, half) = first.expect("the target is met before the cap");
    assert!(
        !previous_missed.is_empty(),
        "choose ε so that the first checkpoint misses"
    );
    let r = precise(S1, cap, eps, "p_all_covered", 2);
    let p = r.precision.as_ref().unwrap();
    assert_eq!(r.trials, trials);
    assert_eq!(r.trials, c * BLOCK_TRIALS);
    assert_eq!(p.trials, trials);
    assert_eq!(p.half_width, half);
    assert!(p.met && p.target == eps && p.on == "p_all_covered");
    // The report is the plain run of that many trials, plus `precision`.
    let mut plain = report(&m, trials, 17, 1);
    plain.precision = r.precision.clone();
    assert_eq!(json_without_engine(&plain), json_without_engine(&r));
}

#[test]
fn precision_on_a_domain_and_at_the_cap() {
    let r = precise(S1, 20_000, 0.001, "domains.sea.p_covered", 2);
    let p = r.precision.unwrap();
    assert!(!p.met);
    assert_eq!((r.trials, p.trials, p.max_trials), (20_000, 20_000, 20_000));
    assert_eq!(p.on, "domains.sea.p_covered");
    let [lo, hi] = r.domains["sea"].p_covered_ci95;
    assert_eq!(p.half_width, (hi - lo) / 2.0);
    let m = model(S1);
    assert!(
        On::parse(&m, "domains.nope.p_covered")
            .unwrap_err()
            .contains("domains.land.p_covered")
    );
    assert!(On::parse(&m, "totals.troops.mean").is_err());
}

// ---------------------------------------------------------------------------
// Goal seek

/// Six nations; each domain's coverage depends on its own nations only, so
/// P(all covered) is a product of one factor per domain: land (A or B), air (C),
/// sea (D, or E capped when D is absent). F's troops never matter (land is covered
/// only with a lead, who brings enough). Securing a nation can at best lift its
/// domain's factor to 1, so the smallest set that reaches a target lifts the
/// smallest factors first, which is what greedy does: greedy is optimal here.
const SIX: &str = r#"
[scenario]
name = "Six nations"
[capabilities]
troops = { unit = "personnel" }
aircraft = { unit = "aircraft" }
ships = { unit = "ships" }
[domains.land]
lead = ["A", "B"]
requirements = { troops = 10 }
[domains.air]
lead = ["C"]
requirements = { aircraft = 10 }
[domains.sea]
lead = ["D", "E"]
requirements = { ships = 10 }
[nations.A]
participation = 0.6
contributions.land.troops = 10
[nations.B]
participation = 0.5
contributions.land.troops = 10
[nations.C]
participation = 0.7
approval = [{ body = "parliament", probability = 0.95 }]
contributions.air.aircraft = 10
[nations.D]
participation = 0.9
contributions.sea.ships = 10
[nations.E]
participation = 0.5
if_absent = { D = 0.3 }
contributions.sea.ships = 10
[nations.F]
participation = 0.5
contributions.land.troops = 5
"#;

#[test]
fn greedy_secure_equals_brute_force_on_six_nations() {
    let m = model(SIX);
    let o = Opts {
        trials: 16_384,
        seed: 2,
        threads: 2,
        stop: None,
        on_run: None,
    };
    // Brute force: every one of the 64 sets, run here with the same engine and seed.
    let mut all: Vec<(Vec<usize>, u64)> = Vec::new();
    for mask in 0u32..64 {
        let set: Vec<usize> = (0..6).filter(|i| mask & (1 << i) != 0).collect();
        let c = coverage(&m.with_certain(&set), o.seed, o.trials, 1).unwrap();
        assert_eq!(c.trials, o.trials);
        all.push((set, c.all_covered));
    }
    for target in [0.5, 0.85, 0.9, 0.95, 1.0] {
        let need = (target * o.trials as f64).ceil() as u64;
        let size = all
            .iter()
            .filter(|(_, k)| *k >= need)
            .map(|(s, _)| s.len())
            .min()
            .unwrap();
        let best = all
            .iter()
            .filter(|(s, k)| s.len() == size && *k >= need)
            .map(|(_, k)| *k)
            .max()
            .unwrap();
        let s = secure::secure(
            &m,
            &o,
            target,
            Search {
                exhaustive: true,
                no_relax: true,
            },
        )
        .unwrap();
        assert!(s.reached, "target {target}");
        assert_eq!(
            s.secured.len(),
            size,
            "target {target}: greedy {:?}",
            s.secured
        );
        let p = s
            .steps
            .last()
            .map_or(s.baseline.p_all_covered, |st| st.level.p_all_covered);
        assert_eq!(p, best as f64 / o.trials as f64, "target {target}");
        assert!(s.exhaustive.unwrap().greedy_is_smallest, "target {target}");
        // P(all covered) rises with every step.
        let mut prev = s.baseline.p_all_covered;
        for st in &s.steps {
            assert!(st.level.p_all_covered > prev);
            prev = st.level.p_all_covered;
        }
    }
    // The steps for 0.9: air first (the smallest factor), then land (A: ties go to the smaller id).
    let s = secure::secure(&m, &o, 0.9, Search::default()).unwrap();
    assert_eq!(s.secured, ["C", "A"]);
    assert!(s.note.contains("not guaranteed"));
    // Leads, not amounts, are short here: no requirement alone reaches the target.
    assert_eq!(s.relaxations.len(), 3);
    assert!(s.relaxations.iter().all(|r| {
        r.relax_to.is_none()
            && r.note
                .as_deref()
                .unwrap()
                .starts_with("not reachable by this requirement alone")
    }));
}

/// The runs of the relaxation tests.
const RELAX_OPTS: Opts = Opts {
    trials: 8192,
    seed: 6,
    threads: 2,
    stop: None,
    on_run: None,
};

#[test]
fn relaxation_finds_the_largest_requirement_that_reaches_the_target() {
    let text = r#"
[scenario]
name = "relax"
[capabilities]
troops = { unit = "personnel" }
ships = { unit = "ships" }
[domains.land]
requirements = { troops = 3000 }
[domains.sea]
requirements = { ships = { uniform = [1, 5] } }
[nations.A]
participation = 0.8
contributions.land.troops = { pert = [1000, 1500, 2500] }
contributions.sea.ships = 6
[nations.B]
participation = 0.7
contributions.land.troops = { triangular = [500, 1000, 1500] }
"#;
    let m = model(text);
    let o = RELAX_OPTS;
    let target = 0.6;
    let rel = secure::relax(&m, &o, target).unwrap();
    let land = rel.iter().find(|r| r.domain == "land").unwrap();
    let to = land.relax_to.unwrap();
    assert_eq!(land.required, Some(3000));
    assert_eq!(land.reduction, Some(3000 - to));
    let at = |v: u64| {
        coverage(&m.with_requirement(0, 0, v), o.seed, o.trials, 1)
            .unwrap()
            .p()
    };
    assert!(at(to) >= target, "{to}: {}", at(to));
    assert!(at(to + 1) < target, "{}: {}", to + 1, at(to + 1));
    assert_eq!(land.level.as_ref().unwrap().p_all_covered, at(to));
    let sea = rel.iter().find(|r| r.domain == "sea").unwrap();
    assert!(sea.relax_to.is_none() && sea.note.as_deref().unwrap().contains("distribution"));
    assert!(rel.iter().all(|r| !r.force));
}

/// A whole-force requirement is relaxed like a domain's: the largest value that
/// reaches the target, checked against runs on either side of it.
#[test]
fn relaxation_searches_the_whole_force_requirement_too() {
    let text = r#"
[scenario]
name = "relax the force"
[capabilities]
troops = { unit = "personnel" }
[domains.land]
requirements = { troops = 500 }
[force]
requirements = { troops = 4000 }
[nations.A]
participation = 0.8
contributions.land.troops = { pert = [1000, 1500, 2500] }
[nations.B]
participation = 0.7
contributions.land.troops = { triangular = [500, 1000, 1500] }
"#;
    let m = model(text);
    let o = RELAX_OPTS;
    let target = 0.5;
    let rel = secure::relax(&m, &o, target).unwrap();
    let force = rel
        .iter()
        .find(|r| r.force)
        .expect("a whole-force relaxation");
    assert_eq!(
        (force.domain.as_str(), force.capability.as_str()),
        ("force", "troops")
    );
    let to = force.relax_to.unwrap();
    assert_eq!(force.reduction, Some(4000 - to));
    let at = |v: u64| {
        coverage(&m.with_force_requirement(0, v), o.seed, o.trials, 1)
            .unwrap()
            .p()
    };
    assert!(at(to) >= target && at(to + 1) < target, "{to}");
    let json = forcesim::present::to_json(&force);
    assert!(json.contains("\"force\": true"), "{json}");
}

// ---------------------------------------------------------------------------
// The command line

fn json_of(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

fn stderr_of(out: &std::process::Output, code: i32) -> String {
    let e = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{e}");
    assert!(!e.contains("panicked"), "{e}");
    e
}

#[test]
fn cli_sweep_points_match_runs_and_bad_points_exit_2() {
    let (_dir, p) = scenario_file(S1);
    let out = forcesim()
        .args([
            "sweep", "-n", "8192", "--seed", "3", "-j", "2", "--json", "-",
        ])
        .args(["--set", "conditions.backstop.probability=0.5"])
        .args(["--vary", "domains.land.requirements.troops=1000:2000:500"])
        .arg(&p)
        .output()
        .unwrap();
    let s = json_of(&out);
    assert_eq!(s["format"], "forcesim-sweep/1");
    assert_eq!(
        s["axes"][0]["values"],
        serde_json::json!([1000, 1500, 2000])
    );
    assert_eq!(
        s["scenario"]["overrides"][0],
        "conditions.backstop.probability=0.5"
    );
    let run = forcesim()
        .args(["run", "-n", "8192", "--seed", "3", "--json", "-", "-q"])
        .args(["--set", "conditions.backstop.probability=0.5"])
        .args(["--set", "domains.land.requirements.troops=1500"])
        .arg(&p)
        .output()
        .unwrap();
    let r = json_of(&run);
    assert_eq!(s["points"][1]["p_all_covered"], r["p_all_covered"]);
    assert_eq!(
        s["points"][1]["p_all_covered_ci95"],
        r["p_all_covered_ci95"]
    );
    assert_eq!(
        s["points"][1]["domains"]["land"]["p_covered"],
        r["domains"]["land"]["p_covered"]
    );
    assert_eq!(
        s["points"][1]["totals"]["troops"]["p50"],
        r["totals"]["troops"]["p50"]
    );

    let bad = forcesim()
        .args([
            "sweep",
            "-n",
            "100",
            "--vary",
            "domains.land.requirements.troops=-500:500:500",
        ])
        .arg(&p)
        .output()
        .unwrap();
    let e = stderr_of(&bad, 2);
    assert!(
        e.contains("sweep point 1 (domains.land.requirements.troops=-500)"),
        "{e}"
    );
    assert!(e.contains("nothing was run"), "{e}");

    let unknown = forcesim()
        .args([
            "sweep",
            "-n",
            "100",
            "--vary",
            "nations.ESP.participation=0:1:0.5",
        ])
        .arg(&p)
        .output()
        .unwrap();
    let e = stderr_of(&unknown, 2);
    assert!(
        e.contains("no key `ESP` at `nations`; valid keys there: A, B, C, D"),
        "{e}"
    );
    assert!(e.contains("all 3 sweep points fail the same way"), "{e}");

    for (args, want) in [
        (vec!["--vary", "a=0:5000:1"], "at most 1000"),
        (
            vec!["--vary", "a=0:40:1", "--vary", "b=0:40:1"],
            "1681 points (41 × 41)",
        ),
        (vec!["--vary", "a=1:2"], "START:END:STEP"),
        (vec!["--vary", "a=0:1:0"], "STEP must not be 0"),
    ] {
        let out = forcesim()
            .arg("sweep")
            .args(&args)
            .arg(&p)
            .output()
            .unwrap();
        let e = stderr_of(&out, 2);
        assert!(e.contains(want), "{args:?}: {e}");
    }
    let out = forcesim()
        .args(["sweep", "--json", "-", "--csv", "-", "--vary", "a=1"])
        .arg(&p)
        .output()
        .unwrap();
    stderr_of(&out, 2);
}

#[test]
fn cli_compare_runs_files_and_variants() {
    let (_dir, p) = scenario_file(S1);
    let out = forcesim()
        .args([
            "compare", "-n", "8192", "--seed", "2", "-j", "2", "--json", "-",
        ])
        .arg(&p)
        .arg(&p)
        .args([
            "--variant",
            "no-backstop: conditions.backstop.probability=0",
        ])
        .args([
            "--variant",
            "nations.A.participation=0.1; nations.B.participation=0.1",
        ])
        .args(["--set", "domains.land.requirements.troops=1200"])
        .output()
        .unwrap();
    let c = json_of(&out);
    assert_eq!(c["format"], "forcesim-compare/1");
    let labels: Vec<&str> = c["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "s",
            "s #2",
            "no-backstop",
            "nations.A.participation=0.1; nations.B.participation=0.1"
        ]
    );
    assert_eq!(
        c["scenarios"][2]["overrides"],
        serde_json::json!([
            "domains.land.requirements.troops=1200",
            "conditions.backstop.probability=0"
        ])
    );
    // The same file twice: identical figures.
    assert_eq!(
        c["scenarios"][0]["p_all_covered"],
        c["scenarios"][1]["p_all_covered"]
    );
    let d = c["differences"].as_array().unwrap();
    assert!(
        d.iter()
            .any(|d| d["of"] == "no-backstop" && d["figure"] == "p_all_covered")
    );

    let one = forcesim()
        .args(["compare", "-n", "100"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(stderr_of(&one, 2).contains("at least two scenarios"));
    let bad = forcesim()
        .args([
            "compare",
            "-n",
            "100",
            "--variant",
            "nations.A.participation=7",
        ])
        .arg(&p)
        .output()
        .unwrap();
    assert!(stderr_of(&bad, 2).contains("(--set nations.A.participation=7)"));
    let table = forcesim()
        .args([
            "compare",
            "-n",
            "4096",
            "--variant",
            "x: nations.A.participation=0.1",
        ])
        .arg(&p)
        .output()
        .unwrap();
    assert!(table.status.success());
    assert!(String::from_utf8_lossy(&table.stdout).contains("Δ vs s [95 % CI]"));
}

#[test]
fn cli_secure_and_its_errors() {
    let (_dir, p) = scenario_file(SIX);
    let out = forcesim()
        .args([
            "secure", "--target", "90%", "-n", "8192", "--seed", "2", "-j", "2", "--json", "-",
        ])
        .args(["--set", "nations.F.participation=0.2"])
        .arg(&p)
        .output()
        .unwrap();
    let s = json_of(&out);
    assert_eq!(s["format"], "forcesim-secure/1");
    assert_eq!(s["target"], 0.9);
    assert_eq!(s["secured"], serde_json::json!(["C", "A"]));
    assert_eq!(s["steps"][0]["nation"], "C");
    assert!(s["steps"][1]["p_all_covered"].as_f64().unwrap() >= 0.9);
    assert!(s["note"].as_str().unwrap().contains("not guaranteed"));
    let table = forcesim()
        .args(["secure", "--target", "0.9", "-n", "4096"])
        .arg(&p)
        .output()
        .unwrap();
    let t = String::from_utf8_lossy(&table.stdout);
    assert!(
        t.contains("Target reached by securing 2 nations: C, A."),
        "{t}"
    );
    assert!(t.contains("not guaranteed"), "{t}");
    for bad in ["1.5", "0", "lots"] {
        let out = forcesim()
            .args(["secure", "--target", bad])
            .arg(&p)
            .output()
            .unwrap();
        stderr_of(&out, 2);
    }
}

#[test]
fn a_tiny_precision_target_is_written_briefly() {
    let (_dir, p) = scenario_file(S1);
    let out = forcesim()
        .args(["run", "--precision", "1e-300", "-n", "4096"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "the cap comes first");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("target 1e-300 after 4,096 trials"),
        "{table}"
    );
}

#[test]
fn cli_precision_is_independent_of_threads() {
    let (_dir, p) = scenario_file(S1);
    let json = |j: &str| {
        let out = forcesim()
            .args([
                "run",
                "--precision",
                "0.006",
                "--seed",
                "4",
                "--json",
                "-",
                "-q",
                "-j",
                j,
            ])
            .arg(&p)
            .output()
            .unwrap();
        let mut v = json_of(&out);
        v.as_object_mut().unwrap().remove("engine");
        v
    };
    let one = json("1");
    assert_eq!(one, json("2"));
    assert_eq!(one["precision"]["met"], true);
    assert_eq!(one["precision"]["trials"], one["trials"]);
    assert_eq!(one["trials"].as_u64().unwrap() % BLOCK_TRIALS, 0);
    let out = forcesim()
        .args([
            "run",
            "--precision",
            "0.5",
            "--precision-on",
            "domains.nope.p_covered",
        ])
        .arg(&p)
        .output()
        .unwrap();
    assert!(stderr_of(&out, 2).contains("valid figures: p_all_covered, domains.land.p_covered"));
    let out = forcesim()
        .args(["run", "--precision", "2"])
        .arg(&p)
        .output()
        .unwrap();
    stderr_of(&out, 2);
    let out = forcesim()
        .args(["run", "-n", "8192", "--precision", "0.0001"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("NOT MET"));
}

#[test]
fn cli_schema_is_json_and_help_teaches() {
    let out = forcesim().arg("schema").output().unwrap();
    let v = json_of(&out);
    assert_eq!(v, scenario::schema());
    for (cmd, want) in [
        ("sweep", "--vary"),
        ("compare", "--variant"),
        ("secure", "not guaranteed"),
        ("schema", "#:schema"),
        ("run", "--precision"),
    ] {
        let out = forcesim().args([cmd, "--help"]).output().unwrap();
        assert!(out.status.success());
        let h = String::from_utf8_lossy(&out.stdout);
        assert!(
            h.contains("Examples:") && h.contains(want),
            "{cmd} --help:\n{h}"
        );
    }
}

// ---------------------------------------------------------------------------
// Charts

/// Decodes a PNG: width, height and how many pixels are not near-white.
fn png_ink(bytes: &[u8]) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("PNG header decodes");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("PNG data decodes");
    buf.truncate(info.buffer_size());
    let inked = buf.chunks(3).filter(|p| p.iter().any(|&c| c < 200)).count();
    (info.width, info.height, inked)
}

#[test]
fn sweep_and_compare_charts_render_in_both_formats() {
    use forcesim::charts::{self, Format};
    let sweeps = [
        run_sweep(
            S1,
            &[],
            &["domains.land.requirements.troops=0:3000:250"],
            4096,
            1,
        ),
        run_sweep(
            S1,
            &["scenario.rotation=3"],
            &["nations.A.participation=0.5"],
            4096,
            1,
        ),
        run_sweep(
            S1,
            &[],
            &[
                "nations.A.contributions.land.troops={ pert = [600, 900, 1400] },{ uniform = [0, 100] }",
            ],
            4096,
            1,
        ),
        run_sweep(
            S1,
            &[],
            &[
                "nations.A.participation=0:1:0.1",
                "domains.sea.requirements.ships=2:10:1",
            ],
            4096,
            1,
        ),
        run_sweep(
            S1,
            &[],
            &[
                "nations.A.participation=0:1:0.05",
                "domains.sea.requirements.ships=1:40:1",
            ],
            4096,
            1,
        ),
    ];
    for s in &sweeps {
        let (w, h, ink) = png_ink(&charts::sweep::render(s, Format::Png).unwrap());
        assert_eq!((w, h), (1600, 1000));
        assert!(ink > 5_000, "sweep chart looks empty: {ink}");
        let svg = String::from_utf8(charts::sweep::render(s, Format::Svg).unwrap()).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("How coverage changes with") || svg.contains("P(all covered) by"));
    }
    let opts = RunOptions {
        trials: 4096,
        seed: 1,
        threads: 2,
        ..Default::default()
    };
    let extra = format!("{S1}[domains.air]\nrequirements = {{ troops = 10 }}\n");
    let c = compare::compare(
        &[
            ("base".into(), model(S1)),
            (
                "no-backstop".into(),
                parse_with(S1, &["conditions.backstop.probability=0"]).unwrap(),
            ),
            ("with-air".into(), model(&extra)),
        ],
        &opts,
    )
    .unwrap();
    let (w, h, ink) = png_ink(&charts::compare::render(&c, Format::Png).unwrap());
    assert_eq!((w, h), (1600, 1000));
    assert!(ink > 5_000, "compare chart looks empty: {ink}");
    let svg = String::from_utf8(charts::compare::render(&c, Format::Svg).unwrap()).unwrap();
    assert!(svg.contains("P(covered) by scenario") && svg.contains("no-backstop"));
}

#[test]
fn a_comparison_of_long_file_names_writes_its_one_chart() {
    let (dir, p) = scenario_file(S1);
    let long = |c: char| {
        dir.path()
            .join(format!("{}.toml", c.to_string().repeat(72)))
    };
    let (a, b) = (long('a'), long('b'));
    std::fs::copy(&p, &a).unwrap();
    std::fs::copy(&p, &b).unwrap();
    let charts = dir.path().join("charts");
    let out = forcesim()
        .args(["compare", "-n", "4096", "-q", "--charts"])
        .arg(&charts)
        .args([&a, &b])
        .args(["--variant", "v: nations.A.participation=0.5"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(std::fs::read_dir(&charts).unwrap().count(), 1);
}

#[test]
fn cli_writes_sweep_and_compare_charts() {
    let (_dir, p) = scenario_file(S1);
    let dir = p.parent().unwrap().join("out");
    let out = forcesim()
        .args([
            "sweep",
            "-n",
            "4096",
            "-q",
            "--vary",
            "domains.land.requirements.troops=0:2000:500",
            "--charts",
        ])
        .arg(&dir)
        .arg(&p)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (w, h, _) =
        png_ink(&std::fs::read(dir.join("sweep-domains.land.requirements.troops.png")).unwrap());
    assert_eq!((w, h), (1600, 1000));
    let out = forcesim()
        .args([
            "compare",
            "-n",
            "4096",
            "-q",
            "--chart-format",
            "svg",
            "--variant",
            "nations.A.participation=0.1",
            "--charts",
        ])
        .arg(&dir)
        .arg(&p)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg_path = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with("compare") && n.ends_with(".svg")
        })
        .expect("a compare chart, named after what it compares");
    let svg = std::fs::read_to_string(svg_path).unwrap();
    assert!(svg.starts_with("<svg"));
    // A directory that cannot be created: refused before any work (exit 2).
    let blocked = p.parent().unwrap().join("file");
    std::fs::write(&blocked, "not a directory").unwrap();
    let out = forcesim()
        .args([
            "sweep",
            "-n",
            "100",
            "-q",
            "--vary",
            "nations.A.participation=0.5",
            "--charts",
        ])
        .arg(blocked.join("sub"))
        .arg(&p)
        .output()
        .unwrap();
    let e = stderr_of(&out, 2);
    assert!(e.contains("is not a directory"), "{e}");
}

/// `compare` reports every invalid scenario and variant at once, as `validate`
/// and `sweep` do, and runs nothing.
#[test]
fn compare_reports_every_invalid_scenario_and_variant_at_once() {
    let good = "[scenario]\nname = \"g\"\n[capabilities]\nt = {}\n[domains.d]\nrequirements = { t = 1 }\n[nations.A]\nparticipation = 0.5\ncontributions.d.t = 1\n";
    let (dir, good_path) = scenario_file(good);
    let bad_path = dir.path().join("bad.toml");
    std::fs::write(&bad_path, good.replace("t = 1 }", "t = -1 }")).unwrap();
    let out = forcesim()
        .arg("compare")
        .arg(&good_path)
        .arg(&bad_path)
        .args([
            "--variant",
            "v: nope=1",
            "--variant",
            "w: nations.A.participation=7",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for part in [
        "bad.toml:6:22: domains.d.requirements.t",
        "variant `v`",
        "unknown key `nope`",
        "variant `w`",
        "nations.A.participation: probability must be between 0 and 1",
        "3 of 4 scenarios and variants are invalid; nothing was run",
    ] {
        assert!(err.contains(part), "{part}: {err}");
    }
}

#[test]
fn a_target_already_met_relaxes_by_nothing_not_minus_nothing() {
    let tutorial = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tutorial.toml");
    let out = forcesim()
        .args(["secure", "--target", "0.01", "-n", "2000"])
        .arg(&tutorial)
        .output()
        .unwrap();
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("The target is already met."), "{table}");
    assert!(table.contains(" 0 (0.0 %)"), "{table}");
    assert!(!table.contains("−0"), "{table}");
}

#[test]
fn a_label_for_nothing_drawn_is_a_warning() {
    let tutorial = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tutorial.toml");
    let out = forcesim()
        .args([
            "sweep",
            "--vary",
            "nations.ARL.participation=0,1",
            "-n",
            "1000",
            "-q",
        ])
        .args(["--json", "/dev/null"])
        .args(["--label", "nations.ARL.partcipation=Arland decides"])
        .args(["--label", "nations.ARL.participation=Arland"])
        .args(["--label", "domains.land=Land"])
        .args(["--label", "air=Air"])
        .arg(&tutorial)
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err,
        "warning: --label nations.ARL.partcipation: nothing drawn is named `nations.ARL.partcipation` (did you mean `nations.ARL.participation`?), so the label is not used\n"
    );
}

/// Fifteen nations that together provide 150 of a requirement of 1,000: greedy
/// stops at once, and checking every set would take 2^15 = 32,768 runs, more than
/// the exhaustive check's 20,000. The check is not run, and says so; greedy's
/// result and the relaxation stand.
#[test]
fn an_exhaustive_check_too_large_keeps_greedy_and_says_how_many_sets() {
    let mut text = String::from(
        "[scenario]\nname = \"short\"\n[capabilities]\ntroops = { unit = \"personnel\" }\n[domains.land]\nrequirements = { troops = 1000 }\n",
    );
    for i in 0..15 {
        text +=
            &format!("[nations.N{i:02}]\nparticipation = 0.5\ncontributions.land.troops = 10\n");
    }
    let m = model(&text);
    let o = Opts {
        trials: 1024,
        seed: 1,
        threads: 1,
        stop: None,
        on_run: None,
    };
    let search = Search {
        exhaustive: true,
        no_relax: false,
    };
    let s = secure::secure(&m, &o, 0.5, search).unwrap();
    assert!(!s.reached);
    assert!(s.steps.is_empty());
    let e = s.exhaustive.as_ref().unwrap();
    assert_eq!(e.refused_sets, Some(1 << 15));
    assert_eq!((e.sets_checked, e.max_size), (0, 15));
    assert!(!e.greedy_is_smallest);
    assert_eq!(s.relaxations.len(), 1);
    // Fifteen halves of 10 troops: P(total ≥ 80) is 1/2, so the relaxation
    // lands near 80 on these trials.
    let to = s.relaxations[0].relax_to.unwrap();
    assert!((60..=90).contains(&to), "{to}");
    let table = s.to_table();
    assert!(
        table.contains(
            "Exhaustive check not run: it would run 32,768 sets of nations (at most 20,000)."
        ),
        "{table}"
    );
}

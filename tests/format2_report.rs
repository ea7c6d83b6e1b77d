//! The outputs of format 2 (issue 13) from tallies built by hand: the report
//! `forcesim-report/2` (mounted trials, P(mounted), P(all covered) overall, lead
//! short / without candidate, co-lead labels, the whole force, the force on the
//! timeline), its JSON Schema, the terminal table, the CSV rows, the charts and
//! the partial file. Every expected figure is counted from the four mounted
//! trials written out below.

mod common;

use common::schema::{problems, schema, valid};
use forcesim::dist::{Dist, Sampler};
use forcesim::model::{ForceRequirement, LeadEntry, Obligation};
use forcesim::report::csv::to_csv;
use forcesim::report::table::to_table;
use forcesim::report::{Engine, Report};
use forcesim::shard::codec;
use forcesim::shard::partial::{Header, PartEngine, Partial, ShardInfo, Source};
use forcesim::{Model, Tally};
use serde_json::Value;

const TEXT: &str = r#"
[scenario]
name = "Format two"
[simulation]
timeline_days = [10, 40]
[capabilities]
troops = { unit = "personnel" }
[conditions.ceasefire]
probability = 0.5
[domains.land]
lead = ["A", "B"]
requirements = { troops = 1000 }
[domains.sea]
requirements = { troops = { uniform = [100, 300] } }
[nations.A]
participation = 0.8
ready_days = { uniform = [5, 50] }
contributions.land.troops = 600
[nations.B]
participation = 0.5
contributions.land.troops = 400
contributions.sea.troops = 200
"#;

/// The scenario as format 2 would compile it: `[mission] requires =
/// ["ceasefire"]`, `[force] requirements = { troops = 1100 }`, and land led by
/// the co-leads A and B, who must provide half of its troops
/// (`lead = [["A", "B"]]`, `lead_provides = { troops = 0.5 }`).
fn model() -> Model {
    let mut m = common::model(TEXT);
    m.mission = vec![0];
    let d = Dist::Fixed(1100.0);
    m.force = Some(vec![ForceRequirement {
        capability: 0,
        sampler: Sampler::new(&d),
        dist: d,
        fixed: Some(1100),
        key: 1,
        effects: vec![],
    }]);
    m.domains[0].leads = vec![LeadEntry {
        label: "A+B".into(),
        members: vec![0, 1],
    }];
    m.domains[0].provides = vec![Obligation {
        requirement: 0,
        share: 0.5,
    }];
    m
}

/// Ten trials, four mounted (ceasefire held in those four only):
///
/// | trial | in | land (req 1000) | lead A+B (≥ 500) | sea (req, given) | total | force ≥ 1100 | A ready |
/// |---|---|---|---|---|---|---|---|
/// | 1 | A, B | 1000 met | leads | 150, 200 met | 1200 | met | day 20 |
/// | 2 | A | 600 | leads | 250, 0 | 600 | | day 8 |
/// | 3 | B | 400 | short (400 < 500) | 100, 200 met | 600 | | |
/// | 4 | none | 0 | no candidate | 200, 0 | 0 | | |
///
/// Trial 1 covers land (A ready on day 20, the lead short before), sea (day 0),
/// the force (day 20) and everything (day 20); trial 3 covers sea (day 0).
fn tally(m: &Model) -> Tally {
    let mut t = Tally::new(m);
    t.trials = 10;
    t.mounted = 4;
    t.condition_true = vec![4];
    t.all_covered = 1;
    t.nation_in = vec![2, 2];
    t.nation_in_all = vec![1, 1];
    t.covered = vec![1, 2];
    t.leaderless = vec![2, 0];
    t.lead_short = vec![1, 0];
    t.leads = vec![2];
    t.force_covered = 1;
    t.force_met = vec![1];
    t.force_required_sum = vec![4 * 1100];
    t.met = vec![1, 2];
    t.required_sum = vec![4000, 150 + 250 + 100 + 200];
    t.contributed = vec![1200, 800, 400];
    t.timeline_all = vec![0, 1];
    // Day-major: (10, land), (10, sea), (40, land), (40, sea).
    t.timeline_domain = vec![0, 2, 1, 2];
    t.timeline_force = vec![0, 1];
    let days = [vec![20], vec![0, 0], vec![20], vec![20]];
    for (h, vs) in t.coverage_day.iter_mut().zip(days) {
        vs.into_iter().for_each(|v| h.add(v));
    }
    for v in [1200, 600, 600, 0] {
        t.totals[0].add(v);
        // Every nation at rotation 1: committed = deployed.
        t.committed[0].add(v);
    }
    for v in [1000, 600, 400, 0] {
        t.provided[0].add(v);
    }
    for v in [200, 0, 200, 0] {
        t.provided[1].add(v);
    }
    let gaps = t.gaps[1].as_mut().expect("sea's requirement is random");
    [0, 250, 0, 200].into_iter().for_each(|v| gaps.add(v));
    let req = t.required[1].as_mut().expect("sea's requirement is random");
    [150, 250, 100, 200].into_iter().for_each(|v| req.add(v));
    t
}

/// Trials ran, none mounted.
fn none_mounted(m: &Model) -> Tally {
    let mut t = Tally::new(m);
    t.trials = 10;
    t
}

fn report(m: &Model, t: &Tally) -> Report {
    Report::build(m, t, 1, Engine::measured(1, 0.5, t.trials))
}

fn json(r: &Report) -> Value {
    serde_json::from_str(&r.to_json()).expect("valid JSON")
}

fn close(a: &Value, b: f64) {
    let a = a.as_f64().unwrap_or_else(|| panic!("{a} is not a number"));
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

#[test]
fn the_tally_built_by_hand_is_consistent() {
    let m = model();
    assert_eq!(codec::check(&tally(&m)), Ok(()));
    assert_eq!(codec::check(&none_mounted(&m)), Ok(()));
}

#[test]
fn the_report_counts_mounted_trials_and_conditions_figures_on_them() {
    let m = model();
    let v = json(&report(&m, &tally(&m)));
    assert_eq!(v["format"], "forcesim-report/2");
    assert_eq!(v["trials"], 10);
    assert_eq!(v["mounted_trials"], 4);
    assert_eq!(v["mission"], serde_json::json!(["ceasefire"]));
    close(&v["p_mounted"], 0.4);
    close(&v["p_all_covered"], 0.25);
    close(&v["p_all_covered_overall"], 0.1);
    for k in [
        "p_mounted_ci95",
        "p_all_covered_ci95",
        "p_all_covered_overall_ci95",
    ] {
        let ci = v[k].as_array().expect("interval");
        assert!(ci[0].as_f64().unwrap() < ci[1].as_f64().unwrap(), "{k}");
    }
    // A condition's probability is over every trial.
    close(&v["conditions"]["ceasefire"]["p_true"], 0.4);
    let land = &v["domains"]["land"];
    close(&land["p_covered"], 0.25);
    close(&land["p_leaderless"], 0.5);
    close(&land["p_lead_short"], 0.25);
    close(&land["p_no_lead_candidate"], 0.25);
    close(&land["lead_share"]["A+B"], 0.5);
    assert_eq!(land["lead_share"].as_object().unwrap().len(), 1);
    let sea = &v["domains"]["sea"];
    close(&sea["p_covered"], 0.5);
    close(&sea["p_leaderless"], 0.0);
    close(&sea["p_lead_short"], 0.0);
    close(&sea["p_no_lead_candidate"], 0.0);
    close(&sea["capabilities"]["troops"]["required"], 175.0);
    close(&sea["capabilities"]["troops"]["gap"]["mean"], 112.5);
    // Nations over mounted trials: A takes part in 2 of 4, swing 1/2 − 0/2.
    close(&v["nations"]["A"]["p_participates"], 0.5);
    close(&v["nations"]["A"]["swing"], 0.5);
    close(&v["nations"]["A"]["mean_provided"]["troops"], 300.0);
    close(&v["totals"]["troops"]["mean"], 600.0);
}

#[test]
fn the_force_block_has_the_shape_of_a_domains_capabilities() {
    let m = model();
    let v = json(&report(&m, &tally(&m)));
    let f = &v["force"];
    close(&f["p_covered"], 0.25);
    assert_eq!(f["p_covered_ci95"].as_array().unwrap().len(), 2);
    let troops = &f["capabilities"]["troops"];
    close(&troops["required"], 1100.0);
    assert!(
        troops.get("required_p05_p95").is_none(),
        "fixed requirement"
    );
    close(&troops["p_met"], 0.25);
    close(&troops["provided"]["mean"], 600.0);
    close(&troops["provided"]["max"], 1200.0);
    // Gaps from the totals against the written requirement: 0, 500, 500, 1100.
    close(&troops["gap"]["mean"], 525.0);
    close(&troops["gap"]["max"], 1100.0);
    close(&troops["gap"]["min"], 0.0);
    let domain_keys: Vec<&String> = v["domains"]["sea"]["capabilities"]["troops"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    let force_keys: Vec<&String> = troops.as_object().unwrap().keys().collect();
    assert_eq!(
        domain_keys.len(),
        force_keys.len() + 1,
        "but required_p05_p95"
    );
}

#[test]
fn a_random_force_requirement_is_reported_by_its_mean_and_its_gaps() {
    let mut m = model();
    let d = Dist::Uniform {
        min: 500.0,
        max: 1500.0,
    };
    m.force = Some(vec![ForceRequirement {
        capability: 0,
        sampler: Sampler::new(&d),
        dist: d,
        fixed: None,
        key: 1,
        effects: vec![],
    }]);
    let mut t = tally(&m);
    // Requirements 1000, 700, 1500, 600 against totals 1200, 600, 600, 0.
    t.force_required_sum = vec![3800];
    t.force_met = vec![1];
    let g = t.force_gaps[0].as_mut().expect("random");
    [0, 100, 900, 600].into_iter().for_each(|v| g.add(v));
    let h = t.force_required[0].as_mut().expect("random");
    [1000, 700, 1500, 600].into_iter().for_each(|v| h.add(v));
    assert_eq!(codec::check(&t), Ok(()));
    let v = json(&report(&m, &t));
    let troops = &v["force"]["capabilities"]["troops"];
    close(&troops["required"], 950.0);
    close(&troops["gap"]["mean"], 400.0);
    assert_eq!(
        troops["required_p05_p95"],
        serde_json::json!([600.0, 1500.0])
    );
}

#[test]
fn the_timeline_has_the_force_row_and_its_days() {
    let m = model();
    let v = json(&report(&m, &tally(&m)));
    let tl = &v["timeline"];
    assert_eq!(tl["force"], serde_json::json!([0.0, 0.25]));
    assert_eq!(tl["p_all_covered"], serde_json::json!([0.0, 0.25]));
    assert_eq!(tl["domains"]["sea"], serde_json::json!([0.5, 0.5]));
    // The force is covered on day 20 in one of four mounted trials.
    let f = &tl["days_to_force"];
    assert_eq!(f["steps"], serde_json::json!([[20, 0.25]]));
    assert!(f["median"].is_null());
    close(&f["p_never"], 0.75);
    // Everything at once: the last coverage histogram, not the force's.
    assert_eq!(
        tl["days_to_all_covered"]["steps"],
        serde_json::json!([[20, 0.25]])
    );
    assert_eq!(
        tl["days_to_coverage"]["sea"]["steps"],
        serde_json::json!([[0, 0.5]])
    );
    assert_eq!(tl["days_to_coverage"]["sea"]["median"], 0);
}

#[test]
fn without_mission_or_force_the_new_members_say_every_trial_is_mounted() {
    let m = common::model(TEXT);
    let mut t = Tally::new(&m);
    t.trials = 4;
    t.mounted = 4;
    let v = json(&report(&m, &t));
    assert_eq!(v["mounted_trials"], 4);
    close(&v["p_mounted"], 1.0);
    assert!(v.get("mission").is_none());
    assert!(v.get("force").is_none());
    assert!(v["timeline"].get("force").is_none());
    assert!(v["timeline"].get("days_to_force").is_none());
    let s = schema("--report");
    valid(&s, &v);
}

#[test]
fn no_mounted_trial_gives_null_never_zero() {
    let m = model();
    let v = json(&report(&m, &none_mounted(&m)));
    assert_eq!(v["mounted_trials"], 0);
    close(&v["p_mounted"], 0.0);
    close(&v["p_all_covered_overall"], 0.0);
    close(&v["conditions"]["ceasefire"]["p_true"], 0.0);
    for path in [
        "/p_all_covered",
        "/p_all_covered_ci95/0",
        "/domains/land/p_covered",
        "/domains/land/p_leaderless",
        "/domains/land/p_lead_short",
        "/domains/land/p_no_lead_candidate",
        "/domains/land/lead_share/A+B",
        "/domains/land/capabilities/troops/p_met",
        "/domains/sea/capabilities/troops/required",
        "/force/p_covered",
        "/force/p_covered_ci95/1",
        "/force/capabilities/troops/p_met",
        "/force/capabilities/troops/gap/mean",
        "/force/capabilities/troops/provided/p50",
        "/totals/troops/mean",
        "/nations/A/p_participates",
        "/nations/A/mean_provided/troops",
        "/timeline/force/0",
        "/timeline/p_all_covered/1",
        "/timeline/days_to_force/p_never",
    ] {
        let x = v.pointer(path).unwrap_or_else(|| panic!("{path} missing"));
        assert!(x.is_null(), "{path}: {x}");
    }
    // A written requirement is an input, not a figure of the trials.
    close(&v["force"]["capabilities"]["troops"]["required"], 1100.0);
    valid(&schema("--report"), &v);
}

#[test]
fn format_2_reports_validate_and_the_schema_names_every_new_member() {
    let s = schema("--report");
    let m = model();
    let v = json(&report(&m, &tally(&m)));
    valid(&s, &v);
    // The new members are typed: a string where a figure belongs fails.
    for path in [
        "/mounted_trials",
        "/p_mounted",
        "/p_all_covered_overall",
        "/domains/land/p_lead_short",
        "/domains/land/p_no_lead_candidate",
        "/force/p_covered",
        "/force/capabilities/troops/p_met",
        "/timeline/force/0",
        "/timeline/days_to_force/p_never",
    ] {
        let mut bad = v.clone();
        *bad.pointer_mut(path).unwrap() = Value::String("x".into());
        assert_eq!(problems(&s, &bad).len(), 1, "{path}");
    }
    // And required where always written.
    let mut bad = v.clone();
    bad.as_object_mut().unwrap().remove("mounted_trials");
    bad["domains"]["land"]
        .as_object_mut()
        .unwrap()
        .remove("p_lead_short");
    bad["force"].as_object_mut().unwrap().remove("p_covered");
    assert_eq!(problems(&s, &bad).len(), 3, "{:#?}", problems(&s, &bad));
}

#[test]
fn the_table_leads_with_the_mission() {
    let m = model();
    let t = to_table(&report(&m, &tally(&m)));
    assert!(t.contains("\nMission mounted: 40.0 %  (95 % CI "), "{t}");
    assert!(t.contains("in 4 of 10 trials (requires ceasefire)"), "{t}");
    assert!(
        t.contains("\nIf mounted, all domains and the force covered: 25.0 %  (95 % CI "),
        "{t}"
    );
    assert!(t.contains("; overall 10.0 %  (95 % CI "), "{t}");
    // Lead short and without candidate, and the co-leads' label.
    assert!(t.contains("leaderless    short  no cand."), "{t}");
    let land = t
        .lines()
        .find(|l| l.starts_with("  land "))
        .expect("land row");
    assert!(
        land.contains("50.0 %   25.0 %    25.0 %  A+B 50 %"),
        "{land}"
    );
    // The whole force: its row, its requirement and the timeline.
    assert!(t.contains("\n  whole force        25.0 %"), "{t}");
    assert!(
        t.lines()
            .any(|l| l.starts_with("  whole force    troops") && l.contains("1,100")),
        "{t}"
    );
    assert!(t.contains("\n  all covered"), "{t}");
    let tl = t.lines().filter(|l| l.starts_with("  whole force")).count();
    assert_eq!(tl, 4, "coverage, requirements, timeline, days: {t}");
    assert!(!t.contains("NaN"), "{t}");
}

#[test]
fn the_table_without_a_mounted_trial_says_so_and_invents_nothing() {
    let m = model();
    let t = to_table(&report(&m, &none_mounted(&m)));
    assert!(t.contains("Mission mounted: 0.0 %"), "{t}");
    assert!(t.contains("No trial mounted the mission"), "{t}");
    assert!(!t.contains("Coverage by domain"), "{t}");
    assert!(!t.contains("NaN"), "{t}");
}

#[test]
fn a_format_1_table_keeps_its_headline_and_columns() {
    let m = common::model(TEXT);
    let mut t = Tally::new(&m);
    t.trials = 4;
    t.mounted = 4;
    t.covered = vec![1, 1];
    t.all_covered = 1;
    t.leaderless = vec![1, 0];
    let table = to_table(&report(&m, &t));
    assert!(
        table.contains("\nAll domains covered: 25.0 %  (95 % CI "),
        "{table}"
    );
    assert!(!table.contains("Mission"), "{table}");
    assert!(!table.contains("no cand."), "{table}");
    assert!(!table.contains("whole force"), "{table}");
    assert!(table.contains("\n  all domains "), "{table}");
}

/// The interval columns of the CSV row that contains `prefix`.
fn interval_of(csv: &str, prefix: &str) -> [f64; 2] {
    let line = csv.lines().find(|l| l.contains(prefix));
    let line = line.unwrap_or_else(|| panic!("{prefix} missing:\n{csv}"));
    let f: Vec<f64> = line
        .rsplit(',')
        .take(2)
        .map(|x| x.parse().unwrap())
        .collect();
    [f[1], f[0]]
}

#[test]
fn csv_rows_carry_the_new_figures() {
    let m = model();
    let csv = to_csv(&report(&m, &tally(&m)));
    for row in [
        ",run,,,mounted_trials,,4,,\n",
        ",run,,,mission_requires,,ceasefire,,\n",
        ",force,,troops,required,,1100,,\n",
        ",force,,troops,gap,mean,525,,\n",
        ",force,,troops,provided,max,1200,,\n",
    ] {
        assert!(csv.contains(row), "{row} missing:\n{csv}");
    }
    // Every share carries the Wilson interval of its count over the 4 mounted trials.
    for (prefix, k) in [
        (",domain,land,,p_lead_short,,0.25,", 1),
        (",domain,land,,p_no_lead_candidate,,0.25,", 1),
        (",domain,land,,lead_share,A+B,0.5,", 2),
        (",force,,troops,p_met,,0.25,", 1),
        (",timeline,force,,p_covered_by_day,40,0.25,", 1),
        (",timeline,force,,p_never_covered,,0.75,", 3),
        (",timeline,force,,p_covered_by_day_exact,20,0.25,", 1),
    ] {
        assert_eq!(
            interval_of(&csv, prefix),
            forcesim::math::wilson(k, 4),
            "{prefix}"
        );
    }
    // A condition's share is over every trial (4 of 10); a swing's interval is
    // Newcombe's for the 2 trials with A (1 all covered) against the 2 without (0).
    use forcesim::math::{newcombe, wilson};
    for (prefix, ci) in [
        (",condition,ceasefire,,p_true,,0.4,", wilson(4, 10)),
        (
            ",nation,A,,swing,,0.5,",
            newcombe(0.0, wilson(0, 2), 0.5, wilson(1, 2)),
        ),
    ] {
        assert_eq!(interval_of(&csv, prefix), ci, "{prefix}");
    }
    for prefix in [
        ",run,,,p_mounted,,0.4,",
        ",run,,,p_all_covered,,0.25,",
        ",run,,,p_all_covered_overall,,0.1,",
        ",force,,,p_covered,,0.25,",
    ] {
        let line = csv.lines().find(|l| l.contains(prefix));
        let line = line.unwrap_or_else(|| panic!("{prefix} missing:\n{csv}"));
        let f: Vec<&str> = line.split(',').collect();
        assert!(!f[9].is_empty() && !f[10].is_empty(), "{line}");
    }
}

#[test]
fn csv_without_a_mounted_trial_has_empty_conditional_values() {
    let m = model();
    let csv = to_csv(&report(&m, &none_mounted(&m)));
    assert!(csv.contains(",run,,,mounted_trials,,0,,\n"), "{csv}");
    assert!(csv.contains(",run,,,p_mounted,,0,"), "{csv}");
    for row in [
        ",run,,,p_all_covered,,,,\n",
        ",domain,land,,p_lead_short,,,,\n",
        ",force,,,p_covered,,,,\n",
        ",force,,troops,p_met,,,,\n",
        ",timeline,force,,p_covered_by_day,10,,,\n",
    ] {
        assert!(csv.contains(row), "{row} missing:\n{csv}");
    }
}

#[test]
fn every_chart_draws_format_2_and_no_mounted_trial_without_panicking() {
    use forcesim::charts::{self, Chart, Format};
    let m = model();
    for t in [tally(&m), none_mounted(&m), Tally::new(&m)] {
        let r = report(&m, &t);
        for chart in Chart::ALL {
            for format in [Format::Png, Format::Svg] {
                let bytes = charts::render(chart, &r, format)
                    .unwrap_or_else(|e| panic!("{chart:?} of {} mounted: {e}", t.mounted));
                assert!(!bytes.is_empty());
            }
        }
    }
}

fn svg(chart: forcesim::charts::Chart, r: &Report) -> String {
    let bytes = forcesim::charts::render(chart, r, forcesim::charts::Format::Svg).unwrap();
    String::from_utf8(bytes).unwrap()
}

#[test]
fn charts_show_lead_short_the_force_requirement_and_the_force_row() {
    use forcesim::charts::Chart;
    let m = model();
    let r = report(&m, &tally(&m));
    let coverage = svg(Chart::Coverage, &r);
    assert!(
        coverage.contains("leaderless 50 %: no candidate 25 %, short 25 %"),
        "{coverage}"
    );
    assert!(coverage.contains("lead short"), "legend");
    assert!(coverage.contains("Mission mounted"));
    assert!(coverage.contains("All covered, if mounted"));
    assert!(coverage.contains("Whole force"));
    let force = svg(Chart::Force, &r);
    assert!(force.contains("required 1,100: 25 %"), "{force}");
    assert!(force.contains("whole-force requirement"));
    let timeline = svg(Chart::Timeline, &r);
    assert!(timeline.contains("Whole force"));
    assert!(timeline.contains("All covered"));

    let none = report(&m, &none_mounted(&m));
    let coverage = svg(Chart::Coverage, &none);
    assert!(!coverage.contains("NaN"));
    assert!(coverage.contains("Mission mounted"));
    for chart in [Chart::Force, Chart::Timeline, Chart::Gaps, Chart::Tornado] {
        let s = svg(chart, &none);
        assert!(s.contains("No trial mounted the mission"), "{chart:?}");
        assert!(!s.contains("NaN"), "{chart:?}");
    }
}

#[test]
fn briefing_tables_carry_the_mission_the_leads_and_the_force() {
    use forcesim::briefing::{Briefing, Cell};
    let m = model();
    let r = report(&m, &tally(&m));
    let tables = Briefing {
        report: &r,
        scenario_text: TEXT,
    }
    .tables();
    let find = |name: &str| tables.iter().find(|t| t.name == name).expect(name);
    let summary = find("summary");
    let has = |label: &str| {
        summary
            .rows
            .iter()
            .any(|row| row[0] == Cell::Text(label.into()))
    };
    assert!(has("P(mission mounted)"));
    assert!(has("P(all domains and the force covered | mounted)"));
    assert!(has("P(mounted and all covered)"));
    let domains = find("domains");
    assert!(domains.columns.contains(&"P(lead short)".to_string()));
    assert!(
        domains
            .columns
            .contains(&"P(no lead candidate)".to_string())
    );
    let force = find("force");
    assert_eq!(force.rows[0][0], Cell::Text("troops".into()));
    assert!(
        find("timeline")
            .columns
            .contains(&"whole force".to_string())
    );
    assert_eq!(find("leads").rows[0][1], Cell::Text("A+B".into()));
    // Without [force], no force table (the workbook keeps its sheets).
    let plain = common::model(TEXT);
    let mut t = Tally::new(&plain);
    t.trials = 1;
    t.mounted = 1;
    let r = report(&plain, &t);
    let names: Vec<&str> = Briefing {
        report: &r,
        scenario_text: TEXT,
    }
    .tables()
    .iter()
    .map(|t| t.name)
    .collect();
    assert!(!names.contains(&"force"), "{names:?}");
}

fn header(m: &Model) -> Header {
    Header {
        forcesim: forcesim::VERSION.to_string(),
        streams: forcesim::streams::STREAMS.to_string(),
        scenario: Source {
            origin: "two.toml".into(),
            text: TEXT.into(),
            file: None,
            overrides: vec![],
            digest: forcesim::shard::partial::digest_hex(m),
        },
        seed: 1,
        trials: 10,
        shard: ShardInfo { index: 1, count: 1 },
        blocks: [0, 1],
        done: [0, 1],
        interrupted: false,
        engine: PartEngine {
            threads: 1,
            elapsed_s: 0.5,
        },
    }
}

#[test]
fn partials_round_trip_the_format_2_tally() {
    let m = model();
    let t = tally(&m);
    let p = Partial::new(header(&m), &t);
    let bytes = p.to_bytes();
    assert_eq!(bytes[8], 5, "partial format version 5");
    let back = Partial::from_bytes(&bytes).expect("reads");
    // Version 4 is the same layout without `scenario.file`: read as it is.
    let mut v4 = bytes.clone();
    v4[8] = 4;
    let n = v4.len() - 4;
    let crc = forcesim::shard::partial::crc32(&v4[..n]);
    v4[n..].copy_from_slice(&crc.to_le_bytes());
    let v4 = Partial::from_bytes(&v4).expect("a version 4 partial reads");
    assert_eq!(v4.tally(&Tally::new(&m)).expect("decodes"), t);
    let template = Tally::new(&m);
    assert_eq!(back.tally(&template).expect("decodes"), t);
    // Merged tallies add the new counts.
    let mut twice = t.clone();
    twice += &t;
    assert_eq!(twice.mounted, 8);
    assert_eq!(twice.lead_short, vec![2, 0]);
    assert_eq!(twice.force_met, vec![2]);
    assert_eq!(twice.timeline_force, vec![0, 2]);
    assert_eq!(codec::check(&twice), Ok(()));
    // A version 1 partial is refused with a message naming both versions.
    let mut old = bytes.clone();
    old[8] = 1;
    let err = Partial::from_bytes(&old).unwrap_err().to_string();
    assert!(
        err.contains("version 1") && err.contains("versions 4 and 5"),
        "{err}"
    );
}

#[test]
fn partials_with_inconsistent_format_2_counts_are_refused() {
    let m = model();
    let good = tally(&m);
    let template = Tally::new(&m);
    let refused = |t: &Tally, what: &str| {
        let e = codec::decode(&codec::encode(t), &template).expect_err(what);
        assert!(e.message.contains(what), "{what}: {e}");
    };
    let mut t = good.clone();
    t.mounted = 11;
    refused(&t, "mounted (11) exceeds the trials");
    let mut t = good.clone();
    t.lead_short = vec![3, 0];
    refused(&t, "lead_short[0] (3) exceeds leaderless[0]");
    let mut t = good.clone();
    t.force_covered = 0;
    refused(&t, "all_covered (1) exceeds force_covered");
    let mut t = good.clone();
    t.force_met = vec![5];
    refused(&t, "force_met[0] (5) exceeds the mounted trials");
    let mut t = good.clone();
    t.leaderless = vec![4, 0];
    refused(&t, "leaderless[0] (4) and covered[0] (1)");
    let mut t = good.clone();
    t.timeline_force = vec![0, 0];
    refused(&t, "timeline_all[1] (1) exceeds timeline_force[1]");
    let mut t = good.clone();
    t.force_required_sum = vec![u128::MAX];
    refused(&t, "force_required_sum[0]");
    // Histograms hold one value per mounted trial, not per trial.
    let mut t = good.clone();
    t.totals[0].add(5);
    refused(&t, "totals[0].n: 5 values for 4 trials");
    // The force's coverage day counts the trials that cover the force.
    let mut t = good.clone();
    t.coverage_day[2].add(30);
    refused(&t, "coverage_day[2].n");
    // Condition counts may reach every trial, not more.
    let mut t = good.clone();
    t.condition_true = vec![10];
    assert!(codec::decode(&codec::encode(&t), &template).is_ok());
    t.condition_true = vec![11];
    refused(&t, "condition_true[0] (11) exceeds the trials");
    // Every truncation of a format 2 body is an error, never a panic.
    let bytes = codec::encode(&good);
    for cut in 0..bytes.len() {
        assert!(
            codec::decode(&bytes[..cut], &template).is_err(),
            "cut at {cut}"
        );
    }
    for i in 0..bytes.len() {
        for x in [0x01u8, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[i] ^= x;
            if let Ok(d) = codec::decode(&b, &template) {
                assert_eq!(codec::check(&d), Ok(()));
            }
        }
    }
}

#[test]
fn a_force_without_a_mission_is_part_of_the_headline() {
    let mut m = model();
    m.mission.clear();
    let mut t = tally(&m);
    t.trials = 4;
    t.condition_true = vec![2];
    assert_eq!(codec::check(&t), Ok(()));
    let r = report(&m, &t);
    let table = to_table(&r);
    assert!(
        table.contains("\nAll domains and the force covered: 25.0 %  (95 % CI "),
        "{table}"
    );
    assert!(!table.contains("Mission"), "{table}");
    let v = json(&r);
    assert!(v.get("mission").is_none());
    close(&v["p_mounted"], 1.0);
    close(&v["p_all_covered_overall"], 0.25);
    let coverage = svg(forcesim::charts::Chart::Coverage, &r);
    assert!(coverage.contains("All covered") && !coverage.contains("if mounted"));
}

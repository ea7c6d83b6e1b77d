//! The outputs of nations with finite forces (issue 14) from tallies built by
//! hand: per nation `rotation`, `ambition` and `pools` in the report, the
//! committed force from its histogram, the schema, the table's Sustainability
//! block, the CSV rows, the partial file (round trip and refusals) and the
//! charts. Every expected figure is counted from the four trials written out
//! below.

mod common;

use common::schema::{schema, valid};
use forcesim::dist::{Dist, Sampler};
use forcesim::model::Pool;
use forcesim::report::csv::to_csv;
use forcesim::report::table::to_table;
use forcesim::report::{Engine, Report};
use forcesim::shard::codec;
use forcesim::{Model, Tally};
use serde_json::Value;

const TEXT: &str = r#"
[scenario]
name = "Pools"
[capabilities]
troops = { unit = "personnel" }
[domains.land]
requirements = { troops = 1000 }
[nations.A]
participation = 0.8
contributions.land.troops = 600
[nations.B]
participation = 0.5
contributions.land.troops = 400
"#;

fn pool(dist: Dist, fixed: Option<u64>, key: u64) -> Pool {
    Pool {
        capability: 0,
        sampler: Sampler::new(&dist),
        dist,
        fixed,
        key,
    }
}

/// The scenario as the parser would compile `[nations.A] rotation = 3, pool =
/// { troops = 1500 }` and `[nations.B] pool = { troops = { uniform = [300, 600] } },
/// ambition = 0.5`.
fn model() -> Model {
    let mut m = common::model(TEXT);
    m.nations[0].rotation = 3;
    m.nations[0].pools = vec![pool(Dist::Fixed(1500.0), Some(1500), 1)];
    m.nations[1].pools = vec![pool(
        Dist::Uniform {
            min: 300.0,
            max: 600.0,
        },
        None,
        2,
    )];
    m.nations[1].ambition = 0.5;
    m
}

/// Four mounted trials:
///
/// | trial | in | A: 600 × 3 vs 1500 | B: 400 vs pool drawn | deployed | committed |
/// |---|---|---|---|---|---|
/// | 1 | A, B | binds: 500, cut 100 | 500: holds | 900 | 1,900 |
/// | 2 | A | binds: 500, cut 100 | | 500 | 1,500 |
/// | 3 | A, B | binds: 500, cut 100 | 300: binds, cut 100 | 800 | 1,800 |
/// | 4 | none | | | 0 | 0 |
fn tally(m: &Model) -> Tally {
    let mut t = Tally::new(m);
    t.trials = 4;
    t.mounted = 4;
    t.nation_in = vec![3, 2];
    t.nation_in_all = vec![0, 0];
    t.covered = vec![0];
    t.leaderless = vec![0];
    t.lead_short = vec![0];
    t.met = vec![0];
    t.required_sum = vec![4000];
    t.contributed = vec![1500, 700];
    t.pool_binds = vec![3, 1];
    t.pool_drawn = vec![3 * 1500, 500 + 300];
    [100, 100, 100]
        .into_iter()
        .for_each(|v| t.pool_cut[0].add(v));
    t.pool_cut[1].add(100);
    for v in [900, 500, 800, 0] {
        t.totals[0].add(v);
        t.provided[0].add(v);
    }
    for v in [1900, 1500, 1800, 0] {
        t.committed[0].add(v);
    }
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
    assert_eq!(codec::check_pools_of(&tally(&m), &m), Ok(()));
}

#[test]
fn the_report_has_each_nations_rotation_ambition_and_pools() {
    let m = model();
    let v = json(&report(&m, &tally(&m)));
    let a = &v["nations"]["A"];
    assert_eq!(a["rotation"], 3);
    close(&a["ambition"], 0.0);
    let pa = &a["pools"]["troops"];
    close(&pa["pool"], 1500.0);
    close(&pa["p_binds"], 1.0);
    close(&pa["cut"]["mean"], 100.0);
    close(&pa["cut"]["p95"], 100.0);
    let b = &v["nations"]["B"];
    assert_eq!(b["rotation"], 1);
    close(&b["ambition"], 0.5);
    let pb = &b["pools"]["troops"];
    // A random pool: the mean of its draws over the trials B took part in.
    close(&pb["pool"], 400.0);
    close(&pb["p_binds"], 0.5);
    close(&pb["cut"]["max"], 100.0);
    // The committed force from its own histogram, not deployed × a rotation.
    let c = &v["totals"]["troops"]["committed"];
    close(&c["mean"], 1300.0);
    close(&c["max"], 1900.0);
    close(&v["totals"]["troops"]["mean"], 550.0);
}

#[test]
fn a_pool_that_never_binds_has_a_null_cut_and_no_pools_no_member() {
    let m = model();
    let mut t = tally(&m);
    t.pool_binds[1] = 0;
    t.pool_cut[1] = Tally::new(&m).pool_cut[1].clone();
    assert_eq!(codec::check(&t), Ok(()));
    let v = json(&report(&m, &t));
    close(&v["nations"]["B"]["pools"]["troops"]["p_binds"], 0.0);
    assert!(v["nations"]["B"]["pools"]["troops"]["cut"].is_null());
    // A nation without pools has no `pools` member; committed is still there.
    let plain = common::model(TEXT);
    let mut t = Tally::new(&plain);
    t.trials = 1;
    t.mounted = 1;
    t.committed[0].add(0);
    let v = json(&report(&plain, &t));
    assert!(v["nations"]["A"].get("pools").is_none());
    assert_eq!(v["nations"]["A"]["rotation"], 1);
    close(&v["totals"]["troops"]["committed"]["mean"], 0.0);
}

#[test]
fn no_mounted_trial_gives_null_never_zero() {
    let m = model();
    let mut t = Tally::new(&m);
    t.trials = 4;
    let v = json(&report(&m, &t));
    let pb = &v["nations"]["B"]["pools"]["troops"];
    assert!(pb["pool"].is_null(), "a random pool with no draw");
    assert!(pb["p_binds"].is_null());
    assert!(pb["cut"].is_null());
    // A fixed pool is the number written, as a fixed requirement is.
    close(&v["nations"]["A"]["pools"]["troops"]["pool"], 1500.0);
    assert!(v["totals"]["troops"]["committed"]["mean"].is_null());
    valid(&schema("--report"), &v);
}

#[test]
fn reports_with_pools_validate_and_the_schema_names_the_members() {
    let m = model();
    let s = schema("--report");
    valid(&s, &json(&report(&m, &tally(&m))));
    let nation = &s["$defs"];
    let text = s.to_string();
    assert!(
        text.contains("\"p_binds\"") && text.contains("\"ambition\""),
        "{nation}"
    );
    // A wrong type is caught.
    let mut v = json(&report(&m, &tally(&m)));
    v["nations"]["A"]["pools"]["troops"]["p_binds"] = Value::String("x".into());
    assert!(!common::schema::problems(&s, &v).is_empty());
}

#[test]
fn the_table_has_a_sustainability_block_with_pools_only() {
    let m = model();
    let table = to_table(&report(&m, &tally(&m)));
    let block = table
        .split("\nSustainability")
        .nth(1)
        .unwrap_or_else(|| panic!("no Sustainability block:\n{table}"));
    let lines: Vec<&str> = block.lines().collect();
    // A binds in every trial it takes part in, B in half: A first.
    let a = lines
        .iter()
        .position(|l| l.trim_start().starts_with("A "))
        .unwrap();
    let b = lines
        .iter()
        .position(|l| l.trim_start().starts_with("B "))
        .unwrap();
    assert!(a < b, "{block}");
    assert!(
        lines[a].contains("1,500") && lines[a].contains("100.0 %"),
        "{}",
        lines[a]
    );
    assert!(
        lines[b].contains("400") && lines[b].contains("50.0 %"),
        "{}",
        lines[b]
    );
    let troops = lines
        .iter()
        .find(|l| l.trim_start().starts_with("troops"))
        .expect("committed beside deployed");
    assert!(
        troops.contains("550") && troops.contains("1,300"),
        "{troops}"
    );
    // With rotation the force-size table shows the committed force too.
    assert!(table.contains("committed (rot.)"));
    // Without pools or rotation: neither.
    let plain = common::model(TEXT);
    let mut t = Tally::new(&plain);
    t.trials = 1;
    t.mounted = 1;
    t.committed[0].add(0);
    let table = to_table(&report(&plain, &t));
    assert!(!table.contains("Sustainability"), "{table}");
    assert!(!table.contains("committed"), "{table}");
}

#[test]
fn csv_rows_carry_rotation_ambition_pools_and_committed() {
    let m = model();
    let csv = to_csv(&report(&m, &tally(&m)));
    for row in [
        ",nation,A,,rotation,,3,,",
        ",nation,B,,ambition,,0.5,,",
        ",nation,A,troops,pool,,1500,,",
        ",nation,B,troops,pool,,400,,",
        ",nation,A,troops,pool_cut,mean,100,,",
        ",total,,troops,committed,mean,1300,,",
    ] {
        assert!(csv.contains(row), "{row} missing:\n{csv}");
    }
    // `p_binds` is over the mounted trials in which the nation takes part: 1 of 2.
    let line = csv
        .lines()
        .find(|l| l.contains(",nation,B,troops,p_binds,,0.5,"));
    let line = line.unwrap_or_else(|| panic!("p_binds missing:\n{csv}"));
    let f: Vec<f64> = line
        .rsplit(',')
        .take(2)
        .map(|x| x.parse().unwrap())
        .collect();
    assert_eq!([f[1], f[0]], forcesim::math::wilson(1, 2), "{line}");
    // No mounted trial: empty values, never invented numbers.
    let mut t = Tally::new(&m);
    t.trials = 4;
    let csv = to_csv(&report(&m, &t));
    assert!(csv.contains(",nation,B,troops,p_binds,,,,"), "{csv}");
    assert!(csv.contains(",nation,B,troops,pool_cut,mean,,,"), "{csv}");
}

#[test]
fn partials_round_trip_the_pools_and_refuse_inconsistent_ones() {
    let m = model();
    let t = tally(&m);
    let template = Tally::new(&m);
    assert_eq!(codec::decode(&codec::encode(&t), &template), Ok(t.clone()));
    let refused = |t: &Tally, what: &str| {
        let e = codec::decode(&codec::encode(t), &template).expect_err(what);
        assert!(e.message.contains(what), "{what}: {e}");
    };
    let mut bad = t.clone();
    bad.pool_binds[1] = 2;
    refused(&bad, "pool_cut[1].n: 1 values for 2 trials");
    let mut bad = t.clone();
    bad.committed[0].add(5);
    refused(&bad, "committed[0].n: 5 values for 4 trials");
    let mut bad = t.clone();
    bad.pool_binds[0] = 5;
    refused(&bad, "pool_binds[0] (5) exceeds the mounted trials");
    // Binding in more trials than the nation takes part in needs the model.
    let mut bad = t.clone();
    bad.pool_binds[1] = 3;
    bad.pool_cut[1].add(100);
    bad.pool_cut[1].add(100);
    assert_eq!(codec::check(&bad), Ok(()));
    let e = codec::check_pools_of(&bad, &m).unwrap_err();
    assert!(
        e.contains("binds in 3 trials but the nation takes part in 2"),
        "{e}"
    );
    // Merged tallies add the pool counters.
    let mut twice = t.clone();
    twice += &t;
    assert_eq!(twice.pool_binds, vec![6, 2]);
    assert_eq!(twice.committed[0].n, 8);
    assert_eq!(codec::check_pools_of(&twice, &m), Ok(()));
}

#[test]
fn an_older_partial_is_refused_with_a_reason() {
    use forcesim::shard::partial::{FORMAT_VERSION, Partial};
    assert_eq!(FORMAT_VERSION, 5);
    let mut bytes = Vec::from(forcesim::shard::partial::MAGIC);
    bytes.push(2);
    bytes.extend_from_slice(&[0; 8]);
    let err = Partial::from_bytes(&bytes).unwrap_err().to_string();
    assert!(
        err.contains("version 2")
            && err.contains("versions 4 and 5")
            && err.contains("run the shard again"),
        "{err}"
    );
}

#[test]
fn charts_draw_pools_and_no_mounted_trial_without_panicking() {
    use forcesim::charts::{self, Chart, Format};
    let m = model();
    let mut none = Tally::new(&m);
    none.trials = 4;
    for t in [tally(&m), none, Tally::new(&m)] {
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

#[test]
fn pools_png_is_drawn_only_with_pools() {
    use forcesim::charts::{self, Chart, Format};
    let m = model();
    let r = report(&m, &tally(&m));
    assert!(Chart::Pools.applies_to(&r));
    assert_eq!(Chart::Pools.file_name(Format::Png), "pools.png");
    let svg = String::from_utf8(charts::render(Chart::Pools, &r, Format::Svg).unwrap()).unwrap();
    // A: 600 × 3 = 1,800 wanted, 500 × 3 = 1,500 held against a pool of 1,500.
    assert!(svg.contains("1,500 / 1,500 · P(binds) 100.0 %"), "{svg}");
    if let Ok(dir) = std::env::var("FORCESIM_POOLS_PNG") {
        let png = charts::render(Chart::Pools, &r, Format::Png).unwrap();
        std::fs::write(std::path::Path::new(&dir).join("pools.png"), png).unwrap();
    }
    let plain = common::model(TEXT);
    let mut t = Tally::new(&plain);
    t.trials = 1;
    t.mounted = 1;
    t.committed[0].add(0);
    assert!(!Chart::Pools.applies_to(&report(&plain, &t)));
}

#[test]
fn the_briefing_has_the_sustainability_table_and_the_new_inputs() {
    use forcesim::briefing::{Briefing, Cell};
    let m = model();
    let r = report(&m, &tally(&m));
    let tables = Briefing {
        report: &r,
        scenario_text: TEXT,
    }
    .tables();
    let s = tables
        .iter()
        .find(|t| t.name == "sustainability")
        .expect("a sustainability table");
    assert_eq!(s.rows.len(), 2);
    assert_eq!(
        s.rows[0][0],
        Cell::Text("A".into()),
        "most often binding first"
    );
    assert_eq!(s.rows[1][0], Cell::Text("B".into()));
    let totals = tables.iter().find(|t| t.name == "totals").unwrap();
    assert!(
        totals
            .rows
            .iter()
            .any(|row| row[2] == Cell::Text("committed (rotation)".into()))
    );
    // The annex lists rotation, pool and ambition as written.
    let text = "[scenario]\nname = \"x\"\nrotation = 3\nambition = 0.2\n[nations.A]\nrotation = 2\npool = { troops = 30_000 }\nambition = 0.6\n";
    let keys: Vec<String> = forcesim::briefing::annex::annex(text)
        .into_iter()
        .map(|a| a.key)
        .collect();
    for k in [
        "scenario.rotation",
        "scenario.ambition",
        "nations.A.rotation",
        "nations.A.pool.troops",
        "nations.A.ambition",
    ] {
        assert!(keys.iter().any(|x| x == k), "{k} not in {keys:?}");
    }
    // Without pools: no sustainability table, no committed row.
    let plain = common::model(TEXT);
    let mut t = Tally::new(&plain);
    t.trials = 1;
    t.mounted = 1;
    t.committed[0].add(0);
    let r = report(&plain, &t);
    let tables = Briefing {
        report: &r,
        scenario_text: TEXT,
    }
    .tables();
    assert!(tables.iter().all(|t| t.name != "sustainability"));
    let totals = tables.iter().find(|t| t.name == "totals").unwrap();
    assert_eq!(totals.rows.len(), 1);
}

//! `--xlsx`: the workbook read back with calamine holds every table as a
//! sheet, numbers as numbers, and the charts as images.

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use common::{forcesim, scratch, write};

const SHEETS: [&str; 11] = [
    "summary",
    "totals",
    "thresholds",
    "domains",
    "capabilities",
    "leads",
    "nations",
    "conditions",
    "timeline",
    "assumptions",
    "charts",
];

#[test]
fn the_workbook_holds_every_table_with_numbers_and_the_charts() {
    let (bytes, json) = workbook_and_report(forcesim::synth::EVERY_FORM, "20000", &[]);
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone())).expect("opens");
    assert_eq!(wb.sheet_names(), SHEETS);
    for name in &SHEETS[..10] {
        let range = wb.worksheet_range(name).expect("sheet reads");
        let rows: Vec<&[Data]> = range.rows().collect();
        assert!(rows.len() > 1, "{name} has no rows");
        assert!(
            rows[0].iter().all(|c| matches!(c, Data::String(_))),
            "{name} header"
        );
        if *name != "assumptions" {
            let numbers = rows[1..]
                .iter()
                .flat_map(|r| r.iter())
                .filter(|c| matches!(c, Data::Float(_) | Data::Int(_)))
                .count();
            assert!(numbers > 0, "{name} holds no number");
        }
    }
    // The figures are the report's, as numbers (formats change only the display).
    let domains = wb.worksheet_range("domains").unwrap();
    let land = domains
        .rows()
        .find(|r| r[0] == Data::String("land".into()))
        .expect("land row");
    assert_eq!(
        land[2],
        Data::Float(json["domains"]["land"]["p_covered"].as_f64().unwrap())
    );
    let summary = wb.worksheet_range("summary").unwrap();
    let trials = summary
        .rows()
        .find(|r| r[0] == Data::String("trials".into()))
        .unwrap();
    assert_eq!(trials[1], Data::Float(20000.0));
    // One PNG per chart (its name appears in the zip's local and central headers).
    // pools.png only when a nation has a pool (this scenario has none).
    let charts = forcesim::charts::Chart::ALL
        .iter()
        .filter(|c| **c != forcesim::charts::Chart::Pools)
        .count();
    let media = bytes.windows(14).filter(|w| w == b"xl/media/image").count();
    assert_eq!(media, 2 * charts, "images in the workbook");
}

#[test]
fn commands_without_a_workbook_refuse_the_flag() {
    let dir = scratch();
    let s = write(dir.path(), "s.toml", forcesim::synth::EVERY_FORM);
    let out = forcesim()
        .args(["compare", "-n", "1000", "--xlsx"])
        .arg(dir.path().join("x.xlsx"))
        .arg(&s)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--xlsx is for run and merge"));
}

/// `--xlsx -` writes the workbook alone to standard output (the table goes to
/// standard error), and is one of the outputs of which only one may take it.
#[test]
fn a_workbook_on_standard_output_is_alone_there() {
    let dir = scratch();
    let d = dir.path();
    let s = write(d, "s.toml", forcesim::synth::EVERY_FORM);
    let out = forcesim()
        .args(["run", "-n", "2000", "--xlsx", "-"])
        .arg(&s)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(out.stdout.clone())).expect("opens");
    assert_eq!(wb.sheet_names(), SHEETS);
    // Nothing after the zip's end of central directory (22 bytes, no comment).
    let end = out
        .stdout
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .unwrap();
    assert_eq!(out.stdout.len(), end + 22);
    assert!(String::from_utf8_lossy(&out.stderr).contains("trials"));
    let both = forcesim()
        .args(["run", "-n", "2000", "--xlsx", "-", "--json", "-"])
        .arg(&s)
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&both.stderr).contains("--xlsx -"));
    let _ = wb.worksheet_range("summary").expect("sheet reads");
}

/// A mission gated on a condition that never holds: no trial is mounted.
const NEVER_MOUNTED: &str = r#"[scenario]
name = "gate"
[capabilities]
troops = { unit = "personnel" }
drones = { unit = "systems" }
[conditions.never]
probability = 0
[mission]
requires = ["never"]
[domains.land]
requirements = { troops = 100, drones = 5 }
[nations.FRA]
participation = 0.5
contributions.land.troops = 50
[nations.DNK]
participation = 0.5
contributions.land.troops = 10
"#;

/// The nations sheet of the workbook of a run of `s` with `set`, with the
/// report's nations.
fn nations_sheet(set: &str) -> (Vec<Vec<Data>>, serde_json::Value) {
    let (bytes, json) = workbook_and_report(NEVER_MOUNTED, "200", &["--set", set]);
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("opens");
    let range = wb.worksheet_range("nations").expect("sheet reads");
    (
        range.rows().map(<[Data]>::to_vec).collect(),
        json["nations"].clone(),
    )
}

#[test]
fn with_no_mounted_trial_the_nations_means_are_empty_as_in_the_report() {
    let (rows, json) = nations_sheet("conditions.never.probability=0");
    assert_eq!(
        rows[0][4..],
        ["mean troops", "mean drones"].map(|c| Data::String(c.into()))
    );
    for row in &rows[1..] {
        let Data::String(id) = &row[0] else {
            panic!("{row:?}")
        };
        // The report has no figure: null for troops, nothing for drones, which
        // no nation contributes.
        assert_eq!(json[id]["mean_provided"]["troops"], serde_json::Value::Null);
        assert!(json[id]["mean_provided"].get("drones").is_none());
        assert_eq!(row[2], Data::Empty, "P(participates) of {id}");
        assert_eq!(row[4..], [Data::Empty, Data::Empty], "means of {id}");
    }
    // With mounted trials, a capability a nation never contributes is 0 on average.
    let (rows, json) = nations_sheet("conditions.never.probability=1");
    let fra = rows
        .iter()
        .find(|r| r[0] == Data::String("FRA".into()))
        .unwrap();
    assert_eq!(
        fra[4],
        Data::Float(json["FRA"]["mean_provided"]["troops"].as_f64().unwrap())
    );
    assert_eq!(fra[5], Data::Float(0.0));
}

/// `run` of the scenario `text` over `trials` trials with `args`: the workbook's
/// bytes and the JSON report of the same run.
fn workbook_and_report(text: &str, trials: &str, args: &[&str]) -> (Vec<u8>, serde_json::Value) {
    let dir = scratch();
    let d = dir.path();
    let s = write(d, "s.toml", text);
    forcesim()
        .args([
            "run", "-n", trials, "-q", "--xlsx", "r.xlsx", "--json", "r.json",
        ])
        .args(args)
        .arg(&s)
        .current_dir(d)
        .assert()
        .success();
    let bytes = std::fs::read(d.join("r.xlsx")).unwrap();
    let json = serde_json::from_slice(&std::fs::read(d.join("r.json")).unwrap()).unwrap();
    (bytes, json)
}

//! Charts: every chart renders, for the reference scenario and for edge
//! scenarios, into a PNG that decodes to 1600×1000 (or a well-formed SVG); an
//! unwritable `--charts` directory is a clean error that leaves no file behind.

mod common;

use std::path::Path;

use common::{forcesim, scratch};
use forcesim::charts::{self, Chart, Format};
use forcesim::{Report, RunOptions};

const COALITION: &str = include_str!("fixtures/coalition.toml");

/// Runs `text` for `trials` trials and returns its report.
fn report(text: &str, trials: u64) -> Report {
    let model = match forcesim::scenario::parse("inline.toml", text, &[]) {
        Ok(m) => m,
        Err(d) => panic!("scenario does not parse:\n{d}"),
    };
    let opts = RunOptions {
        trials,
        seed: 7,
        threads: 2,
        ..Default::default()
    };
    forcesim::simulate(&model, &opts)
        .expect("simulation starts")
        .report
}

/// Decodes a PNG and returns its width, height and pixels (RGB or RGBA).
fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("PNG header decodes");
    let size = reader.output_buffer_size().expect("buffer size");
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).expect("PNG data decodes");
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// Renders every chart of `r` as PNG; checks size and that something was drawn.
fn render_all_png(r: &Report) {
    for chart in Chart::ALL {
        let bytes = charts::render(chart, r, Format::Png)
            .unwrap_or_else(|e| panic!("{}: {e}", chart.name()));
        let (w, h, px) = decode(&bytes);
        assert_eq!((w, h), (1600, 1000), "{}", chart.name());
        // Text and marks: a fair share of pixels are not white.
        let inked = px.chunks(3).filter(|p| p.iter().any(|&c| c < 200)).count();
        assert!(
            inked > 5_000,
            "{} looks empty ({inked} dark pixels)",
            chart.name()
        );
    }
}

#[test]
fn reference_scenario_renders_every_chart() {
    let r = report(COALITION, 20_000);
    assert!(r.timeline.is_some());
    render_all_png(&r);
}

#[test]
fn paris_scenario_renders_when_present() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/paris-2026.toml");
    if let Ok(text) = std::fs::read_to_string(path) {
        render_all_png(&report(&text, 10_000));
    }
}

#[test]
fn one_nation() {
    let r = report(
        r#"
[scenario]
name = "One nation"
[report]
thresholds = { troops = [1_000, 5_000] }
[capabilities]
troops = { unit = "personnel" }
[domains.land]
lead = ["A"]
requirements = { troops = 2_000 }
[nations.A]
participation = 0.6
contributions.land.troops = { triangular = [1_000, 2_500, 4_000] }
"#,
        5_000,
    );
    render_all_png(&r);
}

#[test]
fn nobody_participates() {
    let r = report(
        r#"
[scenario]
name = "Nobody comes"
[simulation]
timeline_days = [30, 90]
[report]
thresholds = { troops = [15_000, 20_000, 30_000] }
[capabilities]
troops = { unit = "personnel" }
ships = { unit = "ships" }
[domains.land]
lead = ["A", "B"]
requirements = { troops = 10_000 }
[domains.sea]
requirements = { ships = 4 }
[nations.A]
participation = 0
ready_days = 20
contributions.land.troops = 8_000
[nations.B]
participation = 0
contributions.land.troops = 5_000
contributions.sea.ships = 5
"#,
        2_000,
    );
    assert_eq!(r.p_all_covered, 0.0);
    assert!(r.nations.values().all(|n| n.swing.is_none()));
    render_all_png(&r);
}

#[test]
fn everything_always_covered() {
    let r = report(
        r#"
[scenario]
name = "Always covered"
[simulation]
timeline_days = [10]
[report]
thresholds = { troops = [500] }
[capabilities]
troops = { unit = "personnel" }
[domains.land]
lead = ["A"]
requirements = { troops = 1_000 }
[nations.A]
participation = 1
ready_days = 5
contributions.land.troops = 1_500
[nations.B]
participation = 1
contributions.land.troops = 100
"#,
        3_000,
    );
    assert_eq!(r.p_all_covered, 1.0);
    assert_eq!(r.p_all_covered_ci95[1], 1.0);
    render_all_png(&r);
}

#[test]
fn capability_with_zero_spread_and_no_requirement() {
    let r = report(
        r#"
[scenario]
name = "Zero spread"
[capabilities]
troops = { unit = "personnel" }
drones = { unit = "drones" }
[domains.land]
[domains.air]
lead = ["B"]
[nations.A]
participation = 1
contributions.land.troops = 4_000
[nations.B]
participation = 0.5
contributions.air.drones = { uniform = [10, 20] }
"#,
        3_000,
    );
    let t = &r.totals["troops"].stats;
    assert_eq!(t.min, t.max);
    render_all_png(&r);
}

#[test]
fn many_long_names_and_signed_swings() {
    // Charts are drawn from the report alone: a hand-edited report with long
    // names, many domains and capabilities, and negative swings still renders.
    let mut r = report(COALITION, 2_000);
    for (i, n) in r.nations.values_mut().enumerate() {
        n.name = format!("{} of the very long official name {i}", n.name);
        n.swing = Some(if i % 3 == 0 { -0.3 } else { 0.01 * i as f64 });
    }
    for d in r.domains.values_mut() {
        d.name = format!("{} — with a subtitle that goes on and on and on", d.name);
    }
    let extra = r.domains[0].clone();
    for k in 0..6 {
        r.domains.insert(format!("extra{k}"), extra.clone());
    }
    r.scenario.name =
        "A scenario whose name is far too long to fit on one line of the chart ".repeat(3);
    render_all_png(&r);
    // Non-finite figures are drawn as "–", never a panic.
    r.p_all_covered = f64::NAN;
    for n in r.nations.values_mut() {
        n.swing = Some(f64::NAN);
    }
    render_all_png(&r);
}

#[test]
fn an_empty_report_still_renders() {
    // Nothing to draw at all: every chart says so instead of failing.
    let mut r = report(COALITION, 1_000);
    r.trials = 0;
    r.capabilities.clear();
    r.totals.clear();
    r.thresholds.clear();
    r.domains.clear();
    r.nations.clear();
    if let Some(tl) = &mut r.timeline {
        tl.days.clear();
        tl.p_all_covered.clear();
        tl.domains.clear();
    }
    render_all_png(&r);
    let mut r = report(COALITION, 1_000);
    for t in r.totals.values_mut() {
        t.histogram.counts.iter_mut().for_each(|c| *c = 0);
    }
    render_all_png(&r);
}

#[test]
fn svg_charts_are_well_formed() {
    let r = report(COALITION, 2_000);
    for chart in Chart::ALL {
        let bytes = charts::render(chart, &r, Format::Svg).expect("renders");
        let svg = String::from_utf8(bytes).expect("UTF-8");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("width=\"1600\"") && svg.contains("height=\"1000\""));
        assert!(svg.contains("DejaVu Sans"), "{}", chart.name());
    }
}

#[test]
fn write_all_writes_the_contract_file_names() {
    let r = report(COALITION, 2_000);
    let tmp = scratch();
    let dir = tmp.path().join("new").join("charts");
    let written = charts::write_all(&r, &dir, Format::Png).expect("writes");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "contributions.png",
            "coverage.png",
            "force.png",
            "gaps.png",
            "timeline.png",
            "tornado.png"
        ]
    );
    assert_eq!(written.len(), 6);
    let mut no_timeline = r.clone();
    no_timeline.timeline = None;
    let svg_dir = dir.join("svg");
    let written = charts::write_all(&no_timeline, &svg_dir, Format::Svg).expect("writes");
    assert_eq!(written.len(), 5);
    assert!(
        written
            .iter()
            .all(|p| p.extension().is_some_and(|e| e == "svg"))
    );
}

#[test]
fn unwritable_chart_directory_is_a_clean_error() {
    let tmp = scratch();
    let dir = tmp.path();
    let scenario = dir.join("s.toml");
    std::fs::write(&scenario, COALITION).expect("write scenario");
    let blocker = dir.join("file.txt");
    std::fs::write(&blocker, "not a directory").expect("write file");
    let out = forcesim()
        .arg("run")
        .arg(&scenario)
        .args(["-n", "2000", "-q", "--charts"])
        .arg(blocker.join("sub"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Found before running: bad usage.
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains("is not a directory"), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    // Nothing but the two files we made.
    let mut left: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["file.txt", "s.toml"]);
    assert_eq!(
        std::fs::read_to_string(&blocker).ok().as_deref(),
        Some("not a directory")
    );

    // And the same command with a writable directory succeeds, in SVG.
    let ok = dir.join("charts");
    let out = forcesim()
        .arg("run")
        .arg(&scenario)
        .args(["-n", "2000", "-q", "--chart-format", "svg", "--charts"])
        .arg(&ok)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(ok.join("force.svg").is_file() && ok.join("timeline.svg").is_file());
}

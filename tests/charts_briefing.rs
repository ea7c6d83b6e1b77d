//! Briefing charts: whole-number ticks for counts, histogram bars centred on whole
//! numbers, the exact timeline of days to coverage, sweep file names, the
//! protective marking and the title override.

mod common;

use common::{forcesim, run, scratch, write};
use forcesim::charts::{self, Chart, Format, Options, format::count_ticks};
use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::RangedCoordf64;

/// The tick values plotters draws for `n` labels over `lo..hi`.
fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    RangedCoordf64::from(lo..hi).key_points(n)
}

#[test]
fn count_axes_tick_only_whole_numbers() {
    // Small counts: plotters alone would tick 0, 0.5, 1, 1.5 (labelled "0 1 1 2").
    let loose = ticks(0.0, 2.5, 7);
    assert!(loose.iter().any(|t| t.fract() != 0.0), "{loose:?}");
    for hi in [1.0, 1.04, 2.0, 2.5, 3.2, 4.9, 7.0, 9.9, 15.0, 40.0, 1234.0] {
        for lo in [0.0, -0.6, -1.0, 0.5] {
            for wanted in [5, 7, 8, 10] {
                let n = count_ticks(lo, hi, wanted);
                let ts = ticks(lo, hi, n);
                assert!(!ts.is_empty(), "no tick on {lo}..{hi}");
                assert!(
                    ts.iter().all(|t| (t - t.round()).abs() < 1e-9),
                    "{lo}..{hi} with {n} labels: {ts:?}"
                );
                assert!(n <= wanted);
            }
        }
    }
    // Large counts keep the number of labels asked for.
    assert_eq!(count_ticks(0.0, 20_000.0, 8), 8);
}

/// A maritime scenario of small whole numbers, with a timeline at every day.
const SMALL: &str = r#"
[scenario]
name = "Small counts"
[simulation]
timeline_days = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 25, 30]
[capabilities]
ships = { unit = "ships" }
[domains.sea]
name = "Sea"
requirements = { ships = 3 }
[domains.mcm]
name = "Mine countermeasures"
lead = ["B"]
requirements = { ships = 1 }
[nations.A]
participation = 0.5
ready_days = 5
contributions.sea.ships = 2
[nations.B]
participation = 0.5
ready_days = 12
contributions.sea.ships = 1
contributions.mcm.ships = 1
[nations.C]
participation = 0.5
ready_days = 19.5
contributions.sea.ships = 2
contributions.mcm.ships = 1
"#;

/// P(coverage day ≤ d) for `sea`, `mcm` and both, by enumerating who takes part.
fn enumerated(d: u64) -> [f64; 3] {
    // (ready day rounded up, sea ships, mcm ships)
    let nations = [(5u64, 2u64, 0u64), (12, 1, 1), (20, 2, 1)];
    let mut p = [0.0; 3];
    for mask in 0..8u32 {
        let ready = |k: usize| mask & (1 << k) != 0 && nations[k].0 <= d;
        let sea: u64 = (0..3).filter(|&k| ready(k)).map(|k| nations[k].1).sum();
        let mcm: u64 = (0..3).filter(|&k| ready(k)).map(|k| nations[k].2).sum();
        // The lead of mcm (B) must take part; it need not be ready.
        let led = mask & 0b010 != 0;
        let (s, m) = (sea >= 3, led && mcm >= 1);
        for (i, ok) in [s, m, s && m].into_iter().enumerate() {
            if ok {
                p[i] += 1.0 / 8.0;
            }
        }
    }
    p
}

#[test]
fn the_timeline_steps_are_the_exact_days_to_coverage() {
    let r = run(SMALL, 200_000, 11, 2);
    let tl = r.timeline.as_ref().expect("a timeline");
    // At every timeline day, the exact curve equals the figure computed there.
    for (k, &day) in tl.days.iter().enumerate() {
        for (id, ps) in &tl.domains {
            assert_eq!(tl.days_to_coverage[id].p_by(day), ps[k], "{id} day {day}");
        }
        assert_eq!(tl.days_to_all_covered.p_by(day), tl.p_all_covered[k]);
    }
    // And every day's value agrees with the enumeration (200,000 trials: ±0.5 pp).
    for day in 0..40 {
        let want = enumerated(day);
        let got = [
            tl.days_to_coverage["sea"].p_by(day),
            tl.days_to_coverage["mcm"].p_by(day),
            tl.days_to_all_covered.p_by(day),
        ];
        for i in 0..3 {
            assert!(
                (got[i] - want[i]).abs() < 0.005,
                "day {day}: {got:?} vs {want:?}"
            );
        }
    }
    // Steps only at ready days (rounded up): 5, 12, 20.
    let days: Vec<u64> = tl.days_to_all_covered.steps.iter().map(|s| s.0).collect();
    assert!(days.iter().all(|d| [5, 12, 20].contains(d)), "{days:?}");
    // Never covered in over half of the trials: no median, no p90.
    assert!(tl.days_to_all_covered.p_never > 0.5);
    assert_eq!(tl.days_to_all_covered.median, None);
    assert_eq!(tl.days_to_all_covered.p90, None);
    let sea = &tl.days_to_coverage["sea"];
    assert!((sea.p_never - (1.0 - enumerated(100)[0])).abs() < 0.005);
}

#[test]
fn force_bars_are_centred_on_whole_numbers() {
    let r = run(SMALL, 20_000, 3, 1);
    let svg = charts::render(Chart::Force, &r, Format::Svg).unwrap();
    let svg = String::from_utf8(svg).unwrap();
    assert!(svg.contains("one bar per value"), "caption");
    assert!(!svg.contains("1 ships wide"));
    // Totals are 0..=5 ships: six bars of equal width; the 5–95 % band (drawn
    // first) spans whole bars: its edges are bar edges.
    let rects: Vec<(f64, f64)> = svg
        .match_indices("<rect")
        .filter_map(|(i, _)| {
            let tag = &svg[i..i + svg[i..].find("/>")?];
            let attr = |name: &str| -> Option<f64> {
                let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
                tag[at..at + tag[at..].find('"')?].parse().ok()
            };
            Some((attr("x")?, attr("width")?))
        })
        .collect();
    let bars: Vec<(f64, f64)> = rects
        .iter()
        .copied()
        .filter(|r| r.1 > 20.0 && r.1 < 400.0)
        .collect();
    assert!(!bars.is_empty(), "{rects:?}");
    // The bars' width: the most common width (labels' boxes differ).
    let w = bars
        .iter()
        .map(|b| b.1)
        .max_by_key(|w| bars.iter().filter(|b| (b.1 - w).abs() < 0.5).count())
        .unwrap();
    let bars: Vec<(f64, f64)> = bars.into_iter().filter(|b| (b.1 - w).abs() < 0.5).collect();
    let edges: Vec<f64> = bars.iter().flat_map(|b| [b.0, b.0 + b.1]).collect();
    let band = rects
        .iter()
        .find(|r| r.1 > w * 1.5 && r.1 < 1400.0)
        .expect("band");
    // It covers the p05 and p95 bars whole: p95 − p05 + 1 bars wide.
    let st = &r.totals["ships"].stats;
    let want = (st.p95 - st.p05 + 1.0) * w;
    assert!(
        (band.1 - want).abs() <= 2.0,
        "band {} px, want {want}",
        band.1
    );
    for e in [band.0, band.0 + band.1] {
        assert!(
            edges.iter().any(|x| (x - e).abs() <= 1.5),
            "band edge {e} not on a bar edge {edges:?}"
        );
    }
}

#[test]
fn the_marking_and_the_title_are_on_every_chart() {
    let r = run(SMALL, 2_000, 3, 1);
    let opts = Options {
        title: Some("Maritime options for the minister".into()),
        marking: Some("OFFICIAL-SENSITIVE".into()),
        labels: vec![],
    };
    for chart in Chart::ALL {
        let svg = charts::render_with(chart, &r, Format::Svg, &opts).unwrap();
        let svg = String::from_utf8(svg).unwrap();
        assert_eq!(svg.matches("OFFICIAL-SENSITIVE").count(), 2, "{chart:?}");
        assert!(
            svg.contains("Maritime options for the minister"),
            "{chart:?}"
        );
    }
    let plain = charts::render(Chart::Coverage, &r, Format::Svg).unwrap();
    assert!(!String::from_utf8(plain).unwrap().contains("OFFICIAL"));
}

#[test]
fn each_sweep_chart_is_named_after_what_it_varies() {
    let dir = scratch();
    let scen = write(dir.path(), "small.toml", SMALL);
    let charts_dir = dir.path().join("charts");
    for key in [
        "nations.A.participation=0.2,0.8",
        "nations.B.participation=0.2,0.8",
    ] {
        forcesim()
            .args([
                "sweep",
                "-n",
                "500",
                "-q",
                "--chart-format",
                "svg",
                "--vary",
                key,
            ])
            .arg(&scen)
            .arg("--charts")
            .arg(&charts_dir)
            .arg("--marking")
            .arg("OFFICIAL")
            .arg("--label")
            .arg("nations.A=Aldria")
            .assert()
            .success();
    }
    let a = charts_dir.join("sweep-nations.A.participation.svg");
    let b = charts_dir.join("sweep-nations.B.participation.svg");
    assert!(a.exists() && b.exists());
    let a = std::fs::read_to_string(a).unwrap();
    assert!(
        a.contains("How coverage changes with Aldria’s participation"),
        "title"
    );
    assert!(
        a.contains("Mine countermeasures"),
        "domain names in the legend"
    );
    assert_eq!(a.matches("\nOFFICIAL\n").count(), 2);
    assert!(!charts_dir.join("sweep.svg").exists());
}

#[test]
fn uncertain_requirements_read_as_ranges() {
    let text = SMALL.replace(
        "requirements = { ships = 3 }",
        "requirements = { ships = { triangular = [1, 3, 6] } }",
    );
    let r = run(&text, 20_000, 5, 1);
    let [lo, hi] = r.domains["sea"].capabilities["ships"]
        .required_p05_p95
        .expect("a range");
    assert!(lo < hi && lo >= 1.0 && hi <= 6.0, "{lo} {hi}");
    let table = forcesim::report::table::to_table(&r);
    assert!(table.contains(&format!("{lo}–{hi}")), "{table}");
    let svg = charts::render(Chart::Gaps, &r, Format::Svg).unwrap();
    let svg = String::from_utf8(svg).unwrap();
    assert!(svg.contains("ships required (p05–p95)"), "gaps chart");
    assert!(
        r.domains["mcm"].capabilities["ships"]
            .required_p05_p95
            .is_none()
    );
}

#[test]
fn labels_name_a_runs_charts_and_page_and_a_sensitivity_row() {
    let dir = scratch();
    let scen = write(dir.path(), "small.toml", SMALL);
    let (charts_dir, html) = (dir.path().join("charts"), dir.path().join("page.html"));
    let out = forcesim()
        .args(["run", "-n", "500", "-q", "--chart-format", "svg"])
        .arg(&scen)
        .arg("--charts")
        .arg(&charts_dir)
        .arg("--html")
        .arg(&html)
        .args(["--label", "domains.mcm=Minehunting"])
        .args(["--label", "nations.A=Aldria"])
        .args(["--label", "domains.mcn=Typo"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    let warning = "warning: --label domains.mcn: nothing drawn is named `domains.mcn` (did you mean `domains.mcm`?), so the label is not used\n";
    assert!(err.ends_with(warning), "{err}");
    assert_eq!(err.matches("--label").count(), 1, "{err}");
    let coverage = std::fs::read_to_string(charts_dir.join("coverage.svg")).unwrap();
    assert!(coverage.contains("Minehunting"), "domain label on coverage");
    assert!(
        !coverage.contains("Mine countermeasures"),
        "the label replaces the name"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Minehunting") && page.contains("Aldria"));
    // Sensitivity: a row is drawn with its label.
    let tornado = dir.path().join("sens");
    let out = forcesim()
        .args(["sensitivity", "-n", "500", "-q", "--chart-format", "svg"])
        .arg(&scen)
        .arg("--charts")
        .arg(&tornado)
        .args(["--label", "nations.A.decision=Aldria decides"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("--label"), "{err}");
    let chart = std::fs::read_to_string(tornado.join("sensitivity.svg")).unwrap();
    assert!(chart.contains("Aldria decides"), "row label");
    assert!(
        !chart.contains("nations.A.decision"),
        "the label replaces the key"
    );
}

#[test]
fn compare_and_sensitivity_charts_name_the_overrides_of_every_scenario() {
    let dir = scratch();
    let scen = write(dir.path(), "small.toml", SMALL);
    let set = "nations.C.participation=0.8";
    let (cmp, sens) = (dir.path().join("cmp"), dir.path().join("sens"));
    forcesim()
        .args(["compare", "-n", "500", "-q", "--chart-format", "svg"])
        .args(["--set", set, "--variant", "b: nations.B.participation=0.9"])
        .arg(&scen)
        .arg("--charts")
        .arg(&cmp)
        .assert()
        .success();
    forcesim()
        .args(["sensitivity", "-n", "500", "-q", "--chart-format", "svg"])
        .args(["--set", set])
        .arg(&scen)
        .arg("--charts")
        .arg(&sens)
        .assert()
        .success();
    for dir in [cmp, sens] {
        let chart = std::fs::read_dir(&dir)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let svg = std::fs::read_to_string(&chart).unwrap();
        assert!(svg.contains(&format!("--set {set}")), "{chart:?}");
        // A variant's own override is in its label, not the footer.
        assert!(!svg.contains("--set nations.B"), "{chart:?}");
    }
}

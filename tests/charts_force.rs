//! The whole force on gaps.png, the sweep's differences from its base in the
//! sweep's HTML, and tornado.png saying that its swing is an association.

mod common;

use std::path::{Path, PathBuf};

use common::{forcesim, run, scratch};
use forcesim::briefing::Fmt;
use forcesim::charts::format::{number, percent};
use forcesim::charts::{self, Chart, Format, Options};

/// Two domains and a whole-force requirement above the sum of theirs.
const WITH_FORCE: &str = r#"
[scenario]
name = "Two domains and a force"
[capabilities]
troops = { unit = "personnel" }
[domains.land]
name = "Land"
requirements = { troops = 100 }
[domains.air]
name = "Air"
requirements = { troops = 50 }
[force]
requirements = { troops = 230 }
[nations.A]
participation = 0.5
contributions.land.troops = 150
[nations.B]
participation = 0.7
contributions.air.troops = 100
"#;

fn gaps_svg(text: &str) -> (forcesim::Report, String) {
    let r = run(text, 5_000, 3, 1);
    let svg = charts::render(Chart::Gaps, &r, Format::Svg).expect("renders");
    (r, String::from_utf8(svg).expect("UTF-8"))
}

#[test]
fn gaps_show_the_whole_force_with_its_own_figures() {
    let (r, svg) = gaps_svg(WITH_FORCE);
    let force = &r.force.as_ref().expect("a force").capabilities["troops"];
    assert!(force.gap.p95 > 0.0, "the force falls short sometimes");
    assert!(
        svg.contains("By how much does each domain, and the whole force, fall short?"),
        "title"
    );
    assert!(
        svg.contains("Whole force: every domain together"),
        "heading"
    );
    // Only the force requires 230 troops: the row is the force's.
    assert!(svg.contains("230 personnel required"), "requirement");
    let figures = format!(
        "median {} · p75 {} · p95 {}",
        number(force.gap.p50),
        number(force.gap.p75),
        number(force.gap.p95)
    );
    assert!(svg.contains(&figures), "{figures}");
    let met = format!("personnel; met in {}", percent(force.p_met));
    assert!(svg.contains(&met), "{met}");
    // After the domains, as on timeline.png.
    let at = |s: &str| svg.find(s).unwrap_or_else(|| panic!("{s}"));
    assert!(at("Air") < at("Whole force") && at("Land") < at("Whole force"));
    // Drawing it again gives the same bytes.
    assert_eq!(svg, gaps_svg(WITH_FORCE).1);
}

#[test]
fn gaps_without_a_force_have_no_force_row() {
    let text = WITH_FORCE.replace("[force]\nrequirements = { troops = 230 }\n", "");
    let (r, svg) = gaps_svg(&text);
    assert!(r.force.is_none());
    assert!(svg.contains("By how much does each domain fall short?"));
    assert!(!svg.contains("Whole force") && !svg.contains("whole force"));
    assert!(!svg.contains("230 personnel required"));
}

#[test]
fn a_force_without_domain_requirements_still_has_its_row() {
    let text = WITH_FORCE
        .replace("requirements = { troops = 100 }\n", "")
        .replace("requirements = { troops = 50 }\n", "");
    let (_, svg) = gaps_svg(&text);
    assert!(svg.contains("Whole force: every domain together"));
    assert!(!svg.contains("No domain has a requirement"));
}

#[test]
fn the_tornado_says_its_swing_is_an_association_and_points_to_sensitivity() {
    let r = run(WITH_FORCE, 2_000, 3, 1);
    let svg = charts::render(Chart::Tornado, &r, Format::Svg).expect("renders");
    let svg = String::from_utf8(svg).unwrap();
    assert!(svg.contains("an association, not an effect"), "title");
    assert!(
        svg.contains("effects: forcesim sensitivity"),
        "axis caption"
    );
}

fn tutorial() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tutorial.toml")
}

/// The cells of each row (header cells included) of the table in section `id`.
fn table(html: &str, id: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let dom = tl::parse(html, tl::ParserOptions::default()).expect("parses");
    let p = dom.parser();
    let section = dom
        .get_element_by_id(id)
        .and_then(|h| h.get(p))
        .and_then(|n| n.as_tag())
        .unwrap_or_else(|| panic!("no section {id}"));
    let cells = |sel: &str| -> Vec<Vec<String>> {
        section
            .query_selector(p, "tr")
            .unwrap()
            .filter_map(|h| h.get(p).and_then(|n| n.as_tag()))
            .map(|tr| {
                tr.query_selector(p, sel)
                    .unwrap()
                    .filter_map(|h| h.get(p))
                    .map(|n| n.inner_text(p).into_owned())
                    .collect::<Vec<_>>()
            })
            .filter(|r| !r.is_empty())
            .collect()
    };
    let head = cells("th").into_iter().next().expect("a header row");
    (head, cells("td"))
}

/// Runs a one-axis sweep of the tutorial with `extra` flags: its JSON and HTML.
fn sweep(extra: &[&str]) -> (serde_json::Value, String) {
    let dir = scratch();
    let (json, html) = (dir.path().join("s.json"), dir.path().join("s.html"));
    forcesim()
        .arg("sweep")
        .arg(tutorial())
        .args(["--vary", "nations.BRV.participation=0:1:0.5", "-n", "2000"])
        .args(["--seed", "7", "-q"])
        .args(extra)
        .arg("--json")
        .arg(&json)
        .arg("--html")
        .arg(&html)
        .assert()
        .success();
    let json = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    (json, std::fs::read_to_string(html).unwrap())
}

/// Whether `cell` is `x` as the HTML writes it in `fmt`. serde_json reads a
/// number back to within a few bits of the one written, so the figures a few
/// steps either side of `x` count too.
fn shows(cell: &str, x: f64, fmt: Fmt) -> bool {
    let (mut up, mut down) = (x, x);
    let mut near = vec![x];
    for _ in 0..4 {
        (up, down) = (up.next_up(), down.next_down());
        near.extend([up, down]);
    }
    near.iter()
        .any(|&v| forcesim::briefing::html::number(v, fmt) == cell)
}

/// The point's difference from the base in `figure`: (difference, interval).
fn delta(point: &serde_json::Value, figure: &str) -> (f64, Option<[f64; 2]>) {
    let d = point["vs_base"]
        .as_array()
        .expect("vs_base")
        .iter()
        .find(|d| d["figure"] == figure)
        .unwrap_or_else(|| panic!("no {figure}"));
    let ci = d["ci95"].as_array().map(|c| {
        let v: Vec<f64> = c.iter().map(|x| x.as_f64().unwrap()).collect();
        [v[0], v[1]]
    });
    (d["difference"].as_f64().unwrap(), ci)
}

#[test]
fn a_sweep_html_shows_each_point_against_the_base_as_the_json() {
    let (json, html) = sweep(&[]);
    let points = json["points"].as_array().unwrap();
    let (head, rows) = table(&html, "points");
    let col = |name: &str| head.iter().position(|h| h == name).expect(name);
    let (d, lo, hi) = (
        col("vs base"),
        col("vs base 95 % CI low"),
        col("vs base 95 % CI high"),
    );
    assert_eq!(rows.len(), points.len());
    for (row, point) in rows.iter().zip(points) {
        let (diff, ci) = delta(point, "p_all_covered");
        let [l, h] = ci.expect("P(all covered) has a paired interval");
        for (cell, x) in [(&row[d], diff), (&row[lo], l), (&row[hi], h)] {
            assert!(
                cell.ends_with(" pp") && shows(cell, x, Fmt::Points),
                "{row:?}"
            );
        }
    }
    // Borvia at 1 gains on the base (0.85), at 0 it loses.
    assert!(rows[0][d].starts_with('-') && rows[2][d].starts_with('+'));
    // Every figure's difference, with its interval where the JSON has one.
    let (head, rows) = table(&html, "figures");
    let col = |name: &str| head.iter().position(|h| h == name).expect(name);
    let (f, v, d, lo, hi) = (
        col("figure"),
        col("value"),
        col("vs base"),
        col("vs base 95 % CI low"),
        col("vs base 95 % CI high"),
    );
    for (k, point) in points.iter().enumerate() {
        let value = point["values"][0].to_string();
        let mine: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == value).collect();
        assert_eq!(
            mine.len(),
            point["vs_base"].as_array().unwrap().len(),
            "{k}"
        );
        for row in mine {
            let (diff, ci) = delta(point, &row[f]);
            // Proportions differ in points, amounts in their unit.
            let fmt = if row[v].ends_with(" %") {
                Fmt::Points
            } else {
                Fmt::Amount
            };
            let [l, h] = ci.unwrap_or([f64::NAN; 2]);
            for (cell, x) in [(&row[d], diff), (&row[lo], l), (&row[hi], h)] {
                assert!(shows(cell, x, fmt), "{row:?}: {x}");
            }
        }
    }
    assert!(html.contains("vs base: each point's difference from the base scenario"));
    let (_, summary) = table(&html, "summary");
    let base = json["base"]["p_all_covered"].as_f64().unwrap();
    assert!(summary.contains(&vec![
        "base (no --vary value): P(all covered)".to_string(),
        forcesim::present::pct(base)
    ]));
}

#[test]
fn an_unpaired_sweep_html_has_no_base_columns() {
    let (json, html) = sweep(&["--unpaired"]);
    assert!(json.get("base").is_none());
    let (head, _) = table(&html, "points");
    assert!(!head.iter().any(|h| h.contains("vs base")), "{head:?}");
    let (head, _) = table(&html, "figures");
    assert!(!head.iter().any(|h| h.contains("vs base")), "{head:?}");
    assert!(!html.contains("base (no --vary value)"));
}

#[test]
fn the_tornado_says_association_under_a_title_of_its_own() {
    let r = run(WITH_FORCE, 2_000, 3, 1);
    let opts = Options {
        title: Some("Who matters".into()),
        ..Default::default()
    };
    let svg = charts::render_with(Chart::Tornado, &r, Format::Svg, &opts).expect("renders");
    let svg = String::from_utf8(svg).unwrap();
    assert!(svg.contains("Who matters") && !svg.contains("not an effect"));
    assert!(
        svg.contains("an association; effects: forcesim sensitivity"),
        "axis caption"
    );
}

//! `--html`: one self-contained file, checked by an HTML parser in every run
//! and rendered by headless Chromium where it is installed.

mod common;

use std::path::Path;

use common::{forcesim, scratch, write};
use sha2::{Digest, Sha256};

const EVERY: &str = forcesim::synth::EVERY_FORM;

fn run_html(dir: &Path, scenario: &Path, extra: &[&str]) -> String {
    let html = dir.join("r.html");
    forcesim()
        .args(["run", "-n", "20000", "--seed", "7", "-q", "--html"])
        .arg(&html)
        .args(extra)
        .arg(scenario)
        .assert()
        .success();
    std::fs::read_to_string(html).expect("html written")
}

fn texts(dom: &tl::VDom<'_>, selector: &str) -> Vec<String> {
    let p = dom.parser();
    dom.query_selector(selector)
        .map(|it| {
            it.filter_map(|h| h.get(p))
                .map(|n| n.inner_text(p).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The inner texts of the elements matching `selector` inside the element with id `id`.
fn texts_in(dom: &tl::VDom<'_>, id: &str, selector: &str) -> Vec<String> {
    let p = dom.parser();
    let Some(tag) = dom
        .get_element_by_id(id)
        .and_then(|h| h.get(p))
        .and_then(|n| n.as_tag())
    else {
        return Vec::new();
    };
    tag.query_selector(p, selector)
        .map(|it| {
            it.filter_map(|h| h.get(p))
                .map(|n| n.inner_text(p).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn count(dom: &tl::VDom<'_>, selector: &str) -> usize {
    dom.query_selector(selector).map_or(0, |it| it.count())
}

#[test]
fn the_html_holds_every_table_chart_and_the_provenance_and_loads_nothing() {
    let dir = scratch();
    let s = write(dir.path(), "s.toml", EVERY);
    let html = run_html(dir.path(), &s, &["--set", "nations.A.participation=0.6"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    let dom = tl::parse(&html, tl::ParserOptions::default()).expect("parses");
    // Phone and print.
    let metas = dom.query_selector("meta[name=viewport]").unwrap().count();
    assert_eq!(metas, 1);
    let style = texts(&dom, "style").join("");
    assert!(style.contains("@media print"), "{style}");
    assert!(style.contains("overflow-x:auto"));
    // Nothing from elsewhere: no script, link, img, iframe or remote reference.
    for tag in ["script", "link", "img", "iframe", "object", "embed"] {
        assert_eq!(count(&dom, tag), 0, "<{tag}> in the HTML");
    }
    assert!(
        !html.contains("http://")
            || !html
                .replace("http://www.w3.org/2000/svg", "")
                .contains("http://")
    );
    assert!(!html.contains("https://"));
    assert!(!html.contains("@import") && !html.contains("url("));
    // Every table, and every chart that applies, inline.
    for id in [
        "summary",
        "totals",
        "thresholds",
        "domains",
        "capabilities",
        "leads",
        "nations",
        "conditions",
        "timeline",
        "charts",
        "assumptions",
    ] {
        assert_eq!(count(&dom, &format!("section#{id}")), 1, "section {id}");
    }
    let model = forcesim::scenario::parse("s.toml", EVERY, &[]).unwrap();
    let run = forcesim::simulate(
        &model,
        &forcesim::RunOptions {
            trials: 1000,
            seed: 1,
            threads: 1,
            ..Default::default()
        },
    )
    .unwrap();
    let charts = forcesim::charts::Chart::ALL
        .iter()
        .filter(|c| c.applies_to(&run.report))
        .count();
    assert_eq!(count(&dom, "figure"), charts);
    assert_eq!(count(&dom, "svg"), charts);
    // Provenance: seed, trials, override, version and the scenario's SHA-256.
    let summary = texts_in(&dom, "summary", "td").join("|");
    let sha: String = Sha256::digest(EVERY.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    for want in [
        "20,000",
        "|7|",
        "nations.A.participation=0.6",
        forcesim::VERSION,
        sha.as_str(),
    ] {
        assert!(summary.contains(want), "{want} not in {summary}");
    }
    // The annex lists inputs with their sources, flagged rows marked.
    let annex = texts_in(&dom, "assumptions", "td").join("|");
    assert!(annex.contains("nations.A.participation"), "{annex}");
    assert!(!texts_in(&dom, "assumptions", ".flag").is_empty());
}

#[test]
fn names_cannot_open_elements_in_the_html() {
    let dir = scratch();
    let s = write(dir.path(), "s.toml", EVERY);
    let name = "scenario.name=\"<script>alert(1)</script> & \\u001b[31m\"";
    let html = run_html(dir.path(), &s, &["--set", name]);
    let dom = tl::parse(&html, tl::ParserOptions::default()).expect("parses");
    assert_eq!(count(&dom, "script"), 0);
    assert!(!html.contains('\x1b'));
    assert!(html.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt; &amp; \\x1b[31m</h1>"));
}

#[test]
fn a_merged_run_writes_the_same_html_as_the_single_run() {
    let dir = scratch();
    let d = dir.path();
    let s = write(d, "s.toml", EVERY);
    merged_matches(d, &s);
    // A scenario that extends another: its partials embed the merged document,
    // and the page still quotes the file itself (its SHA-256, its annex).
    let child = "[scenario]\nextends = \"s.toml\"\nname = \"Child\"\n";
    merged_matches(d, &write(d, "c.toml", child));
}

/// The HTML and CSV of `merge` of two shards of `s` are those of the single run.
fn merged_matches(d: &Path, s: &Path) {
    let single = run_html(d, s, &[]);
    let csv = d.join("single.csv");
    forcesim()
        .args(["run", "-n", "20000", "--seed", "7", "-q", "--csv"])
        .arg(&csv)
        .arg(s)
        .assert()
        .success();
    let mut parts = Vec::new();
    for shard in ["1/2", "2/2"] {
        let p = d.join(format!("p{}.fsp", &shard[..1]));
        forcesim()
            .args([
                "run",
                "-n",
                "20000",
                "--seed",
                "7",
                "-q",
                "--shard",
                shard,
                "--partial",
            ])
            .arg(&p)
            .arg(s)
            .assert()
            .success();
        parts.push(p);
    }
    let (merged, merged_csv) = (d.join("m.html"), d.join("m.csv"));
    forcesim()
        .arg("merge")
        .args(&parts)
        .args(["-q", "--html"])
        .arg(&merged)
        .arg("--csv")
        .arg(&merged_csv)
        .assert()
        .success();
    // The scenario path is the same (as given), so the files match.
    assert_eq!(std::fs::read_to_string(merged).unwrap(), single, "{s:?}");
    assert_eq!(
        std::fs::read(merged_csv).unwrap(),
        std::fs::read(csv).unwrap(),
        "{s:?}"
    );
}

#[test]
fn commands_without_an_html_output_refuse_the_flag() {
    let dir = scratch();
    let s = write(dir.path(), "s.toml", EVERY);
    let out = forcesim()
        .args(["secure", "--target", "0.5", "-n", "1000", "--html"])
        .arg(dir.path().join("x.html"))
        .arg(&s)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("secure writes no HTML"));
}

/// Renders the HTML with headless Chromium (skipped, saying so, where it is
/// not installed) and checks that a full-page PNG came out.
#[test]
fn chromium_renders_the_html() {
    let Some(browser) = common::chromium() else {
        eprintln!("skipped: no chromium on PATH (apt-get install chromium)");
        return;
    };
    let dir = scratch();
    let s = write(dir.path(), "s.toml", EVERY);
    run_html(dir.path(), &s, &[]);
    let (html, png) = (dir.path().join("r.html"), dir.path().join("shot.png"));
    common::screenshot(browser, &html, &png);
}

#[test]
fn rows_read_from_wide_bins_carry_their_bound() {
    let dir = scratch();
    let d = dir.path();
    let wide = EVERY.replace(
        "contributions.sea.ships = { uniform = [1, 4] }",
        "contributions.sea.ships = { uniform = [1, 100000000000] }",
    );
    assert_ne!(wide, EVERY);
    let s = write(d, "w.toml", &wide);
    let html = run_html(d, &s, &[]);
    assert!(html.contains("within (±)"), "the bound's column");
    let plain = write(d, "e.toml", EVERY);
    assert!(!run_html(d, &plain, &[]).contains("within (±)"));
}

//! `--html` on `sweep`, `compare` and `sensitivity`: one self-contained file
//! with the command's tables (the same figures as its terminal table), its
//! chart inline as SVG, the assumptions annex and the provenance, checked by
//! an HTML parser.

mod common;

use std::path::{Path, PathBuf};

use common::{forcesim, scratch, write};

fn tutorial() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tutorial.toml")
}

const MARKING: &str = "OFFICIAL-SENSITIVE";

/// Runs `forcesim ARGS --html DIR/out.html --marking …`: the table printed and the HTML.
fn run_html(dir: &Path, args: &[&str]) -> (String, String) {
    let html = dir.join("out.html");
    let out = forcesim()
        .args(args)
        .args(["-n", "2000", "--seed", "7", "--marking", MARKING, "--html"])
        .arg(&html)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    (text, std::fs::read_to_string(html).expect("html written"))
}

fn count(dom: &tl::VDom<'_>, selector: &str) -> usize {
    dom.query_selector(selector).map_or(0, |it| it.count())
}

/// The cells of each body row of the table in the section with id `id`.
fn rows(dom: &tl::VDom<'_>, id: &str) -> Vec<Vec<String>> {
    let p = dom.parser();
    let section = dom
        .get_element_by_id(id)
        .and_then(|h| h.get(p))
        .and_then(|n| n.as_tag())
        .unwrap_or_else(|| panic!("no section {id}"));
    let body = section
        .query_selector(p, "tbody")
        .and_then(|mut it| it.next())
        .and_then(|h| h.get(p))
        .and_then(|n| n.as_tag())
        .expect("a table body");
    body.query_selector(p, "tr")
        .unwrap()
        .filter_map(|h| h.get(p).and_then(|n| n.as_tag()))
        .map(|tr| {
            tr.query_selector(p, "td")
                .unwrap()
                .filter_map(|h| h.get(p))
                .map(|n| n.inner_text(p).into_owned())
                .collect()
        })
        .collect()
}

/// What every page must be: a parsed document with phone and print rules,
/// nothing loaded from elsewhere, `charts` SVG charts inline, the marking at
/// the top and the bottom and on the charts, the provenance and the annex.
fn check_page(html: &str, charts: usize) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    let dom = tl::parse(html, tl::ParserOptions::default()).expect("parses");
    assert_eq!(count(&dom, "meta[name=viewport]"), 1);
    assert!(html.contains("@media print") && html.contains("@media (max-width:40rem)"));
    for tag in ["script", "link", "img", "iframe", "object", "embed"] {
        assert_eq!(count(&dom, tag), 0, "<{tag}> in the HTML");
    }
    let without_ns = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!without_ns.contains("http://") && !html.contains("https://"));
    assert!(!html.contains("@import") && !html.contains("url("));
    assert_eq!(count(&dom, "figure"), charts);
    assert_eq!(count(&dom, "svg"), charts);
    assert_eq!(html.matches("<figure id=\"chart-").count(), charts);
    for fig in html.split("<figure ").skip(1) {
        assert!(fig.starts_with("id=\"chart-") && fig.contains("><svg "));
        assert!(fig.contains(MARKING), "the marking is not on the chart");
    }
    assert_eq!(count(&dom, "div.marking"), 2);
    assert!(html.contains("<body>\n<div class=\"marking\""));
    assert!(html.ends_with(&format!("{MARKING}</div>\n</body>\n</html>\n")));
    let summary = rows(&dom, "summary");
    let item = |k: &str| {
        summary
            .iter()
            .find(|r| r[0] == k)
            .map(|r| r[1].clone())
            .unwrap_or_else(|| panic!("no {k} in the summary"))
    };
    let sha = forcesim::briefing::sha256_hex(std::fs::read(tutorial()).unwrap());
    assert_eq!(item("scenario SHA-256"), sha);
    assert_eq!(item("forcesim version"), forcesim::VERSION);
    assert_eq!(item("seed"), "7");
    let annex = rows(&dom, "assumptions");
    assert!(annex.iter().any(|r| r[0] == "nations.BRV.participation"));
    assert!(annex.len() > 5, "{annex:?}");
    // Every flagged row ("assumption" or "no source") is marked.
    let flagged = annex.iter().filter(|r| !r[3].is_empty()).count();
    assert_eq!(count(&dom, "tr.flag"), flagged);
}

/// The lines of `text` after the one starting (trimmed) with `head`, up to a blank line.
fn table_lines<'a>(text: &'a str, head: &str) -> Vec<&'a str> {
    text.lines()
        .skip_while(|l| !l.trim_start().starts_with(head))
        .skip(1)
        .take_while(|l| {
            let l = l.trim_start();
            !l.is_empty() && !l.starts_with('(') && !l.starts_with("base (")
        })
        .collect()
}

#[test]
fn a_sweep_html_holds_the_figures_of_its_table_with_their_intervals() {
    let dir = scratch();
    let s = tutorial();
    let (text, html) = run_html(
        dir.path(),
        &[
            "sweep",
            s.to_str().unwrap(),
            "--vary",
            "nations.BRV.participation=0:1:0.5",
        ],
    );
    check_page(&html, 1);
    assert!(html.contains("<figcaption>sweep-nations.BRV.participation.svg</figcaption>"));
    let dom = tl::parse(&html, tl::ParserOptions::default()).unwrap();
    let points = rows(&dom, "points");
    let lines = table_lines(&text, "value");
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(points.len(), 3);
    for (line, row) in lines.iter().zip(&points) {
        // "0.5  30.4 %  28.5–32.5 %  52.5 %  32.5 %" → value, P, CI low, CI high, domains.
        let mut want = Vec::new();
        // The difference from the base ("+7.4 pp (+6.3 to +8.5)") follows the
        // interval, as three cells: the difference and its paired interval.
        let mut vs_base = Vec::new();
        let line = match (line.find(" pp ("), line.find(')')) {
            (Some(a), Some(b)) => {
                let start = line[..a].rfind(' ').unwrap_or(a);
                let (lo, hi) = line[a + 5..b].split_once(" to ").unwrap();
                vs_base = [&line[start + 1..a], lo, hi]
                    .map(|x| format!("{x} pp"))
                    .to_vec();
                format!("{}{}", &line[..start], &line[b + 1..])
            }
            _ => line.to_string(),
        };
        let tokens: Vec<&str> = line.split_whitespace().collect();
        want.push(tokens[0].to_string());
        let mut k = 1;
        while k < tokens.len() {
            match tokens[k].split_once('–') {
                Some((lo, hi)) => want.extend([format!("{lo} %"), format!("{hi} %")]),
                None => want.push(format!("{} %", tokens[k])),
            }
            k += 2;
        }
        assert_eq!(vs_base.len(), 3, "{line}");
        want.splice(4..4, vs_base);
        assert_eq!(row, &want, "{line}");
    }
    // Every figure of every point, each proportion with its interval.
    let figures = rows(&dom, "figures");
    let land: Vec<&Vec<String>> = figures
        .iter()
        .filter(|r| r[1] == "domains.land.p_covered")
        .collect();
    assert_eq!(land.len(), 3);
    assert!(
        land.iter()
            .all(|r| r[3].ends_with(" %") && r[4].ends_with(" %"))
    );
}

#[test]
fn a_two_way_sweep_html_has_the_decision_table() {
    let dir = scratch();
    let s = tutorial();
    let (text, html) = run_html(
        dir.path(),
        &[
            "sweep",
            s.to_str().unwrap(),
            "--vary",
            "nations.BRV.participation=0:1:0.5",
            "--vary",
            "domains.land.requirements.troops=1000,3000",
        ],
    );
    check_page(&html, 1);
    let dom = tl::parse(&html, tl::ParserOptions::default()).unwrap();
    let grid = rows(&dom, "grid");
    let lines = table_lines(&text, "1000");
    assert_eq!(lines.len(), 3, "{text}");
    for (line, row) in lines.iter().zip(&grid) {
        let t: Vec<&str> = line.split_whitespace().collect();
        let want = [
            t[0].to_string(),
            format!("{} %", t[1]),
            format!("{} %", t[3]),
        ];
        assert_eq!(row, &want, "{line}");
    }
    assert_eq!(rows(&dom, "points").len(), 6);
}

#[test]
fn a_compare_html_holds_each_difference_and_its_interval() {
    let dir = scratch();
    let s = tutorial();
    let (text, html) = run_html(
        dir.path(),
        &[
            "compare",
            s.to_str().unwrap(),
            "--variant",
            "no-brv: nations.BRV.participation=0",
            "--title",
            "Without Borvia",
        ],
    );
    check_page(&html, 1);
    assert!(html.contains("<h1>Without Borvia</h1>\n<p class=\"meta\">scenario: Tutorial: "));
    let dom = tl::parse(&html, tl::ParserOptions::default()).unwrap();
    let diffs = rows(&dom, "differences");
    let lines = table_lines(&text, "figure");
    assert!(lines.len() >= 5, "{text}");
    for line in lines {
        // "p_all_covered  50.8 %  0.0 %  -50.8 pp [-53.0, -48.6]*"
        let (head, ci) = line.rsplit_once('[').unwrap();
        let t: Vec<&str> = head.split_whitespace().collect();
        let figure = t[0];
        let base = rows_of(&diffs, figure, "tutorial");
        let variant = rows_of(&diffs, figure, "no-brv");
        let pct = t.len() == 7;
        let (bv, vv, d) = if pct {
            (
                format!("{} %", t[1]),
                format!("{} %", t[3]),
                format!("{} pp", t[5]),
            )
        } else {
            (t[1].to_string(), t[2].to_string(), t[3].to_string())
        };
        assert_eq!(base[2], bv, "{line}");
        assert_eq!(variant[2], vv, "{line}");
        assert_eq!(variant[3], d, "{line}");
        let ci = ci.trim_end_matches(['*', ' ']).trim_end_matches(']');
        let (lo, hi) = ci.split_once(", ").unwrap();
        assert_eq!(variant[4].trim_end_matches(" pp"), lo, "{line}");
        assert_eq!(variant[5].trim_end_matches(" pp"), hi, "{line}");
        assert_eq!(variant[6], if line.ends_with('*') { "yes" } else { "no" });
    }
    let scenarios = rows(&dom, "scenarios");
    assert_eq!(scenarios.len(), 2);
    assert_eq!(scenarios[1][5], "nations.BRV.participation=0");
}

fn rows_of<'a>(rows: &'a [Vec<String>], figure: &str, label: &str) -> &'a Vec<String> {
    rows.iter()
        .find(|r| r[0] == figure && r[1] == label)
        .unwrap_or_else(|| panic!("no row {figure} {label}"))
}

#[test]
fn a_sensitivity_html_holds_every_row_with_its_paired_interval() {
    let dir = scratch();
    let s = tutorial();
    let (text, html) = run_html(dir.path(), &["sensitivity", s.to_str().unwrap()]);
    check_page(&html, 1);
    assert!(html.contains("<figcaption>sensitivity.svg</figcaption>"));
    let dom = tl::parse(&html, tl::ParserOptions::default()).unwrap();
    let table = rows(&dom, "inputs");
    let lines = table_lines(&text, "rank");
    assert!(lines.len() >= 5, "{text}");
    assert_eq!(table.len(), lines.len());
    for (line, row) in lines.iter().zip(&table) {
        // "1  nations.BRV.decision ("out" / "in")  0.0 %  72.6 %  +72.6 pp  [+70.6 pp, +74.6 pp]"
        let line = line.replace('−', "-");
        let (head, ci) = line.rsplit_once('[').unwrap();
        let t: Vec<&str> = head.split_whitespace().collect();
        let n = t.len();
        assert_eq!(row[1], t[0]);
        assert_eq!(row[2], t[1]);
        assert_eq!(row[6], format!("{} %", t[n - 6]), "{line}");
        assert_eq!(row[8], format!("{} %", t[n - 4]), "{line}");
        assert_eq!(row[9], format!("{} pp", t[n - 2]), "{line}");
        let (lo, hi) = ci.trim_end_matches(']').split_once(", ").unwrap();
        assert_eq!((row[10].as_str(), row[11].as_str()), (lo, hi), "{line}");
    }
}

#[test]
fn each_command_lists_html_in_its_help() {
    for cmd in ["sweep", "compare", "sensitivity"] {
        let out = forcesim().args([cmd, "--help"]).output().unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains("--html <PATH>"), "{cmd}: {help}");
        assert!(help.contains("self-contained HTML"), "{cmd}: {help}");
    }
}

#[test]
fn the_html_never_overwrites_an_input_and_shares_stdout_with_nothing() {
    let dir = scratch();
    let text = std::fs::read_to_string(tutorial()).unwrap();
    let s = write(dir.path(), "s.toml", &text);
    let out = forcesim()
        .args(["sensitivity", "-n", "1000", "--html"])
        .arg(&s)
        .arg(&s)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("would overwrite the input"));
    assert_eq!(std::fs::read_to_string(&s).unwrap(), text);
    let out = forcesim()
        .args(["compare", "-n", "1000", "--json", "-", "--html", "-"])
        .arg(&s)
        .args(["--variant", "nations.BRV.participation=0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot all write to standard output"));
}

#[test]
fn the_html_goes_to_standard_output_with_a_dash() {
    let s = tutorial();
    let out = forcesim()
        .args(["sweep", "-q", "-n", "1000", "--html", "-", "--vary"])
        .arg("nations.BRV.participation=0,1")
        .arg(&s)
        .output()
        .unwrap();
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
}

#[test]
fn secure_still_refuses_html() {
    let s = tutorial();
    let out = forcesim()
        .args([
            "secure", "--target", "0.5", "-n", "1000", "--html", "x.html",
        ])
        .arg(&s)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("secure writes no HTML"), "{err}");
    // Nor does it take the options of charts and pages, which would do nothing.
    for flag in [
        ["--title", "T"],
        ["--marking", "M"],
        ["--label", "domains.d=D"],
    ] {
        let out = forcesim()
            .args(["secure", "--target", "0.5", "-n", "1000"])
            .args(flag)
            .arg(&s)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("secure draws no chart and writes no page"),
            "{err}"
        );
    }
    let help = forcesim().args(["secure", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        !help.contains("--title") && !help.contains("--marking"),
        "{help}"
    );
}

#[test]
fn run_html_honours_title_and_marking_as_the_what_if_pages_do() {
    let dir = scratch();
    let html = dir.path().join("r.html");
    forcesim()
        .args(["run", "-q", "-n", "2000", "--seed", "7", "--title", "Brief"])
        .args(["--marking", MARKING, "--html"])
        .arg(&html)
        .arg(tutorial())
        .assert()
        .success();
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("<title>Brief</title>") && html.contains("<h1>Brief</h1>"));
    let dom = tl::parse(&html, tl::ParserOptions::default()).unwrap();
    assert_eq!(count(&dom, "div.marking"), 2);
    let figures = html.split("<figure ").skip(1).count();
    assert!(figures >= 5);
    for fig in html.split("<figure ").skip(1) {
        assert!(fig.contains(MARKING) && fig.contains("Brief"));
    }
}

#[test]
fn a_compare_of_two_files_lists_the_annex_and_the_sha256_of_each() {
    let dir = scratch();
    let text = std::fs::read_to_string(tutorial()).unwrap();
    let other = text.replace(
        "\"illustration: a small partner that follows Arland\"",
        "\"working assumption: a small partner\"",
    );
    assert_ne!(other, text);
    let a = write(dir.path(), "a.toml", &text);
    let b = write(dir.path(), "b.toml", &other);
    let html = dir.path().join("c.html");
    forcesim()
        .args(["compare", "-q", "-n", "1000", "--html"])
        .arg(&html)
        .args([&a, &b])
        .assert()
        .success();
    let html = std::fs::read_to_string(html).unwrap();
    let dom = tl::parse(&html, tl::ParserOptions::default()).unwrap();
    let shas: Vec<String> = rows(&dom, "scenarios")
        .into_iter()
        .map(|r| r[4].clone())
        .collect();
    assert_eq!(
        shas,
        [&text, &other].map(forcesim::briefing::sha256_hex).to_vec()
    );
    let annex = rows(&dom, "assumptions");
    let of = |file: &Path| {
        annex
            .iter()
            .filter(|r| r[0] == file.display().to_string())
            .count()
    };
    assert!(of(&a) > 5 && of(&a) == of(&b), "{annex:?}");
    // The second file's CLD rows cite the working assumption and are flagged.
    assert!(annex.iter().any(|r| r[0] == b.display().to_string()
        && r[1].starts_with("nations.CLD.")
        && r[4] == "assumption"));
    assert!(!annex.iter().any(|r| r[0] == a.display().to_string()
        && r[4] == "assumption"
        && r[1].starts_with("nations.CLD.participation")));
}

#[test]
fn sensitivity_refuses_a_workbook_rather_than_ignoring_it() {
    let out = forcesim()
        .args(["sensitivity", "-n", "1000", "--xlsx", "x.xlsx"])
        .arg(tutorial())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sensitivity writes no workbook"), "{err}");
}

/// Renders each what-if page with headless Chromium at a phone's width (skipped,
/// saying so, where Chromium is not installed) and checks that a page came out.
#[test]
fn chromium_renders_each_what_if_page() {
    let Some(browser) = common::chromium() else {
        eprintln!("skipped: no chromium on PATH (apt-get install chromium)");
        return;
    };
    let t = tutorial();
    let t = t.to_str().unwrap();
    let commands: [&[&str]; 3] = [
        &["sweep", t, "--vary", "nations.ARL.participation=0:1:0.5"],
        &[
            "compare",
            t,
            "--variant",
            "no-ally: conditions.ally_support.probability=0",
        ],
        &["sensitivity", t, "--inputs", "nations"],
    ];
    for args in commands {
        let dir = scratch();
        run_html(dir.path(), args);
        let (html, png) = (dir.path().join("out.html"), dir.path().join("shot.png"));
        common::screenshot(browser, &html, &png);
    }
}

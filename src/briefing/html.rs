//! One self-contained HTML file: the summary tables, every chart inline as SVG,
//! the assumptions annex, and the run's provenance (overrides, seed, trials,
//! forcesim version, the scenario's SHA-256).
//!
//! Nothing is loaded from elsewhere: no script, no font, no image file; the
//! style sheet is inline, with print rules and a layout that reads on a phone
//! (tables scroll sideways inside their box). A Content-Security-Policy forbids
//! any fetch. Every text from the scenario is escaped ([`text`]).

use std::fmt::Write;

use super::{Briefing, Cell, Fmt, Table};
use crate::charts::{self, Chart, Format, Options};
use crate::present::{escape, pct, pp, thousands};

const STYLE: &str = "\
:root{--ink:#1d2733;--muted:#5b6672;--line:#d5dbe1;--flag:#fff3cd;--head:#eef2f6}
*{box-sizing:border-box}
body{margin:0 auto;max-width:72rem;padding:1rem;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:var(--ink)}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.2rem;margin:1.6rem 0 .5rem;border-bottom:2px solid var(--line)}
.meta{color:var(--muted);margin:.2rem 0}.meta code{word-break:break-all}
nav a{margin-right:.8rem;white-space:nowrap}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;font-size:.9rem;min-width:50%}
th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:var(--head)}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.flag td{background:var(--flag)}
figure{margin:1rem 0;page-break-inside:avoid;break-inside:avoid}
figure svg{width:100%;height:auto;display:block}
figcaption{color:var(--muted);font-size:.85rem}
footer{margin-top:2rem;color:var(--muted);font-size:.8rem}
@media (max-width:40rem){body{padding:.5rem;font-size:14px}h1{font-size:1.3rem}th,td{padding:.2rem .3rem;max-width:13rem}}
@media print{body{max-width:none;padding:0;font-size:10pt}nav{display:none}a{color:inherit;text-decoration:none}
section{break-inside:auto}h2{break-after:avoid}table{font-size:8.5pt}.scroll{overflow:visible}
figure{break-inside:avoid}tr{break-inside:avoid}}
";

/// Text for HTML: control characters written visibly (`\x1b`), then `&`, `<`,
/// `>`, `"` and `'` as entities, so that a name can neither open an element
/// nor leave an attribute.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in escape(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number as shown in the HTML (a dash when no trial gave it).
pub fn number(v: f64, f: Fmt) -> String {
    if v.is_nan() {
        return "—".into();
    }
    match f {
        Fmt::Percent => pct(v),
        Fmt::Points => pp(v),
        Fmt::Thousands => thousands(v),
        Fmt::Count => format!("{v:.0}"),
        Fmt::Amount => crate::present::amount(v),
    }
}

/// One HTML page of the briefing: a heading, lines under it, tables, charts
/// and the assumptions annex. Every command's HTML is written through it, so
/// that escaping, layout, print rules and the marking are the same everywhere.
pub struct Page {
    /// Title of the document and its heading (plain text, escaped here).
    pub title: String,
    /// Lines of HTML under the heading (already escaped by the caller).
    pub header: Vec<String>,
    /// The tables; the one named `assumptions` is put after the charts, tables
    /// without a row are left out.
    pub tables: Vec<Table>,
    /// The charts, drawn.
    pub charts: Vec<Drawn>,
    /// Said in place of the charts when there is nothing to draw.
    pub no_charts: Option<&'static str>,
    /// The footer's HTML (already escaped by the caller).
    pub footer: String,
    /// `--marking`: printed at the top and the bottom of the page.
    pub marking: Option<String>,
}

/// One chart of a page.
pub struct Drawn {
    /// Its element id (`chart-…`).
    pub id: String,
    /// The SVG file's bytes, or why it could not be drawn.
    pub svg: Result<Vec<u8>, charts::ChartError>,
    /// Its caption (the file name `--charts` gives it).
    pub caption: String,
}

/// The page as one HTML document.
pub fn page(p: &Page) -> String {
    let mut o = String::new();
    let title = text(&p.title);
    head(&mut o, &title);
    marking(&mut o, p.marking.as_deref());
    let _ = writeln!(o, "<header><h1>{title}</h1>");
    for line in &p.header {
        let _ = writeln!(o, "{line}");
    }
    o.push_str("</header>\n<nav>");
    let shown: Vec<&Table> = p.tables.iter().filter(|t| !t.rows.is_empty()).collect();
    for t in &shown {
        let _ = write!(o, "<a href=\"#{}\">{}</a> ", t.name, t.title);
    }
    o.push_str("<a href=\"#charts\">Charts</a></nav>\n<main>\n");
    for t in shown.iter().filter(|t| t.name != "assumptions") {
        table(&mut o, t);
    }
    charts_section(&mut o, &p.charts, p.no_charts);
    if let Some(t) = shown.iter().find(|t| t.name == "assumptions") {
        table(&mut o, t);
    }
    let _ = writeln!(o, "</main>\n<footer>{}</footer>", p.footer);
    marking(&mut o, p.marking.as_deref());
    o.push_str("</body>\n</html>\n");
    o
}

/// The protective marking, as a banner (nothing without one).
fn marking(o: &mut String, m: Option<&str>) {
    if let Some(m) = m {
        let _ = writeln!(
            o,
            "<div class=\"marking\" style=\"text-align:center;font-weight:700;letter-spacing:.05em;border:2px solid currentColor;padding:.2rem;margin:.3rem 0\">{}</div>",
            text(m)
        );
    }
}

/// The briefing as one HTML document.
pub fn to_html(b: &Briefing<'_>) -> String {
    to_html_with(b, &Options::default())
}

/// [`to_html`] with `--title` (the page's heading and every chart's title),
/// `--marking` (at the top and the bottom of the page and on every chart) and
/// `--label`, as `--charts` draws them.
pub fn to_html_with(b: &Briefing<'_>, opts: &Options) -> String {
    let r = b.report;
    let sha = super::sha256_hex(b.scenario_text);
    let mut header = Vec::new();
    if opts.title.is_some() {
        header.push(format!(
            "<p class=\"meta\">scenario: {}</p>",
            text(&r.scenario.name)
        ));
    }
    if !r.scenario.description.is_empty() {
        header.push(format!("<p>{}</p>", text(&r.scenario.description)));
    }
    header.push(format!(
        "<p class=\"meta\">{} trials · seed {} · forcesim {}{} · scenario <code>{}</code> SHA-256 <code>{}</code></p>",
        thousands(r.trials as f64),
        r.seed,
        text(&r.engine.version),
        if r.interrupted {
            " · INTERRUPTED: the figures cover the trials run"
        } else {
            ""
        },
        text(&r.scenario.path),
        sha
    ));
    header.extend(overrides(&r.overrides));
    let charts = Chart::ALL
        .into_iter()
        .filter(|c| c.applies_to(r) && !r.is_empty())
        .map(|c| Drawn {
            id: format!("chart-{}", c.name()),
            svg: charts::render_with(c, r, Format::Svg, opts),
            caption: c.file_name(Format::Svg),
        })
        .collect();
    page(&Page {
        title: opts
            .title
            .clone()
            .unwrap_or_else(|| r.scenario.name.clone()),
        header,
        tables: b.tables(),
        charts,
        no_charts: r
            .is_empty()
            .then_some("No trial finished: there is nothing to draw."),
        footer: format!(
            "forcesim {} · scenario SHA-256 {sha} · seed {} · {} trials",
            text(&r.engine.version),
            r.seed,
            r.trials
        ),
        marking: opts.marking.clone(),
    })
}

/// One header line per override.
pub fn overrides(list: &[String]) -> Vec<String> {
    list.iter()
        .map(|ov| format!("<p class=\"meta\">override: <code>{}</code></p>", text(ov)))
        .collect()
}

fn head(o: &mut String, title: &str) {
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
<meta name=\"generator\" content=\"forcesim\">\n<title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n"
    );
}

fn table(o: &mut String, t: &Table) {
    let _ = writeln!(
        o,
        "<section id=\"{}\">\n<h2>{}</h2>\n<div class=\"scroll\"><table>\n<thead><tr>",
        t.name, t.title
    );
    for c in &t.columns {
        let _ = write!(o, "<th scope=\"col\">{}</th>", text(c));
    }
    o.push_str("</tr></thead>\n<tbody>\n");
    let flag_col = t.columns.iter().position(|c| c == "flag");
    for row in &t.rows {
        let flagged = flag_col.is_some_and(|i| matches!(&row[i], Cell::Text(s) if !s.is_empty()));
        o.push_str(if flagged {
            "<tr class=\"flag\">"
        } else {
            "<tr>"
        });
        for cell in row {
            match cell {
                Cell::Text(s) => {
                    let _ = write!(o, "<td>{}</td>", text(s));
                }
                Cell::Num(v, f) => {
                    let _ = write!(o, "<td class=\"n\">{}</td>", number(*v, *f));
                }
            }
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody>\n</table></div>\n</section>\n");
}

/// An SVG chart ready to inline: from its `<svg` element on, with a `viewBox`
/// so that it scales to the page.
fn inline_svg(bytes: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(bytes).ok()?;
    let svg = &s[s.find("<svg")?..];
    if svg[..svg.find('>')?].contains("viewBox") {
        return Some(svg.to_string());
    }
    Some(svg.replacen("<svg", "<svg viewBox=\"0 0 1600 1000\"", 1))
}

fn charts_section(o: &mut String, charts: &[Drawn], none: Option<&str>) {
    o.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    if let Some(note) = none {
        let _ = writeln!(o, "<p>{}</p>", text(note));
    }
    for chart in charts {
        let _ = write!(o, "<figure id=\"{}\">", text(&chart.id));
        match chart.svg.as_ref().ok().and_then(|b| inline_svg(b)) {
            Some(svg) => o.push_str(&svg),
            None => o.push_str("<p>(this chart could not be drawn)</p>"),
        }
        let _ = writeln!(
            o,
            "<figcaption>{}</figcaption></figure>",
            text(&chart.caption)
        );
    }
    o.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_elements_and_attributes() {
        assert_eq!(
            text("<b>A&B</b> \"q\" 'x'\x1b"),
            "&lt;b&gt;A&amp;B&lt;/b&gt; &quot;q&quot; &#39;x&#39;\\x1b"
        );
    }

    #[test]
    fn numbers_without_trials_are_dashes() {
        assert_eq!(number(f64::NAN, Fmt::Percent), "—");
        assert_eq!(number(0.5, Fmt::Percent), "50.0 %");
        assert_eq!(number(12345.0, Fmt::Thousands), "12,345");
        assert_eq!(number(7.34, Fmt::Amount), "7.3");
        assert_eq!(number(0.476, Fmt::Amount), "0.476");
        assert_eq!(number(12345.0, Fmt::Amount), "12,345");
    }
}

//! The HTML of the what-if commands (`sweep`, `compare`, `sensitivity`): the
//! command's tables with every interval, its chart inline as SVG, the
//! assumptions annex, and the provenance (overrides, seed, trials, forcesim
//! version, the scenario's SHA-256), written through the same [`Page`] as
//! `run`'s, so that escaping, layout, print rules and the marking are the same.

use serde_json::Value as Json;

use super::html::{Drawn, Page, overrides, page, text};
use super::{Cell, Fmt, Table, annex, assumptions, sha256_hex};
use crate::charts::{self, Format, Options};
use crate::present::thousands;
use crate::whatif::compare::Comparison;
use crate::whatif::sensitivity::Sensitivity;
use crate::whatif::sweep::{Sweep, SweepPoint};
use crate::whatif::{Figure, Spread};

const INTERRUPTED: &str = " · INTERRUPTED: the figures cover the work finished";

/// What a sweep's differences from the base are (`vs_base` in its JSON).
const VS_BASE_NOTE: &str = "vs base: each point's difference from the base scenario (no --vary value), run on the same trials (common random numbers). The 95 % intervals of P(all covered), each domain's P(covered) and each mean total are paired, except where a point mounts other trials than the base (a value that changes the mission gate): there, as for other proportions, the interval is the independent one (Newcombe); medians get none.";

/// A value of a sweep axis as written (`0.5`, `"in"` without its quotes).
fn show(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// How a figure's value is shown: percent for proportions, else an amount.
fn value_fmt(f: &Figure) -> Fmt {
    match f.spread {
        Spread::Proportion(_) => Fmt::Percent,
        _ => Fmt::Amount,
    }
}

/// How a difference of that figure is shown: points for proportions.
fn diff_fmt(f: &Figure) -> Fmt {
    match f.spread {
        Spread::Proportion(_) => Fmt::Points,
        _ => Fmt::Amount,
    }
}

/// The two ends of an interval (empty when there is none).
fn interval(ci: Option<[f64; 2]>, f: Fmt) -> [Cell; 2] {
    let [lo, hi] = ci.unwrap_or([f64::NAN; 2]);
    [Cell::Num(lo, f), Cell::Num(hi, f)]
}

/// The provenance line under the heading.
fn meta(what: &str, seed: u64, interrupted: bool, path: &str, sha: &str) -> String {
    format!(
        "<p class=\"meta\">{what} · seed {seed} · forcesim {}{} · scenario <code>{}</code> SHA-256 <code>{sha}</code></p>",
        crate::VERSION,
        if interrupted { INTERRUPTED } else { "" },
        text(path),
    )
}

/// The rows every summary starts with.
fn provenance(t: &mut Table, name: &str, path: &str, sha: &str, seed: u64) {
    for (k, v) in [
        ("scenario", name),
        ("scenario file", path),
        ("scenario SHA-256", sha),
        ("forcesim version", crate::VERSION),
        ("seed", &seed.to_string()),
    ] {
        t.rows.push(vec![Cell::text(k), Cell::text(v)]);
    }
}

fn item(t: &mut Table, k: &str, v: Cell) {
    t.rows.push(vec![Cell::text(k), v]);
}

fn summary_table() -> Table {
    Table::new("summary", "Summary", &["item", "value"])
}

/// The page's footer.
fn footer(sha: &str, seed: u64, trials: u64, per: &str) -> String {
    format!(
        "forcesim {} · scenario SHA-256 {sha} · seed {seed} · {trials} trials {per}",
        crate::VERSION
    )
}

/// A sweep's HTML: the decision table (two axes), P(covered) at each point,
/// every figure at each point with its 95 % interval, the chart, the annex.
/// `result` holds every point finished; `shown` the whole rows of it that the
/// table and the chart draw (the same when not `interrupted`).
pub fn sweep(
    result: &Sweep,
    shown: &Sweep,
    scenario_text: &str,
    interrupted: bool,
    opts: &Options,
) -> String {
    let s = result;
    let sha = sha256_hex(scenario_text);
    let what = format!(
        "{} points × {} trials",
        s.points.len(),
        thousands(s.trials as f64)
    );
    let mut header = vec![meta(&what, s.seed, interrupted, &s.scenario.path, &sha)];
    header.extend(overrides(&s.scenario.overrides));
    named(&mut header, opts, &s.scenario.name);
    header.extend(s.axes.iter().map(|a| {
        format!(
            "<p class=\"meta\">varied: <code>{}</code></p>",
            text(&a.key)
        )
    }));
    if s.base.is_some() {
        header.push(format!("<p class=\"meta\">{VS_BASE_NOTE}</p>"));
    }
    let summary = sweep_summary(s, &sha, interrupted);
    let mut tables = vec![summary, grid(shown), points(s), every_figure(s)];
    tables.push(assumptions(&annex(scenario_text)));
    let charts = if shown.points.is_empty() {
        Vec::new()
    } else {
        vec![Drawn {
            id: "chart-sweep".into(),
            svg: charts::sweep::render_with(shown, Format::Svg, opts),
            caption: format!("{}.svg", charts::sweep::file_name(shown)),
        }]
    };
    page(&Page {
        title: title(opts, "Sweep", &s.scenario.name),
        header,
        tables,
        no_charts: charts
            .is_empty()
            .then_some("No point finished: there is nothing to draw."),
        charts,
        footer: footer(&sha, s.seed, s.trials, "per point"),
        marking: opts.marking.clone(),
    })
}

/// The summary of a sweep: provenance, trials, points, overrides, varied keys.
fn sweep_summary(s: &Sweep, sha: &str, interrupted: bool) -> Table {
    let mut summary = summary_table();
    provenance(
        &mut summary,
        &s.scenario.name,
        &s.scenario.path,
        sha,
        s.seed,
    );
    item(
        &mut summary,
        "trials per point",
        Cell::Num(s.trials as f64, Fmt::Thousands),
    );
    item(
        &mut summary,
        "points",
        Cell::Num(s.points.len() as f64, Fmt::Count),
    );
    if interrupted {
        item(
            &mut summary,
            "interrupted",
            Cell::text("yes: the points finished"),
        );
    }
    for o in &s.scenario.overrides {
        item(&mut summary, "override", Cell::text(o));
    }
    for a in &s.axes {
        let values: Vec<String> = a.values.iter().map(show).collect();
        item(
            &mut summary,
            "varied",
            Cell::text(format!("{} = {}", a.key, values.join(", "))),
        );
    }
    if let Some(b) = &s.base {
        let [lo, hi] = b.p_all_covered_ci95;
        for (k, v) in [
            ("base (no --vary value): P(all covered)", b.p_all_covered),
            ("base: 95 % CI low", lo),
            ("base: 95 % CI high", hi),
        ] {
            item(&mut summary, k, Cell::Num(v, Fmt::Percent));
        }
    }
    summary
}

/// A point's difference from the base in `figure`, and its 95 % interval, as
/// three cells (empty without a base, dashes for a figure it lacks).
fn vs_base(p: &SweepPoint, figure: &str, f: Fmt) -> [Cell; 3] {
    let d = p.vs_base.iter().find(|d| d.figure == figure);
    let [lo, hi] = interval(d.and_then(|d| d.ci95), f);
    [Cell::Num(d.map_or(f64::NAN, |d| d.difference), f), lo, hi]
}

/// With `--title`, a line naming the scenario under it.
fn named(header: &mut Vec<String>, opts: &Options, name: &str) {
    if opts.title.is_some() {
        header.insert(0, format!("<p class=\"meta\">scenario: {}</p>", text(name)));
    }
}

/// `--title`, else what the page is about.
fn title(opts: &Options, what: &str, name: &str) -> String {
    opts.title
        .clone()
        .unwrap_or_else(|| format!("{what}: {name}"))
}

/// The decision table of a two-way sweep: P(all covered), rows the first key,
/// columns the second (no row with one key).
fn grid(s: &Sweep) -> Table {
    let title = match s.scenario.headline() {
        "P(all domains covered)" => "Decision table: P(all domains covered)",
        "P(all domains and the force covered)" => {
            "Decision table: P(all domains and the force covered)"
        }
        "P(all domains covered | mounted)" => "Decision table: P(all domains covered | mounted)",
        "P(all domains and the force covered | mounted)" => {
            "Decision table: P(all domains and the force covered | mounted)"
        }
        _ => "Decision table: P(all covered)",
    };
    let mut t = Table::new("grid", title, &[]);
    let [rows, cols] = match s.axes.as_slice() {
        [r, c] => [r, c],
        _ => return t,
    };
    t.columns.push(format!("{} \\ {}", rows.key, cols.key));
    t.columns.extend(cols.values.iter().map(show));
    for (i, r) in rows.values.iter().enumerate() {
        let mut row = vec![Cell::text(show(r))];
        for j in 0..cols.values.len() {
            let p = s.points.get(i * cols.values.len() + j);
            let v = p.map_or(f64::NAN, |p| p.figures.p_all_covered);
            row.push(Cell::Num(v, Fmt::Percent));
        }
        t.rows.push(row);
    }
    t
}

/// One row per point: its values, P(all covered) with its interval, each
/// domain's P(covered).
fn points(s: &Sweep) -> Table {
    let mut t = Table::new("points", "Coverage at each point", &[]);
    let domains: Vec<String> = s
        .points
        .first()
        .map(|p| p.figures.domains.keys().cloned().collect())
        .unwrap_or_default();
    t.columns = s.axes.iter().map(|a| a.key.clone()).collect();
    t.columns
        .extend(["P(all covered)", "95 % CI low", "95 % CI high"].map(String::from));
    let paired = s.base.is_some();
    if paired {
        t.columns
            .extend(["vs base", "vs base 95 % CI low", "vs base 95 % CI high"].map(String::from));
    }
    t.columns
        .extend(domains.iter().map(|d| format!("P(covered) {d}")));
    for p in &s.points {
        let f = &p.figures;
        let mut row: Vec<Cell> = p.values.iter().map(|v| Cell::text(show(v))).collect();
        row.push(Cell::Num(f.p_all_covered, Fmt::Percent));
        row.extend(interval(Some(f.p_all_covered_ci95), Fmt::Percent));
        if paired {
            row.extend(vs_base(p, "p_all_covered", Fmt::Points));
        }
        for d in &domains {
            let v = f.domains.get(d).map_or(f64::NAN, |x| x.p_covered);
            row.push(Cell::Num(v, Fmt::Percent));
        }
        t.rows.push(row);
    }
    t
}

/// Every figure of every point (as in the JSON) with its 95 % interval, and
/// with a base its difference from the base with that difference's interval.
fn every_figure(s: &Sweep) -> Table {
    let mut t = Table::new(
        "figures",
        "Every figure at each point, with its 95 % interval",
        &[],
    );
    t.columns = s.axes.iter().map(|a| a.key.clone()).collect();
    t.columns
        .extend(["figure", "value", "95 % CI low", "95 % CI high"].map(String::from));
    let paired = s.base.is_some();
    if paired {
        t.columns
            .extend(["vs base", "vs base 95 % CI low", "vs base 95 % CI high"].map(String::from));
    }
    let mut within = Vec::new();
    for p in &s.points {
        for f in p.figures.flat() {
            within.push(f.within());
            let mut row: Vec<Cell> = p.values.iter().map(|v| Cell::text(show(v))).collect();
            row.push(Cell::text(&f.path));
            row.push(Cell::Num(f.value, value_fmt(&f)));
            row.extend(interval(f.ci95(p.figures.mounted_trials), value_fmt(&f)));
            if paired {
                row.extend(vs_base(p, &f.path, diff_fmt(&f)));
            }
            t.rows.push(row);
        }
    }
    t.with_within(&within)
}

/// A comparison's HTML: the scenarios compared, every figure of each with its
/// difference from the first and the interval of that difference, the
/// figures only some have, the chart, the annex of every file.
/// `scenario_texts[i]` is the text of the file of `c.scenarios[i]`.
pub fn compare(
    c: &Comparison,
    scenario_texts: &[String],
    interrupted: bool,
    opts: &Options,
) -> String {
    let shas: Vec<String> = scenario_texts.iter().map(sha256_hex).collect();
    let (base_name, base_path, base_sha) = match (c.scenarios.first(), shas.first()) {
        (Some(b), Some(sha)) => (b.name.as_str(), b.path.as_str(), sha.as_str()),
        _ => ("", "", ""),
    };
    let what = format!(
        "{} scenarios × {} trials",
        c.scenarios.len(),
        thousands(c.trials as f64)
    );
    let mut header = vec![meta(&what, c.seed, interrupted, base_path, base_sha)];
    header.push(format!("<p class=\"meta\">{}</p>", text(&c.note)));
    named(&mut header, opts, base_name);
    let mut summary = summary_table();
    provenance(&mut summary, base_name, base_path, base_sha, c.seed);
    item(
        &mut summary,
        "trials per scenario",
        Cell::Num(c.trials as f64, Fmt::Thousands),
    );
    if interrupted {
        item(
            &mut summary,
            "interrupted",
            Cell::text("yes: the figures cover the work finished"),
        );
    }
    let tables = vec![
        summary,
        scenarios(c, &shas),
        differences(c),
        not_shared(c),
        annexes(c, scenario_texts),
    ];
    let charts = if c.scenarios.is_empty() {
        Vec::new()
    } else {
        vec![Drawn {
            id: "chart-compare".into(),
            svg: charts::compare::render_with(c, Format::Svg, opts),
            caption: format!("{}.svg", charts::compare::file_name(c)),
        }]
    };
    page(&Page {
        title: title(opts, "Comparison", base_name),
        header,
        tables,
        no_charts: charts
            .is_empty()
            .then_some("No scenario finished: there is nothing to draw."),
        charts,
        footer: footer(base_sha, c.seed, c.trials, "per scenario"),
        marking: opts.marking.clone(),
    })
}

/// One row per scenario compared: its label, file, SHA-256 and overrides.
fn scenarios(c: &Comparison, shas: &[String]) -> Table {
    let mut t = Table::new(
        "scenarios",
        "Scenarios compared (the first is the base)",
        &["label", "role", "scenario", "file", "SHA-256", "overrides"],
    );
    for (i, s) in c.scenarios.iter().enumerate() {
        t.rows.push(vec![
            Cell::text(&s.label),
            Cell::text(if i == 0 { "base" } else { "compared" }),
            Cell::text(&s.name),
            Cell::text(&s.path),
            Cell::text(shas.get(i).map_or("", |x| x.as_str())),
            Cell::text(s.overrides.join("; ")),
        ]);
    }
    t
}

/// Every figure of the base, then for each other scenario its value, the
/// difference from the base and the 95 % interval of that difference.
fn differences(c: &Comparison) -> Table {
    let mut t = Table::new(
        "differences",
        "Figures and their differences from the base",
        &[
            "figure",
            "scenario",
            "value",
            "difference from base",
            "95 % CI low",
            "95 % CI high",
            "interval excludes 0",
        ],
    );
    let Some(base) = c.scenarios.first() else {
        return t;
    };
    let mut within = Vec::new();
    for f in base.figures.flat() {
        within.push(f.within());
        let mut row = vec![Cell::text(&f.path), Cell::text(&base.label)];
        row.push(Cell::Num(f.value, value_fmt(&f)));
        row.extend(["base", "", "", ""].map(Cell::text));
        t.rows.push(row);
        for s in c.scenarios.iter().skip(1) {
            let flat = s.figures.flat();
            let Some(g) = flat.iter().find(|g| g.path == f.path) else {
                continue;
            };
            let d = c
                .differences
                .iter()
                .find(|d| d.of == s.label && d.figure == f.path);
            within.push(g.within());
            let mut row = vec![Cell::text(&f.path), Cell::text(&s.label)];
            row.push(Cell::Num(g.value, value_fmt(g)));
            row.push(Cell::Num(
                d.map_or(f64::NAN, |d| d.difference),
                diff_fmt(&f),
            ));
            let ci = d.and_then(|d| d.ci95);
            row.extend(interval(ci, diff_fmt(&f)));
            row.push(Cell::text(match ci {
                Some([lo, hi]) if lo > 0.0 || hi < 0.0 => "yes",
                Some(_) => "no",
                None => "no interval (a median)",
            }));
            t.rows.push(row);
        }
    }
    t.with_within(&within)
}

fn not_shared(c: &Comparison) -> Table {
    let mut t = Table::new(
        "not_shared",
        "Figures only some scenarios have",
        &["figure", "only in"],
    );
    for n in &c.not_shared {
        t.rows.push(vec![
            Cell::text(&n.figure),
            Cell::text(n.only_in.join(", ")),
        ]);
    }
    t
}

/// The annex of every distinct scenario file (a file column when there are
/// several).
fn annexes(c: &Comparison, texts: &[String]) -> Table {
    let mut files: Vec<(&str, &str)> = Vec::new();
    for (s, text) in c.scenarios.iter().zip(texts) {
        if !files.iter().any(|(p, _)| *p == s.path) {
            files.push((&s.path, text));
        }
    }
    if let [(_, text)] = files.as_slice() {
        return assumptions(&annex(text));
    }
    let mut t = assumptions(&[]);
    t.columns.insert(0, "scenario file".into());
    for (path, text) in files {
        for mut row in assumptions(&annex(text)).rows {
            row.insert(0, Cell::text(path));
            t.rows.push(row);
        }
    }
    t
}

/// A sensitivity analysis's HTML: each figure as written, every input's row
/// (low, base, high, effect, paired and unpaired 95 % intervals), the chart
/// of the first figure's `top` rows, the annex.
pub fn sensitivity(
    s: &Sensitivity,
    scenario_text: &str,
    top: usize,
    interrupted: bool,
    opts: &Options,
) -> String {
    let sha = sha256_hex(scenario_text);
    let what = format!("{} trials per setting", thousands(s.trials as f64));
    let mut header = vec![meta(&what, s.seed, interrupted, &s.scenario.path, &sha)];
    header.extend(overrides(&s.scenario.overrides));
    named(&mut header, opts, &s.scenario.name);
    let mut summary = summary_table();
    provenance(
        &mut summary,
        &s.scenario.name,
        &s.scenario.path,
        &sha,
        s.seed,
    );
    item(
        &mut summary,
        "trials per setting",
        Cell::Num(s.trials as f64, Fmt::Thousands),
    );
    let kinds: Vec<&str> = s.inputs.iter().map(|k| k.as_str()).collect();
    item(&mut summary, "inputs varied", Cell::text(kinds.join(", ")));
    item(
        &mut summary,
        "requirements range (±)",
        Cell::text(s.range.to_string()),
    );
    if interrupted {
        item(
            &mut summary,
            "interrupted",
            Cell::text("yes: every setting covers the trials run"),
        );
    }
    for o in &s.scenario.overrides {
        item(&mut summary, "override", Cell::text(o));
    }
    for k in &s.skipped {
        item(&mut summary, "not varied", Cell::text(k));
    }
    let tables = vec![
        summary,
        sensitivity_rows(s),
        assumptions(&annex(scenario_text)),
    ];
    let charts = vec![Drawn {
        id: "chart-sensitivity".into(),
        svg: charts::sensitivity::render_with(s, top, Format::Svg, opts),
        caption: "sensitivity.svg".into(),
    }];
    page(&Page {
        title: title(opts, "Sensitivity", &s.scenario.name),
        header,
        tables,
        charts,
        no_charts: None,
        footer: footer(&sha, s.seed, s.trials, "per setting"),
        marking: opts.marking.clone(),
    })
}

/// One row per (figure, input), ranked by |effect| as on the terminal.
fn sensitivity_rows(s: &Sensitivity) -> Table {
    let mut t = Table::new(
        "inputs",
        "Each input at its low and its high setting",
        &[
            "figure",
            "rank",
            "input",
            "kind",
            "low",
            "high",
            "at low",
            "as written",
            "at high",
            "effect (high − low)",
            "paired 95 % CI low",
            "paired 95 % CI high",
            "unpaired 95 % CI low",
            "unpaired 95 % CI high",
        ],
    );
    for f in &s.figures {
        let (v, e) = if f.probability {
            (Fmt::Percent, Fmt::Points)
        } else {
            (Fmt::Amount, Fmt::Amount)
        };
        for (k, r) in f.rows.iter().enumerate() {
            let mut row = vec![
                Cell::text(&f.figure),
                Cell::Num((k + 1) as f64, Fmt::Count),
                Cell::text(&r.input),
                Cell::text(r.kind.as_str()),
                Cell::text(&r.low),
                Cell::text(&r.high),
                Cell::Num(r.at_low, v),
                Cell::Num(f.base, v),
                Cell::Num(r.at_high, v),
                Cell::Num(r.effect, e),
            ];
            row.extend(interval(r.ci95, e));
            row.extend(interval(r.ci95_unpaired, e));
            t.rows.push(row);
        }
    }
    t
}

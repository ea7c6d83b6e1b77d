//! Briefing outputs: one self-contained HTML file ([`html`]) and a workbook
//! ([`xlsx`], with the `xlsx` feature) holding the run's tables, its charts and
//! the assumptions annex ([`annex`]).
//!
//! Both are written from the same [`Table`]s, so that the file sent to a
//! briefing and the workbook a planner opens hold the same figures.

pub mod annex;
pub mod html;
pub mod whatif;
#[cfg(feature = "xlsx")]
pub mod xlsx;

use sha2::{Digest, Sha256};

use crate::report::Report;
use crate::stats::Stats;
pub use annex::{Assumption, annex};

/// The SHA-256 of a scenario file's bytes, as 64 lowercase hexadecimal digits.
pub fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    Sha256::digest(bytes.as_ref())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// How a number is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fmt {
    /// A probability, shown as a percentage with one decimal.
    Percent,
    /// A signed difference of probabilities, in percentage points.
    Points,
    /// An amount, rounded and grouped in thousands.
    Thousands,
    /// A whole number, written in full (seed, trials, day).
    Count,
    /// An amount with one decimal below 100, else rounded and grouped in
    /// thousands (small means differ in their decimals).
    Amount,
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text from the scenario or the run.
    Text(String),
    /// A number (not a number when no trial gave it: shown empty).
    Num(f64, Fmt),
}

impl Cell {
    pub(crate) fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
}

/// One table of the briefing.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Short name: the workbook's sheet name and the HTML anchor.
    pub name: &'static str,
    /// Heading.
    pub title: &'static str,
    /// Column headings.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub(crate) fn new(name: &'static str, title: &'static str, columns: &[&str]) -> Table {
        Table {
            name,
            title,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds the column `within (±)` when a row's figures are read from histogram
    /// bins that hold more than one value: `within[i]` is row i's bound (the
    /// statistics' `within`), empty where its figures are exact.
    fn with_within(mut self, within: &[Option<f64>]) -> Table {
        if within.iter().all(Option::is_none) {
            return self;
        }
        self.columns.push("within (±)".into());
        for (i, row) in self.rows.iter_mut().enumerate() {
            row.push(match within.get(i).copied().flatten() {
                Some(w) => Cell::Num(w, Fmt::Thousands),
                None => Cell::text(""),
            });
        }
        self
    }
}

/// The wider `within` of two statistics blocks (`None`: both exact).
fn wider(a: &Stats, b: &Stats) -> Option<f64> {
    match (a.within, b.within) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

/// A run's report with the scenario text it was computed from.
pub struct Briefing<'a> {
    /// The report.
    pub report: &'a Report,
    /// The scenario file's text (for its SHA-256 and the assumptions annex).
    pub scenario_text: &'a str,
}

impl Briefing<'_> {
    /// Every table: summary, force totals, thresholds, domains, capabilities per
    /// domain, the whole force (with `[force]` only), sustainability (with a
    /// nation's pool only), leads, nations, conditions, timeline, assumptions.
    pub fn tables(&self) -> Vec<Table> {
        let r = self.report;
        let mut tables = vec![
            summary(r, self.scenario_text),
            totals(r),
            thresholds(r),
            domains(r),
            capabilities(r),
        ];
        if r.force.is_some() {
            tables.push(force(r));
        }
        if r.nations.values().any(|n| !n.pools.is_empty()) {
            tables.push(sustainability(r));
        }
        tables.extend([
            leads(r),
            nations(r),
            conditions(r),
            timeline(r),
            assumptions(&annex(self.scenario_text)),
        ]);
        tables
    }
}

fn summary(r: &Report, text: &str) -> Table {
    let mut t = Table::new("summary", "Summary", &["item", "value"]);
    let mut row = |k: &str, v: Cell| t.rows.push(vec![Cell::text(k), v]);
    row("scenario", Cell::text(&r.scenario.name));
    row("scenario file", Cell::text(&r.scenario.path));
    row("scenario SHA-256", Cell::text(sha256_hex(text)));
    row("forcesim version", Cell::text(&r.engine.version));
    row("trials", Cell::Num(r.trials as f64, Fmt::Thousands));
    row("seed", Cell::text(r.seed.to_string()));
    if r.interrupted {
        row(
            "interrupted",
            Cell::text("yes: the figures cover the trials run"),
        );
    }
    for o in &r.overrides {
        row("override", Cell::text(o));
    }
    if !r.mission.is_empty() {
        row("mission requires", Cell::text(r.mission.join(", ")));
        row(
            "mounted trials",
            Cell::Num(r.mounted_trials as f64, Fmt::Thousands),
        );
        row("P(mission mounted)", Cell::Num(r.p_mounted, Fmt::Percent));
        row("95 % CI low", Cell::Num(r.p_mounted_ci95[0], Fmt::Percent));
        row("95 % CI high", Cell::Num(r.p_mounted_ci95[1], Fmt::Percent));
    }
    let all = crate::report::all_covered_label(r.force.is_some(), !r.mission.is_empty());
    row(all, Cell::Num(r.p_all_covered, Fmt::Percent));
    row(
        "95 % CI low",
        Cell::Num(r.p_all_covered_ci95[0], Fmt::Percent),
    );
    row(
        "95 % CI high",
        Cell::Num(r.p_all_covered_ci95[1], Fmt::Percent),
    );
    if !r.mission.is_empty() {
        let overall = r.p_all_covered_overall;
        row(
            "P(mounted and all covered)",
            Cell::Num(overall, Fmt::Percent),
        );
        let [lo, hi] = r.p_all_covered_overall_ci95;
        row("95 % CI low", Cell::Num(lo, Fmt::Percent));
        row("95 % CI high", Cell::Num(hi, Fmt::Percent));
    }
    if let Some(p) = &r.precision {
        row("precision on", Cell::text(&p.on));
        row("precision target (±)", Cell::Num(p.target, Fmt::Percent));
        row(
            "precision reached (±)",
            Cell::Num(p.half_width, Fmt::Percent),
        );
        row(
            "precision met",
            Cell::text(if p.met { "yes" } else { "no" }),
        );
    }
    t
}

const STATS: [&str; 9] = [
    "mean", "sd", "min", "p05", "p25", "p50", "p75", "p95", "max",
];

fn stat_cells(s: &Stats) -> Vec<Cell> {
    [
        s.mean, s.sd, s.min, s.p05, s.p25, s.p50, s.p75, s.p95, s.max,
    ]
    .into_iter()
    .map(|v| Cell::Num(v, Fmt::Thousands))
    .collect()
}

fn totals(r: &Report) -> Table {
    let mut cols = vec!["capability", "unit", "figure"];
    cols.extend(STATS);
    let mut t = Table::new("totals", "Force size (total across domains)", &cols);
    let mut within = Vec::new();
    for (id, tot) in &r.totals {
        let unit = r.capabilities.get(id).map_or("", |c| c.unit.as_str());
        let mut add = |what: &str, s: &Stats| {
            let mut row = vec![Cell::text(id), Cell::text(unit), Cell::text(what)];
            row.extend(stat_cells(s));
            t.rows.push(row);
            within.push(s.within);
        };
        add("deployed", &tot.stats);
        // The committed force only when it differs from the deployed one (a
        // rotation above 1) or pools hold it.
        match &tot.committed {
            Some(c) if rotated(r) => add("committed (rotation)", c),
            _ => {}
        }
    }
    t.with_within(&within)
}

/// Whether some nation holds more than it deploys, or has a pool.
fn rotated(r: &Report) -> bool {
    r.nations
        .values()
        .any(|n| n.rotation > 1 || !n.pools.is_empty())
}

/// Per nation and pooled capability: the pool, the rotation, P(binds) and the
/// cut, those binding most often first (only when some nation has a pool).
fn sustainability(r: &Report) -> Table {
    let mut t = Table::new(
        "sustainability",
        "Sustainability: pools (deployed × rotation against what each nation has)",
        &[
            "nation",
            "capability",
            "pool",
            "rotation",
            "ambition",
            "P(pool binds)",
            "mean cut",
            "cut p95",
        ],
    );
    let mut rows: Vec<(f64, Vec<Cell>)> = Vec::new();
    for (id, n) in &r.nations {
        for (cap, p) in &n.pools {
            let cut = |v: Option<f64>| {
                v.map_or(Cell::text("never binds"), |v| Cell::Num(v, Fmt::Thousands))
            };
            rows.push((
                if p.p_binds.is_finite() {
                    p.p_binds
                } else {
                    -1.0
                },
                vec![
                    Cell::text(id),
                    Cell::text(cap),
                    Cell::Num(p.pool, Fmt::Thousands),
                    Cell::Num(n.rotation as f64, Fmt::Count),
                    Cell::Num(n.ambition, Fmt::Amount),
                    Cell::Num(p.p_binds, Fmt::Percent),
                    cut(p.cut.map(|s| s.mean)),
                    cut(p.cut.map(|s| s.p95)),
                ],
            ));
        }
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    t.rows = rows.into_iter().map(|(_, row)| row).collect();
    t
}

fn thresholds(r: &Report) -> Table {
    let mut t = Table::new(
        "thresholds",
        "Thresholds: P(total at least x)",
        &["capability", "at least", "P"],
    );
    for (cap, list) in &r.thresholds {
        for th in list {
            t.rows.push(vec![
                Cell::text(cap),
                Cell::Num(th.at_least as f64, Fmt::Thousands),
                Cell::Num(th.p, Fmt::Percent),
            ]);
        }
    }
    t
}

fn domains(r: &Report) -> Table {
    let mut t = Table::new(
        "domains",
        "Coverage by domain",
        &[
            "domain",
            "name",
            "P(covered)",
            "95 % CI low",
            "95 % CI high",
            "P(leaderless)",
            "P(lead short)",
            "P(no lead candidate)",
        ],
    );
    for (id, d) in &r.domains {
        let lead = |p: f64| {
            if d.lead_share.is_empty() {
                Cell::text("no lead needed")
            } else {
                Cell::Num(p, Fmt::Percent)
            }
        };
        t.rows.push(vec![
            Cell::text(id),
            Cell::text(&d.name),
            Cell::Num(d.p_covered, Fmt::Percent),
            Cell::Num(d.p_covered_ci95[0], Fmt::Percent),
            Cell::Num(d.p_covered_ci95[1], Fmt::Percent),
            lead(d.p_leaderless),
            lead(d.p_lead_short),
            lead(d.p_no_lead_candidate),
        ]);
    }
    t
}

/// The whole force (`[force]`): P(covered), then one row per requirement
/// (no row without `[force]`, so that the table is left out).
fn force(r: &Report) -> Table {
    let mut t = Table::new(
        "force",
        "The whole force (totals over every domain)",
        &[
            "capability",
            "required",
            "P(met)",
            "provided p05",
            "provided p50",
            "provided p95",
            "gap p50",
            "gap p95",
        ],
    );
    let Some(f) = &r.force else {
        return t;
    };
    let mut within = Vec::new();
    for (cap, c) in &f.capabilities {
        within.push(wider(&c.provided, &c.gap));
        let mut row = vec![Cell::text(cap)];
        let nums = [
            (c.required, Fmt::Thousands),
            (c.p_met, Fmt::Percent),
            (c.provided.p05, Fmt::Thousands),
            (c.provided.p50, Fmt::Thousands),
            (c.provided.p95, Fmt::Thousands),
            (c.gap.p50, Fmt::Thousands),
            (c.gap.p95, Fmt::Thousands),
        ];
        row.extend(nums.into_iter().map(|(v, f)| Cell::Num(v, f)));
        t.rows.push(row);
    }
    let mut all = vec![
        Cell::text("all (P(force covered))"),
        Cell::text(""),
        Cell::Num(f.p_covered, Fmt::Percent),
    ];
    all.resize(t.columns.len(), Cell::text(""));
    t.rows.push(all);
    t.with_within(&within)
}

fn capabilities(r: &Report) -> Table {
    let mut t = Table::new(
        "capabilities",
        "Capabilities per domain",
        &[
            "domain",
            "capability",
            "required",
            "P(met)",
            "provided p05",
            "provided p50",
            "provided p95",
            "gap p50",
            "gap p75",
            "gap p95",
        ],
    );
    let mut within = Vec::new();
    for (id, d) in &r.domains {
        for (cap, c) in &d.capabilities {
            within.push(wider(&c.provided, &c.gap));
            let mut row = vec![Cell::text(id), Cell::text(cap)];
            let nums = [
                (c.required, Fmt::Thousands),
                (c.p_met, Fmt::Percent),
                (c.provided.p05, Fmt::Thousands),
                (c.provided.p50, Fmt::Thousands),
                (c.provided.p95, Fmt::Thousands),
                (c.gap.p50, Fmt::Thousands),
                (c.gap.p75, Fmt::Thousands),
                (c.gap.p95, Fmt::Thousands),
            ];
            row.extend(nums.into_iter().map(|(v, f)| Cell::Num(v, f)));
            t.rows.push(row);
        }
    }
    t.with_within(&within)
}

fn leads(r: &Report) -> Table {
    let mut t = Table::new(
        "leads",
        "Lead nations (co-leads joined with +)",
        &["domain", "nation", "P(leads)"],
    );
    for (id, d) in &r.domains {
        for (n, share) in &d.lead_share {
            t.rows.push(vec![
                Cell::text(id),
                Cell::text(n),
                Cell::Num(*share, Fmt::Percent),
            ]);
        }
    }
    t
}

fn nations(r: &Report) -> Table {
    let mut cols: Vec<String> = [
        "nation",
        "name",
        "P(participates)",
        "swing on P(all covered)",
    ]
    .map(String::from)
    .to_vec();
    cols.extend(r.capabilities.keys().map(|c| format!("mean {c}")));
    let mut t = Table::new("nations", "Nations", &[]);
    t.columns = cols;
    for (id, n) in &r.nations {
        let mut row = vec![
            Cell::text(id),
            Cell::text(&n.name),
            Cell::Num(n.p_participates, Fmt::Percent),
            n.swing
                .map_or(Cell::text("undefined"), |s| Cell::Num(s, Fmt::Points)),
        ];
        // A capability the nation never contributes is 0 on average over the
        // mounted trials; with none mounted there is no average (as in the
        // report, where each figure over them is null): an empty cell.
        let never = if r.mounted_trials == 0 { f64::NAN } else { 0.0 };
        for cap in r.capabilities.keys() {
            let v = n.mean_provided.get(cap).copied().unwrap_or(never);
            row.push(Cell::Num(v, Fmt::Thousands));
        }
        t.rows.push(row);
    }
    t
}

fn conditions(r: &Report) -> Table {
    let mut t = Table::new("conditions", "Conditions", &["condition", "P(true)"]);
    for (id, c) in &r.conditions {
        t.rows
            .push(vec![Cell::text(id), Cell::Num(c.p_true, Fmt::Percent)]);
    }
    t
}

fn timeline(r: &Report) -> Table {
    let mut t = Table::new("timeline", "Coverage by day", &["day", "all domains"]);
    let Some(tl) = &r.timeline else {
        return t;
    };
    if tl.force.is_some() {
        t.columns[1] = "all covered".into();
    }
    t.columns.extend(tl.domains.keys().cloned());
    if tl.force.is_some() {
        t.columns.push("whole force".into());
    }
    for (k, day) in tl.days.iter().enumerate() {
        let mut row = vec![
            Cell::Num(*day as f64, Fmt::Count),
            Cell::Num(tl.p_all_covered[k], Fmt::Percent),
        ];
        row.extend(tl.domains.values().map(|ps| Cell::Num(ps[k], Fmt::Percent)));
        if let Some(f) = &tl.force {
            row.push(Cell::Num(f[k], Fmt::Percent));
        }
        t.rows.push(row);
    }
    t
}

pub(crate) fn assumptions(list: &[Assumption]) -> Table {
    let mut t = Table::new(
        "assumptions",
        "Assumptions annex: every input and its source",
        &["input", "value", "source", "flag"],
    );
    for a in list {
        t.rows.push(vec![
            Cell::text(&a.key),
            Cell::text(&a.value),
            Cell::text(&a.source),
            Cell::text(a.flag),
        ]);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_the_standard_digest() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

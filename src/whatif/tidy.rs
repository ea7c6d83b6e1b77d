//! The tidy CSV's key of any figure of the run report: a dotted path into
//! `run --json` (an array's element as `[N]`) as the `[scope, id, capability,
//! metric, qualifier]` of the row that `run --csv` writes for that figure
//! ([`crate::report::csv`]), so that a what-if command naming a figure by its
//! path writes it under the same key as `run`.
//!
//! | path | key |
//! |---|---|
//! | `p_all_covered` (`trials`, `seed`, `p_mounted` …) | `run, , , p_all_covered, ` |
//! | `totals.C.S` (`mean`, `sd`, `min`, `p05` … `max`, `within`) | `total, , C, total, S` |
//! | `totals.C.committed.S` | `total, , C, committed, S` |
//! | `totals.C.histogram.counts[i]` | `total, , C, histogram_count, i` |
//! | `thresholds.C[i].p` | `threshold, , C, p_at_least, X` (X: its `at_least`) |
//! | `domains.D.lead_share.E` | `domain, D, , lead_share, E` |
//! | `domains.D.capabilities.C.gap.S` | `domain, D, C, gap, S` (`force, , C, …` under `force`) |
//! | `nations.N.mean_provided_by_domain.D.C` | `nation, N, C, mean_provided_by_domain, D` |
//! | `nations.N.pools.C.cut.S` | `nation, N, C, pool_cut, S` |
//! | `timeline.p_all_covered[i]`, `timeline.domains.D[i]`, `timeline.force[i]` | `timeline, ID, , p_covered_by_day, DAY` (ID: `all`, D or `force`; DAY: `timeline.days[i]`) |
//! | `timeline.days_to_coverage.D.p_never` | `timeline, D, , p_never_covered, ` |
//! | `timeline.days_to_all_covered.median` | `timeline, all, , days_to_coverage_median, ` |
//!
//! A path that names no row of `run --csv` (an interval's bound, an element of
//! `timeline.days`), or whose qualifier the report does not give, keeps the key of
//! [`super::tidy_key`], which also names the figures of sweep and compare
//! (`thresholds.C.X`, `totals.C.committed_mean`).

use std::path::Path;

use serde_json::Value;

use super::Source;
use crate::report::{Engine, Report};
use crate::stats::Tally;

/// The statistics of a statistics block, as the report and the CSV name them.
const STATS: [&str; 10] = [
    "mean", "sd", "min", "p05", "p25", "p50", "p75", "p95", "max", "within",
];

/// The tidy CSV's key of the figure at dotted `path` of `report` (a run
/// report's JSON), as `run --csv` writes it; [`super::tidy_key`] for a path that
/// names no such row.
pub fn report_key(path: &str, report: &Value) -> [String; 5] {
    tokens(path)
        .and_then(|t| figure_key(&t, report))
        .unwrap_or_else(|| super::tidy_key(path))
}

/// The report of `source`'s scenario over no trials, as JSON: the shape of its
/// run report (capabilities, thresholds, the timeline's days) without figures;
/// null when the scenario does not load.
pub fn scenario_report(source: &Source) -> Value {
    let Ok(model) = crate::scenario::load(Path::new(&source.path), &source.overrides) else {
        return Value::Null;
    };
    let empty = Report::build(&model, &Tally::new(&model), 0, Engine::measured(1, 0.0, 0));
    serde_json::to_value(&empty).unwrap_or(Value::Null)
}

/// [`report_key`] of the figure at `path` of the report of `source`'s scenario.
pub fn source_key(path: &str, source: &Source) -> [String; 5] {
    report_key(path, &scenario_report(source))
}

/// A key as written: its five fields.
fn key(fields: [&str; 5]) -> Option<[String; 5]> {
    Some(fields.map(str::to_string))
}

/// `a.b[1][2].c` as `a`, `b`, `[1]`, `[2]`, `c`; `None` when an index is
/// malformed.
fn tokens(path: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        out.push(name);
        while !rest.is_empty() {
            let end = rest.find(']')? + 1;
            index(&rest[..end])?;
            out.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    Some(out)
}

/// The index of a token `[N]`.
fn index(token: &str) -> Option<usize> {
    token.strip_prefix('[')?.strip_suffix(']')?.parse().ok()
}

/// A whole number of the report (a day, a threshold) as the CSV writes it.
fn whole(v: &Value) -> Option<String> {
    v.as_u64().map(|x| x.to_string())
}

/// The key of the figure at the path `t` (its tokens) of `r`: from the path
/// and, for a qualifier that the path holds only as an index (a threshold, a
/// day), from the report.
fn figure_key(t: &[&str], r: &Value) -> Option<[String; 5]> {
    const RUN: [&str; 6] = [
        "trials",
        "mounted_trials",
        "seed",
        "p_mounted",
        "p_all_covered",
        "p_all_covered_overall",
    ];
    match *t {
        [m] if RUN.contains(&m) => key(["run", "", "", m, ""]),
        ["totals", c, ref rest @ ..] => total_key(c, rest),
        ["thresholds", c, i, "p"] => {
            let list = r.get("thresholds")?.get(c)?;
            let x = whole(list.get(index(i)?)?.get("at_least")?)?;
            key(["threshold", "", c, "p_at_least", &x])
        }
        ["domains", d, ref rest @ ..] => requirement_key(["domain", d], rest),
        ["force", ref rest @ ..] => requirement_key(["force", ""], rest),
        ["nations", n, ref rest @ ..] => nation_key(n, rest),
        ["conditions", c, "p_true"] => key(["condition", c, "", "p_true", ""]),
        ["timeline", ref rest @ ..] => timeline_key(rest, r.get("timeline")?),
        ["precision", m] if ["target", "half_width", "trials", "max_trials"].contains(&m) => {
            let on = r.get("precision")?.get("on")?.as_str()?;
            key(["precision", on, "", m, ""])
        }
        _ => None,
    }
}

/// `totals.C.…`: the statistics of the total and of the committed force, and
/// the histogram.
fn total_key(c: &str, rest: &[&str]) -> Option<[String; 5]> {
    match *rest {
        [s] if STATS.contains(&s) => key(["total", "", c, "total", s]),
        ["committed", s] if STATS.contains(&s) => key(["total", "", c, "committed", s]),
        ["histogram", m @ ("start" | "width")] => {
            key(["total", "", c, &format!("histogram_{m}"), ""])
        }
        ["histogram", "counts", i] => {
            let i = index(i)?.to_string();
            key(["total", "", c, "histogram_count", &i])
        }
        _ => None,
    }
}

/// `domains.D.…` (`[scope, id]`: `domain, D`) or `force.…` (`force, `): the
/// coverage figures and those of each requirement.
fn requirement_key([scope, id]: [&str; 2], rest: &[&str]) -> Option<[String; 5]> {
    const DOMAIN: [&str; 4] = [
        "p_covered",
        "p_leaderless",
        "p_lead_short",
        "p_no_lead_candidate",
    ];
    match *rest {
        [m] if DOMAIN.contains(&m) && (scope == "domain" || m == "p_covered") => {
            key([scope, id, "", m, ""])
        }
        ["lead_share", e] if scope == "domain" => key([scope, id, "", "lead_share", e]),
        ["capabilities", c, "required"] => key([scope, id, c, "required", ""]),
        ["capabilities", c, "required_p05_p95", i] => {
            let q = ["p05", "p95"].get(index(i)?)?;
            key([scope, id, c, "required", q])
        }
        ["capabilities", c, "p_met"] => key([scope, id, c, "p_met", ""]),
        ["capabilities", c, m @ ("provided" | "gap"), s] if STATS.contains(&s) => {
            key([scope, id, c, m, s])
        }
        _ => None,
    }
}

/// `nations.N.…`: participation, swing, what it provides and its pools.
fn nation_key(n: &str, rest: &[&str]) -> Option<[String; 5]> {
    const NATION: [&str; 4] = ["p_participates", "swing", "rotation", "ambition"];
    match *rest {
        [m] if NATION.contains(&m) => key(["nation", n, "", m, ""]),
        ["mean_provided", c] => key(["nation", n, c, "mean_provided", ""]),
        ["mean_provided_by_domain", d, c] => key(["nation", n, c, "mean_provided_by_domain", d]),
        ["pools", c, m @ ("pool" | "p_binds")] => key(["nation", n, c, m, ""]),
        ["pools", c, "cut", s] if STATS.contains(&s) => key(["nation", n, c, "pool_cut", s]),
        _ => None,
    }
}

/// `timeline.…` of the report's timeline `t`: coverage by each day (the day
/// read from `t`), and the days to coverage of everything (`all`), of a domain
/// and of the force.
fn timeline_key(rest: &[&str], t: &Value) -> Option<[String; 5]> {
    let by_day = |id: &str, i: &str| {
        let day = whole(t.get("days")?.get(index(i)?)?)?;
        key(["timeline", id, "", "p_covered_by_day", &day])
    };
    match *rest {
        ["p_all_covered", i] => by_day("all", i),
        ["domains", d, i] => by_day(d, i),
        ["force", i] => by_day("force", i),
        ["days_to_all_covered", ref m @ ..] => days_key("all", m, t.get("days_to_all_covered")?),
        ["days_to_coverage", d, ref m @ ..] => days_key(d, m, t.get("days_to_coverage")?.get(d)?),
        ["days_to_force", ref m @ ..] => days_key("force", m, t.get("days_to_force")?),
        _ => None,
    }
}

/// The days to coverage of `id` (`all`, a domain or `force`), `d` in the
/// report: median, p90, P(never), and P(covered by each day of `steps`).
fn days_key(id: &str, rest: &[&str], d: &Value) -> Option<[String; 5]> {
    let metric = match *rest {
        ["median"] => "days_to_coverage_median",
        ["p90"] => "days_to_coverage_p90",
        ["p_never"] => "p_never_covered",
        ["steps", i, "[1]"] => {
            let day = whole(d.get("steps")?.get(index(i)?)?.get(0)?)?;
            return key(["timeline", id, "", "p_covered_by_day_exact", &day]);
        }
        _ => return None,
    };
    key(["timeline", id, "", metric, ""])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Every number (and null) of `v` with its dotted path, an array's element
    /// as `[N]`.
    fn leaves(v: &Value, path: &str, out: &mut Vec<(String, Value)>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    leaves(x, &p, out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    leaves(x, &format!("{path}[{i}]"), out);
                }
            }
            Value::Number(_) | Value::Null => out.push((path.to_string(), v.clone())),
            _ => {}
        }
    }

    /// One CSV line's fields (quoted fields with doubled quotes).
    fn fields(line: &str) -> Vec<String> {
        let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    cur.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => out.push(std::mem::take(&mut cur)),
                _ => cur.push(c),
            }
        }
        out.push(cur);
        out
    }

    /// The rows of a tidy CSV: key → value, ci95_lo, ci95_hi.
    fn rows(csv: &str) -> HashMap<[String; 5], [String; 3]> {
        let mut out = HashMap::new();
        for line in csv.lines().skip(1) {
            let f = fields(line);
            let key: [String; 5] = f[3..8].to_vec().try_into().unwrap();
            let value: [String; 3] = f[8..11].to_vec().try_into().unwrap();
            assert!(out.insert(key, value).is_none(), "twice: {line}");
        }
        out
    }

    /// Whether `path` names a number that is no row of `run --csv`: a
    /// qualifier (a day, a threshold's level), the engine, an interval's bound.
    fn no_row(path: &str) -> bool {
        let (head, last) = path.rsplit_once('.').unwrap_or(("", path));
        path.starts_with("engine.")
            || path.starts_with("timeline.days[")
            || last == "at_least"
            || last == "within" && head.starts_with("timeline.")
            || last.ends_with("][0]") && last.starts_with("steps[")
            || last.split('[').next().is_some_and(|n| n.ends_with("_ci95"))
            || last == "cut"
    }

    /// The figure of an interval's bound `X_ci95[k]`: `X` and `k`.
    fn bound(path: &str) -> Option<(String, usize)> {
        let (figure, k) = path.rsplit_once("_ci95[")?;
        Some((figure.to_string(), index(&format!("[{k}"))?))
    }

    /// The reference scenario (with a drawn requirement) run for 2,000 trials:
    /// its report's JSON and its tidy CSV.
    fn reference() -> (Value, String) {
        let set = ["domains.land.requirements.troops = { uniform = [14000, 18000] }".to_string()];
        let model = crate::scenario::load(Path::new("scenarios/paris-2026.toml"), &set).unwrap();
        let opts = crate::RunOptions {
            trials: 2000,
            seed: 7,
            threads: 1,
            ..Default::default()
        };
        let report = crate::simulate(&model, &opts).unwrap().report;
        let csv = crate::report::csv::to_csv(&report);
        (serde_json::to_value(&report).unwrap(), csv)
    }

    /// Checks the row of `key` against the number `v` (null: an empty value).
    fn check(path: &str, v: &Value, cell: Option<&String>) {
        let cell = cell.unwrap_or_else(|| panic!("{path}: no row"));
        match v.as_f64() {
            Some(x) => assert_eq!(cell.parse::<f64>().ok(), Some(x), "{path}"),
            None => assert_eq!(cell, "", "{path}"),
        }
    }

    /// Every number of a run report is keyed as the row of `run --csv` that
    /// holds it (an interval's bound as that row's ci95 columns), and every row
    /// of `run --csv` with a value is some number's.
    #[test]
    fn every_figure_of_the_report_keys_its_row_of_run_csv() {
        let (json, csv) = reference();
        let rows = rows(&csv);
        let mut all = Vec::new();
        leaves(&json, "", &mut all);
        let mut used = std::collections::HashSet::new();
        for (path, v) in &all {
            if let Some((figure, k)) = bound(path) {
                let row = rows.get(&report_key(&figure, &json));
                check(path, v, row.map(|r| &r[1 + k]));
            } else if no_row(path) {
                assert_eq!(report_key(path, &json), super::super::tidy_key(path));
            } else {
                let key = report_key(path, &json);
                check(path, v, rows.get(&key).map(|r| &r[0]));
                used.insert(key);
            }
        }
        let own = ["interrupted", "mission_requires", "override"];
        for (key, value) in &rows {
            if value[0].is_empty() || key[0] == "run" && own.contains(&key[3].as_str()) {
                continue;
            }
            assert!(used.contains(key), "no figure keys {key:?}");
        }
        assert!(rows.keys().any(|k| k[3] == "required" && k[4] == "p95"));
    }

    #[test]
    fn qualifiers_come_from_the_report() {
        let r = serde_json::json!({
            "thresholds": {"troops": [{"at_least": 15000, "p": 0.6}]},
            "timeline": {"days": [30, 90], "p_all_covered": [0.1, 0.2],
                "domains": {"land": [0.2, 0.7]}, "force": [0.3, 0.4],
                "days_to_coverage": {"land": {"steps": [[41, 0.25]]}}},
            "precision": {"on": "p_all_covered", "target": 0.01}
        });
        let k = |p: &str| report_key(p, &r).join(",");
        assert_eq!(
            k("thresholds.troops[0].p"),
            "threshold,,troops,p_at_least,15000"
        );
        assert_eq!(
            k("timeline.p_all_covered[1]"),
            "timeline,all,,p_covered_by_day,90"
        );
        assert_eq!(
            k("timeline.domains.land[0]"),
            "timeline,land,,p_covered_by_day,30"
        );
        assert_eq!(
            k("timeline.force[1]"),
            "timeline,force,,p_covered_by_day,90"
        );
        assert_eq!(
            k("timeline.days_to_coverage.land.steps[0][1]"),
            "timeline,land,,p_covered_by_day_exact,41"
        );
        assert_eq!(k("precision.target"), "precision,p_all_covered,,target,");
        assert_eq!(
            k("totals.troops.committed.p95"),
            "total,,troops,committed,p95"
        );
        assert_eq!(k("nations.GBR.swing"), "nation,GBR,,swing,");
        assert_eq!(
            k("domains.land.lead_share.GBR"),
            "domain,land,,lead_share,GBR"
        );
    }

    /// The names of sweep and compare, and paths whose qualifier the report does
    /// not give, keep their keys.
    #[test]
    fn other_paths_keep_their_keys() {
        let r = serde_json::json!({"thresholds": {"troops": [{"at_least": 15000, "p": 0.6}]}});
        for p in [
            "thresholds.troops.15000",
            "totals.troops.committed_mean",
            "thresholds.troops[1].p",
            "timeline.p_all_covered[0]",
            "timeline.p_all_covered[x]",
            "domains.land.p_covered_ci95[0]",
        ] {
            assert_eq!(report_key(p, &r), super::super::tidy_key(p), "{p}");
        }
        assert_eq!(
            report_key("totals.troops.p50", &r),
            super::super::tidy_key("totals.troops.p50")
        );
    }

    /// The shape of a scenario's report gives its thresholds' levels and its
    /// timeline's days; a scenario that does not load, none.
    #[test]
    fn a_scenario_gives_its_qualifiers() {
        let source = |path: &str| Source {
            name: "t".into(),
            path: path.into(),
            overrides: Vec::new(),
            all_covered: "",
        };
        let tutorial = source("scenarios/tutorial.toml");
        let k = source_key("thresholds.troops[1].p", &tutorial);
        assert_eq!(k.join(","), "threshold,,troops,p_at_least,5000");
        let k = source_key("timeline.p_all_covered[1]", &tutorial);
        assert_eq!(k.join(","), "timeline,all,,p_covered_by_day,90");
        let gone = source("scenarios/no-such-file.toml");
        assert_eq!(scenario_report(&gone), Value::Null);
        let p = "thresholds.troops[1].p";
        assert_eq!(source_key(p, &gone), super::super::tidy_key(p));
    }
}

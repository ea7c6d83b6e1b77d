//! Tidy CSV: one row per figure, columns `scope,id,capability,metric,value`.
//!
//! | scope | id | capability | metrics |
//! |---|---|---|---|
//! | `run` | | | `trials`, `seed`, `p_all_covered`, `p_all_covered_ci95_lo/hi` |
//! | `precision` | figure targeted | | `target`, `half_width`, `met` (1 or 0), `max_trials` (with `--precision`) |
//! | `total` | | capability | `mean`, `sd`, `min`, `p05` … `max`, `committed_*` with rotation |
//! | `threshold` | | capability | `p_at_least_X` |
//! | `domain` | domain | | `p_covered`, `p_covered_ci95_lo/hi`, `p_leaderless`, `lead_share_NATION` |
//! | `domain` | domain | capability | `required`, `p_met`, `provided_*`, `gap_*` |
//! | `nation` | nation | | `p_participates`, `swing` (empty when undefined) |
//! | `nation` | nation | capability | `mean_provided` |
//! | `condition` | condition | | `p_true` |
//! | `timeline` | `all` or domain | | `p_covered_day_D` |

use std::fmt::Write;

use super::Report;
use crate::stats::Stats;

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

struct Rows(String);

impl Rows {
    fn row(
        &mut self,
        scope: &str,
        id: &str,
        cap: &str,
        metric: &str,
        value: impl std::fmt::Display,
    ) {
        let _ = writeln!(
            self.0,
            "{},{},{},{},{}",
            scope,
            field(id),
            field(cap),
            field(metric),
            value
        );
    }

    fn stats(&mut self, scope: &str, id: &str, cap: &str, prefix: &str, s: &Stats) {
        let named = [
            ("mean", s.mean),
            ("sd", s.sd),
            ("min", s.min),
            ("p05", s.p05),
            ("p25", s.p25),
            ("p50", s.p50),
            ("p75", s.p75),
            ("p95", s.p95),
            ("max", s.max),
        ];
        for (name, v) in named {
            self.row(scope, id, cap, &format!("{prefix}{name}"), v);
        }
    }
}

/// The report as tidy CSV, with a header row.
pub fn to_csv(r: &Report) -> String {
    let mut w = Rows(String::from("scope,id,capability,metric,value\n"));
    w.row("run", "", "", "trials", r.trials);
    w.row("run", "", "", "seed", r.seed);
    w.row("run", "", "", "p_all_covered", r.p_all_covered);
    w.row(
        "run",
        "",
        "",
        "p_all_covered_ci95_lo",
        r.p_all_covered_ci95[0],
    );
    w.row(
        "run",
        "",
        "",
        "p_all_covered_ci95_hi",
        r.p_all_covered_ci95[1],
    );
    if let Some(p) = &r.precision {
        w.row("precision", &p.on, "", "target", p.target);
        w.row("precision", &p.on, "", "half_width", p.half_width);
        w.row("precision", &p.on, "", "met", u8::from(p.met));
        w.row("precision", &p.on, "", "max_trials", p.max_trials);
    }
    for (cap, t) in &r.totals {
        w.stats("total", "", cap, "", &t.stats);
        if let Some(c) = &t.committed {
            w.stats("total", "", cap, "committed_", c);
        }
    }
    for (cap, list) in &r.thresholds {
        for t in list {
            w.row(
                "threshold",
                "",
                cap,
                &format!("p_at_least_{}", t.at_least),
                t.p,
            );
        }
    }
    for (id, d) in &r.domains {
        w.row("domain", id, "", "p_covered", d.p_covered);
        w.row("domain", id, "", "p_covered_ci95_lo", d.p_covered_ci95[0]);
        w.row("domain", id, "", "p_covered_ci95_hi", d.p_covered_ci95[1]);
        w.row("domain", id, "", "p_leaderless", d.p_leaderless);
        for (nation, share) in &d.lead_share {
            w.row("domain", id, "", &format!("lead_share_{nation}"), share);
        }
        for (cap, c) in &d.capabilities {
            w.row("domain", id, cap, "required", c.required);
            w.row("domain", id, cap, "p_met", c.p_met);
            w.stats("domain", id, cap, "provided_", &c.provided);
            w.stats("domain", id, cap, "gap_", &c.gap);
        }
    }
    for (id, n) in &r.nations {
        w.row("nation", id, "", "p_participates", n.p_participates);
        match n.swing {
            Some(s) => w.row("nation", id, "", "swing", s),
            None => w.row("nation", id, "", "swing", ""),
        }
        for (cap, v) in &n.mean_provided {
            w.row("nation", id, cap, "mean_provided", v);
        }
    }
    for (id, c) in &r.conditions {
        w.row("condition", id, "", "p_true", c.p_true);
    }
    if let Some(t) = &r.timeline {
        for (k, day) in t.days.iter().enumerate() {
            w.row(
                "timeline",
                "all",
                "",
                &format!("p_covered_day_{day}"),
                t.p_all_covered[k],
            );
        }
        for (id, ps) in &t.domains {
            for (k, day) in t.days.iter().enumerate() {
                w.row("timeline", id, "", &format!("p_covered_day_{day}"), ps[k]);
            }
        }
    }
    w.0
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_when_needed() {
        assert_eq!(field("land"), "land");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
